/*
 * msg.c - the page strings by language (see msg.h); the tables are in
 * msg_en.c, msg_es.c and msg_pt.c.
 */
#include <stddef.h>

#include "msg.h"

static const char *const *const tables[LANG_COUNT] = {
	[LANG_EN] = msg_en,
	[LANG_ES] = msg_es,
	[LANG_PT] = msg_pt,
};

const char *const *
msg_table(enum lang lang)
{
	return (unsigned)lang < LANG_COUNT && tables[lang] != NULL ? tables[lang] : msg_en;
}

const char *
msg_get(enum lang lang, enum msg id)
{
	const char *s;

	if ((unsigned)id >= MSG_COUNT)
		return "";
	s = msg_table(lang)[id];
	if (s == NULL)
		s = msg_en[id];
	return s != NULL ? s : "";
}

unsigned
msg_placeholders(const char *s)
{
	unsigned mask = 0;
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] == '{' && s[i + 1] >= '1' && s[i + 1] <= '9' && s[i + 2] == '}') {
			mask |= 1u << (s[i + 1] - '0');
			i += 2;
		} else if (s[i] == '{' || s[i] == '}') {
			mask |= 1u;
		}
	}
	return mask;
}
