/*
 * cli.c - command-line parsing and the offline commands (keygen, mint,
 * verify, check-config); serve, migrate and teams sync call into the
 * shell modules.
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
#include "config.h"
#include "identity.h"
#include "mint.h"
#include "server.h"
#include "store.h"
#include "teams_sync.h"
#include "token.h"
#include "util.h"

#define VERSION_STRING "chat-bridge 1.0.0"

struct opts {
	const char *config, *listen, *now, *seed_file, *iss, *aud, *sub, *com, *email, *name;
	const char *com_name, *lic, *cre, *reg, *ttl, *iat, *jti, *hs256_secret_file, *count;
	const char *teams[CB_TOKEN_TEAMS_MAX];
	size_t n_teams;
	int dry_run, help;
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
static const struct optdef keygen_opts[] = {{"seed-file", O(seed_file), 0}, {NULL, 0, 0}};
static const struct optdef verify_opts[] = {
	{"config", O(config), 0}, {"now", O(now), 0}, {NULL, 0, 0}};
static const struct optdef teams_opts[] = {
	{"config", O(config), 0}, {"dry-run", O(dry_run), 1}, {NULL, 0, 0}};
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
    "usage: chat-bridge check-config [--config FILE]\n"
    "\n"
    "Reads the configuration and every secret file it names, and reports the first error as\n"
    "FILE:LINE: reason. Exit status 0 if valid, 1 if not.\n";

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

	if ((rc = parse(argc, argv, config_opts, usage_check, &o)) != 0)
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
		nteams = identity_teams(&cl, issuer_find(&c->issuers, cl.iss, strlen(cl.iss)),
		    c->default_team, teams, sizeof(teams) / sizeof(teams[0]), jur);
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

int
cli_main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} cmds[] = {
		{"serve", cmd_serve}, {"check-config", cmd_check_config}, {"migrate", cmd_migrate},
		{"keygen", cmd_keygen}, {"mint", cmd_mint}, {"verify", cmd_verify},
		{"teams", cmd_teams},
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
