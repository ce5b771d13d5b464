/*
 * jsonutil.h (internal to libteller): reading untrusted JSON documents with
 * errors that name the field at fault ("contests[1].seats").
 *
 * `where` is the path of the object being read, "" for the top level.  The
 * returned strings and values are borrowed from the object.
 */
#ifndef TELLER_JSONUTIL_H
#define TELLER_JSONUTIL_H

#include <stdint.h>

#include <jansson.h>

#include "teller/error.h"

/* Parses len bytes (at most max) as one JSON value; `what` names the
 * document in errors.  Duplicate keys are rejected. */
int tl_json_load(const char *data, size_t len, size_t max, const char *what,
    int code, json_t **out, struct tl_error *err);

/* TL_OK if every key of obj is in the NULL-terminated list allowed. */
int tl_json_only_keys(json_t *obj, const char *const *allowed,
    const char *where, int code, struct tl_error *err);

/* A string member; *out NULL if absent and !required. */
int tl_json_string(json_t *obj, const char *key, int required,
    const char *where, int code, const char **out, struct tl_error *err);

/* An integer member in [min, max]; *out unchanged if absent and !required. */
int tl_json_int(json_t *obj, const char *key, int required, int64_t min,
    int64_t max, const char *where, int code, int64_t *out,
    struct tl_error *err);

/* An array member; *out NULL if absent and !required. */
int tl_json_array(json_t *obj, const char *key, int required,
    const char *where, int code, json_t **out, struct tl_error *err);

/* An object member; *out NULL if absent and !required. */
int tl_json_object(json_t *obj, const char *key, int required,
    const char *where, int code, json_t **out, struct tl_error *err);

/* tl_json_load of a document that must be an object with only the keys
 * of the NULL-terminated list. */
int tl_json_load_object(const char *data, size_t len, size_t max,
    const char *what, const char *const *keys, int code, json_t **out,
    struct tl_error *err);

/* A required member that is an identifier (util.h), or a hash (64
 * lowercase hex digits), copied into out (65 bytes with the NUL). */
int tl_json_id(json_t *obj, const char *key, const char *where, int code,
    char out[65], struct tl_error *err);
int tl_json_hash(json_t *obj, const char *key, const char *where, int code,
    char out[65], struct tl_error *err);

/* Serialises compactly in insertion order (*out, caller frees). */
int tl_json_dump(const json_t *value, char **out, size_t *len);

/* Serialises compactly with sorted keys: the canonical form of documents
 * teller computes (results), so that a recount can compare bytes. */
int tl_json_dump_canonical(const json_t *value, char **out, size_t *len);

/*
 * The fast paths' scanner, for documents in exactly the compact form
 * teller writes (members in its order, no blanks, strings without
 * escapes).  A general JSON parser spends most of its time building
 * objects to be thrown away; a reader that expects one exact form can
 * check each byte as it goes instead.  Each function takes what it names
 * at *p (never past end), moves *p past it and returns 1, or returns 0
 * and leaves *p alone.  A fast path that meets anything else gives up,
 * and its caller parses the document with Jansson, which accepts the
 * same documents and says precisely what is wrong with the others.
 */

/* The literal lit of n bytes. */
int tl_json_take_literal(const char **p, const char *end, const char *lit,
    size_t n);
#define TL_JSON_TAKE(p, end, lit) \
	tl_json_take_literal(p, end, lit, sizeof(lit) - 1)

/* The rest of a string after its opening quote, and the closing quote,
 * into buf (NUL-terminated, at most cap - 1 bytes): valid UTF-8 as
 * Jansson accepts it, with no escape and no control character. */
int tl_json_take_string(const char **p, const char *end, char *buf,
    size_t cap);

/* The rest of a base64 string after its opening quote, and the closing
 * quote, decoded (*out, caller frees): canonical base64 only
 * (tl_base64_decode), whose digits JSON writes as they are. */
int tl_json_take_base64(const char **p, const char *end, uint8_t **out,
    size_t *outlen);

/* Whether Jansson writes s as it is between quotes (printable ASCII but
 * '"' and '\\'), so that a fast path can write it itself. */
int tl_json_plain(const char *s);

/* An integer from 1 to max, as JSON writes it (no sign, no leading zero,
 * no fraction or exponent: what follows is not checked). */
int tl_json_take_positive(const char **p, const char *end, int64_t max,
    int64_t *out);

/* How many bytes follow p before the next '"' (all to end if none): the
 * characters of a string with no escape, such as base64 text, which its
 * decoder then checks (tl_base64_decode refuses any other character). */
size_t tl_json_quoted_len(const char *p, const char *end);

#endif
