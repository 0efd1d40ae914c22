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

/* A limiter with slots entries (rounded up to a power of two), or NULL on
 * allocation failure. */
struct ratelimit *ratelimit_new(size_t slots);
void ratelimit_free(struct ratelimit *rl);

/* Takes one token for key at now_ms from a bucket of per_minute tokens
 * refilled at per_minute per minute (the rate comes from the loaded
 * configuration, so a reload changes it). Returns true if allowed;
 * otherwise false and *retry_after = whole seconds until a token is
 * available. per_minute must be > 0. */
bool ratelimit_take(struct ratelimit *rl, const char *key, int64_t now_ms, unsigned per_minute,
    unsigned *retry_after);

/* The bucket key of a client address: an IPv4 address as it is; an IPv6
 * address cut to its first v6_prefix bits (one /64 is usually one
 * subscriber, who can pick any of its addresses); an IPv4-mapped IPv6
 * address as the IPv4 address. Anything else as it is. */
#define RATELIMIT_KEY_MAX 64
void ratelimit_client_key(const char *addr, unsigned v6_prefix, char out[RATELIMIT_KEY_MAX]);

/* Bytes of memory the limiter holds (for the bounded-memory test). */
size_t ratelimit_memory(const struct ratelimit *rl);

#endif
