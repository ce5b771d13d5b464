/*
 * authtrustee.c: the authority as the only trustee of a secret election
 * that names none (teller/authtrustee.h): its sealing key, derived from
 * the authority key for the election; the manifest that names it; and
 * its unseal statement, logged right after the close.
 */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "teller/authtrustee.h"
#include "teller/envelope.h"
#include "teller/hpke.h"
#include "teller/log.h"
#include "teller/statement.h"
#include "teller/trustee.h"
#include "teller/util.h"

/* The authority's sealing key for election id, as a trustee's keys (the
 * identity borrowed from authority; free the sealing key). */
static int
authority_keys(const struct tl_key *authority, const char *id,
    struct tl_trustee_key *out, struct tl_error *err)
{
	char info[TL_ID_SIZE + 64];
	uint8_t sk[TL_HPKE_NSK];
	int r;

	snprintf(info, sizeof(info), "teller/v1/authority-sealing-key/%s", id);
	memset(out, 0, sizeof(*out));
	if ((r = tl_key_derive(authority, info, sk, err)) != TL_OK)
		return r;
	if (tl_hpke_key_from_private(sk, &out->sealing) != TL_OK)
		r = tl_error_set(err, TL_ECRYPTO, "cannot load the authority's "
		    "sealing key");
	tl_wipe(sk, sizeof(sk));
	out->identity = (struct tl_key *)(uintptr_t)authority;
	return r;
}

int
tl_authtrustee_manifest(const struct tl_manifest *m,
    const struct tl_key *authority, char **json, size_t *len,
    struct tl_error *err)
{
	struct tl_trustee_key keys;
	char pub[TL_PUBLIC_B64_LEN + 1], seal[TL_PUBLIC_B64_LEN + 1];
	json_t *copy = NULL;
	int r;

	*json = NULL;
	if (m->secrecy != TL_SECRECY_SECRET || m->ntrustees > 0)
		return TL_OK;
	if ((r = authority_keys(authority, m->id, &keys, err)) != TL_OK)
		return r;
	tl_key_public_base64(authority, pub);
	tl_trustee_sealing_public_base64(&keys, seal);
	tl_hpke_key_free(keys.sealing);
	if ((copy = json_deep_copy(m->json)) == NULL ||
	    json_object_set_new(copy, "trustees", json_pack("[{s:s, s:s, s:s, "
	    "s:s}]", "id", TL_AUTHORITY_TRUSTEE, "name", "the election "
	    "authority", "identity_key", pub, "sealing_key", seal)) != 0 ||
	    json_object_set_new(copy, "threshold", json_integer(1)) != 0 ||
	    tl_json_dump(copy, json, len) != TL_OK)
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
	json_decref(copy);
	return r;
}

int
tl_authtrustee_close(struct tl_store *store, const struct tl_manifest *m,
    const char *hash, const struct tl_key *authority, const char *close,
    int64_t now, struct tl_error *err)
{
	struct tl_trustee_key keys;
	char pub[TL_PUBLIC_B64_LEN + 1], *text = NULL;
	size_t t, len = 0;
	int r;

	if (!tl_manifest_sealed(m) ||
	    (t = tl_manifest_trustee_index(m, TL_AUTHORITY_TRUSTEE)) ==
	    (size_t)-1)
		return TL_OK;
	tl_key_public_base64(authority, pub);
	if (strcmp(m->trustees[t].identity_key, pub) != 0)
		return TL_OK; /* a trustee of that name, not this authority */
	if ((r = authority_keys(authority, m->id, &keys, err)) != TL_OK)
		return r;
	r = tl_trustee_unseal_statement(&keys, m->id, hash,
	    TL_AUTHORITY_TRUSTEE, close, now, &text, &len, err);
	tl_hpke_key_free(keys.sealing);
	if (r == TL_OK)
		r = tl_log_append(store, m->id, "unseal", text, len, now, NULL,
		    NULL, err);
	if (text != NULL)
		tl_wipe_free(text);
	return r;
}
