/*
 * client.c: talking to a teller server with libcurl, and checking what it
 * answers (client.h): receipts after a cast, consistency of the server's
 * log with a receipt.
 */
#include <config.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "jsonutil.h"
#include "teller/client.h"
#include "teller/credential.h"
#include "teller/envelope.h"
#include "teller/log.h"
#include "teller/merkle.h"
#include "teller/receipt.h"
#include "teller/util.h"

#define CLIENT_MAX_ANSWER (8 * 1024 * 1024)
#define CLIENT_TIMEOUT_SECONDS 120L

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_result;

static void
init_curl(void)
{
	curl_init_result = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static size_t
collect(char *data, size_t size, size_t n, void *ctx)
{
	struct tl_buf *buf = ctx;

	/* Returning less than given makes libcurl stop: over the cap. */
	if (tl_buf_add(buf, data, size * n) != TL_OK)
		return 0;
	return size * n;
}

/* The error a server answered with ({"error": CODE, "message": TEXT}), or
 * a description of an answer that is not one. */
static int
server_error(long status, const struct tl_buf *answer, const char *url,
    struct tl_error *err)
{
	json_t *doc = json_loadb(answer->data, answer->len, 0, NULL);
	const char *code = json_string_value(json_object_get(doc, "error"));
	const char *message = json_string_value(json_object_get(doc,
	    "message"));
	int r;

	if (code != NULL && message != NULL)
		r = tl_error_set(err, tl_error_from_name(code), "%s", message);
	else
		r = tl_error_set(err, TL_ENETWORK, "%s answered HTTP %ld, not a "
		    "teller error", url, status);
	json_decref(doc);
	return r;
}

/*
 * One request: GET (body NULL) or POST.  *answer gets the body of a reply
 * with status `expect` or `also`; any other reply becomes the error it
 * carries.
 */
static int
request_either(const struct tl_client_server *server, const char *path,
    const char *body, size_t len, long expect, long also,
    struct tl_buf *answer, struct tl_error *err)
{
	struct curl_slist *headers = NULL;
	struct tl_buf url;
	CURL *curl = NULL;
	CURLcode rc;
	long status = 0;
	size_t base;
	int r;

	pthread_once(&curl_once, init_curl);
	if (curl_init_result != CURLE_OK)
		return tl_error_set(err, TL_ENETWORK, "cannot start libcurl: %s",
		    curl_easy_strerror(curl_init_result));
	tl_buf_init(&url, 8192);
	base = strlen(server->url);
	while (base > 0 && server->url[base - 1] == '/')
		base--;
	if (tl_buf_add(&url, server->url, base) != TL_OK ||
	    tl_buf_adds(&url, path) != TL_OK) {
		tl_buf_free(&url);
		return tl_error_set(err, TL_EUSAGE, "server URL too long");
	}
	if ((curl = curl_easy_init()) == NULL) {
		r = tl_error_set(err, TL_ENOMEM, "cannot start libcurl");
		goto out;
	}
	curl_easy_setopt(curl, CURLOPT_URL, url.data);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP |
	    CURLPROTO_HTTPS));
#endif
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, CLIENT_TIMEOUT_SECONDS);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, answer);
	/* https: the peer's certificate and name are checked (libcurl's
	 * default), against the given authorities or the system's. */
	if (server->ca_file != NULL && access(server->ca_file, R_OK) != 0) {
		r = tl_error_set(err, TL_EINPUT, "%s: cannot read the "
		    "certificate authorities: %s", server->ca_file,
		    strerror(errno));
		goto out;
	}
	if (server->ca_file != NULL &&
	    curl_easy_setopt(curl, CURLOPT_CAINFO, server->ca_file) !=
	    CURLE_OK) {
		r = tl_error_set(err, TL_ENETWORK, "libcurl cannot take the "
		    "certificate authorities of %s", server->ca_file);
		goto out;
	}
	if (body != NULL) {
		/* No "Expect: 100-continue" round trip: ballots are small. */
		headers = curl_slist_append(NULL,
		    "Content-Type: application/json");
		headers = curl_slist_append(headers, "Expect:");
		curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)len);
	}
	if ((rc = curl_easy_perform(curl)) != CURLE_OK) {
		r = tl_error_set(err, TL_ENETWORK, "%s: %s", url.data,
		    rc == CURLE_WRITE_ERROR ? "the answer is too large" :
		    curl_easy_strerror(rc));
		goto out;
	}
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	r = status == expect || status == also ? TL_OK : server_error(status,
	    answer, url.data, err);
 out:
	curl_slist_free_all(headers);
	curl_easy_cleanup(curl);
	tl_buf_free(&url);
	return r;
}

static int
request(const struct tl_client_server *server, const char *path,
    const char *body, size_t len, long expect, struct tl_buf *answer,
    struct tl_error *err)
{
	return request_either(server, path, body, len, expect, expect, answer,
	    err);
}

/* GET path: an answer of one line (*text without its line feed). */
static int
get_line(const struct tl_client_server *server, const char *path,
    size_t max, char **text, struct tl_error *err)
{
	struct tl_buf answer;
	int r;

	tl_buf_init(&answer, max);
	if ((r = request(server, path, NULL, 0, 200, &answer, err)) == TL_OK) {
		while (answer.len > 0 && answer.data[answer.len - 1] == '\n')
			answer.data[--answer.len] = '\0';
		if ((*text = tl_buf_take(&answer, NULL)) == NULL)
			r = tl_error_set(err, TL_ENOMEM, "out of memory");
	}
	tl_buf_free(&answer);
	return r;
}

/* GET path and parse the answer as JSON (a new reference in *out). */
static int
get_json(const struct tl_client_server *server, const char *path,
    json_t **out, struct tl_error *err)
{
	struct tl_buf answer;
	int r;

	tl_buf_init(&answer, CLIENT_MAX_ANSWER);
	if ((r = request(server, path, NULL, 0, 200, &answer, err)) == TL_OK &&
	    (r = tl_json_load(answer.data, answer.len, CLIENT_MAX_ANSWER,
	    "the server's answer", TL_ENETWORK, out, err)) != TL_OK)
		tl_error_prefix(err, "%s%s", server->url, path);
	tl_buf_free(&answer);
	return r;
}

int
tl_client_open_manifest(const char *text, size_t len,
    struct tl_manifest **manifest, char hash[TL_HASH_HEX_LEN + 1],
    struct tl_key **authority, struct tl_error *err)
{
	struct tl_envelope *env = NULL;
	struct tl_manifest *m = NULL;
	struct tl_key *key = NULL;
	int r;

	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
		len--;
	if ((r = tl_envelope_parse(text, len, TL_ENVELOPE_MAX_DEFAULT, &env,
	    err)) != TL_OK ||
	    (r = tl_envelope_expect_type(env, TL_TYPE_MANIFEST, err)) != TL_OK ||
	    (r = tl_manifest_parse((const char *)env->payload, env->payload_len,
	    &m, err)) != TL_OK)
		goto out;
	if (m->authority_key == NULL ||
	    tl_key_from_public_base64(m->authority_key, &key, err) != TL_OK ||
	    tl_envelope_verify(env, key, err) != TL_OK) {
		r = tl_error_set(err, TL_ESIGNATURE, "the manifest is not "
		    "signed by the authority key it names");
		goto out;
	}
	if (hash != NULL)
		tl_sha256_hex(env->payload, env->payload_len, hash);
	if (manifest != NULL) {
		*manifest = m;
		m = NULL;
	}
	if (authority != NULL) {
		*authority = key;
		key = NULL;
	}
 out:
	tl_envelope_free(env);
	tl_manifest_free(m);
	tl_key_free(key);
	return r;
}

/* An election id that cannot go into a URL path. */
static int
bad_id(const char *election, struct tl_error *err)
{
	return tl_error_set(err, TL_EINPUT, "\"%.64s\" is not an election id",
	    election);
}

/* The election's manifest: the pinned one, or the server's; *manifest
 * (if not NULL) gets it. */
static int
election_manifest(const struct tl_client_server *server,
    const char *election, const char *pinned, size_t pinned_len,
    char hash[TL_HASH_HEX_LEN + 1], struct tl_key **authority,
    struct tl_manifest **manifest, struct tl_error *err)
{
	struct tl_manifest *m = NULL;
	json_t *doc = NULL;
	char path[128], *text = NULL;
	int r;

	if (!tl_valid_id(election))
		return bad_id(election, err);
	if (pinned != NULL) {
		if ((r = tl_client_open_manifest(pinned, pinned_len, &m, hash,
		    authority, err)) != TL_OK)
			return tl_error_prefix(err, "the pinned manifest");
	} else {
		snprintf(path, sizeof(path), "/v1/elections/%s", election);
		if ((r = get_json(server, path, &doc, err)) != TL_OK)
			return r;
		if ((text = json_dumps(json_object_get(doc, "signed_manifest"),
		    JSON_COMPACT | JSON_PRESERVE_ORDER)) == NULL) {
			r = tl_error_set(err, TL_ENETWORK, "%s%s: no signed "
			    "manifest in the answer", server->url, path);
			goto out;
		}
		if ((r = tl_client_open_manifest(text, strlen(text), &m, hash,
		    authority, err)) != TL_OK) {
			tl_error_prefix(err, "the server's manifest");
			goto out;
		}
	}
	if (strcmp(m->id, election) != 0) {
		tl_key_free(*authority);
		*authority = NULL;
		r = tl_error_set(err, TL_EWRONGELECTION, "the %s manifest is for "
		    "election %s, not %s", pinned != NULL ? "pinned" :
		    "server's", m->id, election);
	} else if (manifest != NULL) {
		*manifest = m;
		m = NULL;
	}
 out:
	tl_manifest_free(m);
	json_decref(doc);
	free(text);
	return r;
}

/* The election and manifest hash a ballot names (unchecked), and its
 * envelope in the canonical form the log keeps. */
static int
peek_ballot(const char *ballot, size_t len, char election[65],
    char manifest[TL_HASH_HEX_LEN + 1], char **canonical, size_t *clen,
    struct tl_error *err)
{
	struct tl_envelope *env = NULL;
	json_t *doc = NULL;
	const char *id = NULL, *hash = NULL;
	int r;

	if ((r = tl_envelope_parse(ballot, len, TL_ENVELOPE_MAX_BALLOT, &env,
	    err)) != TL_OK ||
	    (r = tl_envelope_expect_type(env, TL_TYPE_BALLOT, err)) != TL_OK ||
	    (r = tl_json_load((const char *)env->payload, env->payload_len,
	    TL_ENVELOPE_MAX_BALLOT, "ballot", TL_EBALLOT, &doc, err)) != TL_OK)
		goto out;
	id = json_string_value(json_object_get(doc, "election"));
	hash = json_string_value(json_object_get(doc, "manifest"));
	if (id == NULL || !tl_valid_id(id) || hash == NULL ||
	    strlen(hash) != TL_HASH_HEX_LEN) {
		r = tl_error_set(err, TL_EBALLOT, "ballot: no valid election or "
		    "manifest field");
		goto out;
	}
	snprintf(election, 65, "%s", id);
	snprintf(manifest, TL_HASH_HEX_LEN + 1, "%s", hash);
	r = tl_envelope_serialize(env, canonical, clen, err);
 out:
	json_decref(doc);
	tl_envelope_free(env);
	return r;
}

int
tl_client_cast(const struct tl_client_server *server, const char *ballot,
    size_t len, const char *pinned, size_t pinned_len, char **receipt,
    struct tl_error *err)
{
	struct tl_key *authority = NULL;
	struct tl_receipt *rc = NULL;
	struct tl_buf answer;
	char election[65], ballot_manifest[TL_HASH_HEX_LEN + 1];
	char hash[TL_HASH_HEX_LEN + 1], path[128], *canonical = NULL;
	size_t clen = 0;
	int r;

	tl_buf_init(&answer, TL_RECEIPT_MAX);
	if ((r = peek_ballot(ballot, len, election, ballot_manifest, &canonical,
	    &clen, err)) != TL_OK ||
	    (r = election_manifest(server, election, pinned, pinned_len, hash,
	    &authority, NULL, err)) != TL_OK)
		goto out;
	if (strcmp(hash, ballot_manifest) != 0) {
		r = tl_error_set(err, TL_EWRONGELECTION, "the ballot was made "
		    "for manifest %.16s..., but the %s manifest of election %s "
		    "is %.16s...", ballot_manifest, pinned != NULL ? "pinned" :
		    "server's", election, hash);
		goto out;
	}
	snprintf(path, sizeof(path), "/v1/elections/%s/ballots", election);
	if ((r = request(server, path, canonical, clen, 201, &answer, err)) !=
	    TL_OK)
		goto out;
	while (answer.len > 0 && answer.data[answer.len - 1] == '\n')
		answer.data[--answer.len] = '\0';
	/* A receipt only counts once it checks. */
	if ((r = tl_receipt_parse(answer.data, answer.len, &rc, err)) != TL_OK ||
	    (r = tl_receipt_check(rc, authority, err)) != TL_OK ||
	    (r = tl_receipt_matches_ballot(rc, canonical, clen, err)) != TL_OK) {
		tl_error_prefix(err, "the server's receipt does not check");
		r = TL_EVERIFY;
		if (err != NULL)
			err->code = r;
		goto out;
	}
	if (strcmp(rc->election_id, election) != 0) {
		r = tl_error_set(err, TL_EVERIFY, "the server's receipt is for "
		    "election %s, not %s", rc->election_id, election);
		goto out;
	}
	if ((*receipt = tl_buf_take(&answer, NULL)) == NULL)
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
 out:
	tl_receipt_free(rc);
	tl_key_free(authority);
	tl_buf_free(&answer);
	free(canonical);
	return r;
}

int
tl_client_authority(const struct tl_client_server *server,
    const char *election, const char *pinned, size_t pinned_len, struct tl_key **authority,
    struct tl_error *err)
{
	char hash[TL_HASH_HEX_LEN + 1];

	return election_manifest(server, election, pinned, pinned_len, hash,
	    authority, NULL, err);
}

int
tl_client_manifest(const struct tl_client_server *server, const char *election,
    const char *pinned, size_t pinned_len, struct tl_manifest **manifest,
    struct tl_key **authority, struct tl_error *err)
{
	char hash[TL_HASH_HEX_LEN + 1];

	return election_manifest(server, election, pinned, pinned_len, hash,
	    authority, manifest, err);
}

int
tl_client_cosigned_head(const struct tl_client_server *server, const char *election,
    unsigned quorum, uint64_t size, char **text, struct tl_error *err)
{
	struct tl_buf answer;
	char path[192];
	int r;

	if (!tl_valid_id(election))
		return bad_id(election, err);
	if (size > 0)
		snprintf(path, sizeof(path), "/v1/elections/%s/cosigned-head"
		    "?size=%llu", election, (unsigned long long)size);
	else if (quorum > 0)
		snprintf(path, sizeof(path), "/v1/elections/%s/cosigned-head"
		    "?quorum=%u", election, quorum);
	else
		snprintf(path, sizeof(path), "/v1/elections/%s/cosigned-head",
		    election);
	tl_buf_init(&answer, CLIENT_MAX_ANSWER);
	if ((r = request(server, path, NULL, 0, 200, &answer, err)) == TL_OK &&
	    (*text = tl_buf_take(&answer, NULL)) == NULL)
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
	tl_buf_free(&answer);
	return r;
}

int
tl_client_send_cosigned(const struct tl_client_server *server, const char *election,
    const char *text, size_t len, size_t *count, struct tl_error *err)
{
	struct tl_buf answer;
	json_t *doc = NULL;
	char path[128];
	int r;

	if (!tl_valid_id(election))
		return bad_id(election, err);
	snprintf(path, sizeof(path), "/v1/elections/%s/cosignatures", election);
	tl_buf_init(&answer, CLIENT_MAX_ANSWER);
	if ((r = request(server, path, text, len, 200, &answer, err)) == TL_OK &&
	    count != NULL) {
		doc = json_loadb(answer.data, answer.len, 0, NULL);
		*count = (size_t)json_integer_value(json_object_get(doc,
		    "cosignatures"));
	}
	json_decref(doc);
	tl_buf_free(&answer);
	return r;
}

int
tl_client_tree_head(const struct tl_client_server *server,
    const char *election, char **text, struct tl_error *err)
{
	char path[128];

	if (!tl_valid_id(election))
		return bad_id(election, err);
	snprintf(path, sizeof(path), "/v1/elections/%s/tree-head", election);
	return get_line(server, path, TL_RECEIPT_MAX, text, err);
}

int
tl_client_credential_keys(const struct tl_client_server *server,
    const char *election, char **text, struct tl_error *err)
{
	char path[128];

	if (!tl_valid_id(election))
		return bad_id(election, err);
	snprintf(path, sizeof(path), "/v1/elections/%s/credential-keys",
	    election);
	return get_line(server, path, 2 * TL_CREDENTIAL_KEYS_MAX, text, err);
}

int
tl_client_credential_request(const struct tl_client_server *server,
    const char *election, const char *request_text, size_t len,
    char **answer_text, struct tl_error *err)
{
	struct tl_buf answer;
	char path[128];
	int r;

	if (!tl_valid_id(election))
		return bad_id(election, err);
	snprintf(path, sizeof(path), "/v1/elections/%s/credentials", election);
	tl_buf_init(&answer, TL_ENVELOPE_MAX_CREDENTIAL + 2);
	/* 201: issued now; 200: the same request was answered before. */
	if ((r = request_either(server, path, request_text, len, 201, 200,
	    &answer, err)) == TL_OK) {
		while (answer.len > 0 && answer.data[answer.len - 1] == '\n')
			answer.data[--answer.len] = '\0';
		if ((*answer_text = tl_buf_take(&answer, NULL)) == NULL)
			r = tl_error_set(err, TL_ENOMEM, "out of memory");
	}
	tl_buf_free(&answer);
	return r;
}

int
tl_client_log_entry(const struct tl_client_server *server,
    const char *election, uint64_t index, char **entry, size_t *len, struct tl_error *err)
{
	json_t *doc = NULL, *item;
	const char *text;
	char path[192];
	int r;

	if (!tl_valid_id(election))
		return bad_id(election, err);
	snprintf(path, sizeof(path), "/v1/elections/%s/log?start=%llu&end=%llu",
	    election, (unsigned long long)index,
	    (unsigned long long)index + 1);
	if ((r = get_json(server, path, &doc, err)) != TL_OK)
		return r;
	item = json_array_get(json_object_get(doc, "entries"), 0);
	text = json_string_value(json_object_get(item, "entry"));
	if (item == NULL)
		r = tl_error_set(err, TL_ENOTFOUND, "the server's log of election "
		    "%s has no entry %llu", election, (unsigned long long)index);
	else if (text == NULL || json_integer_value(json_object_get(item,
	    "index")) != (json_int_t)index)
		r = tl_error_set(err, TL_ENETWORK, "%s%s: no entry %llu in the "
		    "answer", server->url, path, (unsigned long long)index);
	else if ((*entry = strdup(text)) == NULL)
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
	else if (len != NULL)
		*len = json_string_length(json_object_get(item, "entry"));
	json_decref(doc);
	return r;
}

int
tl_client_consistency(const struct tl_client_server *server,
    const char *election, uint64_t first, uint64_t second, struct tl_merkle_proof *proof,
    struct tl_error *err)
{
	json_t *doc = NULL;
	char path[192];
	int r;

	if (!tl_valid_id(election))
		return bad_id(election, err);
	snprintf(path, sizeof(path), "/v1/elections/%s/proof/consistency"
	    "?first=%llu&second=%llu", election, (unsigned long long)first,
	    (unsigned long long)second);
	if ((r = get_json(server, path, &doc, err)) != TL_OK)
		return r;
	if ((r = tl_proof_from_json(json_object_get(doc, "proof"), proof,
	    err)) != TL_OK)
		tl_error_prefix(err, "%s%s", server->url, path);
	json_decref(doc);
	return r;
}

int
tl_client_inclusion(const struct tl_client_server *server, const char *election,
    const uint8_t leaf_hash[TL_SHA256_LEN], uint64_t size, uint64_t *index,
    struct tl_merkle_proof *proof, struct tl_error *err)
{
	json_t *doc = NULL;
	char path[256], leaf[TL_HASH_HEX_LEN + 1];
	json_int_t at;
	int r;

	if (!tl_valid_id(election))
		return bad_id(election, err);
	tl_hex_encode(leaf_hash, TL_SHA256_LEN, leaf);
	snprintf(path, sizeof(path), "/v1/elections/%s/proof/inclusion"
	    "?hash=%s&size=%llu", election, leaf, (unsigned long long)size);
	if ((r = get_json(server, path, &doc, err)) != TL_OK)
		return r;
	at = json_integer_value(json_object_get(doc, "leaf_index"));
	if (!json_is_integer(json_object_get(doc, "leaf_index")) || at < 0)
		r = tl_error_set(err, TL_ENETWORK, "%s%s: no leaf_index in the "
		    "answer", server->url, path);
	else if ((r = tl_proof_from_json(json_object_get(doc, "proof"), proof,
	    err)) != TL_OK)
		tl_error_prefix(err, "%s%s", server->url, path);
	else
		*index = (uint64_t)at;
	json_decref(doc);
	return r;
}

/* The server's signed tree head now, checked against the authority. */
static int
server_head(const struct tl_client_server *server, const char *election,
    const struct tl_key *authority, struct tl_tree_head *head,
    struct tl_error *err)
{
	struct tl_envelope *env = NULL;
	char *text = NULL;
	int r;

	if ((r = tl_client_tree_head(server, election, &text, err)) != TL_OK)
		return r;
	if ((r = tl_tree_head_parse_envelope(text, strlen(text), head, &env,
	    err)) != TL_OK) {
		tl_error_prefix(err, "the server's tree head");
		goto out;
	}
	if (tl_envelope_verify(env, authority, err) != TL_OK) {
		r = tl_error_set(err, TL_ESIGNATURE, "the server's tree head is "
		    "not signed by the election's authority key");
		goto out;
	}
	if (strcmp(head->election_id, election) != 0)
		r = tl_error_set(err, TL_EVERIFY, "the server's tree head is for "
		    "election %s, not %s", head->election_id, election);
 out:
	tl_envelope_free(env);
	free(text);
	return r;
}

int
tl_client_verify_receipt(const struct tl_client_server *server,
    const char *receipt, size_t len, const char *pinned, size_t pinned_len,
    struct tl_client_receipt_check *out, struct tl_error *err)
{
	struct tl_receipt *rc = NULL;
	struct tl_key *authority = NULL;
	struct tl_tree_head now;
	struct tl_merkle_proof proof;
	char hash[TL_HASH_HEX_LEN + 1];
	int r;

	while (len > 0 && (receipt[len - 1] == '\n' || receipt[len - 1] == '\r'))
		len--;
	if ((r = tl_receipt_parse(receipt, len, &rc, err)) != TL_OK ||
	    (r = election_manifest(server, rc->election_id, pinned, pinned_len,
	    hash, &authority, NULL, err)) != TL_OK ||
	    (r = tl_receipt_check(rc, authority, err)) != TL_OK ||
	    (r = server_head(server, rc->election_id, authority, &now, err)) !=
	    TL_OK)
		goto out;
	if (now.size < rc->tree_head.size) {
		r = tl_error_set(err, TL_EVERIFY, "the server's log has %llu "
		    "entries, fewer than the %llu of the receipt's tree: it is "
		    "not the log the receipt was given from",
		    (unsigned long long)now.size,
		    (unsigned long long)rc->tree_head.size);
		goto out;
	}
	proof.n = 0;
	if (now.size > rc->tree_head.size &&
	    (r = tl_client_consistency(server, rc->election_id,
	    rc->tree_head.size, now.size, &proof, err)) != TL_OK)
		goto out;
	if (tl_merkle_verify_consistency(rc->tree_head.size, now.size,
	    rc->tree_head.root, now.root, &proof) != TL_OK) {
		r = tl_error_set(err, TL_EVERIFY, "the server's log of %llu "
		    "entries does not extend the receipt's tree of %llu: the "
		    "consistency proof fails, so the log was rewritten",
		    (unsigned long long)now.size,
		    (unsigned long long)rc->tree_head.size);
		goto out;
	}
	if (out != NULL) {
		out->receipt_size = rc->tree_head.size;
		out->server_size = now.size;
		out->leaf_index = rc->leaf_index;
		memcpy(out->election_id, rc->election_id,
		    sizeof(out->election_id));
	}
 out:
	tl_key_free(authority);
	tl_receipt_free(rc);
	return r;
}

int
tl_client_witnessed_receipt(const struct tl_client_server *server, const char *receipt,
    size_t len, const char *pinned, size_t pinned_len, unsigned quorum,
    char **witnessed, struct tl_error *err)
{
	struct tl_receipt *old = NULL, *now = NULL;
	struct tl_manifest *m = NULL;
	struct tl_key *authority = NULL;
	struct tl_merkle_proof proof;
	struct tl_buf answer;
	char path[256], leaf[TL_HASH_HEX_LEN + 1];
	unsigned valid = 0;
	int r;

	tl_buf_init(&answer, TL_RECEIPT_MAX);
	while (len > 0 && (receipt[len - 1] == '\n' || receipt[len - 1] == '\r'))
		len--;
	if ((r = tl_receipt_parse(receipt, len, &old, err)) != TL_OK ||
	    (r = tl_client_manifest(server, old->election_id, pinned,
	    pinned_len, &m, &authority, err)) != TL_OK ||
	    (r = tl_receipt_check(old, authority, err)) != TL_OK)
		goto out;
	if (quorum == 0)
		quorum = m->witnesses.quorum;
	if (quorum == 0) {
		r = tl_error_set(err, TL_ESTATE, "the manifest of election %s "
		    "names no witnesses", old->election_id);
		goto out;
	}
	tl_hex_encode(old->leaf_hash, TL_SHA256_LEN, leaf);
	snprintf(path, sizeof(path), "/v1/elections/%s/receipt?hash=%s&quorum=%u",
	    old->election_id, leaf, quorum);
	if ((r = request(server, path, NULL, 0, 200, &answer, err)) != TL_OK)
		goto out;
	while (answer.len > 0 && answer.data[answer.len - 1] == '\n')
		answer.data[--answer.len] = '\0';
	if ((r = tl_receipt_parse(answer.data, answer.len, &now, err)) !=
	    TL_OK ||
	    (r = tl_receipt_check(now, authority, err)) != TL_OK) {
		tl_error_prefix(err, "the server's witnessed receipt");
		goto out;
	}
	if (strcmp(now->election_id, old->election_id) != 0 ||
	    now->kind != old->kind ||
	    strcmp(now->ballot_hash, old->ballot_hash) != 0 ||
	    memcmp(now->leaf_hash, old->leaf_hash, TL_SHA256_LEN) != 0 ||
	    now->leaf_index != old->leaf_index) {
		r = tl_error_set(err, TL_EVERIFY, "the server's witnessed receipt "
		    "is not for the same %s", tl_receipt_kind_name(old->kind));
		goto out;
	}
	if ((r = tl_receipt_witnessed(now, authority, &m->witnesses, &valid,
	    err)) != TL_OK) {
		tl_error_prefix(err, "the server's witnessed receipt");
		r = TL_EVERIFY;
		goto out;
	}
	if (valid < quorum) {
		r = tl_error_set(err, TL_EVERIFY, "the server's witnessed receipt "
		    "carries %u cosignatures, fewer than %u", valid, quorum);
		goto out;
	}
	/* Its tree extends the old receipt's: no other history. */
	if ((r = tl_client_consistency(server, old->election_id,
	    old->tree_head.size, now->tree_head.size, &proof, err)) != TL_OK ||
	    (r = tl_receipt_check_extension(old, authority, now->tree_head_text,
	    strlen(now->tree_head_text), &proof, NULL, err)) != TL_OK)
		goto out;
	if ((*witnessed = tl_buf_take(&answer, NULL)) == NULL)
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
 out:
	tl_receipt_free(old);
	tl_receipt_free(now);
	tl_manifest_free(m);
	tl_key_free(authority);
	tl_buf_free(&answer);
	return r;
}
