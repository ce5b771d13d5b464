/*
 * turnout.c: the turnout of an election from its record's roll and the
 * voters who voted, and its renderings for people (text), programs (JSON)
 * and spreadsheets (CSV).
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "teller/report.h"
#include "teller/turnout.h"

static int
voter_cmp(const void *a, const void *b)
{
	const struct tl_voter *const *x = a, *const *y = b;

	return strcmp((*x)->id, (*y)->id);
}

static int
id_cmp(const void *key, const void *elem)
{
	const struct tl_voter *const *v = elem;

	return strcmp(key, (*v)->id);
}

int
tl_turnout_compute(const struct tl_manifest *m, const struct tl_roll *roll,
    const char *const *voted, size_t nvoted, json_t **out,
    struct tl_error *err)
{
	const struct tl_voter **sorted = NULL;
	char *flag = NULL;
	json_t *doc = NULL, *list;
	int r = TL_OK;

	sorted = calloc(roll->nvoters + 1, sizeof(*sorted));
	flag = calloc(roll->nvoters + 1, 1);
	if (sorted == NULL || flag == NULL) {
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < roll->nvoters; i++)
		sorted[i] = &roll->voters[i];
	qsort(sorted, roll->nvoters, sizeof(*sorted), voter_cmp);
	for (size_t i = 0; i < nvoted; i++) {
		const struct tl_voter **found = bsearch(voted[i], sorted,
		    roll->nvoters, sizeof(*sorted), id_cmp);

		if (found == NULL) {
			r = tl_error_set(err, TL_EINPUT, "voter %.64s voted but is "
			    "not on the roll", voted[i]);
			goto out;
		}
		flag[found - sorted] = 1;
	}
	list = json_array();
	doc = json_pack("{s:s, s:s, s:s, s:o}", "election", m->id, "title",
	    m->title, "secrecy", m->secrecy == TL_SECRECY_SECRET ? "secret" :
	    "open", "constituencies", list);
	if (doc == NULL) {
		r = tl_error_set(err, TL_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t ci = 0; ci < m->nconstituencies; ci++) {
		int64_t eligible = 0, weight = 0, n = 0, w = 0;
		char pct[32], pct_weighted[32];
		json_t *voters = json_array(), *item;

		for (size_t i = 0; voters != NULL && i < roll->nvoters; i++) {
			const struct tl_voter *v = sorted[i];

			if (v->constituency_index != ci)
				continue;
			eligible++;
			weight += v->weight;
			n += flag[i];
			w += flag[i] ? v->weight : 0;
			json_array_append_new(voters, json_pack("{s:s, s:s, s:I, "
			    "s:b}", "id", v->id, "name", v->name, "weight",
			    (json_int_t)v->weight, "voted", flag[i]));
		}
		tl_report_percent(n, eligible, pct);
		tl_report_percent(w, weight, pct_weighted);
		item = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:s, s:s, s:o}",
		    "constituency", m->constituencies[ci].id, "name",
		    m->constituencies[ci].name, "eligible", (json_int_t)eligible,
		    "eligible_weight", (json_int_t)weight, "voted", (json_int_t)n,
		    "voted_weight", (json_int_t)w, "percent", pct,
		    "percent_weighted", pct_weighted, "voters", voters);
		if (item == NULL || json_array_append_new(list, item) != 0) {
			r = tl_error_set(err, TL_ENOMEM, "out of memory");
			goto out;
		}
	}
	*out = doc;
	doc = NULL;
 out:
	json_decref(doc);
	free(sorted);
	free(flag);
	return r;
}

static json_int_t
number(const json_t *obj, const char *key)
{
	return json_integer_value(json_object_get(obj, key));
}

static const char *
text(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s != NULL ? s : "";
}

static int
render_text(const json_t *doc, struct tl_buf *out)
{
	const json_t *c, *v;
	size_t i, j;
	/* In a secret election, who obtained a credential: no ballot names
	 * its voter. */
	int secret = strcmp(text(doc, "secrecy"), "secret") == 0;
	const char *voted = secret ? "obtained a credential" : "voted";
	int r;

	r = tl_buf_addf(out, "Turnout of election %s: %s\n", text(doc,
	    "election"), text(doc, "title"));
	if (r == TL_OK && secret)
		r = tl_buf_adds(out, "A secret election: a voter counts as voted "
		    "once they obtained a credential\n(their ballot names no "
		    "one, so whether they cast it is not known).\n");
	json_array_foreach(json_object_get(doc, "constituencies"), i, c) {
		if (r == TL_OK)
			r = tl_buf_addf(out, "\n%s (%s)\n"
			    "  %s: %" JSON_INTEGER_FORMAT " of %"
			    JSON_INTEGER_FORMAT " voters (%s); weight %"
			    JSON_INTEGER_FORMAT " of %" JSON_INTEGER_FORMAT
			    " (%s)\n", text(c, "name"), text(c, "constituency"),
			    voted, number(c, "voted"), number(c, "eligible"),
			    text(c, "percent"), number(c, "voted_weight"),
			    number(c, "eligible_weight"),
			    text(c, "percent_weighted"));
		json_array_foreach(json_object_get(c, "voters"), j, v)
			if (r == TL_OK)
				r = tl_buf_addf(out, "  %-*s %s  %s (weight %"
				    JSON_INTEGER_FORMAT ")\n", secret ? 10 : 9,
				    json_is_true(json_object_get(v, "voted")) ?
				    (secret ? "credential" : "voted") : "-",
				    text(v, "id"), text(v, "name"),
				    number(v, "weight"));
	}
	return r;
}

static int
render_csv(const json_t *doc, struct tl_buf *out)
{
	const json_t *c, *v;
	size_t i, j;
	int r = tl_buf_adds(out, "constituency,voter_id,name,weight,voted\n");

	json_array_foreach(json_object_get(doc, "constituencies"), i, c)
		json_array_foreach(json_object_get(c, "voters"), j, v) {
			if (r == TL_OK)
				r = tl_buf_add_csv_field(out, text(c, "constituency"));
			if (r == TL_OK)
				r = tl_buf_addc(out, ',');
			if (r == TL_OK)
				r = tl_buf_add_csv_field(out, text(v, "id"));
			if (r == TL_OK)
				r = tl_buf_addc(out, ',');
			if (r == TL_OK)
				r = tl_buf_add_csv_field(out, text(v, "name"));
			if (r == TL_OK)
				r = tl_buf_addf(out, ",%" JSON_INTEGER_FORMAT ",%s\n",
				    number(v, "weight"),
				    json_is_true(json_object_get(v, "voted")) ?
				    "yes" : "no");
		}
	return r;
}

int
tl_turnout_render(const json_t *doc, const char *format, struct tl_buf *out,
    struct tl_error *err)
{
	char *json;
	int r;

	if (strcmp(format, "text") == 0)
		r = render_text(doc, out);
	else if (strcmp(format, "csv") == 0)
		r = render_csv(doc, out);
	else if (strcmp(format, "json") == 0) {
		if ((json = json_dumps(doc, JSON_INDENT(2) |
		    JSON_PRESERVE_ORDER)) == NULL)
			return tl_error_set(err, TL_ENOMEM, "out of memory");
		r = tl_buf_adds(out, json);
		if (r == TL_OK)
			r = tl_buf_addc(out, '\n');
		free(json);
	} else
		return tl_error_set(err, TL_EUSAGE, "--format must be text, json "
		    "or csv, not \"%.32s\"", format);
	if (r != TL_OK)
		return tl_error_set(err, r, "cannot render the turnout");
	return TL_OK;
}
