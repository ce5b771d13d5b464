/*
 * check_crypto.c: keys, signatures, hashes, HMAC, base64 and hex, against
 * published test vectors (RFC 8032, FIPS 180-2, RFC 4231, RFC 1321) and
 * the key file rules.
 */
#include <config.h>

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"
#include "teller/crypto.h"
#include "teller/util.h"

/* RFC 8032 section 7.1, TEST 2, as a PKCS#8 PEM. */
static const char rfc8032_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIEzNCJso/5banbbDRuwRTg9bijGfNaumJNqM9u1PuKb7\n"
    "-----END PRIVATE KEY-----\n";
static const char rfc8032_public_hex[] =
    "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c";
static const char rfc8032_sig_hex[] =
    "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
    "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00";

START_TEST(ed25519_known_answer)
{
	struct tl_key *key = NULL, *pub = NULL;
	uint8_t raw[32], sig[64], want[64];
	char hex[129], b64[TL_PUBLIC_B64_LEN + 1], id[TL_KEYID_LEN + 1];
	const uint8_t msg = 0x72;
	struct tl_error err;

	ck_assert_int_eq(tl_key_from_private_pem(rfc8032_pem,
	    strlen(rfc8032_pem), &key, &err), TL_OK);
	ck_assert(tl_key_has_private(key));
	tl_key_public_raw(key, raw);
	tl_hex_encode(raw, 32, hex);
	ck_assert_str_eq(hex, rfc8032_public_hex);
	tl_key_public_base64(key, b64);
	ck_assert_str_eq(b64, "PUAXw+hDiVqStwqnTRt+vJyYLM8uxJaMwM1V8Sr0Zgw=");
	/* The key id is the hex SHA-256 of the raw public key (computed
	 * with Python's hashlib). */
	tl_key_id(key, id);
	ck_assert_str_eq(id,
	    "39f713d0a644253f04529421b9f51b9b08979d08295959c4f3990ee617f5139f");
	ck_assert_int_eq(tl_key_sign(key, &msg, 1, sig, &err), TL_OK);
	ck_assert_int_eq(tl_hex_decode(rfc8032_sig_hex, want, 64), TL_OK);
	ck_assert_mem_eq(sig, want, 64);
	ck_assert_int_eq(tl_key_from_public_base64(b64, &pub, &err), TL_OK);
	ck_assert(!tl_key_has_private(pub));
	ck_assert_int_eq(tl_key_verify(pub, &msg, 1, sig, 64), TL_OK);
	/* Another message, a flipped bit, a short signature: all refused. */
	ck_assert_int_eq(tl_key_verify(pub, (const uint8_t *)"s", 1, sig, 64),
	    TL_ESIGNATURE);
	sig[10] ^= 1;
	ck_assert_int_eq(tl_key_verify(pub, &msg, 1, sig, 64), TL_ESIGNATURE);
	ck_assert_int_eq(tl_key_verify(pub, &msg, 1, sig, 63), TL_ESIGNATURE);
	/* A public key cannot sign. */
	ck_assert_int_eq(tl_key_sign(pub, &msg, 1, sig, &err), TL_EINPUT);
	tl_key_free(key);
	tl_key_free(pub);
}
END_TEST

START_TEST(key_file_mode_and_permissions)
{
	char *dir = th_tmpdir();
	struct tl_key *key = NULL, *loaded = NULL;
	struct tl_error err;
	struct stat st;
	char a[TL_KEYID_LEN + 1], b[TL_KEYID_LEN + 1];
	const char *path;

	ck_assert_int_eq(tl_key_generate(&key, &err), TL_OK);
	path = th_path(dir, "voter.pem");
	ck_assert_int_eq(tl_key_write_private(key, path, &err), TL_OK);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	/* Never overwrites. */
	ck_assert_int_eq(tl_key_write_private(key, path, &err), TL_EEXISTS);
	ck_assert_int_eq(tl_key_load_private(path, &loaded, &err), TL_OK);
	tl_key_id(key, a);
	tl_key_id(loaded, b);
	ck_assert_str_eq(a, b);
	tl_key_free(loaded);
	loaded = NULL;
	/* Readable by the group or others: refused, with the fix. */
	ck_assert_int_eq(chmod(path, 0640), 0);
	ck_assert_int_eq(tl_key_load_private(path, &loaded, &err), TL_EKEYPERM);
	ck_assert_ptr_null(loaded);
	ck_assert_ptr_nonnull(strstr(err.message, "chmod 600"));
	ck_assert_int_eq(chmod(path, 0604), 0);
	ck_assert_int_eq(tl_key_load_private(path, &loaded, &err), TL_EKEYPERM);
	/* Not a key. */
	th_write(th_path(dir, "junk.pem"), "not a key\n");
	ck_assert_int_eq(chmod(th_path(dir, "junk.pem"), 0600), 0);
	ck_assert_int_eq(tl_key_load_private(th_path(dir, "junk.pem"), &loaded,
	    &err), TL_EINPUT);
	ck_assert_ptr_nonnull(strstr(err.message, "junk.pem"));
	ck_assert_int_eq(tl_key_load_private(th_path(dir, "absent.pem"), &loaded,
	    &err), TL_ENOTFOUND);
	tl_key_free(key);
	th_rm_rf(dir);
	free(dir);
}
END_TEST

/* A key file under a passphrase: PKCS#8 encrypted PEM, scrypt + AES-256;
 * loaded with the passphrase only, never by prompting. */
START_TEST(key_file_under_passphrase)
{
	static const char pass[] = "correct horse battery staple";
	char *dir = th_tmpdir(), *text = NULL;
	struct tl_key *key = NULL, *loaded = NULL;
	struct tl_error err;
	struct stat st;
	char a[TL_KEYID_LEN + 1], b[TL_KEYID_LEN + 1];
	const char *path;
	size_t len;

	ck_assert_int_eq(tl_key_generate(&key, &err), TL_OK);
	path = th_path(dir, "authority.pem");
	ck_assert_int_eq(tl_key_write_private_encrypted(key, path, pass, 0,
	    &err), TL_EINPUT);
	ck_assert_int_eq(access(path, F_OK), -1);
	ck_assert_int_eq(tl_key_write_private_encrypted(key, path, pass,
	    strlen(pass), &err), TL_OK);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	ck_assert_int_eq(tl_read_file(path, 65536, &text, &len, &err), TL_OK);
	ck_assert_ptr_nonnull(strstr(text,
	    "-----BEGIN ENCRYPTED PRIVATE KEY-----"));
	free(text);
	/* Without the passphrase, or with another (one byte less): refused,
	 * saying why. */
	ck_assert_int_eq(tl_key_load_private(path, &loaded, &err), TL_EINPUT);
	ck_assert_ptr_nonnull(strstr(err.message, "encrypted"));
	ck_assert_ptr_nonnull(strstr(err.message, "authority.pem"));
	ck_assert_int_eq(tl_key_load_private_encrypted(path, pass,
	    strlen(pass) - 1, &loaded, &err), TL_EINPUT);
	ck_assert_ptr_nonnull(strstr(err.message, "wrong passphrase"));
	ck_assert_ptr_null(loaded);
	/* With it: the same key, which signs. */
	ck_assert_int_eq(tl_key_load_private_encrypted(path, pass, strlen(pass),
	    &loaded, &err), TL_OK);
	ck_assert(tl_key_has_private(loaded));
	tl_key_id(key, a);
	tl_key_id(loaded, b);
	ck_assert_str_eq(a, b);
	tl_key_free(loaded);
	/* A passphrase given for a key that is not encrypted does no harm. */
	ck_assert_int_eq(tl_key_write_private(key, th_path(dir, "plain.pem"),
	    &err), TL_OK);
	ck_assert_int_eq(tl_key_load_private_encrypted(th_path(dir,
	    "plain.pem"), pass, strlen(pass), &loaded, &err), TL_OK);
	tl_key_free(loaded);
	tl_key_free(key);
	th_rm_rf(dir);
	free(dir);
}
END_TEST

/* tl_key_derive: HKDF-SHA256 of RFC 8032 TEST 2's secret key, no salt,
 * info "teller/v1/secret-at-rest"; the expected bytes come from Python's
 * hmac and hashlib, from RFC 5869's definition.  A public key derives
 * nothing. */
START_TEST(derive_from_a_private_key)
{
	struct tl_key *key = NULL, *pub = NULL;
	struct tl_error err;
	uint8_t out[32], want[32];
	char b64[TL_PUBLIC_B64_LEN + 1];

	ck_assert_int_eq(tl_key_from_private_pem(rfc8032_pem,
	    strlen(rfc8032_pem), &key, &err), TL_OK);
	ck_assert_int_eq(tl_key_derive(key, "teller/v1/secret-at-rest", out,
	    &err), TL_OK);
	ck_assert_int_eq(tl_hex_decode("19fe70d9217c1af52877cd55021634295fe8"
	    "571b4c7b429c473fd063acddeadf", want, 32), TL_OK);
	ck_assert_mem_eq(out, want, 32);
	ck_assert_int_eq(tl_key_derive(key, "another purpose", out, &err),
	    TL_OK);
	ck_assert_int_ne(memcmp(out, want, 32), 0);
	tl_key_public_base64(key, b64);
	ck_assert_int_eq(tl_key_from_public_base64(b64, &pub, &err), TL_OK);
	ck_assert_int_eq(tl_key_derive(pub, "teller/v1/secret-at-rest", out,
	    &err), TL_EINPUT);
	tl_key_free(key);
	tl_key_free(pub);
}
END_TEST

START_TEST(public_key_rejects)
{
	struct tl_key *key = NULL;
	struct tl_error err;

	/* 31 bytes, not base64, empty. */
	ck_assert_int_eq(tl_key_from_public_base64(
	    "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg==", &key, &err),
	    TL_EINPUT);
	ck_assert_ptr_nonnull(strstr(err.message, "31 bytes"));
	ck_assert_int_eq(tl_key_from_public_base64("not base64!", &key, &err),
	    TL_EINPUT);
	ck_assert_int_eq(tl_key_from_public_base64("", &key, &err), TL_EINPUT);
	ck_assert_ptr_null(key);
}
END_TEST

START_TEST(hash_vectors)
{
	char hex[TL_HASH_HEX_LEN + 1];
	uint8_t mac[32], md5[16];
	uint8_t key1[20];
	struct tl_iov parts[2] = {{"a", 1}, {"bc", 2}};
	uint8_t h[32];

	tl_sha256_hex("abc", 3, hex);
	ck_assert_str_eq(hex,
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	tl_sha256_hex("", 0, hex);
	ck_assert_str_eq(hex,
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	tl_sha256_iov(parts, 2, h);
	tl_hex_encode(h, 32, hex);
	ck_assert_str_eq(hex,
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	/* RFC 4231 test cases 1 and 2. */
	memset(key1, 0x0b, sizeof(key1));
	ck_assert_int_eq(tl_hmac_sha256(key1, 20, "Hi There", 8, mac), TL_OK);
	tl_hex_encode(mac, 32, hex);
	ck_assert_str_eq(hex,
	    "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
	ck_assert_int_eq(tl_hmac_sha256("Jefe", 4,
	    "what do ya want for nothing?", 28, mac), TL_OK);
	tl_hex_encode(mac, 32, hex);
	ck_assert_str_eq(hex,
	    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	/* RFC 1321 appendix A.5. */
	tl_md5("abc", 3, md5);
	tl_hex_encode(md5, 16, hex);
	ck_assert_str_eq(hex, "900150983cd24fb0d6963f7d28e17f72");
}
END_TEST

START_TEST(base64_strict)
{
	static const char *const bad[] = {
		"Zg=", "Zg", "Zm9v\n", " Zm9v", "Zm9v====", "Zh==", "Zm9=",
		"Z===", "====", "Zm-v", "Zm_v", "Zg==Zg==",
	};
	uint8_t *out = NULL;
	size_t len = 0;
	char *enc = NULL;

	ck_assert_int_eq(tl_base64_encode("foobar", 6, &enc), TL_OK);
	ck_assert_str_eq(enc, "Zm9vYmFy");
	free(enc);
	ck_assert_int_eq(tl_base64_encode("fo", 2, &enc), TL_OK);
	ck_assert_str_eq(enc, "Zm8=");
	free(enc);
	ck_assert_int_eq(tl_base64_decode("Zm8=", 4, &out, &len), TL_OK);
	ck_assert_uint_eq(len, 2);
	ck_assert_mem_eq(out, "fo", 2);
	free(out);
	ck_assert_int_eq(tl_base64_decode("", 0, &out, &len), TL_OK);
	ck_assert_uint_eq(len, 0);
	free(out);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(tl_base64_decode(bad[i], strlen(bad[i]), &out,
		    &len) == TL_EINPUT, "accepted \"%s\"", bad[i]);
	/* A byte outside ASCII is no digit, whatever the locale says. */
	ck_assert_int_eq(tl_base64_decode("Zm9\xe9", 4, &out, &len),
	    TL_EINPUT);
}
END_TEST

/*
 * Every byte string of up to 64 bytes comes back from its encoding; and
 * each encoding with one character changed to any other byte either is
 * rejected or decodes to bytes whose encoding it is (one encoding for
 * each byte string).
 */
START_TEST(base64_round_trip)
{
	uint8_t data[64], *out = NULL, *again = NULL;
	size_t len = 0, len2 = 0, accepted = 0;
	char *enc = NULL, *enc2 = NULL;

	for (size_t n = 0; n <= sizeof(data); n++) {
		for (size_t i = 0; i < n; i++)
			data[i] = (uint8_t)(n * 131 + i * 251 + 7);
		ck_assert_int_eq(tl_base64_encode(data, n, &enc), TL_OK);
		ck_assert_uint_eq(strlen(enc), (n + 2) / 3 * 4);
		ck_assert_int_eq(tl_base64_decode(enc, strlen(enc), &out, &len),
		    TL_OK);
		ck_assert_uint_eq(len, n);
		if (n > 0)
			ck_assert_mem_eq(out, data, n);
		free(out);
		for (size_t at = 0; n <= 8 && at < strlen(enc); at++) {
			char saved = enc[at];

			for (int c = 0; c < 256; c++) {
				if (c == (unsigned char)saved)
					continue;
				enc[at] = (char)c;
				if (tl_base64_decode(enc, strlen(enc), &again,
				    &len2) != TL_OK)
					continue;
				accepted++;
				ck_assert_int_eq(tl_base64_encode(again, len2,
				    &enc2), TL_OK);
				ck_assert_str_eq(enc2, enc);
				free(enc2);
				free(again);
			}
			enc[at] = saved;
		}
		free(enc);
	}
	/* Changing a digit into another digit mostly gives valid text. */
	ck_assert_uint_gt(accepted, 1000);
}
END_TEST

START_TEST(hex_codec)
{
	uint8_t out[3];
	char hex[7];

	tl_hex_encode("\x00\xab\xff", 3, hex);
	ck_assert_str_eq(hex, "00abff");
	ck_assert_int_eq(tl_hex_decode("00ABff", out, 3), TL_OK);
	ck_assert_mem_eq(out, "\x00\xab\xff", 3);
	ck_assert_int_eq(tl_hex_decode("00abf", out, 3), TL_EINPUT);
	ck_assert_int_eq(tl_hex_decode("00abffee", out, 3), TL_EINPUT);
	ck_assert_int_eq(tl_hex_decode("00abfg", out, 3), TL_EINPUT);
}
END_TEST

START_TEST(random_and_wipe)
{
	uint8_t a[32], b[32], zero[32] = {0};

	ck_assert_int_eq(tl_random_bytes(a, sizeof(a)), TL_OK);
	ck_assert_int_eq(tl_random_bytes(b, sizeof(b)), TL_OK);
	ck_assert(memcmp(a, b, sizeof(a)) != 0);
	tl_wipe(a, sizeof(a));
	ck_assert_mem_eq(a, zero, sizeof(a));
	ck_assert_int_eq(tl_memcmp_const(a, zero, 32), 0);
	ck_assert_int_ne(tl_memcmp_const(b, zero, 32), 0);
}
END_TEST

static Suite *
crypto_suite(void)
{
	Suite *s = suite_create("crypto");
	TCase *tc = tcase_create("crypto");

	tcase_add_test(tc, ed25519_known_answer);
	tcase_add_test(tc, key_file_mode_and_permissions);
	tcase_add_test(tc, key_file_under_passphrase);
	tcase_add_test(tc, derive_from_a_private_key);
	tcase_add_test(tc, public_key_rejects);
	tcase_add_test(tc, hash_vectors);
	tcase_add_test(tc, base64_strict);
	tcase_add_test(tc, base64_round_trip);
	tcase_add_test(tc, hex_codec);
	tcase_add_test(tc, random_and_wipe);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return th_run(crypto_suite());
}
