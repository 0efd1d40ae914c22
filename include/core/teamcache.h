/*
 * teamcache.h - Mattermost team name -> id (and "team/channel" -> channel
 * id), cached per process so a click does not look them up every time.
 * Known entries live 300 s, known-missing names 30 s. Bounded (fixed
 * slots, oldest replaced), thread-safe, clock injected.
 */
#ifndef CB_TEAMCACHE_H
#define CB_TEAMCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "bounds.h"

#define TEAMCACHE_KEY_MAX 160
#define TEAMCACHE_TTL 300
#define TEAMCACHE_MISSING_TTL 30

struct teamcache;

struct teamcache *teamcache_new(size_t slots);
void teamcache_free(struct teamcache *tc);

/* 1 and the id ("" = the team does not exist) if cached and fresh at
 * now; 0 if unknown. */
int teamcache_get(struct teamcache *tc, const char *name, int64_t now, char id[CB_MMID_LEN + 1]);
/* Remembers name -> id ("" for missing). */
void teamcache_put(struct teamcache *tc, const char *name, const char *id, int64_t now);
/* Forgets name (e.g. the team vanished). */
void teamcache_forget(struct teamcache *tc, const char *name);

#endif
