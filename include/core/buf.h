/*
 * buf.h - bounded growable byte buffer.
 *
 * Invariants: data is NULL or NUL-terminated at len; len < cap; len never
 * exceeds max. The first failure (out of memory, over max) is sticky in
 * err and makes every later append a no-op, so a caller can append many
 * pieces and check once. buf_release frees; buf_release_wipe wipes first.
 */
#ifndef CB_BUF_H
#define CB_BUF_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max;
	enum cb_err err;
};

/* Empty buffer that may grow to max bytes of content. Allocates nothing. */
void buf_init(struct buf *b, size_t max);
/* Frees the storage and re-initialises with the same max. */
void buf_release(struct buf *b);
/* Like buf_release but wipes the storage first (secrets, cookies). */
void buf_release_wipe(struct buf *b);
/* Empties the buffer, keeping its storage and clearing err. */
void buf_reset(struct buf *b);

/* Appends; return b->err (CB_OK, CB_ENOMEM or CB_ETOOBIG). */
enum cb_err buf_add(struct buf *b, const void *p, size_t n);
enum cb_err buf_adds(struct buf *b, const char *s);
enum cb_err buf_addc(struct buf *b, char c);
enum cb_err buf_printf(struct buf *b, const char *fmt, ...) CB_PRINTF(2, 3);
/* Appends n bytes as the inside of a JSON string (no quotes). Bytes that
 * are not valid UTF-8 become U+FFFD; controls are \u-escaped. */
enum cb_err buf_add_json(struct buf *b, const char *s, size_t n);
/* Appends n bytes HTML-escaped (& < > " ' and controls dropped). */
enum cb_err buf_add_html(struct buf *b, const char *s, size_t n);
/* Appends n bytes percent-encoded for a URL path segment or query value. */
enum cb_err buf_add_urlenc(struct buf *b, const char *s, size_t n);

/* The content as a C string ("" when empty). Borrowed from b. */
const char *buf_str(const struct buf *b);

#endif
