/*
 * lang.c - Accept-Language negotiation (see lang.h). RFC 9110 12.5.4:
 *
 *	Accept-Language = #( language-range [ weight ] )
 *	language-range  = <language-range, see RFC 4647 2.1>
 *	                = (1*8ALPHA *("-" 1*8alphanum)) / "*"
 *	weight          = OWS ";" OWS "q=" qvalue
 *	qvalue          = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )
 *
 * Weights are kept as thousandths (0..1000), so there is no floating
 * point and "0.5" equals "0.500".
 */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "bounds.h"
#include "lang.h"
#include "util.h"

#define Q_ONE 1000

/* Primary subtags, and the tags of the pages, by enum lang. */
static const char *const primary[LANG_COUNT] = {
	[LANG_EN] = "en",
	[LANG_ES] = "es",
	[LANG_PT] = "pt",
};
static const char *const tags[LANG_COUNT] = {
	[LANG_EN] = "en",
	[LANG_ES] = "es-419",
	[LANG_PT] = "pt-BR",
};

static bool
is_ows(char c)
{
	return c == ' ' || c == '\t';
}

static bool
is_alpha(char c)
{
	c = ascii_lower(c);
	return c >= 'a' && c <= 'z';
}

/* qvalue in s[0..n), as thousandths; false if malformed. */
static bool
parse_qvalue(const char *s, size_t n, int *q)
{
	size_t i;
	int v, scale = 100;

	if (n == 0 || (s[0] != '0' && s[0] != '1'))
		return false;
	v = s[0] == '1' ? Q_ONE : 0;
	if (n == 1)
		goto done;
	if (s[1] != '.' || n > 5)
		return false;
	for (i = 2; i < n; i++, scale /= 10) {
		if (s[i] < '0' || s[i] > '9' || (v == Q_ONE && s[i] != '0'))
			return false;
		v += (s[i] - '0') * scale;
	}
done:
	*q = v;
	return true;
}

/* A language range s[0..n): "*" or 1*8ALPHA *("-" 1*8alphanum). */
static bool
valid_range(const char *s, size_t n)
{
	size_t i, run = 0;
	bool first = true;

	if (n == 1 && s[0] == '*')
		return true;
	for (i = 0; i < n; i++) {
		if (s[i] == '-') {
			if (run == 0)
				return false;
			first = false;
			run = 0;
			continue;
		}
		if (!(first ? is_alpha(s[i]) : ascii_isalnum(s[i])) || ++run > CB_LANGUAGE_SUBTAG_MAX)
			return false;
	}
	return run > 0;
}

/* One list element s[0..n) (no comma): its range and weight. False if
 * it is empty or malformed. */
static bool
parse_element(const char *s, size_t n, const char **range, size_t *range_len, int *q)
{
	size_t i = 0, r;

	while (n > 0 && is_ows(s[n - 1]))
		n--;
	while (i < n && is_ows(s[i]))
		i++;
	r = i;
	while (i < n && s[i] != ';' && !is_ows(s[i]))
		i++;
	if (!valid_range(s + r, i - r))
		return false;
	*range = s + r;
	*range_len = i - r;
	*q = Q_ONE;
	while (i < n && is_ows(s[i]))
		i++;
	if (i == n)
		return true;
	if (s[i++] != ';')
		return false;
	while (i < n && is_ows(s[i]))
		i++;
	if (n - i < 2 || ascii_lower(s[i]) != 'q' || s[i + 1] != '=')
		return false;
	return parse_qvalue(s + i + 2, n - i - 2, q);
}

/* The language whose primary subtag starts the range, or LANG_COUNT. */
static enum lang
range_lang(const char *range, size_t n)
{
	size_t p = 0;
	unsigned l;

	while (p < n && range[p] != '-')
		p++;
	for (l = 0; l < LANG_COUNT; l++)
		if (strlen(primary[l]) == p && ascii_lower(range[0]) == primary[l][0] &&
		    ascii_lower(range[1]) == primary[l][1])
			return (enum lang)l;
	return LANG_COUNT;
}

enum lang
lang_negotiate(const char *h)
{
	struct weight {
		int q;		/* thousandths; -1 = not named */
		unsigned pos;	/* element that gave q */
	} named[LANG_COUNT], wild = {-1, 0}, w;
	enum lang best = LANG_EN;
	int best_q = 0;
	unsigned best_pos = 0, pos = 0, l;
	size_t n, i, end;

	if (h == NULL)
		return LANG_EN;
	n = strnlen(h, CB_ACCEPT_LANGUAGE_MAX + 1);
	if (n > CB_ACCEPT_LANGUAGE_MAX) {
		/* Only elements that end inside the cap: an element cut in
		 * two ("es;q=0.1" -> "es") would change its meaning. */
		for (n = CB_ACCEPT_LANGUAGE_MAX; n > 0 && h[n] != ','; n--)
			;
	}
	for (l = 0; l < LANG_COUNT; l++)
		named[l] = (struct weight){-1, 0};
	for (i = 0; i < n && pos < CB_ACCEPT_LANGUAGE_RANGES; i = end + 1) {
		const char *range;
		size_t rl, k;
		int q;

		for (end = i; end < n && h[end] != ','; end++)
			;
		for (k = i; k < end && is_ows(h[k]); k++)
			;
		if (k == end)
			continue;	/* empty list element: allowed, not counted */
		pos++;
		if (!parse_element(h + i, end - i, &range, &rl, &q))
			continue;
		if (rl == 1 && range[0] == '*') {
			if (q > wild.q)
				wild = (struct weight){q, pos};
		} else if ((l = range_lang(range, rl)) < LANG_COUNT && q > named[l].q) {
			named[l] = (struct weight){q, pos};
		}
	}
	for (l = 0; l < LANG_COUNT; l++) {
		w = named[l].q >= 0 ? named[l] : wild;
		if (w.q > best_q || (w.q == best_q && w.q > 0 && w.pos < best_pos)) {
			best = (enum lang)l;
			best_q = w.q;
			best_pos = w.pos;
		}
	}
	return best;
}

const char *
lang_tag(enum lang l)
{
	return (unsigned)l < LANG_COUNT ? tags[l] : tags[LANG_EN];
}
