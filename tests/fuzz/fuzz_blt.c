/*
 * fuzz_blt.c: libFuzzer harness for the BLT reader.  An accepted file has
 * candidates and seats in range, preferences that name candidates once,
 * and names of valid length; it is then written back and read again, and
 * counted by Scottish STV, which must not fail on anything the reader
 * accepts (up to equal ranks, which it reports).
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "teller/blt.h"
#include "teller/manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tl_blt *blt = NULL, *again = NULL;
	struct tl_count_input in;
	struct tl_buf buf;
	json_t *report = NULL;
	int r;

	if (tl_blt_parse((const char *)data, size, "fuzz.blt", &blt, NULL) !=
	    TL_OK)
		return 0;
	if (blt->ncandidates == 0 || blt->ncandidates > TL_MAX_CANDIDATES ||
	    blt->seats == 0 || blt->seats > blt->ncandidates)
		abort();
	for (size_t b = 0; b < blt->ballots.nballots; b++) {
		if (blt->ballots.weights[b] <= 0)
			abort();
		for (size_t k = blt->ballots.starts[b];
		    k < blt->ballots.starts[b + 1]; k++)
			if (TL_PREF_INDEX(blt->ballots.prefs[k]) >=
			    blt->ncandidates)
				abort();
	}
	memset(&in, 0, sizeof(in));
	in.method = TL_METHOD_STV_SCOTTISH;
	in.seats = blt->seats;
	in.ncandidates = blt->ncandidates;
	in.candidate_ids = (const char *const *)blt->ids;
	in.candidate_names = (const char *const *)blt->names;
	in.withdrawn = blt->withdrawn;
	in.weight_decimals = blt->weight_decimals;
	tl_count_input_set_ballots(&in, &blt->ballots);
	tl_buf_init(&buf, 64 * 1024 * 1024);
	if (tl_blt_write(&in, blt->title, &buf, NULL) == TL_OK) {
		if (tl_blt_parse(buf.data, buf.len, "again.blt", &again,
		    NULL) != TL_OK ||
		    again->ballots.nballots != blt->ballots.nballots ||
		    again->ballots.nprefs != blt->ballots.nprefs)
			abort();
		tl_blt_free(again);
	}
	tl_buf_free(&buf);
	r = tl_count_run(&in, &report, NULL);
	if (r != TL_OK && r != TL_EMETHOD)
		abort();
	json_decref(report);
	tl_blt_free(blt);
	return 0;
}
