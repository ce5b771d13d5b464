/*
 * cmd-record.c: teller export (write an election's public record) and
 * teller verify (check a record offline and say why it is valid or not).
 */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "teller/record.h"
#include "teller/report.h"
#include "teller/turnout.h"
#include "teller/util.h"
#include "teller/witness.h"

/* --- teller export ------------------------------------------------------- */

static int
write_stream(void *ctx, const char *data, size_t len)
{
	return fwrite(data, 1, len, ctx) == len ? 0 : -1;
}

static int
export_option(int opt, const char *arg, void *ctx)
{
	const char **output = ctx;

	if (opt == 'o') {
		*output = arg;
		return 0;
	}
	return EXIT_USAGE;
}

/* Exports into path as every -o FILE is written (tl_output_open): a
 * regular file through a temporary file and a rename, so that a reader
 * never sees half a record. */
static int
export_to_file(struct tl_store *store, const char *id, const char *path)
{
	struct tl_output *out = NULL;
	struct tl_error err;

	tl_error_clear(&err);
	if (tl_output_open(path, 0644, &out, &err) != TL_OK)
		return cli_fail(&err);
	if (tl_record_export(store, id, write_stream, tl_output_stream(out),
	    &err) != TL_OK) {
		tl_output_discard(out);
		return cli_fail(&err);
	}
	if (tl_output_close(out, &err) != TL_OK)
		return cli_fail(&err);
	return 0;
}

static int
exec_export(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"output", required_argument, NULL, 'o'},
		{NULL, 0, NULL, 0},
	};
	const char *output = NULL;
	struct tl_store *store = NULL;
	struct tl_error err;
	int first, status;

	if ((status = cli_parse(argc, argv, "o:", longopts, export_option,
	    &output, &first)) >= 0)
		return status;
	if ((status = cli_operands(argc - first, 1, 1)) != 0)
		return status;
	if ((store = cli_open_store(CLI_STORE_READ, &status)) == NULL)
		return status;
	if (output != NULL && strcmp(output, "-") != 0) {
		status = export_to_file(store, argv[first], output);
		goto out;
	}
	tl_error_clear(&err);
	if (tl_record_export(store, argv[first], write_stream, stdout, &err) !=
	    TL_OK)
		status = cli_fail(&err);
	else if (fflush(stdout) != 0) {
		cli_error("cannot write to standard output: %s",
		    strerror(errno));
		status = EXIT_INTERNAL;
	} else
		status = 0;
 out:
	tl_store_close(store);
	return status;
}

const struct cli_command cmd_export = {
	"export", NULL, "ID",
	"Print an election's public record (JSON Lines) for offline checks.",
	"Writes every entry of the election's log, in order, one DSSE envelope\n"
	"per line exactly as it was logged: the signed manifest, the roll, the\n"
	"ballots, the close statement and the result.  The last line is the\n"
	"authority's signed tree head of the whole log.  Anyone can check the\n"
	"record with 'teller verify' or their own verifier (see\n"
	"doc/record-format.md), and voters can check their receipts against it\n"
	"with 'teller receipt verify RECEIPT --record FILE'.\n\n"
	"Options:\n"
	"  -o, --output FILE  write the record to FILE (a regular file is\n"
	"                     replaced atomically; see teller(1))\n",
	exec_export,
};

/* --- teller verify ------------------------------------------------------- */

#define MAX_HEAD_FILES 16

struct verify_opts {
	int json;
	int turnout;
	int quorum_set;
	unsigned quorum;
	const char *heads[MAX_HEAD_FILES];
	size_t nheads;
	unsigned threads;
};

static int
verify_option(int opt, const char *arg, void *ctx)
{
	struct verify_opts *o = ctx;
	int64_t n;

	switch (opt) {
	case 'j':
		o->json = 1;
		return 0;
	case 'u':
		o->turnout = 1;
		return 0;
	case 't':
		if (tl_parse_int64(arg, 1, 1024, &n) != TL_OK)
			return cli_usage_error("--threads must be a number from 1 "
			    "to 1024, not \"%s\"", arg);
		o->threads = (unsigned)n;
		return 0;
	case 'q':
		if (tl_parse_int64(arg, 0, TL_MAX_WITNESSES, &n) != TL_OK)
			return cli_usage_error("--witness-quorum must be a number "
			    "from 0 to %d, not \"%s\"", TL_MAX_WITNESSES, arg);
		o->quorum_set = 1;
		o->quorum = (unsigned)n;
		return 0;
	case 'H':
		if (o->nheads == MAX_HEAD_FILES)
			return cli_usage_error("at most %d --head files",
			    MAX_HEAD_FILES);
		o->heads[o->nheads++] = arg;
		return 0;
	}
	return EXIT_USAGE;
}

/* The progress line on a terminal: rewritten when the percentage moves. */
struct progress {
	int last_percent;
	int shown;
};

static void
show_progress(void *ctx, uint64_t done, uint64_t total)
{
	struct progress *p = ctx;
	int percent = total != 0 ? (int)(done * 100 / total) : 100;

	if (percent == p->last_percent)
		return;
	p->last_percent = percent;
	p->shown = 1;
	fprintf(stderr, "\rteller: verifying: %llu of %llu entries (%d%%)",
	    (unsigned long long)done, (unsigned long long)total, percent);
	fflush(stderr);
}

static const char *
json_text(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s != NULL ? s : "-";
}

static json_int_t
json_number(const json_t *obj, const char *key)
{
	return json_integer_value(json_object_get(obj, key));
}

/* The election cycle's part of the report: the petitions and their
 * thresholds, the challenges and the decisions, the outcome. */
static void
render_cycle(const json_t *report, struct tl_buf *out)
{
	const json_t *petitions = json_object_get(report, "petitions");
	const json_t *challenges = json_object_get(report, "challenges");
	const json_t *outcome = json_object_get(report, "outcome");
	size_t i;
	json_t *item;

	if (json_array_size(petitions) > 0) {
		tl_buf_adds(out, "\nPetitions\n");
		json_array_foreach(petitions, i, item)
			tl_buf_addf(out, "  line %lld  %s: %s (%s)  %lld of %lld "
			    "endorsements%s\n", (long long)json_number(item,
			    "line"), json_text(item, "contest"), json_text(item,
			    "name"), json_text(item, "candidate"),
			    (long long)json_number(item, "endorsements"),
			    (long long)json_number(item, "threshold"),
			    json_is_true(json_object_get(item, "reached")) ?
			    ", threshold reached" : "");
	}
	if (json_array_size(challenges) > 0) {
		tl_buf_adds(out, "\nChallenges\n");
		json_array_foreach(challenges, i, item) {
			const json_t *remedy = json_object_get(item, "remedy");

			tl_buf_addf(out, "  line %lld  by %s: ", (long long)
			    json_number(item, "line"), json_text(item, "voter"));
			if (json_is_null(json_object_get(item, "decision")))
				tl_buf_adds(out, "undecided\n");
			else
				tl_buf_addf(out, "%s%s%s on line %lld\n",
				    json_text(item, "decision"),
				    json_is_string(remedy) ? ", " : "",
				    json_is_string(remedy) ?
				    json_string_value(remedy) : "",
				    (long long)json_number(item, "decision_line"));
		}
	}
	if (json_is_string(outcome))
		tl_buf_addf(out, "\nFinal: the result is %s.\n",
		    json_string_value(outcome));
}

/* The witnesses' cosignatures of the final tree head, and the tree heads
 * given from outside the record. */
static void
render_witnesses(const json_t *w, struct tl_buf *out)
{
	size_t i;
	json_t *item;

	if (!json_is_object(w) || (json_number(w, "named") == 0 &&
	    json_array_size(json_object_get(w, "cosignatures")) == 0 &&
	    json_array_size(json_object_get(w, "heads")) == 0))
		return;
	tl_buf_addf(out, "  witnesses         %lld named, quorum %lld; the final "
	    "tree head is cosigned by %lld (%lld required)\n",
	    (long long)json_number(w, "named"), (long long)json_number(w,
	    "quorum"), (long long)json_number(w, "cosigned"),
	    (long long)json_number(w, "required"));
	json_array_foreach(json_object_get(w, "cosignatures"), i, item)
		tl_buf_addf(out, "                    %s at %s%s\n", json_text(item,
		    "witness"), json_text(item, "time"), json_is_true(
		    json_object_get(item, "valid")) ? "" : " (does NOT verify)");
	json_array_foreach(json_object_get(w, "heads"), i, item)
		tl_buf_addf(out, "  outside head      %s: %lld entries signed at "
		    "%s: %s\n", json_text(item, "source"),
		    (long long)json_number(item, "size"), json_text(item,
		    "time"), json_is_true(json_object_get(item, "consistent")) ?
		    "the record extends it" : "NOT in the record's history");
}

/* The report for people: what was checked, the counts, the problems,
 * the result, and the verdict. */
static void
render_report(const json_t *report, struct tl_buf *out)
{
	const json_t *tree = json_object_get(report, "tree");
	const json_t *ballots = json_object_get(report, "ballots");
	const json_t *problems = json_object_get(report, "problems");
	const json_t *result = json_object_get(report, "result");
	json_int_t total = json_number(report, "problems_total");
	size_t i;
	json_t *item;

	tl_buf_addf(out, "Record of election %s: %s\n", json_text(report,
	    "election"), json_text(report, "title"));
	tl_buf_addf(out, "  manifest hash     %s\n", json_text(report,
	    "manifest_hash"));
	tl_buf_addf(out, "  authority key id  %s\n", json_text(report,
	    "authority_key_id"));
	tl_buf_addf(out, "  state             %s\n", json_text(report, "state"));
	tl_buf_addf(out, "  lines             %lld (%lld log entries, the "
	    "signed tree head%s)\n", (long long)json_number(report, "lines"),
	    (long long)json_number(report, "entries"), json_number(report,
	    "lines") > json_number(report, "entries") + 1 ?
	    " and the cosignature line" : "");
	tl_buf_addf(out, "  tree              %lld entries, root %s\n",
	    (long long)json_number(tree, "size"), json_text(tree, "root"));
	tl_buf_addf(out, "  signed tree head  %s at %s\n", json_text(tree,
	    "signed_root"), json_text(tree, "signed_time"));
	tl_buf_addf(out, "  voters            %lld on the roll\n",
	    (long long)json_number(report, "voters"));
	tl_buf_addf(out, "  ballots           %lld in the record, %lld valid, "
	    "%lld counted, %lld superseded\n",
	    (long long)json_number(ballots, "in_record"),
	    (long long)json_number(ballots, "valid"),
	    (long long)json_number(ballots, "counted"),
	    (long long)json_number(ballots, "superseded"));
	render_witnesses(json_object_get(report, "witnesses"), out);
	tl_buf_adds(out, "\nChecks\n");
	json_array_foreach(json_object_get(report, "checks"), i, item) {
		const json_t *ok = json_object_get(item, "ok");

		tl_buf_addf(out, "  %-4s  %-13s  %s\n", json_is_null(ok) ? "--" :
		    json_is_true(ok) ? "ok" : "FAIL", json_text(item, "check"),
		    json_text(item, "detail"));
	}
	if (total != 0) {
		tl_buf_addf(out, "\nProblems (%lld)\n", (long long)total);
		json_array_foreach(problems, i, item) {
			json_int_t line = json_number(item, "line");

			if (line == 0)
				tl_buf_adds(out, "  the record:");
			else
				tl_buf_addf(out, "  line %lld:", (long long)line);
			tl_buf_addf(out, " [%s] %s\n", json_text(item, "check"),
			    json_text(item, "message"));
		}
		if ((json_int_t)json_array_size(problems) < total)
			tl_buf_addf(out, "  ... and %lld more\n", (long long)total -
			    (long long)json_array_size(problems));
	}
	render_cycle(report, out);
	if (json_is_object(result)) {
		tl_buf_addf(out, "\nResult, recounted from the record%s\n",
		    json_is_true(json_object_get(report, "result_matches")) ?
		    " (the same as the signed result)" : "");
		tl_report_result_text(result, out);
	}
	if (json_is_object(json_object_get(report, "turnout"))) {
		tl_buf_adds(out, "\n");
		tl_turnout_render(json_object_get(report, "turnout"), "text", out,
		    NULL);
	}
	if (json_is_true(json_object_get(report, "valid")))
		tl_buf_adds(out, "\nVerdict: VALID: every check passed.\n");
	else
		tl_buf_addf(out, "\nVerdict: INVALID: %lld problem%s found.\n",
		    (long long)total, total == 1 ? "" : "s");
}

static int
exec_verify(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"json", no_argument, NULL, 'j'},
		{"threads", required_argument, NULL, 't'},
		{"turnout", no_argument, NULL, 'u'},
		{"witness-quorum", required_argument, NULL, 'q'},
		{"head", required_argument, NULL, 'H'},
		{NULL, 0, NULL, 0},
	};
	struct verify_opts o;
	struct tl_record_heads heads[MAX_HEAD_FILES];
	char *head_texts[MAX_HEAD_FILES];
	struct tl_record_verify_options options;
	struct progress progress = {-1, 0};
	struct tl_error err;
	struct tl_buf buf;
	json_t *report = NULL;
	char *text = NULL;
	size_t len = 0;
	int first, status;
	size_t nread = 0;

	memset(&o, 0, sizeof(o));
	memset(head_texts, 0, sizeof(head_texts));
	if ((status = cli_parse(argc, argv, "", longopts, verify_option, &o,
	    &first)) >= 0)
		return status;
	if ((status = cli_operands(argc - first, 1, 1)) != 0)
		return status;
	tl_error_clear(&err);
	for (; nread < o.nheads; nread++) {
		heads[nread].name = o.heads[nread];
		if (tl_read_file(o.heads[nread], TL_WITNESS_DOC_MAX * 64,
		    &head_texts[nread], &heads[nread].len, &err) != TL_OK) {
			status = cli_fail(&err);
			goto heads_out;
		}
		heads[nread].text = head_texts[nread];
	}
	/* Read, not mapped: a record that shrinks while it is verified must
	 * not kill teller with SIGBUS. */
	if (tl_read_file(argv[first], TL_RECORD_MAX, &text, &len, &err) !=
	    TL_OK) {
		cli_fail(&err);
		status = EXIT_USAGE; /* unreadable input */
		goto heads_out;
	}
	memset(&options, 0, sizeof(options));
	options.threads = o.threads;
	options.turnout = o.turnout;
	options.witness_quorum_set = o.quorum_set;
	options.witness_quorum = o.quorum;
	options.heads = heads;
	options.nheads = o.nheads;
	if (cli_stderr_is_tty()) {
		options.progress = show_progress;
		options.progress_ctx = &progress;
	}
	status = tl_record_verify(text, len, &options, &report, &err);
	if (progress.shown)
		fprintf(stderr, "\r%*s\r", 60, "");
	if (status != TL_OK) {
		status = cli_fail(&err);
		goto out;
	}
	if (o.json) {
		if ((status = cli_print_json(report)) != 0)
			goto out;
	} else {
		tl_buf_init(&buf, SIZE_MAX / 2);
		render_report(report, &buf);
		if (fputs(buf.data, stdout) == EOF || fflush(stdout) != 0) {
			cli_error("cannot write to standard output: %s",
			    strerror(errno));
			tl_buf_free(&buf);
			status = EXIT_INTERNAL;
			goto out;
		}
		tl_buf_free(&buf);
	}
	status = json_is_true(json_object_get(report, "valid")) ? 0 :
	    EXIT_INVALID;
 out:
	json_decref(report);
	free(text);
 heads_out:
	for (size_t i = 0; i < nread; i++)
		free(head_texts[i]);
	return status;
}

const struct cli_command cmd_verify = {
	"verify", NULL, "FILE",
	"Verify a public record offline; exit 0 only if it is valid.",
	"Checks a record written by 'teller export' without any database or\n"
	"server: that every line is an envelope as it was logged; the manifest\n"
	"and every signature (the voters' on their ballots, the authority's on\n"
	"the rest); that each ballot is for this election and manifest, well\n"
	"formed, by a voter on the roll with that key, in their constituency's\n"
	"contests; the revote policy; that no ballot came after the close; the\n"
	"Merkle root against the signed tree head; and then it\n"
	"recounts every contest with the record's own random values and compares\n"
	"the result, byte for byte, with the signed result.  For an election\n"
	"cycle it checks the nominations, petitions and endorsements and that\n"
	"the voting definition lists exactly the slate and the petitions that\n"
	"reached their threshold; the timetable's amendments and the phase of\n"
	"every dated statement; the certification, the challenges, the\n"
	"decisions and the final statement.  The report lists every problem\n"
	"with its line.  Ballot signatures are checked on every core, with a\n"
	"progress line when standard error is a terminal.\n\n"
	"Witnesses: if the manifest names witnesses, the record's final tree\n"
	"head must carry the cosignatures of as many of them as its\n"
	"witness_quorum asks (--witness-quorum N asks for N instead; 0 for\n"
	"none), on the cosignature line after it; every cosignature there must\n"
	"verify.  Each --head FILE holds signed tree heads from outside the\n"
	"record (a witness's state file or its evidence, a cosigned head a\n"
	"server served, a receipt's tree head saved as JSON): the record must\n"
	"extend every one, or it is not the history that was shown then.\n\n"
	"The verdict is only as good as the authority key: compare the key id\n"
	"in the report with the one the election's authority published.\n\n"
	"Exit status: 0 valid, 1 invalid, 2 unreadable input or bad usage.\n\n"
	"Options:\n"
	"  --json         print the report as JSON\n"
	"  --threads N    check signatures on N threads (default: every core)\n"
	"  --turnout      add the turnout computed from the record: the same\n"
	"                 figures as 'teller turnout ID' (its JSON is the\n"
	"                 report's \"turnout\" member)\n"
	"  --witness-quorum N  require N witnesses' cosignatures of the final\n"
	"                 tree head (default: the manifest's witness_quorum)\n"
	"  --head FILE    check that the record extends the signed tree heads\n"
	"                 in FILE (repeatable)\n",
	exec_verify,
};
