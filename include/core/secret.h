/*
 * secret.h - secret byte strings (tokens, keys, passwords' secret) held
 * in guarded memory (sodium_malloc) and wiped when freed, and the secret
 * files they are read from.
 */
#ifndef CB_SECRET_H
#define CB_SECRET_H

#include <stddef.h>

#include "err.h"

struct secret {
	unsigned char *p;
	size_t len;
};

/* Copies n bytes into s (freeing what s held). */
enum cb_err secret_set(struct secret *s, const void *p, size_t n) CB_WUR;

/* Wipes and frees; s becomes empty. Safe on an empty secret. */
void secret_free(struct secret *s);

/* Reads a secret file: regular, not accessible by group/others, at most
 * CB_SECRET_MAX bytes, one trailing newline removed, not empty. On
 * failure err holds a message naming the file (never its content). */
enum cb_err secret_read_file(const char *path, struct secret *out, char *err, size_t errcap) CB_WUR;

#endif
