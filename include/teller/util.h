/*
 * teller/util.h: small pieces every module uses: a growable buffer with a
 * mandatory size cap, bounded file reading, checked number parsing and UTC
 * timestamps.
 */
#ifndef TELLER_UTIL_H
#define TELLER_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "teller/error.h"

/*
 * A growable byte buffer that refuses to grow past `max` bytes: everything
 * built from untrusted input goes through one.  The data is always
 * NUL-terminated (the NUL is not counted in len).  Initialise with
 * tl_buf_init; release with tl_buf_free (or take the data with tl_buf_take).
 */
struct tl_buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max;
};

void tl_buf_init(struct tl_buf *buf, size_t max);
/* Appends len bytes; TL_ETOOBIG past max, TL_ENOMEM. */
int tl_buf_add(struct tl_buf *buf, const void *data, size_t len);
int tl_buf_addc(struct tl_buf *buf, char c);
int tl_buf_adds(struct tl_buf *buf, const char *s);
int tl_buf_addf(struct tl_buf *buf, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Appends s as one CSV field (RFC 4180): as it is, or quoted with its
 * quotes doubled when it holds a comma, a quote or a line end. */
int tl_buf_add_csv_field(struct tl_buf *buf, const char *s);
/* Returns the data (caller frees; never NULL unless out of memory) and
 * leaves the buffer empty. */
char *tl_buf_take(struct tl_buf *buf, size_t *len);
void tl_buf_reset(struct tl_buf *buf);
void tl_buf_free(struct tl_buf *buf);

/*
 * Reads a whole file ("-" is standard input) of at most max bytes into a new
 * NUL-terminated buffer (*out, caller frees); *len (if not NULL) gets its
 * length.  TL_ETOOBIG if the file is larger; if it cannot be opened or
 * read, the code of tl_file_error_code.
 */
int tl_read_file(const char *path, size_t max, char **out, size_t *len,
    struct tl_error *err);

/*
 * Reads what the open descriptor fd holds, from where it stands to its
 * end, as tl_read_file does (name is the file's name for messages); fd
 * stays open.  A regular file's size (fstat) only sizes the first
 * allocation: a file that shrinks or grows while it is read is read as it
 * is, to its end (a mapping of it would fault).
 */
int tl_read_fd(int fd, const char *name, size_t max, char **out, size_t *len,
    struct tl_error *err);

/*
 * The error code for an input file that cannot be opened or read, from
 * errno: TL_ENOTFOUND if it is not there (ENOENT, ENOTDIR), TL_EINPUT if
 * it is there but not a file teller may read (no permission, a directory,
 * a loop of links, a name too long), TL_EIO for a failure of the system
 * (EIO, out of descriptors ...).  The first two are the user's to fix:
 * bad input, exit status 2.
 */
int tl_file_error_code(int errnum);

/*
 * Writes data to path.  A new path, or a regular file (not a symbolic
 * link), is written through a temporary file beside it, synced and
 * renamed into place with the given mode, so that a reader never sees
 * half a file.  Anything else is written in place, as the shell's ">"
 * would, and keeps its mode: a device (/dev/null stays a device), a FIFO,
 * and a symbolic link, which is followed to what it names, never
 * replaced (a link to nothing is refused).  A directory is refused.
 */
int tl_write_file(const char *path, const void *data, size_t len,
    unsigned mode, struct tl_error *err);

/*
 * The same, for output made a piece at a time (a record of any size):
 * tl_output_open chooses the way as tl_write_file does and gives a stream
 * (tl_output_stream, borrowed) to write to; tl_output_close flushes,
 * syncs and (for a temporary file) renames it into place, and frees o;
 * tl_output_discard, on failure, closes it and removes any temporary
 * file, leaving what was at path as it was (but for a file written in
 * place), and frees o.  NULL is fine.
 */
struct tl_output;
int tl_output_open(const char *path, unsigned mode, struct tl_output **out,
    struct tl_error *err);
FILE *tl_output_stream(struct tl_output *o);
int tl_output_close(struct tl_output *o, struct tl_error *err);
void tl_output_discard(struct tl_output *o);

/*
 * Private key files.  Writing makes a new file of mode 0600 (TL_EEXISTS if
 * path exists), synced to disk, and removes it again if that fails.
 * Reading refuses a file its group or others may read (TL_EKEYPERM) or
 * that is not a regular file, then reads that same open file (tl_read_fd:
 * a file renamed into its place after the check is not read); the caller
 * wipes what it read before freeing it.
 */
int tl_write_private_file(const char *path, const void *data, size_t len,
    struct tl_error *err);
int tl_read_private_file(const char *path, size_t max, char **out,
    size_t *len, struct tl_error *err);

/* Parses a whole string as a decimal integer in [min, max]; TL_EINPUT if it
 * is not one (empty, trailing characters, out of range). */
int tl_parse_int64(const char *s, int64_t min, int64_t max, int64_t *out);

/*
 * UTC timestamps as RFC 3339 with a Z: "2026-11-22T10:00:00Z".  Fractions of
 * a second are accepted and dropped when parsing; only UTC (Z or +00:00) is
 * accepted, so that a timestamp has one meaning.  TL_EINPUT if malformed.
 */
#define TL_TIME_LEN 21 /* "YYYY-MM-DDTHH:MM:SSZ" and NUL */
int tl_time_parse(const char *s, int64_t *out);
void tl_time_format(int64_t t, char out[TL_TIME_LEN]);

/* strdup that returns NULL for NULL. */
char *tl_strdup(const char *s);

/* Whether s is a valid identifier: 1 to 64 characters from [A-Za-z0-9._-],
 * starting with a letter or digit. */
int tl_valid_id(const char *s);

/*
 * The one identifier no candidate may have: the count reports of the
 * ranked methods name the non-transferable papers with it beside the
 * candidates' ids (a round's "transfers", doc/result-format.md), so a
 * candidate with this id would be confused with them.
 */
#define TL_RESERVED_CANDIDATE_ID "non-transferable"
/* Whether s can be a candidate's id: a valid identifier and not
 * TL_RESERVED_CANDIDATE_ID. */
int tl_candidate_id_valid(const char *s);

/*
 * A pool of threads that runs fn(ctx, i) once for each item i the caller
 * makes ready, on every core, while the caller goes on making more: items
 * [0, n) are ready once the caller says so with tl_pool_ready(pool, n)
 * (n only grows).  tl_pool_finish says no more will come, works on the
 * rest with the pool, and returns when every ready item is done; the
 * pool is then freed.
 *
 * fn must touch only what item i owns, and read what is shared: which
 * thread runs which item is not fixed, so results go to per-item slots,
 * and the caller reads them (in its own order: a deterministic result)
 * after tl_pool_finish.  Items must not move in memory while the pool
 * runs (allocate them all first).
 *
 * tl_pool_start fails only for want of memory (TL_ENOMEM); when it cannot
 * start a thread, tl_pool_ready and tl_pool_finish run the items on the
 * calling thread.  threads is how many threads work besides the caller
 * (0: the caller alone), TL_POOL_CORES one per core less the caller.
 */
#define TL_POOL_CORES ((unsigned)-1)
struct tl_pool;
int tl_pool_start(struct tl_pool **pool, unsigned threads,
    void (*fn)(void *ctx, size_t i), void *ctx);
void tl_pool_ready(struct tl_pool *pool, size_t n);
void tl_pool_finish(struct tl_pool *pool);

#endif
