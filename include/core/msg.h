/*
 * msg.h - every sentence the bridge's pages show, by id, in each
 * language of lang.h. One table per language, each in its own file
 * (msg_en.c, msg_es.c, msg_pt.c), indexed by enum msg. The pages escape
 * every string they insert, so a table holds plain text, never markup.
 *
 * Placeholders: "{1}".."{9}" stand for values the page inserts (escaped)
 * at that place, e.g. the user names of the session-swap page; a
 * translation may reorder them but must keep the same set (the unit
 * tests check it). No other brace may appear in a string.
 *
 * Adding a language: a new enum lang value and its tags in lang.c, a
 * msg_xx.c with every id (copy msg_en.c), its table in msg.c's list,
 * and the file in CMakeLists.txt; the unit tests then check that every
 * id has a string with the same placeholders as English.
 */
#ifndef CB_MSG_H
#define CB_MSG_H

#include "lang.h"

enum msg {
	/* Labels on the error pages: "Code: CBO-401 Reference: 3f9c..." */
	MSG_CODE = 0,
	MSG_REFERENCE,

	/* Error pages, a title and a sentence per status (page_error). */
	MSG_400_TITLE, MSG_400_TEXT,
	MSG_401_TITLE, MSG_401_TEXT,
	MSG_403_TITLE, MSG_403_TEXT,
	MSG_404_TITLE, MSG_404_TEXT,
	MSG_405_TITLE, MSG_405_TEXT,
	MSG_408_TITLE, MSG_408_TEXT,
	MSG_409_TITLE, MSG_409_TEXT,
	MSG_413_TITLE, MSG_413_TEXT,	/* 413 and 414 */
	MSG_429_TITLE, MSG_429_TEXT,
	MSG_500_TITLE, MSG_500_TEXT,
	MSG_502_TITLE, MSG_502_TEXT,
	MSG_503_TITLE, MSG_503_TEXT,
	MSG_504_TITLE, MSG_504_TEXT,

	/* /auth/open without a token, without [sso] (page_no_token). */
	MSG_NO_TOKEN_TITLE, MSG_NO_TOKEN_TEXT,

	/* The landing page at "/" (page_welcome). */
	MSG_WELCOME_TITLE,		/* <title> and the header bar */
	MSG_WELCOME_HEADING,
	MSG_WELCOME_TEXT,
	MSG_WELCOME_BUTTON,		/* the "Open Chat" button */
	MSG_WELCOME_HINT,

	/* Session swap (page_swap): {1} = signed in as now, {2} = the link's. */
	MSG_SWAP_TITLE,
	MSG_SWAP_TEXT,			/* {1}, {2} */
	MSG_SWAP_CONTINUE,		/* the button: {1} = the link's user */
	MSG_SWAP_STAY,			/* the link back: {1} = signed in as now */

	MSG_COUNT
};

/* The tables, one per language; use msg_get. */
extern const char *const msg_en[MSG_COUNT];
extern const char *const msg_es[MSG_COUNT];
extern const char *const msg_pt[MSG_COUNT];

/* The string of id in lang; English where a table has no string for it
 * (never expected: the tests check every table), "" for an unknown id. */
const char *msg_get(enum lang lang, enum msg id);

/* The table of lang (English's for an unknown lang). */
const char *const *msg_table(enum lang lang);

/* The placeholders of s: bit n set for each "{n}" (1..9); bit 0 set if
 * s has any other '{' or '}'. */
unsigned msg_placeholders(const char *s);

#endif
