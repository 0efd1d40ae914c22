/*
 * form.c - strict urlencoded form parser (see form.h).
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "form.h"
#include "util.h"

/* Decodes s[0..n) into out; returns the decoded length or -1. */
static long
decode(const char *s, size_t n, char *out)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '+') {
			out[o++] = ' ';
		} else if (s[i] == '%') {
			int hi, lo;

			if (i + 2 >= n || (hi = hex_digit(s[i + 1])) < 0 || (lo = hex_digit(s[i + 2])) < 0)
				return -1;
			out[o++] = (char)(hi * 16 + lo);
			i += 2;
		} else {
			out[o++] = s[i];
		}
	}
	return (long)o;
}

enum cb_err
form_parse(const char *s, size_t n, struct form *out)
{
	size_t pos = 0, used = 0;

	memset(out, 0, sizeof(*out));
	if ((out->storage = malloc(n + 1)) == NULL)
		return CB_ENOMEM;
	out->storage_cap = n + 1;
	while (pos < n) {
		const char *pair = s + pos, *amp, *eq;
		size_t plen, nlen;
		long dn, dv;

		amp = memchr(pair, '&', n - pos);
		plen = amp != NULL ? (size_t)(amp - pair) : n - pos;
		pos += plen + 1;
		if (plen == 0)
			continue;
		if (out->n == CB_FORM_FIELDS_MAX)
			return CB_REQ_TOO_LARGE;
		eq = memchr(pair, '=', plen);
		nlen = eq != NULL ? (size_t)(eq - pair) : plen;
		if ((dn = decode(pair, nlen, out->storage + used)) < 0)
			return CB_REQ_MALFORMED;
		out->f[out->n].name = out->storage + used;
		out->f[out->n].name_len = (size_t)dn;
		used += (size_t)dn;
		if (eq != NULL) {
			dv = decode(eq + 1, plen - nlen - 1, out->storage + used);
			if (dv < 0)
				return CB_REQ_MALFORMED;
		} else {
			dv = 0;
		}
		out->f[out->n].value = out->storage + used;
		out->f[out->n].value_len = (size_t)dv;
		used += (size_t)dv;
		out->n++;
	}
	out->storage[used] = '\0';
	return CB_OK;
}

void
form_free(struct form *f)
{
	if (f->storage != NULL) {
		/* Forms carry tokens; do not leave them in freed memory. */
		sodium_memzero(f->storage, f->storage_cap);
		free(f->storage);
	}
	memset(f, 0, sizeof(*f));
}

size_t
form_get(const struct form *f, const char *name, const char **value, size_t *len)
{
	size_t i, count = 0, nl = strlen(name);

	for (i = 0; i < f->n; i++) {
		if (f->f[i].name_len != nl || memcmp(f->f[i].name, name, nl) != 0)
			continue;
		if (count++ == 0) {
			*value = f->f[i].value;
			*len = f->f[i].value_len;
		}
	}
	return count;
}
