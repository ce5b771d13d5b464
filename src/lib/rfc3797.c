/*
 * rfc3797.c: RFC 3797 publicly verifiable random selection: the key string
 * built from published random sources, and the MD5-based selections.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "teller/crypto.h"
#include "teller/rfc3797.h"
#include "teller/util.h"

#define MAX_VALUE_LEN 40

/* A value in the key's canonical form: integer digits without leading
 * zeros ("0" for none), and fraction digits without trailing zeros. */
struct value {
	char integer[MAX_VALUE_LEN + 1];
	char fraction[MAX_VALUE_LEN + 1];
};

static int
parse_value(const char *s, size_t len, struct value *v)
{
	const char *dot = memchr(s, '.', len);
	size_t ilen = dot != NULL ? (size_t)(dot - s) : len;
	size_t flen = dot != NULL ? len - ilen - 1 : 0;
	const char *frac = dot != NULL ? dot + 1 : s + len;

	if (len == 0 || len > MAX_VALUE_LEN || (ilen == 0 && flen == 0))
		return TL_EINPUT;
	for (size_t i = 0; i < len; i++)
		if ((s[i] < '0' || s[i] > '9') && s + i != dot)
			return TL_EINPUT;
	while (ilen > 1 && *s == '0') {
		s++;
		ilen--;
	}
	if (ilen == 0 || (ilen == 1 && *s == '0'))
		snprintf(v->integer, sizeof(v->integer), "0");
	else {
		memcpy(v->integer, s, ilen);
		v->integer[ilen] = '\0';
	}
	while (flen > 0 && frac[flen - 1] == '0')
		flen--;
	memcpy(v->fraction, frac, flen);
	v->fraction[flen] = '\0';
	return TL_OK;
}

/* Ascending numeric order of canonical values. */
static int
value_cmp(const void *a, const void *b)
{
	const struct value *x = a, *y = b;
	size_t lx = strlen(x->integer), ly = strlen(y->integer);
	int c;

	if (lx != ly)
		return lx < ly ? -1 : 1;
	if ((c = strcmp(x->integer, y->integer)) != 0)
		return c;
	return strcmp(x->fraction, y->fraction);
}

int
tl_rfc3797_key(const char *const *sources, size_t nsources, char **key,
    struct tl_error *err)
{
	struct value values[TL_RFC3797_MAX_VALUES];
	struct tl_buf buf;
	int r = TL_OK;

	if (nsources == 0)
		return tl_error_set(err, TL_EINPUT, "no random sources");
	if (nsources > TL_RFC3797_MAX_SOURCES)
		return tl_error_set(err, TL_EINPUT, "more than %d random sources",
		    TL_RFC3797_MAX_SOURCES);
	tl_buf_init(&buf, 64 * 1024);
	for (size_t i = 0; i < nsources && r == TL_OK; i++) {
		const char *p = sources[i];
		size_t n = 0;

		for (;;) {
			size_t len;

			p += strspn(p, " \t");
			if (*p == '\0')
				break;
			len = strcspn(p, " \t");
			if (n == TL_RFC3797_MAX_VALUES) {
				r = tl_error_set(err, TL_EINPUT, "random source %zu "
				    "has more than %d values", i + 1,
				    TL_RFC3797_MAX_VALUES);
				goto out;
			}
			if (parse_value(p, len, &values[n]) != TL_OK) {
				r = tl_error_set(err, TL_EINPUT, "random source %zu: "
				    "\"%.*s\" is not a number (digits, with at most "
				    "one decimal point)", i + 1, (int)(len > 40 ? 40 :
				    len), p);
				goto out;
			}
			n++;
			p += len;
		}
		if (n == 0) {
			r = tl_error_set(err, TL_EINPUT, "random source %zu has no "
			    "values", i + 1);
			goto out;
		}
		qsort(values, n, sizeof(values[0]), value_cmp);
		for (size_t k = 0; k < n && r == TL_OK; k++)
			r = values[k].fraction[0] != '\0' ?
			    tl_buf_addf(&buf, "%s.%s.", values[k].integer,
			    values[k].fraction) :
			    tl_buf_addf(&buf, "%s.", values[k].integer);
		if (r == TL_OK)
			r = tl_buf_addc(&buf, '/');
		if (r != TL_OK)
			r = tl_error_set(err, r, "the key string is too long");
	}
 out:
	if (r == TL_OK && (*key = tl_buf_take(&buf, NULL)) == NULL)
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
	tl_buf_free(&buf);
	return r;
}

int
tl_rfc3797_select(const char *key, size_t pool_size, size_t count,
    struct tl_rfc3797_pick *picks, struct tl_error *err)
{
	uint8_t *taken = NULL, *input = NULL;
	size_t keylen = strlen(key);
	int r = TL_OK;

	if (pool_size == 0 || pool_size > TL_RFC3797_MAX_POOL)
		return tl_error_set(err, TL_EINPUT,
		    "the pool must have 1 to %d members (it has %zu)",
		    TL_RFC3797_MAX_POOL, pool_size);
	if (count > pool_size)
		return tl_error_set(err, TL_EINPUT,
		    "cannot select %zu of a pool of %zu", count, pool_size);
	if ((taken = calloc(pool_size, 1)) == NULL ||
	    (input = malloc(keylen + 4)) == NULL) {
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto out;
	}
	memcpy(input + 2, key, keylen);
	for (size_t i = 0; i < count; i++) {
		size_t left = pool_size - i, member;
		uint32_t k = 0;

		/* The index, most significant byte first, around the key. */
		input[0] = input[keylen + 2] = (uint8_t)(i >> 8);
		input[1] = input[keylen + 3] = (uint8_t)i;
		picks[i].index = (unsigned)i;
		picks[i].divisor = left;
		tl_md5(input, keylen + 4, picks[i].md5);
		if ((r = tl_bignum_mod(picks[i].md5, 16, (uint32_t)left, &k)) !=
		    TL_OK) {
			tl_error_set(err, r, "cannot reduce the MD5 value");
			goto out;
		}
		/* The k-th (from 0) member still in the pool. */
		for (member = 0; member < pool_size; member++)
			if (!taken[member] && k-- == 0)
				break;
		taken[member] = 1;
		picks[i].member = member + 1;
	}
 out:
	free(taken);
	free(input);
	return r;
}
