/*
 * issuer.c - lookups in the trusted issuer registry (see issuer.h).
 */
#include <string.h>

#include "issuer.h"

const struct issuer *
issuer_find(const struct issuer_registry *r, const char *s, size_t n)
{
	size_t i;

	if (r == NULL || n == 0 || n > CB_ISSUER_ID_MAX)
		return NULL;
	for (i = 0; i < r->n; i++)
		if (strlen(r->v[i].id) == n && memcmp(r->v[i].id, s, n) == 0)
			return &r->v[i];
	return NULL;
}

bool
issuer_may_grant(const struct issuer *iss, const char *t)
{
	size_t i;

	for (i = 0; i < iss->n_teams; i++)
		if (strcmp(iss->teams[i], t) == 0)
			return true;
	return false;
}
