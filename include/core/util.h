/*
 * util.h - small pure helpers shared by the core modules: strict number
 * parsing, character classes, bounded copies, base64url, hashing for logs.
 */
#ifndef CB_UTIL_H
#define CB_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* Parses s[0..n) as a decimal integer in [0, max]: digits only, no sign,
 * no leading zeros (except "0"), no spaces, no overflow. */
enum cb_err parse_u64(const char *s, size_t n, uint64_t max, uint64_t *out) CB_WUR;

/* Copies s[0..n) and a NUL into dst[cap]; CB_ETOOBIG (dst = "") if it
 * does not fit. */
enum cb_err str_copy(char *dst, size_t cap, const char *s, size_t n);
/* str_copy of a C string. */
enum cb_err str_set(char *dst, size_t cap, const char *s);
/* Copies the C string s into dst[cap], cut to fit at a UTF-8 code point
 * boundary when it is too long (never fails; cap > 0). */
void str_set_cut(char *dst, size_t cap, const char *s);

/* True if s[0..n) is a ULID: 26 chars of Crockford base32, upper case. */
bool is_ulid(const char *s, size_t n);
/* True if s[0..n) is non-empty base64url alphabet only. */
bool is_b64url(const char *s, size_t n);
/* True if s[0..n) is a Mattermost team name as the bridge accepts it:
 * ^[a-z0-9][a-z0-9-]{1,63}$ (token.md). */
bool is_team_name(const char *s, size_t n);
/* True if s[0..n) has no byte < 0x20 and no 0x7f. */
bool no_controls(const char *s, size_t n);
/* True if every byte of s[0..n) is visible ASCII (0x21..0x7e). */
bool is_visible_ascii(const char *s, size_t n);

static inline char
ascii_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* The value of a hexadecimal digit (either case), or -1. */
static inline int
hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = ascii_lower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static inline bool
ascii_isalnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Decodes strict unpadded base64url s[0..n) into out[cap]. Rejects
 * padding, the standard alphabet, whitespace and non-canonical trailing
 * bits. */
enum cb_err b64url_decode(const char *s, size_t n, unsigned char *out, size_t cap,
    size_t *outlen) CB_WUR;
/* Encodes n bytes as unpadded base64url into out[cap] with a NUL. */
enum cb_err b64url_encode(const unsigned char *p, size_t n, char *out, size_t cap) CB_WUR;

/* The length in bytes of the longest prefix of s[0..n) that holds at most
 * max_runes UTF-8 code points and does not end inside a sequence. */
size_t utf8_prefix(const char *s, size_t n, size_t max_runes);

/* True if word (non-empty) is an item of list, whose items are separated
 * by sep ("a,b,c" or "chat contact"). */
bool list_has(const char *list, char sep, const char *word);

/* Lower-case hex of the first 8 bytes of SHA-256(s): a stable, short
 * pseudonym for contact ids in logs and audit rows. out must hold 17. */
void hash_for_log(const char *s, size_t n, char out[17]);

/* Fills out[len] with random lower-case hex (request ids). */
void random_hex(char *out, size_t len);

#endif
