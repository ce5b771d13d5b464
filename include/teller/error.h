/*
 * teller/error.h: error codes and messages of libteller.
 *
 * Every fallible libteller function returns int: 0 (TL_OK) on success or one
 * of the negative TL_E* codes below.  Functions that can say more take a
 * `struct tl_error *err` (which may be NULL) and fill it with the code and a
 * message naming the file, line, voter or field at fault.  The library never
 * prints and never exits; the CLI and the server show err->message.
 *
 * Each code has a stable name (tl_error_name) used as the "error" field of
 * JSON error bodies and in reports, and an exit status for the CLI.
 */
#ifndef TELLER_ERROR_H
#define TELLER_ERROR_H

#include <stddef.h>

#define TL_OK 0

enum tl_error_code {
	TL_ENOMEM = -1,         /* out of memory */
	TL_EINTERNAL = -2,      /* a bug or an impossible state */
	TL_EIO = -3,            /* reading or writing a file failed */
	TL_EDB = -4,            /* the database failed */
	TL_ECRYPTO = -5,        /* the crypto library failed */
	TL_EUSAGE = -6,         /* bad command-line usage */
	TL_EINPUT = -7,         /* malformed input (JSON, CSV, BLT, base64 ...) */
	TL_ETOOBIG = -8,        /* input over a size limit */
	TL_ENOTFOUND = -9,      /* no such election, voter, contest ... */
	TL_EEXISTS = -10,       /* already exists */
	TL_ESTATE = -11,        /* the election is not in a state that allows this */
	TL_EKEYPERM = -12,      /* a private key file others can read */
	TL_ESIGNATURE = -13,    /* a signature does not verify */
	TL_ENOTONROLL = -14,    /* the voter is not on the roll (for this contest) */
	TL_EBALLOT = -15,       /* the ballot's content is not valid */
	TL_EWINDOW = -16,       /* outside the voting window */
	TL_EDUPLICATE = -17,    /* a ballot the revote policy refuses */
	TL_EMANIFEST = -18,     /* the manifest is not valid */
	TL_EROLL = -19,         /* the voter roll is not valid */
	TL_EVERIFY = -20,       /* a verification found the input invalid */
	TL_EWRONGELECTION = -21,/* an object of another election or manifest */
	TL_ESTALE = -22,        /* a sequence number not above the voter's last */
	TL_EMETHOD = -23,       /* a counting method cannot count this input */
	TL_ENETWORK = -24,      /* a network transfer failed */
	TL_EPHASE = -25,        /* outside the phase of the timetable that allows it */
	TL_EPERM = -26,         /* not entitled to do this */
	TL_ECONFLICT = -27,     /* the request conflicts with the current state */
	TL_EDECRYPT = -28,      /* a sealed value does not open: wrong key, or altered */
	TL_EEXPIRED = -29,      /* a link or token past its expiry */
	TL_ERATE = -30,         /* too many requests from one address for now */
	TL_ECREDENTIAL = -31,   /* the voter has a credential already */
};

/* The lowest (most negative) code; codes run from TL_ERROR_MIN to -1. */
#define TL_ERROR_MIN TL_ECREDENTIAL

struct tl_error {
	int code;
	char message[1024];
};

/* Sets err (if not NULL) to code and a formatted message; returns code. */
int tl_error_set(struct tl_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Puts "prefix: " in front of err's message (if err is not NULL and holds an
 * error); returns err->code, or TL_EINTERNAL if err is NULL.  For adding
 * where an error happened (a file name, a line) as it travels up. */
int tl_error_prefix(struct tl_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Clears err to TL_OK with an empty message. */
void tl_error_clear(struct tl_error *err);

/* A short sentence saying what the code means; never NULL. */
const char *tl_strerror(int code);

/* The stable machine name of the code ("bad_signature"); never NULL. */
const char *tl_error_name(int code);

/* The code of a stable name (what a server sent back); TL_EINTERNAL for
 * a name this build does not know. */
int tl_error_from_name(const char *name);

/* The CLI exit status for the code: 0 for TL_OK, 1 for TL_EVERIFY, 2 for
 * bad usage or input, 3 for internal and system errors. */
int tl_error_exit_status(int code);

#endif
