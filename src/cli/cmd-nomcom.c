/*
 * cmd-nomcom.c: teller nomcom select: RFC 3797 random selection of a
 * NomCom (or any committee) from a published pool and published random
 * sources, printed as the RFC prints it.
 */
#include <config.h>

#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "teller/crypto.h"
#include "teller/rfc3797.h"
#include "teller/util.h"

#define LIST_FILE_MAX (16 * 1024 * 1024)

struct nomcom_opts {
	const char *pool;
	const char *sources;
	int64_t count;
	const char *format;
};

static int
nomcom_option(int opt, const char *arg, void *ctx)
{
	struct nomcom_opts *o = ctx;

	switch (opt) {
	case 'p':
		o->pool = arg;
		return 0;
	case 's':
		o->sources = arg;
		return 0;
	case 'n':
		if (tl_parse_int64(arg, 1, TL_RFC3797_MAX_POOL, &o->count) !=
		    TL_OK)
			return cli_usage_error("--count: \"%s\" is not a whole "
			    "number from 1 to %d", arg, TL_RFC3797_MAX_POOL);
		return 0;
	case 'f':
		o->format = arg;
		return 0;
	default:
		return EXIT_USAGE;
	}
}

/*
 * Splits a file into its lines (CR LF or LF), trimmed of blanks, skipping
 * blank lines and, when comments is set, lines starting with '#'.  The
 * strings point into text, which the caller keeps.
 */
static int
split_lines(char *text, int comments, const char *path, char ***out,
    size_t *n)
{
	char **lines = NULL, *p = text;
	size_t count = 0, cap = 0;
	size_t lineno = 0;

	while (*p != '\0') {
		char *nl = strchr(p, '\n'), *line = p, *end;

		lineno++;
		if (nl != NULL)
			*nl = '\0';
		p = nl != NULL ? nl + 1 : p + strlen(p);
		while (*line == ' ' || *line == '\t')
			line++;
		end = line + strlen(line);
		while (end > line && isspace((unsigned char)end[-1]))
			*--end = '\0';
		if (*line == '\0' || (comments && *line == '#'))
			continue;
		if (count == TL_RFC3797_MAX_POOL) {
			free(lines);
			cli_error("%s:%zu: more than %d lines", path, lineno,
			    TL_RFC3797_MAX_POOL);
			return EXIT_USAGE;
		}
		if (count == cap) {
			char **l;

			cap = cap != 0 ? cap * 2 : 64;
			if ((l = realloc(lines, cap * sizeof(*l))) == NULL) {
				free(lines);
				cli_error("out of memory");
				return EXIT_INTERNAL;
			}
			lines = l;
		}
		lines[count++] = line;
	}
	*out = lines;
	*n = count;
	return 0;
}

static int
print_text(const char *key, char **pool, size_t npool,
    const struct tl_rfc3797_pick *picks, size_t count)
{
	char hex[33];

	printf("Key: %s\nPool: %zu members; %zu selected\n\n", key, npool,
	    count);
	printf("index        hex value of MD5        div  selected\n");
	for (size_t i = 0; i < count; i++) {
		tl_hex_encode(picks[i].md5, 16, hex);
		for (char *c = hex; *c; c++)
			*c = (char)toupper((unsigned char)*c);
		printf(" %3u  %s  %3zu  -> %3zu <-  %s\n", picks[i].index + 1,
		    hex, picks[i].divisor, picks[i].member,
		    pool[picks[i].member - 1]);
	}
	return 0;
}

static int
print_json(const char *key, char **pool, const struct tl_rfc3797_pick *picks,
    size_t count)
{
	json_t *doc, *selected = json_array();
	char hex[33];
	int status;

	for (size_t i = 0; i < count; i++) {
		json_t *name = json_string(pool[picks[i].member - 1]);

		tl_hex_encode(picks[i].md5, 16, hex);
		for (char *c = hex; *c; c++)
			*c = (char)toupper((unsigned char)*c);
		if (name == NULL) {
			json_decref(selected);
			cli_error("pool member %zu is not UTF-8 text",
			    picks[i].member);
			return EXIT_USAGE;
		}
		json_array_append_new(selected, json_pack("{s:I, s:s, s:I, s:I, "
		    "s:o}", "index", (json_int_t)picks[i].index, "md5", hex,
		    "divisor", (json_int_t)picks[i].divisor, "member",
		    (json_int_t)picks[i].member, "name", name));
	}
	doc = json_pack("{s:s, s:o}", "key", key, "selected", selected);
	status = cli_print_json(doc);
	json_decref(doc);
	return status;
}

static int
exec_select(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"pool", required_argument, NULL, 'p'},
		{"sources", required_argument, NULL, 's'},
		{"count", required_argument, NULL, 'n'},
		{"format", required_argument, NULL, 'f'},
		{NULL, 0, NULL, 0},
	};
	struct nomcom_opts o = {NULL, NULL, 0, "text"};
	struct tl_rfc3797_pick *picks = NULL;
	struct tl_error err;
	char *pool_text = NULL, *sources_text = NULL, *key = NULL;
	char **pool = NULL, **sources = NULL;
	size_t npool = 0, nsources = 0;
	int first, status;

	if ((status = cli_parse(argc, argv, "f:", longopts, nomcom_option, &o,
	    &first)) >= 0)
		return status;
	if ((status = cli_operands(argc - first, 0, 0)) != 0)
		return status;
	if (o.pool == NULL || o.sources == NULL || o.count == 0)
		return cli_usage_error("--pool, --sources and --count are "
		    "required");
	if (strcmp(o.format, "text") != 0 && strcmp(o.format, "json") != 0)
		return cli_usage_error("--format must be text or json");
	tl_error_clear(&err);
	if (tl_read_file(o.pool, LIST_FILE_MAX, &pool_text, NULL, &err) !=
	    TL_OK ||
	    tl_read_file(o.sources, LIST_FILE_MAX, &sources_text, NULL, &err) !=
	    TL_OK) {
		status = cli_fail(&err);
		goto out;
	}
	if ((status = split_lines(pool_text, 0, o.pool, &pool, &npool)) != 0 ||
	    (status = split_lines(sources_text, 1, o.sources, &sources,
	    &nsources)) != 0)
		goto out;
	if ((size_t)o.count > npool) {
		status = cli_usage_error("--count %lld is more than the pool's "
		    "%zu members", (long long)o.count, npool);
		goto out;
	}
	if ((picks = calloc((size_t)o.count, sizeof(*picks))) == NULL) {
		cli_error("out of memory");
		status = EXIT_INTERNAL;
		goto out;
	}
	if (tl_rfc3797_key((const char *const *)sources, nsources, &key,
	    &err) != TL_OK) {
		tl_error_prefix(&err, "%s", o.sources);
		status = cli_fail(&err);
		goto out;
	}
	if (tl_rfc3797_select(key, npool, (size_t)o.count, picks, &err) !=
	    TL_OK) {
		status = cli_fail(&err);
		goto out;
	}
	status = strcmp(o.format, "json") == 0 ?
	    print_json(key, pool, picks, (size_t)o.count) :
	    print_text(key, pool, npool, picks, (size_t)o.count);
 out:
	free(picks);
	free(key);
	free(pool);
	free(sources);
	free(pool_text);
	free(sources_text);
	return status;
}

const struct cli_command cmd_nomcom_select = {
	"nomcom", "select", "--pool FILE --sources FILE --count N",
	"Select N members from a pool by RFC 3797's verifiable random method.",
	"The pool file has one member per line, in the published order (blank\n"
	"lines are skipped); the sources file has one random source per line,\n"
	"its values separated by blanks, in the published order of the sources\n"
	"(lines starting with # are comments).  Values are numbers; a decimal\n"
	"fraction keeps its point, without trailing zeros.  The key string, the\n"
	"MD5 of each selection and the members selected are printed as in\n"
	"RFC 3797 section 6, where the index counts from 1; in JSON, index is\n"
	"the selection index i hashed (from 0).  Anyone with the same pool and\n"
	"sources gets the same selection.\n\n"
	"Options:\n"
	"  --pool FILE          the pool, one member per line\n"
	"  --sources FILE       the random sources, one per line\n"
	"  --count N            how many to select\n"
	"  -f, --format FORMAT  text (default) or json: {\"key\", \"selected\":\n"
	"                       [{\"index\", \"md5\", \"divisor\", \"member\",\n"
	"                       \"name\"}, ...]}\n",
	exec_select,
};
