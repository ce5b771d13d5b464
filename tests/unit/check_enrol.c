/*
 * check_enrol.c: enrolment links in a real database: tokens kept only as
 * hashes, revoked by newer ones, used once, expiring, closed by the roll's
 * freeze; every refused enrolment with its code and proof that nothing
 * changed; the voter information the voting page reads; and migration 6
 * of a database made before enrolment existed.
 */
#include <config.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sqlite3.h>

#include "helpers.h"
#include "teller/cast.h"
#include "teller/election.h"
#include "teller/enrol.h"
#include "teller/envelope.h"
#include "teller/log.h"

static char *dir;
static struct tl_store *store;
static struct tl_key **keys;  /* 0: a1, 1: b2, 2..4: for enrolments */

#define EXPIRES (TH_NOW + 7 * 86400)

static void
setup(void)
{
	struct tl_error err;
	const char *json = th_manifest_json(0);
	char *id = NULL, pub[2][TL_PUBLIC_B64_LEN + 1], csv[2048];
	size_t n = 0;

	dir = th_tmpdir();
	store = th_store(dir);
	keys = th_keys(5);
	ck_assert_int_eq(tl_election_create(store, json, strlen(json), TH_NOW,
	    &id, &err), TL_OK);
	free(id);
	tl_key_public_base64(keys[0], pub[0]);
	tl_key_public_base64(keys[1], pub[1]);
	snprintf(csv, sizeof(csv), "voter_id,name,constituency,weight,"
	    "public_key,email\n"
	    "a1,Ann,a,1,%s,\n"
	    "a2,Ben,a,2,,ben@example.org\n"
	    "a3,Cy,a,3,,cy@example.org\n"
	    "b1,Dee,b,1,,dee@example.org\n"
	    "b2,Eve,b,1,%s,eve@example.org\n", pub[0], pub[1]);
	ck_assert_int_eq(tl_election_import_roll(store, "e1", csv, strlen(csv),
	    "roll.csv", &n, &err), TL_OK);
	ck_assert_uint_eq(n, 5);
}

static void
teardown(void)
{
	tl_store_close(store);
	th_keys_free(keys, 5);
	th_rm_rf(dir);
	free(dir);
}

/* The enrolment envelope a voter's page sends. */
static char *
enrolment(const char *election, const char *voter, const char *token,
    const struct tl_key *key_named, const struct tl_key *signer)
{
	struct tl_envelope *env = NULL;
	char pub[TL_PUBLIC_B64_LEN + 1], payload[512], *text = NULL;

	tl_key_public_base64(key_named, pub);
	snprintf(payload, sizeof(payload), "{\"election\":\"%s\",\"voter\":"
	    "\"%s\",\"token\":\"%s\",\"public_key\":\"%s\"}", election, voter,
	    token, pub);
	ck_assert_int_eq(tl_envelope_sign(TL_TYPE_ENROLMENT, payload,
	    strlen(payload), signer, &env, NULL), TL_OK);
	ck_assert_int_eq(tl_envelope_serialize(env, &text, NULL, NULL), TL_OK);
	tl_envelope_free(env);
	return text;
}

/* Everything an enrolment could change, as one string. */
static char *
snapshot(void)
{
	char *s = NULL;

	ck_assert_int_ge(asprintf(&s, "%lld/%lld/%lld/%lld",
	    (long long)th_count(store, "SELECT COUNT(*) FROM voters WHERE "
	    "public_key IS NOT NULL"),
	    (long long)th_count(store, "SELECT COUNT(*) FROM enrolment_tokens "
	    "WHERE used_at IS NOT NULL"),
	    (long long)th_count(store, "SELECT COUNT(*) FROM enrolment_tokens "
	    "WHERE revoked_at IS NOT NULL"),
	    (long long)th_count(store, "SELECT COUNT(*) FROM voters WHERE "
	    "enrolled_at IS NOT NULL")), 0);
	return s;
}

static const struct tl_enrol_link *
link_of(const struct tl_enrol_links *links, const char *voter)
{
	for (size_t i = 0; i < links->n; i++)
		if (strcmp(links->links[i].voter_id, voter) == 0)
			return &links->links[i];
	ck_abort_msg("no link for %s", voter);
	return NULL;
}

/* Registers an enrolment that must be refused with code, and checks that
 * nothing changed. */
static void
expect_refused(const char *env, int code, const char *part)
{
	struct tl_error err;
	char *before = snapshot(), *after;

	ck_assert_int_eq(tl_enrol_register(store, "e1", env, strlen(env), TH_NOW,
	    NULL, &err), code);
	ck_assert_msg(strstr(err.message, part) != NULL, "\"%s\" lacks \"%s\"",
	    err.message, part);
	after = snapshot();
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
}

START_TEST(issue_keeps_only_hashes)
{
	struct tl_enrol_links *links = NULL, *again = NULL;
	struct tl_error err;
	char hash[TL_HASH_HEX_LEN + 1], sql[256];

	ck_assert_int_eq(tl_enrol_issue(store, "e1", NULL, 0, TH_NOW, EXPIRES,
	    &links, &err), TL_OK);
	/* The voters without a key, in roll order, with their addresses. */
	ck_assert_uint_eq(links->n, 3);
	ck_assert_str_eq(links->links[0].voter_id, "a2");
	ck_assert_str_eq(links->links[0].name, "Ben");
	ck_assert_str_eq(links->links[0].email, "ben@example.org");
	ck_assert_str_eq(links->links[1].voter_id, "a3");
	ck_assert_str_eq(links->links[2].voter_id, "b1");
	for (size_t i = 0; i < links->n; i++) {
		const char *t = links->links[i].token;

		ck_assert_uint_eq(strlen(t), TL_ENROL_TOKEN_LEN);
		ck_assert_uint_eq(strspn(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz0123456789-_"),
		    TL_ENROL_TOKEN_LEN);
		ck_assert_int_eq(links->links[i].expires, EXPIRES);
		/* Stored as its hash, never as itself. */
		tl_sha256_hex(t, strlen(t), hash);
		snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM "
		    "enrolment_tokens WHERE token_hash = '%s'", hash);
		ck_assert_int_eq(th_count(store, sql), 1);
		snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM "
		    "enrolment_tokens WHERE token_hash = '%s' OR "
		    "voter_id = '%s'", t, t);
		ck_assert_int_eq(th_count(store, sql), 0);
	}
	ck_assert_str_ne(links->links[0].token, links->links[1].token);

	/* A named voter with a key, or not on the roll: nothing issued. */
	{
		const char *named[] = {"a2", "a1"};
		const char *unknown[] = {"zz"};

		ck_assert_int_eq(tl_enrol_issue(store, "e1", named, 2, TH_NOW,
		    EXPIRES, &again, &err), TL_ECONFLICT);
		ck_assert_ptr_nonnull(strstr(err.message, "voter a1"));
		ck_assert_int_eq(tl_enrol_issue(store, "e1", unknown, 1, TH_NOW,
		    EXPIRES, &again, &err), TL_ENOTFOUND);
		ck_assert_ptr_null(again);
		ck_assert_int_eq(th_count(store, "enrolment_tokens"), 3);
	}
	ck_assert_int_eq(tl_enrol_issue(store, "e1", NULL, 0, TH_NOW, TH_NOW,
	    &again, &err), TL_EUSAGE);
	ck_assert_int_eq(tl_enrol_issue(store, "e9", NULL, 0, TH_NOW, EXPIRES,
	    &again, &err), TL_ENOTFOUND);
	tl_enrol_links_free(links);
}
END_TEST

START_TEST(lookup_and_its_refusals)
{
	struct tl_enrol_links *links = NULL, *newer = NULL;
	struct tl_error err;
	const char *only_a2[] = {"a2"};
	json_t *doc = NULL;
	char old[TL_ENROL_TOKEN_LEN + 1], bad[TL_ENROL_TOKEN_LEN + 1];

	ck_assert_int_eq(tl_enrol_issue(store, "e1", NULL, 0, TH_NOW, EXPIRES,
	    &links, &err), TL_OK);
	ck_assert_int_eq(tl_enrol_lookup(store, "e1", link_of(links,
	    "a3")->token, TH_NOW, &doc, &err), TL_OK);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "voter")),
	    "a3");
	ck_assert_str_eq(json_string_value(json_object_get(doc, "name")), "Cy");
	ck_assert_str_eq(json_string_value(json_object_get(doc,
	    "constituency")), "a");
	ck_assert_str_eq(json_string_value(json_object_get(doc, "expires")),
	    "2026-11-29T10:00:00Z");
	ck_assert_ptr_null(json_object_get(doc, "email"));
	json_decref(doc);

	/* Expired: at its expiry and after. */
	ck_assert_int_eq(tl_enrol_lookup(store, "e1", link_of(links,
	    "a3")->token, EXPIRES, &doc, &err), TL_EEXPIRED);
	ck_assert_ptr_nonnull(strstr(err.message, "expired at "
	    "2026-11-29T10:00:00Z"));
	/* Unknown, malformed, or of another election. */
	memset(bad, 'A', TL_ENROL_TOKEN_LEN);
	bad[TL_ENROL_TOKEN_LEN] = '\0';
	ck_assert_int_eq(tl_enrol_lookup(store, "e1", bad, TH_NOW, &doc, &err),
	    TL_ENOTFOUND);
	ck_assert_int_eq(tl_enrol_lookup(store, "e1", "short", TH_NOW, &doc,
	    &err), TL_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(err.message, "cut short"));
	ck_assert_int_eq(tl_enrol_lookup(store, "e2", link_of(links,
	    "a3")->token, TH_NOW, &doc, &err), TL_ENOTFOUND);
	/* A newer link replaces the older one. */
	memcpy(old, link_of(links, "a2")->token, sizeof(old));
	ck_assert_int_eq(tl_enrol_issue(store, "e1", only_a2, 1, TH_NOW + 60,
	    EXPIRES, &newer, &err), TL_OK);
	ck_assert_uint_eq(newer->n, 1);
	ck_assert_int_eq(tl_enrol_lookup(store, "e1", old, TH_NOW + 60, &doc,
	    &err), TL_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(err.message, "replaced by a newer one"));
	ck_assert_int_eq(tl_enrol_lookup(store, "e1", newer->links[0].token,
	    TH_NOW + 60, &doc, &err), TL_OK);
	json_decref(doc);
	tl_enrol_links_free(newer);
	tl_enrol_links_free(links);
}
END_TEST

START_TEST(register_once_with_proof)
{
	struct tl_enrol_links *links = NULL;
	struct tl_error err;
	const char *a2, *b1;
	char *env, *voter = NULL, pub[TL_PUBLIC_B64_LEN + 1], sql[256];
	json_t *doc = NULL;

	ck_assert_int_eq(tl_enrol_issue(store, "e1", NULL, 0, TH_NOW, EXPIRES,
	    &links, &err), TL_OK);
	a2 = link_of(links, "a2")->token;
	b1 = link_of(links, "b1")->token;

	/* Signed by another key than the one it registers. */
	env = enrolment("e1", "a2", a2, keys[2], keys[3]);
	expect_refused(env, TL_ESIGNATURE, "not signed by the key it "
	    "registers");
	free(env);
	/* Another voter's link. */
	env = enrolment("e1", "a2", b1, keys[2], keys[2]);
	expect_refused(env, TL_ENOTFOUND, "not valid for voter a2");
	free(env);
	/* A key another voter has (a1's, with a1's own signature). */
	env = enrolment("e1", "a2", a2, keys[0], keys[0]);
	expect_refused(env, TL_EEXISTS, "already the key of another voter");
	free(env);
	/* Sent to another election than it names. */
	env = enrolment("e2", "a2", a2, keys[2], keys[2]);
	expect_refused(env, TL_EWRONGELECTION, "sent to election e1");
	free(env);
	/* Not an enrolment at all. */
	expect_refused("{\"payloadType\":1}", TL_EINPUT, "");
	/* Expired. */
	env = enrolment("e1", "a2", a2, keys[2], keys[2]);
	{
		char *before = snapshot(), *after;

		ck_assert_int_eq(tl_enrol_register(store, "e1", env,
		    strlen(env), EXPIRES + 1, NULL, &err), TL_EEXPIRED);
		after = snapshot();
		ck_assert_str_eq(before, after);
		free(before);
		free(after);
	}

	/* The good one: the key is set, the link used. */
	ck_assert_int_eq(tl_enrol_register(store, "e1", env, strlen(env),
	    TH_NOW + 10, &voter, &err), TL_OK);
	ck_assert_str_eq(voter, "a2");
	free(voter);
	tl_key_public_base64(keys[2], pub);
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM voters WHERE id = 'a2' "
	    "AND public_key = '%s' AND enrolled_at = %lld", pub,
	    (long long)(TH_NOW + 10));
	ck_assert_int_eq(th_count(store, sql), 1);
	/* teller roll list's view: a2 enrolled, a1 imported, a3 pending
	 * with a link that works until EXPIRES. */
	ck_assert_int_eq(tl_enrol_roll(store, "e1", TH_NOW + 20, &doc, &err),
	    TL_OK);
	ck_assert_uint_eq(json_array_size(doc), 5);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(doc,
	    0), "enrolment")), "imported");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(doc,
	    1), "enrolment")), "enrolled");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(doc,
	    1), "enrolled_at")), "2026-11-22T10:00:10Z");
	ck_assert(json_is_null(json_object_get(json_array_get(doc, 1),
	    "link_expires")));
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(doc,
	    2), "enrolment")), "pending");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(doc,
	    2), "link_expires")), "2026-11-29T10:00:00Z");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(doc,
	    2), "email")), "cy@example.org");
	json_decref(doc);
	/* Once the link has expired, none works. */
	ck_assert_int_eq(tl_enrol_roll(store, "e1", EXPIRES, &doc, &err), TL_OK);
	ck_assert(json_is_null(json_object_get(json_array_get(doc, 2),
	    "link_expires")));
	json_decref(doc);
	/* Used once: not again, and the lookup says so. */
	expect_refused(env, TL_ECONFLICT, "already used");
	ck_assert_int_eq(tl_enrol_lookup(store, "e1", a2, TH_NOW, &doc, &err),
	    TL_ECONFLICT);
	free(env);
	/* The same key for another voter: refused. */
	env = enrolment("e1", "b1", b1, keys[2], keys[2]);
	expect_refused(env, TL_EEXISTS, "another voter");
	free(env);
	tl_enrol_links_free(links);
}
END_TEST

START_TEST(roll_freezes_with_every_key)
{
	struct tl_enrol_links *links = NULL;
	struct tl_error err;
	const char *voters[] = {"a2", "a3", "b1"};
	char *env, *roll_entry = NULL, *kind = NULL;
	char pub[TL_PUBLIC_B64_LEN + 1];
	json_t *doc = NULL;
	size_t len = 0;

	ck_assert_int_eq(tl_enrol_issue(store, "e1", NULL, 0, TH_NOW, EXPIRES,
	    &links, &err), TL_OK);
	/* Not while voters have no key: the error names them. */
	ck_assert_int_eq(tl_election_open(store, "e1", TH_NOW, &err), TL_ESTATE);
	ck_assert_ptr_nonnull(strstr(err.message, "3 voters on the roll have "
	    "no key yet (a2, a3, b1)"));
	ck_assert_int_eq(th_count(store, "log"), 0);
	for (size_t i = 0; i < 3; i++) {
		env = enrolment("e1", voters[i], link_of(links,
		    voters[i])->token, keys[2 + i], keys[2 + i]);
		ck_assert_int_eq(tl_enrol_register(store, "e1", env,
		    strlen(env), TH_NOW, NULL, &err), TL_OK);
		free(env);
	}
	/* The page's view of a voter waits for the freeze. */
	ck_assert_int_eq(tl_enrol_voter_info(store, "e1", "a2", &doc, &err),
	    TL_ESTATE);
	ck_assert_int_eq(tl_election_open(store, "e1", TH_NOW, &err), TL_OK);
	/* The frozen roll has the enrolled keys and no e-mail address. */
	ck_assert_int_eq(tl_log_entry(store, "e1", 1, &roll_entry, &len, &kind,
	    &err), TL_OK);
	ck_assert_str_eq(kind, "roll");
	free(kind);
	{
		struct tl_envelope *env_roll = NULL;

		ck_assert_int_eq(tl_envelope_parse(roll_entry, len,
		    TL_ENVELOPE_MAX_ROLL, &env_roll, &err), TL_OK);
		tl_key_public_base64(keys[3], pub);
		ck_assert_ptr_nonnull(strstr((const char *)env_roll->payload,
		    pub));
		ck_assert_ptr_null(strstr((const char *)env_roll->payload,
		    "example.org"));
		ck_assert_ptr_null(strstr((const char *)env_roll->payload,
		    "email"));
		tl_envelope_free(env_roll);
	}
	free(roll_entry);
	/* Enrolment is closed now. */
	ck_assert_int_eq(tl_enrol_lookup(store, "e1", link_of(links,
	    "a2")->token, TH_NOW, &doc, &err), TL_ESTATE);
	ck_assert_ptr_nonnull(strstr(err.message, "enrolment in election e1 "
	    "has closed"));
	{
		struct tl_enrol_links *late = NULL;

		ck_assert_int_eq(tl_enrol_issue(store, "e1", NULL, 0, TH_NOW,
		    EXPIRES, &late, &err), TL_ESTATE);
		ck_assert_ptr_null(late);
	}

	/* What the voting page reads about a voter. */
	ck_assert_int_eq(tl_enrol_voter_info(store, "e1", "a3", &doc, &err),
	    TL_OK);
	tl_key_public_base64(keys[3], pub);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "public_key")),
	    pub);
	ck_assert_str_eq(json_string_value(json_object_get(doc,
	    "constituency")), "a");
	ck_assert_int_eq(json_integer_value(json_object_get(doc, "weight")), 3);
	ck_assert_int_eq(json_integer_value(json_object_get(doc, "ballots")), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(doc, "last_seq")),
	    0);
	ck_assert_ptr_null(json_object_get(doc, "email"));
	json_decref(doc);
	/* A ballot of a3, signed with the key a3 enrolled, is counted
	 * there. */
	{
		struct tl_manifest *m = NULL;
		char hash[TL_HASH_HEX_LEN + 1], *ballot = NULL, *receipt = NULL;
		char payload[256];

		ck_assert_int_eq(tl_election_load(store, "e1", &m, hash, NULL,
		    &err), TL_OK);
		tl_manifest_free(m);
		snprintf(payload, sizeof(payload), "{\"election\":\"e1\","
		    "\"manifest\":\"%s\",\"voter\":\"a3\",\"seq\":4,"
		    "\"selections\":[{\"contest\":\"plu\",\"marks\":"
		    "[\"x\"]}]}", hash);
		ballot = th_sign_ballot(keys[3], payload);
		ck_assert_int_eq(tl_ballot_cast(store, ballot, strlen(ballot),
		    TH_NOW, &receipt, &err), TL_OK);
		free(ballot);
		free(receipt);
	}
	ck_assert_int_eq(tl_enrol_voter_info(store, "e1", "a3", &doc, &err),
	    TL_OK);
	ck_assert_int_eq(json_integer_value(json_object_get(doc, "ballots")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(doc, "last_seq")),
	    4);
	json_decref(doc);
	ck_assert_int_eq(tl_enrol_voter_info(store, "e1", "zz", &doc, &err),
	    TL_ENOTFOUND);
	tl_enrol_links_free(links);
}
END_TEST

/* Runs SQL on the database file directly, as an older teller left it. */
static void
raw_sql(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	char *msg = NULL;

	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_msg(sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK,
	    "%s", msg != NULL ? msg : "");
	sqlite3_close(db);
}

/* A database of schema version 5 (voters' keys NOT NULL, no enrolment
 * tables, nor those of version 7's secret elections), with an open election and a ballot, is brought up to date:
 * its voters in their order, its ballots still pointing at them. */
START_TEST(migration_from_version_5)
{
	struct tl_error err;
	struct tl_store *old = NULL;
	char *odir = th_tmpdir(), *path, hash[TL_HASH_HEX_LEN + 1];
	char payload[256], *ballot, *receipt = NULL;
	struct tl_key **okeys = th_keys(4);

	path = strdup(th_path(odir, "teller.db"));
	old = th_store(odir);
	th_open_election(old, 0, okeys, 2, 2, hash);
	snprintf(payload, sizeof(payload), "{\"election\":\"e1\","
	    "\"manifest\":\"%s\",\"voter\":\"a2\",\"seq\":1,"
	    "\"selections\":[]}", hash);
	ballot = th_sign_ballot(okeys[1], payload);
	ck_assert_int_eq(tl_ballot_cast(old, ballot, strlen(ballot), TH_NOW,
	    &receipt, &err), TL_OK);
	free(ballot);
	free(receipt);
	tl_store_close(old);
	raw_sql(path, "PRAGMA foreign_keys = OFF; BEGIN;"
	    "DROP TABLE credential_keys; DROP TABLE credentials;"
	    "ALTER TABLE ballots DROP COLUMN credential_hash;"
	    "DROP TABLE enrolment_tokens; DROP TABLE notices;"
	    "CREATE TABLE v5 ("
	    "  election_id TEXT NOT NULL REFERENCES elections (id),"
	    "  id TEXT NOT NULL, name TEXT NOT NULL,"
	    "  constituency_id TEXT NOT NULL,"
	    "  weight INTEGER NOT NULL CHECK (weight BETWEEN 1 AND 1000),"
	    "  public_key TEXT NOT NULL, key_id TEXT NOT NULL,"
	    "  PRIMARY KEY (election_id, id), UNIQUE (election_id, key_id),"
	    "  FOREIGN KEY (election_id, constituency_id)"
	    "    REFERENCES constituencies (election_id, id));"
	    "INSERT INTO v5 SELECT election_id, id, name, constituency_id,"
	    "  weight, public_key, key_id FROM voters ORDER BY id DESC;"
	    "DROP TABLE voters; ALTER TABLE v5 RENAME TO voters;"
	    "PRAGMA user_version = 5; COMMIT;");

	ck_assert_int_eq(tl_store_open(path, 0, &old, &err), TL_OK);
	ck_assert_int_eq(th_count(old, "SELECT user_version FROM "
	    "pragma_user_version"), tl_store_schema_version());
	ck_assert_int_eq(th_count(old, "voters"), 4);
	/* The order of import (here: ids descending) is kept. */
	ck_assert_int_eq(th_count(old, "SELECT COUNT(*) FROM voters WHERE "
	    "rowid = 1 AND id = 'b2'"), 1);
	ck_assert_int_eq(th_count(old, "SELECT COUNT(*) FROM "
	    "pragma_foreign_key_check"), 0);
	ck_assert_int_eq(th_count(old, "SELECT COUNT(*) FROM "
	    "pragma_table_info('voters') WHERE name = 'public_key' AND "
	    "\"notnull\" = 0"), 1);
	ck_assert_int_eq(th_count(old, "SELECT foreign_keys FROM "
	    "pragma_foreign_keys"), 1);
	/* Ballots still refer to their voters; a revote is accepted. */
	snprintf(payload, sizeof(payload), "{\"election\":\"e1\","
	    "\"manifest\":\"%s\",\"voter\":\"a2\",\"seq\":2,"
	    "\"selections\":[]}", hash);
	ballot = th_sign_ballot(okeys[1], payload);
	ck_assert_int_eq(tl_ballot_cast(old, ballot, strlen(ballot), TH_NOW,
	    &receipt, &err), TL_OK);
	ck_assert_int_eq(th_count(old, "SELECT COUNT(*) FROM ballots b JOIN "
	    "voters v ON v.election_id = b.election_id AND v.id = b.voter_id"),
	    2);
	free(ballot);
	free(receipt);
	tl_store_close(old);
	th_keys_free(okeys, 4);
	th_rm_rf(odir);
	free(odir);
	free(path);
}
END_TEST

static Suite *
enrol_suite(void)
{
	Suite *s = suite_create("enrol");
	TCase *tc = tcase_create("enrol");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, issue_keeps_only_hashes);
	tcase_add_test(tc, lookup_and_its_refusals);
	tcase_add_test(tc, register_once_with_proof);
	tcase_add_test(tc, roll_freezes_with_every_key);
	tcase_add_test(tc, migration_from_version_5);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return th_run(enrol_suite());
}
