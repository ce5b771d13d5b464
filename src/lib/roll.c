/*
 * roll.c: the voter roll: a strict CSV reader with line-numbered errors, the
 * frozen JSON form that is signed at open, and lookups.
 */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "jsonutil.h"
#include "teller/envelope.h"
#include "teller/roll.h"
#include "teller/util.h"

/* The CSV's columns: the first five required, in any order; email
 * optional. */
enum column { COL_ID, COL_NAME, COL_CONSTITUENCY, COL_WEIGHT, COL_KEY,
    COL_EMAIL, NCOLUMNS };
#define NREQUIRED 5
static const char *const column_names[NCOLUMNS] = {"voter_id", "name",
    "constituency", "weight", "public_key", "email"};
#define HEADER_TEXT "voter_id,name,constituency,weight,public_key and " \
    "optionally email, in any order"

struct tl_roll *
tl_roll_new(void)
{
	return calloc(1, sizeof(struct tl_roll));
}

static void
voter_clear(struct tl_voter *v)
{
	free(v->id);
	free(v->name);
	free(v->constituency);
	free(v->email);
}

void
tl_roll_free(struct tl_roll *roll)
{
	if (roll == NULL)
		return;
	for (size_t i = 0; i < roll->nvoters; i++)
		voter_clear(&roll->voters[i]);
	free(roll->voters);
	free(roll);
}

static struct tl_voter *
roll_push(struct tl_roll *roll)
{
	if (roll->nvoters == roll->cap) {
		size_t cap = roll->cap != 0 ? roll->cap * 2 : 64;
		struct tl_voter *v = realloc(roll->voters, cap * sizeof(*v));

		if (v == NULL)
			return NULL;
		roll->voters = v;
		roll->cap = cap;
	}
	memset(&roll->voters[roll->nvoters], 0, sizeof(struct tl_voter));
	roll->sorted = 0;
	return &roll->voters[roll->nvoters++];
}

/* Checks that a base64 public key decodes to 32 bytes; fills the key id. */
static int
check_public_key(const char *b64, uint8_t public_raw[TL_ED25519_PUBLIC_LEN],
    char key_id[TL_KEYID_LEN + 1])
{
	uint8_t *raw = NULL;
	size_t len = 0;

	if (strlen(b64) != TL_PUBLIC_B64_LEN ||
	    tl_base64_decode(b64, TL_PUBLIC_B64_LEN, &raw, &len) != TL_OK)
		return TL_EINPUT;
	if (len != TL_ED25519_PUBLIC_LEN) {
		free(raw);
		return TL_EINPUT;
	}
	memcpy(public_raw, raw, TL_ED25519_PUBLIC_LEN);
	tl_key_id_raw(raw, key_id);
	free(raw);
	return TL_OK;
}

/* Adds a voter without a key; the caller sets one or leaves it empty. */
static struct tl_voter *
add_voter(struct tl_roll *roll, const char *id, const char *name,
    const char *constituency, size_t constituency_index, int64_t weight)
{
	struct tl_voter *v;

	if ((v = roll_push(roll)) == NULL)
		return NULL;
	v->id = strdup(id);
	v->name = strdup(name);
	v->constituency = strdup(constituency);
	if (v->id == NULL || v->name == NULL || v->constituency == NULL) {
		voter_clear(v);
		roll->nvoters--;
		return NULL;
	}
	v->constituency_index = constituency_index;
	v->weight = weight;
	return v;
}

int
tl_roll_add(struct tl_roll *roll, const char *id, const char *name,
    const char *constituency, size_t constituency_index, int64_t weight,
    const char *public_key)
{
	struct tl_voter *v;

	if (strlen(public_key) != TL_PUBLIC_B64_LEN)
		return TL_EINPUT;
	if ((v = add_voter(roll, id, name, constituency, constituency_index,
	    weight)) == NULL)
		return TL_ENOMEM;
	memcpy(v->public_key, public_key, TL_PUBLIC_B64_LEN + 1);
	if (check_public_key(public_key, v->public_raw, v->key_id) != TL_OK) {
		voter_clear(v);
		roll->nvoters--;
		return TL_EINPUT;
	}
	return TL_OK;
}

int
tl_roll_add_unenrolled(struct tl_roll *roll, const char *id, const char *name,
    const char *constituency, size_t constituency_index, int64_t weight)
{
	return add_voter(roll, id, name, constituency, constituency_index,
	    weight) != NULL ? TL_OK : TL_ENOMEM;
}

int
tl_roll_set_email(struct tl_roll *roll, const char *email)
{
	struct tl_voter *v;
	char *copy;

	if (roll->nvoters == 0)
		return TL_EINTERNAL;
	if ((copy = strdup(email)) == NULL)
		return TL_ENOMEM;
	v = &roll->voters[roll->nvoters - 1];
	free(v->email);
	v->email = copy;
	return TL_OK;
}

int
tl_valid_email(const char *s)
{
	const char *at = strchr(s, '@');
	size_t len = strlen(s);

	if (len < 3 || len > TL_EMAIL_MAX || at == NULL || at == s ||
	    at[1] == '\0' || strchr(at + 1, '@') != NULL)
		return 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p <= 0x20 || *p >= 0x7f || strchr("\"()<>[]\\,;:", *p)
		    != NULL)
			return 0;
	return 1;
}

/* Whether s is valid UTF-8 without control characters. */
static int
valid_text(const char *s)
{
	json_t *probe;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return 0;
	if ((probe = json_string(s)) == NULL) /* Jansson checks UTF-8 */
		return 0;
	json_decref(probe);
	return 1;
}

/*
 * The CSV reader: splits one record (one physical line) into fields.
 * Quoted fields may hold commas and doubled quotes, not line ends.
 * Returns the number of fields (the first max of them in fields, the
 * others only counted), or -1 with a reason.
 */
static int
split_record(char *line, char **fields, int max, const char **reason)
{
	char *p = line, *w, *extra;
	int n = 0;

	for (;;) {
		char **field = n < max ? &fields[n] : &extra;

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '"') {
			*field = w = ++p;
			for (;;) {
				if (*p == '\0') {
					*reason = "a quoted field is not closed "
					    "(quoted fields cannot span lines)";
					return -1;
				}
				if (*p == '"' && p[1] == '"') {
					*w++ = '"';
					p += 2;
				} else if (*p == '"') {
					p++;
					break;
				} else
					*w++ = *p++;
			}
			*w = '\0';
			while (*p == ' ' || *p == '\t')
				p++;
			n++;
			if (*p == '\0')
				return n;
			if (*p != ',') {
				*reason = "text after a closing quote";
				return -1;
			}
			p++;
		} else {
			char *end;

			*field = p;
			while (*p != '\0' && *p != ',') {
				if (*p == '"') {
					*reason = "a quote inside an unquoted field";
					return -1;
				}
				p++;
			}
			end = p;
			while (end > *field && (end[-1] == ' ' ||
			    end[-1] == '\t'))
				end--;
			n++;
			if (*p == '\0') {
				*end = '\0';
				return n;
			}
			*end = '\0';
			p++;
		}
	}
}

struct sort_entry {
	const char *key;
	size_t index;
};

static int
sort_entry_cmp(const void *a, const void *b)
{
	const struct sort_entry *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (c != 0)
		return c;
	return x->index < y->index ? -1 : x->index > y->index;
}

/*
 * Finds duplicates of voter id or key in O(n log n).  Reports the duplicate
 * that appears earliest in the file.
 */
static int
check_duplicates(const struct tl_roll *roll, const char *filename,
    struct tl_error *err)
{
	struct sort_entry *entries;
	size_t n = roll->nvoters, bad_line = 0, first_line = 0;
	const char *what = NULL, *value = NULL;

	if (n < 2)
		return TL_OK;
	if ((entries = calloc(n, sizeof(*entries))) == NULL)
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < n; i++) {
			entries[i].key = pass == 0 ? roll->voters[i].id :
			    roll->voters[i].public_key;
			entries[i].index = i;
		}
		qsort(entries, n, sizeof(*entries), sort_entry_cmp);
		for (size_t i = 1; i < n; i++) {
			const struct tl_voter *a, *b;

			/* Voters still to enrol share the empty key. */
			if (strcmp(entries[i - 1].key, entries[i].key) != 0 ||
			    *entries[i].key == '\0')
				continue;
			a = &roll->voters[entries[i - 1].index];
			b = &roll->voters[entries[i].index];
			if (bad_line == 0 || b->line < bad_line) {
				bad_line = b->line;
				first_line = a->line;
				what = pass == 0 ? "voter_id" : "public_key";
				value = pass == 0 ? b->id : a->id;
			}
		}
	}
	free(entries);
	if (bad_line == 0)
		return TL_OK;
	if (strcmp(what, "voter_id") == 0)
		return tl_error_set(err, TL_EROLL,
		    "%s:%zu: voter_id: \"%s\" is already on line %zu", filename,
		    bad_line, value, first_line);
	return tl_error_set(err, TL_EROLL,
	    "%s:%zu: public_key: the same key as voter \"%s\" on line %zu",
	    filename, bad_line, value, first_line);
}

/* Whether weight is within the bounds the manifest sets for the voters of
 * constituency ci (its "weights"). */
static int
weight_in_bounds(const struct tl_manifest *manifest, size_t ci,
    int64_t weight)
{
	const struct tl_constituency *c = &manifest->constituencies[ci];

	return weight >= c->weight_min && weight <= c->weight_max;
}

/* TL_EROLL saying that voter's weight is outside its constituency's
 * bounds; `where` says where the weight is written. */
static int
weight_out_of_bounds(const struct tl_manifest *manifest, size_t ci,
    int64_t weight, const char *where, const char *voter,
    struct tl_error *err)
{
	const struct tl_constituency *c = &manifest->constituencies[ci];

	return tl_error_set(err, TL_EROLL, "%s: voter %s has weight %lld, "
	    "outside the weights of constituency %s, %lld to %lld (the "
	    "manifest's constituencies[%zu].weights)", where, voter,
	    (long long)weight, c->id, (long long)c->weight_min,
	    (long long)c->weight_max, ci);
}

/* The columns of the header line: col[c] gets the field index of column c
 * (-1 for an absent optional column). */
static int
parse_header(char **fields, int nf, const char *filename, size_t lineno,
    int col[NCOLUMNS], struct tl_error *err)
{
	for (int c = 0; c < NCOLUMNS; c++)
		col[c] = -1;
	for (int i = 0; i < nf; i++) {
		int c = 0;

		while (c < NCOLUMNS && strcmp(fields[i], column_names[c]) != 0)
			c++;
		if (c == NCOLUMNS)
			return tl_error_set(err, TL_EROLL,
			    "%s:%zu: the header's field %d is \"%.40s\", which "
			    "is not a column (the header is " HEADER_TEXT ")",
			    filename, lineno, i + 1, fields[i]);
		if (col[c] >= 0)
			return tl_error_set(err, TL_EROLL,
			    "%s:%zu: the header names column %s twice", filename,
			    lineno, column_names[c]);
		col[c] = i;
	}
	for (int c = 0; c < NREQUIRED; c++)
		if (col[c] < 0)
			return tl_error_set(err, TL_EROLL,
			    "%s:%zu: the header has no column %s (the header is "
			    HEADER_TEXT ")", filename, lineno, column_names[c]);
	return TL_OK;
}

static int
parse_voter_line(struct tl_roll *roll, char **fields, const int col[NCOLUMNS],
    size_t lineno, const char *filename, const struct tl_manifest *manifest,
    struct tl_error *err)
{
	const char *id = fields[col[COL_ID]], *name = fields[col[COL_NAME]];
	const char *constituency = fields[col[COL_CONSTITUENCY]];
	const char *weight_text = fields[col[COL_WEIGHT]];
	const char *key = fields[col[COL_KEY]];
	const char *email = col[COL_EMAIL] >= 0 ? fields[col[COL_EMAIL]] : "";
	size_t ci;
	int64_t weight;
	int r;

	if (!tl_valid_id(id))
		return tl_error_set(err, TL_EROLL,
		    "%s:%zu: voter_id: \"%.64s\" is not a valid id (1 to 64 of "
		    "A-Z a-z 0-9 . _ -, starting with a letter or digit)",
		    filename, lineno, id);
	if (*name == '\0' || strlen(name) > 200 || !valid_text(name))
		return tl_error_set(err, TL_EROLL,
		    "%s:%zu: name: must be 1 to 200 bytes of UTF-8 text "
		    "(voter %s)", filename, lineno, id);
	ci = tl_manifest_constituency_index(manifest, constituency);
	if (ci == (size_t)-1)
		return tl_error_set(err, TL_EROLL,
		    "%s:%zu: constituency: \"%.64s\" is not a constituency of "
		    "election %s (voter %s)", filename, lineno, constituency,
		    manifest->id, id);
	if (tl_parse_int64(weight_text, 1, TL_WEIGHT_MAX, &weight) != TL_OK)
		return tl_error_set(err, TL_EROLL,
		    "%s:%zu: weight: \"%.32s\" is not a whole number from 1 to "
		    "%d (voter %s)", filename, lineno, weight_text,
		    TL_WEIGHT_MAX, id);
	if (!weight_in_bounds(manifest, ci, weight)) {
		char where[512];

		snprintf(where, sizeof(where), "%s:%zu: weight", filename,
		    lineno);
		return weight_out_of_bounds(manifest, ci, weight, where, id,
		    err);
	}
	if (*email != '\0' && !tl_valid_email(email))
		return tl_error_set(err, TL_EROLL,
		    "%s:%zu: email: \"%.64s\" is not an e-mail address teller "
		    "can send to (one @, printable ASCII, no spaces, quotes, "
		    "brackets, commas or semicolons) (voter %s)", filename,
		    lineno, email, id);
	if (*key == '\0' && *email == '\0')
		return tl_error_set(err, TL_EROLL,
		    "%s:%zu: public_key: empty, and the voter has no email to "
		    "send an enrolment link to: give one or the other (voter "
		    "%s)", filename, lineno, id);
	if (*key == '\0')
		r = tl_roll_add_unenrolled(roll, id, name,
		    manifest->constituencies[ci].id, ci, weight);
	else
		r = tl_roll_add(roll, id, name, manifest->constituencies[ci].id,
		    ci, weight, key);
	if (r == TL_EINPUT)
		return tl_error_set(err, TL_EROLL,
		    "%s:%zu: public_key: \"%.60s\" is not the base64 of a "
		    "32-byte Ed25519 public key (voter %s)", filename, lineno,
		    key, id);
	if (r == TL_OK && *email != '\0')
		r = tl_roll_set_email(roll, email);
	if (r != TL_OK)
		return tl_error_set(err, r, "out of memory");
	roll->voters[roll->nvoters - 1].line = lineno;
	return TL_OK;
}

int
tl_roll_parse_csv(const char *data, size_t len, const char *filename,
    const struct tl_manifest *manifest, struct tl_roll **out,
    struct tl_error *err)
{
	struct tl_roll *roll = NULL;
	const char *p = data, *end = data + len;
	char line[TL_ROLL_MAX_LINE + 2];
	size_t lineno = 0;
	int r = TL_OK, ncolumns = 0, col[NCOLUMNS];

	if (len > TL_ROLL_MAX_BYTES)
		return tl_error_set(err, TL_ETOOBIG,
		    "%s: %zu bytes is over the limit of %d", filename, len,
		    TL_ROLL_MAX_BYTES);
	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	if ((roll = tl_roll_new()) == NULL)
		return tl_error_set(err, TL_ENOMEM, "out of memory");
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		char *fields[NCOLUMNS];
		const char *reason = NULL;
		int nf;

		lineno++;
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n > TL_ROLL_MAX_LINE) {
			r = tl_error_set(err, TL_EROLL,
			    "%s:%zu: line longer than %d bytes", filename,
			    lineno, TL_ROLL_MAX_LINE);
			goto out;
		}
		if (memchr(p, '\0', n) != NULL) {
			r = tl_error_set(err, TL_EROLL,
			    "%s:%zu: contains a NUL byte", filename, lineno);
			goto out;
		}
		memcpy(line, p, n);
		line[n] = '\0';
		p = nl != NULL ? nl + 1 : end;
		if (line[strspn(line, " \t")] == '\0')
			continue; /* blank line */
		nf = split_record(line, fields, ncolumns != 0 ? ncolumns :
		    NCOLUMNS, &reason);
		if (nf < 0) {
			r = tl_error_set(err, TL_EROLL, "%s:%zu: %s", filename,
			    lineno, reason);
			goto out;
		}
		if (ncolumns == 0) {
			if (nf < NREQUIRED) {
				r = tl_error_set(err, TL_EROLL,
				    "%s:%zu: %d fields, expected at least %d "
				    "(the header " HEADER_TEXT ")", filename,
				    lineno, nf, NREQUIRED);
				goto out;
			}
			if ((r = parse_header(fields, nf, filename, lineno, col,
			    err)) != TL_OK)
				goto out;
			ncolumns = nf;
			continue;
		}
		if (nf != ncolumns) {
			r = tl_error_set(err, TL_EROLL,
			    "%s:%zu: %d fields, expected %d (as the header has)",
			    filename, lineno, nf, ncolumns);
			goto out;
		}
		if (roll->nvoters >= TL_ROLL_MAX_VOTERS) {
			r = tl_error_set(err, TL_ETOOBIG,
			    "%s:%zu: more than %d voters", filename, lineno,
			    TL_ROLL_MAX_VOTERS);
			goto out;
		}
		if ((r = parse_voter_line(roll, fields, col, lineno, filename,
		    manifest, err)) != TL_OK)
			goto out;
	}
	if (ncolumns == 0) {
		r = tl_error_set(err, TL_EROLL, "%s: empty file; expected the "
		    "header " HEADER_TEXT, filename);
		goto out;
	}
	if ((r = check_duplicates(roll, filename, err)) != TL_OK)
		goto out;
	*out = roll;
	roll = NULL;
 out:
	tl_roll_free(roll);
	return r;
}

int
tl_roll_write_csv(const struct tl_roll *roll, struct tl_buf *out)
{
	int r = tl_buf_adds(out, "voter_id,name,constituency,weight,"
	    "public_key,email\n");

	for (size_t i = 0; r == TL_OK && i < roll->nvoters; i++) {
		const struct tl_voter *v = &roll->voters[i];

		if ((r = tl_buf_add_csv_field(out, v->id)) != TL_OK ||
		    (r = tl_buf_addc(out, ',')) != TL_OK ||
		    (r = tl_buf_add_csv_field(out, v->name)) != TL_OK ||
		    (r = tl_buf_addc(out, ',')) != TL_OK ||
		    (r = tl_buf_add_csv_field(out, v->constituency)) != TL_OK ||
		    (r = tl_buf_addf(out, ",%lld,%s,", (long long)v->weight,
		    tl_voter_has_key(v) ? v->public_key : "")) != TL_OK ||
		    (r = tl_buf_add_csv_field(out, v->email != NULL ? v->email :
		    "")) != TL_OK)
			break;
		r = tl_buf_addc(out, '\n');
	}
	return r;
}

int
tl_roll_serialize(const struct tl_roll *roll, const char *election_id,
    const char *manifest_hash, char **out, size_t *len)
{
	json_t *root, *voters;
	int r;

	for (size_t i = 0; i < roll->nvoters; i++)
		if (!tl_voter_has_key(&roll->voters[i]))
			return TL_EINPUT;
	if ((voters = json_array()) == NULL)
		return TL_ENOMEM;
	for (size_t i = 0; i < roll->nvoters; i++) {
		const struct tl_voter *v = &roll->voters[i];
		json_t *item = json_pack("{s:s, s:s, s:s, s:I, s:s}", "id", v->id,
		    "name", v->name, "constituency", v->constituency, "weight",
		    (json_int_t)v->weight, "public_key", v->public_key);

		if (item == NULL || json_array_append_new(voters, item) != 0) {
			json_decref(voters);
			return TL_ENOMEM;
		}
	}
	root = json_pack("{s:s, s:s, s:o}", "election", election_id, "manifest",
	    manifest_hash, "voters", voters);
	if (root == NULL)
		return TL_ENOMEM;
	r = tl_json_dump(root, out, len);
	json_decref(root);
	return r;
}

/*
 * tl_roll_parse_canonical: the fast path of tl_roll_parse_json, for a roll
 * in exactly the form tl_roll_serialize writes (see the scanner in
 * jsonutil.h): a record's roll can hold a million voters.  It accepts
 * only what the general path accepts, with the same result; for anything
 * else (another form, or any problem at all) it returns TL_EINPUT and the
 * caller parses with Jansson.
 */
int
tl_roll_parse_canonical(const char *data, size_t len,
    const struct tl_manifest *manifest, char **election_id,
    char manifest_hash[TL_HASH_HEX_LEN + 1], struct tl_roll **out)
{
	const char *p = data, *end = data + len;
	struct tl_roll *roll = NULL;
	char election[256], hash[TL_HASH_HEX_LEN + 2];
	char id[80], name[1024], constituency[256];
	char key[TL_PUBLIC_B64_LEN + 2];
	struct tl_error ignored;
	int r = TL_EINPUT;

	if (!TL_JSON_TAKE(&p, end, "{\"election\":\"") ||
	    !tl_json_take_string(&p, end, election, sizeof(election)) ||
	    !TL_JSON_TAKE(&p, end, ",\"manifest\":\"") ||
	    !tl_json_take_string(&p, end, hash, sizeof(hash)) ||
	    strlen(hash) != TL_HASH_HEX_LEN ||
	    !TL_JSON_TAKE(&p, end, ",\"voters\":["))
		return TL_EINPUT;
	if ((roll = tl_roll_new()) == NULL)
		return TL_ENOMEM;
	for (size_t i = 0; !TL_JSON_TAKE(&p, end, "]}"); i++) {
		int64_t weight;
		size_t ci;

		if ((i > 0 && !TL_JSON_TAKE(&p, end, ",")) ||
		    !TL_JSON_TAKE(&p, end, "{\"id\":\"") ||
		    !tl_json_take_string(&p, end, id, sizeof(id)) ||
		    !TL_JSON_TAKE(&p, end, ",\"name\":\"") ||
		    !tl_json_take_string(&p, end, name, sizeof(name)) ||
		    !TL_JSON_TAKE(&p, end, ",\"constituency\":\"") ||
		    !tl_json_take_string(&p, end, constituency,
		    sizeof(constituency)) ||
		    !TL_JSON_TAKE(&p, end, ",\"weight\":") ||
		    !tl_json_take_positive(&p, end, TL_WEIGHT_MAX,
		    &weight) ||
		    !TL_JSON_TAKE(&p, end, ",\"public_key\":\"") ||
		    !tl_json_take_string(&p, end, key, sizeof(key)) ||
		    !TL_JSON_TAKE(&p, end, "}") || !tl_valid_id(id) ||
		    (ci = tl_manifest_constituency_index(manifest,
		    constituency)) == (size_t)-1 ||
		    !weight_in_bounds(manifest, ci, weight))
			goto out;
		if ((r = tl_roll_add(roll, id, name, constituency, ci, weight,
		    key)) != TL_OK) {
			if (r != TL_ENOMEM)
				r = TL_EINPUT;
			goto out;
		}
		r = TL_EINPUT;
		roll->voters[roll->nvoters - 1].line = i + 1;
	}
	if (p != end || check_duplicates(roll, "roll", &ignored) != TL_OK)
		goto out;
	if ((*election_id = strdup(election)) == NULL) {
		r = TL_ENOMEM;
		goto out;
	}
	memcpy(manifest_hash, hash, TL_HASH_HEX_LEN + 1);
	*out = roll;
	return TL_OK;
 out:
	tl_roll_free(roll);
	return r;
}

int
tl_roll_parse_json(const char *data, size_t len,
    const struct tl_manifest *manifest, char **election_id,
    char manifest_hash[TL_HASH_HEX_LEN + 1], struct tl_roll **out,
    struct tl_error *err)
{
	static const char *const keys[] = {"election", "manifest", "voters",
	    NULL};
	static const char *const voter_keys[] = {"id", "name", "constituency",
	    "weight", "public_key", NULL};
	struct tl_roll *roll = NULL;
	json_t *root = NULL, *voters;
	const char *election, *hash;
	char where[64];
	int r;

	if (len <= TL_ROLL_MAX_BYTES && (r = tl_roll_parse_canonical(data, len,
	    manifest, election_id, manifest_hash, out)) != TL_EINPUT) {
		if (r != TL_OK)
			tl_error_set(err, r, "out of memory");
		return r;
	}
	if ((r = tl_json_load(data, len, TL_ROLL_MAX_BYTES, "roll", TL_EROLL,
	    &root, err)) != TL_OK)
		return r;
	if (!json_is_object(root)) {
		r = tl_error_set(err, TL_EROLL, "roll: must be a JSON object");
		goto out;
	}
	if ((r = tl_json_only_keys(root, keys, "roll", TL_EROLL, err)) !=
	    TL_OK ||
	    (r = tl_json_string(root, "election", 1, "roll", TL_EROLL,
	    &election, err)) != TL_OK ||
	    (r = tl_json_string(root, "manifest", 1, "roll", TL_EROLL, &hash,
	    err)) != TL_OK ||
	    (r = tl_json_array(root, "voters", 1, "roll", TL_EROLL, &voters,
	    err)) != TL_OK)
		goto out;
	if (strlen(hash) != TL_HASH_HEX_LEN) {
		r = tl_error_set(err, TL_EROLL,
		    "roll.manifest: not a SHA-256 in hex");
		goto out;
	}
	if ((roll = tl_roll_new()) == NULL) {
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < json_array_size(voters); i++) {
		json_t *item = json_array_get(voters, i);
		const char *id, *name, *constituency, *key;
		int64_t weight = 0;
		size_t ci;

		snprintf(where, sizeof(where), "roll.voters[%zu]", i);
		if (!json_is_object(item)) {
			r = tl_error_set(err, TL_EROLL, "%s: must be an object",
			    where);
			goto out;
		}
		if ((r = tl_json_only_keys(item, voter_keys, where, TL_EROLL,
		    err)) != TL_OK ||
		    (r = tl_json_string(item, "id", 1, where, TL_EROLL, &id,
		    err)) != TL_OK ||
		    (r = tl_json_string(item, "name", 1, where, TL_EROLL, &name,
		    err)) != TL_OK ||
		    (r = tl_json_string(item, "constituency", 1, where, TL_EROLL,
		    &constituency, err)) != TL_OK ||
		    (r = tl_json_int(item, "weight", 1, 1, TL_WEIGHT_MAX, where,
		    TL_EROLL, &weight, err)) != TL_OK ||
		    (r = tl_json_string(item, "public_key", 1, where, TL_EROLL,
		    &key, err)) != TL_OK)
			goto out;
		if (!tl_valid_id(id)) {
			r = tl_error_set(err, TL_EROLL, "%s.id: not a valid id",
			    where);
			goto out;
		}
		ci = tl_manifest_constituency_index(manifest, constituency);
		if (ci == (size_t)-1) {
			r = tl_error_set(err, TL_EROLL,
			    "%s.constituency: \"%.64s\" is not in the manifest",
			    where, constituency);
			goto out;
		}
		if (!weight_in_bounds(manifest, ci, weight)) {
			char at[80];

			snprintf(at, sizeof(at), "%s.weight", where);
			r = weight_out_of_bounds(manifest, ci, weight, at, id,
			    err);
			goto out;
		}
		if ((r = tl_roll_add(roll, id, name, constituency, ci, weight,
		    key)) != TL_OK) {
			r = tl_error_set(err, r == TL_ENOMEM ? TL_ENOMEM :
			    TL_EROLL, "%s.public_key: not the base64 of a "
			    "32-byte key", where);
			goto out;
		}
		roll->voters[roll->nvoters - 1].line = i + 1;
	}
	if ((r = check_duplicates(roll, "roll", err)) != TL_OK)
		goto out;
	if ((*election_id = strdup(election)) == NULL) {
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto out;
	}
	memcpy(manifest_hash, hash, TL_HASH_HEX_LEN + 1);
	*out = roll;
	roll = NULL;
 out:
	tl_roll_free(roll);
	json_decref(root);
	return r;
}

static int
voter_id_cmp(const void *a, const void *b)
{
	const struct tl_voter *x = a, *y = b;

	return strcmp(x->id, y->id);
}

void
tl_roll_sort(struct tl_roll *roll)
{
	if (roll->nvoters > 1)
		qsort(roll->voters, roll->nvoters, sizeof(*roll->voters),
		    voter_id_cmp);
	roll->sorted = 1;
}

const struct tl_voter *
tl_roll_find(const struct tl_roll *roll, const char *voter_id)
{
	if (roll->sorted) {
		struct tl_voter probe;

		memset(&probe, 0, sizeof(probe));
		probe.id = (char *)(uintptr_t)voter_id;
		return bsearch(&probe, roll->voters, roll->nvoters,
		    sizeof(*roll->voters), voter_id_cmp);
	}
	for (size_t i = 0; i < roll->nvoters; i++)
		if (strcmp(roll->voters[i].id, voter_id) == 0)
			return &roll->voters[i];
	return NULL;
}

int
tl_roll_open_entry(const char *entry, size_t len, const struct tl_manifest *m,
    const char *manifest_hash, const struct tl_key *authority,
    struct tl_roll **out, struct tl_error *err)
{
	struct tl_envelope *env = NULL;
	struct tl_roll *roll = NULL;
	char *election = NULL, hash[TL_HASH_HEX_LEN + 1];
	int r;

	if ((r = tl_envelope_parse(entry, len, TL_ENVELOPE_MAX_ROLL, &env,
	    err)) != TL_OK ||
	    (r = tl_envelope_expect_type(env, TL_TYPE_ROLL, err)) != TL_OK) {
		tl_error_prefix(err, "the roll entry");
		r = r == TL_ENOMEM ? r : TL_EROLL;
		goto out;
	}
	if ((r = tl_envelope_verify(env, authority, err)) != TL_OK) {
		tl_error_prefix(err, "the roll is not signed by the election's "
		    "authority");
		goto out;
	}
	if ((r = tl_roll_parse_json((const char *)env->payload,
	    env->payload_len, m, &election, hash, &roll, err)) != TL_OK)
		goto out;
	if (strcmp(election, m->id) != 0 || strcmp(hash, manifest_hash) != 0) {
		r = tl_error_set(err, TL_EWRONGELECTION, "the roll is of election "
		    "%s and manifest %.16s..., not of %s and %.16s...", election,
		    hash, m->id, manifest_hash);
		goto out;
	}
	tl_roll_sort(roll);
	*out = roll;
	roll = NULL;
 out:
	tl_envelope_free(env);
	tl_roll_free(roll);
	free(election);
	return r;
}
