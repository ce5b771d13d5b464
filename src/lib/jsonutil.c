/*
 * jsonutil.c: bounded JSON loading and member readers with field paths in
 * their errors, and the scanner of the fast paths for teller's own compact
 * form.
 */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "jsonutil.h"
#include "teller/crypto.h"
#include "teller/utf8.h"
#include "teller/util.h"

static const char *
sep(const char *where)
{
	return *where != '\0' ? "." : "";
}

int
tl_json_load(const char *data, size_t len, size_t max, const char *what,
    int code, json_t **out, struct tl_error *err)
{
	json_error_t jerr;
	json_t *root;

	if (len > max)
		return tl_error_set(err, TL_ETOOBIG,
		    "%s is %zu bytes, over the limit of %zu", what, len, max);
	root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL)
		return tl_error_set(err, code,
		    "%s is not valid JSON: line %d, column %d: %s", what,
		    jerr.line, jerr.column, jerr.text);
	*out = root;
	return TL_OK;
}

int
tl_json_only_keys(json_t *obj, const char *const *allowed, const char *where,
    int code, struct tl_error *err)
{
	const char *key;
	json_t *value;

	json_object_foreach(obj, key, value) {
		size_t i;

		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(key, allowed[i]) == 0)
				break;
		if (allowed[i] == NULL)
			return tl_error_set(err, code, "%s%sunknown field \"%.64s\"",
			    where, *where != '\0' ? ": " : "", key);
	}
	return TL_OK;
}

/*
 * The member `key` of obj if it is of the wanted type: *out NULL if absent
 * (an error if required), TL_OK; or `code` saying "must be WHAT".
 */
static int
member(json_t *obj, const char *key, int required, const char *where,
    int code, int (*is_type)(const json_t *), const char *what, json_t **out,
    struct tl_error *err)
{
	json_t *value = json_object_get(obj, key);

	*out = NULL;
	if (value == NULL) {
		if (required)
			return tl_error_set(err, code, "%s%s%s: missing", where,
			    sep(where), key);
		return TL_OK;
	}
	if (!is_type(value))
		return tl_error_set(err, code, "%s%s%s: must be %s", where,
		    sep(where), key, what);
	*out = value;
	return TL_OK;
}

/* Jansson's type tests are macros; member() needs functions. */
static int
is_string(const json_t *v)
{
	return json_is_string(v);
}

static int
is_integer(const json_t *v)
{
	return json_is_integer(v);
}

static int
is_array(const json_t *v)
{
	return json_is_array(v);
}

static int
is_object(const json_t *v)
{
	return json_is_object(v);
}

int
tl_json_string(json_t *obj, const char *key, int required, const char *where,
    int code, const char **out, struct tl_error *err)
{
	json_t *value;
	int r = member(obj, key, required, where, code, is_string, "a string",
	    &value, err);

	*out = value != NULL ? json_string_value(value) : NULL;
	return r;
}

int
tl_json_int(json_t *obj, const char *key, int required, int64_t min,
    int64_t max, const char *where, int code, int64_t *out,
    struct tl_error *err)
{
	json_t *value;
	json_int_t v;
	int r = member(obj, key, required, where, code, is_integer,
	    "an integer", &value, err);

	if (r != TL_OK || value == NULL)
		return r;
	v = json_integer_value(value);
	if (v < min || v > max)
		return tl_error_set(err, code,
		    "%s%s%s: %lld is out of range (%lld to %lld)", where,
		    sep(where), key, (long long)v, (long long)min,
		    (long long)max);
	*out = (int64_t)v;
	return TL_OK;
}

int
tl_json_array(json_t *obj, const char *key, int required, const char *where,
    int code, json_t **out, struct tl_error *err)
{
	return member(obj, key, required, where, code, is_array, "an array", out,
	    err);
}

int
tl_json_object(json_t *obj, const char *key, int required, const char *where,
    int code, json_t **out, struct tl_error *err)
{
	return member(obj, key, required, where, code, is_object, "an object",
	    out, err);
}

int
tl_json_load_object(const char *data, size_t len, size_t max,
    const char *what, const char *const *keys, int code, json_t **out,
    struct tl_error *err)
{
	json_t *root = NULL;
	int r;

	if ((r = tl_json_load(data, len, max, what, code, &root, err)) != TL_OK)
		return r;
	if (!json_is_object(root)) {
		json_decref(root);
		return tl_error_set(err, code, "%s: must be a JSON object", what);
	}
	if ((r = tl_json_only_keys(root, keys, what, code, err)) != TL_OK) {
		json_decref(root);
		return r;
	}
	*out = root;
	return TL_OK;
}

int
tl_json_id(json_t *obj, const char *key, const char *where, int code,
    char out[65], struct tl_error *err)
{
	const char *s;
	int r;

	if ((r = tl_json_string(obj, key, 1, where, code, &s, err)) != TL_OK)
		return r;
	if (!tl_valid_id(s))
		return tl_error_set(err, code, "%s.%s: \"%.64s\" is not a valid "
		    "id", where, key, s);
	snprintf(out, 65, "%s", s);
	return TL_OK;
}

int
tl_json_hash(json_t *obj, const char *key, const char *where, int code,
    char out[65], struct tl_error *err)
{
	const char *s;
	int r;

	if ((r = tl_json_string(obj, key, 1, where, code, &s, err)) != TL_OK)
		return r;
	if (strlen(s) != 64 || strspn(s, "0123456789abcdef") != 64)
		return tl_error_set(err, code, "%s.%s: not a hash (64 lowercase "
		    "hex digits)", where, key);
	memcpy(out, s, 65);
	return TL_OK;
}

static int
dump(const json_t *value, size_t flags, char **out, size_t *len)
{
	char *text = json_dumps(value, flags);

	if (text == NULL)
		return TL_ENOMEM;
	if (len != NULL)
		*len = strlen(text);
	*out = text;
	return TL_OK;
}

int
tl_json_dump(const json_t *value, char **out, size_t *len)
{
	return dump(value, JSON_COMPACT | JSON_PRESERVE_ORDER, out, len);
}

int
tl_json_dump_canonical(const json_t *value, char **out, size_t *len)
{
	return dump(value, JSON_COMPACT | JSON_SORT_KEYS, out, len);
}

/* --- the fast paths' scanner -------------------------------------------- */

int
tl_json_take_literal(const char **p, const char *end, const char *lit,
    size_t n)
{
	if ((size_t)(end - *p) < n || memcmp(*p, lit, n) != 0)
		return 0;
	*p += n;
	return 1;
}

int
tl_json_take_string(const char **p, const char *end, char *buf, size_t cap)
{
	const unsigned char *s = (const unsigned char *)*p;
	const unsigned char *e = (const unsigned char *)end;
	size_t n = 0, step;

	while (s < e && *s != '"') {
		if (*s < 0x20 || *s == '\\')
			return 0;
		step = *s < 0x80 ? 1 :
		    tl_utf8_sequence((const char *)s, (size_t)(e - s));
		if (step == 0 || n + step >= cap)
			return 0;
		memcpy(buf + n, s, step);
		n += step;
		s += step;
	}
	if (s == e)
		return 0;
	buf[n] = '\0';
	*p = (const char *)s + 1;
	return 1;
}

int
tl_json_take_base64(const char **p, const char *end, uint8_t **out,
    size_t *outlen)
{
	const char *close = memchr(*p, '"', (size_t)(end - *p));

	if (close == NULL ||
	    tl_base64_decode(*p, (size_t)(close - *p), out, outlen) != TL_OK)
		return 0;
	*p = close + 1;
	return 1;
}

int
tl_json_plain(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e ||
		    *s == '"' || *s == '\\')
			return 0;
	return 1;
}

int
tl_json_take_positive(const char **p, const char *end, int64_t max,
    int64_t *out)
{
	const char *s = *p;
	int64_t v = 0;

	if (s == end || *s < '1' || *s > '9')
		return 0;
	for (; s < end && *s >= '0' && *s <= '9'; s++) {
		if (v > (max - (*s - '0')) / 10)
			return 0;
		v = v * 10 + (*s - '0');
	}
	*out = v;
	*p = s;
	return 1;
}

size_t
tl_json_quoted_len(const char *p, const char *end)
{
	const char *q = memchr(p, '"', (size_t)(end - p));

	return q != NULL ? (size_t)(q - p) : (size_t)(end - p);
}
