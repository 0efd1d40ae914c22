/*
 * identity.c - pure identity derivations (see identity.h).
 */
#include <stdio.h>
#include <string.h>

#include "claims.h"
#include "config.h"
#include "identity.h"
#include "iso3166.h"
#include "issuer.h"
#include "redirect.h"
#include "util.h"

/* Mattermost's own reserved names (model/user.go) and names that would
 * let a contact pass for staff, a system account or a mention keyword. */
static const char *const reserved_usernames[] = {"all", "channel", "matterbot", "system",
	"here", "everyone", "admin", "administrator", "root", "sysadmin", "superuser", "support",
	"security", "help", "helpdesk", "staff", "moderator", "mattermost", "openthc", "bot",
	"webmaster", "postmaster", "hostmaster", "abuse", "noreply", "no-reply", "info", "team",
	"surveys", "playbooks", "boards", "calls", "feedbackbot", "system-bot"};

/* The cleaned local part: lower-case, [a-z0-9._-] only, starting with a
 * letter, at most 22 characters; may be empty. */
static void
username_base(const char *email, char out[CB_MM_USERNAME_MAX + 1])
{
	size_t o = 0;
	const char *p;

	for (p = email; *p != '\0' && *p != '@' && o < CB_MM_USERNAME_MAX; p++) {
		char c = ascii_lower(*p);

		if (o == 0 && !(c >= 'a' && c <= 'z'))
			continue;
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		    c == '-')
			out[o++] = c;
	}
	out[o] = '\0';
}

static bool
username_plain_ok(const char *base)
{
	size_t i, n = strlen(base);

	if (n < 3)
		return false;
	for (i = 0; i < sizeof(reserved_usernames) / sizeof(reserved_usernames[0]); i++)
		if (strcmp(base, reserved_usernames[i]) == 0)
			return false;
	return true;
}

enum cb_err
identity_username(const char *email, const char *sub, unsigned attempt,
    char out[CB_MM_USERNAME_MAX + 1])
{
	/* Suffix lengths of the attempts after the plain name: characters
	 * from the end of the ULID, its random part. */
	static const size_t suffix_len[] = {5, 8, 10, 12};
	char base[CB_MM_USERNAME_MAX + 1];
	size_t sublen = strlen(sub), slen, plen, i;

	out[0] = '\0';
	if (attempt >= IDENTITY_USERNAME_ATTEMPTS || sublen < 12)
		return CB_EINTERNAL;
	username_base(email, base);
	if (username_plain_ok(base)) {
		if (attempt == 0)
			return str_set(out, CB_MM_USERNAME_MAX + 1, base);
		attempt--;
	}
	if (base[0] == '\0')
		(void)str_set(base, sizeof(base), "user");
	slen = suffix_len[attempt];
	plen = strlen(base);
	if (plen > CB_MM_USERNAME_MAX - 1 - slen)
		plen = CB_MM_USERNAME_MAX - 1 - slen;
	memcpy(out, base, plen);
	out[plen] = '-';
	for (i = 0; i < slen; i++)
		out[plen + 1 + i] = ascii_lower(sub[sublen - slen + i]);
	out[plen + 1 + slen] = '\0';
	return CB_OK;
}

void
identity_split_name(const char *name, char first[CB_NAME_MAX + 1], char last[CB_NAME_MAX + 1])
{
	const char *sp = strchr(name, ' ');
	size_t n = sp != NULL ? (size_t)(sp - name) : strlen(name);

	(void)str_copy(first, CB_NAME_MAX + 1, name, utf8_prefix(name, n, CB_MM_NAME_RUNES));
	last[0] = '\0';
	if (sp != NULL)
		(void)str_copy(last, CB_NAME_MAX + 1, sp + 1,
		    utf8_prefix(sp + 1, strlen(sp + 1), CB_MM_NAME_RUNES));
}

static void
jurisdiction_from_cre(const char *cre, char out[CB_TEAM_NAME_MAX + 1])
{
	char seg0[CB_CRE_MAX + 1], seg1[CB_CRE_MAX + 1];
	const char *slash, *slash2;
	size_t n0, n1;

	out[0] = '\0';
	if (cre[0] == '\0')
		return;
	slash = strchr(cre, '/');
	n0 = slash != NULL ? (size_t)(slash - cre) : strlen(cre);
	if (str_copy(seg0, sizeof(seg0), cre, n0) != CB_OK)
		return;
	if (strcmp(seg0, "openthc") == 0)
		return;
	if (strcmp(seg0, "usa") == 0 && slash != NULL) {
		slash2 = strchr(slash + 1, '/');
		n1 = slash2 != NULL ? (size_t)(slash2 - slash - 1) : strlen(slash + 1);
		if (n1 == 0 || str_copy(seg1, sizeof(seg1), slash + 1, n1) != CB_OK)
			return;
		(void)snprintf(out, CB_TEAM_NAME_MAX + 1, "usa-%s", seg1);
	} else {
		(void)str_set(out, CB_TEAM_NAME_MAX + 1, seg0);
	}
	if (!is_team_name(out, strlen(out)))
		out[0] = '\0';
}

static void
jurisdiction_from_reg(const char *reg, char out[CB_TEAM_NAME_MAX + 1])
{
	char a2[3];
	const char *a3;

	out[0] = '\0';
	if (strlen(reg) < 2)
		return;
	a2[0] = reg[0];
	a2[1] = reg[1];
	a2[2] = '\0';
	if (strcmp(a2, "US") == 0 && reg[2] == '-') {
		size_t i, o = 4;

		memcpy(out, "usa-", 4);
		for (i = 3; reg[i] != '\0' && o < CB_TEAM_NAME_MAX; i++)
			out[o++] = ascii_lower(reg[i]);
		out[o] = '\0';
	} else if ((a3 = iso3166_alpha3(a2)) != NULL) {
		(void)str_set(out, CB_TEAM_NAME_MAX + 1, a3);
	}
	if (!is_team_name(out, strlen(out)))
		out[0] = '\0';
}

void
identity_jurisdiction(const char *cre, const char *reg, char out[CB_TEAM_NAME_MAX + 1])
{
	jurisdiction_from_cre(cre, out);
	if (out[0] == '\0')
		jurisdiction_from_reg(reg, out);
}

static size_t
add_team(char out[][CB_TEAM_NAME_MAX + 1], size_t n, size_t max, const char *t)
{
	size_t i;

	if (t[0] == '\0' || n >= max)
		return n;
	for (i = 0; i < n; i++)
		if (strcmp(out[i], t) == 0)
			return n;
	if (str_set(out[n], CB_TEAM_NAME_MAX + 1, t) != CB_OK)
		return n;
	return n + 1;
}

size_t
identity_teams(const struct claims *c, const struct issuer *iss, const struct config *cfg,
    char out[][CB_TEAM_NAME_MAX + 1], size_t max, char jurisdiction[CB_TEAM_NAME_MAX + 1])
{
	size_t n = 0, i;
	bool named;

	identity_jurisdiction(c->cre, c->reg, jurisdiction);
	if (jurisdiction[0] != '\0' && !config_jurisdiction_allowed(cfg, jurisdiction, &named))
		jurisdiction[0] = '\0';
	n = add_team(out, n, max, cfg->default_team);
	n = add_team(out, n, max, jurisdiction);
	for (i = 0; i < c->n_teams; i++)
		if (iss != NULL && issuer_may_grant(iss, c->teams[i]))
			n = add_team(out, n, max, c->teams[i]);
	return n;
}

bool
identity_landing(const char *r, size_t rlen, const char *joined_jurisdiction,
    const char *default_team, char out[CB_LANDING_MAX + 1])
{
	const char *team;

	if (r != NULL && redirect_ok(r, rlen)) {
		memcpy(out, r, rlen);
		out[rlen] = '\0';
		return false;
	}
	team = joined_jurisdiction != NULL && joined_jurisdiction[0] ? joined_jurisdiction
	    : default_team;
	(void)snprintf(out, CB_LANDING_MAX + 1, "/%s/channels/town-square", team);
	return r != NULL && rlen > 0 && !(rlen == 1 && r[0] == '/');
}
