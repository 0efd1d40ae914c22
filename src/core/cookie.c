/*
 * cookie.c - Set-Cookie values for the Mattermost session (cookie.h).
 * RFC 6265 section 4.1 grammar; attribute order follows Go's net/http,
 * which is what Mattermost's own cookies look like.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "bounds.h"
#include "cookie.h"
#include "timefmt.h"
#include "util.h"

static bool
cookie_token_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > 128)
		return false;
	for (i = 0; i < n; i++)
		if (!ascii_isalnum(s[i]) && s[i] != '-' && s[i] != '_')
			return false;
	return true;
}

/* Domain: a host name of [a-z0-9.-] (optionally with a leading dot). */
static bool
domain_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > 253)
		return false;
	for (i = 0; i < n; i++)
		if (!ascii_isalnum(s[i]) && s[i] != '-' && s[i] != '.')
			return false;
	return true;
}

/* Path: visible ASCII without ';' (RFC 6265 path-value). */
static bool
path_ok(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n < 256 && s[0] == '/' && is_visible_ascii(s, n) &&
	    strchr(s, ';') == NULL;
}

enum cb_err
cookie_build(char *out, size_t cap, const char *name, const char *value, bool httponly,
    const struct cookie_params *p)
{
	char date[TIMEFMT_HTTP_LEN];
	int n;
	bool has_domain = p->domain != NULL && p->domain[0] != '\0';

	out[0] = '\0';
	if (!cookie_token_ok(name) || !cookie_token_ok(value) || !path_ok(p->path) ||
	    (has_domain && !domain_ok(p->domain)) || p->max_age < 0)
		return CB_EINTERNAL;
	timefmt_http(p->now + p->max_age, date);
	/* SameSite=None needs Secure (browsers drop it otherwise); Mattermost
	 * sends it only then too. */
	n = snprintf(out, cap, "%s=%s; Path=%s%s%s; Expires=%s; Max-Age=%lld%s%s; SameSite=%s",
	    name, value, p->path, has_domain ? "; Domain=" : "", has_domain ? p->domain : "",
	    date, (long long)p->max_age, httponly ? "; HttpOnly" : "", p->secure ? "; Secure" : "",
	    p->embedded && p->secure ? "None" : "Lax");
	if (n < 0 || (size_t)n >= cap) {
		out[0] = '\0';
		return CB_ETOOBIG;
	}
	return CB_OK;
}

enum cb_err
cookie_session(struct session_cookies *out, const char *token, const char *user_id,
    const char *csrf, const struct cookie_params *p)
{
	enum cb_err e;

	if ((e = cookie_build(out->auth, sizeof(out->auth), "MMAUTHTOKEN", token, true, p)) != CB_OK ||
	    (e = cookie_build(out->user, sizeof(out->user), "MMUSERID", user_id, false, p)) != CB_OK ||
	    (e = cookie_build(out->csrf, sizeof(out->csrf), "MMCSRF", csrf, false, p)) != CB_OK)
		sodium_memzero(out, sizeof(*out));
	return e;
}

bool
cookie_embedded(const char *header)
{
	char v[8];

	return cookie_get(header, "MMEMBED", v, sizeof(v)) == 1 && strcmp(v, "1") == 0;
}

const char *
cookie_sso_state_name(bool https)
{
	return https ? "__Host-cb_sso" : "cb_sso";
}

enum cb_err
cookie_sso_state(char *out, size_t cap, const char *value, bool https, const char *site_path,
    int64_t max_age, int64_t now)
{
	char path[CB_URL_MAX + 8];
	struct cookie_params p;
	size_t n = strlen(site_path);

	if (https)
		(void)snprintf(path, sizeof(path), "/");
	else if (snprintf(path, sizeof(path), "%s%sauth/", site_path,
	    (n > 0 && site_path[n - 1] == '/') ? "" : "/") >= (int)sizeof(path))
		return CB_ETOOBIG;
	p.path = path;
	p.domain = NULL;
	p.secure = https;
	p.embedded = false;
	p.max_age = max_age;
	p.now = now;
	return cookie_build(out, cap, cookie_sso_state_name(https), value, true, &p);
}

size_t
cookie_get(const char *header, const char *name, char *out, size_t cap)
{
	size_t nl = strlen(name), count = 0;
	const char *p = header;

	out[0] = '\0';
	if (header == NULL)
		return 0;
	while (*p != '\0') {
		const char *end, *eq, *v;
		size_t vl;

		while (*p == ' ' || *p == '\t' || *p == ';')
			p++;
		end = strchr(p, ';');
		if (end == NULL)
			end = p + strlen(p);
		eq = memchr(p, '=', (size_t)(end - p));
		if (eq != NULL && (size_t)(eq - p) == nl && strncmp(p, name, nl) == 0) {
			v = eq + 1;
			vl = (size_t)(end - v);
			while (vl > 0 && (v[vl - 1] == ' ' || v[vl - 1] == '\t'))
				vl--;
			if (++count == 1 && vl > 0 && vl < cap) {
				memcpy(out, v, vl);
				out[vl] = '\0';
				if (!cookie_token_ok(out))
					out[0] = '\0';
			}
		}
		p = end;
	}
	if (count != 1)
		out[0] = '\0';
	return count;
}
