/*
 * mmid.h - Mattermost-shaped identifiers (model.NewId): a random UUIDv4
 * encoded with base32 alphabet "ybndrfg8ejkmcpqxot1uwisza345h769" without
 * padding, 26 lower-case alphanumerics. Used for session ids, tokens and
 * CSRF values in database mode, so they look native.
 */
#ifndef CB_MMID_H
#define CB_MMID_H

#include <stdbool.h>
#include <stddef.h>

/* Writes a new random id and a NUL into out. */
void mmid_new(char out[27]);

/* Writes n (at most MMID_BATCH_MAX) new random ids, drawn at once. */
#define MMID_BATCH_MAX 4
void mmid_new_n(char (*out)[27], size_t n);

/* Encodes 16 bytes the way NewId does (deterministic, for tests). */
void mmid_encode(const unsigned char in[16], char out[27]);

/* True if s[0..n) is 26 characters of [a-z0-9] (model.IsValidId). */
bool mmid_valid(const char *s, size_t n);

#endif
