/*
 * check_store.c: the store's secrets at rest (store_internal.h): sealed
 * under a key derived from the authority key, bound to their place, and
 * out of reach of a copy of the database when the authority key is in a
 * file of its own.
 */
#include <config.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"
#include "store_internal.h"
#include "teller/crypto.h"
#include "teller/store.h"

static const char secret[] = "-----BEGIN PRIVATE KEY-----\nclass key\n";
static const char place[] = "credential_keys/e1/chapters/1";

START_TEST(seal_and_open_with_the_key_inside)
{
	char *dir = th_tmpdir(), *sealed = NULL, *again = NULL;
	struct tl_store *store = th_store(dir);
	struct tl_error err;
	uint8_t *plain = NULL;
	size_t len = 0;

	ck_assert_int_eq(tl_db_seal_secret(store, place, strlen(place), secret,
	    strlen(secret), &sealed, &err), TL_OK);
	ck_assert_int_eq(strncmp(sealed, "v1.", 3), 0);
	ck_assert_ptr_null(strstr(sealed, "class key"));
	/* A fresh nonce each time. */
	ck_assert_int_eq(tl_db_seal_secret(store, place, strlen(place), secret,
	    strlen(secret), &again, &err), TL_OK);
	ck_assert_str_ne(sealed, again);
	ck_assert_int_eq(tl_db_open_secret(store, place, strlen(place), sealed,
	    &plain, &len, &err), TL_OK);
	ck_assert_uint_eq(len, strlen(secret));
	ck_assert_str_eq((const char *)plain, secret);
	tl_wipe(plain, len);
	free(plain);
	plain = NULL;
	/* Moved to another place: does not open. */
	ck_assert_int_eq(tl_db_open_secret(store, "credential_keys/e2", 18,
	    sealed, &plain, &len, &err), TL_EDECRYPT);
	ck_assert_ptr_null(plain);
	/* One character of it changed: does not open. */
	again[10] = again[10] == 'A' ? 'B' : 'A';
	ck_assert_int_eq(tl_db_open_secret(store, place, strlen(place), again,
	    &plain, &len, &err), TL_EDECRYPT);
	/* Not sealed text. */
	ck_assert_int_eq(tl_db_open_secret(store, place, strlen(place),
	    secret, &plain, &len, &err), TL_EINPUT);
	ck_assert_int_eq(tl_db_open_secret(store, place, strlen(place),
	    "v1.AAAA", &plain, &len, &err), TL_EINPUT);
	free(sealed);
	free(again);
	tl_store_close(store);
	th_rm_rf(dir);
	free(dir);
}
END_TEST

/* Another database's authority cannot open it. */
START_TEST(another_authority_cannot_open)
{
	char *a = th_tmpdir(), *b = th_tmpdir(), *sealed = NULL;
	struct tl_store *one = th_store(a), *two = th_store(b);
	struct tl_error err;
	uint8_t *plain = NULL;
	size_t len;

	ck_assert_int_eq(tl_db_seal_secret(one, place, strlen(place), secret,
	    strlen(secret), &sealed, &err), TL_OK);
	ck_assert_int_eq(tl_db_open_secret(two, place, strlen(place), sealed,
	    &plain, &len, &err), TL_EDECRYPT);
	free(sealed);
	tl_store_close(one);
	tl_store_close(two);
	th_rm_rf(a);
	th_rm_rf(b);
	free(a);
	free(b);
}
END_TEST

/* With the authority key in a file, a copy of the database (a connection
 * without the key file) cannot open what the database keeps sealed; with
 * the key file, it can. */
START_TEST(a_copy_without_the_key_file_cannot_open)
{
	char *dir = th_tmpdir(), *sealed = NULL, keyfile[4096], moved[4096];
	struct tl_store *store = NULL;
	struct tl_error err;
	uint8_t *plain = NULL;
	size_t len;

	snprintf(keyfile, sizeof(keyfile), "%s", th_path(dir, "authority.pem"));
	snprintf(moved, sizeof(moved), "%s", th_path(dir, "elsewhere.pem"));
	ck_assert_int_eq(tl_store_open(th_path(dir, "teller.db"),
	    TL_STORE_CREATE, &store, &err), TL_OK);
	ck_assert_int_eq(tl_store_set_key_source(store, keyfile, NULL, &err),
	    TL_OK);
	ck_assert_int_eq(tl_store_init_authority(store, TH_NOW, &err), TL_OK);
	ck_assert_int_eq(tl_db_seal_secret(store, place, strlen(place), secret,
	    strlen(secret), &sealed, &err), TL_OK);
	tl_store_close(store);
	ck_assert_int_eq(rename(keyfile, moved), 0);
	ck_assert_int_eq(tl_store_open(th_path(dir, "teller.db"), 0, &store,
	    &err), TL_OK);
	ck_assert_int_eq(tl_db_open_secret(store, place, strlen(place), sealed,
	    &plain, &len, &err), TL_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(err.message, "authority.pem"));
	ck_assert_ptr_null(plain);
	ck_assert_int_eq(tl_store_set_key_source(store, moved, NULL, &err),
	    TL_OK);
	ck_assert_int_eq(tl_db_open_secret(store, place, strlen(place), sealed,
	    &plain, &len, &err), TL_OK);
	ck_assert_str_eq((const char *)plain, secret);
	tl_wipe(plain, len);
	free(plain);
	free(sealed);
	tl_store_close(store);
	th_rm_rf(dir);
	free(dir);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("secrets");

	tcase_add_test(tc, seal_and_open_with_the_key_inside);
	tcase_add_test(tc, another_authority_cannot_open);
	tcase_add_test(tc, a_copy_without_the_key_file_cannot_open);
	suite_add_tcase(s, tc);
	return th_run(s);
}
