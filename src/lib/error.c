/*
 * error.c: error codes, their names and messages, and the helpers that fill a
 * struct tl_error.  A message is always valid UTF-8 (teller serve sends it in
 * a JSON answer, and Jansson takes nothing else): a byte of the arguments
 * that is not part of a character, such as one from a URL's %ff or a name
 * cut at a byte count, is written as \xHH, and a message cut to the buffer
 * ends on a whole character.
 */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "teller/error.h"
#include "teller/utf8.h"

struct code_info {
	int code;
	const char *name;
	const char *text;
	int exit_status;
};

static const struct code_info codes[] = {
	{TL_OK, "ok", "success", 0},
	{TL_ENOMEM, "out_of_memory", "out of memory", 3},
	{TL_EINTERNAL, "internal", "internal error", 3},
	{TL_EIO, "io", "input/output error", 3},
	{TL_EDB, "database", "database error", 3},
	{TL_ECRYPTO, "crypto", "cryptographic library error", 3},
	{TL_EUSAGE, "usage", "bad usage", 2},
	{TL_EINPUT, "invalid_input", "malformed input", 2},
	{TL_ETOOBIG, "too_large", "input too large", 2},
	{TL_ENOTFOUND, "not_found", "not found", 2},
	{TL_EEXISTS, "already_exists", "already exists", 2},
	{TL_ESTATE, "wrong_state", "the election is not in a state that allows this", 2},
	{TL_EKEYPERM, "key_permissions", "private key file is readable by others", 2},
	{TL_ESIGNATURE, "bad_signature", "signature does not verify", 2},
	{TL_ENOTONROLL, "not_on_roll", "voter is not on the roll", 2},
	{TL_EBALLOT, "invalid_ballot", "ballot is not valid", 2},
	{TL_EWINDOW, "outside_voting_window", "outside the voting window", 2},
	{TL_EDUPLICATE, "duplicate_ballot", "voter has already voted", 2},
	{TL_EMANIFEST, "invalid_manifest", "manifest is not valid", 2},
	{TL_EROLL, "invalid_roll", "voter roll is not valid", 2},
	{TL_EVERIFY, "verification_failed", "verification failed", 1},
	{TL_EWRONGELECTION, "wrong_election", "object belongs to another election", 2},
	{TL_ESTALE, "stale_sequence", "sequence number is not above the voter's last ballot", 2},
	{TL_EMETHOD, "method_error", "the counting method cannot count this input", 2},
	{TL_ENETWORK, "network", "network transfer failed", 3},
	{TL_EPHASE, "wrong_phase", "outside the phase of the timetable that allows this", 2},
	{TL_EPERM, "not_permitted", "not permitted", 2},
	{TL_ECONFLICT, "conflict", "conflicts with the current state", 2},
	{TL_EDECRYPT, "cannot_decrypt", "a sealed value does not open (wrong key, or altered)", 2},
	{TL_EEXPIRED, "expired", "the link or token has expired", 2},
	{TL_ERATE, "rate_limited", "too many requests from this address; try again later", 2},
	{TL_ECREDENTIAL, "duplicate_credential", "voter has already obtained a credential", 2},
};

static const struct code_info *
lookup(int code)
{
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (codes[i].code == code)
			return &codes[i];
	return NULL;
}

int
tl_error_set(struct tl_error *err, int code, const char *fmt, ...)
{
	char text[sizeof(err->message)];
	va_list ap;
	int len;

	if (err == NULL)
		return code;
	err->code = code;
	va_start(ap, fmt);
	len = vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (len < 0)
		len = 0;
	/* Cut by vsnprintf, the text may end in part of a character; it
	 * would not fit escaped, so the copy ends before it. */
	tl_utf8_clean(err->message, sizeof(err->message), text,
	    (size_t)len < sizeof(text) ? (size_t)len : sizeof(text) - 1);
	return code;
}

int
tl_error_prefix(struct tl_error *err, const char *fmt, ...)
{
	char prefix[512], joined[sizeof(prefix) + 2 + sizeof(err->message)];
	size_t n;
	va_list ap;
	int len;

	if (err == NULL)
		return TL_EINTERNAL;
	va_start(ap, fmt);
	len = vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	n = len < 0 ? 0 : (size_t)len < sizeof(prefix) ? (size_t)len :
	    sizeof(prefix) - 1;
	/* A prefix cut by vsnprintf may end in part of a character; its
	 * clean copy, in no more room, ends before that. */
	n = tl_utf8_clean(joined, sizeof(prefix), prefix, n);
	memcpy(joined + n, ": ", 2);
	memcpy(joined + n + 2, err->message, sizeof(err->message));
	joined[sizeof(joined) - 1] = '\0';
	/* The message keeps as much as fits, up to a whole character; the
	 * prefix comes first. */
	tl_utf8_clean(err->message, sizeof(err->message), joined,
	    strlen(joined));
	return err->code;
}

void
tl_error_clear(struct tl_error *err)
{
	if (err == NULL)
		return;
	err->code = TL_OK;
	err->message[0] = '\0';
}

const char *
tl_strerror(int code)
{
	const struct code_info *info = lookup(code);

	return info != NULL ? info->text : "unknown error";
}

const char *
tl_error_name(int code)
{
	const struct code_info *info = lookup(code);

	return info != NULL ? info->name : "unknown";
}

int
tl_error_from_name(const char *name)
{
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (strcmp(codes[i].name, name) == 0)
			return codes[i].code;
	return TL_EINTERNAL;
}

int
tl_error_exit_status(int code)
{
	const struct code_info *info = lookup(code);

	return info != NULL ? info->exit_status : 3;
}
