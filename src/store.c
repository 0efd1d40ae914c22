/*
 * store.c - the bridge's PostgreSQL store (see store.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "cli.h"
#include "log.h"
#include "logline.h"
#include "metrics.h"
#include "store.h"
#include "util.h"

struct store {
	char *dsn;
	PGconn *conn;
	bool ready;		/* connected, schema checked, statements prepared */
	struct metrics *metrics;
	time_t last_fail_log;
};

/* ------------------------------------------------------------ schema */

/* Migration n takes the schema from version n-1 to n. Never edit one
 * that has shipped; add the next. */
static const char *const migrations[STORE_SCHEMA_VERSION] = {
	/* 1: replay, links, audit */
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
	"CREATE INDEX chat_bridge_audit_at ON chat_bridge_audit (at);",
	/* 2: OAuth2 sign-in with OpenTHC SSO */
	"CREATE TABLE chat_bridge_sso_state ("
	"  state text PRIMARY KEY,"
	"  binding text NOT NULL,"
	"  verifier text NOT NULL,"
	"  r text NOT NULL,"
	"  expires_at timestamptz NOT NULL,"
	"  used_at timestamptz);"
	"CREATE INDEX chat_bridge_sso_state_expires_at ON chat_bridge_sso_state (expires_at);",
};

/* ------------------------------------------------------------ statements */

struct stmt {
	const char *name;
	const char *sql;
	int nparams;
};

enum {
	S_REPLAY, S_LOCK, S_LINK_GET, S_LINK_PUT, S_LINK_DEL, S_LINK_TEAMS, S_LINK_PW, S_AUDIT,
	S_PURGE_REPLAY, S_PURGE_SSO, S_PURGE_AUDIT, S_PING, S_SSO_PUT, S_SSO_TAKE, S_COUNT
};

static const struct stmt stmts[S_COUNT] = {
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

static PGconn *
connect_db(const char *dsn)
{
	/* Defaults first; the DSN (expanded from dbname) may override them. */
	const char *const keys[] = {"connect_timeout", "application_name", "dbname", NULL};
	const char *const vals[] = {"3", "openthc-chat-bridge", dsn, NULL};

	return PQconnectdbParams(keys, vals, 1);
}

struct store *
store_new(const char *dsn, struct metrics *metrics)
{
	struct store *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	if ((s->dsn = strdup(dsn)) == NULL) {
		free(s);
		return NULL;
	}
	s->metrics = metrics;
	return s;
}

void
store_free(struct store *s)
{
	if (s == NULL)
		return;
	if (s->conn != NULL)
		PQfinish(s->conn);
	free(s->dsn);
	free(s);
}

/* Logs a store failure at most once every 10 s per worker. */
static void
fail_log(struct store *s, const char *what)
{
	time_t now = time(NULL);
	const char *msg = s->conn != NULL ? PQerrorMessage(s->conn) : "no connection";
	char clean[256];
	size_t i, o = 0;

	if (now - s->last_fail_log < 10)
		return;
	s->last_fail_log = now;
	for (i = 0; msg[i] != '\0' && o < sizeof(clean) - 1; i++)
		clean[o++] = (msg[i] == '\n' || msg[i] == '\r') ? ' ' : msg[i];
	clean[o] = '\0';
	log_msg("error", "store: %s: %s", what, clean);
}

static void
drop(struct store *s)
{
	if (s->conn != NULL)
		PQfinish(s->conn);
	s->conn = NULL;
	s->ready = false;
}

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

enum cb_err
store_ensure(struct store *s)
{
	PGresult *r;
	int i, v;

	if (s->ready && PQstatus(s->conn) == CONNECTION_OK)
		return CB_OK;
	drop(s);
	s->conn = connect_db(s->dsn);
	if (PQstatus(s->conn) != CONNECTION_OK) {
		fail_log(s, "connect");
		drop(s);
		return CB_STORE_UNAVAILABLE;
	}
	r = PQexec(s->conn, "SET statement_timeout = '10s'; SET lock_timeout = '10s'");
	PQclear(r);
	if ((v = schema_version(s->conn)) != STORE_SCHEMA_VERSION) {
		time_t now = time(NULL);

		if (now - s->last_fail_log >= 10) {
			s->last_fail_log = now;
			log_msg("error", "store: schema version %d, this bridge needs %d: run "
			    "chat-bridge migrate --config FILE", v < 0 ? 0 : v, STORE_SCHEMA_VERSION);
		}
		drop(s);
		return CB_STORE_UNAVAILABLE;
	}
	for (i = 0; i < S_COUNT; i++) {
		r = PQprepare(s->conn, stmts[i].name, stmts[i].sql, stmts[i].nparams, NULL);
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			PQclear(r);
			fail_log(s, "prepare");
			drop(s);
			return CB_STORE_UNAVAILABLE;
		}
		PQclear(r);
	}
	s->ready = true;
	return CB_OK;
}

/* Runs prepared statement i; *out gets the result (caller PQclears) when
 * the status is as expected. A lost connection is dropped for the next
 * store_ensure. */
static enum cb_err
exec(struct store *s, int i, const char *const *params, int n, ExecStatusType want,
    PGresult **out)
{
	PGresult *r;
	uint64_t t0;
	int attempt;

	if (out != NULL)
		*out = NULL;
	for (attempt = 0; attempt < 2; attempt++) {
		bool in_tx;

		if (store_ensure(s) != CB_OK)
			return CB_STORE_UNAVAILABLE;
		in_tx = PQtransactionStatus(s->conn) != PQTRANS_IDLE;
		t0 = (uint64_t)mono_us();
		r = PQexecPrepared(s->conn, stmts[i].name, n, params, NULL, NULL, 0);
		if (s->metrics != NULL)
			metrics_observe(s->metrics, MH_STORE, (uint64_t)mono_us() - t0);
		if (PQresultStatus(r) == want) {
			if (out != NULL)
				*out = r;
			else
				PQclear(r);
			return CB_OK;
		}
		PQclear(r);
		fail_log(s, stmts[i].name);
		if (PQstatus(s->conn) == CONNECTION_OK)
			return CB_STORE_UNAVAILABLE;	/* a real error */
		drop(s);
		/* A connection found broken on use (PostgreSQL restarted):
		 * retry once on a new one, unless a transaction was open. */
		if (in_tx)
			return CB_STORE_UNAVAILABLE;
	}
	return CB_STORE_UNAVAILABLE;
}

enum cb_err
store_replay_claim(struct store *s, const char *iss, const char *jti, int64_t expires)
{
	char exp[24];
	const char *p[3] = {iss, jti, exp};
	PGresult *r;
	enum cb_err e;

	(void)snprintf(exp, sizeof(exp), "%" PRId64, expires);
	if ((e = exec(s, S_REPLAY, p, 3, PGRES_COMMAND_OK, &r)) != CB_OK)
		return e;
	e = strcmp(PQcmdTuples(r), "1") == 0 ? CB_OK : CB_TOK_REPLAYED;
	PQclear(r);
	return e;
}

static enum cb_err
simple(struct store *s, const char *sql)
{
	PGresult *r;
	int attempt;

	for (attempt = 0; attempt < 2; attempt++) {
		bool in_tx;

		if (store_ensure(s) != CB_OK)
			return CB_STORE_UNAVAILABLE;
		in_tx = PQtransactionStatus(s->conn) != PQTRANS_IDLE;
		r = PQexec(s->conn, sql);
		if (PQresultStatus(r) == PGRES_COMMAND_OK) {
			PQclear(r);
			return CB_OK;
		}
		PQclear(r);
		fail_log(s, sql);
		if (PQstatus(s->conn) == CONNECTION_OK || in_tx)
			break;
		drop(s);	/* broken on use: once more on a new connection */
	}
	if (s->conn != NULL && PQstatus(s->conn) != CONNECTION_OK)
		drop(s);
	return CB_STORE_UNAVAILABLE;
}

enum cb_err
store_commit(struct store *s)
{
	return simple(s, "COMMIT");
}

void
store_rollback(struct store *s)
{
	PGresult *r;

	if (s->conn == NULL || PQstatus(s->conn) != CONNECTION_OK)
		return;
	r = PQexec(s->conn, "ROLLBACK");
	PQclear(r);
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

/* BEGIN, lock, link read as one pipeline on a ready connection. The
 * results land in res[0..2] (caller PQclears); false if the pipeline
 * could not be sent or its results not read completely. */
static bool
begin_pipeline(struct store *s, const char *sub, PGresult *res[3])
{
	const char *p[1] = {sub};
	PGresult *r;
	int got = 0, reads;
	bool synced = false;

	if (PQenterPipelineMode(s->conn) != 1)
		return false;
	if (PQsendQueryParams(s->conn, "BEGIN", 0, NULL, NULL, NULL, NULL, 0) == 1 &&
	    PQsendQueryPrepared(s->conn, stmts[S_LOCK].name, 1, p, NULL, NULL, 0) == 1 &&
	    PQsendQueryPrepared(s->conn, stmts[S_LINK_GET].name, 1, p, NULL, NULL, 0) == 1 &&
	    PQpipelineSync(s->conn) == 1) {
		/* Each query's results end with NULL; the sync comes last. The
		 * bound only guards against a protocol surprise. */
		for (reads = 0; reads < 16 && !synced; reads++) {
			if ((r = PQgetResult(s->conn)) == NULL) {
				if (PQstatus(s->conn) != CONNECTION_OK)
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
	if (PQstatus(s->conn) == CONNECTION_OK && PQexitPipelineMode(s->conn) != 1) {
		fail_log(s, "pipeline");
		drop(s);	/* results left over: this connection is unusable */
		return false;
	}
	return synced && got == 3;
}

enum cb_err
store_begin_user(struct store *s, const char *sub, struct link *out)
{
	PGresult *res[3];
	uint64_t t0;
	int attempt, i;
	bool ok;

	memset(out, 0, sizeof(*out));
	for (attempt = 0; attempt < 2; attempt++) {
		if (store_ensure(s) != CB_OK)
			return CB_STORE_UNAVAILABLE;
		memset(res, 0, sizeof(res));
		t0 = (uint64_t)mono_us();
		ok = begin_pipeline(s, sub, res) &&
		    PQresultStatus(res[0]) == PGRES_COMMAND_OK &&
		    PQresultStatus(res[1]) == PGRES_TUPLES_OK &&
		    PQresultStatus(res[2]) == PGRES_TUPLES_OK;
		if (s->metrics != NULL)
			metrics_observe(s->metrics, MH_STORE, (uint64_t)mono_us() - t0);
		if (ok)
			link_from_row(res[2], out);
		for (i = 0; i < 3; i++)
			PQclear(res[i]);
		if (ok)
			return CB_OK;
		fail_log(s, "begin");
		if (s->conn != NULL && PQstatus(s->conn) == CONNECTION_OK) {
			store_rollback(s);	/* a real error: leave no transaction */
			return CB_STORE_UNAVAILABLE;
		}
		drop(s);	/* broken on use: once more on a new connection */
	}
	return CB_STORE_UNAVAILABLE;
}

enum cb_err
store_link_put(struct store *s, const char *sub, const char *mm_user_id, const char *how,
    bool password_set)
{
	const char *p[4] = {sub, mm_user_id, how, password_set ? "true" : "false"};

	return exec(s, S_LINK_PUT, p, 4, PGRES_COMMAND_OK, NULL);
}

enum cb_err
store_link_delete(struct store *s, const char *sub)
{
	const char *p[1] = {sub};

	return exec(s, S_LINK_DEL, p, 1, PGRES_COMMAND_OK, NULL);
}

enum cb_err
store_link_teams(struct store *s, const char *sub, const char *key, const char *joined)
{
	const char *p[3] = {sub, key, joined};

	return exec(s, S_LINK_TEAMS, p, 3, PGRES_COMMAND_OK, NULL);
}

enum cb_err
store_link_password(struct store *s, const char *sub)
{
	const char *p[1] = {sub};

	return exec(s, S_LINK_PW, p, 1, PGRES_COMMAND_OK, NULL);
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
	return exec(s, S_AUDIT, p, 14, PGRES_COMMAND_OK, NULL);
}

enum cb_err
store_purge(struct store *s, unsigned audit_days)
{
	char days[16];
	const char *p[1] = {days};
	enum cb_err e = exec(s, S_PURGE_REPLAY, NULL, 0, PGRES_COMMAND_OK, NULL);

	if (e == CB_OK)
		e = exec(s, S_PURGE_SSO, NULL, 0, PGRES_COMMAND_OK, NULL);
	if (e == CB_OK && audit_days > 0) {
		(void)snprintf(days, sizeof(days), "%u", audit_days);
		e = exec(s, S_PURGE_AUDIT, p, 1, PGRES_COMMAND_OK, NULL);
	}
	return e;
}

enum cb_err
store_ping(struct store *s)
{
	return exec(s, S_PING, NULL, 0, PGRES_TUPLES_OK, NULL);
}

enum cb_err
store_sso_state_put(struct store *s, const char *state, const char *binding, const char *verifier,
    const char *r, int64_t expires)
{
	char exp[24];
	const char *p[5] = {state, binding, verifier, r, exp};

	(void)snprintf(exp, sizeof(exp), "%" PRId64, expires);
	return exec(s, S_SSO_PUT, p, 5, PGRES_COMMAND_OK, NULL);
}

enum cb_err
store_sso_state_take(struct store *s, const char *state, const char *binding,
    char verifier[128], char r[CB_REDIRECT_MAX + 1])
{
	const char *p[2] = {state, binding};
	PGresult *res;
	enum cb_err e;

	verifier[0] = r[0] = '\0';
	if ((e = exec(s, S_SSO_TAKE, p, 2, PGRES_TUPLES_OK, &res)) != CB_OK)
		return e;
	if (PQntuples(res) != 1 || str_set(verifier, 128, PQgetvalue(res, 0, 0)) != CB_OK ||
	    str_set(r, CB_REDIRECT_MAX + 1, PQgetvalue(res, 0, 1)) != CB_OK)
		e = CB_SSO_STATE;
	PQclear(res);
	return e;
}

/* ------------------------------------------------------------ migrate */

int
store_migrate_cli(const char *dsn)
{
	PGconn *c = connect_db(dsn);
	PGresult *r = NULL;
	int v, i, rc = EXIT_REFUSED;

	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "chat-bridge: migrate: cannot connect to the store: %s", PQerrorMessage(c));
		goto out;
	}
	/* One migrator at a time, whatever the number of hosts. */
	r = PQexec(c, "SELECT pg_advisory_lock(hashtextextended('chat-bridge/migrate', 0));"
	    "CREATE TABLE IF NOT EXISTS chat_bridge_schema (version integer PRIMARY KEY, "
	    "applied_at timestamptz NOT NULL DEFAULT now())");
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		fprintf(stderr, "chat-bridge: migrate: %s", PQerrorMessage(c));
		goto out;
	}
	PQclear(r);
	r = NULL;
	if ((v = schema_version(c)) < 0) {
		fprintf(stderr, "chat-bridge: migrate: cannot read the schema version: %s", PQerrorMessage(c));
		goto out;
	}
	if (v > STORE_SCHEMA_VERSION) {
		fprintf(stderr, "chat-bridge: migrate: the store has schema version %d, newer than this "
		    "bridge (%d); upgrade the bridge\n", v, STORE_SCHEMA_VERSION);
		goto out;
	}
	for (i = v; i < STORE_SCHEMA_VERSION; i++) {
		char ins[96];

		(void)snprintf(ins, sizeof(ins), "INSERT INTO chat_bridge_schema (version) VALUES (%d)", i + 1);
		r = PQexec(c, "BEGIN");
		PQclear(r);
		r = PQexec(c, migrations[i]);
		if (PQresultStatus(r) == PGRES_COMMAND_OK) {
			PQclear(r);
			r = PQexec(c, ins);
		}
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			fprintf(stderr, "chat-bridge: migrate: step %d failed: %s", i + 1, PQerrorMessage(c));
			PQclear(r);
			r = PQexec(c, "ROLLBACK");
			goto out;
		}
		PQclear(r);
		r = PQexec(c, "COMMIT");
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			fprintf(stderr, "chat-bridge: migrate: commit of step %d failed: %s", i + 1,
			    PQerrorMessage(c));
			goto out;
		}
		PQclear(r);
		r = NULL;
		printf("chat-bridge: migrate: applied step %d\n", i + 1);
	}
	printf("chat-bridge: migrate: schema at version %d\n", STORE_SCHEMA_VERSION);
	rc = 0;
out:
	PQclear(r);
	PQfinish(c);
	return rc;
}
