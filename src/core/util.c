/*
 * util.c - small pure helpers (see util.h).
 */
#include <string.h>

#include <sodium.h>

#include "util.h"

enum cb_err
parse_u64(const char *s, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0 || n > 20 || (n > 1 && s[0] == '0'))
		return CB_REQ_MALFORMED;
	for (i = 0; i < n; i++) {
		unsigned d;

		if (s[i] < '0' || s[i] > '9')
			return CB_REQ_MALFORMED;
		d = (unsigned)(s[i] - '0');
		if (d > max || v > (max - d) / 10)
			return CB_REQ_MALFORMED;
		v = v * 10 + d;
	}
	*out = v;
	return CB_OK;
}

enum cb_err
str_copy(char *dst, size_t cap, const char *s, size_t n)
{
	if (cap == 0)
		return CB_ETOOBIG;
	if (n >= cap) {
		dst[0] = '\0';
		return CB_ETOOBIG;
	}
	if (n > 0)
		memmove(dst, s, n);
	dst[n] = '\0';
	return CB_OK;
}

enum cb_err
str_set(char *dst, size_t cap, const char *s)
{
	return str_copy(dst, cap, s, strlen(s));
}

void
str_set_cut(char *dst, size_t cap, const char *s)
{
	size_t n = strlen(s);

	if (n >= cap) {
		n = cap - 1;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	(void)str_copy(dst, cap, s, n);
}

bool
is_ulid(const char *s, size_t n)
{
	size_t i;

	if (n != 26)
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c >= '0' && c <= '9')
			continue;
		if (c < 'A' || c > 'Z' || c == 'I' || c == 'L' || c == 'O' || c == 'U')
			return false;
	}
	/* 26 chars of base32 carry 130 bits; a ULID is 128, so the first
	 * character is at most '7'. */
	return s[0] <= '7';
}

bool
is_b64url(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return false;
	for (i = 0; i < n; i++)
		if (!ascii_isalnum(s[i]) && s[i] != '-' && s[i] != '_')
			return false;
	return true;
}

bool
is_team_name(const char *s, size_t n)
{
	size_t i;

	if (n < 2 || n > 64)
		return false;
	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= '0' && s[0] <= '9')))
		return false;
	for (i = 1; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return true;
}

bool
no_controls(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

bool
is_visible_ascii(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return false;
	return true;
}

enum cb_err
b64url_decode(const char *s, size_t n, unsigned char *out, size_t cap, size_t *outlen)
{
	size_t len = 0;

	/* sodium_base642bin with no ignore set and a NULL end pointer fails on
	 * any character outside the alphabet (including '=' for the
	 * NO_PADDING variant), on a dangling 6-bit group and on non-zero
	 * trailing bits. */
	if (n == 0 || !is_b64url(s, n))
		return CB_TOK_BASE64;
	if (sodium_base642bin(out, cap, s, n, NULL, &len, NULL,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
		return CB_TOK_BASE64;
	*outlen = len;
	return CB_OK;
}

enum cb_err
b64url_encode(const unsigned char *p, size_t n, char *out, size_t cap)
{
	if (cap < sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING))
		return CB_ETOOBIG;
	sodium_bin2base64(out, cap, p, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return CB_OK;
}

size_t
utf8_prefix(const char *s, size_t n, size_t max_runes)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, runes = 0, len;

	while (i < n && runes < max_runes) {
		if (u[i] < 0x80)
			len = 1;
		else if ((u[i] & 0xe0) == 0xc0)
			len = 2;
		else if ((u[i] & 0xf0) == 0xe0)
			len = 3;
		else if ((u[i] & 0xf8) == 0xf0)
			len = 4;
		else
			len = 1;	/* a stray byte counts as one, like Go's U+FFFD */
		if (i + len > n)
			break;		/* a sequence cut short at the end */
		i += len;
		runes++;
	}
	return i;
}

bool
list_has(const char *list, char sep, const char *word)
{
	size_t n = strlen(word);
	const char *p = list;

	if (n == 0)
		return false;
	while ((p = strstr(p, word)) != NULL) {
		if ((p == list || p[-1] == sep) && (p[n] == sep || p[n] == '\0'))
			return true;
		p += n;
	}
	return false;
}

void
hash_for_log(const char *s, size_t n, char out[17])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const unsigned char *)s, n);
	sodium_bin2hex(out, 17, h, 8);
}

void
random_hex(char *out, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char r[32];
	size_t i;

	if (len > 2 * sizeof(r))
		len = 2 * sizeof(r);
	randombytes_buf(r, (len + 1) / 2);
	for (i = 0; i < len; i++)
		out[i] = hex[(r[i / 2] >> ((i & 1) ? 0 : 4)) & 15];
}
