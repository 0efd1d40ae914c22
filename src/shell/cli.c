/*
 * cli.c - command-line parsing and the offline commands (keygen, mint,
 * verify, check-config); serve, migrate, teams sync and users call into
 * the shell modules, and everything they report is printed here.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <libpq-fe.h>
#include <sodium.h>

#include "claims.h"
#include "cli.h"
#include "clock.h"
#include "config.h"
#include "identity.h"
#include "mint.h"
#include "probe.h"
#include "server.h"
#include "store.h"
#include "teams_sync.h"
#include "timefmt.h"
#include "token.h"
#include "users.h"
#include "util.h"

#define VERSION_STRING "chat-bridge " CB_VERSION	/* CMake: project(VERSION) */

struct opts {
	const char *config, *listen, *now, *seed_file, *iss, *aud, *sub, *com, *email, *name;
	const char *com_name, *lic, *cre, *reg, *ttl, *iat, *jti, *hs256_secret_file, *count;
	const char *teams[CB_TOKEN_TEAMS_MAX];
	size_t n_teams;
	int dry_run, help, offline;
	const char *reason, *since, *limit;	/* users */
	int json;
	const char *pos[4];
	size_t npos;
};

struct optdef {
	const char *name;
	size_t off;		/* offset of a const char * in struct opts */
	int flag;		/* 1: takes no value */
};

#define O(m) offsetof(struct opts, m)

static const struct optdef serve_opts[] = {
	{"config", O(config), 0}, {"listen", O(listen), 0}, {NULL, 0, 0}};
static const struct optdef config_opts[] = {{"config", O(config), 0}, {NULL, 0, 0}};
static const struct optdef check_opts[] = {
	{"config", O(config), 0}, {"offline", O(offline), 1}, {NULL, 0, 0}};
static const struct optdef keygen_opts[] = {{"seed-file", O(seed_file), 0}, {NULL, 0, 0}};
static const struct optdef verify_opts[] = {
	{"config", O(config), 0}, {"now", O(now), 0}, {NULL, 0, 0}};
static const struct optdef teams_opts[] = {
	{"config", O(config), 0}, {"dry-run", O(dry_run), 1}, {NULL, 0, 0}};
static const struct optdef users_opts[] = {
	{"config", O(config), 0}, {"dry-run", O(dry_run), 1}, {"json", O(json), 1},
	{"reason", O(reason), 0}, {"since", O(since), 0}, {"limit", O(limit), 0}, {NULL, 0, 0}};
static const struct optdef mint_opts[] = {
	{"seed-file", O(seed_file), 0}, {"hs256-secret-file", O(hs256_secret_file), 0},
	{"iss", O(iss), 0}, {"aud", O(aud), 0}, {"sub", O(sub), 0}, {"com", O(com), 0},
	{"email", O(email), 0}, {"name", O(name), 0}, {"com-name", O(com_name), 0},
	{"lic", O(lic), 0}, {"cre", O(cre), 0}, {"reg", O(reg), 0}, {"team", O(teams), 0},
	{"ttl", O(ttl), 0}, {"iat", O(iat), 0}, {"jti", O(jti), 0}, {"count", O(count), 0},
	{NULL, 0, 0}};

static const char usage_main[] =
    "usage: chat-bridge [COMMAND] [OPTIONS]\n"
    "\n"
    "The OpenTHC Chat Bridge: signs people in to Mattermost from signed OpenTHC links.\n"
    "\n"
    "commands:\n"
    "  serve [--config F] [--listen ADDR] run the FastCGI responder (the default command)\n"
    "  check-config [--config F]          validate the configuration and secret files\n"
    "  migrate [--config F]               create or upgrade the bridge's PostgreSQL schema\n"
    "  keygen [--seed-file F]             make a new Ed25519 issuer key\n"
    "  mint --seed-file F --iss ID ...    mint a chat link token (see chat-bridge mint --help)\n"
    "  verify [--config F] [--now T] TOKEN verify a token offline and print its claims\n"
    "  teams sync [--config F] [--dry-run] create the configured teams in Mattermost\n"
    "  users show|list|revoke|unlink|deactivate ...\n"
    "                                     one person: show, log out everywhere, unlink,\n"
    "                                     deactivate; the links (see chat-bridge users --help)\n"
    "\n"
    "--config defaults to " CB_DEFAULT_CONFIG ". Every command accepts --help.\n"
    "Exit status: 0 success, 1 failure or refused, 2 usage.\n";

static const char usage_serve[] =
    "usage: chat-bridge serve [--config FILE] [--listen ADDR]\n"
    "\n"
    "Runs the FastCGI responder for /auth/open, /auth/back, /auth/ping, /auth/ready and\n"
    "/auth/metrics. ADDR overrides [bridge] listen: unix:/path, 127.0.0.1:PORT, [::1]:PORT\n"
    "or fd:N. Without either, the FastCGI listening socket is file descriptor 0 (spawn-fcgi,\n"
    "systemd StandardInput=socket) or the socket passed by systemd (LISTEN_FDS).\n"
    "SIGTERM finishes requests in flight and exits 0; SIGHUP reloads the configuration.\n";

static const char usage_check[] =
    "usage: chat-bridge check-config [--config FILE] [--offline]\n"
    "\n"
    "Reads the configuration and every secret file it names, and reports the first error as\n"
    "FILE:LINE: reason. Then, unless --offline, asks Mattermost for its published client\n"
    "configuration (version, sign-in settings) and, in database mode, checks its tables: a\n"
    "Mattermost where no click could succeed (login mode with both password sign-in settings\n"
    "off on 11.3+, or a sessions table the bridge does not know) is an error; one that cannot\n"
    "be reached now is only a warning. Exit status 0 if valid, 1 if not.\n";

static const char usage_migrate[] =
    "usage: chat-bridge migrate [--config FILE]\n"
    "\n"
    "Creates or upgrades the bridge's own schema in [store] database (replay, links, audit,\n"
    "OAuth2 state). Safe to run repeatedly and from several hosts at once. A store that\n"
    "another host has already taken to a newer version this bridge still runs with is left\n"
    "alone (exit status 0); one that needs a newer bridge is an error (exit status 1).\n";

static const char usage_keygen[] =
    "usage: chat-bridge keygen [--seed-file FILE]\n"
    "\n"
    "Makes a new Ed25519 key for an issuer. Prints 'seed: <43 chars>' (keep it secret; it is\n"
    "what `mint --seed-file` and OpenTHC apps sign with) and 'public: <43 chars>' (put it in\n"
    "the bridge's [issuer] ed25519 list). With --seed-file the seed is written to FILE\n"
    "(created with mode 0600, never overwritten) instead of being printed.\n";

static const char usage_mint[] =
    "usage: chat-bridge mint --seed-file F --iss ID --aud URL --sub ID --com ID --email E\n"
    "                        [--name N] [--com-name N] [--lic ID] [--cre C] [--reg R]\n"
    "                        [--team T]... [--ttl S] [--iat EPOCH] [--jti J] [--count N]\n"
    "       chat-bridge mint --hs256-secret-file F --iss ID ... (version-0 HS256 token)\n"
    "\n"
    "Prints a chat link token as an OpenTHC app would mint it (token.md). --ttl defaults to\n"
    "300 s (v1; at most 300) or 900 s (v0; at most 900); --iat to now; --jti to 32 random\n"
    "bytes. --count N prints N tokens (one per line, each with its own jti) for load tests.\n"
    "Use a token in a link: SITE_URL/auth/open?jwt=TOKEN\n";

static const char usage_verify[] =
    "usage: chat-bridge verify [--config FILE] [--now EPOCH] TOKEN|-\n"
    "\n"
    "Checks a token exactly as /auth/open does, without touching the replay store or\n"
    "Mattermost ('-' reads the token from standard input). Prints the verified claims and\n"
    "the derived username, teams and landing path as JSON and exits 0; or prints the\n"
    "precise reason for refusal as JSON and exits 1.\n";

static const char usage_teams[] =
    "usage: chat-bridge teams sync [--config FILE] [--dry-run]\n"
    "\n"
    "Creates the teams of the configuration's [team \"NAME\"] sections in Mattermost if they\n"
    "are missing (idempotent) and their mandatory channels. --dry-run only reports.\n";

static const char usage_users[] =
    "usage: chat-bridge users show [--config F] [--json] [--limit N] SUB|EMAIL|USERNAME\n"
    "       chat-bridge users list [--config F] [--json] [--since DURATION|DATE] [--limit N]\n"
    "       chat-bridge users revoke [--config F] --reason TEXT [--dry-run] [--json] WHO\n"
    "       chat-bridge users unlink [--config F] --reason TEXT [--dry-run] [--json] WHO\n"
    "       chat-bridge users deactivate [--config F] --reason TEXT [--dry-run] [--json] WHO\n"
    "\n"
    "One person, by OpenTHC contact id (SUB), email or Mattermost username (WHO: the same),\n"
    "on the bridge's store and over Mattermost's REST API with the bot token:\n"
    "  show        the link, the Mattermost user, its teams and sessions, the last click and\n"
    "              the --limit most recent audit rows (default 10)\n"
    "  list        the links, most recent activity first (created, updated, last click);\n"
    "              --since 7d|24h|90m|2w or 2026-11-01[T12:00[:00]][Z] (UTC); --limit (50)\n"
    "  revoke      end every Mattermost session of the person: log out everywhere (a new\n"
    "              click signs them in again; deactivate keeps them out)\n"
    "  unlink      delete the link; the next click links again by the linking rules\n"
    "              (store only: works while Mattermost is down)\n"
    "  deactivate  deactivate the Mattermost user and end every session; later clicks are\n"
    "              refused (user_deactivated) until it is activated again in Mattermost\n"
    "\n"
    "revoke, unlink and deactivate act only on a linked person, need --reason (written to\n"
    "the audit table with the operator: $SUDO_USER or $USER, and the uid) and accept\n"
    "--dry-run (says what would happen, changes nothing, writes no audit row). --json\n"
    "prints one JSON object instead of text.\n"
    "\n"
    "Exit status: 0 done (or shown, or would be done); 1 refused or failed: unknown or not\n"
    "linked person, Mattermost or the store unavailable (a message on standard error);\n"
    "2 usage (no --reason, bad option).\n";

static int usage_error(const char *usage, const char *fmt, ...) CB_PRINTF(2, 3);

static int
usage_error(const char *usage, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "chat-bridge: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n\n%s", usage);
	return EXIT_USAGE;
}

/* Parses argv[0..argc) against defs; 0 ok, else an exit status. */
static int
parse(int argc, char **argv, const struct optdef *defs, const char *usage, struct opts *o)
{
	int i;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i], *val = NULL, *eq;
		const struct optdef *d;
		size_t nlen;

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			o->help = 1;
			continue;
		}
		if (strncmp(a, "--", 2) != 0 || strcmp(a, "-") == 0) {
			if (o->npos == sizeof(o->pos) / sizeof(o->pos[0]))
				return usage_error(usage, "too many arguments at '%s'", a);
			o->pos[o->npos++] = a;
			continue;
		}
		a += 2;
		eq = strchr(a, '=');
		nlen = eq != NULL ? (size_t)(eq - a) : strlen(a);
		for (d = defs; d->name != NULL; d++)
			if (strlen(d->name) == nlen && strncmp(d->name, a, nlen) == 0)
				break;
		if (d->name == NULL)
			return usage_error(usage, "unknown option '%s'", argv[i]);
		if (d->flag) {
			if (eq != NULL)
				return usage_error(usage, "option '%s' takes no value", argv[i]);
			*(int *)(void *)((char *)o + d->off) = 1;
			continue;
		}
		if (eq != NULL)
			val = eq + 1;
		else if (i + 1 < argc)
			val = argv[++i];
		else
			return usage_error(usage, "option '%s' needs a value", argv[i]);
		if (d->off == O(teams)) {
			if (o->n_teams == CB_TOKEN_TEAMS_MAX)
				return usage_error(usage, "too many --team options%s", "");
			o->teams[o->n_teams++] = val;
		} else {
			*(const char **)(void *)((char *)o + d->off) = val;
		}
	}
	return 0;
}

/* Loads --config (default CB_DEFAULT_CONFIG); NULL with *status = the exit
 * status on failure. */
static struct config *
load_config(const struct opts *o, int *status)
{
	struct config *c;
	char err[1024];

	if (config_load(o->config != NULL ? o->config : CB_DEFAULT_CONFIG, &c, err, sizeof(err)) !=
	    CB_OK) {
		fprintf(stderr, "%s\n", err);
		*status = EXIT_REFUSED;
		return NULL;
	}
	return c;
}

/* libpq checks the connection strings' syntax without connecting. */
static int
check_dsn(const char *what, const char *dsn)
{
	char *err = NULL;
	PQconninfoOption *opts;

	if (dsn[0] == '\0')
		return 0;
	if ((opts = PQconninfoParse(dsn, &err)) == NULL) {
		fprintf(stderr, "%s: invalid connection string: %s", what, err ? err : "?\n");
		PQfreemem(err);
		return -1;
	}
	PQconninfoFree(opts);
	return 0;
}

static int
cmd_check_config(int argc, char **argv)
{
	struct opts o = {0};
	struct config *c;
	int rc;

	if ((rc = parse(argc, argv, check_opts, usage_check, &o)) != 0)
		return rc;
	if (o.help) {
		fputs(usage_check, stdout);
		return 0;
	}
	if (o.npos > 0)
		return usage_error(usage_check, "unexpected argument '%s'", o.pos[0]);
	if ((c = load_config(&o, &rc)) == NULL)
		return rc;
	if (check_dsn("[store] database", c->store_database) != 0 ||
	    check_dsn("[mattermost] database", c->mm_database) != 0) {
		config_free(c);
		return EXIT_REFUSED;
	}
	if (!o.offline) {
		char msg[768];

		switch (probe_mattermost(c, true, NULL, NULL, msg, sizeof(msg))) {
		case CB_OK:
			printf("mattermost: %s\n", msg);
			break;
		case CB_MM_LOGIN_DISABLED:
		case CB_MMDB_SCHEMA:
			fprintf(stderr, "%s: every sign-in would be refused: %s\n", c->path, msg);
			config_free(c);
			return EXIT_REFUSED;
		default:
			fprintf(stderr, "warning: %s (not checked)\n", msg);
			break;
		}
	}
	printf("%s: OK (site %s, session mode %s, %zu issuer%s, %zu team%s, %s)\n", c->path,
	    c->site_url, c->session_mode == SESSION_LOGIN ? "login" : "database", c->issuers.n,
	    c->issuers.n == 1 ? "" : "s", c->n_teams, c->n_teams == 1 ? "" : "s",
	    c->sso_enabled ? "OAuth2 sign-in with OpenTHC SSO" : "no OAuth2 sign-in");
	config_free(c);
	return 0;
}

static int
cmd_keygen(int argc, char **argv)
{
	unsigned char seed[32], pk[32], sk[64];
	char s64[CB_ED25519_B64_LEN + 1], p64[CB_ED25519_B64_LEN + 1];
	struct opts o = {0};
	int rc, fd;

	if ((rc = parse(argc, argv, keygen_opts, usage_keygen, &o)) != 0)
		return rc;
	if (o.help) {
		fputs(usage_keygen, stdout);
		return 0;
	}
	if (o.npos > 0)
		return usage_error(usage_keygen, "unexpected argument '%s'", o.pos[0]);
	randombytes_buf(seed, sizeof(seed));
	crypto_sign_seed_keypair(pk, sk, seed);
	if (b64url_encode(seed, sizeof(seed), s64, sizeof(s64)) != CB_OK ||
	    b64url_encode(pk, sizeof(pk), p64, sizeof(p64)) != CB_OK)
		return EXIT_FAILURE;
	rc = 0;
	if (o.seed_file != NULL) {
		fd = open(o.seed_file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0 || write(fd, s64, 43) != 43 || write(fd, "\n", 1) != 1) {
			fprintf(stderr, "chat-bridge: cannot create %s: %s\n", o.seed_file,
			    strerror(errno));
			rc = EXIT_REFUSED;
		}
		if (fd >= 0)
			close(fd);
	} else {
		printf("seed: %s\n", s64);
	}
	if (rc == 0)
		printf("public: %s\n", p64);
	sodium_memzero(seed, sizeof(seed));
	sodium_memzero(sk, sizeof(sk));
	sodium_memzero(s64, sizeof(s64));
	return rc;
}

static int
int_opt(const char *name, const char *v, int64_t max, int64_t *out)
{
	uint64_t u;

	if (parse_u64(v, strlen(v), (uint64_t)max, &u) != CB_OK) {
		fprintf(stderr, "chat-bridge: --%s: expected a non-negative integer, got '%s'\n",
		    name, v);
		return -1;
	}
	*out = (int64_t)u;
	return 0;
}

static int
cmd_mint(int argc, char **argv)
{
	struct mint_params mp;
	struct secret seed = {0}, secret = {0};
	unsigned char raw[40];
	char err[512], tok[CB_TOKEN_MAX + 1];
	struct opts o = {0};
	size_t len;
	int64_t count = 1, i;
	int rc;
	enum cb_err e;

	if ((rc = parse(argc, argv, mint_opts, usage_mint, &o)) != 0)
		return rc;
	if (o.help) {
		fputs(usage_mint, stdout);
		return 0;
	}
	if (o.npos > 0)
		return usage_error(usage_mint, "unexpected argument '%s'", o.pos[0]);
	if ((o.seed_file == NULL) == (o.hs256_secret_file == NULL))
		return usage_error(usage_mint, "give exactly one of --seed-file and "
		    "--hs256-secret-file%s", "");
	if (o.iss == NULL || o.aud == NULL || o.sub == NULL || o.com == NULL || o.email == NULL)
		return usage_error(usage_mint, "--iss, --aud, --sub, --com and --email are "
		    "required%s", "");
	memset(&mp, 0, sizeof(mp));
	mp.alg = o.seed_file != NULL ? JWS_EDDSA : JWS_HS256;
	mp.ttl = mp.alg == JWS_EDDSA ? CB_LIFETIME_V1 : CB_LIFETIME_V0;
	mp.iat = (int64_t)time(NULL);
	if ((o.ttl != NULL && int_opt("ttl", o.ttl, 100000, &mp.ttl) != 0) ||
	    (o.iat != NULL && int_opt("iat", o.iat, CB_JSON_INT_MAX, &mp.iat) != 0) ||
	    (o.count != NULL && (int_opt("count", o.count, 10000000, &count) != 0 || count < 1)))
		return EXIT_USAGE;
	if (count > 1 && o.jti != NULL)
		return usage_error(usage_mint, "--jti and --count exclude each other%s", "");
	rc = EXIT_REFUSED;
	if (o.seed_file != NULL) {
		if (secret_read_file(o.seed_file, &seed, err, sizeof(err)) != CB_OK) {
			fprintf(stderr, "chat-bridge: %s\n", err);
			goto out;
		}
		if (seed.len != 43 || b64url_decode((const char *)seed.p, seed.len, raw, sizeof(raw),
		    &len) != CB_OK || len != 32) {
			fprintf(stderr, "chat-bridge: %s does not hold a 43-character base64url "
			    "Ed25519 seed\n", o.seed_file);
			goto out;
		}
		mp.seed = raw;
	} else {
		if (secret_read_file(o.hs256_secret_file, &secret, err, sizeof(err)) != CB_OK) {
			fprintf(stderr, "chat-bridge: %s\n", err);
			goto out;
		}
		mp.secret = secret.p;
		mp.secret_len = secret.len;
	}
	mp.iss = o.iss;
	mp.aud = o.aud;
	mp.sub = o.sub;
	mp.com = o.com;
	mp.email = o.email;
	mp.lic = o.lic;
	mp.name = o.name;
	mp.com_name = o.com_name;
	mp.cre = o.cre;
	mp.reg = o.reg;
	mp.teams = o.teams;
	mp.n_teams = o.n_teams;
	mp.jti = o.jti;
	for (i = 0; i < count; i++) {
		if ((e = mint_token(&mp, tok, sizeof(tok))) != CB_OK) {
			fprintf(stderr, "chat-bridge: cannot mint: %s (%s)\n", cb_err_describe(e),
			    cb_err_reason(e));
			goto out;
		}
		printf("%s\n", tok);
	}
	rc = 0;
out:
	sodium_memzero(raw, sizeof(raw));
	secret_free(&seed);
	secret_free(&secret);
	return rc;
}

/* Reads one token line from standard input into out. */
static int
read_stdin_token(char *out, size_t cap)
{
	size_t n;

	if (fgets(out, (int)cap, stdin) == NULL)
		return -1;
	n = strlen(out);
	while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r'))
		out[--n] = '\0';
	return 0;
}

static int
cmd_verify(int argc, char **argv)
{
	char tokbuf[CB_TOKEN_MAX + 64], teams[CB_TOKEN_TEAMS_MAX + 2][CB_TEAM_NAME_MAX + 1];
	char jur[CB_TEAM_NAME_MAX + 1], user[CB_MM_USERNAME_MAX + 1], landing[CB_LANDING_MAX + 1];
	struct verify_params vp;
	struct claims cl;
	struct opts o = {0};
	struct config *c;
	const char *tok;
	json_t *out, *derived, *ta;
	size_t nteams, i;
	int64_t now;
	int rc;
	enum cb_err e;

	if ((rc = parse(argc, argv, verify_opts, usage_verify, &o)) != 0)
		return rc;
	if (o.help) {
		fputs(usage_verify, stdout);
		return 0;
	}
	if (o.npos != 1)
		return usage_error(usage_verify, "expected exactly one TOKEN argument%s", "");
	now = (int64_t)time(NULL);
	if (o.now != NULL && int_opt("now", o.now, CB_JSON_INT_MAX, &now) != 0)
		return EXIT_USAGE;
	tok = o.pos[0];
	if (strcmp(tok, "-") == 0) {
		if (read_stdin_token(tokbuf, sizeof(tokbuf)) != 0)
			return usage_error(usage_verify, "no token on standard input%s", "");
		tok = tokbuf;
	}
	if ((c = load_config(&o, &rc)) == NULL)
		return rc;
	vp.issuers = &c->issuers;
	vp.audience = c->site_url;
	vp.now = now;
	vp.leeway = c->leeway_seconds;
	e = token_verify(tok, strlen(tok), &vp, &cl);
	if (e != CB_OK) {
		out = json_pack("{s:b, s:s, s:i, s:s}", "valid", 0, "reason", cb_err_reason(e),
		    "status", cb_err_status(e), "description", cb_err_describe(e));
		rc = EXIT_REFUSED;
	} else {
		out = json_pack("{s:b, s:o}", "valid", 1, "claims", claims_to_json(&cl));
		nteams = identity_teams(&cl, issuer_find(&c->issuers, cl.iss, strlen(cl.iss)), c,
		    teams, sizeof(teams) / sizeof(teams[0]), jur);
		ta = json_array();
		for (i = 0; i < nteams; i++)
			json_array_append_new(ta, json_string(teams[i]));
		if (identity_username(cl.email, cl.sub, 0, user) != CB_OK)
			user[0] = '\0';
		(void)identity_landing(NULL, 0, jur, c->default_team, landing);
		derived = json_pack("{s:s, s:o, s:s, s:s}", "username", user, "teams", ta,
		    "jurisdiction", jur, "landing", landing);
		json_object_set_new(out, "derived", derived);
		rc = 0;
	}
	if (out != NULL) {
		json_dumpf(out, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(out);
	}
	sodium_memzero(tokbuf, sizeof(tokbuf));
	sodium_memzero(&cl, sizeof(cl));
	config_free(c);
	return rc;
}

static int
cmd_serve(int argc, char **argv)
{
	struct opts o = {0};
	struct config *c;
	int rc;

	if ((rc = parse(argc, argv, serve_opts, usage_serve, &o)) != 0)
		return rc;
	if (o.help) {
		fputs(usage_serve, stdout);
		return 0;
	}
	if (o.npos > 0)
		return usage_error(usage_serve, "unexpected argument '%s'", o.pos[0]);
	if ((c = load_config(&o, &rc)) == NULL)
		return rc;
	return server_run(c, o.listen) == CB_OK ? 0 : EXIT_FAILURE;
}

/* Removes the line break libpq ends its messages with. */
static void
trim_newline(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
}

static int
cmd_migrate(int argc, char **argv)
{
	struct opts o = {0};
	struct config *c;
	char err[1024];
	int rc, from, to;
	enum cb_err e;

	if ((rc = parse(argc, argv, config_opts, usage_migrate, &o)) != 0)
		return rc;
	if (o.help) {
		fputs(usage_migrate, stdout);
		return 0;
	}
	if (o.npos > 0)
		return usage_error(usage_migrate, "unexpected argument '%s'", o.pos[0]);
	if ((c = load_config(&o, &rc)) == NULL)
		return rc;
	e = store_migrate(c->store_database, &from, &to, err, sizeof(err));
	config_free(c);
	if (e != CB_OK) {
		trim_newline(err);
		fprintf(stderr, "chat-bridge: migrate: %s\n", err);
		return EXIT_REFUSED;
	}
	if (to > from)
		printf("chat-bridge: migrate: applied steps %d to %d\n", from + 1, to);
	if (to > store_schema_version())
		printf("chat-bridge: migrate: schema at version %d, newer than this bridge (%d) and "
		    "compatible with it; nothing to do\n", to, store_schema_version());
	else
		printf("chat-bridge: migrate: schema at version %d\n", to);
	return 0;
}

/* One line per team or channel of `teams sync`; failures on stderr. */
static void
print_team_item(const struct teams_sync_item *it, void *arg)
{
	const char *kind = it->open ? "open" : "invite only";

	(void)arg;
	if (it->state == TEAMS_SYNC_FAILED) {
		fprintf(stderr, "chat-bridge: teams sync: %s %s: %s%s%s\n",
		    it->channel != NULL ? "channel" : "team", it->channel != NULL ? it->channel : it->team,
		    cb_err_describe(it->err), it->error_id[0] ? " " : "", it->error_id);
		return;
	}
	if (it->channel == NULL) {
		if (it->state == TEAMS_SYNC_EXISTS)
			printf("team %s: exists\n", it->team);
		else if (it->state == TEAMS_SYNC_CREATED)
			printf("team %s: created (%s)\n", it->team, kind);
		else
			printf("team %s: missing, would create (%s, \"%s\")\n", it->team, kind,
			    it->display_name);
		return;
	}
	if (it->state == TEAMS_SYNC_EXISTS)
		printf("channel %s/%s: exists\n", it->team, it->channel);
	else if (it->state == TEAMS_SYNC_CREATED)
		printf("channel %s/%s: created\n", it->team, it->channel);
	else
		printf("channel %s/%s: %swould create\n", it->team, it->channel,
		    it->team_missing ? "" : "missing, ");
}

static int
cmd_teams(int argc, char **argv)
{
	struct opts o = {0};
	struct config *c;
	int rc;

	if ((rc = parse(argc, argv, teams_opts, usage_teams, &o)) != 0)
		return rc;
	if (o.help) {
		fputs(usage_teams, stdout);
		return 0;
	}
	if (o.npos != 1 || strcmp(o.pos[0], "sync") != 0)
		return usage_error(usage_teams, "expected 'teams sync'%s", "");
	if ((c = load_config(&o, &rc)) == NULL)
		return rc;
	if (c->n_teams == 0)
		printf("no [team \"NAME\"] sections in %s: nothing to do\n", c->path);
	rc = teams_sync(c, o.dry_run != 0, print_team_item, NULL) == CB_OK ? 0 : EXIT_REFUSED;
	config_free(c);
	return rc;
}

/* ------------------------------------------------------------ users */

/* A time for people: ISO 8601 UTC, or "-" for never. */
static const char *
when(int64_t ms, char out[TIMEFMT_ISO_LEN])
{
	if (ms <= 0)
		return "-";
	timefmt_iso_ms(ms, out);
	return out;
}

/* The same for JSON: a string, or null. */
static json_t *
jwhen(int64_t ms)
{
	char t[TIMEFMT_ISO_LEN];

	if (ms <= 0)
		return json_null();
	timefmt_iso_ms(ms, t);
	return json_string(t);
}

/* A string that may not be valid UTF-8 (a value from elsewhere): JSON
 * null then, rather than no member. */
static json_t *
jstr(const char *s)
{
	json_t *j = json_string(s);

	return j != NULL ? j : json_null();
}

static void
print_json(json_t *j)
{
	if (j == NULL)
		return;
	json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', stdout);
	json_decref(j);
}

static json_t *
link_json(const struct store_link_info *l, bool list)
{
	json_t *j = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:b}",
	    "sub", jstr(l->sub), "mm_user_id", jstr(l->mm_user_id), "how", jstr(l->how),
	    "created_at", jwhen(l->created_ms), "updated_at", jwhen(l->updated_ms),
	    "teams_key", jstr(l->teams_key), "teams_joined", jstr(l->teams_joined),
	    "teams_checked_at", jwhen(l->teams_checked_ms), "password_set", l->password_set);

	if (j != NULL && list) {
		json_object_set_new(j, "last_click_at", jwhen(l->last_click_ms));
		json_object_set_new(j, "last_activity_at", jwhen(l->activity_ms));
	}
	return j;
}

static json_t *
audit_json(const struct store_audit_row *a)
{
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:i, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
	    "at", jwhen(a->at_ms), "request_id", jstr(a->request_id), "route", jstr(a->route),
	    "method", jstr(a->method), "client", jstr(a->client), "status", a->status,
	    "outcome", jstr(a->outcome), "reason", jstr(a->reason), "detail", jstr(a->detail),
	    "via", jstr(a->via), "iss", jstr(a->iss), "mm_user_id", jstr(a->mm_user_id),
	    "mode", jstr(a->mode));
}

static const char *const kind_name[] = {
	[USERS_BY_SUB] = "contact id", [USERS_BY_EMAIL] = "email",
	[USERS_BY_USERNAME] = "username",
};

static json_t *
show_json(const char *who, const struct users_view *v)
{
	json_t *j, *mm, *teams, *audit, *u = json_null(), *sess = json_null();
	size_t i;

	teams = json_array();
	for (i = 0; i < v->n_teams; i++)
		json_array_append_new(teams, json_pack("{s:o, s:o, s:o, s:o}", "id",
		    jstr(v->teams[i].id), "name", jstr(v->teams[i].name), "display_name",
		    jstr(v->teams[i].display_name), "archived_at", jwhen(v->teams[i].delete_at)));
	if (v->have_user) {
		const struct mm_user *p = &v->user;

		u = json_pack("{s:o, s:o, s:o, s:o, s:b, s:o, s:o, s:b, s:o, s:o, s:b}",
		    "id", jstr(p->id), "username", jstr(p->username), "email", jstr(p->email),
		    "roles", jstr(p->roles), "active", p->delete_at == 0,
		    "deactivated_at", jwhen(p->delete_at), "auth_service", jstr(p->auth_service),
		    "mfa_active", p->mfa_active, "remote_id", jstr(p->remote_id),
		    "openthc_contact_id", jstr(p->contact_id), "is_bot", p->is_bot);
	}
	if (v->have_sessions)
		sess = json_pack("{s:I, s:I, s:o}", "count", (json_int_t)v->sessions.count,
		    "mobile", (json_int_t)v->sessions.mobile, "last_activity_at",
		    jwhen(v->sessions.last_activity_at));
	mm = json_pack("{s:o, s:o, s:o, s:o, s:I, s:o}", "user", u,
	    "error", v->mm_err == CB_OK ? json_null() : json_string(cb_err_reason(v->mm_err)),
	    "error_id", v->mm_error_id[0] ? jstr(v->mm_error_id) : json_null(),
	    "teams", teams, "teams_total", (json_int_t)v->teams_total, "sessions", sess);
	audit = json_array();
	for (i = 0; i < v->n_audit; i++)
		json_array_append_new(audit, audit_json(&v->audit[i]));
	j = json_pack("{s:o, s:s, s:o, s:o, s:o, s:o, s:o}", "query", jstr(who),
	    "by", kind_name[v->kind], "contact", v->sub[0] ? jstr(v->sub) : json_null(),
	    "link", v->link.found ? link_json(&v->link, false) : json_null(), "mattermost", mm,
	    "last_click", v->have_last_click ? audit_json(&v->last_click) : json_null(),
	    "audit", audit);
	return j;
}

static void
print_audit_row(const struct store_audit_row *a)
{
	char t[TIMEFMT_ISO_LEN];

	printf("  %s  %-4s %-22s %3d %-7s %-18s %-24s %s%s%s\n", when(a->at_ms, t), a->method,
	    a->route, a->status, a->outcome, a->reason, a->client, a->request_id,
	    a->detail[0] ? "  " : "", a->detail);
}

static void
show_text(const struct users_view *v)
{
	const struct mm_user *u = &v->user;
	char t[TIMEFMT_ISO_LEN], t2[TIMEFMT_ISO_LEN];
	size_t i;

	printf("%-18s %s\n", "contact", v->sub[0] ? v->sub : "- (no link names one)");
	if (v->link.found) {
		const struct store_link_info *l = &v->link;

		printf("link\n");
		printf("  %-16s %s\n", "mattermost user", l->mm_user_id);
		printf("  %-16s %s\n", "linked by", strcmp(l->how, "created") == 0 ?
		    "created (the bridge made the account)" : strcmp(l->how, "email") == 0 ?
		    "email (an existing account)" : l->how);
		printf("  %-16s %s\n", "created", when(l->created_ms, t));
		printf("  %-16s %s\n", "updated", when(l->updated_ms, t));
		printf("  %-16s %s (checked %s)\n", "teams joined",
		    l->teams_joined[0] ? l->teams_joined : "-", when(l->teams_checked_ms, t));
		printf("  %-16s %s\n", "password set", l->password_set ? "yes" : "no");
	} else {
		printf("%-18s %s\n", "link", "none (never signed in by the bridge, or unlinked)");
	}
	if (v->have_user) {
		printf("mattermost user\n");
		printf("  %-16s %s\n", "id", u->id);
		printf("  %-16s %s\n", "username", u->username);
		printf("  %-16s %s\n", "email", u->email);
		printf("  %-16s %s\n", "roles", u->roles);
		if (u->delete_at > 0)
			printf("  %-16s deactivated at %s\n", "state", when(u->delete_at, t));
		else
			printf("  %-16s active\n", "state");
		printf("  %-16s %s\n", "sign-in", u->auth_service[0] ? u->auth_service :
		    "email and password");
		printf("  %-16s %s\n", "mfa", u->mfa_active ? "on" : "off");
		printf("  %-16s %s\n", "remote id", u->remote_id[0] ? u->remote_id : "-");
		printf("  %-16s %s%s\n", "contact id prop", u->contact_id[0] ? u->contact_id : "-",
		    u->contact_id[0] && v->sub[0] && strcmp(u->contact_id, v->sub) != 0 ?
		    "  (differs from the link!)" : "");
		if (u->is_bot)
			printf("  %-16s yes\n", "bot");
		if (v->have_sessions)
			printf("  %-16s %u (%u mobile), last activity %s\n", "sessions",
			    v->sessions.count, v->sessions.mobile,
			    when(v->sessions.last_activity_at, t));
		printf("teams (%zu)\n", v->teams_total);
		for (i = 0; i < v->n_teams; i++)
			printf("  %-16s %-28s %s%s%s\n", v->teams[i].name, v->teams[i].display_name,
			    v->teams[i].id, v->teams[i].delete_at > 0 ? "  archived " : "",
			    v->teams[i].delete_at > 0 ? when(v->teams[i].delete_at, t2) : "");
		if (v->teams_total > v->n_teams)
			printf("  ... and %zu more\n", v->teams_total - v->n_teams);
	} else if (v->mm_err == CB_MM_NOT_FOUND) {
		printf("%-18s %s\n", "mattermost user", v->link.found ?
		    "not found: the linked account no longer exists (the next click looks it up "
		    "by email)" : "none with that name");
	} else if (v->mm_err != CB_OK) {
		printf("%-18s unknown: %s (%s)\n", "mattermost user", cb_err_describe(v->mm_err),
		    cb_err_reason(v->mm_err));
	}
	if (v->have_last_click)
		printf("%-18s %s, %d %s (%s) from %s, request %s\n", "last click",
		    when(v->last_click.at_ms, t), v->last_click.status, v->last_click.outcome,
		    v->last_click.reason, v->last_click.client, v->last_click.request_id);
	else
		printf("%-18s %s\n", "last click", v->sub[0] ? "none in the audit table" :
		    "unknown (the audit rows are found by the contact id)");
	if (v->sub[0] != '\0') {
		printf("audit (%zu most recent)\n", v->n_audit);
		for (i = 0; i < v->n_audit; i++)
			print_audit_row(&v->audit[i]);
	}
}

/* The message for a person not found. */
static void
print_unknown(const char *cmd, const char *who, enum users_unknown u)
{
	switch (u) {
	case USERS_NO_SUCH_USER:
		fprintf(stderr, "chat-bridge: users %s: no Mattermost user with the %s '%s'\n", cmd,
		    strchr(who, '@') != NULL ? "email" : "username", who);
		break;
	case USERS_NOT_LINKED:
		fprintf(stderr, "chat-bridge: users %s: '%s' is not linked to Mattermost by the "
		    "bridge (never signed in by it, or unlinked): nothing to do\n", cmd, who);
		break;
	default:
		fprintf(stderr, "chat-bridge: users %s: unknown contact '%s': no link, no audit row\n",
		    cmd, who);
		break;
	}
}

/* A failure of the store or Mattermost, on one line. */
static void
print_failure(const char *cmd, enum cb_err e, const char *step, const char *error_id)
{
	fprintf(stderr, "chat-bridge: users %s: %s%s%s (%s)%s%s\n", cmd, step != NULL ? step : "",
	    step != NULL && step[0] ? ": " : "", cb_err_describe(e), cb_err_reason(e),
	    error_id != NULL && error_id[0] ? " " : "", error_id != NULL ? error_id : "");
	if (e == CB_STORE_UNAVAILABLE)
		fprintf(stderr, "chat-bridge: users %s: check [store] database and run chat-bridge "
		    "migrate --config FILE\n", cmd);
}

static int
users_show_cmd(const struct config *c, const struct opts *o, unsigned limit)
{
	struct users_view *v = calloc(1, sizeof(*v));
	enum cb_err e;
	int rc;

	if (v == NULL)
		return EXIT_FAILURE;
	e = users_show(c, o->pos[1], limit, v);
	if (e == CB_MM_NOT_FOUND && v->unknown != USERS_KNOWN) {
		print_unknown("show", o->pos[1], v->unknown);
		rc = EXIT_REFUSED;
	} else if (e == CB_STORE_UNAVAILABLE || e == CB_ENOMEM ||
	    (e != CB_OK && !v->link.found && !v->have_user && v->n_audit == 0)) {
		print_failure("show", e, "", v->mm_error_id);
		rc = EXIT_REFUSED;
	} else {
		if (o->json)
			print_json(show_json(o->pos[1], v));
		else
			show_text(v);
		rc = 0;
		if (e != CB_OK) {	/* Mattermost could not say everything */
			print_failure("show", e, "Mattermost", v->mm_error_id);
			rc = EXIT_REFUSED;
		}
	}
	users_view_free(v);
	free(v);
	return rc;
}

struct list_out {
	bool json;
	json_t *links;
	size_t n;
};

static void
list_row(const struct store_link_info *l, void *arg)
{
	struct list_out *lo = arg;
	char t[TIMEFMT_ISO_LEN], t2[TIMEFMT_ISO_LEN], t3[TIMEFMT_ISO_LEN];

	lo->n++;
	if (lo->json) {
		json_array_append_new(lo->links, link_json(l, true));
		return;
	}
	if (lo->n == 1)
		printf("%-24s  %-26s  %-26s  %-7s  %-24s  %s\n", "LAST ACTIVITY", "CONTACT",
		    "MATTERMOST USER", "HOW", "CREATED", "LAST CLICK");
	printf("%-24s  %-26s  %-26s  %-7s  %-24s  %s\n", when(l->activity_ms, t), l->sub,
	    l->mm_user_id, l->how, when(l->created_ms, t2), when(l->last_click_ms, t3));
}

static int
users_list_cmd(const struct config *c, const struct opts *o, unsigned limit)
{
	struct list_out lo = {o->json != 0, NULL, 0};
	char t[TIMEFMT_ISO_LEN];
	int64_t since = 0;
	uint64_t total = 0;
	enum cb_err e;

	if (o->since != NULL && timefmt_parse_since(o->since, clock_now_ms(), &since) != CB_OK)
		return usage_error(usage_users, "--since: expected a duration (90m, 24h, 7d, 2w) or a "
		    "UTC date (2026-11-01, 2026-11-01T12:00:00Z), got '%s'", o->since);
	if (lo.json)
		lo.links = json_array();
	e = users_list(c, since, limit, list_row, &lo, &total);
	if (e != CB_OK) {
		json_decref(lo.links);
		print_failure("list", e, "", NULL);
		return EXIT_REFUSED;
	}
	if (lo.json) {
		print_json(json_pack("{s:o, s:I, s:I, s:o}", "since", o->since ? jwhen(since) :
		    json_null(), "total", (json_int_t)total, "shown", (json_int_t)lo.n, "links",
		    lo.links));
		return 0;
	}
	if (total == 0)
		printf("no links%s%s\n", o->since ? " active since " : "", o->since ? when(since, t) :
		    "");
	else
		printf("%zu of %llu link%s%s%s, the most recent activity first\n", lo.n,
		    (unsigned long long)total, total == 1 ? "" : "s", o->since ? " active since " : "",
		    o->since ? when(since, t) : "");
	return 0;
}

static const char *const action_name[] = {
	[USERS_REVOKE] = "revoke", [USERS_UNLINK] = "unlink", [USERS_DEACTIVATE] = "deactivate",
};

/* Who, for people: "jane.doe (Mattermost user X, contact Y)". */
static void
person(const struct users_result *r, char *out, size_t cap)
{
	(void)snprintf(out, cap, "%s%sMattermost user %s, contact %s%s", r->username,
	    r->username[0] ? " (" : "", r->mm_user_id, r->sub, r->username[0] ? ")" : "");
}

static void
change_text(const struct users_change *rq, const struct users_result *r)
{
	char who[256], sess[96] = "";

	person(r, who, sizeof(who));
	if (r->have_sessions)
		(void)snprintf(sess, sizeof(sess), "%u session%s", r->sessions.count,
		    r->sessions.count == 1 ? "" : "s");
	if (rq->dry_run) {
		switch (rq->action) {
		case USERS_REVOKE:
			printf("dry run: would end every Mattermost session of %s%s%s%s\n", who,
			    sess[0] ? " (" : "", sess, sess[0] ? " now)" : "");
			break;
		case USERS_UNLINK:
			printf("dry run: would delete the link of contact %s to Mattermost user %s; "
			    "the next click would link again by the linking rules\n", r->sub,
			    r->mm_user_id);
			break;
		case USERS_DEACTIVATE:
			if (r->was_inactive)
				printf("dry run: %s is already deactivated; would end every session "
				    "again%s%s%s\n", who, sess[0] ? " (" : "", sess, sess[0] ? " now)" : "");
			else
				printf("dry run: would deactivate %s and end every session%s%s%s\n", who,
				    sess[0] ? " (" : "", sess, sess[0] ? " now)" : "");
			break;
		}
		printf("dry run: nothing changed, no audit row written\n");
		return;
	}
	switch (rq->action) {
	case USERS_REVOKE:
		printf("logged out everywhere: every Mattermost session of %s ended%s%s%s\n", who,
		    sess[0] ? " (" : "", sess, sess[0] ? ")" : "");
		break;
	case USERS_UNLINK:
		printf("unlinked: contact %s no longer linked to Mattermost user %s; the next click "
		    "links again by the linking rules\n", r->sub, r->mm_user_id);
		break;
	case USERS_DEACTIVATE:
		if (r->was_inactive)
			printf("already deactivated: %s; every session ended again%s%s%s\n", who,
			    sess[0] ? " (" : "", sess, sess[0] ? ")" : "");
		else
			printf("deactivated %s and ended every session%s%s%s; later clicks are refused "
			    "(user_deactivated)\n", who, sess[0] ? " (" : "", sess, sess[0] ? ")" : "");
		break;
	}
	printf("audit row %s\n", r->request_id);
}

static json_t *
change_json(const struct users_change *rq, const struct users_result *r, enum cb_err e)
{
	return json_pack("{s:s, s:b, s:b, s:o, s:o, s:o, s:o, s:b, s:o, s:b, s:b, s:b, s:o, s:o, "
	    "s:o, s:o}", "action", action_name[rq->action], "dry_run", rq->dry_run, "ok",
	    e == CB_OK, "contact", r->sub[0] ? jstr(r->sub) : json_null(), "mm_user_id",
	    r->mm_user_id[0] ? jstr(r->mm_user_id) : json_null(), "username",
	    r->username[0] ? jstr(r->username) : json_null(), "sessions_before",
	    r->have_sessions ? json_integer(r->sessions.count) : json_null(), "was_inactive",
	    r->was_inactive, "audit_request_id", r->audited ? jstr(r->request_id) : json_null(),
	    "deactivated", r->deactivated, "revoked", r->revoked, "unlinked", r->unlinked,
	    "error", e == CB_OK ? json_null() : json_string(cb_err_reason(e)), "failed_step",
	    r->failed_step != NULL && r->failed_step[0] ? jstr(r->failed_step) : json_null(),
	    "error_id", r->error_id[0] ? jstr(r->error_id) : json_null(), "reason",
	    jstr(rq->reason));
}

static int
users_change_cmd(const struct config *c, const struct opts *o, enum users_action action)
{
	char op[CB_USERS_OPERATOR_MAX + 1];
	const char *cmd = action_name[action];
	struct users_change rq;
	struct users_result r;
	enum cb_err e;

	users_operator(op);
	rq.action = action;
	rq.who = o->pos[1];
	rq.reason = o->reason;
	rq.operator = op;
	rq.dry_run = o->dry_run != 0;
	e = users_change(c, &rq, &r);
	if (e == CB_MM_NOT_FOUND && r.unknown != USERS_KNOWN) {
		print_unknown(cmd, rq.who, r.unknown);
		return EXIT_REFUSED;
	}
	if (o->json && (e == CB_OK || r.sub[0] != '\0'))
		print_json(change_json(&rq, &r, e));
	if (e == CB_OK) {
		if (!o->json)
			change_text(&rq, &r);
		return 0;
	}
	if (r.audit_err != CB_OK) {
		if (r.deactivated || r.revoked)
			fprintf(stderr, "chat-bridge: users %s: done in Mattermost (%s%s), but the "
			    "audit row could not be written: %s (%s)\n", cmd,
			    r.deactivated ? "deactivated, " : "", r.revoked ? "sessions revoked" :
			    "sessions not revoked", cb_err_describe(r.audit_err),
			    cb_err_reason(r.audit_err));
		else
			fprintf(stderr, "chat-bridge: users %s: the audit row could not be written, "
			    "nothing changed: %s (%s)\n", cmd, cb_err_describe(r.audit_err),
			    cb_err_reason(r.audit_err));
		return EXIT_REFUSED;
	}
	print_failure(cmd, e, r.failed_step, r.error_id);
	if (r.deactivated)
		fprintf(stderr, "chat-bridge: users %s: the user IS deactivated; its sessions were "
		    "not revoked: run chat-bridge users revoke\n", cmd);
	else if (!rq.dry_run && r.sub[0] != '\0')
		fprintf(stderr, "chat-bridge: users %s: nothing changed%s%s\n", cmd,
		    r.audited ? "; audit row " : "", r.audited ? r.request_id : "");
	return EXIT_REFUSED;
}

/* --reason: said, one line, valid UTF-8, short enough for the audit row. */
static int
check_reason(const char *reason)
{
	json_t *j;
	size_t n, i;

	if (reason == NULL)
		return usage_error(usage_users, "--reason TEXT is required: it goes to the audit "
		    "table with your name%s", "");
	n = strlen(reason);
	for (i = 0; i < n && reason[i] == ' '; i++)
		;
	if (i == n)
		return usage_error(usage_users, "--reason must say something%s", "");
	if (n > CB_USERS_REASON_MAX)
		return usage_error(usage_users, "--reason: at most %d bytes, got %zu",
		    CB_USERS_REASON_MAX, n);
	if (!no_controls(reason, n) || (j = json_string(reason)) == NULL)
		return usage_error(usage_users, "--reason: one line of UTF-8 text, without control "
		    "characters%s", "");
	json_decref(j);
	return 0;
}

static int
cmd_users(int argc, char **argv)
{
	static const struct {
		const char *name;
		int change;	/* -1 show, -2 list, else enum users_action */
	} subs[] = {
		{"show", -1}, {"list", -2}, {"revoke", USERS_REVOKE}, {"unlink", USERS_UNLINK},
		{"deactivate", USERS_DEACTIVATE},
	};
	struct opts o = {0};
	struct config *c;
	enum users_kind kind;
	int64_t limit = -1;
	size_t i;
	int rc, sub = 0;

	if ((rc = parse(argc, argv, users_opts, usage_users, &o)) != 0)
		return rc;
	if (o.help) {
		fputs(usage_users, stdout);
		return 0;
	}
	if (o.npos == 0)
		return usage_error(usage_users, "expected show, list, revoke, unlink or deactivate%s",
		    "");
	for (i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		if (strcmp(o.pos[0], subs[i].name) == 0)
			break;
	if (i == sizeof(subs) / sizeof(subs[0]))
		return usage_error(usage_users, "unknown users command '%s'", o.pos[0]);
	sub = subs[i].change;
	if (sub == -2 && o.npos != 1)
		return usage_error(usage_users, "users list takes no argument, got '%s'", o.pos[1]);
	if (sub != -2 && o.npos != 2)
		return usage_error(usage_users, "users %s needs exactly one SUB, EMAIL or USERNAME",
		    o.pos[0]);
	if (sub != -2 && users_query_kind(o.pos[1], &kind) != CB_OK)
		return usage_error(usage_users, "'%s' is not a contact id, an email or a Mattermost "
		    "username", o.pos[1]);
	if (o.since != NULL && sub != -2)
		return usage_error(usage_users, "--since is for users list%s", "");
	if (o.limit != NULL && sub >= 0)
		return usage_error(usage_users, "--limit is for users show and users list%s", "");
	if ((o.reason != NULL || o.dry_run) && sub < 0)
		return usage_error(usage_users, "--reason and --dry-run are for revoke, unlink and "
		    "deactivate%s", "");
	if (sub >= 0 && (rc = check_reason(o.reason)) != 0)
		return rc;
	if (o.limit != NULL && (int_opt("limit", o.limit, sub == -1 ? CB_USERS_AUDIT_MAX :
	    CB_USERS_LIST_MAX, &limit) != 0 || (sub == -2 && limit < 1)))
		return usage_error(usage_users, "--limit: from %d to %d", sub == -1 ? 0 : 1,
		    sub == -1 ? CB_USERS_AUDIT_MAX : CB_USERS_LIST_MAX);
	if (limit < 0)
		limit = sub == -1 ? CB_USERS_AUDIT_DEFAULT : CB_USERS_LIST_DEFAULT;
	if ((c = load_config(&o, &rc)) == NULL)
		return rc;
	if (sub == -1)
		rc = users_show_cmd(c, &o, (unsigned)limit);
	else if (sub == -2)
		rc = users_list_cmd(c, &o, (unsigned)limit);
	else
		rc = users_change_cmd(c, &o, (enum users_action)sub);
	config_free(c);
	return rc;
}

int
cli_main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} cmds[] = {
		{"serve", cmd_serve}, {"check-config", cmd_check_config}, {"migrate", cmd_migrate},
		{"keygen", cmd_keygen}, {"mint", cmd_mint}, {"verify", cmd_verify},
		{"teams", cmd_teams}, {"users", cmd_users},
	};
	size_t i;

	if (argc < 2)
		return cmd_serve(0, argv + 1);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		fputs(usage_main, stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		puts(VERSION_STRING);
		return 0;
	}
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(argv[1], cmds[i].name) == 0)
			return cmds[i].fn(argc - 2, argv + 2);
	if (strncmp(argv[1], "--", 2) == 0)	/* options of the default command */
		return cmd_serve(argc - 1, argv + 1);
	fprintf(stderr, "chat-bridge: unknown command '%s'\n\n%s", argv[1], usage_main);
	return EXIT_USAGE;
}
