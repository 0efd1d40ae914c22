/*
 * test_lang.c - the page language: Accept-Language negotiation (RFC 9110
 * 12.5.4: weights, ties, q=0, "*", case, whitespace, malformed elements,
 * hostile lengths) and the string tables (every language has every
 * string, with the same placeholders, as plain text in valid UTF-8).
 */
#include "harness.h"
#include "bounds.h"
#include "buf.h"
#include "lang.h"
#include "msg.h"

static const char *const names[LANG_COUNT] = {"en", "es", "pt"};

static void
check(const char *header, enum lang want, const char *why)
{
	enum lang got = lang_negotiate(header);

	ok(got == want, "%s: '%s' -> %s", why, header != NULL ? header : "(none)", names[want]);
	if (got != want)
		printf("#   got %s\n", (unsigned)got < LANG_COUNT ? names[got] : "out of range");
}

static void
test_negotiate(void)
{
	static const struct {
		const char *header;
		enum lang want;
		const char *why;
	} cases[] = {
		/* nothing usable: English */
		{"", LANG_EN, "empty"},
		{"   ", LANG_EN, "blank"},
		{",, ,", LANG_EN, "empty elements"},
		{"fr", LANG_EN, "a language we do not have"},
		{"de-DE,de;q=0.9,fr;q=0.8", LANG_EN, "none of ours"},
		/* one language, any region, any case */
		{"en", LANG_EN, "English"},
		{"es", LANG_ES, "Spanish"},
		{"pt", LANG_PT, "Portuguese"},
		{"es-EC", LANG_ES, "Ecuador"},
		{"es-PA", LANG_ES, "Panama"},
		{"es-PE", LANG_ES, "Peru"},
		{"es-UY", LANG_ES, "Uruguay"},
		{"es-419", LANG_ES, "Latin America (UN M.49 region)"},
		{"pt-BR", LANG_PT, "Brazil"},
		{"en-ZA", LANG_EN, "South Africa"},
		{"ES-ec", LANG_ES, "case-insensitive range"},
		{"Pt-bR", LANG_PT, "mixed case"},
		{"es-EC-x-private1", LANG_ES, "more subtags"},
		/* what browsers send */
		{"en-US,en;q=0.9", LANG_EN, "US browser"},
		{"es-EC,es;q=0.9,en;q=0.8", LANG_ES, "Ecuadorian browser"},
		{"es-419,es;q=0.9", LANG_ES, "Chrome in Latin American Spanish"},
		{"pt-BR,pt;q=0.9,en-US;q=0.8,en;q=0.7", LANG_PT, "Brazilian browser"},
		{"en-US,en;q=0.9,es;q=0.8", LANG_EN, "English first, Spanish second"},
		{"fr-FR,fr;q=0.9,es;q=0.5,en;q=0.3", LANG_ES, "French first: the best of ours by weight"},
		/* weights */
		{"en;q=0.5,es;q=0.8", LANG_ES, "higher weight wins over order"},
		{"es;q=0.8,pt;q=0.801", LANG_PT, "three decimals count"},
		{"es;q=0.8,pt;q=0.80", LANG_ES, "0.80 = 0.8: a tie, order decides"},
		{"en;q=0.001,es;q=0", LANG_EN, "the smallest weight is still acceptable"},
		{"es;q=1", LANG_ES, "q=1"},
		{"es;q=1.000,en;q=0.999", LANG_ES, "q=1.000"},
		{"pt;q=1.,es;q=0.9", LANG_PT, "q=1. (no decimals)"},
		{"es;q=0.,en;q=0.1", LANG_EN, "q=0. is zero"},
		/* ties keep the header's order */
		{"es;q=0.5,pt;q=0.5", LANG_ES, "tie: first named"},
		{"pt;q=0.5,es;q=0.5", LANG_PT, "tie: first named (reversed)"},
		{"pt,es", LANG_PT, "no weights: header order"},
		{"pt;q=0.7, en;q=0.7", LANG_PT, "tie with English: still header order"},
		{"es-EC;q=0.9,pt;q=0.9,es;q=0.1", LANG_ES, "a language's best range decides its place"},
		/* the highest weight among the ranges of one language */
		{"es-ES;q=0.2,es-EC;q=0.9,pt;q=0.5", LANG_ES, "best Spanish range"},
		{"es;q=0,es-EC;q=0.9,pt;q=0.5", LANG_ES, "a regional range still acceptable"},
		/* q=0: not acceptable */
		{"es;q=0", LANG_EN, "Spanish refused, nothing else: English"},
		{"es;q=0,pt;q=0.1", LANG_PT, "refused Spanish"},
		{"en;q=0,es;q=0.1", LANG_ES, "refused English"},
		{"en;q=0,pt;q=0", LANG_EN, "everything refused: English anyway"},
		{"es;q=0.000,pt;q=0.001", LANG_PT, "0.000"},
		/* wildcard */
		{"*", LANG_EN, "* alone: English"},
		{"fr,*;q=0.5", LANG_EN, "* after another language"},
		{"*;q=0.5,pt;q=0.6", LANG_PT, "named above *"},
		{"pt;q=0.4,*;q=0.5", LANG_EN, "* above the named one"},
		{"*,es;q=0.9", LANG_EN, "* gives English its weight"},
		{"es;q=0,*", LANG_EN, "* does not undo q=0"},
		{"en;q=0,es;q=0,*", LANG_PT, "* for the one not named"},
		{"en;q=0,*;q=0.3,es;q=0.2", LANG_PT, "* weight for Portuguese beats named Spanish"},
		{"*;q=0,es;q=0.1", LANG_ES, "*;q=0"},
		/* whitespace (OWS around ';' and ',') */
		{" es ; q=0.5 , pt;q=0.4", LANG_ES, "spaces"},
		{"\tpt\t;\tq=0.9,es;q=0.8", LANG_PT, "tabs"},
		{"es;Q=0.5,pt;q=0.4", LANG_ES, "Q in upper case"},
		/* malformed elements are skipped, the others count */
		{"es;q=1.5,pt;q=0.5", LANG_PT, "weight over 1"},
		{"es;q=1.001,pt;q=0.5", LANG_PT, "1.001"},
		{"es;q=abc,pt;q=0.1", LANG_PT, "weight not a number"},
		{"es;q=0.1234,pt;q=0.1", LANG_PT, "four decimals"},
		{"es;q=,pt;q=0.1", LANG_PT, "empty weight"},
		{"es;q=-1,pt;q=0.1", LANG_PT, "negative weight"},
		{"es;q=.5,pt;q=0.1", LANG_PT, "no leading digit"},
		{"es;q =0.5,pt;q=0.1", LANG_PT, "space before ="},
		{"es;q= 0.5,pt;q=0.1", LANG_PT, "space after ="},
		{"es;level=1,pt;q=0.1", LANG_PT, "another parameter"},
		{"es;q=0.5;q=0.9,pt;q=0.1", LANG_PT, "two weights"},
		{"es;,pt;q=0.1", LANG_PT, "empty parameter"},
		{"es;q=0.5 x,pt;q=0.1", LANG_PT, "junk after the weight"},
		{"es_EC,pt;q=0.1", LANG_PT, "underscore"},
		{"es pt", LANG_EN, "two ranges without a comma"},
		{"e$,pt;q=0.1", LANG_PT, "bad character"},
		{"es-abcdefghi,pt;q=0.1", LANG_PT, "subtag of 9"},
		{"espanolx,pt;q=0.1", LANG_PT, "primary of 8 is valid, but not ours"},
		{"es-,pt;q=0.1", LANG_PT, "empty subtag"},
		{"-es,pt;q=0.1", LANG_PT, "leading dash"},
		{"es--EC,pt;q=0.1", LANG_PT, "double dash"},
		{"1es,pt;q=0.1", LANG_PT, "digit in the primary subtag"},
		{"**,pt;q=0.1", LANG_PT, "double star"},
		{"*-EC,pt;q=0.1", LANG_PT, "star with a subtag"},
		{"es\xff,pt;q=0.1", LANG_PT, "8-bit byte"},
		{"\xc3\xa9s,pt;q=0.1", LANG_PT, "UTF-8 in the range"},
		{";q=1,pt;q=0.1", LANG_PT, "no range"},
		{"e,pt;q=0.1", LANG_PT, "one letter: valid, not ours"},
		{"esp,pt;q=0.1", LANG_PT, "three letters: not Spanish"},
	};
	size_t i;

	check(NULL, LANG_EN, "no header");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check(cases[i].header, cases[i].want, cases[i].why);
}

/* A header of exactly len bytes: prefix, spaces (whitespace before the
 * next range: no extra elements), suffix. */
static char *
padded(const char *prefix, const char *suffix, size_t len)
{
	size_t pl = strlen(prefix), sl = strlen(suffix);
	char *h = malloc(len + 1);

	if (h == NULL || pl + sl > len) {
		printf("Bail out! padded(%zu)\n", len);
		exit(1);
	}
	memcpy(h, prefix, pl);
	memset(h + pl, ' ', len - pl - sl);
	memcpy(h + len - sl, suffix, sl);
	h[len] = '\0';
	return h;
}

static void
test_bounds(void)
{
	char *h;
	size_t i;

	/* Only the first CB_ACCEPT_LANGUAGE_MAX bytes are read. */
	h = padded("fr,", "es", 1200);
	check(h, LANG_EN, "Spanish beyond the first 1 KiB is not read");
	free(h);
	h = padded("es;q=0.1,", "pt", CB_ACCEPT_LANGUAGE_MAX + 1);
	check(h, LANG_ES, "an element ending 1 byte past the cap is not read");
	free(h);
	h = padded("es;q=0.1,", "pt", CB_ACCEPT_LANGUAGE_MAX);
	check(h, LANG_PT, "a header of exactly the cap is read whole");
	free(h);
	h = padded("es;q=0.1,", "pt,", CB_ACCEPT_LANGUAGE_MAX + 1);
	check(h, LANG_PT, "an element ending at the cap, its comma just past it, is read");
	free(h);
	/* A cut inside an element must not change its weight: "pt" of
	 * "pt;q=0.01" at bytes 1022-1023 would read as pt;q=1. */
	h = padded("es;q=0.5,", "pt;q=0.01", CB_ACCEPT_LANGUAGE_MAX - 2 + 9);
	ok(h[CB_ACCEPT_LANGUAGE_MAX - 2] == 'p' && h[CB_ACCEPT_LANGUAGE_MAX] == ';',
	    "the cap falls inside pt;q=0.01");
	check(h, LANG_ES, "the cut element is dropped, not shortened");
	free(h);
	h = padded("", "es", 4096);
	check(h, LANG_EN, "one element longer than the cap");
	free(h);

	/* Only the first CB_ACCEPT_LANGUAGE_RANGES non-empty elements. */
	h = malloc(4096);
	h[0] = '\0';
	for (i = 0; i < CB_ACCEPT_LANGUAGE_RANGES - 1; i++)
		strcat(h, "fr;q=0.9,");
	strcat(h, "es;q=0.1");
	check(h, LANG_ES, "the 32nd range is read");
	h[0] = '\0';
	for (i = 0; i < CB_ACCEPT_LANGUAGE_RANGES; i++)
		strcat(h, "fr;q=0.9,");
	strcat(h, "es;q=0.1");
	check(h, LANG_EN, "the 33rd range is not");
	h[0] = '\0';
	for (i = 0; i < 100; i++)
		strcat(h, " ,");
	strcat(h, "pt");
	check(h, LANG_PT, "empty elements do not count as ranges");
	h[0] = '\0';
	for (i = 0; i < CB_ACCEPT_LANGUAGE_RANGES; i++)
		strcat(h, "e$,");
	strcat(h, "pt");
	check(h, LANG_EN, "malformed elements count as ranges");
	free(h);

	/* Hostile sizes: 1 MiB of one thing or another, answered at once. */
	h = malloc(1024 * 1024 + 1);
	memset(h, 'a', 1024 * 1024);
	h[1024 * 1024] = '\0';
	check(h, LANG_EN, "1 MiB of letters");
	memset(h, ',', 1024 * 1024);
	check(h, LANG_EN, "1 MiB of commas");
	for (i = 0; i + 9 <= 1024 * 1024; i += 9)
		memcpy(h + i, "es;q=0.5,", 9);
	h[i] = '\0';
	check(h, LANG_ES, "1 MiB of Spanish");
	free(h);
}

/* True if s is valid UTF-8: buf_add_json turns invalid bytes into \ufffd. */
static int
valid_utf8(const char *s)
{
	struct buf b;
	int r;

	buf_init(&b, 65536);
	buf_add_json(&b, s, strlen(s));
	r = b.err == CB_OK && strstr(buf_str(&b), "\\ufffd") == NULL;
	buf_release(&b);
	return r;
}

static void
test_tables(void)
{
	size_t id;
	unsigned l, missing = 0, bad_ph = 0, markup = 0, utf8 = 0, untranslated = 0;

	is_str(lang_tag(LANG_EN), "en", "tag en");
	is_str(lang_tag(LANG_ES), "es-419", "tag es-419 (Latin American Spanish)");
	is_str(lang_tag(LANG_PT), "pt-BR", "tag pt-BR");
	is_str(lang_tag(LANG_COUNT), "en", "unknown language: en");
	ok(msg_table(LANG_EN) == msg_en && msg_table(LANG_ES) == msg_es && msg_table(LANG_PT) == msg_pt,
	    "every language has its table in msg.c");
	ok(msg_table(LANG_COUNT) == msg_en, "unknown language: English table");
	is_str(msg_get(LANG_ES, MSG_COUNT), "", "unknown id: empty");
	is_str(msg_get(LANG_COUNT, MSG_401_TITLE), msg_en[MSG_401_TITLE], "unknown language: English");

	/* The placeholders English has, by id. */
	for (id = 0; id < MSG_COUNT; id++) {
		unsigned want = id == MSG_SWAP_TEXT ? 0x6u :
		    id == MSG_SWAP_CONTINUE || id == MSG_SWAP_STAY ? 0x2u : 0u;

		is_int(msg_en[id] != NULL ? msg_placeholders(msg_en[id]) : 99u, want,
		    "English id %zu has placeholders 0x%x", id, want);
	}
	for (l = 0; l < LANG_COUNT; l++) {
		const char *const *t = msg_table((enum lang)l);

		for (id = 0; id < MSG_COUNT; id++) {
			const char *s = t[id];

			if (s == NULL || s[0] == '\0') {
				printf("#   %s: id %zu has no string\n", names[l], id);
				missing++;
				continue;
			}
			if (msg_placeholders(s) != msg_placeholders(msg_en[id]) || (msg_placeholders(s) & 1u)) {
				printf("#   %s: id %zu placeholders differ: %s\n", names[l], id, s);
				bad_ph++;
			}
			if (strpbrk(s, "<>&") != NULL) {
				printf("#   %s: id %zu has markup: %s\n", names[l], id, s);
				markup++;
			}
			if (!valid_utf8(s) || strpbrk(s, "\t\r\n") != NULL) {
				printf("#   %s: id %zu is not one line of UTF-8\n", names[l], id);
				utf8++;
			}
			if (l != LANG_EN && strcmp(s, msg_en[id]) == 0) {
				printf("#   %s: id %zu is the English text\n", names[l], id);
				untranslated++;
			}
		}
	}
	is_int(missing, 0, "every language has every string");
	is_int(bad_ph, 0, "every translation has English's placeholders, and no stray brace");
	is_int(markup, 0, "plain text only (the pages escape every string)");
	is_int(utf8, 0, "valid UTF-8, one line each");
	is_int(untranslated, 0, "every string is translated");
	is_int(msg_placeholders("a {1} b {2}"), 0x6, "placeholders {1} {2}");
	is_int(msg_placeholders("{2}{1}"), 0x6, "in any order");
	is_int(msg_placeholders("a {x} b"), 1, "stray brace");
	is_int(msg_placeholders("a } b"), 1, "stray closing brace");
	is_int(msg_placeholders("{0}"), 1, "{0} is not a placeholder");
	is_int(msg_placeholders("{1"), 1, "unclosed");
	is_int(msg_placeholders("plain"), 0, "none");
}

static void
run_tests(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	test_negotiate();
	test_bounds();
	test_tables();
}
