/*
 * check_schulze.c: the Schulze count.  Cases worked by hand (the reasoning
 * is in the comments), and a randomized cross-check of every place of the
 * ranking against a reference written here straight from the definition:
 * d by comparing ranks pair by pair, p by the widest-path iteration, and
 * the potential winners of a place as the candidates that no candidate
 * still unplaced beats.
 */
#include <config.h>

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "helpers.h"
#include "teller/count.h"

#define MAXC 6

static const char *const ids[MAXC] = {"a", "b", "c", "d", "e", "f"};
static const char *const names[MAXC] = {"Ada", "Ben", "Cy", "Dee", "Eve",
    "Fay"};

/* A complete or partial ranking written as letters, '>' between ranks and
 * '=' inside one: "d>c=b>a". */
static void
add_ranking(struct tl_ballot_set *set, int64_t weight, const char *text)
{
	uint32_t prefs[MAXC];
	size_t n = 0;
	int equal = 0;

	for (const char *p = text; *p; p++) {
		if (*p == '>' || *p == '=') {
			equal = *p == '=';
			continue;
		}
		prefs[n++] = (uint32_t)(*p - 'a') | (equal ? TL_PREF_EQUAL : 0);
		equal = 0;
	}
	ck_assert_int_eq(tl_ballot_set_add(set, weight, prefs, n), TL_OK);
}

/* Counts with the lot order of seed (NULL: the candidates' order). */
static json_t *
count(size_t ncand, unsigned seats, const struct tl_ballot_set *set,
    const uint8_t *seed, size_t seed_len)
{
	struct tl_count_input in;
	struct tl_error err;
	json_t *report = NULL;

	memset(&in, 0, sizeof(in));
	in.method = TL_METHOD_SCHULZE;
	in.seats = seats;
	in.ncandidates = ncand;
	in.candidate_ids = ids;
	in.candidate_names = names;
	in.seed = seed;
	in.seed_len = seed_len;
	tl_count_input_set_ballots(&in, set);
	ck_assert_msg(tl_count_run(&in, &report, &err) == TL_OK, "%s",
	    err.message);
	return report;
}

/* The ids of a JSON array of strings, joined: ["a","c"] -> "ac". */
static const char *
joined(const json_t *list)
{
	static char buf[MAXC + 1];
	size_t i, n = 0;
	json_t *v;

	json_array_foreach(list, i, v)
		if (n < MAXC)
			buf[n++] = json_string_value(v)[0];
	buf[n] = '\0';
	return buf;
}

static int64_t
matrix_at(const json_t *report, const char *which, const char *x,
    const char *y)
{
	return json_integer_value(json_object_get(json_object_get(
	    json_object_get(report, which), x), y));
}

START_TEST(unbeaten_candidates_tie)
{
	struct tl_ballot_set set;
	json_t *r, *ties, *tie;

	/*
	 * Three complete rankings of four candidates:
	 *   d > c > b > a,   a > d > c > b,   c > b > a > d.
	 * d[X][Y] (ballots ranking X above Y), each pair:
	 *   a-b 1:2, a-c 1:2, a-d 2:1, b-c 0:3, b-d 1:2, c-d 1:2.
	 * Links: b->a 2, c->a 2, a->d 2, c->b 3, d->b 2, d->c 2; the
	 * majorities go round a cycle a->d->c->a.
	 * Strongest paths: every candidate reaches every other through
	 * links of strength 2 (a->d->c->b, b->a->d->c, c->a->d, d->c->a), and
	 * only c->b has 3: p[c][b] = 3, every other p is 2.  So c beats b and
	 * no other pair is decided.
	 * Nobody beats a, c or d: all three are potential winners.  (The
	 * count used to put c first with no tie, because c beats one
	 * candidate and the others none.)
	 * With no seed the lot order is a, b, c, d:
	 *   place 1: {a, c, d} tied, a drawn first;
	 *   place 2: left b, c, d; b is beaten by c: {c, d} tied, c;
	 *   place 3: left b, d; c is placed, so nobody left beats b: {b, d}
	 *            tied, b;
	 *   place 4: d.
	 */
	tl_ballot_set_init(&set);
	add_ranking(&set, 1, "d>c>b>a");
	add_ranking(&set, 1, "a>d>c>b");
	add_ranking(&set, 1, "c>b>a>d");
	r = count(4, 1, &set, NULL, 0);
	ck_assert_int_eq(matrix_at(r, "d", "a", "b"), 1);
	ck_assert_int_eq(matrix_at(r, "d", "b", "a"), 2);
	ck_assert_int_eq(matrix_at(r, "d", "a", "d"), 2);
	ck_assert_int_eq(matrix_at(r, "d", "c", "b"), 3);
	ck_assert_int_eq(matrix_at(r, "d", "b", "c"), 0);
	ck_assert_int_eq(matrix_at(r, "p", "c", "b"), 3);
	ck_assert_int_eq(matrix_at(r, "p", "b", "c"), 2);
	ck_assert_int_eq(matrix_at(r, "p", "a", "c"), 2);
	ck_assert_int_eq(matrix_at(r, "p", "c", "a"), 2);
	ck_assert_str_eq(joined(json_object_get(r, "ranking")), "acbd");
	ck_assert_str_eq(joined(json_object_get(r, "elected")), "a");
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(r,
	    "winners"), 0)), "Ada");
	ties = json_object_get(r, "ties");
	ck_assert_uint_eq(json_array_size(ties), 3);
	tie = json_array_get(ties, 0);
	ck_assert_str_eq(joined(json_object_get(tie, "candidates")), "acd");
	ck_assert_str_eq(joined(json_object_get(tie, "lot_order")), "acd");
	ck_assert_str_eq(json_string_value(json_object_get(tie, "chosen")),
	    "a");
	ck_assert_str_eq(json_string_value(json_object_get(tie, "broken_by")),
	    "lot");
	ck_assert_int_eq(json_integer_value(json_object_get(tie, "place")), 1);
	tie = json_array_get(ties, 1);
	ck_assert_str_eq(joined(json_object_get(tie, "candidates")), "cd");
	ck_assert_str_eq(json_string_value(json_object_get(tie, "chosen")),
	    "c");
	ck_assert_int_eq(json_integer_value(json_object_get(tie, "place")), 2);
	tie = json_array_get(ties, 2);
	ck_assert_str_eq(joined(json_object_get(tie, "candidates")), "bd");
	ck_assert_str_eq(json_string_value(json_object_get(tie, "chosen")),
	    "b");
	ck_assert_int_eq(json_integer_value(json_object_get(tie, "place")), 3);
	json_decref(r);
	tl_ballot_set_free(&set);
}
END_TEST

START_TEST(lot_order_decides_between_unbeaten)
{
	static const uint8_t seed[32] = {1};
	struct tl_ballot_set set;
	json_t *r, *tie;

	/*
	 * The same three ballots, two seats, with the seed 01 00..00 whose
	 * lot order for four candidates is c, a, d, b (check_count.c's
	 * worked example: z, x, w, y for the 3rd, 1st, 4th, 2nd candidates).
	 *   place 1: {a, c, d} tied, c drawn first;
	 *   place 2: left a, b, d; c, who beat b, is placed; nobody left
	 *            beats anyone: {a, b, d} tied, a;
	 *   place 3: {b, d} tied, d;  place 4: b.
	 * The two seats go to c and a.
	 */
	tl_ballot_set_init(&set);
	add_ranking(&set, 1, "d>c>b>a");
	add_ranking(&set, 1, "a>d>c>b");
	add_ranking(&set, 1, "c>b>a>d");
	r = count(4, 2, &set, seed, sizeof(seed));
	ck_assert_str_eq(joined(json_object_get(r, "ranking")), "cadb");
	ck_assert_str_eq(joined(json_object_get(r, "elected")), "ca");
	ck_assert_uint_eq(json_array_size(json_object_get(r, "ties")), 3);
	tie = json_array_get(json_object_get(r, "ties"), 1);
	ck_assert_str_eq(joined(json_object_get(tie, "candidates")), "abd");
	ck_assert_str_eq(joined(json_object_get(tie, "lot_order")), "adb");
	ck_assert_str_eq(json_string_value(json_object_get(tie, "chosen")),
	    "a");
	json_decref(r);
	tl_ballot_set_free(&set);
}
END_TEST

START_TEST(condorcet_winner_needs_no_lot)
{
	struct tl_ballot_set set;
	json_t *r;

	/*
	 * A Condorcet winner beats everyone, so no tie can come up at place
	 * 1.  Weights 3 a>b>c, 2 b>c>a, 2 c>a>b: a-b 5:2, b-c 5:2, c-a 4:3, a
	 * cycle a->b->c->a with links 5, 5, 4.  p[a][b] = 5, p[b][c] = 5,
	 * p[a][c] = min(5, 5) = 5 > p[c][a] = 4; p[b][a] = min(5, 4) = 4 <
	 * 5; p[c][b] = min(4, 5) = 4 < 5.  a beats b and c, b beats c:
	 * ranking a, b, c with no tie at all.
	 */
	tl_ballot_set_init(&set);
	add_ranking(&set, 3, "a>b>c");
	add_ranking(&set, 2, "b>c>a");
	add_ranking(&set, 2, "c>a>b");
	r = count(3, 1, &set, NULL, 0);
	ck_assert_str_eq(joined(json_object_get(r, "ranking")), "abc");
	ck_assert_uint_eq(json_array_size(json_object_get(r, "ties")), 0);
	ck_assert_int_eq(matrix_at(r, "p", "a", "c"), 5);
	ck_assert_int_eq(matrix_at(r, "p", "c", "a"), 4);
	json_decref(r);
	tl_ballot_set_free(&set);
}
END_TEST

/* xorshift64*: a fixed stream, so that a failure can be replayed. */
static uint64_t
next_random(uint64_t *state)
{
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * 0x2545f4914f6cdd1dULL;
}

/*
 * The reference: rank[b][c] is ballot b's rank of candidate c (1 is the
 * most preferred, equal numbers are equal ranks, 0 is unranked: below
 * every ranked candidate).
 */
struct profile {
	size_t nc, nb;
	int64_t weight[8];
	int rank[8][MAXC];
};

static void
reference_paths(const struct profile *pr, int64_t d[MAXC][MAXC],
    int64_t p[MAXC][MAXC])
{
	for (size_t x = 0; x < pr->nc; x++)
		for (size_t y = 0; y < pr->nc; y++) {
			d[x][y] = 0;
			for (size_t b = 0; b < pr->nb && x != y; b++) {
				int rx = pr->rank[b][x], ry = pr->rank[b][y];

				if (rx != 0 && (ry == 0 || rx < ry))
					d[x][y] += pr->weight[b];
			}
		}
	for (size_t x = 0; x < pr->nc; x++)
		for (size_t y = 0; y < pr->nc; y++)
			p[x][y] = x != y && d[x][y] > d[y][x] ? d[x][y] : 0;
	for (size_t i = 0; i < pr->nc; i++)
		for (size_t j = 0; j < pr->nc; j++) {
			if (i == j)
				continue;
			for (size_t k = 0; k < pr->nc; k++) {
				int64_t via = p[j][i] < p[i][k] ? p[j][i] :
				    p[i][k];

				if (k != i && k != j && via > p[j][k])
					p[j][k] = via;
			}
		}
}

/* Builds ballot b of the profile as count.h's flat preferences. */
static void
add_profile_ballot(struct tl_ballot_set *set, const struct profile *pr,
    size_t b)
{
	uint32_t prefs[MAXC];
	size_t n = 0;

	for (int level = 1; level <= (int)pr->nc; level++) {
		int first = 1;

		for (size_t c = 0; c < pr->nc; c++)
			if (pr->rank[b][c] == level) {
				prefs[n++] = (uint32_t)c |
				    (first ? 0 : TL_PREF_EQUAL);
				first = 0;
			}
	}
	ck_assert_int_eq(tl_ballot_set_add(set, pr->weight[b], prefs, n),
	    TL_OK);
}

static size_t
index_of(const char *id)
{
	return (size_t)(id[0] - 'a');
}

START_TEST(random_profiles_match_the_reference)
{
	uint64_t state = 0x74656c6c6572ULL;
	size_t profiles = 0, with_ties = 0, unbeaten_differ = 0;

	for (int t = 0; t < 5000; t++) {
		struct profile pr;
		struct tl_ballot_set set;
		int64_t d[MAXC][MAXC], p[MAXC][MAXC];
		uint8_t seed[8], placed[MAXC] = {0};
		const json_t *ranking, *ties;
		size_t tie_at = 0;
		json_t *r;

		memset(&pr, 0, sizeof(pr));
		pr.nc = 2 + next_random(&state) % (MAXC - 1);
		pr.nb = 1 + next_random(&state) % 7;
		for (size_t b = 0; b < pr.nb; b++) {
			pr.weight[b] = 1 + (int64_t)(next_random(&state) % 3);
			/* Levels 0 (unranked) to nc: equal ranks come up
			 * often, and at least one candidate is ranked. */
			for (size_t c = 0; c < pr.nc; c++)
				pr.rank[b][c] = (int)(next_random(&state) %
				    (pr.nc + 1));
			pr.rank[b][next_random(&state) % pr.nc] = 1;
		}
		for (size_t i = 0; i < sizeof(seed); i++)
			seed[i] = (uint8_t)next_random(&state);
		reference_paths(&pr, d, p);
		tl_ballot_set_init(&set);
		for (size_t b = 0; b < pr.nb; b++)
			add_profile_ballot(&set, &pr, b);
		r = count(pr.nc, 1, &set, seed, sizeof(seed));
		for (size_t x = 0; x < pr.nc; x++)
			for (size_t y = 0; y < pr.nc; y++)
				if (x != y) {
					ck_assert_int_eq(matrix_at(r, "d", ids[x],
					    ids[y]), d[x][y]);
					ck_assert_int_eq(matrix_at(r, "p", ids[x],
					    ids[y]), p[x][y]);
				}
		ranking = json_object_get(r, "ranking");
		ties = json_object_get(r, "ties");
		ck_assert_uint_eq(json_array_size(ranking), pr.nc);
		/* Every place: the reference's potential winners among the
		 * candidates not yet placed; the one placed must be one of
		 * them, and when there are several the report has the tie of
		 * that place with exactly them. */
		for (size_t place = 0; place < pr.nc; place++) {
			char unbeaten[MAXC + 1];
			size_t nu = 0, got = index_of(json_string_value(
			    json_array_get(ranking, place)));
			size_t wins_min = MAXC, wins_max = 0;

			for (size_t x = 0; x < pr.nc; x++) {
				int beaten = 0;
				size_t wins = 0;

				if (placed[x])
					continue;
				for (size_t y = 0; y < pr.nc; y++) {
					if (y == x || placed[y])
						continue;
					beaten |= p[y][x] > p[x][y];
					wins += p[x][y] > p[y][x];
				}
				if (beaten)
					continue;
				unbeaten[nu++] = ids[x][0];
				if (wins < wins_min)
					wins_min = wins;
				if (wins > wins_max)
					wins_max = wins;
			}
			unbeaten[nu] = '\0';
			ck_assert_uint_ge(nu, 1);
			ck_assert_msg(got < pr.nc && !placed[got] &&
			    strchr(unbeaten, ids[got][0]) != NULL,
			    "profile %d place %zu: %s placed, potential "
			    "winners %s", t, place + 1, ids[got], unbeaten);
			if (nu > 1) {
				const json_t *tie = json_array_get(ties,
				    tie_at++);

				ck_assert_msg(tie != NULL, "profile %d place "
				    "%zu: potential winners %s, no tie", t,
				    place + 1, unbeaten);
				ck_assert_str_eq(joined(json_object_get(tie,
				    "candidates")), unbeaten);
				ck_assert_int_eq(json_integer_value(
				    json_object_get(tie, "place")),
				    (json_int_t)place + 1);
				ck_assert_str_eq(json_string_value(
				    json_object_get(tie, "chosen")), ids[got]);
				ck_assert_str_eq(json_string_value(
				    json_array_get(json_object_get(tie,
				    "lot_order"), 0)), ids[got]);
				if (place == 0)
					with_ties++;
				if (wins_min != wins_max)
					unbeaten_differ++;
			}
			placed[got] = 1;
		}
		ck_assert_uint_eq(json_array_size(ties), tie_at);
		ck_assert_str_eq(json_string_value(json_array_get(
		    json_object_get(r, "elected"), 0)), json_string_value(
		    json_array_get(ranking, 0)));
		json_decref(r);
		tl_ballot_set_free(&set);
		profiles++;
	}
	/* The profiles reach the cases that matter: ties for first place,
	 * and potential winners that beat different numbers of others. */
	ck_assert_uint_eq(profiles, 5000);
	ck_assert_uint_gt(with_ties, 100);
	ck_assert_uint_gt(unbeaten_differ, 20);
}
END_TEST

static Suite *
schulze_suite(void)
{
	Suite *s = suite_create("schulze");
	TCase *tc = tcase_create("schulze");

	tcase_add_test(tc, unbeaten_candidates_tie);
	tcase_add_test(tc, lot_order_decides_between_unbeaten);
	tcase_add_test(tc, condorcet_winner_needs_no_lot);
	tcase_add_test(tc, random_profiles_match_the_reference);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return th_run(schulze_suite());
}
