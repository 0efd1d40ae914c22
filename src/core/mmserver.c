/*
 * mmserver.c - decisions that depend on the Mattermost server (see
 * mmserver.h).
 */
#include <stdio.h>
#include <string.h>

#include "mmserver.h"
#include "util.h"

/* Reads one decimal number of at most 5 digits at *p, then one '.' or the
 * end. */
static bool
number(const char **p, unsigned *out, bool last)
{
	const char *s = *p;
	size_t n = strspn(s, "0123456789");
	uint64_t v;

	if (n == 0 || n > 5 || parse_u64(s, n, 99999, &v) != CB_OK)
		return false;
	s += n;
	if (last ? !(*s == '.' || *s == '\0') : *s != '.')
		return false;
	*out = (unsigned)v;
	*p = *s == '.' ? s + 1 : s;
	return true;
}

bool
mm_server_parse_version(const char *x, struct mm_server *s)
{
	unsigned major, minor, patch;
	const char *p = x;

	const char *last;

	if (x == NULL || !number(&p, &major, false) || !number(&p, &minor, false) ||
	    !number(&p, &patch, true))
		return false;
	s->major = major;
	s->minor = minor;
	s->patch = patch;
	/* version.build.hash.licensed: four or more fields after the version */
	if (*p != '\0' && (last = strrchr(p, '.')) != NULL) {
		if (strcmp(last + 1, "true") == 0 || strcmp(last + 1, "false") == 0) {
			s->licensed = last[1] == 't';
			s->licence_known = true;
		}
	}
	return true;
}

bool
mm_server_at_least(const struct mm_server *s, unsigned major, unsigned minor)
{
	if (s->major == 0)
		return false;
	return s->major > major || (s->major == major && s->minor >= minor);
}

enum mm_login_by
mm_server_login_by(const struct mm_server *s)
{
	if (!s->known || s->sign_in_email)
		return MM_LOGIN_BY_EMAIL;
	if (s->sign_in_username)
		return MM_LOGIN_BY_USERNAME;
	/* Both off: login by id was honoured regardless up to 11.2. */
	if (s->major != 0 && !mm_server_at_least(s, 11, 3))
		return MM_LOGIN_BY_ID;
	return MM_LOGIN_IMPOSSIBLE;
}

bool
mm_server_bcrypt_only(const struct mm_server *s)
{
	return s->major != 0 && s->major < 11;
}

bool
mm_server_mfa_enforced(const struct mm_server *s)
{
	return !s->known || s->mfa;
}

bool
mm_server_guests_possible(const struct mm_server *s)
{
	return s->known && s->licence_known && s->licensed && s->guest_accounts;
}

void
mm_server_describe(const struct mm_server *s, char *out, size_t cap)
{
	static const char *const by[] = {"with email", "with username", "by user id", "impossible"};
	char ver[32];

	if (s->major != 0)
		(void)snprintf(ver, sizeof(ver), "%u.%u.%u", s->major, s->minor, s->patch);
	else
		(void)snprintf(ver, sizeof(ver), "(version unknown)");
	if (!s->known) {
		(void)snprintf(out, cap, "Mattermost %s, client configuration not read", ver);
		return;
	}
	(void)snprintf(out, cap, "Mattermost %s%s, password sign-in %s, MFA %s%s%s", ver,
	    !s->licence_known ? "" : s->licensed ? " (licensed)" : " (unlicensed)",
	    by[mm_server_login_by(s)], s->mfa ? "on" : "off",
	    mm_server_guests_possible(s) ? ", guests may sign in" : "",
	    mm_server_bcrypt_only(s) ? ", bcrypt passwords" : "");
}
