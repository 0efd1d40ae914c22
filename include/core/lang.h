/*
 * lang.h - the language of the bridge's pages: English, Spanish (as
 * written in Latin America) and Brazilian Portuguese, chosen from the
 * request's Accept-Language header (RFC 9110 12.5.4). English is the
 * default. The words themselves are in msg.h.
 */
#ifndef CB_LANG_H
#define CB_LANG_H

enum lang {
	LANG_EN = 0,		/* the default: first, so a zeroed struct is English */
	LANG_ES,
	LANG_PT,
	LANG_COUNT
};

/* The page language for an Accept-Language value (NULL: none sent).
 *
 *  - Each comma-separated element is a language range with an optional
 *    weight ";q=" (0 to 1, at most three decimals; "q" in either case);
 *    no weight is q=1. A range names a language by its primary subtag:
 *    "es", "es-EC", "es-419" and "ES" all name Spanish.
 *  - A language's weight is the highest weight of the ranges naming it;
 *    "*" gives its weight to every language no range names. q=0 means
 *    "not acceptable": "es;q=0, *" never chooses Spanish.
 *  - The acceptable language (weight > 0) with the highest weight wins;
 *    on a tie, the one named earlier in the header, then English,
 *    Spanish, Portuguese in that order.
 *  - Malformed elements (a bad range, a bad or repeated weight, any
 *    other parameter, "q = 1") are skipped; the others still count.
 *  - Bounded work: only the elements that end within the first
 *    CB_ACCEPT_LANGUAGE_MAX bytes, and the first
 *    CB_ACCEPT_LANGUAGE_RANGES non-empty elements, are looked at.
 *  - No acceptable language we have: English. */
enum lang lang_negotiate(const char *accept_language);

/* The language's tag for <html lang>: "en", "es-419", "pt-BR". An
 * out-of-range value gives "en". */
const char *lang_tag(enum lang l);

#endif
