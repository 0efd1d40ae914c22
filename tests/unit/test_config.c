/*
 * test_config.c - the configuration contract: a complete file parses to
 * the expected values; every kind of error stops with "file:line: reason";
 * secret files are refused when accessible by group or others, missing,
 * empty or too large.
 */
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "config.h"

static char dir[64];

static void
put(const char *name, const char *content, mode_t mode)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	/* A file not written, or left with the umask's mode, would make the
	 * permission checks below test something else: stop instead. */
	if (f == NULL || fputs(content, f) < 0 || fclose(f) != 0 || chmod(path, mode) != 0) {
		printf("Bail out! cannot write %s\n", path);
		exit(1);
	}
}

#define BRIDGE "[bridge]\nsite_url = https://chat.openthc.example.com\n"
#define MM "[mattermost]\nurl = http://127.0.0.1:8065\ntoken_file = mm.token\npassword_secret_file = pw.secret\n"
#define STORE "[store]\ndatabase = postgresql://chat_bridge@127.0.0.1/chat_bridge\n"
#define ISS "[issuer \"01BD3TJX9A4TE4AXA6EZE0ZFNP\"]\ned25519 = A6EHv_POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg\n"
#define BASE BRIDGE MM STORE ISS

static enum cb_err
parse(const char *text, char *err, size_t cap, struct config **c)
{
	return config_parse(text, strlen(text), "t.conf", dir, 0, c, err, cap);
}

static void
expect_error(const char *text, const char *want, const char *what)
{
	struct config *c = NULL;
	char err[1024];
	enum cb_err e = parse(text, err, sizeof(err), &c);

	ok(e == CB_ECONFIG && c == NULL && strstr(err, want) != NULL, "%s: error contains '%s'", what, want);
	if (strstr(err, want) == NULL)
		printf("#   got: %s\n", err);
	config_free(c);
}

static void
test_full(void)
{
	static const char text[] =
	    "# OpenTHC chat bridge\n"
	    "[bridge]\r\n"
	    "site_url = https://chat.openthc.example.com/chat   # Mattermost SiteURL\n"
	    "listen = unix:/run/openthc/chat-bridge.sock\n"
	    "workers = 8\n"
	    "session_mode = database\n"
	    "session_hours = 4320\n"
	    "default_team = public\n"
	    "create_missing_teams = yes\n"
	    "link_existing = refuse\n"
	    "leeway_seconds = 30\n"
	    "rate_limit_per_minute = 0\n"
	    "log_format = text\n"
	    "cookie_domain = chat.openthc.example.com\n"
	    "membership_recheck_seconds = 60\n"
	    "link_privileged = true\n"
	    "revoke_on_link = false\n"
	    "jurisdiction_teams = usa-*, bra, ecu\n"
	    "rate_limit_ipv6_prefix = 56\n"
	    "session_hours_mobile = 24\n"
	    "instance = chat-2.openthc\n"
	    "\n"
	    "[mattermost]\n"
	    "  url = http://127.0.0.1:8065  \n"
	    "token_file = mm.token\n"
	    "database = postgresql://mmuser@127.0.0.1/mattermost\n"
	    "connect_timeout_ms = 500\n"
	    "timeout_ms = 3000\n"
	    "password_hash_iterations = 1000\n"
	    "guests = allow\n"
	    "[store]\n"
	    "database = postgresql://chat_bridge@127.0.0.1/chat_bridge\n"
	    "audit_retention_days = 400\n"
	    "[sso]\n"
	    "origin = https://sso.openthc.example.com\n"
	    "client_id = 018NY6XC00SERV1CE000000000\n"
	    "client_secret_file = sso.secret\n"
	    "; a comment\n"
	    "[issuer \"01BD3TJX9A4TE4AXA6EZE0ZFNP\"]\n"
	    "name = sso\n"
	    "link_existing = email\n"
	    "ed25519 = A6EHv_POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg, 11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\n"
	    "teams = openthc, staff\n"
	    "[issuer \"01Y2AMN4631CA1YJ6XFPPJD6BN\"]\n"
	    "hs256_secret_file = lab.secret, lab-old.secret\n"
	    "[team \"usa-wa\"]\n"
	    "display_name = USA/Washington\n"
	    "type = invite\n"
	    "channels = town-square, announcements\n"
	    "[team \"public\"]\n"
	    "type = open\n";
	struct config *c = NULL;
	char err[1024] = "";

	is_int(parse(text, err, sizeof(err), &c), CB_OK, "complete configuration parses (%s)", err);
	if (c == NULL)
		return;
	is_str(c->site_url, "https://chat.openthc.example.com/chat", "site_url");
	is_str(c->cookie_path, "/chat", "cookie path from site_url");
	ok(c->site_https, "https site");
	is_str(c->listen, "unix:/run/openthc/chat-bridge.sock", "listen");
	is_int(c->workers, 8, "workers");
	is_int(c->session_mode, SESSION_DATABASE, "session_mode");
	is_int(c->session_hours, 4320, "session_hours");
	ok(c->create_missing_teams, "create_missing_teams yes");
	is_int(c->link_existing, LINK_REFUSE, "link_existing refuse");
	is_int(c->leeway_seconds, 30, "leeway");
	is_int(c->rate_limit_per_minute, 0, "rate limit off");
	is_int(c->log_format, LOG_TEXT, "log_format");
	is_str(c->cookie_domain, "chat.openthc.example.com", "cookie_domain");
	is_str(c->instance, "chat-2.openthc", "instance");
	is_str(c->mm_url, "http://127.0.0.1:8065", "mattermost url trimmed");
	ok(c->mm_token.len == 26 && memcmp(c->mm_token.p, "admintokenadmintoken1234ab", 26) == 0, "token read, newline stripped");
	is_str(c->mm_database, "postgresql://mmuser@127.0.0.1/mattermost", "mattermost database");
	is_int(c->connect_timeout_ms, 500, "connect timeout");
	is_int(c->timeout_ms, 3000, "timeout");
	is_int(c->password_hash_iterations, 1000, "iterations");
	is_int(c->audit_retention_days, 400, "audit retention");
	ok(c->sso_enabled, "sso enabled");
	is_str(c->sso_scope, "chat", "sso scope default");
	is_int(c->issuers.n, 2, "two issuers");
	is_int(c->issuers.v[0].n_ed25519, 2, "two keys");
	is_int(c->issuers.v[0].n_teams, 2, "two grantable teams");
	is_str(c->issuers.v[0].name, "sso", "issuer name");
	is_int(c->issuers.v[1].n_hs256, 2, "two hs256 secrets (rotation)");
	ok(c->issuers.v[1].hs256[0].len == strlen("lab.openthc.example-secret-0123456789"), "hs256 secret raw bytes, no newline");
	is_int(c->issuers.v[0].link_existing, ISSUER_LINK_EMAIL, "issuer link_existing email");
	is_int(c->issuers.v[1].link_existing, ISSUER_LINK_DEFAULT, "issuer link_existing inherited");
	ok(c->link_privileged && !c->revoke_on_link, "link_privileged, revoke_on_link");
	is_int(c->n_jurisdictions, 3, "jurisdiction_teams replaces the default list");
	{
		bool ex;

		ok(config_jurisdiction_allowed(c, "usa-wa", &ex) && !ex, "usa-wa by the glob");
		ok(config_jurisdiction_allowed(c, "bra", &ex) && ex, "bra by name");
		ok(!config_jurisdiction_allowed(c, "zaf", &ex), "zaf not listed here");
		ok(!config_jurisdiction_allowed(c, "usa", &ex), "the glob needs its prefix");
		ok(config_team_listed(c, "bra") && config_team_listed(c, "usa-wa") &&
		    config_team_listed(c, "public") && !config_team_listed(c, "usa-or"),
		    "listed: by name, [team] sections, the default team; not by a glob");
	}
	is_int(c->rate_limit_ipv6_prefix, 56, "rate_limit_ipv6_prefix");
	is_int(c->session_hours_mobile, 24, "session_hours_mobile");
	is_int(c->guests, GUESTS_ALLOW, "guests allow");
	is_int(c->n_teams, 2, "two teams");
	is_str(c->teams[0].display_name, "USA/Washington", "display name");
	ok(!c->teams[0].open && c->teams[1].open, "team types");
	is_int(c->teams[0].n_channels, 2, "mandatory channels");
	is_str(c->teams[1].display_name, "public", "display name defaults to the name");
	ok(issuer_find(&c->issuers, "01Y2AMN4631CA1YJ6XFPPJD6BN", 26) == &c->issuers.v[1], "issuer_find");
	ok(issuer_find(&c->issuers, "01Y2AMN4631CA1YJ6XFPPJD6B", 25) == NULL, "issuer_find prefix");
	config_free(c);

	is_int(parse(BASE, err, sizeof(err), &c), CB_OK, "minimal configuration parses");
	if (c != NULL) {
		is_int(c->workers, 16, "default workers");
		is_int(c->session_mode, SESSION_LOGIN, "default mode login");
		is_int(c->session_hours, 720, "default session hours");
		is_str(c->default_team, "public", "default team");
		is_int(c->leeway_seconds, 60, "default leeway");
		is_int(c->rate_limit_per_minute, 60, "default rate limit");
		is_str(c->listen, "", "default listen: fd 0");
		is_str(c->cookie_path, "/", "cookie path /");
		ok(!c->sso_enabled, "no sso");
		is_int(c->timeout_ms, 5000, "default timeout");
		is_int(c->connect_timeout_ms, 2000, "default connect timeout");
		is_int(c->audit_retention_days, 0, "audit rows kept by default");
		ok(!c->link_privileged && c->revoke_on_link, "privileged accounts not linked, sessions revoked");
		is_int(c->rate_limit_ipv6_prefix, 64, "IPv6 clients keyed by /64");
		is_int(c->guests, GUESTS_REFUSE, "guests refused");
		is_int(c->session_hours_mobile, 720, "mobile session hours");
		{
			bool ex;

			ok(config_jurisdiction_allowed(c, "usa-wa", &ex) && !ex &&
			    config_jurisdiction_allowed(c, "zaf", &ex) && ex &&
			    !config_jurisdiction_allowed(c, "openthc", &ex),
			    "default: OpenTHC's jurisdictions (usa-*, bra, ecu, pan, per, ury, zaf)");
		}
	}
	config_free(c);
}

static void
test_errors(void)
{
	expect_error(BASE "[bridge]\n", "t.conf:11: duplicate section [bridge] (first at line 1)", "duplicate section");
	expect_error("[bridge]\nsite_url = https://a.example\nfoo = 1\n", "t.conf:3: unknown key 'foo' in [bridge] section", "unknown key");
	expect_error("[bridge]\nsite_url = https://a.example\nsite_url = https://b.example\n", "t.conf:3: duplicate key 'site_url' (first at line 2)", "duplicate key");
	expect_error("[bridges]\n", "t.conf:1: unknown section [bridges]", "unknown section");
	expect_error("site_url = x\n", "t.conf:1: key 'site_url' outside of any section", "key outside section");
	expect_error("[bridge]\nworkers = 0\n", "t.conf:2: workers: expected an integer from 1 to 256, got '0'", "workers 0");
	expect_error("[bridge]\nworkers = 257\n", "t.conf:2: workers", "workers 257");
	expect_error("[bridge]\nworkers = 08\n", "t.conf:2: workers", "leading zero");
	expect_error("[bridge]\nworkers = -1\n", "t.conf:2: workers", "negative");
	expect_error("[bridge]\nworkers = 4x\n", "t.conf:2: workers", "trailing junk");
	expect_error("[bridge]\nleeway_seconds = 301\n", "t.conf:2: leeway_seconds: expected an integer from 0 to 300", "leeway cap");
	expect_error("[store]\naudit_retention_days = 36501\n", "t.conf:2: audit_retention_days: expected an integer from 0 to 36500", "audit retention cap");
	expect_error("[bridge]\nsession_mode = fast\n", "t.conf:2: session_mode: unknown value 'fast'", "bad enum");
	expect_error("[bridge]\ncreate_missing_teams = maybe\n", "t.conf:2: expected true or false", "bad bool");
	expect_error("[bridge]\nsite_url = https://chat.example.com/\n", "t.conf:2: site_url: expected", "trailing slash");
	expect_error("[bridge]\nsite_url = chat.example.com\n", "t.conf:2: site_url", "no scheme");
	expect_error("[bridge]\nsite_url = https://u@chat.example.com\n", "t.conf:2: site_url", "userinfo");
	expect_error("[bridge]\nsite_url = https://chat.example.com/?x\n", "t.conf:2: site_url", "query");
	expect_error("[bridge]\nsite_url = ftp://chat.example.com\n", "t.conf:2: site_url", "ftp");
	expect_error("[bridge]\nsite_url = https://chat.example.com:0\n", "t.conf:2: site_url", "port 0");
	expect_error("[bridge]\nsite_url = https://chat.example.com//x\n", "t.conf:2: site_url", "double slash path");
	expect_error("[bridge]\nsite_url =\n", "t.conf:2: site_url: empty value", "empty value");
	expect_error("[bridge]\nlisten = 0.0.0.0:9000\n", "t.conf:2: listen: TCP address must be loopback", "public listen");
	expect_error("[bridge]\nlisten = /run/x.sock\n", "t.conf:2: listen: expected unix:/path", "bad listen");
	expect_error("[bridge]\nlisten = unix:relative.sock\n", "t.conf:2: listen", "relative unix path");
	expect_error("[bridge]\ndefault_team = Public\n", "t.conf:2: default_team: 'Public' is not a valid Mattermost team name", "bad default team");
	expect_error("[bridge]\ndefault_team = admins\n", "t.conf:2: default_team", "reserved team prefix");
	expect_error("[mattermost]\nurl = http://127.0.0.1:8065/api/v4\n", "t.conf:2: url: give the base URL without /api/v4", "api/v4 in url");
	expect_error("[bridge]\n[bridge\n", "t.conf:2: section header must end with ']'", "bad header");
	expect_error("[issuer]\n", "t.conf:1: [issuer] needs a quoted name", "issuer without id");
	expect_error("[bridge \"x\"]\n", "t.conf:1: [bridge] takes no name", "bridge with name");
	expect_error("[issuer \"a b\"]\n", "t.conf:1: issuer id 'a b' has characters outside", "issuer id charset");
	expect_error(ISS ISS, "t.conf:3: duplicate issuer \"01BD3TJX9A4TE4AXA6EZE0ZFNP\"", "duplicate issuer");
	expect_error("[issuer \"X\"]\ned25519 = abc\n", "t.conf:2: ed25519: 'abc' is not a 43-character base64url public key", "bad key");
	expect_error("[issuer \"X\"]\ned25519 = A6EHv_POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg,\n", "t.conf:2: empty item in list", "trailing comma");
	expect_error("[issuer \"X\"]\nteams = Open THC\n", "t.conf:2: teams: 'Open THC' is not a valid team name", "bad team");
	expect_error("[issuer \"X\"]\nsecret = x\n", "t.conf:2: unknown key 'secret' in [issuer] section", "unknown issuer key");
	expect_error("[team \"admin-x\"]\n", "t.conf:1: 'admin-x' is not a valid Mattermost team name", "reserved team");
	expect_error("[team \"usa-\"]\n", "t.conf:1: 'usa-' is not a valid Mattermost team name", "trailing hyphen team");
	expect_error("[team \"x1\"]\ntype = public\n", "t.conf:2: type: expected open or invite", "team type");
	expect_error("[team \"x1\"]\nchannels = Town Square\n", "t.conf:2: channels: 'Town Square' is not a valid channel name", "channel name");
	expect_error("[bridge]\nsite_url = https://a.example\n[bridge]\n", "t.conf:3: duplicate section", "duplicate section early");
	expect_error("[bridge]\nsite_url = https://a.example \x01\n", "t.conf:2: control character in line", "control char");
	expect_error("[bridge]\nworkers 8\n", "t.conf:2: expected key = value", "no equals");
	expect_error("[bridge]\nWorkers = 8\n", "t.conf:2: invalid key name 'Workers'", "upper-case key");
	expect_error("[bridge]\ninstance = chat 2\n", "t.conf:2: instance: must be visible ASCII without spaces", "instance with a space");
	expect_error("[bridge]\ninstance = x12345678901234567890123456789012345678901234567890123456789012345\n",
	    "t.conf:2: instance: longer than 64 bytes", "instance too long");

	/* Required keys and cross-key rules. */
	expect_error(MM STORE ISS, "missing required key site_url in [bridge]", "no site_url");
	expect_error(BRIDGE STORE ISS, "missing required key url in [mattermost]", "no mattermost url");
	expect_error(BRIDGE MM ISS, "missing required key database in [store]", "no store");
	expect_error(BRIDGE "[mattermost]\nurl = http://127.0.0.1:8065\ntoken_file = mm.token\n" STORE ISS,
	    "t.conf:3: missing required key password_secret_file in [mattermost]", "login mode needs the password secret");
	expect_error("[bridge]\nsite_url = https://a.example\nsession_mode = database\n" MM STORE ISS,
	    "missing required key database in [mattermost]", "database mode needs the mattermost database");
	expect_error(BRIDGE MM STORE, "no [issuer \"ID\"] section", "no issuer");
	expect_error(BRIDGE MM STORE "[issuer \"X\"]\nname = x\n", "[issuer \"X\"] has neither ed25519 keys nor hs256_secret_file", "issuer without keys");
	expect_error(BASE "[sso]\norigin = https://sso.example\n", "missing required key client_id in [sso]", "partial sso");
	expect_error("[mattermost]\nurl = http://mm.internal:8065\n", "t.conf:2: url: use https://", "plain http to a remote Mattermost");
	expect_error("[sso]\norigin = http://sso.openthc.example.com\n", "t.conf:2: origin: use https://", "plain http SSO origin");
	expect_error("[bridge]\njurisdiction_teams = usa-*, Brazil\n", "t.conf:2: jurisdiction_teams: 'Brazil' is neither", "bad jurisdiction");
	expect_error("[bridge]\njurisdiction_teams = *\n", "jurisdiction_teams: '*' is neither", "a bare * is not allowed");
	expect_error("[bridge]\njurisdiction_teams = u*a\n", "jurisdiction_teams", "* inside a name");
	expect_error("[issuer \"X\"]\nlink_existing = maybe\n", "t.conf:2: link_existing: expected email or refuse", "issuer link_existing");
	expect_error("[bridge]\nrate_limit_ipv6_prefix = 8\n", "rate_limit_ipv6_prefix: expected an integer from 16 to 128", "prefix range");
	expect_error("[mattermost]\nguests = sometimes\n", "t.conf:2: guests: unknown value", "guests");
}

static void
test_secrets(void)
{
	struct config *c = NULL;
	char err[1024];
	char big[5000];

	put("open.secret", "0123456789abcdef0123456789abcdef\n", 0644);
	expect_error(BRIDGE "[mattermost]\nurl = http://127.0.0.1:8065\ntoken_file = open.secret\n",
	    "t.conf:5: secret file", "world-readable secret");
	expect_error(BRIDGE "[mattermost]\nurl = http://127.0.0.1:8065\ntoken_file = open.secret\n",
	    "must not be accessible by group or others (run: chmod 600", "message says how to fix it");
	put("group.secret", "0123456789abcdef0123456789abcdef\n", 0640);
	expect_error(BRIDGE "[mattermost]\ntoken_file = group.secret\n", "has mode 0640", "group-readable secret");
	expect_error(BRIDGE "[mattermost]\ntoken_file = missing.secret\n", "t.conf:4: cannot open secret file", "missing secret");
	put("empty.secret", "\n", 0600);
	expect_error(BRIDGE "[mattermost]\ntoken_file = empty.secret\n", "is empty", "empty secret");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	put("big.secret", big, 0600);
	expect_error(BRIDGE "[mattermost]\ntoken_file = big.secret\n", "is larger than 4096 bytes", "oversized secret");
	put("short.secret", "short\n", 0600);
	expect_error(BRIDGE MM STORE "[issuer \"X\"]\nhs256_secret_file = short.secret\n",
	    "t.conf:9: [issuer \"X\"] hs256_secret_file: secret shorter than 32 bytes", "short hs256 secret");
	put("old.secret", "lab.openthc.example-secret", 0600);	/* token.md's: 26 bytes */
	expect_error(BRIDGE MM STORE "[issuer \"X\"]\nhs256_secret_file = old.secret\n",
	    "secret shorter than 32 bytes", "a 26-byte secret is short");
	ok(config_parse(BRIDGE MM STORE "[issuer \"X\"]\nhs256_secret_file = old.secret\nhs256_allow_short = true\n",
	    strlen(BRIDGE MM STORE "[issuer \"X\"]\nhs256_secret_file = old.secret\nhs256_allow_short = true\n"),
	    "t.conf", dir, 0, &c, err, sizeof(err)) == CB_OK && c->issuers.v[0].hs256_allow_short,
	    "hs256_allow_short accepts it (%s)", err);
	config_free(c);
	c = NULL;
	expect_error(BRIDGE "[mattermost]\nurl = http://127.0.0.1:8065\ntoken_file = mm.token\npassword_secret_file = short.secret\n" STORE ISS,
	    "t.conf:6: password_secret_file: secret shorter than 32 bytes", "short password secret");
	put("space.token", "abc def\n", 0600);
	expect_error(BRIDGE "[mattermost]\nurl = http://127.0.0.1:8065\ntoken_file = space.token\npassword_secret_file = pw.secret\n" STORE ISS,
	    "t.conf:5: token_file: the Mattermost token must be visible ASCII", "token with a space");
	/* Secrets skipped: what the fuzz target and syntax checks use. */
	ok(config_parse(BRIDGE "[mattermost]\nurl = https://x.example\ntoken_file = nope\npassword_secret_file = nope\n" STORE ISS,
	    strlen(BRIDGE "[mattermost]\nurl = https://x.example\ntoken_file = nope\npassword_secret_file = nope\n" STORE ISS),
	    "t.conf", dir, CONFIG_SKIP_SECRETS, &c, err, sizeof(err)) == CB_OK, "CONFIG_SKIP_SECRETS parses without reading files");
	config_free(c);
	/* config_load reads a file and resolves *_file relative to it. */
	put("bridge.conf", BASE, 0644);
	{
		char path[256];

		snprintf(path, sizeof(path), "%s/bridge.conf", dir);
		char host[256] = "";

		is_int(config_load(path, &c, err, sizeof(err)), CB_OK, "config_load with relative secret paths (%s)", err);
		ok(gethostname(host, sizeof(host)) == 0 && c != NULL && host[0] != '\0' &&
		    strncmp(c->instance, host, sizeof(c->instance) - 1) == 0, "instance defaults to the host name (%s)",
		    c != NULL ? c->instance : "");
		config_free(c);
		is_int(config_load("/nonexistent/bridge.conf", &c, err, sizeof(err)), CB_ECONFIG, "missing file");
		ok(strstr(err, "/nonexistent/bridge.conf: cannot open") != NULL, "message names the file");
		chmod(path, 0664);
		is_int(config_load(path, &c, err, sizeof(err)), CB_ECONFIG, "group-writable configuration");
		ok(strstr(err, "mode 0664: the configuration must not be writable by group or others") != NULL,
		    "message says why (%s)", err);
		chmod(path, 0646);
		is_int(config_load(path, &c, err, sizeof(err)), CB_ECONFIG, "world-writable configuration");
		chmod(path, 0640);
		is_int(config_load(path, &c, err, sizeof(err)), CB_OK, "0640 is fine");
		config_free(c);
		c = NULL;
	}
	/* A secret file must belong to the user the bridge runs as. Only root
	 * can give a file away, so the check runs where the tests run as root. */
	if (geteuid() == 0) {
		char path[256];

		put("foreign.secret", "0123456789abcdef0123456789abcdef\n", 0600);
		snprintf(path, sizeof(path), "%s/foreign.secret", dir);
		if (chown(path, 65534, 65534) != 0)
			abort();
		expect_error(BRIDGE "[mattermost]\ntoken_file = foreign.secret\n",
		    "is owned by uid 65534; it must belong to the user the bridge runs as (uid 0), root or chat-bridge",
		    "secret file of another user");
	} else {
		printf("# skipped the secret-owner check: it needs root to chown a file\n");
	}
}

static void
test_listen_parse(void)
{
	enum listen_kind kind;
	char addr[256];
	unsigned port;

	ok(config_listen_parse("unix:/run/x.sock", &kind, addr, sizeof(addr), &port) == CB_OK && kind == LISTEN_UNIX &&
	    !strcmp(addr, "/run/x.sock"), "unix path");
	ok(config_listen_parse("127.0.0.1:9000", &kind, addr, sizeof(addr), &port) == CB_OK && kind == LISTEN_TCP &&
	    !strcmp(addr, "127.0.0.1") && port == 9000, "tcp v4");
	ok(config_listen_parse("[::1]:9001", &kind, addr, sizeof(addr), &port) == CB_OK && kind == LISTEN_TCP &&
	    !strcmp(addr, "::1") && port == 9001, "tcp v6");
	ok(config_listen_parse("fd:3", &kind, addr, sizeof(addr), &port) == CB_OK && kind == LISTEN_FD && port == 3, "fd");
	ok(config_listen_parse("127.0.0.1:70000", &kind, addr, sizeof(addr), &port) != CB_OK, "port range");
	ok(config_listen_parse(":9000", &kind, addr, sizeof(addr), &port) != CB_OK, "no host");
}

static void
run_tests(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	strcpy(dir, "/tmp/cb-config-test-XXXXXX");
	if (mkdtemp(dir) == NULL)
		abort();
	put("mm.token", "admintokenadmintoken1234ab\n", 0600);
	put("pw.secret", "0123456789abcdef0123456789abcdef0123456789\n", 0600);
	put("lab.secret", "lab.openthc.example-secret-0123456789", 0600);
	put("lab-old.secret", "lab.openthc.example-old-secret-0123456\n", 0600);
	put("sso.secret", "sso-client-secret-value\n", 0600);
	test_full();
	test_errors();
	test_secrets();
	test_listen_parse();
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd) != 0)
			printf("# could not remove %s\n", dir);
	}
}
