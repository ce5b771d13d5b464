/*
 * uses-libteller.c: a program of someone else's, built by `make
 * installcheck` against the installed headers and library through
 * pkg-config alone: it makes a key, signs and verifies, and hashes.
 */
#include <stdio.h>
#include <string.h>

#include <teller/crypto.h>
#include <teller/error.h>

int
main(void)
{
	static const char msg[] = "teller";
	struct tl_error err;
	struct tl_key *key = NULL;
	uint8_t sig[TL_ED25519_SIG_LEN];
	char hex[TL_HASH_HEX_LEN + 1], id[TL_KEYID_LEN + 1];
	int status = 1;

	tl_error_clear(&err);
	if (tl_key_generate(&key, &err) != TL_OK ||
	    tl_key_sign(key, (const uint8_t *)msg, strlen(msg), sig, &err) !=
	    TL_OK) {
		fprintf(stderr, "uses-libteller: %s\n", err.message);
		goto out;
	}
	if (tl_key_verify(key, (const uint8_t *)msg, strlen(msg), sig,
	    sizeof(sig)) != TL_OK) {
		fprintf(stderr, "uses-libteller: the signature does not verify\n");
		goto out;
	}
	tl_key_id(key, id);
	tl_sha256_hex("abc", 3, hex);
	/* SHA-256("abc"), FIPS 180-2 appendix B.1. */
	if (strcmp(hex, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad") != 0) {
		fprintf(stderr, "uses-libteller: wrong SHA-256\n");
		goto out;
	}
	printf("libteller works: key id %.16s..., %s\n", id,
	    tl_error_name(TL_OK));
	status = 0;
 out:
	tl_key_free(key);
	return status;
}
