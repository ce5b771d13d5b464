/*
 * util.c: the capped growable buffer, bounded file I/O, checked integer
 * parsing and RFC 3339 UTC timestamps.
 */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <pthread.h>
#include <unistd.h>

#include "teller/util.h"

void
tl_buf_init(struct tl_buf *buf, size_t max)
{
	buf->data = NULL;
	buf->len = 0;
	buf->cap = 0;
	buf->max = max;
}

static int
buf_reserve(struct tl_buf *buf, size_t extra)
{
	size_t need, cap;
	char *p;

	if (extra > buf->max || buf->len > buf->max - extra)
		return TL_ETOOBIG;
	need = buf->len + extra + 1;
	if (need <= buf->cap)
		return TL_OK;
	cap = buf->cap != 0 ? buf->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	if ((p = realloc(buf->data, cap)) == NULL)
		return TL_ENOMEM;
	buf->data = p;
	buf->cap = cap;
	return TL_OK;
}

int
tl_buf_add(struct tl_buf *buf, const void *data, size_t len)
{
	int r;

	if ((r = buf_reserve(buf, len)) != TL_OK)
		return r;
	if (len != 0)
		memcpy(buf->data + buf->len, data, len);
	buf->len += len;
	buf->data[buf->len] = '\0';
	return TL_OK;
}

int
tl_buf_addc(struct tl_buf *buf, char c)
{
	return tl_buf_add(buf, &c, 1);
}

int
tl_buf_adds(struct tl_buf *buf, const char *s)
{
	return tl_buf_add(buf, s, strlen(s));
}

int
tl_buf_add_csv_field(struct tl_buf *buf, const char *s)
{
	int r;

	if (strpbrk(s, ",\"\r\n") == NULL)
		return tl_buf_adds(buf, s);
	r = tl_buf_addc(buf, '"');
	for (; r == TL_OK && *s != '\0'; s++)
		r = *s == '"' ? tl_buf_adds(buf, "\"\"") : tl_buf_addc(buf, *s);
	return r == TL_OK ? tl_buf_addc(buf, '"') : r;
}

int
tl_buf_addf(struct tl_buf *buf, const char *fmt, ...)
{
	va_list ap;
	int n, r;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return TL_EINTERNAL;
	if ((r = buf_reserve(buf, (size_t)n)) != TL_OK)
		return r;
	va_start(ap, fmt);
	vsnprintf(buf->data + buf->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	buf->len += (size_t)n;
	return TL_OK;
}

char *
tl_buf_take(struct tl_buf *buf, size_t *len)
{
	char *data = buf->data;

	if (data == NULL)
		data = calloc(1, 1);
	if (len != NULL)
		*len = buf->len;
	buf->data = NULL;
	buf->len = 0;
	buf->cap = 0;
	return data;
}

void
tl_buf_reset(struct tl_buf *buf)
{
	buf->len = 0;
	if (buf->data != NULL)
		buf->data[0] = '\0';
}

void
tl_buf_free(struct tl_buf *buf)
{
	if (buf == NULL)
		return;
	free(buf->data);
	buf->data = NULL;
	buf->len = 0;
	buf->cap = 0;
}

#define READ_CHUNK (64 * 1024)

static int
read_error(struct tl_error *err, const char *name, int errnum)
{
	return tl_error_set(err, tl_file_error_code(errnum), "%s: cannot read: "
	    "%s", name, strerror(errnum));
}

int
tl_read_fd(int fd, const char *name, size_t max, char **out, size_t *len,
    struct tl_error *err)
{
	struct tl_buf buf;
	struct stat st;
	ssize_t n;
	size_t room;
	char probe;
	int r = TL_OK;

	tl_buf_init(&buf, max);
	/* A regular file's size as fstat sees it now is only a hint: room for
	 * that many bytes and one more, so that the read which finds the end
	 * needs no more.  The read goes on to the end of the file as it is
	 * then, shorter or longer. */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    (uintmax_t)st.st_size < max &&
	    (buf.data = malloc((size_t)st.st_size + 2)) != NULL)
		buf.cap = (size_t)st.st_size + 2;
	for (;;) {
		if (buf.len == max) {
			/* At the limit: one byte more, and the file is over it. */
			if ((n = read(fd, &probe, 1)) < 0 && errno == EINTR)
				continue;
			if (n > 0)
				r = tl_error_set(err, TL_ETOOBIG, "%s: larger than "
				    "the limit of %zu bytes", name, max);
			else if (n < 0)
				r = read_error(err, name, errno);
			break;
		}
		if (buf.len + 1 >= buf.cap && buf_reserve(&buf,
		    max - buf.len < READ_CHUNK ? max - buf.len : READ_CHUNK) !=
		    TL_OK) {
			r = tl_error_set(err, TL_ENOMEM, "%s: out of memory", name);
			break;
		}
		room = buf.cap - buf.len - 1;
		if (room > max - buf.len)
			room = max - buf.len;
		if ((n = read(fd, buf.data + buf.len, room)) < 0) {
			if (errno == EINTR)
				continue;
			r = read_error(err, name, errno);
			break;
		}
		if (n == 0)
			break;
		buf.len += (size_t)n;
	}
	if (r == TL_OK) {
		if (buf.data != NULL)
			buf.data[buf.len] = '\0';
		if ((*out = tl_buf_take(&buf, len)) == NULL)
			r = tl_error_set(err, TL_ENOMEM, "out of memory");
	}
	tl_buf_free(&buf);
	return r;
}

int
tl_file_error_code(int errnum)
{
	switch (errnum) {
	case ENOENT:
	case ENOTDIR:
		return TL_ENOTFOUND;
	case EACCES:
	case EPERM:
	case EISDIR:
	case ELOOP:
	case ENAMETOOLONG:
	case ENXIO:
	case ENODEV:
		return TL_EINPUT;
	default:
		return TL_EIO;
	}
}

int
tl_read_file(const char *path, size_t max, char **out, size_t *len,
    struct tl_error *err)
{
	int fd, r;

	if (strcmp(path, "-") == 0)
		return tl_read_fd(STDIN_FILENO, path, max, out, len, err);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		int e = errno;

		return tl_error_set(err, tl_file_error_code(e), "%s: cannot "
		    "open: %s", path, strerror(e));
	}
	r = tl_read_fd(fd, path, max, out, len, err);
	close(fd);
	return r;
}

struct tl_output {
	FILE *stream;
	char *path;  /* the destination */
	char *tmp;   /* the temporary file renamed onto it; NULL in place */
};

void
tl_output_discard(struct tl_output *o)
{
	if (o == NULL)
		return;
	if (o->stream != NULL)
		fclose(o->stream);
	if (o->tmp != NULL)
		unlink(o->tmp);
	free(o->tmp);
	free(o->path);
	free(o);
}

/* A temporary file beside path, created with mode (O_EXCL: never one
 * that is there already); *fd and o->tmp get it. */
static int
create_beside(struct tl_output *o, unsigned mode, int *fd,
    struct tl_error *err)
{
	struct tl_buf name;
	int e = EEXIST;

	tl_buf_init(&name, PATH_MAX);
	for (unsigned i = 0; i < 100 && e == EEXIST; i++) {
		tl_buf_reset(&name);
		if (tl_buf_addf(&name, "%s.tmp.%ld.%u", o->path, (long)getpid(),
		    i) != TL_OK) {
			tl_buf_free(&name);
			return tl_error_set(err, TL_EINPUT, "%s: path too long",
			    o->path);
		}
		*fd = open(name.data, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
		    (mode_t)mode);
		e = *fd < 0 ? errno : 0;
	}
	if (e != 0) {
		tl_error_set(err, tl_file_error_code(e), "%s: cannot create: %s",
		    name.data, strerror(e));
		tl_buf_free(&name);
		return err != NULL ? err->code : TL_EIO;
	}
	o->tmp = tl_buf_take(&name, NULL);
	return TL_OK;
}

int
tl_output_open(const char *path, unsigned mode, struct tl_output **out,
    struct tl_error *err)
{
	struct tl_output *o;
	struct stat st;
	int fd = -1, e, r;

	if ((o = calloc(1, sizeof(*o))) == NULL ||
	    (o->path = strdup(path)) == NULL) {
		free(o);
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	}
	if (lstat(path, &st) != 0) {
		if ((e = errno) != ENOENT) {
			r = tl_error_set(err, tl_file_error_code(e), "%s: %s",
			    path, strerror(e));
			goto fail;
		}
		st.st_mode = S_IFREG; /* a new file */
	}
	if (S_ISDIR(st.st_mode)) {
		r = tl_error_set(err, TL_EINPUT, "%s: is a directory", path);
		goto fail;
	}
	if (S_ISREG(st.st_mode)) {
		if ((r = create_beside(o, mode, &fd, err)) != TL_OK)
			goto fail;
	} else if ((fd = open(path, O_WRONLY | O_TRUNC | O_NOCTTY |
	    O_CLOEXEC)) < 0) {
		/* In place: following a link, never creating what it names. */
		e = errno;
		r = e == ENOENT ? tl_error_set(err, TL_EINPUT, "%s: a symbolic "
		    "link to nothing; teller writes through a link only to a "
		    "file that exists", path) : tl_error_set(err,
		    tl_file_error_code(e), "%s: cannot open: %s", path,
		    strerror(e));
		goto fail;
	}
	if ((o->stream = fdopen(fd, "w")) == NULL) {
		close(fd);
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto fail;
	}
	*out = o;
	return TL_OK;
 fail:
	tl_output_discard(o);
	return r;
}

FILE *
tl_output_stream(struct tl_output *o)
{
	return o->stream;
}

int
tl_output_close(struct tl_output *o, struct tl_error *err)
{
	struct stat st;
	FILE *f = o->stream;
	int r = TL_OK, synced;

	o->stream = NULL;
	synced = fflush(f) == 0 && (fstat(fileno(f), &st) != 0 ||
	    !S_ISREG(st.st_mode) || fsync(fileno(f)) == 0);
	if (fclose(f) != 0 || !synced)
		r = tl_error_set(err, TL_EIO, "%s: cannot write: %s", o->path,
		    strerror(errno));
	else if (o->tmp != NULL && rename(o->tmp, o->path) != 0)
		r = tl_error_set(err, TL_EIO, "%s: cannot rename into place: %s",
		    o->path, strerror(errno));
	else {
		free(o->tmp);
		o->tmp = NULL;
	}
	tl_output_discard(o);
	return r;
}

int
tl_write_file(const char *path, const void *data, size_t len, unsigned mode,
    struct tl_error *err)
{
	struct tl_output *o = NULL;
	int r;

	if ((r = tl_output_open(path, mode, &o, err)) != TL_OK)
		return r;
	if (len > 0 && fwrite(data, 1, len, o->stream) != len) {
		r = tl_error_set(err, TL_EIO, "%s: write error: %s", path,
		    strerror(errno));
		tl_output_discard(o);
		return r;
	}
	return tl_output_close(o, err);
}

int
tl_write_private_file(const char *path, const void *data, size_t len,
    struct tl_error *err)
{
	const char *p = data;
	size_t off = 0;
	int fd, r;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return tl_error_set(err, errno == EEXIST ? TL_EEXISTS : TL_EIO,
		    "%s: cannot create key file: %s", path, strerror(errno));
	/* The umask may have taken bits away, never added: make it exact. */
	if (fchmod(fd, 0600) != 0) {
		r = tl_error_set(err, TL_EIO, "%s: cannot set mode 0600: %s",
		    path, strerror(errno));
		goto out;
	}
	while (off < len) {
		ssize_t w = write(fd, p + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			r = tl_error_set(err, TL_EIO, "%s: write error: %s",
			    path, strerror(errno));
			goto out;
		}
		off += (size_t)w;
	}
	if (fsync(fd) != 0) {
		r = tl_error_set(err, TL_EIO, "%s: cannot sync: %s", path,
		    strerror(errno));
		goto out;
	}
	r = TL_OK;
 out:
	if (close(fd) != 0 && r == TL_OK)
		r = tl_error_set(err, TL_EIO, "%s: close failed: %s", path,
		    strerror(errno));
	if (r != TL_OK)
		unlink(path);
	return r;
}

int
tl_read_private_file(const char *path, size_t max, char **out, size_t *len,
    struct tl_error *err)
{
	struct stat st;
	int fd, r;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		int e = errno;

		return tl_error_set(err, tl_file_error_code(e), "%s: cannot "
		    "open key file: %s", path, strerror(e));
	}
	/* The mode is the one of the file read below, through the same
	 * descriptor: a file put in its place in between is not read. */
	if (fstat(fd, &st) != 0)
		r = tl_error_set(err, TL_EIO, "%s: cannot stat: %s", path,
		    strerror(errno));
	else if (!S_ISREG(st.st_mode))
		r = tl_error_set(err, TL_EINPUT, "%s: not a regular file",
		    path);
	else if ((st.st_mode & 077) != 0)
		r = tl_error_set(err, TL_EKEYPERM,
		    "%s: private key file has mode %04o; others can read it "
		    "(run: chmod 600 %s)", path, (unsigned)(st.st_mode & 07777),
		    path);
	else
		r = tl_read_fd(fd, path, max, out, len, err);
	close(fd);
	return r;
}

int
tl_parse_int64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	long long v;
	char *end;

	if (s == NULL || *s == '\0' || isspace((unsigned char)*s))
		return TL_EINPUT;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return TL_EINPUT;
	*out = (int64_t)v;
	return TL_OK;
}

/* Reads exactly n decimal digits. */
static int
digits(const char **p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

static int
days_in_month(int year, int month)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return month == 2 && leap ? 29 : days[month - 1];
}

int
tl_time_parse(const char *s, int64_t *out)
{
	int year, month, day, hour, minute, second;
	const char *p = s;
	struct tm tm;
	time_t t;

	if (s == NULL)
		return TL_EINPUT;
	if (digits(&p, 4, &year) || *p++ != '-' || digits(&p, 2, &month) ||
	    *p++ != '-' || digits(&p, 2, &day) || (*p != 'T' && *p != 't'))
		return TL_EINPUT;
	p++;
	if (digits(&p, 2, &hour) || *p++ != ':' || digits(&p, 2, &minute) ||
	    *p++ != ':' || digits(&p, 2, &second))
		return TL_EINPUT;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return TL_EINPUT;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p == 'Z' || *p == 'z')
		p++;
	else if (strcmp(p, "+00:00") == 0)
		p += 6;
	else
		return TL_EINPUT;
	if (*p != '\0')
		return TL_EINPUT;
	if (year < 1970 || month < 1 || month > 12 || day < 1 ||
	    day > days_in_month(year, month) || hour > 23 || minute > 59 ||
	    second > 59)
		return TL_EINPUT;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = year - 1900;
	tm.tm_mon = month - 1;
	tm.tm_mday = day;
	tm.tm_hour = hour;
	tm.tm_min = minute;
	tm.tm_sec = second;
	t = timegm(&tm);
	if (t == (time_t)-1)
		return TL_EINPUT;
	*out = (int64_t)t;
	return TL_OK;
}

void
tl_time_format(int64_t t, char out[TL_TIME_LEN])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, TL_TIME_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, TL_TIME_LEN, "invalid-time");
}

char *
tl_strdup(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

int
tl_valid_id(const char *s)
{
	size_t n;

	if (s == NULL || !isalnum((unsigned char)s[0]))
		return 0;
	for (n = 0; s[n] != '\0'; n++) {
		unsigned char c = (unsigned char)s[n];
		if (!isalnum(c) && c != '.' && c != '_' && c != '-')
			return 0;
		if (n >= 64)
			return 0;
	}
	return 1;
}

int
tl_candidate_id_valid(const char *s)
{
	return tl_valid_id(s) && strcmp(s, TL_RESERVED_CANDIDATE_ID) != 0;
}

/* --- a pool of threads over items made ready in turn --------------------- */

/* The most threads a pool starts, and how many items a thread takes at
 * once (few enough that the last ones spread over the threads). */
#define POOL_THREADS_MAX 64
#define POOL_CHUNK 16

struct tl_pool {
	pthread_mutex_t lock;
	pthread_cond_t more;        /* items ready, or no more to come */
	size_t ready, next;
	int finished;
	void (*fn)(void *, size_t);
	void *ctx;
	pthread_t threads[POOL_THREADS_MAX];
	unsigned nthreads;
};

/* Takes up to POOL_CHUNK ready items [*first, *last); 0 when there are
 * none now (and, if wait, none will come). */
static int
pool_take(struct tl_pool *pool, int wait, size_t *first, size_t *last)
{
	int got = 0;

	pthread_mutex_lock(&pool->lock);
	while (wait && pool->next >= pool->ready && !pool->finished)
		pthread_cond_wait(&pool->more, &pool->lock);
	if (pool->next < pool->ready) {
		*first = pool->next;
		*last = pool->ready - pool->next > POOL_CHUNK ?
		    pool->next + POOL_CHUNK : pool->ready;
		pool->next = *last;
		got = 1;
	}
	pthread_mutex_unlock(&pool->lock);
	return got;
}

static void
pool_work(struct tl_pool *pool, int wait)
{
	size_t first, last;

	while (pool_take(pool, wait, &first, &last))
		for (size_t i = first; i < last; i++)
			pool->fn(pool->ctx, i);
}

static void *
pool_main(void *arg)
{
	pool_work(arg, 1);
	return NULL;
}

int
tl_pool_start(struct tl_pool **out, unsigned threads,
    void (*fn)(void *ctx, size_t i), void *ctx)
{
	struct tl_pool *pool;
	long cores;

	if ((pool = calloc(1, sizeof(*pool))) == NULL)
		return TL_ENOMEM;
	if (threads == TL_POOL_CORES) {
		cores = sysconf(_SC_NPROCESSORS_ONLN);
		threads = cores > 1 ? (unsigned)(cores - 1) : 0;
	}
	if (threads > POOL_THREADS_MAX)
		threads = POOL_THREADS_MAX;
	pthread_mutex_init(&pool->lock, NULL);
	pthread_cond_init(&pool->more, NULL);
	pool->fn = fn;
	pool->ctx = ctx;
	for (unsigned t = 0; t < threads; t++) {
		if (pthread_create(&pool->threads[t], NULL, pool_main, pool) !=
		    0)
			break; /* fewer threads: slower, not wrong */
		pool->nthreads++;
	}
	*out = pool;
	return TL_OK;
}

void
tl_pool_ready(struct tl_pool *pool, size_t n)
{
	if (pool == NULL)
		return;
	pthread_mutex_lock(&pool->lock);
	if (n > pool->ready) {
		pool->ready = n;
		pthread_cond_broadcast(&pool->more);
	}
	pthread_mutex_unlock(&pool->lock);
	/* With no thread of its own, the pool's work is the caller's. */
	if (pool->nthreads == 0)
		pool_work(pool, 0);
}

void
tl_pool_finish(struct tl_pool *pool)
{
	if (pool == NULL)
		return;
	pthread_mutex_lock(&pool->lock);
	pool->finished = 1;
	pthread_cond_broadcast(&pool->more);
	pthread_mutex_unlock(&pool->lock);
	pool_work(pool, 0);
	for (unsigned t = 0; t < pool->nthreads; t++)
		pthread_join(pool->threads[t], NULL);
	pthread_cond_destroy(&pool->more);
	pthread_mutex_destroy(&pool->lock);
	free(pool);
}
