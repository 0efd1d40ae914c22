/*
 * identity.h - pure derivations from verified claims (claims.h):
 * Mattermost username candidates, the team set and the landing path
 * (product.md "Identity rules", token.md "Teams").
 */
#ifndef CB_IDENTITY_H
#define CB_IDENTITY_H

#include <stdbool.h>
#include <stddef.h>

#include "bounds.h"
#include "err.h"

struct claims;
struct config;
struct issuer;

/* Number of username candidates identity_username can produce. */
#define IDENTITY_USERNAME_ATTEMPTS 4

/* Username candidate number attempt (0 .. IDENTITY_USERNAME_ATTEMPTS-1)
 * for a contact: from the email's local part, lower-case, [a-z0-9._-]
 * only, starting with a letter, 3-22 characters, never a reserved name.
 * Attempt 0 is the plain name; later attempts add a suffix derived from
 * sub (so the same contact always gets the same name). */
enum cb_err identity_username(const char *email, const char *sub, unsigned attempt,
    char out[CB_MM_USERNAME_MAX + 1]) CB_WUR;

/* The jurisdiction team from cre, else reg (token.md "Teams"), or "" if
 * none. out must hold CB_TEAM_NAME_MAX + 1. */
void identity_jurisdiction(const char *cre, const char *reg, char out[CB_TEAM_NAME_MAX + 1]);

/* The ordered, de-duplicated team set for verified claims: the default
 * team, the jurisdiction team if it is on cfg's jurisdiction_teams list,
 * then the claim's teams the issuer may grant. Returns the count; out
 * holds at most max names. *jurisdiction receives the jurisdiction team
 * joined this way, or "". */
size_t identity_teams(const struct claims *c, const struct issuer *iss, const struct config *cfg,
    char out[][CB_TEAM_NAME_MAX + 1], size_t max, char jurisdiction[CB_TEAM_NAME_MAX + 1]);

/* Splits a display name at its first space into a first and a last name
 * as Mattermost stores them: each cut to CB_MM_NAME_RUNES code points,
 * never inside a UTF-8 sequence. */
void identity_split_name(const char *name, char first[CB_NAME_MAX + 1], char last[CB_NAME_MAX + 1]);

/* Landing path: r if redirect_validate honours it, else the jurisdiction
 * team's town square if it was joined (non-empty), else the default
 * team's. Writes into out[CB_LANDING_MAX + 1]. Returns true if r was
 * given and ignored (the caller logs that). */
bool identity_landing(const char *r, size_t rlen, const char *joined_jurisdiction,
    const char *default_team, char out[CB_LANDING_MAX + 1]);

#endif
