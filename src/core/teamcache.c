/*
 * teamcache.c - bounded team name -> id cache (see teamcache.h).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "teamcache.h"
#include "util.h"

struct entry {
	char name[TEAMCACHE_KEY_MAX + 1];
	char id[CB_MMID_LEN + 1];
	int64_t at;
};

struct teamcache {
	pthread_mutex_t mu;
	struct entry *e;
	size_t n;
};

struct teamcache *
teamcache_new(size_t slots)
{
	struct teamcache *tc = calloc(1, sizeof(*tc));

	if (tc == NULL || slots == 0 || (tc->e = calloc(slots, sizeof(*tc->e))) == NULL) {
		free(tc);
		return NULL;
	}
	tc->n = slots;
	pthread_mutex_init(&tc->mu, NULL);
	return tc;
}

void
teamcache_free(struct teamcache *tc)
{
	if (tc == NULL)
		return;
	pthread_mutex_destroy(&tc->mu);
	free(tc->e);
	free(tc);
}

int
teamcache_get(struct teamcache *tc, const char *name, int64_t now, char id[CB_MMID_LEN + 1])
{
	size_t i;
	int found = 0;

	pthread_mutex_lock(&tc->mu);
	for (i = 0; i < tc->n; i++) {
		struct entry *e = &tc->e[i];

		if (e->name[0] == '\0' || strcmp(e->name, name) != 0)
			continue;
		if (now - e->at < (e->id[0] != '\0' ? TEAMCACHE_TTL : TEAMCACHE_MISSING_TTL) &&
		    now >= e->at) {
			(void)str_set(id, CB_MMID_LEN + 1, e->id);
			found = 1;
		}
		break;
	}
	pthread_mutex_unlock(&tc->mu);
	return found;
}

void
teamcache_put(struct teamcache *tc, const char *name, const char *id, int64_t now)
{
	struct entry *slot = NULL;
	size_t i;

	pthread_mutex_lock(&tc->mu);
	for (i = 0; i < tc->n; i++) {
		struct entry *e = &tc->e[i];

		if (e->name[0] != '\0' && strcmp(e->name, name) == 0) {
			slot = e;
			break;
		}
		if (slot == NULL || (slot->name[0] != '\0' && (e->name[0] == '\0' || e->at < slot->at)))
			slot = e;
	}
	/* Not reached (teamcache_new() refuses 0 slots); -fanalyzer cannot
	 * know that, and a guard is cheaper than a suppression. */
	if (slot == NULL) {
		pthread_mutex_unlock(&tc->mu);
		return;
	}
	if (str_set(slot->name, sizeof(slot->name), name) == CB_OK &&
	    str_set(slot->id, sizeof(slot->id), id) == CB_OK)
		slot->at = now;
	else
		slot->name[0] = '\0';
	pthread_mutex_unlock(&tc->mu);
}

void
teamcache_forget(struct teamcache *tc, const char *name)
{
	size_t i;

	pthread_mutex_lock(&tc->mu);
	for (i = 0; i < tc->n; i++)
		if (strcmp(tc->e[i].name, name) == 0)
			tc->e[i].name[0] = '\0';
	pthread_mutex_unlock(&tc->mu);
}
