/*
 * config.c - strict INI configuration parser (see config.h).
 *
 * Scalar keys are described by one table (section, name, type, bounds,
 * field); list keys of [issuer] and [team] sections have small handlers.
 * Every error names file and line. Nothing is printed here.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "config.h"
#include "util.h"

/* ------------------------------------------------------------ parser */

enum section { S_NONE, S_BRIDGE, S_MATTERMOST, S_STORE, S_SSO, S_ISSUER, S_TEAM };

struct parser {
	const char *name;
	const char *basedir;
	unsigned flags;
	int line;
	char *err;
	size_t errcap;
	struct config *c;
	/* current section */
	enum section sec;
	struct issuer *issuer;
	struct team_def *team;
	int sec_line[5];		/* header line of bridge..sso, 0 = absent */
	unsigned long long seen;	/* bit per scalar key index */
	unsigned long long seen_sec;	/* keys seen in the current list section */
	int key_line[64];
};

static enum cb_err
fail(struct parser *p, const char *fmt, ...) CB_PRINTF(2, 3);

static enum cb_err
fail(struct parser *p, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	(void)snprintf(p->err, p->errcap, "%s:%d: %s", p->name, p->line, msg);
	return CB_ECONFIG;
}

enum ktype { K_MODE, K_STR, K_SITE_URL, K_HTTP_URL, K_DSN, K_LISTEN, K_UINT, K_BOOL, K_ENUM, K_SECRET,
	K_TEAM, K_HOST, K_JURISDICTIONS };

struct key {
	int sec;
	const char *name;
	enum ktype type;
	size_t off;
	size_t size;
	unsigned min, max;
	const char *const *enums;
};

static const char *const modes[] = {"login", "database", NULL};
static const char *const policies[] = {"email", "refuse", NULL};
static const char *const formats[] = {"json", "text", NULL};
static const char *const guest_policies[] = {"refuse", "allow", NULL};

#define F(m) offsetof(struct config, m), sizeof(((struct config *)0)->m)
static const struct key keys[] = {
	{S_BRIDGE, "site_url", K_SITE_URL, F(site_url), 0, 0, NULL},
	{S_BRIDGE, "listen", K_LISTEN, F(listen), 0, 0, NULL},
	{S_BRIDGE, "listen_mode", K_MODE, F(listen_mode), 0, 0777, NULL},
	{S_BRIDGE, "workers", K_UINT, F(workers), 1, CB_WORKERS_MAX, NULL},
	{S_BRIDGE, "session_mode", K_ENUM, F(session_mode), 0, 0, modes},
	{S_BRIDGE, "session_hours", K_UINT, F(session_hours), 1, 87600, NULL},
	{S_BRIDGE, "default_team", K_TEAM, F(default_team), 0, 0, NULL},
	{S_BRIDGE, "create_missing_teams", K_BOOL, F(create_missing_teams), 0, 0, NULL},
	{S_BRIDGE, "link_existing", K_ENUM, F(link_existing), 0, 0, policies},
	{S_BRIDGE, "link_privileged", K_BOOL, F(link_privileged), 0, 0, NULL},
	{S_BRIDGE, "revoke_on_link", K_BOOL, F(revoke_on_link), 0, 0, NULL},
	{S_BRIDGE, "jurisdiction_teams", K_JURISDICTIONS, F(jurisdictions), 0, 0, NULL},
	{S_BRIDGE, "rate_limit_ipv6_prefix", K_UINT, F(rate_limit_ipv6_prefix), 16, 128, NULL},
	{S_BRIDGE, "session_hours_mobile", K_UINT, F(session_hours_mobile), 1, 87600, NULL},
	{S_BRIDGE, "leeway_seconds", K_UINT, F(leeway_seconds), 0, CB_LEEWAY_MAX, NULL},
	{S_BRIDGE, "rate_limit_per_minute", K_UINT, F(rate_limit_per_minute), 0, 1000000, NULL},
	{S_BRIDGE, "log_format", K_ENUM, F(log_format), 0, 0, formats},
	{S_BRIDGE, "cookie_domain", K_HOST, F(cookie_domain), 0, 0, NULL},
	{S_BRIDGE, "membership_recheck_seconds", K_UINT, F(membership_recheck_seconds), 0, 604800,
	    NULL},
	{S_BRIDGE, "instance", K_STR, F(instance), 0, 0, NULL},
	{S_MATTERMOST, "url", K_HTTP_URL, F(mm_url), 0, 0, NULL},
	{S_MATTERMOST, "token_file", K_SECRET, F(mm_token), 0, 0, NULL},
	{S_MATTERMOST, "password_secret_file", K_SECRET, F(password_secret), 0, 0, NULL},
	{S_MATTERMOST, "database", K_DSN, F(mm_database), 0, 0, NULL},
	{S_MATTERMOST, "connect_timeout_ms", K_UINT, F(connect_timeout_ms), 1, 60000, NULL},
	{S_MATTERMOST, "timeout_ms", K_UINT, F(timeout_ms), 1, 300000, NULL},
	{S_MATTERMOST, "password_hash_iterations", K_UINT, F(password_hash_iterations), 1000,
	    10000000, NULL},
	{S_MATTERMOST, "guests", K_ENUM, F(guests), 0, 0, guest_policies},
	{S_MATTERMOST, "login_concurrency", K_UINT, F(login_concurrency), 1, 64, NULL},
	{S_MATTERMOST, "login_queue_ms", K_UINT, F(login_queue_ms), 0, 60000, NULL},
	{S_STORE, "database", K_DSN, F(store_database), 0, 0, NULL},
	{S_STORE, "audit_retention_days", K_UINT, F(audit_retention_days), 0, 36500, NULL},
	{S_SSO, "origin", K_HTTP_URL, F(sso_origin), 0, 0, NULL},
	{S_SSO, "client_id", K_STR, F(sso_client_id), 0, 0, NULL},
	{S_SSO, "client_secret_file", K_SECRET, F(sso_client_secret), 0, 0, NULL},
	{S_SSO, "scope", K_STR, F(sso_scope), 0, 0, NULL},
	{S_SSO, "state_seconds", K_UINT, F(sso_state_seconds), 30, 3600, NULL},
};
#undef F
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

static const char *const section_names[] = {"", "bridge", "mattermost", "store", "sso",
	"issuer", "team"};

/* OpenTHC's jurisdiction teams: the US states (usa-xx), Brazil, Ecuador,
 * Panama, Peru, Uruguay and South Africa. */
static const char *const default_jurisdictions[] = {"usa-*", "bra", "ecu", "pan", "per", "ury",
	"zaf"};

static void
set_default_jurisdictions(struct config *c)
{
	size_t i, n = sizeof(default_jurisdictions) / sizeof(default_jurisdictions[0]);

	for (i = 0; i < n; i++) {
		(void)str_set(c->jurisdictions[i].text, sizeof(c->jurisdictions[i].text),
		    default_jurisdictions[i]);
		c->jurisdictions[i].glob = strchr(default_jurisdictions[i], '*') != NULL;
	}
	c->n_jurisdictions = n;
}

static void
set_defaults(struct config *c)
{
	c->workers = 16;
	c->listen_mode = 0660;
	c->session_mode = SESSION_LOGIN;
	c->session_hours = 720;
	(void)str_set(c->default_team, sizeof(c->default_team), "public");
	c->link_existing = LINK_EMAIL;
	c->revoke_on_link = true;
	c->rate_limit_ipv6_prefix = 64;
	c->session_hours_mobile = 720;
	set_default_jurisdictions(c);
	c->leeway_seconds = 60;
	c->rate_limit_per_minute = 60;
	c->log_format = LOG_JSON;
	c->membership_recheck_seconds = 3600;
	c->connect_timeout_ms = 2000;
	c->timeout_ms = 5000;
	c->password_hash_iterations = 600000;
	c->login_concurrency = 2;
	c->login_queue_ms = 3000;
	(void)str_set(c->sso_scope, sizeof(c->sso_scope), "chat");
	c->sso_state_seconds = 300;
}

/* scheme://host[:port][/path]; fills *https and the path part. */
static bool
url_ok(const char *v, bool allow_path, bool *https, const char **path)
{
	const char *host, *p;
	size_t n = strlen(v), i;

	if (n == 0 || n >= CB_URL_MAX || !is_visible_ascii(v, n))
		return false;
	if (strncmp(v, "https://", 8) == 0) {
		*https = true;
		host = v + 8;
	} else if (strncmp(v, "http://", 7) == 0) {
		*https = false;
		host = v + 7;
	} else {
		return false;
	}
	if (v[n - 1] == '/' || strpbrk(v, "?#@\\ ") != NULL)
		return false;
	for (p = host; *p != '\0' && *p != '/' && *p != ':'; p++)
		if (!ascii_isalnum(*p) && *p != '.' && *p != '-')
			return false;
	if (p == host)
		return false;
	if (*p == ':') {
		uint64_t port;
		const char *q = ++p;

		while (*p >= '0' && *p <= '9')
			p++;
		if (parse_u64(q, (size_t)(p - q), 65535, &port) != CB_OK || port == 0)
			return false;
	}
	if (*p != '\0' && (*p != '/' || !allow_path))
		return false;
	for (i = 0; p[i] != '\0'; i++)
		if (p[i] == '/' && (p[i + 1] == '/' || p[i + 1] == '.'))
			return false;
	*path = p;
	return true;
}

/* True if the URL's host is a loopback address (127.0.0.0/8, localhost). */
static bool
url_loopback(const char *v)
{
	const char *host = strstr(v, "://");
	size_t n;

	if (host == NULL)
		return false;
	host += 3;
	n = strcspn(host, ":/");
	if (n == 9 && strncmp(host, "localhost", 9) == 0)
		return true;
	return n >= 7 && strncmp(host, "127.", 4) == 0 && strspn(host, "0123456789.") >= n;
}

/* Mattermost's team name rules (model/team.go IsValid), stricter than
 * is_team_name: no trailing '-', no reserved prefix. */
static bool
mm_team_name_ok(const char *s)
{
	static const char *const reserved[] = {"admin", "api", "channel", "claim", "error",
		"files", "help", "landing", "login", "mfa", "oauth", "plug", "plugins", "post",
		"signup", "boards", "playbooks"};
	size_t i, n = strlen(s);

	if (!is_team_name(s, n) || s[n - 1] == '-')
		return false;
	for (i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		if (strncmp(s, reserved[i], strlen(reserved[i])) == 0)
			return false;
	return true;
}

enum cb_err
config_listen_parse(const char *v, enum listen_kind *kind, char *addr, size_t addrcap,
    unsigned *port)
{
	const char *colon;
	uint64_t n;

	if (strncmp(v, "unix:", 5) == 0) {
		*kind = LISTEN_UNIX;
		*port = 0;
		if (v[5] != '/' || !is_visible_ascii(v + 5, strlen(v + 5)))
			return CB_ECONFIG;
		return str_set(addr, addrcap, v + 5) == CB_OK ? CB_OK : CB_ECONFIG;
	}
	if (strncmp(v, "fd:", 3) == 0) {
		*kind = LISTEN_FD;
		addr[0] = '\0';
		if (parse_u64(v + 3, strlen(v + 3), 1023, &n) != CB_OK)
			return CB_ECONFIG;
		*port = (unsigned)n;
		return CB_OK;
	}
	*kind = LISTEN_TCP;
	if ((colon = strrchr(v, ':')) == NULL || colon == v)
		return CB_ECONFIG;
	if (parse_u64(colon + 1, strlen(colon + 1), 65535, &n) != CB_OK || n == 0)
		return CB_ECONFIG;
	*port = (unsigned)n;
	if (v[0] == '[') {	/* [::1]:9000 */
		if (colon[-1] != ']')
			return CB_ECONFIG;
		return str_copy(addr, addrcap, v + 1, (size_t)(colon - v - 2)) == CB_OK ? CB_OK
		    : CB_ECONFIG;
	}
	return str_copy(addr, addrcap, v, (size_t)(colon - v)) == CB_OK ? CB_OK : CB_ECONFIG;
}

static enum cb_err
listen_check(struct parser *p, const char *v)
{
	enum listen_kind kind;
	char addr[CB_PATH_MAX];
	unsigned port;

	if (config_listen_parse(v, &kind, addr, sizeof(addr), &port) != CB_OK)
		return fail(p, "listen: expected unix:/path, 127.0.0.1:PORT, [::1]:PORT or fd:N, "
		    "got '%s'", v);
	/* FastCGI has no authentication: whoever can connect can claim any
	 * client address. Only loopback is accepted for TCP. */
	if (kind == LISTEN_TCP && strcmp(addr, "127.0.0.1") != 0 && strcmp(addr, "::1") != 0 &&
	    strcmp(addr, "localhost") != 0)
		return fail(p, "listen: TCP address must be loopback (127.0.0.1 or [::1]); "
		    "FastCGI has no authentication");
	return CB_OK;
}

static enum cb_err
bool_value(struct parser *p, const char *v, bool *out)
{
	if (!strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "on") || !strcmp(v, "1"))
		*out = true;
	else if (!strcmp(v, "false") || !strcmp(v, "no") || !strcmp(v, "off") || !strcmp(v, "0"))
		*out = false;
	else
		return fail(p, "expected true or false, got '%s'", v);
	return CB_OK;
}

/* Resolves a *_file path against basedir and reads the secret. */
static enum cb_err
read_secret(struct parser *p, const char *v, struct secret *out)
{
	char path[CB_PATH_MAX], msg[400];
	int n;

	if (p->flags & CONFIG_SKIP_SECRETS)
		return CB_OK;
	if (v[0] == '/' || p->basedir == NULL || p->basedir[0] == '\0')
		n = snprintf(path, sizeof(path), "%s", v);
	else
		n = snprintf(path, sizeof(path), "%s/%s", p->basedir, v);
	if (n < 0 || (size_t)n >= sizeof(path))
		return fail(p, "path too long");
	if (secret_read_file(path, out, msg, sizeof(msg)) != CB_OK)
		return fail(p, "%s", msg);
	return CB_OK;
}

static enum cb_err each_item(struct parser *p, const char *v,
    enum cb_err (*fn)(struct parser *, const char *, size_t));

/* One jurisdiction_teams entry: a team name, or a prefix of one
 * followed by '*' ("usa-*"). */
static enum cb_err
add_jurisdiction(struct parser *p, const char *s, size_t n)
{
	struct config *c = p->c;
	bool glob = n > 1 && s[n - 1] == '*';
	size_t len = glob ? n - 1 : n;
	bool ok;

	if (c->n_jurisdictions == CB_JURISDICTIONS_MAX)
		return fail(p, "jurisdiction_teams: at most %d entries", CB_JURISDICTIONS_MAX);
	if (glob)	/* a prefix: what a team name may start with */
		ok = len < CB_TEAM_NAME_MAX && ascii_isalnum(s[0]) && s[0] == ascii_lower(s[0]) &&
		    strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == len;
	else
		ok = is_team_name(s, len);
	if (!ok)
		return fail(p, "jurisdiction_teams: '%.*s' is neither a team name nor a prefix "
		    "followed by *", (int)(n > 64 ? 64 : n), s);
	(void)str_copy(c->jurisdictions[c->n_jurisdictions].text,
	    sizeof(c->jurisdictions[0].text), s, n);
	c->jurisdictions[c->n_jurisdictions++].glob = glob;
	return CB_OK;
}

static enum cb_err
set_scalar(struct parser *p, const struct key *k, const char *v)
{
	char *field = (char *)p->c + k->off;
	bool https;
	const char *path;
	uint64_t u;
	size_t i, n = strlen(v);

	switch (k->type) {
	case K_MODE:
		for (u = 0, i = 0; i < n && v[i] >= '0' && v[i] <= '7'; i++)
			u = u * 8 + (uint64_t)(v[i] - '0');
		if (n < 3 || n > 4 || i != n || u > k->max)
			return fail(p, "%s: expected an octal mode such as 0660, got '%s'", k->name, v);
		*(unsigned *)(void *)field = (unsigned)u;
		return CB_OK;
	case K_STR:
		if (!is_visible_ascii(v, n))
			return fail(p, "%s: must be visible ASCII without spaces", k->name);
		if (str_copy(field, k->size, v, n) != CB_OK)
			return fail(p, "%s: longer than %zu bytes", k->name, k->size - 1);
		return CB_OK;
	case K_SITE_URL:
		if (!url_ok(v, true, &https, &path))
			return fail(p, "%s: expected http(s)://host[:port][/path] without trailing "
			    "slash, query or user info, got '%s'", k->name, v);
		p->c->site_https = https;
		(void)str_set(p->c->cookie_path, sizeof(p->c->cookie_path), path[0] ? path : "/");
		return str_copy(field, k->size, v, n) == CB_OK ? CB_OK : fail(p, "too long");
	case K_HTTP_URL:
		if (!url_ok(v, true, &https, &path))
			return fail(p, "%s: expected http(s)://host[:port][/path] without trailing "
			    "slash, got '%s'", k->name, v);
		if (strstr(path, "/api/v4") != NULL)
			return fail(p, "%s: give the base URL without /api/v4", k->name);
		/* The bot token and the OAuth2 client secret travel to these:
		 * plain http only where nothing crosses a network. */
		if (!https && !url_loopback(v))
			return fail(p, "%s: use https:// (plain http only for a loopback address)",
			    k->name);
		return str_copy(field, k->size, v, n) == CB_OK ? CB_OK : fail(p, "too long");
	case K_DSN:
		if (!no_controls(v, n) || str_copy(field, k->size, v, n) != CB_OK)
			return fail(p, "%s: invalid connection string", k->name);
		return CB_OK;
	case K_LISTEN:
		if (listen_check(p, v) != CB_OK)
			return CB_ECONFIG;
		return str_copy(field, k->size, v, n) == CB_OK ? CB_OK : fail(p, "too long");
	case K_UINT:
		if (parse_u64(v, n, k->max, &u) != CB_OK || u < k->min)
			return fail(p, "%s: expected an integer from %u to %u, got '%s'", k->name,
			    k->min, k->max, v);
		*(unsigned *)(void *)field = (unsigned)u;
		return CB_OK;
	case K_BOOL:
		return bool_value(p, v, (bool *)(void *)field);
	case K_ENUM:
		for (i = 0; k->enums[i] != NULL; i++)
			if (strcmp(v, k->enums[i]) == 0) {
				*(int *)(void *)field = (int)i;
				return CB_OK;
			}
		return fail(p, "%s: unknown value '%s'", k->name, v);
	case K_SECRET:
		return read_secret(p, v, (struct secret *)(void *)field);
	case K_TEAM:
		if (!mm_team_name_ok(v))
			return fail(p, "%s: '%s' is not a valid Mattermost team name", k->name, v);
		return str_copy(field, k->size, v, n) == CB_OK ? CB_OK : fail(p, "too long");
	case K_JURISDICTIONS:
		p->c->n_jurisdictions = 0;
		return each_item(p, v, add_jurisdiction);
	case K_HOST:
		for (i = 0; i < n; i++)
			if (!ascii_isalnum(v[i]) && v[i] != '.' && v[i] != '-')
				return fail(p, "%s: expected a host name, got '%s'", k->name, v);
		return str_copy(field, k->size, v, n) == CB_OK ? CB_OK : fail(p, "too long");
	}
	return fail(p, "internal: unknown key type");
}

/* Calls fn for each comma-separated, trimmed, non-empty item of v. */
static enum cb_err
each_item(struct parser *p, const char *v, enum cb_err (*fn)(struct parser *, const char *,
    size_t))
{
	while (*v != '\0') {
		const char *comma = strchr(v, ','), *end;
		size_t n;
		enum cb_err e;

		end = comma != NULL ? comma : v + strlen(v);
		while (v < end && (*v == ' ' || *v == '\t'))
			v++;
		n = (size_t)(end - v);
		while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
			n--;
		if (n == 0)
			return fail(p, "empty item in list");
		if ((e = fn(p, v, n)) != CB_OK)
			return e;
		v = comma != NULL ? comma + 1 : end;
		if (comma != NULL && *v == '\0')
			return fail(p, "empty item in list");
	}
	return CB_OK;
}

static enum cb_err
add_ed25519(struct parser *p, const char *s, size_t n)
{
	struct issuer *iss = p->issuer;
	size_t len;

	if (iss->n_ed25519 == CB_ISSUER_KEYS_MAX)
		return fail(p, "ed25519: at most %d keys", CB_ISSUER_KEYS_MAX);
	if (n != 43 || b64url_decode(s, n, iss->ed25519[iss->n_ed25519], 32, &len) != CB_OK ||
	    len != 32)
		return fail(p, "ed25519: '%.*s' is not a 43-character base64url public key",
		    (int)(n > 64 ? 64 : n), s);
	iss->n_ed25519++;
	return CB_OK;
}

static enum cb_err
add_hs256(struct parser *p, const char *s, size_t n)
{
	struct issuer *iss = p->issuer;
	char path[CB_PATH_MAX];
	enum cb_err e;

	if (iss->n_hs256 == CB_ISSUER_SECRETS_MAX)
		return fail(p, "hs256_secret_file: at most %d files", CB_ISSUER_SECRETS_MAX);
	if (str_copy(path, sizeof(path), s, n) != CB_OK)
		return fail(p, "path too long");
	if ((e = read_secret(p, path, &iss->hs256[iss->n_hs256])) != CB_OK)
		return e;
	iss->n_hs256++;	/* its length is checked in finish(), with hs256_allow_short */
	return CB_OK;
}

static enum cb_err
add_issuer_team(struct parser *p, const char *s, size_t n)
{
	struct issuer *iss = p->issuer;

	if (iss->n_teams == CB_ISSUER_TEAMS_MAX)
		return fail(p, "teams: at most %d teams", CB_ISSUER_TEAMS_MAX);
	if (!is_team_name(s, n))
		return fail(p, "teams: '%.*s' is not a valid team name", (int)(n > 64 ? 64 : n), s);
	(void)str_copy(iss->teams[iss->n_teams++], sizeof(iss->teams[0]), s, n);
	return CB_OK;
}

static enum cb_err
add_channel(struct parser *p, const char *s, size_t n)
{
	struct team_def *t = p->team;
	size_t i;

	if (t->n_channels == CB_TEAM_CHANNELS_MAX)
		return fail(p, "channels: at most %d channels", CB_TEAM_CHANNELS_MAX);
	if (n < 1 || n > 64)
		return fail(p, "channels: invalid channel name");
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
		    s[i] == '_'))
			return fail(p, "channels: '%.*s' is not a valid channel name", (int)n, s);
	(void)str_copy(t->channels[t->n_channels++], sizeof(t->channels[0]), s, n);
	return CB_OK;
}

/* Keys of [issuer "ID"] and [team "name"] sections. */
static enum cb_err
set_list_key(struct parser *p, const char *k, const char *v)
{
	static const char *const ikeys[] = {"name", "ed25519", "hs256_secret_file", "teams",
		"link_existing", "hs256_allow_short"};
	static const char *const tkeys[] = {"display_name", "type", "channels"};
	const char *const *names = p->sec == S_ISSUER ? ikeys : tkeys;
	size_t nnames = p->sec == S_ISSUER ? sizeof(ikeys) / sizeof(ikeys[0])
	    : sizeof(tkeys) / sizeof(tkeys[0]), i;
	bool b;

	for (i = 0; i < nnames; i++)
		if (strcmp(k, names[i]) == 0)
			break;
	if (i == nnames)
		return fail(p, "unknown key '%s' in [%s] section", k, section_names[p->sec]);
	if (p->seen_sec & (1ULL << i))
		return fail(p, "duplicate key '%s'", k);
	p->seen_sec |= 1ULL << i;
	if (p->sec == S_ISSUER) {
		switch (i) {
		case 0:
			if (!no_controls(v, strlen(v)) ||
			    str_set(p->issuer->name, sizeof(p->issuer->name), v) != CB_OK)
				return fail(p, "name: at most 64 bytes");
			return CB_OK;
		case 1: return each_item(p, v, add_ed25519);
		case 2: return each_item(p, v, add_hs256);
		case 3: return each_item(p, v, add_issuer_team);
		case 4:
			if (strcmp(v, "email") == 0)
				p->issuer->link_existing = ISSUER_LINK_EMAIL;
			else if (strcmp(v, "refuse") == 0)
				p->issuer->link_existing = ISSUER_LINK_REFUSE;
			else
				return fail(p, "link_existing: expected email or refuse, got '%s'", v);
			return CB_OK;
		default:
			if (bool_value(p, v, &b) != CB_OK)
				return CB_ECONFIG;
			p->issuer->hs256_allow_short = b;
			return CB_OK;
		}
	}
	switch (i) {
	case 0:
		if (!no_controls(v, strlen(v)) ||
		    str_set(p->team->display_name, sizeof(p->team->display_name), v) != CB_OK)
			return fail(p, "display_name: 1 to 64 bytes");
		return CB_OK;
	case 1:
		if (strcmp(v, "open") == 0)
			p->team->open = true;
		else if (strcmp(v, "invite") == 0)
			p->team->open = false;
		else
			return fail(p, "type: expected open or invite, got '%s'", v);
		return CB_OK;
	default:
		return each_item(p, v, add_channel);
	}
}

static enum cb_err
section_header(struct parser *p, char *s)
{
	size_t n = strlen(s), i;
	char *name = s + 1, *arg = NULL, *sp;
	enum section sec = S_NONE;

	if (s[n - 1] != ']')
		return fail(p, "section header must end with ']'");
	s[n - 1] = '\0';
	if ((sp = strchr(name, ' ')) != NULL) {
		*sp = '\0';
		arg = sp + 1;
		n = strlen(arg);
		if (n < 2 || arg[0] != '"' || arg[n - 1] != '"')
			return fail(p, "section argument must be in double quotes");
		arg[n - 1] = '\0';
		arg++;
	}
	for (i = 1; i < sizeof(section_names) / sizeof(section_names[0]); i++)
		if (strcmp(name, section_names[i]) == 0)
			sec = (enum section)i;
	if (sec == S_NONE)
		return fail(p, "unknown section [%s]", name);
	p->sec = sec;
	p->seen_sec = 0;
	if (sec == S_ISSUER || sec == S_TEAM) {
		if (arg == NULL)
			return fail(p, "[%s] needs a quoted name, e.g. [%s \"...\"]", name, name);
	} else if (arg != NULL) {
		return fail(p, "[%s] takes no name", name);
	}
	if (sec == S_ISSUER) {
		struct issuer *v;

		n = strlen(arg);
		if (n == 0 || n > CB_ISSUER_ID_MAX)
			return fail(p, "issuer id must be 1 to %d characters", CB_ISSUER_ID_MAX);
		for (i = 0; i < n; i++)
			if (!ascii_isalnum(arg[i]) && arg[i] != '-' && arg[i] != '_' && arg[i] != '.')
				return fail(p, "issuer id '%s' has characters outside [A-Za-z0-9._-]", arg);
		if (issuer_find(&p->c->issuers, arg, n) != NULL)
			return fail(p, "duplicate issuer \"%s\"", arg);
		if (p->c->issuers.n == CB_ISSUERS_MAX)
			return fail(p, "at most %d issuers", CB_ISSUERS_MAX);
		v = realloc(p->c->issuers.v, (p->c->issuers.n + 1) * sizeof(*v));
		if (v == NULL)
			return fail(p, "out of memory");
		p->c->issuers.v = v;
		p->issuer = &v[p->c->issuers.n++];
		memset(p->issuer, 0, sizeof(*p->issuer));
		(void)str_set(p->issuer->id, sizeof(p->issuer->id), arg);
		p->issuer->line = p->line;
		return CB_OK;
	}
	if (sec == S_TEAM) {
		if (!mm_team_name_ok(arg))
			return fail(p, "'%s' is not a valid Mattermost team name", arg);
		for (i = 0; i < p->c->n_teams; i++)
			if (strcmp(p->c->teams[i].name, arg) == 0)
				return fail(p, "duplicate team \"%s\"", arg);
		if (p->c->n_teams == CB_TEAMS_CONF_MAX)
			return fail(p, "at most %d teams", CB_TEAMS_CONF_MAX);
		p->team = &p->c->teams[p->c->n_teams++];
		memset(p->team, 0, sizeof(*p->team));
		(void)str_set(p->team->name, sizeof(p->team->name), arg);
		p->team->line = p->line;
		return CB_OK;
	}
	if (p->sec_line[sec - 1] != 0)
		return fail(p, "duplicate section [%s] (first at line %d)", name, p->sec_line[sec - 1]);
	p->sec_line[sec - 1] = p->line;
	return CB_OK;
}

static enum cb_err
key_value(struct parser *p, char *s)
{
	char *eq = strchr(s, '='), *k, *v, *end;
	size_t i;

	if (eq == NULL)
		return fail(p, "expected key = value");
	*eq = '\0';
	k = s;
	v = eq + 1;
	for (end = k + strlen(k); end > k && (end[-1] == ' ' || end[-1] == '\t'); end--)
		end[-1] = '\0';
	while (*v == ' ' || *v == '\t')
		v++;
	/* Inline comment: whitespace then '#'. */
	for (end = v; *end != '\0'; end++)
		if (*end == '#' && end > v && (end[-1] == ' ' || end[-1] == '\t')) {
			*end = '\0';
			break;
		}
	for (end = v + strlen(v); end > v && (end[-1] == ' ' || end[-1] == '\t'); end--)
		end[-1] = '\0';
	if (k[0] == '\0')
		return fail(p, "missing key name");
	for (i = 0; k[i] != '\0'; i++)
		if (!((k[i] >= 'a' && k[i] <= 'z') || (k[i] >= '0' && k[i] <= '9') || k[i] == '_'))
			return fail(p, "invalid key name '%s'", k);
	if (p->sec == S_NONE)
		return fail(p, "key '%s' outside of any section", k);
	if (v[0] == '\0')
		return fail(p, "%s: empty value", k);
	if (p->sec == S_ISSUER || p->sec == S_TEAM)
		return set_list_key(p, k, v);
	for (i = 0; i < NKEYS; i++) {
		if ((int)keys[i].sec != (int)p->sec || strcmp(keys[i].name, k) != 0)
			continue;
		if (p->seen & (1ULL << i))
			return fail(p, "duplicate key '%s' (first at line %d)", k, p->key_line[i]);
		p->seen |= 1ULL << i;
		p->key_line[i] = p->line;
		return set_scalar(p, &keys[i], v);
	}
	return fail(p, "unknown key '%s' in [%s] section", k, section_names[p->sec]);
}

static size_t
key_index(int sec, const char *name)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if ((int)keys[i].sec == sec && strcmp(keys[i].name, name) == 0)
			return i;
	return 0;
}

static bool
seen(const struct parser *p, int sec, const char *name)
{
	return (p->seen & (1ULL << key_index(sec, name))) != 0;
}

/* Required keys and cross-key rules, checked after the whole file. */
static enum cb_err
finish(struct parser *p)
{
	struct config *c = p->c;
	size_t i;

#define REQUIRE(sec, key) do { \
	if (!seen(p, sec, key)) { \
		p->line = p->sec_line[sec - 1] ? p->sec_line[sec - 1] : p->line; \
		return fail(p, "missing required key %s in [%s]", key, section_names[sec]); \
	} } while (0)
	REQUIRE(S_BRIDGE, "site_url");
	REQUIRE(S_MATTERMOST, "url");
	REQUIRE(S_MATTERMOST, "token_file");
	REQUIRE(S_STORE, "database");
	if (c->session_mode == SESSION_LOGIN)
		REQUIRE(S_MATTERMOST, "password_secret_file");
	if (c->session_mode == SESSION_DATABASE)
		REQUIRE(S_MATTERMOST, "database");
	if (p->sec_line[S_SSO - 1] != 0) {
		REQUIRE(S_SSO, "origin");
		REQUIRE(S_SSO, "client_id");
		REQUIRE(S_SSO, "client_secret_file");
		c->sso_enabled = true;
	}
#undef REQUIRE
	if (!(p->flags & CONFIG_SKIP_SECRETS)) {
		if (!is_visible_ascii((const char *)c->mm_token.p, c->mm_token.len)) {
			p->line = p->key_line[key_index(S_MATTERMOST, "token_file")];
			return fail(p, "token_file: the Mattermost token must be visible ASCII");
		}
		if (c->password_secret.p != NULL && c->password_secret.len < 32) {
			p->line = p->key_line[key_index(S_MATTERMOST, "password_secret_file")];
			return fail(p, "password_secret_file: secret shorter than 32 bytes "
			    "(generate one with: head -c 32 /dev/urandom | base64)");
		}
	}
	if (c->issuers.n == 0)
		return fail(p, "no [issuer \"ID\"] section: at least one trusted issuer is needed");
	for (i = 0; i < c->issuers.n; i++) {
		const struct issuer *iss = &c->issuers.v[i];
		size_t k;

		if (iss->n_ed25519 == 0 && iss->n_hs256 == 0 && !(p->flags & CONFIG_SKIP_SECRETS))
			return fail(p, "[issuer \"%s\"] has neither ed25519 keys nor "
			    "hs256_secret_file", iss->id);
		for (k = 0; k < iss->n_hs256; k++) {
			if (iss->hs256[k].len >= CB_SECRET_MIN_HS256 || iss->hs256_allow_short)
				continue;
			p->line = iss->line;
			return fail(p, "[issuer \"%s\"] hs256_secret_file: secret shorter than %d bytes "
			    "(generate one with: head -c 32 /dev/urandom | base64; or, only while "
			    "rotating an old secret, hs256_allow_short = true)", iss->id,
			    CB_SECRET_MIN_HS256);
		}
	}
	for (i = 0; i < c->n_teams; i++)
		if (c->teams[i].display_name[0] == '\0')
			(void)str_set(c->teams[i].display_name, sizeof(c->teams[i].display_name),
			    c->teams[i].name);
	return CB_OK;
}

enum cb_err
config_parse(const char *text, size_t len, const char *name, const char *basedir,
    unsigned flags, struct config **out, char *err, size_t errcap)
{
	struct parser p;
	char line[CB_CONFIG_LINE_MAX + 2];
	size_t pos = 0;
	enum cb_err e = CB_OK;

	*out = NULL;
	memset(&p, 0, sizeof(p));
	p.name = name;
	p.basedir = basedir;
	p.flags = flags;
	p.err = err;
	p.errcap = errcap;
	err[0] = '\0';
	if ((p.c = calloc(1, sizeof(*p.c))) == NULL) {
		(void)snprintf(err, errcap, "%s: out of memory", name);
		return CB_ENOMEM;
	}
	set_defaults(p.c);
	if (len > CB_CONFIG_FILE_MAX) {
		e = fail(&p, "file larger than %d bytes", CB_CONFIG_FILE_MAX);
		goto out;
	}
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl != NULL ? (size_t)(nl - (text + pos)) : len - pos;
		char *s, *end;

		p.line++;
		if (n > CB_CONFIG_LINE_MAX) {
			e = fail(&p, "line longer than %d bytes", CB_CONFIG_LINE_MAX);
			goto out;
		}
		memcpy(line, text + pos, n);
		line[n] = '\0';
		pos += n + 1;
		if (memchr(line, '\0', n) != NULL) {
			e = fail(&p, "NUL byte in line");
			goto out;
		}
		if (n > 0 && line[n - 1] == '\r')
			line[--n] = '\0';
		for (s = line; *s == ' ' || *s == '\t'; s++)
			;
		for (end = s + strlen(s); end > s && (end[-1] == ' ' || end[-1] == '\t'); end--)
			end[-1] = '\0';
		if (*s == '\0' || *s == '#' || *s == ';')
			continue;
		if (!no_controls(s, strlen(s))) {
			e = fail(&p, "control character in line");
			goto out;
		}
		e = *s == '[' ? section_header(&p, s) : key_value(&p, s);
		if (e != CB_OK)
			goto out;
	}
	e = finish(&p);
out:
	if (e != CB_OK) {
		config_free(p.c);
		return e;
	}
	(void)str_set(p.c->path, sizeof(p.c->path), name);
	*out = p.c;
	return CB_OK;
}

/* [bridge] instance when unset: the host name, cut to the field and to
 * visible ASCII like a configured value ("localhost" if there is none). */
static void
default_instance(char *out, size_t cap)
{
	char host[256];
	size_t i;

	if (gethostname(host, sizeof(host)) != 0)
		host[0] = '\0';
	host[sizeof(host) - 1] = '\0';
	for (i = 0; host[i] != '\0' && i < cap - 1; i++)
		out[i] = (host[i] > ' ' && host[i] < 0x7f) ? host[i] : '_';
	out[i] = '\0';
	if (i == 0)
		(void)str_set(out, cap, "localhost");
}

enum cb_err
config_load(const char *path, struct config **out, char *err, size_t errcap)
{
	char dir[CB_PATH_MAX], *slash;
	struct stat st;
	char *text = NULL;
	size_t len = 0;
	ssize_t r;
	enum cb_err e = CB_ECONFIG;
	int fd;

	*out = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		(void)snprintf(err, errcap, "%s: cannot open: %s", path, strerror(errno));
		return CB_ECONFIG;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > CB_CONFIG_FILE_MAX) {
		(void)snprintf(err, errcap, "%s: not a regular file of at most %d bytes", path,
		    CB_CONFIG_FILE_MAX);
		goto out;
	}
	/* Whoever may write it decides which keys sign people in. */
	if ((st.st_mode & 022) != 0) {
		(void)snprintf(err, errcap, "%s: mode %04o: the configuration must not be writable by "
		    "group or others (run: chmod go-w %s)", path, (unsigned)(st.st_mode & 07777), path);
		goto out;
	}
	if ((text = malloc((size_t)st.st_size + 1)) == NULL) {
		(void)snprintf(err, errcap, "%s: out of memory", path);
		e = CB_ENOMEM;
		goto out;
	}
	while (len < (size_t)st.st_size && (r = read(fd, text + len, (size_t)st.st_size - len)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			(void)snprintf(err, errcap, "%s: read error: %s", path, strerror(errno));
			goto out;
		}
		len += (size_t)r;
	}
	if (str_set(dir, sizeof(dir), path) != CB_OK) {
		(void)snprintf(err, errcap, "%s: path too long", path);
		goto out;
	}
	if ((slash = strrchr(dir, '/')) != NULL)
		*slash = '\0';
	else
		(void)str_set(dir, sizeof(dir), ".");
	if (dir[0] == '\0')
		(void)str_set(dir, sizeof(dir), "/");
	e = config_parse(text, len, path, dir, 0, out, err, errcap);
	if (e == CB_OK && (*out)->instance[0] == '\0')
		default_instance((*out)->instance, sizeof((*out)->instance));
out:
	free(text);
	close(fd);
	return e;
}

bool
config_jurisdiction_allowed(const struct config *c, const char *t, bool *explicit_name)
{
	size_t i, n;
	bool allowed = false;

	*explicit_name = false;
	for (i = 0; i < c->n_jurisdictions; i++) {
		const struct team_pattern *j = &c->jurisdictions[i];

		n = strlen(j->text);
		if (!j->glob && strcmp(j->text, t) == 0) {
			*explicit_name = true;
			return true;
		}
		if (j->glob && strncmp(j->text, t, n - 1) == 0)
			allowed = true;
	}
	return allowed;
}

bool
config_team_listed(const struct config *c, const char *name)
{
	size_t i;

	if (strcmp(c->default_team, name) == 0)
		return true;
	for (i = 0; i < c->n_jurisdictions; i++)
		if (!c->jurisdictions[i].glob && strcmp(c->jurisdictions[i].text, name) == 0)
			return true;
	for (i = 0; i < c->n_teams; i++)
		if (strcmp(c->teams[i].name, name) == 0)
			return true;
	return false;
}

void
config_free(struct config *c)
{
	size_t i, k;

	if (c == NULL)
		return;
	secret_free(&c->mm_token);
	secret_free(&c->password_secret);
	secret_free(&c->sso_client_secret);
	for (i = 0; i < c->issuers.n; i++)
		for (k = 0; k < c->issuers.v[i].n_hs256; k++)
			secret_free(&c->issuers.v[i].hs256[k]);
	free(c->issuers.v);
	sodium_memzero(c, sizeof(*c));
	free(c);
}
