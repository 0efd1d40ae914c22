/*
 * redirect.h - the landing-path grammar of token.md ("r").
 *
 * The value given is already percent-decoded once (by the form parser).
 * It is honoured only if it is a same-origin path: at most 512 bytes,
 * exactly one leading '/', followed by a byte that is neither '/' nor
 * '\\', visible ASCII only (no controls, spaces or non-ASCII), no
 * backslash anywhere, no dot segments (literal or %2e-encoded, which
 * browsers also resolve), and not under /auth (no loops).
 */
#ifndef CB_REDIRECT_H
#define CB_REDIRECT_H

#include <stdbool.h>
#include <stddef.h>

/* True if r[0..n) may be used as the landing path. */
bool redirect_ok(const char *r, size_t n);

#endif
