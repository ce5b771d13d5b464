/*
 * count-gen.c: writes a BLT file of N ballots over 20 candidates for
 * bench/count, from a fixed seed so that every run counts the same file.
 *
 * Preferences are skewed as real ones are: candidates have popularity
 * weights falling off like 1/k, and a ballot ranks them by drawing without
 * replacement in proportion to those weights (Plackett-Luce), with a bonus
 * for the previous choice's running mate (candidates come in pairs, like
 * parties).  Ballots rank 1 to 20 candidates, short ones most often.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define NCAND 20

static uint64_t state = 0x9e3779b97f4a7c15u;

static uint64_t
next(void)
{
	state ^= state >> 12;
	state ^= state << 25;
	state ^= state >> 27;
	return state * 0x2545f4914f6cdd1du;
}

static uint64_t
below(uint64_t n)
{
	return next() % n;
}

int
main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 1000000;
	uint64_t weight[NCAND];

	if (n <= 0)
		return 2;
	for (int c = 0; c < NCAND; c++)
		weight[c] = 2520000 / (uint64_t)(c + 1);
	printf("%d 5\n", NCAND);
	for (long b = 0; b < n; b++) {
		int taken[NCAND] = {0}, len, prev = -1;
		/* 1 to 20 ranks: about a third of ballots rank one or two. */
		uint64_t u = below(1000);

		len = u < 180 ? 1 : u < 330 ? 2 : u < 450 ? 3 :
		    (int)(4 + below(17));
		printf("1");
		for (int k = 0; k < len; k++) {
			uint64_t w[NCAND], total = 0, x;
			int c;

			for (c = 0; c < NCAND; c++) {
				w[c] = taken[c] ? 0 : weight[c];
				if (prev >= 0 && !taken[c] && (c ^ 1) == prev)
					w[c] *= 6;
				total += w[c];
			}
			x = below(total);
			for (c = 0; x >= w[c]; c++)
				x -= w[c];
			taken[c] = 1;
			prev = c;
			printf(" %d", c + 1);
		}
		printf(" 0\n");
	}
	printf("0\n");
	for (int c = 0; c < NCAND; c++)
		printf("\"Candidate %d\"\n", c + 1);
	printf("\"bench/count: %ld generated ballots\"\n", n);
	return 0;
}
