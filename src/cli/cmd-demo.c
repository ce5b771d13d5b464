/*
 * cmd-demo.c: teller demo: a complete election run the way the Internet
 * Society runs its board election, in a directory of its own, printing each
 * step.  The Chapters' and Organization Members' contests are a secret
 * election (each voter obtains an anonymous credential and votes with
 * it); the IESG's confirmation is an open, roll-call election beside it
 * (an election is either secret or open).  Every step is a teller command line, run through the same command
 * table as the teller program itself; the lines it prints can be pasted
 * into a shell in that directory to do the same by hand.
 *
 * The voters' choices and turnout come from a generator seeded with
 * --seed, so the same seed gives the same counts (keys are new each time).
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "teller/crypto.h"
#include "teller/trustee.h"
#include "teller/util.h"
#include "teller/webhook.h"

#define ELECTION_ID "isoc-2026"           /* secret */
#define IESG_ID "isoc-2026-iesg"          /* open: a roll-call vote */

struct demo_opts {
	const char *dir;
	int64_t seed;
	const char *webhook;             /* --webhook URL */
	const char *webhook_secret_file; /* --webhook-secret-file FILE */
};

struct demo {
	uint64_t rng;
	int step, nsteps;
};

/* splitmix64: a small, well-mixed generator; the demo's choices need to be
 * reproducible, not secret. */
static uint64_t
next_random(struct demo *d)
{
	uint64_t z = (d->rng += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* A number in [0, n). */
static unsigned
uniform(struct demo *d, unsigned n)
{
	return (unsigned)(next_random(d) % n);
}

/* An index drawn with the given relative weights, skipping excluded. */
static unsigned
weighted(struct demo *d, const unsigned *weights, unsigned n,
    unsigned excluded)
{
	unsigned total = 0, pick;

	for (unsigned i = 0; i < n; i++)
		if (i != excluded)
			total += weights[i];
	pick = uniform(d, total);
	for (unsigned i = 0; i < n; i++) {
		if (i == excluded)
			continue;
		if (pick < weights[i])
			return i;
		pick -= weights[i];
	}
	return n - 1;
}

static void
step(struct demo *d, const char *what)
{
	printf("\n[%d/%d] %s\n", ++d->step, d->nsteps, what);
}

/* How run() runs a step. */
enum {
	SHOW = 1,     /* print the command line first */
	QUIET = 2,    /* hide its standard output */
	REFUSED = 4,  /* the step is meant to fail: do not report it */
};

/* Runs a teller command given as a NULL-terminated list of words. */
static int
run(int how, ...)
{
	char *words[32];
	int n = 0, status, saved = -1;
	va_list ap;

	va_start(ap, how);
	while (n < 31 && (words[n] = va_arg(ap, char *)) != NULL)
		n++;
	va_end(ap);
	words[n] = NULL;
	if (how & SHOW) {
		printf("$ teller");
		for (int i = 0; i < n; i++)
			printf(strpbrk(words[i], " >=,'") != NULL ? " '%s'" :
			    " %s", words[i]);
		printf("\n");
	}
	fflush(stdout);
	if (how & QUIET) {
		int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);

		saved = dup(STDOUT_FILENO);
		if (devnull >= 0) {
			dup2(devnull, STDOUT_FILENO);
			close(devnull);
		}
	}
	status = cli_run(n, words);
	fflush(stdout);
	if (saved >= 0) {
		dup2(saved, STDOUT_FILENO);
		close(saved);
	}
	if (status != 0 && !(how & REFUSED))
		cli_error("demo: 'teller %s%s%s' failed with status %d", words[0],
		    n > 1 ? " " : "", n > 1 ? words[1] : "", status);
	return status;
}

static const char *const chapter_candidates[][2] = {
	{"okafor", "Amara Okafor"}, {"lindqvist", "Bruno Lindqvist"},
	{"chen", "Chen Wei"}, {"ibarra", "Dolores Ibarra"},
	{"nwosu", "Emeka Nwosu"},
};
static const unsigned chapter_popularity[] = {34, 26, 18, 13, 9};

static const char *const org_candidates[][2] = {
	{"haddad", "Farah Haddad"}, {"pereira", "Gustavo Pereira"},
	{"sato", "Hana Sato"}, {"petrov", "Ivan Petrov"},
};
static const unsigned org_popularity[] = {38, 31, 19, 12};

/* Weights by ISOC organization membership class, and how common each is. */
static const unsigned org_class_share[] = {30, 25, 18, 12, 9, 6};

struct constituency {
	const char *id;
	const char *name;
	const char *prefix;
	int voters;
};

static const struct constituency constituencies[] = {
	{"chapters", "Chapters", "chapter", 113},
	{"organizations", "Organization Members", "org", 150},
	{"ietf", "IETF (IESG)", "iesg", 15},
};

/* The demo's two witnesses: their names, and their key files. */
static const char *const witness_names[2] = {
	"witness-1.demo.example/teller", "witness-2.demo.example/teller",
};
static const char *const witness_keys[2] = {
	"keys/witness-1.pem", "keys/witness-2.pem",
};

/* Generates the witnesses' keys; *list gets the manifest's "witnesses". */
static int
make_witnesses(json_t **list)
{
	struct tl_key *key = NULL;
	struct tl_error err;
	char pub[TL_PUBLIC_B64_LEN + 1];
	int status;

	if (mkdir("keys", 0700) != 0 && errno != EEXIST) {
		cli_error("cannot create keys/: %s", strerror(errno));
		return EXIT_INTERNAL;
	}
	*list = json_array();
	for (size_t i = 0; i < 2; i++) {
		if ((status = run(i == 0 ? SHOW | QUIET : QUIET, "key", "generate",
		    witness_keys[i], (char *)NULL)) != 0)
			return status;
		tl_error_clear(&err);
		if (tl_key_load_private(witness_keys[i], &key, &err) != TL_OK)
			return cli_fail(&err);
		tl_key_public_base64(key, pub);
		tl_key_free(key);
		json_array_append_new(*list, json_pack("{s:s, s:s}", "name",
		    witness_names[i], "public_key", pub));
	}
	return 0;
}

/* The secret election's three trustees, any two of whom can open its
 * ballots after the close. */
static const char *const trustee_keys[3] = {"keys/trustee-1.pem",
    "keys/trustee-2.pem", "keys/trustee-3.pem"};
static const char *const trustee_ids[3] = {"trustee-1", "trustee-2",
    "trustee-3"};

/* Each trustee makes its keys ('teller trustee keygen'); *list gets the
 * manifest's "trustees". */
static int
make_trustees(json_t **list)
{
	struct tl_trustee_key *key = NULL;
	struct tl_error err;
	char pub[TL_PUBLIC_B64_LEN + 1], seal[TL_PUBLIC_B64_LEN + 1];
	int status;

	*list = json_array();
	for (size_t i = 0; i < 3; i++) {
		if ((status = run(i == 0 ? SHOW | QUIET : QUIET, "trustee",
		    "keygen", "-o", trustee_keys[i], (char *)NULL)) != 0)
			return status;
		tl_error_clear(&err);
		if (tl_trustee_key_load(trustee_keys[i], &key, &err) != TL_OK)
			return cli_fail(&err);
		tl_key_public_base64(key->identity, pub);
		tl_trustee_sealing_public_base64(key, seal);
		tl_trustee_key_free(key);
		json_array_append_new(*list, json_pack("{s:s, s:s, s:s}", "id",
		    trustee_ids[i], "identity_key", pub, "sealing_key", seal));
	}
	return 0;
}

/* Each witness judges the record's final tree head and, if it extends
 * the tree it cosigned before, cosigns it; the committee keeps the
 * cosignatures.  The first is shown. */
static int
witnesses_cosign(const char *record)
{
	char state[64], cosigned[64];
	int status = 0;

	for (size_t i = 0; i < 2 && status == 0; i++) {
		snprintf(state, sizeof(state), "witness-%zu.state.json", i + 1);
		snprintf(cosigned, sizeof(cosigned), "witness-%zu.cosigned.json",
		    i + 1);
		if ((status = run(i == 0 ? SHOW : 0, "witness", "cosign", "--key",
		    witness_keys[i], "--name", witness_names[i], "--state", state,
		    "--record", record, "--output", cosigned, (char *)NULL)) == 0)
			status = run((i == 0 ? SHOW : 0) | QUIET, "cosignature",
			    "add", ELECTION_ID, cosigned, (char *)NULL);
	}
	return status;
}

/* Writes a manifest to path (indented JSON); takes doc. */
static int
write_json(const char *path, json_t *doc)
{
	char *text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	int status;

	json_decref(doc);
	if (text == NULL) {
		cli_error("out of memory");
		return EXIT_INTERNAL;
	}
	status = cli_write_output(path, text, 0644);
	free(text);
	return status;
}

/* The two elections: the Chapters' and Organization Members' trustees
 * by secret ballot (manifest.json), whose log the witnesses cosign (it
 * takes the list), and the IESG's confirmation by roll-call
 * (manifest-iesg.json). */
static int
write_manifests(int64_t now, json_t *witnesses, json_t *trustees)
{
	json_t *doc, *contests, *cands;
	char opens[TL_TIME_LEN], closes[TL_TIME_LEN];
	int status;

	tl_time_format(now - 60, opens);
	tl_time_format(now + 7 * 86400, closes);
	contests = json_array();
	cands = json_array();
	for (size_t i = 0; i < 5; i++)
		json_array_append_new(cands, json_pack("{s:s, s:s}", "id",
		    chapter_candidates[i][0], "name", chapter_candidates[i][1]));
	json_array_append_new(contests, json_pack("{s:s, s:s, s:s, s:i, s:s, "
	    "s:o}", "id", "chapters", "title", "Trustees elected by the Chapters",
	    "constituency", "chapters", "seats", 2, "method", "plurality",
	    "candidates", cands));
	cands = json_array();
	for (size_t i = 0; i < 4; i++)
		json_array_append_new(cands, json_pack("{s:s, s:s}", "id",
		    org_candidates[i][0], "name", org_candidates[i][1]));
	json_array_append_new(contests, json_pack("{s:s, s:s, s:s, s:i, s:s, "
	    "s:o}", "id", "organizations", "title",
	    "Trustee elected by the Organization Members", "constituency",
	    "organizations", "seats", 1, "method", "plurality", "candidates",
	    cands));
	doc = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:[{s:s, s:s}, "
	    "{s:s, s:s}], s:o, s:[{s:s, s:s}]}",
	    "id", ELECTION_ID,
	    "title", "Internet Society Board of Trustees election 2026 (demo)",
	    "secrecy", "secret", "revote", "last", "opens", opens,
	    "closes", closes,
	    "constituencies",
	    "id", "chapters", "name", "Chapters",
	    "id", "organizations", "name", "Organization Members",
	    "contests", contests,
	    "random_sources", "name", "demo draw",
	    "description", "in a real election: a public lottery result "
	    "published after voting closes");
	if (doc != NULL) {
		json_object_set_new(doc, "witnesses", witnesses);
		json_object_set_new(doc, "witness_quorum", json_integer(2));
		json_object_set_new(doc, "trustees", trustees);
		json_object_set_new(doc, "threshold", json_integer(2));
	} else {
		json_decref(witnesses);
		json_decref(trustees);
	}
	if ((status = write_json("manifest.json", doc)) != 0)
		return status;
	doc = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:[{s:s, s:s}], "
	    "s:[{s:s, s:s, s:s, s:s, s:{s:s}}], s:[{s:s, s:s}]}",
	    "id", IESG_ID,
	    "title", "IESG confirmation of the IAB's selection 2026 (demo)",
	    "secrecy", "open", "revote", "last", "opens", opens,
	    "closes", closes,
	    "constituencies", "id", "ietf", "name", "IETF (IESG)",
	    "contests", "id", "ietf-confirmation", "title",
	    "IESG confirmation of the IAB's selection of Julia Novak as trustee",
	    "constituency", "ietf", "method", "referendum", "options",
	    "threshold", "majority",
	    "random_sources", "name", "demo draw",
	    "description", "in a real election: a public lottery result "
	    "published after voting closes");
	return write_json("manifest-iesg.json", doc);
}

/* Generates each voter's key (as 'teller key generate' does) and writes
 * one roll file per constituency. */
static int
make_voters(struct demo *d)
{
	char path[64], keyfile[64], id[32];
	struct tl_buf csv;
	int status = 0;

	if (mkdir("keys", 0700) != 0 && errno != EEXIST) {
		cli_error("cannot create keys/: %s", strerror(errno));
		return EXIT_INTERNAL;
	}
	tl_buf_init(&csv, 16 * 1024 * 1024);
	for (size_t c = 0; c < 3 && status == 0; c++) {
		const struct constituency *k = &constituencies[c];

		tl_buf_reset(&csv);
		tl_buf_adds(&csv, "voter_id,name,constituency,weight,public_key\n");
		for (int v = 1; v <= k->voters && status == 0; v++) {
			struct tl_key *key = NULL;
			struct tl_error err;
			char pub[TL_PUBLIC_B64_LEN + 1];
			unsigned weight = 1;

			snprintf(id, sizeof(id), "%s-%03d", k->prefix, v);
			snprintf(keyfile, sizeof(keyfile), "keys/%s.pem", id);
			status = run((c == 0 && v == 1 ? SHOW : 0) | QUIET, "key",
			    "generate", keyfile,
			    (char *)NULL);
			if (status != 0)
				break;
			tl_error_clear(&err);
			if (tl_key_load_private(keyfile, &key, &err) != TL_OK) {
				status = cli_fail(&err);
				break;
			}
			tl_key_public_base64(key, pub);
			tl_key_free(key);
			if (strcmp(k->id, "organizations") == 0)
				weight = 1 + weighted(d, org_class_share, 6, 6);
			tl_buf_addf(&csv, "%s,\"%s %03d\",%s,%u,%s\n", id,
			    k->name, v, k->id, weight, pub);
		}
		if (c == 0 && status == 0)
			printf("  ... and so on: %d keys in keys/\n", 113 + 150 + 15);
		snprintf(path, sizeof(path), "roll-%s.csv", k->id);
		if (status == 0)
			status = cli_write_output(path, csv.data, 0644);
	}
	tl_buf_free(&csv);
	return status;
}

/* One voter's --vote argument, drawn from the seeded generator. */
static void
choose(struct demo *d, size_t constituency, char *vote, size_t len)
{
	unsigned a, b;

	switch (constituency) {
	case 0:
		a = weighted(d, chapter_popularity, 5, 5);
		if (uniform(d, 100) < 85) {
			b = weighted(d, chapter_popularity, 5, a);
			snprintf(vote, len, "chapters=%s,%s",
			    chapter_candidates[a][0], chapter_candidates[b][0]);
		} else
			snprintf(vote, len, "chapters=%s",
			    chapter_candidates[a][0]);
		break;
	case 1:
		a = weighted(d, org_popularity, 4, 4);
		snprintf(vote, len, "organizations=%s", org_candidates[a][0]);
		break;
	default:
		a = uniform(d, 100);
		snprintf(vote, len, "ietf-confirmation=%s", a < 75 ? "yes" :
		    a < 90 ? "no" : "abstain");
		break;
	}
}

/* The files of voter id: key, credential, ballot and receipt. */
struct voter_files {
	char id[32], key[64], credential[64], ballot[64], receipt[64];
};

static void
voter_files(struct voter_files *f, const char *id, const char *suffix)
{
	snprintf(f->id, sizeof(f->id), "%s", id);
	snprintf(f->key, sizeof(f->key), "keys/%s.pem", id);
	snprintf(f->credential, sizeof(f->credential), "credentials/%s.json",
	    id);
	snprintf(f->ballot, sizeof(f->ballot), "ballots/%s%s.json", id, suffix);
	snprintf(f->receipt, sizeof(f->receipt), "receipts/%s%s.json", id,
	    suffix);
}

/*
 * One voter of the secret election: a credential (unless they have one),
 * then, if they vote, a ballot made with it and cast.  In a real election
 * the ballot is cast later and over another connection than the request
 * (doc/threat-model.md); the demo does both at once.
 */
static int
vote_secret(const struct voter_files *f, const char *choice, int votes,
    const char *seq, int show)
{
	int status = 0;

	if (access(f->credential, F_OK) != 0)
		status = run((show ? SHOW : 0) | QUIET, "credential", "request",
		    "--manifest", "manifest.signed.json", "--key", f->key,
		    "--voter", f->id, "--output", f->credential, (char *)NULL);
	if (status == 0 && votes)
		status = run(show ? SHOW : 0, "ballot", "make", "--manifest",
		    "manifest.signed.json", "--credential", f->credential,
		    "--seq", seq, "--vote", choice, "--output", f->ballot,
		    (char *)NULL);
	if (status == 0 && votes)
		status = run(show ? SHOW : 0, "ballot", "cast", f->ballot,
		    "--output", f->receipt, (char *)NULL);
	return status;
}

/* One IESG member's roll-call ballot, signed with their own key. */
static int
vote_open(const struct voter_files *f, const char *choice, int show)
{
	int status = run(show ? SHOW : 0, "ballot", "make", "--manifest",
	    "manifest-iesg.signed.json", "--key", f->key, "--voter", f->id,
	    "--vote", choice, "--output", f->ballot, (char *)NULL);

	if (status == 0)
		status = run(show ? SHOW : 0, "ballot", "cast", f->ballot,
		    "--output", f->receipt, (char *)NULL);
	return status;
}

static int
vote(struct demo *d, int *cast, int *credentials, int *shown)
{
	static const char *const dirs[] = {"ballots", "receipts",
	    "credentials"};
	struct voter_files f;
	char id[32], choice[96];
	int status = 0;

	for (size_t i = 0; i < 3; i++)
		if (mkdir(dirs[i], i == 2 ? 0700 : 0755) != 0 &&
		    errno != EEXIST) {
			cli_error("cannot create %s/: %s", dirs[i],
			    strerror(errno));
			return EXIT_INTERNAL;
		}
	for (size_t c = 0; c < 3 && status == 0; c++) {
		const struct constituency *k = &constituencies[c];
		int before = *cast, asked = 0;

		for (int v = 1; v <= k->voters && status == 0; v++) {
			unsigned draw = uniform(d, 100);
			int show;

			choose(d, c, choice, sizeof(choice));
			/* About four in five vote; in the secret election a
			 * few more obtain a credential and do not vote. */
			if (draw >= (c < 2 ? 83u : 80u))
				continue;
			snprintf(id, sizeof(id), "%s-%03d", k->prefix, v);
			voter_files(&f, id, "");
			show = v <= 2 && (*shown)++ < 6;
			if (c < 2) {
				status = vote_secret(&f, choice, draw < 80, "1",
				    show);
				asked++;
			} else
				status = vote_open(&f, choice, show);
			if (status == 0 && (c == 2 || draw < 80))
				(*cast)++;
			if (status == 0 && !show && cli_stderr_is_tty())
				fprintf(stderr, "\r  %d ballots cast...", *cast);
		}
		if (cli_stderr_is_tty())
			fprintf(stderr, "\r%30s\r", "");
		*credentials += asked;
		if (status == 0 && c < 2)
			printf("  ... %s: %d of %d voters obtained a credential, "
			    "%d cast a ballot\n", k->name, asked, k->voters,
			    *cast - before);
		else if (status == 0)
			printf("  ... %s: %d of %d voters cast a ballot\n",
			    k->name, *cast - before, k->voters);
	}
	return status;
}

static int
prepare_dir(const char *dir, char *out, size_t len)
{
	if (dir == NULL) {
		const char *tmp = getenv("TMPDIR");

		snprintf(out, len, "%s/teller-demo-XXXXXX",
		    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
		if (mkdtemp(out) == NULL) {
			cli_error("cannot create a directory for the demo: %s",
			    strerror(errno));
			return EXIT_INTERNAL;
		}
		return 0;
	}
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		cli_error("%s: cannot create: %s", dir, strerror(errno));
		return EXIT_INTERNAL;
	}
	snprintf(out, len, "%s", dir);
	return 0;
}

static int
demo_option(int opt, const char *arg, void *ctx)
{
	struct demo_opts *o = ctx;

	switch (opt) {
	case 'd':
		o->dir = arg;
		return 0;
	case 's':
		if (tl_parse_int64(arg, 0, INT64_MAX, &o->seed) != TL_OK)
			return cli_usage_error("--seed: \"%s\" is not a whole "
			    "number", arg);
		return 0;
	case 'w':
		o->webhook = arg;
		return 0;
	case 'W':
		o->webhook_secret_file = arg;
		return 0;
	default:
		return EXIT_USAGE;
	}
}

/* After delivering: how many of the demo's events are still undelivered
 * (-1 if that cannot be read). */
static json_int_t
undelivered(void)
{
	struct tl_store *store;
	struct tl_error err;
	json_t *list = NULL, *item;
	json_int_t n = 0;
	size_t i;
	int status;

	if ((store = cli_open_store(0, &status)) == NULL)
		return -1;
	tl_error_clear(&err);
	if (tl_webhook_list(store, &list, &err) != TL_OK) {
		cli_fail(&err);
		n = -1;
	}
	json_array_foreach(list, i, item)
		n += json_integer_value(json_object_get(item, "pending")) +
		    json_integer_value(json_object_get(item, "failed"));
	json_decref(list);
	tl_store_close(store);
	return n;
}

/* The webhook step: deliver every event of the demo to --webhook. */
static int
deliver_webhooks(struct demo *d, const char *url)
{
	json_int_t left;
	int status;

	step(d, "Every event of the election (opened, closed, counted) is "
	    "delivered to the webhook");
	if ((status = run(SHOW, "webhook", "deliver", "--once",
	    (char *)NULL)) != 0)
		return status;
	if ((left = undelivered()) != 0) {
		if (left > 0)
			cli_error("demo: %" JSON_INTEGER_FORMAT " event(s) could "
			    "not be delivered to %s; see 'teller webhook list', "
			    "and 'teller webhook deliver' retries them", left,
			    url);
		return tl_error_exit_status(TL_ENETWORK);
	}
	return 0;
}

static int
exec_demo(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"dir", required_argument, NULL, 'd'},
		{"seed", required_argument, NULL, 's'},
		{"webhook", required_argument, NULL, 'w'},
		{"webhook-secret-file", required_argument, NULL, 'W'},
		{NULL, 0, NULL, 0},
	};
	struct demo_opts o = {NULL, 2026, NULL, NULL};
	struct demo d;
	char dir[PATH_MAX], cwd[PATH_MAX], first_vote[96], random_value[64];
	char secret[PATH_MAX];
	struct voter_files revoter;
	json_t *witnesses = NULL, *trustees = NULL;
	const char *saved_db = cli.db_path;
	int first, status, cast = 0, credentials = 0, shown = 0;

	if ((status = cli_parse(argc, argv, NULL, longopts, demo_option, &o,
	    &first)) >= 0)
		return status;
	if ((status = cli_operands(argc - first, 0, 0)) != 0)
		return status;
	if ((o.webhook == NULL) != (o.webhook_secret_file == NULL))
		return cli_usage_error("--webhook URL and --webhook-secret-file "
		    "FILE go together");
	/* The demo works in its own directory: find the secret from here. */
	if (o.webhook_secret_file != NULL &&
	    realpath(o.webhook_secret_file, secret) == NULL) {
		cli_error("%s: %s", o.webhook_secret_file, strerror(errno));
		return EXIT_USAGE;
	}
	if (getcwd(cwd, sizeof(cwd)) == NULL) {
		cli_error("cannot read the current directory: %s",
		    strerror(errno));
		return EXIT_INTERNAL;
	}
	if ((status = prepare_dir(o.dir, dir, sizeof(dir))) != 0)
		return status;
	if (chdir(dir) != 0) {
		cli_error("%s: %s", dir, strerror(errno));
		return EXIT_INTERNAL;
	}
	if (access("teller.db", F_OK) == 0) {
		status = cli_usage_error("%s already holds a demo (teller.db); "
		    "give an empty or new --dir", dir);
		goto out;
	}
	memset(&d, 0, sizeof(d));
	d.rng = (uint64_t)o.seed;
	d.nsteps = o.webhook != NULL ? 14 : 13;
	cli.db_path = "teller.db";

	printf("teller demo: an Internet Society-style board election, end to "
	    "end.\nWorking in %s (seed %lld).  Each step is a teller command;\n"
	    "run them yourself there with the same database: "
	    "export TELLER_DB=%s/teller.db\n", dir, (long long)o.seed, dir);

	step(&d, "The Elections Committee creates the database and the "
	    "authority's signing key");
	if ((status = run(SHOW, "init", (char *)NULL)) != 0)
		goto out;

	step(&d, "It defines the elections: by secret ballot, Chapters elect 2 "
	    "trustees and\n      Organization Members 1, the ballots sealed "
	    "until the close for three\n      election trustees (any two of "
	    "them can open them), and two independent\n      witnesses, named "
	    "with their keys, will cosign its log; by roll-call,\n      the "
	    "IESG confirms the IAB's selection (yes/no/abstain, simple "
	    "majority)");
	if ((status = make_witnesses(&witnesses)) != 0 ||
	    (status = make_trustees(&trustees)) != 0 ||
	    (status = write_manifests(cli_now(), witnesses, trustees)) != 0 ||
	    (status = run(SHOW, "election", "create", "manifest.json",
	    (char *)NULL)) != 0 ||
	    (status = run(SHOW, "election", "create", "manifest-iesg.json",
	    (char *)NULL)) != 0)
		goto out;
	if (o.webhook != NULL && (status = run(SHOW, "webhook", "add",
	    o.webhook, "--election", ELECTION_ID, "--secret-file", secret,
	    (char *)NULL)) != 0)
		goto out;

	step(&d, "Every voter (a chapter's or organization's representative, "
	    "an IESG member)\n      makes a key pair; the committee loads each "
	    "constituency's roll");
	if ((status = make_voters(&d)) != 0)
		goto out;
	if ((status = run(SHOW, "roll", "import", ELECTION_ID,
	    "roll-chapters.csv", (char *)NULL)) != 0 ||
	    (status = run(SHOW, "roll", "import", ELECTION_ID,
	    "roll-organizations.csv", (char *)NULL)) != 0 ||
	    (status = run(SHOW, "roll", "import", IESG_ID, "roll-ietf.csv",
	    (char *)NULL)) != 0)
		goto out;

	step(&d, "Voting opens: manifests and rolls are signed, frozen and "
	    "logged; the secret\n      election's key of each credential class "
	    "(constituency, weight) is logged too");
	if ((status = run(SHOW, "election", "open", ELECTION_ID,
	    (char *)NULL)) != 0 ||
	    (status = run(SHOW, "manifest", ELECTION_ID, "--output",
	    "manifest.signed.json", (char *)NULL)) != 0 ||
	    (status = run(SHOW, "election", "open", IESG_ID,
	    (char *)NULL)) != 0 ||
	    (status = run(SHOW, "manifest", IESG_ID, "--output",
	    "manifest-iesg.signed.json", (char *)NULL)) != 0)
		goto out;

	step(&d, "Each representative obtains an anonymous credential (signed "
	    "blind, so nobody can\n      tell which ballot it goes to), then "
	    "makes and casts a ballot that names no one;\n      each IESG "
	    "member signs a roll-call ballot; everyone keeps a receipt");
	if ((status = vote(&d, &cast, &credentials, &shown)) != 0)
		goto out;

	step(&d, "A voter changes their mind: with the same credential, the "
	    "last ballot counts\n      (revote policy \"last\")");
	snprintf(first_vote, sizeof(first_vote), "chapters=%s,%s",
	    chapter_candidates[4][0], chapter_candidates[3][0]);
	voter_files(&revoter, "chapter-001", "-revote");
	if ((status = vote_secret(&revoter, first_vote, 1, "2", 1)) != 0)
		goto out;
	if (access("ballots/chapter-001.json", F_OK) != 0)
		credentials++; /* chapter-001 had not asked before */

	step(&d, "Someone not on the roll asks for a credential: refused, and "
	    "nothing is stored");
	if ((status = run(SHOW | QUIET, "key", "generate", "keys/intruder.pem",
	    (char *)NULL)) != 0)
		goto out;
	if (run(SHOW | REFUSED, "credential", "request", "--manifest",
	    "manifest.signed.json", "--key", "keys/intruder.pem", "--voter",
	    "chapter-999", "--output", "credentials/intruder.json",
	    (char *)NULL) == 0) {
		cli_error("demo: the intruder's credential request was not "
		    "refused");
		status = EXIT_INTERNAL;
		goto out;
	}
	printf("  (refused, as it should be)\n");

	step(&d, "The witnesses cosign the log's tree head: each checks that "
	    "the tree extends\n      the last one it cosigned, and would refuse, "
	    "keeping the evidence, if it did not");
	if ((status = run(SHOW, "export", ELECTION_ID, "--output",
	    "record-during-vote.jsonl", (char *)NULL)) != 0 ||
	    (status = witnesses_cosign("record-during-vote.jsonl")) != 0)
		goto out;

	step(&d, "Voting closes early (its window has a week to run), saying "
	    "why; the published random value that seeds any tie-break is "
	    "logged");
	snprintf(random_value, sizeof(random_value), "demo-draw-%lld",
	    (long long)o.seed);
	if ((status = run(SHOW, "election", "close", ELECTION_ID, "--random",
	    random_value, "--early", "--reason", "The demonstration ends the "
	    "vote once every voter has had their turn.", (char *)NULL)) != 0 ||
	    (status = run(SHOW, "election", "close", IESG_ID, "--random",
	    random_value, "--early", "--reason", "The demonstration ends the "
	    "vote once every voter has had their turn.", (char *)NULL)) != 0)
		goto out;

	step(&d, "Two of the three election trustees publish their sealing "
	    "keys, now that the\n      vote is closed (the third need not): "
	    "with two, the sealed ballots can be opened");
	for (size_t i = 0; i < 2 && status == 0; i++)
		status = run(SHOW, "trustee", "unseal", ELECTION_ID, "--key",
		    trustee_keys[i], (char *)NULL);
	if (status != 0)
		goto out;

	step(&d, "The committee counts: votes per candidate (weighted), "
	    "winners, turnout");
	if ((status = run(SHOW, "tally", ELECTION_ID, (char *)NULL)) != 0 ||
	    (status = run(SHOW, "tally", IESG_ID, (char *)NULL)) != 0)
		goto out;
	if (o.webhook != NULL && (status = deliver_webhooks(&d, o.webhook)) != 0)
		goto out;

	step(&d, "The public record: the witnesses cosign its final tree head "
	    "(it extends the tree\n      they cosigned during the vote), and "
	    "anyone verifies it offline, with their quorum of 2");
	if ((status = run(SHOW, "export", ELECTION_ID, "--output",
	    "record.jsonl", (char *)NULL)) != 0 ||
	    (status = witnesses_cosign("record.jsonl")) != 0 ||
	    (status = run(QUIET, "export", ELECTION_ID, "--output",
	    "record.jsonl", (char *)NULL)) != 0 ||
	    (status = run(SHOW | QUIET, "verify", "record.jsonl",
	    (char *)NULL)) != 0)
		goto out;
	printf("  (valid: every signature, the tree, the recount, and the "
	    "final tree head\n  cosigned by both witnesses)\n");

	step(&d, "What is left for everyone to check");
	printf("  %s/teller.db        the database (sqlite3 teller.db "
	    "'SELECT * FROM result_winners')\n"
	    "  %s/manifest.signed.json  what voters signed against\n"
	    "  %s/receipts/        each voter's receipt\n"
	    "  %s/record.jsonl     the secret election's public record (teller "
	    "verify record.jsonl)\n"
	    "  %s/witness-*.state.json  each witness's state (teller verify "
	    "record.jsonl --head ...)\n"
	    "  teller export %s | teller verify -   the roll-call election's\n",
	    dir, dir, dir, dir, dir, IESG_ID);
	printf("\nDemo complete: %d credentials, %d ballots cast, and one "
	    "revote.\n", credentials, cast);
	status = 0;
 out:
	cli.db_path = saved_db;
	if (chdir(cwd) != 0)
		cli_error("cannot return to %s: %s", cwd, strerror(errno));
	return status;
}

const struct cli_command cmd_demo = {
	"demo", NULL, "",
	"Run a complete example election end to end, printing each step.",
	"The demo runs an Internet Society-style board election in a directory\n"
	"of its own.  By secret ballot: the Chapters elect 2 trustees\n"
	"(plurality) and the Organization Members 1 (plurality weighted by\n"
	"membership class); each voter obtains an anonymous credential and votes\n"
	"with it, the ballot sealed until the close for three election trustees,\n"
	"two of whom unseal after the close.  By roll-call, an open election beside it: the IESG confirms\n"
	"the IAB's selection (referendum).  278 voters with their own keys,\n"
	"about 80% turnout, a revote and a refused credential request; then it\n"
	"closes and counts both elections.  Two witnesses named in the secret\n"
	"election's manifest cosign its log's tree head during the vote and at\n"
	"the end (teller witness cosign), and its exported record verifies with\n"
	"their quorum.  The files stay for you to inspect.  The same --seed\n"
	"gives the same counts.\n\n"
	"Options:\n"
	"  --dir DIR    work in DIR (created if needed; must not hold a demo\n"
	"               already); default: a new directory under $TMPDIR or /tmp\n"
	"  --seed N     seed of the voters' choices (default 2026)\n"
	"  --webhook URL, --webhook-secret-file FILE\n"
	"               register URL (with the secret in FILE) for the demo's\n"
	"               election before it opens, and deliver every event to\n"
	"               it before the demo ends (see doc/webhooks.md)\n",
	exec_demo,
};
