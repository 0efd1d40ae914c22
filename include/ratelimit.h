/*
 * ratelimit.h - per-client-address token buckets (product.md: 429 with
 * Retry-After), applied before any database or Mattermost work.
 *
 * Memory is bounded: a fixed table of slots keyed by a keyed hash of the
 * address (SipHash with a random key, so addresses cannot be chosen to
 * collide). When the probe window is full, the least recently seen entry
 * is evicted; an evicted client simply starts with a full bucket.
 * Thread-safe.
 */
#ifndef CB_RATELIMIT_H
#define CB_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ratelimit;

/* A limiter allowing per_minute requests per address (bursts up to
 * per_minute), with slots entries (rounded up to a power of two). NULL
 * on allocation failure. */
struct ratelimit *ratelimit_new(unsigned per_minute, size_t slots);
void ratelimit_free(struct ratelimit *rl);

/* Takes one token for key at now_ms. Returns true if allowed; otherwise
 * false and *retry_after = whole seconds until a token is available. */
bool ratelimit_take(struct ratelimit *rl, const char *key, int64_t now_ms,
    unsigned *retry_after);

/* Bytes of memory the limiter holds (for the bounded-memory test). */
size_t ratelimit_memory(const struct ratelimit *rl);

#endif
