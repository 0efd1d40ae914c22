/*
 * cookie.h - the Set-Cookie values the bridge answers with
 * (product.md "Sessions"): MMAUTHTOKEN (HttpOnly), MMUSERID and MMCSRF
 * (readable by JavaScript), each with Path = path of site_url, Max-Age
 * and Expires = session length, Secure when site_url is https,
 * SameSite=Lax (SameSite=None when Mattermost is embedded in another
 * page, like Mattermost's own cookies), and Domain only when configured.
 */
#ifndef CB_COOKIE_H
#define CB_COOKIE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct cookie_params {
	const char *path;	/* cookie path, e.g. "/" */
	const char *domain;	/* NULL or "" for a host-only cookie */
	bool secure;
	bool embedded;		/* the request carried MMEMBED=1: SameSite=None (with Secure) */
	int64_t max_age;	/* seconds */
	int64_t now;		/* seconds since the epoch, for Expires */
};

/* Maximum length of one Set-Cookie value built here. */
#define COOKIE_VALUE_MAX 512

/* Writes "name=value; Path=...; ..." into out[cap]. value must be
 * [A-Za-z0-9_-] only (Mattermost ids and tokens); anything else is
 * refused with CB_EINTERNAL so no cookie can carry injected attributes. */
enum cb_err cookie_build(char *out, size_t cap, const char *name, const char *value,
    bool httponly, const struct cookie_params *p) CB_WUR;

/* The three session cookies, in Mattermost's order. */
struct session_cookies {
	char auth[COOKIE_VALUE_MAX];	/* MMAUTHTOKEN */
	char user[COOKIE_VALUE_MAX];	/* MMUSERID */
	char csrf[COOKIE_VALUE_MAX];	/* MMCSRF */
};

enum cb_err cookie_session(struct session_cookies *out, const char *token,
    const char *user_id, const char *csrf, const struct cookie_params *p) CB_WUR;

/* The OAuth2 state cookie that binds a sign-in with OpenTHC SSO to the
 * browser (HttpOnly, SameSite=Lax). On an https site it is
 * "__Host-cb_sso" with Secure, Path=/ and no Domain, which browsers
 * accept only from this very host; browsers refuse __Host- cookies
 * without Secure, so a plain-http site (tests, loopback) gets "cb_sso"
 * with the path site_path + "auth/". max_age 0 clears it. */
enum cb_err cookie_sso_state(char *out, size_t cap, const char *value, bool https,
    const char *site_path, int64_t max_age, int64_t now) CB_WUR;

/* The name cookie_sso_state uses for a site. */
const char *cookie_sso_state_name(bool https);

/* True if the Cookie header carries MMEMBED=1: Mattermost is embedded in
 * an iframe of another site (mattermost-behaviour.md correction 10). */
bool cookie_embedded(const char *header);

/* Finds cookie name in a Cookie request header ("a=b; c=d"). Returns how
 * many cookies have that name; if exactly one, copies its value (which
 * must be [A-Za-z0-9_-], at most cap-1 bytes) into out. A value of any
 * other shape counts but is not copied (out = ""). */
size_t cookie_get(const char *header, const char *name, char *out, size_t cap);

#endif
