/*
 * www.c: finding the voting page's embedded files, and their ETags.
 */
#include <config.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "teller/crypto.h"
#include "www.h"

#define MAX_FILES 32

static char etags[MAX_FILES][TL_HASH_HEX_LEN + 3];
static pthread_once_t etags_once = PTHREAD_ONCE_INIT;

static void
make_etags(void)
{
	for (size_t i = 0; i < www_nfiles && i < MAX_FILES; i++) {
		char hex[TL_HASH_HEX_LEN + 1];

		tl_sha256_hex(www_files[i].data, www_files[i].len, hex);
		etags[i][0] = '"';
		memcpy(etags[i] + 1, hex, TL_HASH_HEX_LEN);
		etags[i][TL_HASH_HEX_LEN + 1] = '"';
		etags[i][TL_HASH_HEX_LEN + 2] = '\0';
	}
}

const struct www_file *
www_find(const char *name)
{
	for (size_t i = 0; i < www_nfiles; i++)
		if (strcmp(www_files[i].name, name) == 0)
			return &www_files[i];
	return NULL;
}

const char *
www_etag(const struct www_file *file)
{
	size_t i = (size_t)(file - www_files);

	pthread_once(&etags_once, make_etags);
	return i < MAX_FILES ? etags[i] : NULL;
}
