/*
 * store.c - the bridge's PostgreSQL store (see store.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>
#include <sodium.h>

#include "clock.h"
#include "log.h"
#include "logline.h"
#include "pg.h"
#include "secret.h"
#include "store.h"
#include "util.h"

struct store {
	struct pg *pg;
	struct secret pseudonym_key;	/* keys the audit pseudonyms; empty if unknown */
	/* The replay claim of the open transaction, made again on its own if
	 * the transaction cannot be committed. */
	bool claimed;
	char iss[CB_ISSUER_ID_MAX + 1];
	char jti[CB_JTI_MAX + 1];
	char expires[24];
};

#define PSEUDONYM_KEY_NAME "audit_pseudonym"
#define PSEUDONYM_KEY_BYTES 32

/* ------------------------------------------------------------ schema */

/*
 * Schema steps, expand/contract. Step n takes the schema from version n-1
 * to n; `chat-bridge migrate` applies the missing ones and records each in
 * chat_bridge_schema (version, applied_at, compatible_from). Never edit a
 * step that has shipped; append the next.
 *
 * Each step declares compatible_from: the oldest bridge (by the schema
 * version it was built for) that still runs on a store at this step. A
 * bridge built for N runs on a store at M >= N when every step N+1..M has
 * compatible_from <= N (check_schema); on an older store it asks for
 * `migrate`. So that bridges of two releases can serve side by side during
 * a rolling upgrade:
 *  - expand first: a step that only adds (a table, an index, a nullable
 *    column or one with a default that older bridges need not write) is
 *    STEP_ADDITIVE: it runs with whatever ran before it;
 *  - contract later: a step that drops or changes something an older
 *    bridge reads or writes declares the first version that no longer uses
 *    it, and ships in a release after that version (docs/operations.md,
 *    "Several hosts").
 * Bridges built for schema 1 or 2 predate compatible_from and accept only
 * their own version.
 */
#define STEP_ADDITIVE 0		/* compatible_from: as the step before */

struct step {
	int compatible_from;	/* oldest bridge version that runs on it, or STEP_ADDITIVE */
	const char *sql;
};

static const struct step steps[] = {
	/* 1: replay, links, audit */
	{1,
	"CREATE TABLE chat_bridge_replay ("
	"  iss text NOT NULL,"
	"  jti text NOT NULL,"
	"  expires_at timestamptz NOT NULL,"
	"  used_at timestamptz NOT NULL DEFAULT now(),"
	"  PRIMARY KEY (iss, jti));"
	"CREATE INDEX chat_bridge_replay_expires_at ON chat_bridge_replay (expires_at);"
	"CREATE TABLE chat_bridge_link ("
	"  sub text PRIMARY KEY,"
	"  mm_user_id text NOT NULL,"
	"  how text NOT NULL,"
	"  created_at timestamptz NOT NULL DEFAULT now(),"
	"  updated_at timestamptz NOT NULL DEFAULT now(),"
	"  password_set_at timestamptz,"
	"  teams_key text NOT NULL DEFAULT '',"
	"  teams_joined text NOT NULL DEFAULT '',"
	"  teams_checked_at timestamptz);"
	"CREATE INDEX chat_bridge_link_mm_user_id ON chat_bridge_link (mm_user_id);"
	"CREATE TABLE chat_bridge_audit ("
	"  id bigserial PRIMARY KEY,"
	"  at timestamptz NOT NULL DEFAULT now(),"
	"  request_id text NOT NULL,"
	"  route text NOT NULL,"
	"  method text NOT NULL,"
	"  client text NOT NULL,"
	"  status integer NOT NULL,"
	"  outcome text NOT NULL,"
	"  reason text NOT NULL,"
	"  detail text NOT NULL,"
	"  via text NOT NULL,"
	"  iss text NOT NULL,"
	"  sub_hash text NOT NULL,"
	"  mm_user_id text NOT NULL,"
	"  mode text NOT NULL,"
	"  latency_us bigint NOT NULL);"
	"CREATE INDEX chat_bridge_audit_at ON chat_bridge_audit (at);"},
	/* 2: OAuth2 sign-in with OpenTHC SSO */
	{STEP_ADDITIVE,
	"CREATE TABLE chat_bridge_sso_state ("
	"  state text PRIMARY KEY,"
	"  binding text NOT NULL,"
	"  verifier text NOT NULL,"
	"  r text NOT NULL,"
	"  expires_at timestamptz NOT NULL,"
	"  used_at timestamptz);"
	"CREATE INDEX chat_bridge_sso_state_expires_at ON chat_bridge_sso_state (expires_at);"},
	/* 3: expand/contract: each step records the oldest bridge it runs
	 * with (store_migrate fills it in for the steps before this one). */
	{STEP_ADDITIVE,
	"ALTER TABLE chat_bridge_schema ADD COLUMN compatible_from integer;"},
	/* 4: a Mattermost account belongs to at most one contact. Links
	 * that broke the rule (the later ones, which an email reused by a
	 * second contact created) move to chat_bridge_link_dropped; those
	 * contacts are linked again on their next click, by the linking
	 * rules (a conflict is refused). And the secret for the keyed
	 * audit pseudonyms, which migrate fills in. compatible_from 4: a
	 * bridge before it could link a second contact to an account and
	 * would fail on the unique index. */
	{4,
	"CREATE TABLE chat_bridge_link_dropped ("
	"  sub text NOT NULL,"
	"  mm_user_id text NOT NULL,"
	"  how text NOT NULL,"
	"  created_at timestamptz NOT NULL,"
	"  dropped_at timestamptz NOT NULL DEFAULT now(),"
	"  reason text NOT NULL);"
	"INSERT INTO chat_bridge_link_dropped (sub, mm_user_id, how, created_at, reason) "
	"  SELECT l.sub, l.mm_user_id, l.how, l.created_at, 'another contact was linked to this "
	"Mattermost account first' FROM chat_bridge_link l WHERE EXISTS (SELECT 1 FROM "
	"chat_bridge_link o WHERE o.mm_user_id = l.mm_user_id AND (o.created_at, o.sub) < "
	"(l.created_at, l.sub));"
	"DELETE FROM chat_bridge_link l USING chat_bridge_link_dropped d WHERE d.sub = l.sub "
	"AND d.mm_user_id = l.mm_user_id;"
	"DROP INDEX chat_bridge_link_mm_user_id;"
	"CREATE UNIQUE INDEX chat_bridge_link_mm_user_id ON chat_bridge_link (mm_user_id);"
	"CREATE TABLE chat_bridge_secret ("
	"  name text PRIMARY KEY,"
	"  value bytea NOT NULL,"
	"  created_at timestamptz NOT NULL DEFAULT now());"},
	/* 5: what a returning click needs without asking Mattermost: the
	 * login name of the account (login mode signs in by email or
	 * username from Mattermost 11.3), the version of its derived
	 * password (72-byte passwords from version 2), and a hash of the
	 * profile the bridge last wrote (issue 17, profile sync). */
	{STEP_ADDITIVE,
	"ALTER TABLE chat_bridge_link"
	"  ADD COLUMN mm_email text NOT NULL DEFAULT '',"
	"  ADD COLUMN mm_username text NOT NULL DEFAULT '',"
	"  ADD COLUMN password_version smallint NOT NULL DEFAULT 1,"
	"  ADD COLUMN profile_hash text NOT NULL DEFAULT '';"},
#ifdef CB_TEST_SCHEMA_STEP
	/* Test builds only (tests/CMakeLists.txt: chat-bridge-next): one more
	 * step, so the tests can run bridges of two schema versions side by
	 * side without a real future step. Never defined in a release. */
#include CB_TEST_SCHEMA_STEP
#endif
};

/* The schema version this bridge is built for. */
#define SCHEMA_VERSION ((int)(sizeof(steps) / sizeof(steps[0])))
/* From this step on, chat_bridge_schema has compatible_from. */
#define SCHEMA_COMPAT_STEP 3
_Static_assert(sizeof(steps) / sizeof(steps[0]) >= SCHEMA_COMPAT_STEP,
    "the step that adds compatible_from is part of every build");

/* The compatible_from that step n (1-based) records. */
static int
step_compatible_from(int n)
{
	while (n > 1 && steps[n - 1].compatible_from == STEP_ADDITIVE)
		n--;
	return steps[n - 1].compatible_from != STEP_ADDITIVE ? steps[n - 1].compatible_from : 1;
}

/* ------------------------------------------------------------ statements */

enum {
	S_REPLAY, S_LOCK, S_CLAIM_LOCK, S_LINK_GET, S_LINK_PUT, S_LINK_DEL, S_LINK_TEAMS, S_LINK_PW,
	S_LINK_ACCOUNT, S_LINK_PROFILE, S_LINK_OWNER,
	S_AUDIT,
	S_PURGE_REPLAY, S_PURGE_SSO, S_PURGE_AUDIT, S_PING, S_SSO_PUT, S_SSO_TAKE,
	S_USERS_LINK, S_USERS_LIST, S_USERS_AUDIT,
	S_COUNT
};

/* chat-bridge users. A time as milliseconds since the epoch. */
#define MS(x) "(extract(epoch FROM " x ") * 1000)::bigint"
#define LINK_COLUMNS "sub, mm_user_id, how, teams_key, teams_joined, " MS("created_at") ", " \
	MS("updated_at") ", coalesce(" MS("teams_checked_at") ", 0), password_set_at IS NOT NULL"
/* An HMAC-SHA256 pad (RFC 2104: the key in a 64-byte block, XOR x) of
 * the 32-byte key k.k. */
#define PAD(x) "(SELECT decode(string_agg(lpad(to_hex(CASE WHEN i < 32 THEN get_byte(k.k, i) " \
	"ELSE 0 END # " x "), 2, '0'), '' ORDER BY i), 'hex') FROM generate_series(0, 63) i)"
/* The pseudonym of l.sub exactly as store_pseudonym computes it: the
 * first bytes of HMAC-SHA256 under the key migrate made (loaded only
 * when it has 32 bytes), in hex; of SHA-256 while there is none. */
#define PSEUDONYM_SQL "CASE WHEN p.keyed THEN substr(encode(sha256(p.opad || sha256(p.ipad || " \
	"convert_to(l.sub, 'UTF8'))), 'hex'), 1, " CB_STR(CB_PSEUDONYM_LEN) ") ELSE " \
	"substr(encode(sha256(convert_to(l.sub, 'UTF8')), 'hex'), 1, " CB_STR(CB_PSEUDONYM_LEN) ") END"
#define CB_STR_(x) #x
#define CB_STR(x) CB_STR_(x)

static const struct pg_stmt stmts[S_COUNT] = {
	[S_REPLAY] = {"replay", "INSERT INTO chat_bridge_replay (iss, jti, expires_at) "
	    "VALUES ($1, $2, to_timestamp($3::bigint)) ON CONFLICT DO NOTHING", 3},
	[S_LOCK] = {"lock", "SELECT 1, pg_advisory_xact_lock(hashtextextended('chat-bridge/contact/' || $1, 0))", 1},
	/* The replay claim, and the contact's lock only when the claim is
	 * fresh: a replay never waits for a lock held elsewhere. */
	[S_CLAIM_LOCK] = {"claim_lock", "WITH claim AS (INSERT INTO chat_bridge_replay (iss, jti, expires_at) "
	    "VALUES ($1, $2, to_timestamp($3::bigint)) ON CONFLICT DO NOTHING RETURNING 1) "
	    "SELECT (SELECT count(*) FROM claim), (SELECT count(*) FROM (SELECT "
	    "pg_advisory_xact_lock(hashtextextended('chat-bridge/contact/' || $4, 0)) FROM claim) l)", 4},
	[S_LINK_GET] = {"link_get", "SELECT mm_user_id, how, teams_key, teams_joined, "
	    "coalesce(extract(epoch FROM teams_checked_at)::bigint, 0), password_set_at IS NOT NULL, "
	    "mm_email, mm_username, password_version, profile_hash "
	    "FROM chat_bridge_link WHERE sub = $1", 1},
	[S_LINK_PUT] = {"link_put", "INSERT INTO chat_bridge_link (sub, mm_user_id, how, password_set_at, "
	    "password_version, mm_email, mm_username) "
	    "VALUES ($1, $2, $3, CASE WHEN $4::boolean THEN now() END, $5::smallint, $6, $7) "
	    "ON CONFLICT (sub) DO UPDATE SET "
	    "mm_user_id = EXCLUDED.mm_user_id, how = EXCLUDED.how, password_set_at = "
	    "EXCLUDED.password_set_at, password_version = EXCLUDED.password_version, "
	    "mm_email = EXCLUDED.mm_email, mm_username = EXCLUDED.mm_username, profile_hash = '', "
	    "teams_key = '', teams_joined = '', teams_checked_at = NULL, updated_at = now()", 7},
	[S_LINK_DEL] = {"link_del", "DELETE FROM chat_bridge_link WHERE sub = $1", 1},
	[S_LINK_TEAMS] = {"link_teams", "UPDATE chat_bridge_link SET teams_key = $2, teams_joined = $3, "
	    "teams_checked_at = now(), updated_at = now() WHERE sub = $1", 3},
	[S_LINK_PW] = {"link_pw", "UPDATE chat_bridge_link SET password_set_at = now(), "
	    "password_version = $2::smallint, updated_at = now() WHERE sub = $1", 2},
	[S_LINK_ACCOUNT] = {"link_account", "UPDATE chat_bridge_link SET mm_email = $2, mm_username = $3, "
	    "updated_at = now() WHERE sub = $1 AND (mm_email, mm_username) IS DISTINCT FROM ($2, $3)", 3},
	[S_LINK_PROFILE] = {"link_profile", "UPDATE chat_bridge_link SET profile_hash = $2, "
	    "updated_at = now() WHERE sub = $1", 2},
	[S_LINK_OWNER] = {"link_owner", "SELECT count(*) FROM chat_bridge_link WHERE mm_user_id = $1 "
	    "AND sub <> $2", 2},
	[S_AUDIT] = {"audit", "INSERT INTO chat_bridge_audit (request_id, route, method, client, status, "
	    "outcome, reason, detail, via, iss, sub_hash, mm_user_id, mode, latency_us) VALUES "
	    "($1, $2, $3, $4, $5::integer, $6, $7, $8, $9, $10, $11, $12, $13, $14::bigint)", 14},
	[S_PURGE_REPLAY] = {"purge_replay", "DELETE FROM chat_bridge_replay WHERE expires_at < now()", 0},
	[S_PURGE_SSO] = {"purge_sso", "DELETE FROM chat_bridge_sso_state WHERE expires_at < now() - "
	    "interval '1 hour'", 0},
	[S_PURGE_AUDIT] = {"purge_audit", "DELETE FROM chat_bridge_audit WHERE at < now() - "
	    "make_interval(days => $1::integer)", 1},
	[S_PING] = {"ping", "SELECT 1", 0},
	[S_SSO_PUT] = {"sso_put", "INSERT INTO chat_bridge_sso_state (state, binding, verifier, r, expires_at) "
	    "VALUES ($1, $2, $3, $4, to_timestamp($5::bigint))", 5},
	/* Atomic single use: only an unused, unexpired row with the right
	 * binding is marked used and returned. */
	[S_SSO_TAKE] = {"sso_take", "UPDATE chat_bridge_sso_state SET used_at = now() WHERE state = $1 "
	    "AND binding = $2 AND used_at IS NULL AND expires_at > now() RETURNING verifier, r", 2},
	[S_USERS_LINK] = {"users_link", "SELECT " LINK_COLUMNS " FROM chat_bridge_link WHERE "
	    "($1 <> '' AND sub = $1) OR ($1 = '' AND mm_user_id = $2)", 2},
	/* One scan of each table: the last clicks of every pseudonym, joined
	 * to the links' pseudonyms. */
	[S_USERS_LIST] = {"users_list", "WITH k AS (SELECT (SELECT value FROM chat_bridge_secret "
	    "WHERE name = '" PSEUDONYM_KEY_NAME "' AND length(value) = 32) AS k), "
	    "p AS (SELECT k.k IS NOT NULL AS keyed, " PAD("54") " AS ipad, " PAD("92") " AS opad FROM k), "
	    "l AS (SELECT l.*, " PSEUDONYM_SQL " AS h FROM chat_bridge_link l, p), "
	    "c AS (SELECT sub_hash, max(at) AS at FROM chat_bridge_audit WHERE via <> 'cli' AND "
	    "sub_hash <> '' GROUP BY sub_hash), "
	    "r AS (SELECT l.*, c.at AS last_click, greatest(l.created_at, l.updated_at, c.at) AS activity "
	    "FROM l LEFT JOIN c ON c.sub_hash = l.h) "
	    "SELECT " LINK_COLUMNS ", coalesce(" MS("last_click") ", 0), " MS("activity") ", "
	    "count(*) OVER () FROM r WHERE activity >= to_timestamp($1::bigint / 1000.0) "
	    "ORDER BY activity DESC, sub LIMIT $2::integer", 2},
	[S_USERS_AUDIT] = {"users_audit", "SELECT " MS("at") ", request_id, route, method, client, "
	    "status, outcome, reason, detail, via, iss, mm_user_id, mode FROM chat_bridge_audit "
	    "WHERE sub_hash = $1 AND (NOT $2::boolean OR via <> 'cli') ORDER BY at DESC, id DESC "
	    "LIMIT $3::integer", 3},
};

/* Reads the schema version; -1 if it cannot be read. */
static int
schema_version(PGconn *c)
{
	PGresult *r = PQexec(c, "SELECT coalesce(max(version), 0) FROM chat_bridge_schema");
	int v = -1;

	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
		v = (int)strtol(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return v;
}

/* Loads the audit pseudonym key into s (left empty if there is none). */
static void
load_pseudonym_key(struct store *s, PGconn *conn)
{
	const char *p[1] = {PSEUDONYM_KEY_NAME};
	unsigned char key[PSEUDONYM_KEY_BYTES];
	PGresult *r = PQexecParams(conn, "SELECT encode(value, 'hex') FROM chat_bridge_secret "
	    "WHERE name = $1", 1, NULL, p, NULL, NULL, 0);
	size_t len = 0;

	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 &&
	    sodium_hex2bin(key, sizeof(key), PQgetvalue(r, 0, 0), strlen(PQgetvalue(r, 0, 0)), NULL,
	    &len, NULL) == 0 && len == sizeof(key) && secret_set(&s->pseudonym_key, key, len) != CB_OK)
		secret_free(&s->pseudonym_key);	/* out of memory: the unkeyed form, for now */
	sodium_memzero(key, sizeof(key));
	PQclear(r);
}


/* For a store at version v > SCHEMA_VERSION: the oldest bridge version
 * every newer step runs with (a step without compatible_from, or a
 * missing step, counts as needing its own version); -1 if it cannot be
 * read. */
static int
newer_steps_need(PGconn *c, int v)
{
	char sql[256];
	PGresult *r;
	int need = -1;
	long n;

	(void)snprintf(sql, sizeof(sql), "SELECT count(*), coalesce(max(coalesce(compatible_from, "
	    "version)), 0) FROM chat_bridge_schema WHERE version > %d", SCHEMA_VERSION);
	r = PQexec(c, sql);
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) {
		n = strtol(PQgetvalue(r, 0, 0), NULL, 10);
		need = (int)strtol(PQgetvalue(r, 0, 1), NULL, 10);
		if (n != v - SCHEMA_VERSION)
			need = v;	/* a gap: nothing to judge by */
	}
	PQclear(r);
	return need;
}

/* pg_conf check: the store must be at this bridge's schema version, or
 * newer with every newer step compatible with it. */
static enum cb_err
check_schema(struct pg *pg, PGconn *conn, void *owner)
{
	int v = schema_version(conn), need;

	if (v == SCHEMA_VERSION) {
		load_pseudonym_key(owner, conn);
		return CB_OK;
	}
	if (v < 0) {
		pg_log(pg, "reading the schema version (run chat-bridge migrate --config FILE)");
		return CB_STORE_UNAVAILABLE;
	}
	if (v < SCHEMA_VERSION) {
		log_msg(LOG_ERROR, "store: schema version %d, this bridge needs %d: run chat-bridge "
		    "migrate --config FILE", v, SCHEMA_VERSION);
		return CB_STORE_UNAVAILABLE;
	}
	if ((need = newer_steps_need(conn, v)) < 0) {
		pg_log(pg, "reading the schema steps");
		return CB_STORE_UNAVAILABLE;
	}
	if (need <= SCHEMA_VERSION)
		return CB_OK;
	log_msg(LOG_ERROR, "store: schema version %d runs with bridges of schema version %d or "
	    "newer, this bridge has %d: upgrade the bridge", v, need, SCHEMA_VERSION);
	return CB_STORE_UNAVAILABLE;
}

static const struct pg_conf store_conf = {
	.what = "store",
	.setup_sql = "SET statement_timeout = '10s'; SET lock_timeout = '10s'",
	.stmts = stmts,
	.n_stmts = S_COUNT,
	.unavailable = CB_STORE_UNAVAILABLE,
	.hist = MH_STORE,
	.check = check_schema,
};

struct store *
store_new(const char *dsn, struct metrics *metrics)
{
	struct store *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	if ((s->pg = pg_new(dsn, &store_conf, metrics, s)) == NULL) {
		free(s);
		return NULL;
	}
	return s;
}

void
store_free(struct store *s)
{
	if (s == NULL)
		return;
	pg_free(s->pg);
	secret_free(&s->pseudonym_key);
	free(s);
}

enum cb_err
store_ensure(struct store *s)
{
	return pg_ensure(s->pg);
}

/* Copies a link_get row into *out. */
static void
link_from_row(const PGresult *r, struct link *out)
{
	memset(out, 0, sizeof(*out));
	if (PQntuples(r) != 1)
		return;
	out->found = true;
	(void)str_set(out->mm_user_id, sizeof(out->mm_user_id), PQgetvalue(r, 0, 0));
	(void)str_set(out->how, sizeof(out->how), PQgetvalue(r, 0, 1));
	(void)str_set(out->teams_key, sizeof(out->teams_key), PQgetvalue(r, 0, 2));
	(void)str_set(out->teams_joined, sizeof(out->teams_joined), PQgetvalue(r, 0, 3));
	out->teams_checked_at = strtoll(PQgetvalue(r, 0, 4), NULL, 10);
	out->password_set = strcmp(PQgetvalue(r, 0, 5), "t") == 0;
	(void)str_set(out->mm_email, sizeof(out->mm_email), PQgetvalue(r, 0, 6));
	(void)str_set(out->mm_username, sizeof(out->mm_username), PQgetvalue(r, 0, 7));
	out->password_version = (int)strtol(PQgetvalue(r, 0, 8), NULL, 10);
	(void)str_set(out->profile_hash, sizeof(out->profile_hash), PQgetvalue(r, 0, 9));
}

struct begin_arg {
	const char *iss, *jti, *expires, *sub;
	struct link *out;
	bool fresh;		/* the claim inserted its row */
	bool lock_failed;	/* the claim/lock statement failed (lock timeout...) */
};

/* Sends one query of the begin pipeline. */
static bool
send_prepared(PGconn *conn, size_t i, int n, const char *const *p)
{
	return PQsendQueryPrepared(conn, stmts[i].name, n, p, NULL, NULL, 0) == 1;
}

/* BEGIN, the replay claim with the contact's lock, a savepoint, the link
 * read: one pipeline, one round trip. The link is read by a statement of
 * its own, after the lock, so it sees what a click that held the lock
 * before committed. */
static enum cb_err
begin_op(struct pg *pg, PGconn *conn, void *arg)
{
	struct begin_arg *x = arg;
	const char *claim[4] = {x->iss, x->jti, x->expires, x->sub}, *one[1] = {x->sub};
	PGresult *res[4] = {NULL, NULL, NULL, NULL}, *r;
	int64_t t0 = clock_mono_us();
	int got = 0, reads, i;
	bool synced = false, ok;

	x->lock_failed = false;
	if (PQenterPipelineMode(conn) != 1)
		return CB_STORE_UNAVAILABLE;
	if (PQsendQueryParams(conn, "BEGIN", 0, NULL, NULL, NULL, NULL, 0) == 1 &&
	    (x->jti != NULL ? send_prepared(conn, S_CLAIM_LOCK, 4, claim)
	    : send_prepared(conn, S_LOCK, 1, one)) &&
	    PQsendQueryParams(conn, "SAVEPOINT claimed", 0, NULL, NULL, NULL, NULL, 0) == 1 &&
	    send_prepared(conn, S_LINK_GET, 1, one) && PQpipelineSync(conn) == 1) {
		/* Each query's results end with NULL; the sync comes last. The
		 * bound only guards against a protocol surprise. */
		for (reads = 0; reads < 24 && !synced; reads++) {
			if ((r = PQgetResult(conn)) == NULL) {
				if (PQstatus(conn) != CONNECTION_OK)
					break;
				continue;
			}
			if (PQresultStatus(r) == PGRES_PIPELINE_SYNC) {
				synced = true;
				PQclear(r);
			} else if (got < 4) {
				res[got++] = r;
			} else {
				PQclear(r);
			}
		}
	}
	pg_observe(pg, t0);
	ok = synced && got == 4 && PQresultStatus(res[0]) == PGRES_COMMAND_OK &&
	    PQresultStatus(res[1]) == PGRES_TUPLES_OK && PQresultStatus(res[2]) == PGRES_COMMAND_OK &&
	    PQresultStatus(res[3]) == PGRES_TUPLES_OK;
	if (ok) {
		x->fresh = x->jti == NULL || strcmp(PQgetvalue(res[1], 0, 0), "1") == 0;
		link_from_row(res[3], x->out);
	} else if (synced && got >= 2 && PQresultStatus(res[1]) == PGRES_FATAL_ERROR) {
		x->lock_failed = true;
		pg_log(pg, "begin");	/* before the rollback replaces the message */
	}
	for (i = 0; i < 4; i++)
		PQclear(res[i]);
	if (PQstatus(conn) == CONNECTION_OK && PQexitPipelineMode(conn) != 1) {
		pg_log(pg, "pipeline");
		pg_drop(pg);	/* results left over: this connection is unusable */
		return CB_STORE_UNAVAILABLE;
	}
	if (ok)
		return CB_OK;
	if (PQstatus(conn) == CONNECTION_OK) {
		if (!x->lock_failed)
			pg_log(pg, "begin");
		pg_rollback(pg);	/* a real error: leave no transaction */
	}
	return CB_STORE_UNAVAILABLE;
}

enum cb_err
store_begin_click(struct store *s, const char *iss, const char *jti, int64_t expires,
    const char *sub, struct link *out)
{
	char exp[24];
	struct begin_arg x = {iss, jti, exp, sub, out, false, false};
	const char *p[3] = {iss, jti, exp};
	enum cb_err e;

	memset(out, 0, sizeof(*out));
	(void)snprintf(exp, sizeof(exp), "%" PRId64, expires);
	e = pg_run(s->pg, "begin", begin_op, &x);
	if (e != CB_OK) {
		/* The claim went down with the transaction (a lock held too
		 * long, say): claim it on its own, so a failed click has still
		 * used its token up. */
		if (jti != NULL && pg_exec(s->pg, S_REPLAY, p, PGRES_COMMAND_OK, NULL) != CB_OK)
			log_msg(LOG_WARN, "store: the replay claim of a failed click was not written");
		return e;
	}
	if (!x.fresh) {
		pg_rollback(s->pg);
		return CB_TOK_REPLAYED;
	}
	s->claimed = jti != NULL;
	if (s->claimed) {
		(void)str_set(s->iss, sizeof(s->iss), iss);
		(void)str_set(s->jti, sizeof(s->jti), jti);
		(void)str_set(s->expires, sizeof(s->expires), exp);
	}
	return CB_OK;
}

/* After a failed end of transaction: the replay claim on its own. */
static void
reclaim(struct store *s)
{
	const char *p[3] = {s->iss, s->jti, s->expires};

	if (s->claimed && pg_exec(s->pg, S_REPLAY, p, PGRES_COMMAND_OK, NULL) != CB_OK)
		log_msg(LOG_WARN, "store: the replay claim of a failed click was not written");
	s->claimed = false;
}

enum cb_err
store_commit(struct store *s)
{
	enum cb_err e = pg_exec_sql(s->pg, "COMMIT", PGRES_COMMAND_OK);

	if (e != CB_OK)
		reclaim(s);
	s->claimed = false;
	return e;
}

enum cb_err
store_commit_send(struct store *s)
{
	enum cb_err e = pg_send_sql(s->pg, "COMMIT");

	if (e != CB_OK) {
		pg_rollback(s->pg);
		reclaim(s);
	}
	return e;
}

enum cb_err
store_commit_wait(struct store *s)
{
	enum cb_err e = pg_wait(s->pg);

	if (e != CB_OK)
		reclaim(s);
	s->claimed = false;
	return e;
}

void
store_fail(struct store *s)
{
	/* Undo the click's changes, keep its replay claim. */
	if (pg_exec_sql(s->pg, "ROLLBACK TO SAVEPOINT claimed; COMMIT", PGRES_COMMAND_OK) != CB_OK) {
		pg_rollback(s->pg);
		reclaim(s);
	}
	s->claimed = false;
}

void
store_abort(struct store *s)
{
	pg_rollback(s->pg);
	s->claimed = false;
}

enum cb_err
store_link_put(struct store *s, const char *sub, const struct link *l)
{
	char ver[8];
	const char *p[7] = {sub, l->mm_user_id, l->how, l->password_set ? "true" : "false", ver,
		l->mm_email, l->mm_username};
	enum cb_err e;

	(void)snprintf(ver, sizeof(ver), "%d", l->password_version);
	e = pg_exec(s->pg, S_LINK_PUT, p, PGRES_COMMAND_OK, NULL);

	/* unique_violation on mm_user_id: another contact linked it first. */
	if (e != CB_OK && strcmp(pg_sqlstate(s->pg), "23505") == 0)
		return CB_LINK_CONFLICT;
	return e;
}

enum cb_err
store_link_owned_by_other(struct store *s, const char *mm_user_id, const char *sub, bool *other)
{
	const char *p[2] = {mm_user_id, sub};
	PGresult *r;
	enum cb_err e;

	*other = false;
	if ((e = pg_exec(s->pg, S_LINK_OWNER, p, PGRES_TUPLES_OK, &r)) != CB_OK)
		return e;
	*other = PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 0), "0") != 0;
	PQclear(r);
	return CB_OK;
}

void
store_pseudonym(struct store *s, const char *sub, char out[CB_PSEUDONYM_LEN + 1])
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;

	out[0] = '\0';
	if (sub == NULL || sub[0] == '\0')
		return;
	if (s == NULL || s->pseudonym_key.len == 0) {
		hash_for_log(sub, strlen(sub), out);	/* no key yet: the old unkeyed form */
		return;
	}
	crypto_auth_hmacsha256_init(&st, s->pseudonym_key.p, s->pseudonym_key.len);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)sub, strlen(sub));
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2hex(out, CB_PSEUDONYM_LEN + 1, mac, CB_PSEUDONYM_LEN / 2);
	sodium_memzero(&st, sizeof(st));
	sodium_memzero(mac, sizeof(mac));
}

enum cb_err
store_link_delete(struct store *s, const char *sub)
{
	const char *p[1] = {sub};

	return pg_exec(s->pg, S_LINK_DEL, p, PGRES_COMMAND_OK, NULL);
}

enum cb_err
store_link_teams(struct store *s, const char *sub, const char *key, const char *joined)
{
	const char *p[3] = {sub, key, joined};

	return pg_exec(s->pg, S_LINK_TEAMS, p, PGRES_COMMAND_OK, NULL);
}

enum cb_err
store_link_password(struct store *s, const char *sub, int version)
{
	char ver[8];
	const char *p[2] = {sub, ver};

	(void)snprintf(ver, sizeof(ver), "%d", version);
	return pg_exec(s->pg, S_LINK_PW, p, PGRES_COMMAND_OK, NULL);
}

enum cb_err
store_link_account(struct store *s, const char *sub, const char *email, const char *username)
{
	const char *p[3] = {sub, email, username};

	return pg_exec(s->pg, S_LINK_ACCOUNT, p, PGRES_COMMAND_OK, NULL);
}

enum cb_err
store_link_profile(struct store *s, const char *sub, const char *hash)
{
	const char *p[2] = {sub, hash};

	return pg_exec(s->pg, S_LINK_PROFILE, p, PGRES_COMMAND_OK, NULL);
}

static const char *
nz(const char *s)
{
	return s != NULL ? s : "";
}

/* The 14 parameters of S_AUDIT for a; status and latency hold the
 * formatted numbers. */
static void
audit_params(const struct attempt *a, char status[16], char latency[24], const char *p[14])
{
	(void)snprintf(status, 16, "%d", a->status);
	(void)snprintf(latency, 24, "%" PRIu64, a->latency_us);
	p[0] = nz(a->request_id);
	p[1] = nz(a->route);
	p[2] = nz(a->method);
	p[3] = nz(a->client);
	p[4] = status;
	p[5] = attempt_outcome(a);
	p[6] = cb_err_reason(a->reason);
	p[7] = nz(a->detail);
	p[8] = nz(a->via);
	p[9] = nz(a->iss);
	p[10] = nz(a->sub_hash);
	p[11] = nz(a->mm_user_id);
	p[12] = nz(a->mode);
	p[13] = latency;
}

enum cb_err
store_audit(struct store *s, const struct attempt *a)
{
	char status[16], latency[24];
	const char *p[14];

	audit_params(a, status, latency, p);
	/* Sent, not waited for: PostgreSQL commits it on arrival and the next
	 * use of the connection reads the outcome. */
	return pg_send(s->pg, S_AUDIT, p);
}

enum cb_err
store_purge(struct store *s, unsigned audit_days)
{
	char days[16];
	const char *p[1] = {days};
	enum cb_err e = pg_exec(s->pg, S_PURGE_REPLAY, NULL, PGRES_COMMAND_OK, NULL);

	if (e == CB_OK)
		e = pg_exec(s->pg, S_PURGE_SSO, NULL, PGRES_COMMAND_OK, NULL);
	if (e == CB_OK && audit_days > 0) {
		(void)snprintf(days, sizeof(days), "%u", audit_days);
		e = pg_exec(s->pg, S_PURGE_AUDIT, p, PGRES_COMMAND_OK, NULL);
	}
	return e;
}

enum cb_err
store_ping(struct store *s)
{
	return pg_exec(s->pg, S_PING, NULL, PGRES_TUPLES_OK, NULL);
}

enum cb_err
store_sso_state_put(struct store *s, const char *state, const char *binding, const char *verifier,
    const char *r, int64_t expires)
{
	char exp[24];
	const char *p[5] = {state, binding, verifier, r, exp};

	(void)snprintf(exp, sizeof(exp), "%" PRId64, expires);
	return pg_exec(s->pg, S_SSO_PUT, p, PGRES_COMMAND_OK, NULL);
}

enum cb_err
store_sso_state_take(struct store *s, const char *state, const char *binding,
    char verifier[CB_PKCE_VERIFIER_MAX + 1], char r[CB_REDIRECT_MAX + 1])
{
	const char *p[2] = {state, binding};
	PGresult *res;
	enum cb_err e;

	verifier[0] = r[0] = '\0';
	if ((e = pg_exec(s->pg, S_SSO_TAKE, p, PGRES_TUPLES_OK, &res)) != CB_OK)
		return e;
	if (PQntuples(res) != 1 ||
	    str_set(verifier, CB_PKCE_VERIFIER_MAX + 1, PQgetvalue(res, 0, 0)) != CB_OK ||
	    str_set(r, CB_REDIRECT_MAX + 1, PQgetvalue(res, 0, 1)) != CB_OK)
		e = CB_SSO_STATE;
	PQclear(res);
	return e;
}

/* ------------------------------------------------------------ migrate */

/* Runs sql; on failure copies the server's message to err. */
static bool
run(PGconn *c, const char *sql, const char *what, char *err, size_t errcap)
{
	PGresult *r = PQexec(c, sql);
	bool ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;

	if (!ok)
		(void)snprintf(err, errcap, "%s: %s", what, PQerrorMessage(c));
	PQclear(r);
	return ok;
}

/* Records step n in chat_bridge_schema. Steps before SCHEMA_COMPAT_STEP
 * are recorded without compatible_from; that step, which adds the
 * column, also writes it for them. */
static bool
record_step(PGconn *c, int n, const char *what, char *err, size_t errcap)
{
	char sql[128];
	int k;

	if (n < SCHEMA_COMPAT_STEP) {
		(void)snprintf(sql, sizeof(sql), "INSERT INTO chat_bridge_schema (version) VALUES (%d)", n);
		return run(c, sql, what, err, errcap);
	}
	for (k = 1; n == SCHEMA_COMPAT_STEP && k < n; k++) {
		(void)snprintf(sql, sizeof(sql), "UPDATE chat_bridge_schema SET compatible_from = %d "
		    "WHERE version = %d", step_compatible_from(k), k);
		if (!run(c, sql, what, err, errcap))
			return false;
	}
	(void)snprintf(sql, sizeof(sql), "INSERT INTO chat_bridge_schema (version, compatible_from) "
	    "VALUES (%d, %d)", n, step_compatible_from(n));
	return run(c, sql, what, err, errcap);
}

int
store_schema_version(void)
{
	return SCHEMA_VERSION;
}

enum cb_err
store_migrate(const char *dsn, int *from, int *to, char *err, size_t errcap)
{
	PGconn *c = pg_connect(dsn);
	unsigned char key[PSEUDONYM_KEY_BYTES];
	char what[32], hex[2 * PSEUDONYM_KEY_BYTES + 3] = "\\x";
	const char *kp[2] = {PSEUDONYM_KEY_NAME, hex};
	PGresult *r;
	int v, i, need;
	enum cb_err e = CB_STORE_UNAVAILABLE;

	*from = *to = -1;
	err[0] = '\0';
	randombytes_buf(key, sizeof(key));
	sodium_bin2hex(hex + 2, sizeof(hex) - 2, key, sizeof(key));
	if (PQstatus(c) != CONNECTION_OK) {
		(void)snprintf(err, errcap, "cannot connect to the store: %s", PQerrorMessage(c));
		goto out;
	}
	/* One migrator at a time, whatever the number of hosts; the lock
	 * dies with the connection. */
	if (!run(c, "SELECT pg_advisory_lock(hashtextextended('chat-bridge/migrate', 0))", "lock",
	    err, errcap) ||
	    !run(c, "CREATE TABLE IF NOT EXISTS chat_bridge_schema (version integer PRIMARY KEY, "
	    "applied_at timestamptz NOT NULL DEFAULT now())", "schema table", err, errcap))
		goto out;
	if ((v = schema_version(c)) < 0) {
		(void)snprintf(err, errcap, "cannot read the schema version: %s", PQerrorMessage(c));
		goto out;
	}
	*from = *to = v;
	if (v > SCHEMA_VERSION) {
		/* Another host already ran a newer migrate: fine if this
		 * bridge can still serve on it (a rolling upgrade). */
		if ((need = newer_steps_need(c, v)) < 0) {
			(void)snprintf(err, errcap, "cannot read the schema steps: %s", PQerrorMessage(c));
			goto out;
		}
		if (need <= SCHEMA_VERSION) {
			e = CB_OK;
			goto out;
		}
		(void)snprintf(err, errcap, "the store has schema version %d, which runs with bridges "
		    "of schema version %d or newer, this bridge has %d; upgrade the bridge", v, need,
		    SCHEMA_VERSION);
		e = CB_ECONFIG;
		goto out;
	}
	for (i = v + 1; i <= SCHEMA_VERSION; i++) {
		(void)snprintf(what, sizeof(what), "step %d", i);
		if (!run(c, "BEGIN", what, err, errcap))
			goto out;
		if (!run(c, steps[i - 1].sql, what, err, errcap) || !record_step(c, i, what, err, errcap) ||
		    !run(c, "COMMIT", what, err, errcap)) {
			PQclear(PQexec(c, "ROLLBACK"));
			goto out;
		}
		*to = i;
	}
	/* The audit pseudonym key: made once, kept by every later migrate. */
	r = PQexecParams(c, "INSERT INTO chat_bridge_secret (name, value) VALUES ($1, $2::bytea) "
	    "ON CONFLICT (name) DO NOTHING", 2, NULL, kp, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		(void)snprintf(err, errcap, "audit pseudonym key: %s", PQerrorMessage(c));
		PQclear(r);
		goto out;
	}
	PQclear(r);
	e = CB_OK;
out:
	sodium_memzero(key, sizeof(key));
	sodium_memzero(hex, sizeof(hex));
	PQfinish(c);
	return e;
}

/* ------------------------------------------------------------ operators */

static int64_t
col_i64(const PGresult *r, int row, int col)
{
	return strtoll(PQgetvalue(r, row, col), NULL, 10);
}

/* Copies row `row` of a LINK_COLUMNS result into *out. */
static void
link_info_from_row(const PGresult *r, int row, struct store_link_info *out)
{
	memset(out, 0, sizeof(*out));
	out->found = true;
	str_set_cut(out->sub, sizeof(out->sub), PQgetvalue(r, row, 0));
	str_set_cut(out->mm_user_id, sizeof(out->mm_user_id), PQgetvalue(r, row, 1));
	str_set_cut(out->how, sizeof(out->how), PQgetvalue(r, row, 2));
	str_set_cut(out->teams_key, sizeof(out->teams_key), PQgetvalue(r, row, 3));
	str_set_cut(out->teams_joined, sizeof(out->teams_joined), PQgetvalue(r, row, 4));
	out->created_ms = col_i64(r, row, 5);
	out->updated_ms = col_i64(r, row, 6);
	out->teams_checked_ms = col_i64(r, row, 7);
	out->password_set = strcmp(PQgetvalue(r, row, 8), "t") == 0;
}

enum cb_err
store_link_info(struct store *s, const char *sub, const char *mm_user_id,
    struct store_link_info *out)
{
	const char *p[2] = {nz(sub), nz(mm_user_id)};
	PGresult *r;
	enum cb_err e;

	memset(out, 0, sizeof(*out));
	if (p[0][0] == '\0' && p[1][0] == '\0')
		return CB_OK;
	if ((e = pg_exec(s->pg, S_USERS_LINK, p, PGRES_TUPLES_OK, &r)) != CB_OK)
		return e;
	if (PQntuples(r) == 1)
		link_info_from_row(r, 0, out);
	PQclear(r);
	return CB_OK;
}

enum cb_err
store_link_list(struct store *s, int64_t since_ms, unsigned limit, store_link_each each, void *arg,
    uint64_t *total)
{
	char since[24], lim[16];
	const char *p[2] = {since, lim};
	struct store_link_info li;
	PGresult *r;
	int i, n;
	enum cb_err e;

	*total = 0;
	(void)snprintf(since, sizeof(since), "%" PRId64, since_ms);
	(void)snprintf(lim, sizeof(lim), "%u", limit);
	if ((e = pg_exec(s->pg, S_USERS_LIST, p, PGRES_TUPLES_OK, &r)) != CB_OK)
		return e;
	n = PQntuples(r);
	if (n > 0)
		*total = strtoull(PQgetvalue(r, 0, 11), NULL, 10);
	for (i = 0; i < n; i++) {
		link_info_from_row(r, i, &li);
		li.last_click_ms = col_i64(r, i, 9);
		li.activity_ms = col_i64(r, i, 10);
		each(&li, arg);
	}
	PQclear(r);
	return CB_OK;
}

enum cb_err
store_audit_of(struct store *s, const char *sub, bool clicks_only, unsigned limit,
    store_audit_each each, void *arg)
{
	char h[CB_PSEUDONYM_LEN + 1], lim[16];
	const char *p[3] = {h, clicks_only ? "true" : "false", lim};
	struct store_audit_row a;
	PGresult *r;
	int i, n;
	enum cb_err e;

	/* Connected first: the pseudonym key is loaded with the schema check. */
	if ((e = store_ensure(s)) != CB_OK)
		return e;
	store_pseudonym(s, sub, h);
	if (h[0] == '\0')
		return CB_OK;
	(void)snprintf(lim, sizeof(lim), "%u", limit);
	if ((e = pg_exec(s->pg, S_USERS_AUDIT, p, PGRES_TUPLES_OK, &r)) != CB_OK)
		return e;
	n = PQntuples(r);
	for (i = 0; i < n; i++) {
		memset(&a, 0, sizeof(a));
		a.at_ms = col_i64(r, i, 0);
		str_set_cut(a.request_id, sizeof(a.request_id), PQgetvalue(r, i, 1));
		str_set_cut(a.route, sizeof(a.route), PQgetvalue(r, i, 2));
		str_set_cut(a.method, sizeof(a.method), PQgetvalue(r, i, 3));
		str_set_cut(a.client, sizeof(a.client), PQgetvalue(r, i, 4));
		a.status = (int)strtol(PQgetvalue(r, i, 5), NULL, 10);
		str_set_cut(a.outcome, sizeof(a.outcome), PQgetvalue(r, i, 6));
		str_set_cut(a.reason, sizeof(a.reason), PQgetvalue(r, i, 7));
		str_set_cut(a.detail, sizeof(a.detail), PQgetvalue(r, i, 8));
		str_set_cut(a.via, sizeof(a.via), PQgetvalue(r, i, 9));
		str_set_cut(a.iss, sizeof(a.iss), PQgetvalue(r, i, 10));
		str_set_cut(a.mm_user_id, sizeof(a.mm_user_id), PQgetvalue(r, i, 11));
		str_set_cut(a.mode, sizeof(a.mode), PQgetvalue(r, i, 12));
		each(&a, arg);
	}
	PQclear(r);
	return CB_OK;
}

struct contact_arg {
	const char *sub;
	struct store_link_info *out;
};

/* BEGIN, the contact's lock, then the link: read after the lock, it sees
 * what a click that held the lock before committed. */
static enum cb_err
contact_begin_op(struct pg *pg, PGconn *conn, void *arg)
{
	struct contact_arg *x = arg;
	const char *p[2] = {x->sub, ""};
	int64_t t0 = clock_mono_us();
	PGresult *r = PQexec(conn, "BEGIN");
	bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;

	PQclear(r);
	if (ok) {
		r = PQexecPrepared(conn, stmts[S_LOCK].name, 1, p, NULL, NULL, 0);
		ok = PQresultStatus(r) == PGRES_TUPLES_OK;
		PQclear(r);
	}
	if (ok) {
		r = PQexecPrepared(conn, stmts[S_USERS_LINK].name, 2, p, NULL, NULL, 0);
		if ((ok = PQresultStatus(r) == PGRES_TUPLES_OK) && PQntuples(r) == 1)
			link_info_from_row(r, 0, x->out);
		PQclear(r);
	}
	pg_observe(pg, t0);
	if (ok)
		return CB_OK;
	if (PQstatus(conn) == CONNECTION_OK) {
		pg_log(pg, "begin contact");	/* before the rollback replaces the message */
		pg_rollback(pg);
	}
	return CB_STORE_UNAVAILABLE;
}

enum cb_err
store_contact_begin(struct store *s, const char *sub, struct store_link_info *out)
{
	struct contact_arg x = {sub, out};

	memset(out, 0, sizeof(*out));
	return pg_run(s->pg, "begin contact", contact_begin_op, &x);
}

/* The audit row, waited for, then COMMIT: a transaction PostgreSQL had
 * to abort answers COMMIT with ROLLBACK, which is a failure here. */
static enum cb_err
contact_commit_op(struct pg *pg, PGconn *conn, void *arg)
{
	const char *const *p = arg;
	int64_t t0 = clock_mono_us();
	PGresult *r = PQexecPrepared(conn, stmts[S_AUDIT].name, 14, p, NULL, NULL, 0);
	bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;

	PQclear(r);
	if (ok) {
		r = PQexec(conn, "COMMIT");
		ok = PQresultStatus(r) == PGRES_COMMAND_OK && strcmp(PQcmdStatus(r), "COMMIT") == 0;
		PQclear(r);
	}
	pg_observe(pg, t0);
	return ok ? CB_OK : CB_STORE_UNAVAILABLE;
}

enum cb_err
store_contact_commit(struct store *s, const struct attempt *a)
{
	char status[16], latency[24];
	const char *p[14];
	enum cb_err e;

	audit_params(a, status, latency, p);
	if ((e = pg_run(s->pg, "commit contact", contact_commit_op, p)) != CB_OK)
		pg_rollback(s->pg);
	return e;
}

void
store_contact_abort(struct store *s)
{
	pg_rollback(s->pg);
}
