/*
 * credkeys.c: a secret election's credential class keys in the database
 * (credkeys.h): made and logged when the vote opens, read once per
 * connection, and what the election shows of them.  Below the modules
 * that use them (election.c opens the vote, cast.c checks a secret
 * ballot's credential, issuance.c signs with them), it calls none of
 * them.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cycle_internal.h"
#include "store_internal.h"
#include "teller/credential.h"
#include "teller/credkeys.h"
#include "teller/util.h"

/* --- the class keys ---------------------------------------------------------- */

/* The cache entry of an election's classes on this connection, or NULL. */
static struct tl_db_cached_credential_keys *
cached(struct tl_store *store, const char *election)
{
	for (size_t i = 0; i < store->ncredential_keys; i++)
		if (strcmp(store->credential_keys[i].election_id, election) == 0)
			return &store->credential_keys[i];
	return NULL;
}

/* Reads an election's classes and public keys from credential_keys. */
static int
load_keys(struct tl_store *store, const char *election,
    const struct tl_manifest *m, struct tl_credential_keys **out,
    struct tl_error *err)
{
	struct tl_credential_keys *keys = NULL;
	sqlite3_stmt *stmt = NULL;
	size_t cap = 0;
	int r = TL_OK, rc;

	if ((keys = calloc(1, sizeof(*keys))) == NULL)
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	snprintf(keys->election, sizeof(keys->election), "%s", election);
	if ((r = tl_db_prepare(store, "SELECT constituency_id, weight, "
	    "public_key FROM credential_keys WHERE election_id = ? "
	    "ORDER BY position", &stmt, err)) != TL_OK)
		goto out;
	sqlite3_bind_text(stmt, 1, election, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct tl_credential_class *c;

		if (keys->nclasses == cap) {
			size_t n = cap != 0 ? cap * 2 : 8;

			if ((c = realloc(keys->classes, n * sizeof(*c))) ==
			    NULL) {
				r = tl_error_set(err, TL_ENOMEM, "out of memory");
				goto out;
			}
			keys->classes = c;
			cap = n;
		}
		c = &keys->classes[keys->nclasses++];
		memset(c, 0, sizeof(*c));
		c->constituency = tl_manifest_constituency_index(m,
		    (const char *)sqlite3_column_text(stmt, 0));
		c->weight = sqlite3_column_int64(stmt, 1);
		c->der_len = (size_t)sqlite3_column_bytes(stmt, 2);
		if (c->constituency == (size_t)-1) {
			r = tl_error_set(err, TL_EDB, "a class key of election %s "
			    "names an unknown constituency", election);
			goto out;
		}
		if ((c->der = malloc(c->der_len + 1)) == NULL) {
			r = tl_error_set(err, TL_ENOMEM, "out of memory");
			goto out;
		}
		memcpy(c->der, sqlite3_column_blob(stmt, 2), c->der_len);
		if ((r = tl_blindrsa_key_from_public_der(c->der, c->der_len,
		    &c->key, err)) != TL_OK)
			goto out;
	}
	if (rc != SQLITE_DONE) {
		r = tl_db_error(store, err, "cannot read the class keys");
		goto out;
	}
	if (keys->nclasses == 0) {
		r = tl_error_set(err, TL_ENOTFOUND, "election %s has no "
		    "credential keys (it is not secret, or its vote has not "
		    "opened)", election);
		goto out;
	}
	*out = keys;
	keys = NULL;
 out:
	sqlite3_finalize(stmt);
	tl_credential_keys_free(keys);
	return r;
}

int
tl_issuance_keys_cached(struct tl_store *store, const char *election,
    const struct tl_manifest *m, const char *hash,
    const struct tl_credential_keys **keys, struct tl_error *err)
{
	struct tl_db_cached_credential_keys *c = cached(store, election), *grown;
	struct tl_credential_keys *loaded = NULL;
	int r;

	if (c != NULL) {
		*keys = c->keys;
		return TL_OK;
	}
	if ((r = load_keys(store, election, m, &loaded, err)) != TL_OK)
		return r;
	snprintf(loaded->manifest, sizeof(loaded->manifest), "%s", hash);
	if ((grown = realloc(store->credential_keys,
	    (store->ncredential_keys + 1) * sizeof(*grown))) == NULL) {
		tl_credential_keys_free(loaded);
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	}
	store->credential_keys = grown;
	c = &grown[store->ncredential_keys];
	if ((c->election_id = strdup(election)) == NULL) {
		tl_credential_keys_free(loaded);
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	}
	c->keys = loaded;
	c->private_keys = NULL;
	store->ncredential_keys++;
	*keys = loaded;
	return TL_OK;
}

int
tl_issuance_private_key(struct tl_store *store, const char *election,
    size_t index, const struct tl_manifest *m,
    const struct tl_blindrsa_key **out, struct tl_error *err)
{
	struct tl_db_cached_credential_keys *c = cached(store, election);
	const struct tl_credential_class *cls;
	int r;

	if (c == NULL || index >= c->keys->nclasses)
		return tl_error_set(err, TL_EINTERNAL, "class keys not cached");
	if (c->private_keys == NULL && (c->private_keys = calloc(
	    c->keys->nclasses, sizeof(*c->private_keys))) == NULL)
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	cls = &c->keys->classes[index];
	if (c->private_keys[index] == NULL && (r = tl_store_credential_key_get(
	    store, election, m->constituencies[cls->constituency].id,
	    cls->weight, &c->private_keys[index], err)) != TL_OK)
		return r;
	*out = c->private_keys[index];
	return TL_OK;
}

int
tl_issuance_open(struct tl_store *store, const char *id,
    const struct tl_manifest *m, const struct tl_roll *roll,
    const char *hash, const struct tl_key *authority, int64_t now,
    struct tl_error *err)
{
	struct tl_credential_keys *classes = NULL;
	char *payload = NULL;
	size_t len = 0;
	int r;

	if ((r = tl_credential_classes(m, roll, &classes, err)) != TL_OK)
		goto out;
	/* RFC 9474 section 6.2: a key per class, used for nothing else. */
	for (size_t i = 0; i < classes->nclasses; i++) {
		struct tl_credential_class *c = &classes->classes[i];

		if ((r = tl_blindrsa_keygen(TL_BLINDRSA_BITS, &c->key, err)) !=
		    TL_OK ||
		    (r = tl_blindrsa_key_public_der(c->key, &c->der, &c->der_len,
		    err)) != TL_OK ||
		    (r = tl_store_credential_key_put(store, id,
		    m->constituencies[c->constituency].id, c->weight, (int)i,
		    c->key, err)) != TL_OK)
			goto out;
	}
	if ((r = tl_credential_keys_serialize(classes, m, hash, &payload, &len,
	    err)) != TL_OK)
		goto out;
	r = tl_cycle_append_signed(store, id, "credential-keys",
	    TL_TYPE_CREDENTIAL_KEYS, payload, len, authority, now, NULL, NULL,
	    NULL, err);
 out:
	tl_credential_keys_free(classes);
	free(payload);
	return r;
}

/* --- what the election shows ------------------------------------------------------ */

int
tl_election_credential_keys(struct tl_store *store, const char *id,
    char **envelope, struct tl_error *err)
{
	sqlite3_stmt *stmt = NULL;
	int r, ok = 1;

	if ((r = tl_db_prepare(store, "SELECT entry FROM log WHERE "
	    "election_id = ? AND kind = 'credential-keys'", &stmt, err)) !=
	    TL_OK)
		return r;
	sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
	switch (sqlite3_step(stmt)) {
	case SQLITE_ROW:
		*envelope = tl_db_column_strdup(stmt, 0, &ok);
		r = ok && *envelope != NULL ? TL_OK :
		    tl_error_set(err, TL_ENOMEM, "out of memory");
		break;
	case SQLITE_DONE:
		r = tl_error_set(err, TL_ENOTFOUND, "election %s has no "
		    "credential keys: it is not secret, or its vote has not "
		    "opened", id);
		break;
	default:
		r = tl_db_error(store, err, "cannot read the log");
	}
	sqlite3_finalize(stmt);
	return r;
}

static json_t *
class_item(sqlite3_stmt *stmt)
{
	return json_pack("{s:s, s:I, s:I, s:I}", "constituency",
	    (const char *)sqlite3_column_text(stmt, 0), "weight",
	    (json_int_t)sqlite3_column_int64(stmt, 1), "voters",
	    (json_int_t)sqlite3_column_int64(stmt, 2), "issued",
	    (json_int_t)sqlite3_column_int64(stmt, 3));
}

int
tl_election_credential_classes(struct tl_store *store, const char *id,
    json_t **out, struct tl_error *err)
{
	sqlite3_stmt *stmt = NULL;
	int r;

	if ((r = tl_db_prepare(store, "SELECT k.constituency_id, k.weight, "
	    "(SELECT COUNT(*) FROM voters v WHERE v.election_id = k.election_id "
	    "AND v.constituency_id = k.constituency_id AND v.weight = k.weight), "
	    "(SELECT COUNT(*) FROM credentials c JOIN voters v ON "
	    "v.election_id = c.election_id AND v.id = c.voter_id WHERE "
	    "c.election_id = k.election_id AND v.constituency_id = "
	    "k.constituency_id AND v.weight = k.weight) "
	    "FROM credential_keys k WHERE k.election_id = ? ORDER BY k.position",
	    &stmt, err)) != TL_OK)
		return r;
	sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
	return tl_db_collect_json(store, stmt, class_item,
	    "cannot read the credential classes", out, err);
}
