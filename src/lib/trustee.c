/*
 * trustee.c: a trustee's key file, an Ed25519 identity key and an X25519
 * sealing key as two PEM blocks in one file of mode 0600
 * (teller/trustee.h).
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "teller/crypto.h"
#include "teller/envelope.h"
#include "teller/statement.h"
#include "teller/trustee.h"
#include "teller/util.h"

/* A trustee key file is two short PEM blocks. */
#define TRUSTEE_FILE_MAX 16384
#define PEM_END "-----END PRIVATE KEY-----"

/* Completes key (whose identity is set) with the sealing key of sk, and
 * hands it to *out; frees key on failure.  what names the failure. */
static int
with_sealing(struct tl_trustee_key *key, const uint8_t sk[TL_HPKE_NSK],
    const char *what, struct tl_trustee_key **out, struct tl_error *err)
{
	int r;

	if ((r = tl_hpke_key_from_private(sk, &key->sealing)) != TL_OK) {
		tl_trustee_key_free(key);
		return tl_error_set(err, r, "%s", what);
	}
	*out = key;
	return TL_OK;
}

int
tl_trustee_key_generate(struct tl_trustee_key **out, struct tl_error *err)
{
	struct tl_trustee_key *key;
	uint8_t sk[TL_HPKE_NSK], pk[TL_HPKE_NPK];
	int r;

	if ((key = calloc(1, sizeof(*key))) == NULL)
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	if ((r = tl_key_generate(&key->identity, err)) != TL_OK) {
		tl_trustee_key_free(key);
		return r;
	}
	if ((r = tl_hpke_generate_key_pair(sk, pk)) != TL_OK) {
		tl_trustee_key_free(key);
		return tl_error_set(err, r, "cannot make an X25519 key");
	}
	r = with_sealing(key, sk, "cannot make an X25519 key", out, err);
	tl_wipe(sk, sizeof(sk));
	return r;
}

int
tl_trustee_key_pem(const struct tl_trustee_key *key, char **out,
    struct tl_error *err)
{
	char *identity = NULL, *sealing = NULL;
	uint8_t sk[TL_HPKE_NSK];
	struct tl_buf buf;
	int r;

	tl_buf_init(&buf, TRUSTEE_FILE_MAX);
	tl_hpke_key_private(key->sealing, sk);
	if ((r = tl_key_private_pem(key->identity, &identity, err)) != TL_OK)
		goto out;
	if ((r = tl_hpke_private_key_pem(sk, &sealing)) != TL_OK) {
		tl_error_set(err, r, "cannot encode the X25519 key");
		goto out;
	}
	if ((r = tl_buf_adds(&buf, identity)) != TL_OK ||
	    (r = tl_buf_adds(&buf, sealing)) != TL_OK ||
	    (*out = tl_buf_take(&buf, NULL)) == NULL) {
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto out;
	}
	r = TL_OK;
 out:
	tl_wipe(sk, sizeof(sk));
	tl_wipe_free(identity);
	tl_wipe_free(sealing);
	tl_wipe(buf.data, buf.len);
	tl_buf_free(&buf);
	return r;
}

int
tl_trustee_key_write(const struct tl_trustee_key *key, const char *path,
    struct tl_error *err)
{
	char *pem = NULL;
	int r;

	if ((r = tl_trustee_key_pem(key, &pem, err)) != TL_OK)
		return r;
	r = tl_write_private_file(path, pem, strlen(pem), err);
	tl_wipe_free(pem);
	return r;
}

int
tl_trustee_key_from_pem(const char *pem, size_t len,
    struct tl_trustee_key **out, struct tl_error *err)
{
	struct tl_trustee_key *key;
	const char *end;
	uint8_t sk[TL_HPKE_NSK];
	size_t first;
	int r;

	/* The identity block runs to the end of its END line. */
	if ((end = memmem(pem, len, PEM_END, strlen(PEM_END))) == NULL)
		return tl_error_set(err, TL_EINPUT,
		    "not a trustee key file: no PEM private key");
	first = (size_t)(end - pem) + strlen(PEM_END);
	if ((key = calloc(1, sizeof(*key))) == NULL)
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	if ((r = tl_key_from_private_pem(pem, first, &key->identity, err)) !=
	    TL_OK) {
		tl_trustee_key_free(key);
		tl_error_prefix(err, "not a trustee key file: its first key "
		    "must be an Ed25519 identity key");
		return r;
	}
	if ((r = tl_hpke_private_key_from_pem(pem + first, len - first,
	    sk)) != TL_OK) {
		tl_trustee_key_free(key);
		return tl_error_set(err, r, "not a trustee key file: its second "
		    "key must be an X25519 sealing key (a voter's key file has "
		    "none: make a trustee's with teller trustee keygen)");
	}
	r = with_sealing(key, sk, "cannot load the X25519 sealing key", out,
	    err);
	tl_wipe(sk, sizeof(sk));
	return r;
}

int
tl_trustee_key_load(const char *path, struct tl_trustee_key **out,
    struct tl_error *err)
{
	char *pem = NULL;
	size_t len = 0;
	int r;

	if ((r = tl_read_private_file(path, TRUSTEE_FILE_MAX, &pem, &len,
	    err)) != TL_OK)
		return r;
	if ((r = tl_trustee_key_from_pem(pem, len, out, err)) != TL_OK)
		tl_error_prefix(err, "%s", path);
	tl_wipe(pem, len);
	free(pem);
	return r;
}

void
tl_trustee_sealing_public(const struct tl_trustee_key *key,
    uint8_t out[TL_HPKE_NPK])
{
	tl_hpke_key_public(key->sealing, out);
}

void
tl_trustee_sealing_public_base64(const struct tl_trustee_key *key,
    char out[TL_PUBLIC_B64_LEN + 1])
{
	uint8_t pk[TL_HPKE_NPK];

	tl_hpke_key_public(key->sealing, pk);
	tl_base64_encode_to(pk, sizeof(pk), out);
}

int
tl_trustee_unseal_statement(const struct tl_trustee_key *key,
    const char *election, const char *manifest, const char *trustee_id,
    const char *close, int64_t time, char **out, size_t *outlen,
    struct tl_error *err)
{
	struct tl_unseal u;
	struct tl_envelope *env = NULL;
	char *payload = NULL;
	size_t len = 0;
	int r;

	memset(&u, 0, sizeof(u));
	if (strlen(election) >= sizeof(u.election) ||
	    strlen(manifest) >= sizeof(u.manifest) ||
	    strlen(trustee_id) >= sizeof(u.trustee) ||
	    strlen(close) >= sizeof(u.close))
		return tl_error_set(err, TL_EINPUT, "unseal statement: an id or "
		    "hash is too long");
	memcpy(u.election, election, strlen(election) + 1);
	memcpy(u.manifest, manifest, strlen(manifest) + 1);
	memcpy(u.trustee, trustee_id, strlen(trustee_id) + 1);
	memcpy(u.close, close, strlen(close) + 1);
	u.time = time;
	tl_hpke_key_private(key->sealing, u.private_key);
	if ((r = tl_unseal_serialize(&u, &payload, &len, err)) == TL_OK &&
	    (r = tl_envelope_sign(TL_TYPE_UNSEAL, payload, len, key->identity,
	    &env, err)) == TL_OK)
		r = tl_envelope_serialize(env, out, outlen, err);
	tl_wipe(&u, sizeof(u));
	tl_wipe_free(payload);
	tl_envelope_free(env);
	return r;
}

int
tl_trustee_sealing_matches(const uint8_t sk[TL_HPKE_NSK],
    const uint8_t pk[TL_HPKE_NPK])
{
	uint8_t derived[TL_HPKE_NPK];

	if (tl_hpke_public_key(sk, derived) != TL_OK ||
	    tl_memcmp_const(derived, pk, TL_HPKE_NPK) != 0)
		return TL_EVERIFY;
	return TL_OK;
}

void
tl_trustee_key_free(struct tl_trustee_key *key)
{
	if (key == NULL)
		return;
	tl_key_free(key->identity);
	tl_hpke_key_free(key->sealing);
	free(key);
}
