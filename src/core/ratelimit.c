/*
 * ratelimit.c - bounded per-address token buckets (see ratelimit.h).
 */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "ratelimit.h"

#define PROBE 8

struct slot {
	uint64_t key;		/* 0 = empty */
	int64_t last_ms;	/* last refill time */
	int64_t milli_tokens;	/* tokens * 1000 */
};

struct ratelimit {
	pthread_mutex_t mu;
	unsigned char hkey[crypto_shorthash_KEYBYTES];
	size_t mask;
	struct slot *slots;
};

struct ratelimit *
ratelimit_new(size_t slots)
{
	struct ratelimit *rl;
	size_t n = 16;

	while (n < slots && n < ((size_t)1 << 24))
		n <<= 1;
	if ((rl = calloc(1, sizeof(*rl))) == NULL)
		return NULL;
	if ((rl->slots = calloc(n, sizeof(*rl->slots))) == NULL) {
		free(rl);
		return NULL;
	}
	pthread_mutex_init(&rl->mu, NULL);
	randombytes_buf(rl->hkey, sizeof(rl->hkey));
	rl->mask = n - 1;
	return rl;
}

void
ratelimit_free(struct ratelimit *rl)
{
	if (rl == NULL)
		return;
	pthread_mutex_destroy(&rl->mu);
	free(rl->slots);
	free(rl);
}

void
ratelimit_client_key(const char *addr, unsigned v6_prefix, char out[RATELIMIT_KEY_MAX])
{
	unsigned char a[16];
	char text[INET6_ADDRSTRLEN];
	unsigned i, bits = v6_prefix > 128 ? 128 : v6_prefix;

	if (strchr(addr, ':') == NULL || inet_pton(AF_INET6, addr, a) != 1) {
		(void)snprintf(out, RATELIMIT_KEY_MAX, "%s", addr);
		return;
	}
	if (memcmp(a, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0 &&
	    inet_ntop(AF_INET, a + 12, text, sizeof(text)) != NULL) {
		(void)snprintf(out, RATELIMIT_KEY_MAX, "%s", text);	/* ::ffff:a.b.c.d */
		return;
	}
	for (i = 0; i < 16; i++) {
		if (bits >= 8)
			bits -= 8;
		else {
			a[i] &= (unsigned char)(0xff << (8 - bits));
			bits = 0;
		}
	}
	if (inet_ntop(AF_INET6, a, text, sizeof(text)) == NULL)
		text[0] = '\0';
	(void)snprintf(out, RATELIMIT_KEY_MAX, "%s/%u", text, v6_prefix > 128 ? 128 : v6_prefix);
}

size_t
ratelimit_memory(const struct ratelimit *rl)
{
	return sizeof(*rl) + (rl->mask + 1) * sizeof(struct slot);
}

static uint64_t
key_of(const struct ratelimit *rl, const char *key)
{
	unsigned char h[crypto_shorthash_BYTES];
	uint64_t k = 0;
	size_t i;

	crypto_shorthash(h, (const unsigned char *)key, strlen(key), rl->hkey);
	for (i = 0; i < sizeof(h); i++)
		k = (k << 8) | h[i];
	return k != 0 ? k : 1;
}

bool
ratelimit_take(struct ratelimit *rl, const char *key, int64_t now_ms, unsigned per_minute,
    unsigned *retry_after)
{
	int64_t capacity = (int64_t)per_minute * 1000;
	uint64_t k = key_of(rl, key);
	struct slot *s = NULL, *empty = NULL, *oldest = NULL;
	size_t i;
	bool ok;

	pthread_mutex_lock(&rl->mu);
	for (i = 0; i < PROBE; i++) {
		struct slot *c = &rl->slots[(k + i) & rl->mask];

		if (c->key == k) {
			s = c;
			break;
		}
		if (c->key == 0) {
			if (empty == NULL)
				empty = c;
		} else if (oldest == NULL || c->last_ms < oldest->last_ms) {
			oldest = c;
		}
	}
	if (s == NULL) {
		s = empty != NULL ? empty : oldest;
		s->key = k;
		s->last_ms = now_ms;
		s->milli_tokens = capacity;
	}
	/* Refill per_minute tokens per 60 000 ms. */
	if (now_ms > s->last_ms) {
		int64_t add = (now_ms - s->last_ms) * (int64_t)per_minute / 60;

		s->milli_tokens = s->milli_tokens + add > capacity ? capacity
		    : s->milli_tokens + add;
		s->last_ms = now_ms;
	}
	if (s->milli_tokens >= 1000) {
		s->milli_tokens -= 1000;
		ok = true;
	} else {
		int64_t missing = 1000 - s->milli_tokens;
		int64_t ms = (missing * 60 + per_minute - 1) / per_minute;

		*retry_after = (unsigned)((ms + 999) / 1000);
		if (*retry_after == 0)
			*retry_after = 1;
		ok = false;
	}
	pthread_mutex_unlock(&rl->mu);
	return ok;
}
