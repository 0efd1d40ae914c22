/*
 * config.h - the bridge's configuration file (product.md "Configuration
 * contract"; binding key names). One INI-style file; secrets live in
 * separate files named by *_file keys, which must not be accessible by
 * group or others. Unknown keys, duplicate keys or sections, missing
 * required keys and bad values are errors reported as "file:line: reason".
 *
 * A loaded configuration is immutable. The server shares it between
 * threads by reference count and swaps it on SIGHUP.
 */
#ifndef CB_CONFIG_H
#define CB_CONFIG_H

/* Where the configuration is read from without --config. */
#define CB_DEFAULT_CONFIG "/etc/openthc/chat-bridge.conf"

#include <stdbool.h>
#include <stddef.h>

#include "bounds.h"
#include "err.h"
#include "issuer.h"
#include "logline.h"
#include "secret.h"

enum session_mode { SESSION_LOGIN = 0, SESSION_DATABASE = 1 };
enum link_policy { LINK_EMAIL = 0, LINK_REFUSE = 1 };
enum guest_policy { GUESTS_REFUSE = 0, GUESTS_ALLOW = 1 };

/* One entry of [bridge] jurisdiction_teams: a team name, or a prefix
 * followed by '*' ("usa-*"). */
struct team_pattern {
	char text[CB_TEAM_NAME_MAX + 2];
	bool glob;			/* text ends with '*' */
};

/* [team "name"]: what `chat-bridge teams sync` creates. */
struct team_def {
	char name[CB_TEAM_NAME_MAX + 1];
	char display_name[65];
	bool open;		/* type = open (Mattermost "O") or invite ("I") */
	char channels[CB_TEAM_CHANNELS_MAX][65];
	size_t n_channels;	/* channels new members must join */
	int line;
};

struct config {
	char path[CB_PATH_MAX];

	/* [bridge] */
	char site_url[CB_URL_MAX];	/* no trailing slash */
	char cookie_path[CB_URL_MAX];	/* path of site_url, "/" if none */
	bool site_https;
	char cookie_domain[254];	/* "" = host-only cookies */
	char listen[CB_PATH_MAX];	/* "" = FastCGI socket on fd 0 */
	unsigned listen_mode;		/* permissions of a unix socket it creates */
	unsigned workers;
	enum session_mode session_mode;
	unsigned session_hours;
	unsigned session_hours_mobile;	/* = Mattermost SessionLengthMobileInHours */
	char default_team[CB_TEAM_NAME_MAX + 1];
	bool create_missing_teams;
	enum link_policy link_existing;
	bool link_privileged;		/* may link accounts with roles beyond system_user */
	bool revoke_on_link;		/* revoke an existing account's sessions when linked */
	struct team_pattern jurisdictions[CB_JURISDICTIONS_MAX];
	size_t n_jurisdictions;
	unsigned leeway_seconds;
	unsigned rate_limit_per_minute;
	unsigned rate_limit_ipv6_prefix;	/* IPv6 clients share a bucket per /N */
	enum log_format log_format;
	unsigned membership_recheck_seconds;
	char instance[CB_INSTANCE_MAX + 1];	/* metrics label; config_load: host name if unset */

	/* [mattermost] */
	char mm_url[CB_URL_MAX];
	struct secret mm_token;
	struct secret password_secret;
	char mm_database[CB_DSN_MAX];
	unsigned connect_timeout_ms;
	unsigned timeout_ms;
	unsigned password_hash_iterations;
	enum guest_policy guests;
	unsigned login_concurrency;	/* logins of this process in flight at once */
	unsigned login_queue_ms;	/* the longest wait for one of those places */

	/* [store] */
	char store_database[CB_DSN_MAX];
	unsigned audit_retention_days;	/* 0: keep audit rows forever */

	/* [sso] (optional): OAuth2 sign-in with OpenTHC SSO when no token */
	bool sso_enabled;
	char sso_origin[CB_URL_MAX];
	char sso_client_id[128];
	struct secret sso_client_secret;
	char sso_scope[64];
	unsigned sso_state_seconds;

	/* [issuer "ID"] */
	struct issuer_registry issuers;

	/* [team "name"] */
	struct team_def teams[CB_TEAMS_CONF_MAX];
	size_t n_teams;
};

enum config_flags {
	CONFIG_SKIP_SECRETS = 1,	/* parse only; leave secrets empty (fuzzing) */
};

/* Parses text[0..len) named name (for messages); *_file paths are
 * relative to basedir. On success *out is a new configuration to
 * config_free; on failure err holds "name:line: reason". */
enum cb_err config_parse(const char *text, size_t len, const char *name, const char *basedir,
    unsigned flags, struct config **out, char *err, size_t errcap) CB_WUR;

/* Reads and parses the file at path; an unset [bridge] instance becomes
 * the host name (gethostname). */
enum cb_err config_load(const char *path, struct config **out, char *err, size_t errcap) CB_WUR;

/* True if the jurisdiction team t is on the [bridge] jurisdiction_teams
 * list; *explicit tells whether it is named there (not only by a glob). */
bool config_jurisdiction_allowed(const struct config *c, const char *t, bool *explicit_name);

/* True if name is on the list by name (no glob), is the default team or
 * has a [team] section: a team the bridge may create. */
bool config_team_listed(const struct config *c, const char *name);

/* Frees c, wiping its secrets. NULL is fine. */
void config_free(struct config *c);

/* The kinds of [bridge] listen value. */
enum listen_kind { LISTEN_UNIX, LISTEN_TCP, LISTEN_FD };

/* Parses a "listen" value (unix:/path, host:port, [v6]:port, fd:N): addr
 * receives the path or host, *port the TCP port or fd number. */
enum cb_err config_listen_parse(const char *v, enum listen_kind *kind, char *addr, size_t addrcap,
    unsigned *port) CB_WUR;

#endif
