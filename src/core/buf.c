/*
 * buf.c - bounded growable byte buffer (see buf.h for the invariants).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "buf.h"

void
buf_init(struct buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
	b->err = CB_OK;
}

void
buf_release(struct buf *b)
{
	free(b->data);
	buf_init(b, b->max);
}

void
buf_release_wipe(struct buf *b)
{
	if (b->data != NULL)
		sodium_memzero(b->data, b->cap);
	buf_release(b);
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
	b->err = CB_OK;
}

/* Makes room for n more bytes plus the terminating NUL. */
static enum cb_err
reserve(struct buf *b, size_t n)
{
	size_t need, ncap;
	char *p;

	if (b->err != CB_OK)
		return b->err;
	if (n > b->max || b->len > b->max - n)
		return b->err = CB_ETOOBIG;
	need = b->len + n + 1;
	if (need <= b->cap)
		return CB_OK;
	ncap = b->cap ? b->cap : 64;
	while (ncap < need)
		ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
	if (ncap > b->max + 1)
		ncap = b->max + 1;
	if ((p = realloc(b->data, ncap)) == NULL)
		return b->err = CB_ENOMEM;
	b->data = p;
	b->cap = ncap;
	return CB_OK;
}

enum cb_err
buf_add(struct buf *b, const void *p, size_t n)
{
	if (reserve(b, n) != CB_OK)
		return b->err;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return CB_OK;
}

enum cb_err
buf_adds(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

enum cb_err
buf_addc(struct buf *b, char c)
{
	return buf_add(b, &c, 1);
}

enum cb_err
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->err != CB_OK)
		return b->err;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return b->err = CB_EINTERNAL;
	if (reserve(b, (size_t)n) != CB_OK)
		return b->err;
	va_start(ap, fmt);
	(void)vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return CB_OK;
}

/* Length of the valid UTF-8 sequence at s[0..n), or 0 if invalid. */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t len, i;
	unsigned cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
	} else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

enum cb_err
buf_add_json(struct buf *b, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, k;

	while (i < n && b->err == CB_OK) {
		unsigned char c = u[i];

		if (c == '"' || c == '\\') {
			buf_addc(b, '\\');
			buf_addc(b, (char)c);
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			buf_printf(b, "\\u%04x", c);
			i++;
		} else if ((k = utf8_seq(u + i, n - i)) == 0) {
			buf_adds(b, "\\ufffd");
			i++;
		} else {
			buf_add(b, u + i, k);
			i += k;
		}
	}
	return b->err;
}

enum cb_err
buf_add_html(struct buf *b, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n && b->err == CB_OK; i++) {
		unsigned char c = (unsigned char)s[i];

		switch (c) {
		case '&': buf_adds(b, "&amp;"); break;
		case '<': buf_adds(b, "&lt;"); break;
		case '>': buf_adds(b, "&gt;"); break;
		case '"': buf_adds(b, "&quot;"); break;
		case '\'': buf_adds(b, "&#39;"); break;
		default:
			if (c >= 0x20 && c != 0x7f)
				buf_addc(b, (char)c);
			break;
		}
	}
	return b->err;
}

enum cb_err
buf_add_urlenc(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < n && b->err == CB_OK; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~') {
			buf_addc(b, (char)c);
		} else {
			char e[3] = {'%', hex[c >> 4], hex[c & 15]};
			buf_add(b, e, 3);
		}
	}
	return b->err;
}

const char *
buf_str(const struct buf *b)
{
	return b->data != NULL ? b->data : "";
}
