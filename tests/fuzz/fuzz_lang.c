/*
 * fuzz_lang.c - Accept-Language negotiation and the pages that use it.
 * The input is the header, and also the names and a field value of the
 * session-swap page. Properties: the language is one of ours; the
 * answer only depends on the first CB_ACCEPT_LANGUAGE_MAX bytes; no
 * input byte becomes markup (the page has exactly the '<', '>', '"' and
 * '\'' of the same page with plain names).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bounds.h"
#include "fuzz_check.h"
#include "lang.h"
#include "page.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t
count(const char *s, char c)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += *s == c;
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *h = malloc(size + 1);
	struct page_field f = {"v", NULL, 0}, plain_f = {"v", "x", 1};
	struct buf b, plain;
	const char *ct;
	enum lang l;
	size_t n;

	if (h == NULL)
		return 0;
	memcpy(h, data, size);
	h[size] = '\0';
	l = lang_negotiate(h);
	FUZZ_CHECK((unsigned)l < LANG_COUNT);
	n = strlen(h);
	if (n > CB_ACCEPT_LANGUAGE_MAX + 1) {
		/* Bytes past the cap (and the one after it) change nothing. */
		h[CB_ACCEPT_LANGUAGE_MAX + 1] = '\0';
		FUZZ_CHECK(lang_negotiate(h) == l);
	}

	buf_init(&b, CB_RESPONSE_BODY_MAX);
	buf_init(&plain, CB_RESPONSE_BODY_MAX);
	FUZZ_CHECK(page_error(&b, 401, l, "r", false, &ct) == CB_OK);
	buf_reset(&b);
	memcpy(h, data, size);
	h[size] = '\0';
	f.value = h;
	f.value_len = n;
	if (n > 0 && page_swap(&b, l, h, h, "/auth/open", &f, 1, "/", &ct) == CB_OK) {
		const char *o = buf_str(&b), *p;

		FUZZ_CHECK(page_swap(&plain, l, "a", "b", "/auth/open", &plain_f, 1, "/", &ct) == CB_OK);
		p = buf_str(&plain);
		FUZZ_CHECK(count(o, '<') == count(p, '<') && count(o, '>') == count(p, '>'));
		FUZZ_CHECK(count(o, '"') == count(p, '"') && count(o, '\'') == count(p, '\''));
	}
	buf_release(&b);
	buf_release(&plain);
	free(h);
	return 0;
}
