/*
 * check_merkle.c: the log's Merkle tree (RFC 9162 section 2.1): roots,
 * inclusion and consistency proofs and their verification.
 *
 * The known answers are for the eight leaves of RFC 6962's test suites;
 * they were computed by tests/unit/merkle_vectors.py, recursively from the
 * RFC's definitions with nothing but Python's hashlib (its roots of 3, 4
 * and 8 leaves are the ones certificate-transparency's suites publish).
 * Random sizes up to 1,000 are checked against a recursive reference
 * written here from the same definitions, and the tree the database keeps
 * for an election's log is checked against it too.
 */
#include <config.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "store_internal.h"
#include "teller/election.h"
#include "teller/log.h"
#include "teller/merkle.h"

static const char *const leaves_hex[8] = {
	"", "00", "10", "2021", "3031", "40414243", "5051525354555657",
	"606162636465666768696a6b6c6d6e6f",
};

/* MTH of the first n leaves, n = 0 .. 8. */
static const char *const roots_hex[9] = {
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
	"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
	"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
	"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
	"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
	"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

struct vector {
	unsigned m, n;        /* leaf index or old size; tree size */
	unsigned len;         /* hashes in the proof */
	const char *hashes[8];
};

/* PATH(m, D[n]) for every 0 <= m < n <= 8. */
static const struct vector inclusion[] = {
	{0, 1, 0, {NULL}},
	{0, 2, 1, {
	    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"}},
	{1, 2, 1, {
	    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"}},
	{0, 3, 2, {
	    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
	    "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7"}},
	{1, 3, 2, {
	    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	    "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7"}},
	{2, 3, 1, {
	    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
	{0, 4, 2, {
	    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
	    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"}},
	{1, 4, 2, {
	    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"}},
	{2, 4, 2, {
	    "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
	    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
	{3, 4, 2, {
	    "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
	    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
	{0, 5, 3, {
	    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
	    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
	    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
	{1, 5, 3, {
	    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
	    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
	{2, 5, 3, {
	    "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
	    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
	{3, 5, 3, {
	    "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
	    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
	{4, 5, 1, {
	    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
	{0, 6, 3, {
	    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
	    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
	    "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"}},
	{1, 6, 3, {
	    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
	    "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"}},
	{2, 6, 3, {
	    "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
	    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	    "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"}},
	{3, 6, 3, {
	    "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
	    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	    "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"}},
	{4, 6, 2, {
	    "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
	    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
	{5, 6, 2, {
	    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
	    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
	{0, 7, 3, {
	    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
	    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
	    "837dbb152e9b079010717e84e865da4ebc0fa198a806d59d31bf15accef22d0e"}},
	{1, 7, 3, {
	    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
	    "837dbb152e9b079010717e84e865da4ebc0fa198a806d59d31bf15accef22d0e"}},
	{2, 7, 3, {
	    "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
	    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	    "837dbb152e9b079010717e84e865da4ebc0fa198a806d59d31bf15accef22d0e"}},
	{3, 7, 3, {
	    "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
	    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	    "837dbb152e9b079010717e84e865da4ebc0fa198a806d59d31bf15accef22d0e"}},
	{4, 7, 3, {
	    "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
	    "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
	    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
	{5, 7, 3, {
	    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
	    "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
	    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
	{6, 7, 2, {
	    "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
	    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
	{0, 8, 3, {
	    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
	    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
	    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
	{1, 8, 3, {
	    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
	    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
	{2, 8, 3, {
	    "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
	    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
	{3, 8, 3, {
	    "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
	    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
	{4, 8, 3, {
	    "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
	    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
	    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
	{5, 8, 3, {
	    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
	    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
	    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
	{6, 8, 3, {
	    "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
	    "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
	    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
	{7, 8, 3, {
	    "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
	    "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
	    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
};

/* PROOF(m, D[n]) for every 1 <= m <= n <= 8. */
static const struct vector consistency[] = {
	{1, 1, 0, {NULL}},
	{1, 2, 1, {
	    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"}},
	{2, 2, 0, {NULL}},
	{1, 3, 2, {
	    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
	    "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7"}},
	{2, 3, 1, {
	    "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7"}},
	{3, 3, 0, {NULL}},
	{1, 4, 2, {
	    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
	    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"}},
	{2, 4, 1, {
	    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"}},
	{3, 4, 3, {
	    "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
	    "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
	    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
	{4, 4, 0, {NULL}},
	{1, 5, 3, {
	    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
	    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
	    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
	{2, 5, 2, {
	    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
	    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
	{3, 5, 4, {
	    "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
	    "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
	    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
	{4, 5, 1, {
	    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
	{5, 5, 0, {NULL}},
	{1, 6, 3, {
	    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
	    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
	    "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"}},
	{2, 6, 2, {
	    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
	    "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"}},
	{3, 6, 4, {
	    "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
	    "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
	    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	    "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"}},
	{4, 6, 1, {
	    "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"}},
	{5, 6, 3, {
	    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
	    "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
	    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
	{6, 6, 0, {NULL}},
	{1, 7, 3, {
	    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
	    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
	    "837dbb152e9b079010717e84e865da4ebc0fa198a806d59d31bf15accef22d0e"}},
	{2, 7, 2, {
	    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
	    "837dbb152e9b079010717e84e865da4ebc0fa198a806d59d31bf15accef22d0e"}},
	{3, 7, 4, {
	    "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
	    "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
	    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	    "837dbb152e9b079010717e84e865da4ebc0fa198a806d59d31bf15accef22d0e"}},
	{4, 7, 1, {
	    "837dbb152e9b079010717e84e865da4ebc0fa198a806d59d31bf15accef22d0e"}},
	{5, 7, 4, {
	    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
	    "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
	    "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
	    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
	{6, 7, 3, {
	    "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
	    "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
	    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
	{7, 7, 0, {NULL}},
	{1, 8, 3, {
	    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
	    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
	    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
	{2, 8, 2, {
	    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
	    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
	{3, 8, 4, {
	    "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
	    "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
	    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
	{4, 8, 1, {
	    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
	{5, 8, 4, {
	    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
	    "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
	    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
	    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
	{6, 8, 3, {
	    "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
	    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
	    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
	{7, 8, 4, {
	    "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
	    "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
	    "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
	    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
	{8, 8, 0, {NULL}},
};

#define NVECTORS(a) (sizeof(a) / sizeof((a)[0]))

static void
unhex(const char *hex, uint8_t out[TL_SHA256_LEN])
{
	ck_assert_int_eq(tl_hex_decode(hex, out, TL_SHA256_LEN), TL_OK);
}

/* The eight leaves' hashes and an in-memory tree of them. */
static void
vector_tree(struct tl_merkle_mem *mem, uint8_t leaf[8][TL_SHA256_LEN])
{
	tl_merkle_mem_init(mem);
	for (size_t i = 0; i < 8; i++) {
		uint8_t data[16];
		size_t len = strlen(leaves_hex[i]) / 2;

		if (len != 0)
			ck_assert_int_eq(tl_hex_decode(leaves_hex[i], data, len),
			    TL_OK);
		tl_merkle_leaf_hash(data, len, leaf[i]);
		ck_assert_int_eq(tl_merkle_mem_append(mem, leaf[i]), TL_OK);
	}
}

static void
expect_proof(const struct tl_merkle_proof *proof, const struct vector *v)
{
	uint8_t want[TL_SHA256_LEN];

	ck_assert_msg(proof->n == v->len, "proof (%u, %u) has %zu hashes, "
	    "expected %u", v->m, v->n, proof->n, v->len);
	for (unsigned i = 0; i < v->len; i++) {
		unhex(v->hashes[i], want);
		ck_assert_msg(memcmp(proof->hashes[i], want, TL_SHA256_LEN) == 0,
		    "proof (%u, %u) differs at hash %u", v->m, v->n, i);
	}
}

static void
vector_proof(const struct vector *v, struct tl_merkle_proof *proof)
{
	proof->n = v->len;
	for (unsigned i = 0; i < v->len; i++)
		unhex(v->hashes[i], proof->hashes[i]);
}

START_TEST(test_vector_roots)
{
	struct tl_merkle_mem mem;
	uint8_t leaf[8][TL_SHA256_LEN], root[TL_SHA256_LEN], want[TL_SHA256_LEN];

	vector_tree(&mem, leaf);
	for (unsigned n = 0; n <= 8; n++) {
		ck_assert_int_eq(tl_merkle_root(&mem.store, n, root), TL_OK);
		unhex(roots_hex[n], want);
		ck_assert_msg(memcmp(root, want, TL_SHA256_LEN) == 0,
		    "root of %u leaves", n);
	}
	tl_merkle_mem_free(&mem);
}
END_TEST

START_TEST(test_vector_inclusion)
{
	struct tl_merkle_mem mem;
	struct tl_merkle_proof proof, bad;
	uint8_t leaf[8][TL_SHA256_LEN], root[TL_SHA256_LEN];

	ck_assert_uint_eq(NVECTORS(inclusion), 36);
	vector_tree(&mem, leaf);
	for (size_t i = 0; i < NVECTORS(inclusion); i++) {
		const struct vector *v = &inclusion[i];

		unhex(roots_hex[v->n], root);
		ck_assert_int_eq(tl_merkle_inclusion_proof(&mem.store, v->m,
		    v->n, &proof), TL_OK);
		expect_proof(&proof, v);
		/* The known path verifies, and only for its own leaf. */
		vector_proof(v, &proof);
		ck_assert_int_eq(tl_merkle_verify_inclusion(leaf[v->m], v->m,
		    v->n, root, &proof), TL_OK);
		for (unsigned other = 0; other < 8; other++)
			if (other != v->m)
				ck_assert_int_eq(tl_merkle_verify_inclusion(
				    leaf[other], v->m, v->n, root, &proof),
				    TL_EVERIFY);
		ck_assert_int_eq(tl_merkle_verify_inclusion(leaf[v->m], v->n,
		    v->n, root, &proof), TL_EVERIFY);
		if (v->n > 1)
			ck_assert_int_eq(tl_merkle_verify_inclusion(leaf[v->m],
			    (v->m + 1) % v->n, v->n, root, &proof), TL_EVERIFY);
		for (unsigned k = 0; k < v->len; k++) {
			bad = proof;
			bad.hashes[k][k % TL_SHA256_LEN] ^= 0x01;
			ck_assert_int_eq(tl_merkle_verify_inclusion(leaf[v->m],
			    v->m, v->n, root, &bad), TL_EVERIFY);
		}
		if (v->len > 0) {
			bad = proof;
			bad.n--;
			ck_assert_int_eq(tl_merkle_verify_inclusion(leaf[v->m],
			    v->m, v->n, root, &bad), TL_EVERIFY);
		}
		bad = proof;
		memcpy(bad.hashes[bad.n++], root, TL_SHA256_LEN);
		ck_assert_int_eq(tl_merkle_verify_inclusion(leaf[v->m], v->m,
		    v->n, root, &bad), TL_EVERIFY);
	}
	ck_assert_int_eq(tl_merkle_inclusion_proof(&mem.store, 8, 8, &proof),
	    TL_EINPUT);
	tl_merkle_mem_free(&mem);
}
END_TEST

START_TEST(test_vector_consistency)
{
	struct tl_merkle_mem mem;
	struct tl_merkle_proof proof, bad;
	uint8_t leaf[8][TL_SHA256_LEN], old_root[TL_SHA256_LEN];
	uint8_t new_root[TL_SHA256_LEN];

	ck_assert_uint_eq(NVECTORS(consistency), 36);
	vector_tree(&mem, leaf);
	for (size_t i = 0; i < NVECTORS(consistency); i++) {
		const struct vector *v = &consistency[i];

		unhex(roots_hex[v->m], old_root);
		unhex(roots_hex[v->n], new_root);
		ck_assert_int_eq(tl_merkle_consistency_proof(&mem.store, v->m,
		    v->n, &proof), TL_OK);
		expect_proof(&proof, v);
		vector_proof(v, &proof);
		ck_assert_int_eq(tl_merkle_verify_consistency(v->m, v->n,
		    old_root, new_root, &proof), TL_OK);
		/* Another old tree, or another new one, does not verify. */
		for (unsigned other = 1; other <= 8; other++) {
			uint8_t r[TL_SHA256_LEN];

			unhex(roots_hex[other], r);
			if (other != v->m)
				ck_assert_int_eq(tl_merkle_verify_consistency(
				    v->m, v->n, r, new_root, &proof), TL_EVERIFY);
			if (other != v->n)
				ck_assert_int_eq(tl_merkle_verify_consistency(
				    v->m, v->n, old_root, r, &proof), TL_EVERIFY);
		}
		for (unsigned k = 0; k < v->len; k++) {
			bad = proof;
			bad.hashes[k][(k * 7) % TL_SHA256_LEN] ^= 0x80;
			ck_assert_int_eq(tl_merkle_verify_consistency(v->m, v->n,
			    old_root, new_root, &bad), TL_EVERIFY);
		}
		if (v->len > 0) {
			bad = proof;
			bad.n--;
			ck_assert_int_eq(tl_merkle_verify_consistency(v->m, v->n,
			    old_root, new_root, &bad), TL_EVERIFY);
		}
		bad = proof;
		memcpy(bad.hashes[bad.n++], new_root, TL_SHA256_LEN);
		ck_assert_int_eq(tl_merkle_verify_consistency(v->m, v->n,
		    old_root, new_root, &bad), TL_EVERIFY);
		if (v->m < v->n)
			ck_assert_int_eq(tl_merkle_verify_consistency(v->n, v->m,
			    new_root, old_root, &proof), TL_EVERIFY);
	}
	ck_assert_int_eq(tl_merkle_consistency_proof(&mem.store, 0, 8, &proof),
	    TL_EINPUT);
	ck_assert_int_eq(tl_merkle_consistency_proof(&mem.store, 5, 4, &proof),
	    TL_EINPUT);
	tl_merkle_mem_free(&mem);
}
END_TEST

/* --- a recursive reference, straight from the RFC's definitions ---------- */

static void
ref_leaf(const void *data, size_t len, uint8_t out[TL_SHA256_LEN])
{
	static const uint8_t zero = 0x00;
	struct tl_iov parts[2] = {{&zero, 1}, {data, len}};

	tl_sha256_iov(parts, 2, out);
}

static void
ref_node(const uint8_t *left, const uint8_t *right, uint8_t *out)
{
	static const uint8_t one = 0x01;
	struct tl_iov parts[3] = {{&one, 1}, {left, TL_SHA256_LEN},
	    {right, TL_SHA256_LEN}};

	tl_sha256_iov(parts, 3, out);
}

static size_t
ref_split(size_t n)
{
	size_t k = 1;

	while (k * 2 < n)
		k *= 2;
	return k;
}

/* MTH(D[0:n]) over leaf hashes. */
static void
ref_mth(uint8_t (*leaf)[TL_SHA256_LEN], size_t n, uint8_t out[TL_SHA256_LEN])
{
	uint8_t l[TL_SHA256_LEN], r[TL_SHA256_LEN];
	size_t k;

	if (n == 1) {
		memcpy(out, leaf[0], TL_SHA256_LEN);
		return;
	}
	k = ref_split(n);
	ref_mth(leaf, k, l);
	ref_mth(leaf + k, n - k, r);
	ref_node(l, r, out);
}

static void
ref_push(struct tl_merkle_proof *p, uint8_t (*leaf)[TL_SHA256_LEN],
    size_t n)
{
	ck_assert_uint_lt(p->n, TL_MERKLE_MAX_PROOF);
	ref_mth(leaf, n, p->hashes[p->n++]);
}

static void
ref_path(size_t m, uint8_t (*leaf)[TL_SHA256_LEN], size_t n,
    struct tl_merkle_proof *p)
{
	size_t k;

	if (n == 1)
		return;
	k = ref_split(n);
	if (m < k) {
		ref_path(m, leaf, k, p);
		ref_push(p, leaf + k, n - k);
	} else {
		ref_path(m - k, leaf + k, n - k, p);
		ref_push(p, leaf, k);
	}
}

static void
ref_subproof(size_t m, uint8_t (*leaf)[TL_SHA256_LEN], size_t n, int b,
    struct tl_merkle_proof *p)
{
	size_t k;

	if (m == n) {
		if (!b)
			ref_push(p, leaf, n);
		return;
	}
	k = ref_split(n);
	if (m <= k) {
		ref_subproof(m, leaf, k, b, p);
		ref_push(p, leaf + k, n - k);
	} else {
		ref_subproof(m - k, leaf + k, n - k, 0, p);
		ref_push(p, leaf, k);
	}
}

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static size_t
rng_below(size_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (size_t)(rng_state % n);
}

static void
expect_same(const struct tl_merkle_proof *a, const struct tl_merkle_proof *b,
    const char *what, size_t m, size_t n)
{
	ck_assert_msg(a->n == b->n, "%s (%zu, %zu): %zu hashes, reference %zu",
	    what, m, n, a->n, b->n);
	for (size_t i = 0; i < a->n; i++)
		ck_assert_msg(memcmp(a->hashes[i], b->hashes[i],
		    TL_SHA256_LEN) == 0, "%s (%zu, %zu): hash %zu differs", what,
		    m, n, i);
}

#define MAX_LEAVES 1000

/* Checks a tree's root and some proofs of size n against the reference. */
static void
check_size(const struct tl_merkle_store *store,
    uint8_t (*leaf)[TL_SHA256_LEN], size_t n, size_t nproofs)
{
	struct tl_merkle_proof got, want;
	uint8_t root[TL_SHA256_LEN], ref_root[TL_SHA256_LEN];
	uint8_t old_root[TL_SHA256_LEN];

	ck_assert_int_eq(tl_merkle_root(store, n, root), TL_OK);
	ref_mth(leaf, n, ref_root);
	ck_assert_msg(memcmp(root, ref_root, TL_SHA256_LEN) == 0,
	    "root of %zu leaves", n);
	for (size_t i = 0; i < nproofs; i++) {
		size_t m = i == 0 ? n - 1 : rng_below(n);

		ck_assert_int_eq(tl_merkle_inclusion_proof(store, m, n, &got),
		    TL_OK);
		want.n = 0;
		ref_path(m, leaf, n, &want);
		expect_same(&got, &want, "inclusion", m, n);
		ck_assert_int_eq(tl_merkle_verify_inclusion(leaf[m], m, n, root,
		    &got), TL_OK);

		m = i == 0 ? n : 1 + rng_below(n);
		ck_assert_int_eq(tl_merkle_consistency_proof(store, m, n, &got),
		    TL_OK);
		want.n = 0;
		ref_subproof(m, leaf, n, 1, &want);
		expect_same(&got, &want, "consistency", m, n);
		ref_mth(leaf, m, old_root);
		ck_assert_int_eq(tl_merkle_verify_consistency(m, n, old_root,
		    root, &got), TL_OK);
		if (got.n > 0) {
			got.hashes[rng_below(got.n)][rng_below(32)] ^= 0x10;
			ck_assert_int_eq(tl_merkle_verify_consistency(m, n,
			    old_root, root, &got), TL_EVERIFY);
		}
	}
}

START_TEST(test_random_sizes)
{
	static uint8_t leaf[MAX_LEAVES][TL_SHA256_LEN];
	struct tl_merkle_mem mem;
	char entry[32];

	tl_merkle_mem_init(&mem);
	for (size_t i = 0; i < MAX_LEAVES; i++) {
		int len = snprintf(entry, sizeof(entry), "entry %zu", i);

		ref_leaf(entry, (size_t)len, leaf[i]);
		ck_assert_int_eq(tl_merkle_mem_append(&mem, leaf[i]), TL_OK);
	}
	/* Every size's root up to 300, and proofs around each power of
	 * two (n = 2^k - 1, 2^k, 2^k + 1) up to 1,000. */
	for (size_t n = 1; n <= MAX_LEAVES; n++) {
		int edge = (n & (n - 1)) == 0 || ((n - 1) & (n - 2)) == 0 ||
		    ((n + 1) & n) == 0 || n == MAX_LEAVES;

		if (n <= 300 || edge)
			check_size(&mem.store, leaf, n, edge ? 8 : 0);
	}
	/* And random sizes with more proofs each. */
	for (int i = 0; i < 60; i++)
		check_size(&mem.store, leaf, 1 + rng_below(MAX_LEAVES), 12);
	tl_merkle_mem_free(&mem);
}
END_TEST

/* The tree the database keeps for an election's log, against the
 * reference over the log's own entries. */
START_TEST(test_log_tree)
{
	static uint8_t leaf[300][TL_SHA256_LEN];
	struct tl_error err;
	struct tl_store *store;
	struct tl_key **keys = th_keys(2);
	struct tl_merkle_proof got, want;
	uint8_t root[TL_SHA256_LEN], ref_root[TL_SHA256_LEN];
	char *dir = th_tmpdir(), *id = NULL, *csv = th_roll_csv(keys, 1, 1);
	const char *json = th_manifest_json(0);
	uint64_t size = 0, index = 0;

	store = th_store(dir);
	ck_assert_int_eq(tl_election_create(store, json, strlen(json), TH_NOW,
	    &id, &err), TL_OK);
	ck_assert_int_eq(tl_election_import_roll(store, "e1", csv, strlen(csv),
	    "roll.csv", NULL, &err), TL_OK);
	ck_assert_int_eq(tl_election_open(store, "e1", TH_NOW, &err), TL_OK);
	ck_assert_int_eq(tl_db_begin(store, &err), TL_OK);
	for (size_t i = 2; i < 300; i++) {
		char entry[32];
		int len = snprintf(entry, sizeof(entry), "entry %zu", i);

		ck_assert_int_eq(tl_log_append(store, "e1", "test", entry,
		    (size_t)len, TH_NOW, &index, NULL, &err), TL_OK);
		ck_assert_uint_eq(index, i);
	}
	ck_assert_int_eq(tl_db_commit(store, &err), TL_OK);
	ck_assert_int_eq(tl_log_size(store, "e1", &size, &err), TL_OK);
	ck_assert_uint_eq(size, 300);
	for (uint64_t i = 0; i < 300; i++) {
		char *entry = NULL;
		size_t len = 0;

		ck_assert_int_eq(tl_log_entry(store, "e1", i, &entry, &len, NULL,
		    &err), TL_OK);
		ref_leaf(entry, len, leaf[i]);
		free(entry);
	}
	for (size_t n = 1; n <= 300; n++) {
		ck_assert_int_eq(tl_log_root(store, "e1", n, root, &err), TL_OK);
		ref_mth(leaf, n, ref_root);
		ck_assert_msg(memcmp(root, ref_root, TL_SHA256_LEN) == 0,
		    "database root of %zu entries", n);
		if (n % 37 != 0 && n != 300)
			continue;
		for (size_t m = 0; m < n; m += 1 + n / 9) {
			ck_assert_int_eq(tl_log_inclusion_proof(store, "e1", m, n,
			    &got, &err), TL_OK);
			want.n = 0;
			ref_path(m, leaf, n, &want);
			expect_same(&got, &want, "database inclusion", m, n);
			ck_assert_int_eq(tl_log_consistency_proof(store, "e1",
			    m + 1, n, &got, &err), TL_OK);
			want.n = 0;
			ref_subproof(m + 1, leaf, n, 1, &want);
			expect_same(&got, &want, "database consistency", m + 1, n);
		}
	}
	ck_assert_int_eq(tl_log_inclusion_proof(store, "e1", 300, 300, &got,
	    &err), TL_EINPUT);
	ck_assert_int_eq(tl_log_consistency_proof(store, "e1", 10, 301, &got,
	    &err), TL_EINPUT);
	tl_store_close(store);
	th_keys_free(keys, 2);
	free(csv);
	free(id);
	th_rm_rf(dir);
	free(dir);
}
END_TEST

static Suite *
merkle_suite(void)
{
	Suite *s = suite_create("merkle");
	TCase *tc = tcase_create("vectors");

	tcase_add_test(tc, test_vector_roots);
	tcase_add_test(tc, test_vector_inclusion);
	tcase_add_test(tc, test_vector_consistency);
	suite_add_tcase(s, tc);
	tc = tcase_create("reference");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_random_sizes);
	tcase_add_test(tc, test_log_tree);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return th_run(merkle_suite());
}
