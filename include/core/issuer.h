/*
 * issuer.h - the trusted issuer registry: which OpenTHC service may mint
 * chat links, with which keys and algorithms, and which extra teams it may
 * grant. Filled by the configuration ([issuer "ID"] sections), read by the
 * token verifier. Keys are never taken from a token. Implemented in
 * issuer.c; config.c fills the registry.
 */
#ifndef CB_ISSUER_H
#define CB_ISSUER_H

#include <stdbool.h>
#include <stddef.h>

#include "bounds.h"
#include "secret.h"

/* How an issuer's tokens may link an existing Mattermost account found
 * by email: as [bridge] link_existing says (version-0 tokens: refuse), or
 * as this issuer's own link_existing says. */
enum issuer_link { ISSUER_LINK_DEFAULT = 0, ISSUER_LINK_EMAIL, ISSUER_LINK_REFUSE };

struct issuer {
	char id[CB_ISSUER_ID_MAX + 1];
	char name[65];
	int line;			/* of its section header, for messages */
	/* Version 1: Ed25519 public keys, selected by the token's kid. */
	unsigned char ed25519[CB_ISSUER_KEYS_MAX][32];
	size_t n_ed25519;
	/* Version 0: HS256 secrets (two during a rotation). */
	struct secret hs256[CB_ISSUER_SECRETS_MAX];
	size_t n_hs256;
	bool hs256_allow_short;		/* accept an HS256 secret under 32 bytes */
	enum issuer_link link_existing;
	/* Team names this issuer may grant through the "team" claim. */
	char teams[CB_ISSUER_TEAMS_MAX][CB_TEAM_NAME_MAX + 1];
	size_t n_teams;
};

struct issuer_registry {
	struct issuer *v;
	size_t n;
};

/* The issuer whose id equals s[0..n) exactly, or NULL. Borrowed. */
const struct issuer *issuer_find(const struct issuer_registry *r, const char *s, size_t n);

/* True if iss may grant team name t. */
bool issuer_may_grant(const struct issuer *iss, const char *t);

#endif
