/*
 * form.h - application/x-www-form-urlencoded parsing (query strings and
 * POST bodies), strict: a malformed escape fails the whole form, at most
 * CB_FORM_FIELDS_MAX fields, names and values are decoded once ('+' is a
 * space). Values may contain any byte, including NUL; they carry their
 * length.
 */
#ifndef CB_FORM_H
#define CB_FORM_H

#include <stddef.h>

#include "bounds.h"
#include "err.h"

struct form_field {
	const char *name;
	size_t name_len;
	const char *value;
	size_t value_len;
};

struct form {
	char *storage;		/* decoded bytes, owned */
	size_t storage_cap;
	struct form_field f[CB_FORM_FIELDS_MAX];
	size_t n;
};

/* Parses s[0..n) into *out (which the caller form_free()s, also on
 * error). Empty pairs ("a&&b") are skipped. Errors: CB_REQ_MALFORMED,
 * CB_REQ_TOO_LARGE (too many fields), CB_ENOMEM. */
enum cb_err form_parse(const char *s, size_t n, struct form *out) CB_WUR;

/* Releases what form_parse allocated; safe on a zeroed form. */
void form_free(struct form *f);

/* Looks up name. Returns the number of fields with that name and, if at
 * least one, points value and len at the first. */
size_t form_get(const struct form *f, const char *name, const char **value, size_t *len);

#endif
