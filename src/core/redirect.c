/*
 * redirect.c - validation of the landing path "r" (see redirect.h).
 *
 * The bridge always prefixes the configured site_url, so a value that
 * starts with exactly one '/' followed by neither '/' nor '\\' cannot
 * change the origin. The remaining rules are defence in depth against
 * parser differentials between browsers, nginx/Caddy and Mattermost.
 */
#include <string.h>

#include "bounds.h"
#include "redirect.h"
#include "util.h"

/* Percent-decodes one path segment s[0..n) into out[cap]; false if an
 * escape is malformed or decodes to something a path segment must not
 * smuggle: a separator ('/', '\\'), '%' or anything but visible ASCII. */
static bool
segment_decode(const char *s, size_t n, char *out, size_t cap, size_t *outlen)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c == '%') {
			int hi, lo;

			if (i + 2 >= n)
				return false;
			hi = hex_digit(s[i + 1]);
			lo = hex_digit(s[i + 2]);
			if (hi < 0 || lo < 0)
				return false;
			c = (char)(hi * 16 + lo);
			if ((unsigned char)c <= 0x20 || (unsigned char)c >= 0x7f || c == '/' ||
			    c == '\\' || c == '%')
				return false;
			i += 2;
		}
		if (o >= cap)
			return false;
		out[o++] = c;
	}
	*outlen = o;
	return true;
}

bool
redirect_ok(const char *r, size_t n)
{
	char seg[CB_REDIRECT_MAX];
	size_t plen, i, start, len;
	bool first = true;

	if (n < 2 || n > CB_REDIRECT_MAX)
		return false;
	if (r[0] != '/' || r[1] == '/' || r[1] == '\\')
		return false;
	if (!is_visible_ascii(r, n) || memchr(r, '\\', n) != NULL)
		return false;

	/* The path ends at the query or fragment. */
	for (plen = 0; plen < n && r[plen] != '?' && r[plen] != '#'; plen++)
		;
	for (start = 1; start <= plen; start = i + 1) {
		for (i = start; i < plen && r[i] != '/'; i++)
			;
		if (!segment_decode(r + start, i - start, seg, sizeof(seg), &len))
			return false;
		/* Dot segments, also in their %2e forms that browsers resolve. */
		if ((len == 1 && seg[0] == '.') || (len == 2 && seg[0] == '.' && seg[1] == '.'))
			return false;
		/* No landing inside the bridge itself (loops), in any case. */
		if (first && len == 4 && ascii_lower(seg[0]) == 'a' && ascii_lower(seg[1]) == 'u' &&
		    ascii_lower(seg[2]) == 't' && ascii_lower(seg[3]) == 'h')
			return false;
		first = false;
	}
	return true;
}
