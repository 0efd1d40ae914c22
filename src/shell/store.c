/*
 * store.c - the bridge's PostgreSQL store (see store.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "clock.h"
#include "log.h"
#include "logline.h"
#include "pg.h"
#include "store.h"
#include "util.h"

struct store {
	struct pg *pg;
};

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
	S_REPLAY, S_LOCK, S_LINK_GET, S_LINK_PUT, S_LINK_DEL, S_LINK_TEAMS, S_LINK_PW, S_AUDIT,
	S_PURGE_REPLAY, S_PURGE_SSO, S_PURGE_AUDIT, S_PING, S_SSO_PUT, S_SSO_TAKE, S_COUNT
};

static const struct pg_stmt stmts[S_COUNT] = {
	[S_REPLAY] = {"replay", "INSERT INTO chat_bridge_replay (iss, jti, expires_at) "
	    "VALUES ($1, $2, to_timestamp($3::bigint)) ON CONFLICT DO NOTHING", 3},
	[S_LOCK] = {"lock", "SELECT pg_advisory_xact_lock(hashtextextended('chat-bridge/contact/' || $1, 0))", 1},
	[S_LINK_GET] = {"link_get", "SELECT mm_user_id, how, teams_key, teams_joined, "
	    "coalesce(extract(epoch FROM teams_checked_at)::bigint, 0), password_set_at IS NOT NULL "
	    "FROM chat_bridge_link WHERE sub = $1", 1},
	[S_LINK_PUT] = {"link_put", "INSERT INTO chat_bridge_link (sub, mm_user_id, how, password_set_at) "
	    "VALUES ($1, $2, $3, CASE WHEN $4::boolean THEN now() END) ON CONFLICT (sub) DO UPDATE SET "
	    "mm_user_id = EXCLUDED.mm_user_id, how = EXCLUDED.how, password_set_at = "
	    "EXCLUDED.password_set_at, teams_key = '', teams_joined = '', teams_checked_at = NULL, "
	    "updated_at = now()", 4},
	[S_LINK_DEL] = {"link_del", "DELETE FROM chat_bridge_link WHERE sub = $1", 1},
	[S_LINK_TEAMS] = {"link_teams", "UPDATE chat_bridge_link SET teams_key = $2, teams_joined = $3, "
	    "teams_checked_at = now(), updated_at = now() WHERE sub = $1", 3},
	[S_LINK_PW] = {"link_pw", "UPDATE chat_bridge_link SET password_set_at = now(), updated_at = now() "
	    "WHERE sub = $1", 1},
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
check_schema(struct pg *pg, PGconn *conn, void *arg)
{
	int v = schema_version(conn), need;

	(void)arg;
	if (v == SCHEMA_VERSION)
		return CB_OK;
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
	.check_arg = NULL,
};

struct store *
store_new(const char *dsn, struct metrics *metrics)
{
	struct store *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	if ((s->pg = pg_new(dsn, &store_conf, metrics)) == NULL) {
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
	free(s);
}

enum cb_err
store_ensure(struct store *s)
{
	return pg_ensure(s->pg);
}

enum cb_err
store_replay_claim(struct store *s, const char *iss, const char *jti, int64_t expires)
{
	char exp[24];
	const char *p[3] = {iss, jti, exp};
	PGresult *r;
	enum cb_err e;

	(void)snprintf(exp, sizeof(exp), "%" PRId64, expires);
	if ((e = pg_exec(s->pg, S_REPLAY, p, PGRES_COMMAND_OK, &r)) != CB_OK)
		return e;
	e = strcmp(PQcmdTuples(r), "1") == 0 ? CB_OK : CB_TOK_REPLAYED;
	PQclear(r);
	return e;
}

enum cb_err
store_commit(struct store *s)
{
	return pg_exec_sql(s->pg, "COMMIT", PGRES_COMMAND_OK);
}

void
store_rollback(struct store *s)
{
	pg_rollback(s->pg);
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
}

struct begin_arg {
	const char *sub;
	struct link *out;
};

/* BEGIN, the contact's lock and the link read as one pipeline: one round
 * trip. On failure no transaction is left open. */
static enum cb_err
begin_op(struct pg *pg, PGconn *conn, void *arg)
{
	struct begin_arg *x = arg;
	const char *p[1] = {x->sub};
	PGresult *res[3] = {NULL, NULL, NULL}, *r;
	int64_t t0 = clock_mono_us();
	int got = 0, reads, i;
	bool synced = false, ok;

	if (PQenterPipelineMode(conn) != 1)
		return CB_STORE_UNAVAILABLE;
	if (PQsendQueryParams(conn, "BEGIN", 0, NULL, NULL, NULL, NULL, 0) == 1 &&
	    PQsendQueryPrepared(conn, stmts[S_LOCK].name, 1, p, NULL, NULL, 0) == 1 &&
	    PQsendQueryPrepared(conn, stmts[S_LINK_GET].name, 1, p, NULL, NULL, 0) == 1 &&
	    PQpipelineSync(conn) == 1) {
		/* Each query's results end with NULL; the sync comes last. The
		 * bound only guards against a protocol surprise. */
		for (reads = 0; reads < 16 && !synced; reads++) {
			if ((r = PQgetResult(conn)) == NULL) {
				if (PQstatus(conn) != CONNECTION_OK)
					break;
				continue;
			}
			if (PQresultStatus(r) == PGRES_PIPELINE_SYNC) {
				synced = true;
				PQclear(r);
			} else if (got < 3) {
				res[got++] = r;
			} else {
				PQclear(r);
			}
		}
	}
	pg_observe(pg, t0);
	ok = synced && got == 3 && PQresultStatus(res[0]) == PGRES_COMMAND_OK &&
	    PQresultStatus(res[1]) == PGRES_TUPLES_OK && PQresultStatus(res[2]) == PGRES_TUPLES_OK;
	if (ok)
		link_from_row(res[2], x->out);
	for (i = 0; i < 3; i++)
		PQclear(res[i]);
	if (PQstatus(conn) == CONNECTION_OK && PQexitPipelineMode(conn) != 1) {
		pg_log(pg, "pipeline");
		pg_drop(pg);	/* results left over: this connection is unusable */
		return CB_STORE_UNAVAILABLE;
	}
	if (ok)
		return CB_OK;
	if (PQstatus(conn) == CONNECTION_OK) {
		pg_log(pg, "begin");	/* before the rollback replaces the message */
		pg_rollback(pg);	/* a real error: leave no transaction */
	}
	return CB_STORE_UNAVAILABLE;
}

enum cb_err
store_begin_user(struct store *s, const char *sub, struct link *out)
{
	struct begin_arg x = {sub, out};

	memset(out, 0, sizeof(*out));
	return pg_run(s->pg, "begin", begin_op, &x);
}

enum cb_err
store_link_put(struct store *s, const char *sub, const char *mm_user_id, const char *how,
    bool password_set)
{
	const char *p[4] = {sub, mm_user_id, how, password_set ? "true" : "false"};

	return pg_exec(s->pg, S_LINK_PUT, p, PGRES_COMMAND_OK, NULL);
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
store_link_password(struct store *s, const char *sub)
{
	const char *p[1] = {sub};

	return pg_exec(s->pg, S_LINK_PW, p, PGRES_COMMAND_OK, NULL);
}

static const char *
nz(const char *s)
{
	return s != NULL ? s : "";
}

enum cb_err
store_audit(struct store *s, const struct attempt *a)
{
	char status[16], latency[24], subh[17] = "";
	const char *p[14];

	if (a->sub != NULL && a->sub[0] != '\0')
		hash_for_log(a->sub, strlen(a->sub), subh);
	(void)snprintf(status, sizeof(status), "%d", a->status);
	(void)snprintf(latency, sizeof(latency), "%" PRIu64, a->latency_us);
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
	p[10] = subh;
	p[11] = nz(a->mm_user_id);
	p[12] = nz(a->mode);
	p[13] = latency;
	return pg_exec(s->pg, S_AUDIT, p, PGRES_COMMAND_OK, NULL);
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
	char what[32];
	int v, i, need;
	enum cb_err e = CB_STORE_UNAVAILABLE;

	*from = *to = -1;
	err[0] = '\0';
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
	e = CB_OK;
out:
	PQfinish(c);
	return e;
}
