/*
 * spaced.h: for the harnesses that check a fast path against its general
 * path: a copy of the input with a blank after it, which no fast path
 * takes and every general path reads as the input itself.
 */
#ifndef TELLER_FUZZ_SPACED_H
#define TELLER_FUZZ_SPACED_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The size + 1 bytes (not NUL-terminated); the caller frees them. */
static char *
fuzz_spaced(const void *data, size_t size)
{
	char *spaced = malloc(size + 1);

	if (spaced == NULL)
		abort();
	memcpy(spaced, data, size);
	spaced[size] = ' ';
	return spaced;
}

#endif
