/*
 * check_client.c: the libcurl client (client.h) against real teller
 * servers ($TELLER serve on free loopback ports): a cast whose receipt is
 * checked, the server's refusals coming back with their codes, a pinned
 * manifest, and receipt verification against a server whose log extends
 * the receipt's, one whose log was rewritten, and one whose log is
 * shorter.
 */
#include <config.h>

#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"
#include "teller/cast.h"
#include "teller/client.h"
#include "teller/election.h"
#include "teller/envelope.h"
#include "teller/log.h"
#include "teller/receipt.h"
#include "teller/util.h"

#define NA 4
#define NB 1

static char *dir;
static struct tl_key **keys;
static char hash[TL_HASH_HEX_LEN + 1];
static char *manifest;          /* the signed manifest of e1 */
static pid_t servers[2];
static char urls[2][64];
static struct tl_client_server at[2] = {{urls[0], NULL}, {urls[1], NULL}};

static int
free_port(void)
{
	struct sockaddr_in in = {.sin_family = AF_INET};
	socklen_t len = sizeof(in);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&in, sizeof(in)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&in, &len), 0);
	port = ntohs(in.sin_port);
	close(fd);
	return port;
}

static int
can_connect(int port)
{
	struct sockaddr_in in = {.sin_family = AF_INET};
	int fd = socket(AF_INET, SOCK_STREAM, 0), ok;

	in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	in.sin_port = htons((uint16_t)port);
	ok = connect(fd, (struct sockaddr *)&in, sizeof(in)) == 0;
	close(fd);
	return ok;
}

/* Starts $TELLER serve on the database db (its clock at TH_NOW). */
static void
start_server(int i, const char *db)
{
	const char *teller = getenv("TELLER");
	char listen[64], now[32];
	int port = free_port();
	const struct timespec tick = {0, 20 * 1000 * 1000};

	ck_assert_msg(teller != NULL, "TELLER must name the built teller "
	    "(make check sets it)");
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", port);
	snprintf(urls[i], sizeof(urls[i]), "http://127.0.0.1:%d/", port);
	snprintf(now, sizeof(now), "%lld", (long long)TH_NOW);
	if ((servers[i] = fork()) == 0) {
		setenv("TELLER_NOW", now, 1);
		if (freopen("/dev/null", "w", stderr) == NULL)
			_exit(126);
		execl(teller, "teller", "--db", db, "serve", "--listen", listen,
		    (char *)NULL);
		_exit(127);
	}
	ck_assert_int_gt(servers[i], 0);
	for (int tries = 0; !can_connect(port); tries++) {
		ck_assert_msg(tries < 500, "the server did not start");
		ck_assert_int_eq(waitpid(servers[i], NULL, WNOHANG), 0);
		nanosleep(&tick, NULL);
	}
}

static void
stop_servers(void)
{
	for (int i = 0; i < 2; i++)
		if (servers[i] > 0) {
			int status = 0;

			kill(servers[i], SIGTERM);
			waitpid(servers[i], &status, 0);
			servers[i] = 0;
			ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
			    "a server did not stop cleanly");
		}
}

static char *
ballot(size_t key, const char *voter, int seq, const char *mark)
{
	char *payload = NULL, *env;

	ck_assert_int_ge(asprintf(&payload, "{\"election\":\"e1\",\"manifest\":"
	    "\"%s\",\"voter\":\"%s\",\"seq\":%d,\"selections\":[{\"contest\":"
	    "\"plu\",\"marks\":[\"%s\"]}]}", hash, voter, seq, mark), 0);
	env = th_sign_ballot(keys[key], payload);
	free(payload);
	return env;
}

/* e1 open in dir/teller.db; its copy (same authority, same log so far)
 * in dir/copy.db. */
static void
setup(void)
{
	struct tl_error err;
	struct tl_store *store;
	char *text = NULL;
	size_t len = 0;

	dir = th_tmpdir();
	store = th_store(dir);
	keys = th_keys(NA + NB);
	th_open_election(store, 0, keys, NA, NB, hash);
	ck_assert_int_eq(tl_election_signed_manifest(store, "e1", &manifest,
	    &err), TL_OK);
	tl_store_close(store);
	ck_assert_int_eq(tl_read_file(th_path(dir, "teller.db"), 1 << 30, &text,
	    &len, &err), TL_OK);
	ck_assert_int_eq(tl_write_file(th_path(dir, "copy.db"), text, len, 0600,
	    &err), TL_OK);
	free(text);
}

static void
teardown(void)
{
	stop_servers();
	free(manifest);
	th_keys_free(keys, NA + NB);
	th_rm_rf(dir);
	free(dir);
}

/* e1's manifest, signed by the key of voter b1 as its authority. */
static char *
forged_manifest(void)
{
	struct tl_error err;
	struct tl_manifest *m = NULL;
	struct tl_envelope *env = NULL;
	const char *json = th_manifest_json(0);
	char pub[TL_PUBLIC_B64_LEN + 1], *payload = NULL, *text = NULL;
	size_t len = 0;

	tl_key_public_base64(keys[NA], pub);
	ck_assert_int_eq(tl_manifest_parse(json, strlen(json), &m, &err), TL_OK);
	ck_assert_int_eq(tl_manifest_set_authority(m, pub), TL_OK);
	ck_assert_int_eq(tl_manifest_serialize(m, &payload, &len), TL_OK);
	ck_assert_int_eq(tl_envelope_sign(TL_TYPE_MANIFEST, payload, len,
	    keys[NA], &env, &err), TL_OK);
	ck_assert_int_eq(tl_envelope_serialize(env, &text, NULL, &err), TL_OK);
	tl_envelope_free(env);
	tl_manifest_free(m);
	free(payload);
	return text;
}

START_TEST(cast_checks_the_receipt)
{
	const struct tl_client_server nobody = {"http://127.0.0.1:1", NULL};
	struct tl_error err;
	struct tl_receipt *rc = NULL;
	char *env = ballot(0, "a1", 1, "x"), *receipt = NULL, *forged;

	start_server(0, th_path(dir, "teller.db"));
	ck_assert_msg(tl_client_cast(&at[0], env, strlen(env), NULL, 0,
	    &receipt, &err) == TL_OK, "%s", err.message);
	ck_assert_int_eq(tl_receipt_parse(receipt, strlen(receipt), &rc, &err),
	    TL_OK);
	ck_assert_int_eq(tl_receipt_matches_ballot(rc, env, strlen(env), &err),
	    TL_OK);
	ck_assert_uint_eq(rc->leaf_index, 2);
	tl_receipt_free(rc);
	free(receipt);
	receipt = NULL;
	/* The same ballot again: the server's refusal, with its code. */
	ck_assert_int_eq(tl_client_cast(&at[0], env, strlen(env), NULL, 0,
	    &receipt, &err), TL_ESTALE);
	ck_assert_ptr_nonnull(strstr(err.message, "seq 1, but voter a1"));
	ck_assert_ptr_null(receipt);
	free(env);
	/* With the manifest pinned. */
	env = ballot(1, "a2", 1, "y");
	ck_assert_msg(tl_client_cast(&at[0], env, strlen(env), manifest,
	    strlen(manifest), &receipt, &err) == TL_OK, "%s", err.message);
	free(receipt);
	free(env);
	/* Pinned: a manifest signed by another authority (for the same
	 * election id), not the one the ballot was made for. */
	env = ballot(2, "a3", 1, "z");
	forged = forged_manifest();
	ck_assert_int_eq(tl_client_cast(&at[0], env, strlen(env), forged,
	    strlen(forged), &receipt, &err), TL_EWRONGELECTION);
	ck_assert_ptr_nonnull(strstr(err.message, "pinned manifest"));
	free(forged);
	free(env);
	/* No server there. */
	env = ballot(2, "a3", 1, "z");
	ck_assert_int_eq(tl_client_cast(&nobody, env, strlen(env),
	    manifest, strlen(manifest), &receipt, &err), TL_ENETWORK);
	free(env);
}
END_TEST

START_TEST(verify_receipt_against_servers)
{
	struct tl_error err;
	struct tl_client_receipt_check check;
	struct tl_tree_head head3, head5;
	struct tl_merkle_proof proof;
	struct tl_key *authority = NULL;
	char keyid[TL_KEYID_LEN + 1], keyid2[TL_KEYID_LEN + 1];
	char *entry = NULL, *head_text = NULL;
	size_t len = 0;
	char *env = ballot(0, "a1", 1, "x"), *receipt = NULL, *other = NULL;
	char *more;

	start_server(0, th_path(dir, "teller.db"));
	ck_assert_msg(tl_client_cast(&at[0], env, strlen(env), NULL, 0,
	    &receipt, &err) == TL_OK, "%s", err.message);
	/* Right after the cast: the same tree. */
	ck_assert_msg(tl_client_verify_receipt(&at[0], receipt,
	    strlen(receipt), NULL, 0, &check, &err) == TL_OK, "%s", err.message);
	ck_assert_uint_eq(check.receipt_size, 3);
	ck_assert_uint_eq(check.server_size, 3);
	/* The pieces: the entry as logged, the tree head, the authority. */
	ck_assert_int_eq(tl_client_log_entry(&at[0], "e1", 2, &entry, &len,
	    &err), TL_OK);
	ck_assert_str_eq(entry, env);
	ck_assert_uint_eq(len, strlen(env));
	free(entry);
	ck_assert_int_eq(tl_client_log_entry(&at[0], "e1", 3, &entry, &len,
	    &err), TL_ENOTFOUND);
	ck_assert_int_eq(tl_client_tree_head(&at[0], "e1", &head_text, &err),
	    TL_OK);
	ck_assert_int_eq(tl_tree_head_parse_envelope(head_text,
	    strlen(head_text), &head3, NULL, &err), TL_OK);
	ck_assert_uint_eq(head3.size, 3);
	free(head_text);
	ck_assert_int_eq(tl_client_authority(&at[0], "e1", NULL, 0, &authority,
	    &err), TL_OK);
	tl_key_id(authority, keyid);
	tl_key_free(authority);
	ck_assert_int_eq(tl_client_authority(&at[0], "e1", manifest,
	    strlen(manifest), &authority, &err), TL_OK);
	tl_key_id(authority, keyid2);
	tl_key_free(authority);
	ck_assert_str_eq(keyid, keyid2);
	ck_assert_int_eq(tl_client_authority(&at[0], "e1/../x", NULL, 0,
	    &authority, &err), TL_EINPUT);
	/* Two more ballots: a larger tree that extends the receipt's. */
	more = ballot(1, "a2", 1, "y");
	ck_assert_int_eq(tl_client_cast(&at[0], more, strlen(more), NULL, 0,
	    &other, &err), TL_OK);
	free(other);
	free(more);
	more = ballot(3, "a4", 1, "z");
	ck_assert_int_eq(tl_client_cast(&at[0], more, strlen(more), NULL, 0,
	    &other, &err), TL_OK);
	free(other);
	free(more);
	ck_assert_msg(tl_client_verify_receipt(&at[0], receipt,
	    strlen(receipt), manifest, strlen(manifest), &check, &err) == TL_OK,
	    "%s", err.message);
	ck_assert_uint_eq(check.server_size, 5);
	ck_assert_str_eq(check.election_id, "e1");
	/* The server's consistency proof from 3 to 5 entries holds between
	 * the two signed roots, and fails with the roots swapped. */
	ck_assert_int_eq(tl_client_tree_head(&at[0], "e1", &head_text, &err),
	    TL_OK);
	ck_assert_int_eq(tl_tree_head_parse_envelope(head_text,
	    strlen(head_text), &head5, NULL, &err), TL_OK);
	free(head_text);
	ck_assert_int_eq(tl_client_consistency(&at[0], "e1", 3, 5, &proof,
	    &err), TL_OK);
	ck_assert_int_eq(tl_merkle_verify_consistency(3, 5, head3.root,
	    head5.root, &proof), TL_OK);
	ck_assert_int_eq(tl_merkle_verify_consistency(3, 5, head5.root,
	    head3.root, &proof), TL_EVERIFY);
	ck_assert_int_eq(tl_client_consistency(&at[0], "e1", 4, 9, &proof,
	    &err), TL_EINPUT);

	/* The copy of the database, served: same authority, but its log is
	 * shorter than the receipt's tree. */
	start_server(1, th_path(dir, "copy.db"));
	ck_assert_int_eq(tl_client_verify_receipt(&at[1], receipt,
	    strlen(receipt), manifest, strlen(manifest), &check, &err),
	    TL_EVERIFY);
	ck_assert_ptr_nonnull(strstr(err.message, "fewer than"));
	/* Then it takes other ballots: a log of the same size and more that
	 * does not hold the receipt's ballot, signed by the same key. */
	more = ballot(1, "a2", 1, "z");
	ck_assert_int_eq(tl_client_cast(&at[1], more, strlen(more), NULL, 0,
	    &other, &err), TL_OK);
	free(other);
	free(more);
	more = ballot(2, "a3", 1, "z");
	ck_assert_int_eq(tl_client_cast(&at[1], more, strlen(more), NULL, 0,
	    &other, &err), TL_OK);
	free(other);
	free(more);
	ck_assert_int_eq(tl_client_verify_receipt(&at[1], receipt,
	    strlen(receipt), manifest, strlen(manifest), &check, &err),
	    TL_EVERIFY);
	ck_assert_ptr_nonnull(strstr(err.message, "rewritten"));
	/* A receipt with a byte changed is refused before any request. */
	receipt[strlen(receipt) / 2] ^= 1;
	ck_assert_int_ne(tl_client_verify_receipt(&at[0], receipt,
	    strlen(receipt), manifest, strlen(manifest), &check, &err), TL_OK);
	free(receipt);
	free(env);
}
END_TEST

static Suite *
client_suite(void)
{
	Suite *s = suite_create("client");
	TCase *tc = tcase_create("servers");

	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, cast_checks_the_receipt);
	tcase_add_test(tc, verify_receipt_against_servers);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return th_run(client_suite());
}
