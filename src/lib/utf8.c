/*
 * utf8.c: recognising well-formed UTF-8 (RFC 3629 section 4, with the
 * limits Jansson applies), and making text valid UTF-8 for messages.
 */
#include <config.h>

#include <stdint.h>

#include "teller/utf8.h"

size_t
tl_utf8_sequence(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t len;
	uint32_t c;

	if (u[0] < 0x80)
		return 1;
	if (u[0] >= 0xc2 && u[0] <= 0xdf) {
		len = 2;
		c = u[0] & 0x1f;
	} else if (u[0] >= 0xe0 && u[0] <= 0xef) {
		len = 3;
		c = u[0] & 0x0f;
	} else if (u[0] >= 0xf0 && u[0] <= 0xf4) {
		len = 4;
		c = u[0] & 0x07;
	} else
		return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((u[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (u[i] & 0x3f);
	}
	if ((len == 3 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))) ||
	    (len == 4 && (c < 0x10000 || c > 0x10ffff)))
		return 0;
	return len;
}

size_t
tl_utf8_clean(char *out, size_t size, const char *in, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i = 0, o = 0, step;

	while (i < n) {
		unsigned char c = (unsigned char)in[i];
		int control = (c < 0x20 && c != '\t' && c != '\n') || c == 0x7f;

		step = control ? 0 : tl_utf8_sequence(in + i, n - i);
		if (step == 0) {
			if (o + 4 >= size)
				break;
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 0xf];
			i++;
			continue;
		}
		if (o + step >= size)
			break;
		for (size_t k = 0; k < step; k++)
			out[o++] = in[i++];
	}
	out[o] = '\0';
	return o;
}
