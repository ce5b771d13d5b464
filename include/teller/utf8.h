/*
 * teller/utf8.h: UTF-8 as Jansson (and so every JSON answer and document
 * of teller) accepts it: well-formed sequences of one to four bytes, no
 * overlong form, no surrogate, nothing past U+10FFFF.
 *
 * The lowest layer: it uses nothing else of libteller, so that error.c
 * can make every message valid UTF-8 with it.
 */
#ifndef TELLER_UTF8_H
#define TELLER_UTF8_H

#include <stddef.h>

/* The length (1 to 4) of the well-formed sequence at s, looking at no
 * more than n bytes (n >= 1); 0 if the bytes there are not one. */
size_t tl_utf8_sequence(const char *s, size_t n);

/*
 * Copies the n bytes at in to out (size bytes, size >= 1) as valid UTF-8
 * text for people: well-formed characters are kept, and each byte that is
 * not part of one, and each control character but tab and newline, is
 * written as the four characters \xHH.  The copy stops before a character
 * or an escape that would not fit whole, so it never ends in the middle of
 * one.  out is NUL-terminated; returns its length.  in and out must not
 * overlap.
 */
size_t tl_utf8_clean(char *out, size_t size, const char *in, size_t n);

#endif
