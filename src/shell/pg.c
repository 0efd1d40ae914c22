/*
 * pg.c - PostgreSQL connections for the store and Mattermost's database
 * (see pg.h).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "log.h"
#include "pg.h"

/* Seconds between two failure lines of one connection. */
#define PG_LOG_EVERY_S 10
/* libpq's connect_timeout (seconds) for every connection; with several
 * hosts in the DSN (failover), for each host in turn. */
#define PG_CONNECT_TIMEOUT "3"
#define PG_APPLICATION_NAME "openthc-chat-bridge"
/* TCP connections only: a server host that vanished (crashed machine,
 * network cut during a failover) is noticed within seconds instead of the
 * kernel's retransmission timeout (about 15 minutes), so the worker
 * reconnects to the new primary: keepalive probes after 5 s idle, and
 * sent data unacknowledged for 5 s breaks the connection. */
#define PG_KEEPALIVES_IDLE "5"
#define PG_KEEPALIVES_INTERVAL "2"
#define PG_KEEPALIVES_COUNT "3"
#define PG_TCP_USER_TIMEOUT_MS "5000"

struct pg {
	char *dsn;
	const struct pg_conf *conf;
	struct metrics *metrics;
	void *owner;
	PGconn *conn;
	bool ready;		/* connected, set up, statements prepared */
	time_t last_log;
	char sqlstate[6];	/* of the last failed statement */
	int pending;		/* statements sent by pg_send, results not read */
};

PGconn *
pg_connect(const char *dsn)
{
	/* Defaults first; the DSN (expanded from dbname) may override them. */
	const char *const keys[] = {"connect_timeout", "application_name", "keepalives_idle",
		"keepalives_interval", "keepalives_count", "tcp_user_timeout", "dbname", NULL};
	const char *const vals[] = {PG_CONNECT_TIMEOUT, PG_APPLICATION_NAME, PG_KEEPALIVES_IDLE,
		PG_KEEPALIVES_INTERVAL, PG_KEEPALIVES_COUNT, PG_TCP_USER_TIMEOUT_MS, dsn, NULL};

	return PQconnectdbParams(keys, vals, 1);
}

struct pg *
pg_new(const char *dsn, const struct pg_conf *conf, struct metrics *metrics, void *owner)
{
	struct pg *pg = calloc(1, sizeof(*pg));

	if (pg == NULL)
		return NULL;
	if ((pg->dsn = strdup(dsn)) == NULL) {
		free(pg);
		return NULL;
	}
	pg->conf = conf;
	pg->metrics = metrics;
	pg->owner = owner;
	return pg;
}

/* Reads the results of statements pg_send sent; a failure is logged.
 * True if they all succeeded. */
static bool
drain(struct pg *pg)
{
	PGresult *r;
	bool failed = pg->pending > 0 && pg->conn == NULL;

	for (; pg->pending > 0 && pg->conn != NULL; pg->pending--) {
		while ((r = PQgetResult(pg->conn)) != NULL) {
			if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
				failed = true;
			PQclear(r);
		}
	}
	pg->pending = 0;
	if (failed && time(NULL) - pg->last_log >= PG_LOG_EVERY_S) {
		pg->last_log = time(NULL);
		log_msg(LOG_ERROR, "%s: a statement sent without waiting for it failed",
		    pg->conf->what);
	}
	return !failed;
}

void
pg_drop(struct pg *pg)
{
	if (pg->conn != NULL) {
		(void)drain(pg);	/* what was sent still commits; read its outcome */
		PQfinish(pg->conn);
	}
	pg->conn = NULL;
	pg->ready = false;
	pg->pending = 0;
}

void
pg_free(struct pg *pg)
{
	if (pg == NULL)
		return;
	pg_drop(pg);
	free(pg->dsn);
	free(pg);
}

void
pg_log(struct pg *pg, const char *what)
{
	time_t now = time(NULL);
	const char *msg = pg->conn != NULL ? PQerrorMessage(pg->conn) : "no connection";
	char clean[256];
	size_t i, o = 0;

	/* Copied first: dropping the connection frees the message. */
	for (i = 0; msg[i] != '\0' && o < sizeof(clean) - 1; i++)
		clean[o++] = (msg[i] == '\n' || msg[i] == '\r') ? ' ' : msg[i];
	while (o > 0 && clean[o - 1] == ' ')
		o--;
	clean[o] = '\0';
	if (pg->conn != NULL && PQstatus(pg->conn) != CONNECTION_OK)
		pg_drop(pg);
	if (now - pg->last_log < PG_LOG_EVERY_S)
		return;
	pg->last_log = now;
	log_msg(LOG_ERROR, "%s: %s: %s", pg->conf->what, what, clean);
}

void
pg_observe(struct pg *pg, int64_t t0)
{
	if (pg->metrics != NULL)
		metrics_observe(pg->metrics, pg->conf->hist, (uint64_t)(clock_mono_us() - t0));
}

enum cb_err
pg_ensure(struct pg *pg)
{
	const struct pg_conf *cf = pg->conf;
	PGresult *r;
	size_t i;
	enum cb_err e;

	if (pg->ready && PQstatus(pg->conn) == CONNECTION_OK) {
		if (pg->pending > 0)
			(void)drain(pg);
		if (PQstatus(pg->conn) == CONNECTION_OK)
			return CB_OK;
	}
	pg_drop(pg);
	pg->conn = pg_connect(pg->dsn);
	if (PQstatus(pg->conn) != CONNECTION_OK) {
		pg_log(pg, "connect");
		pg_drop(pg);
		return cf->unavailable;
	}
	if (cf->setup_sql != NULL) {
		r = PQexec(pg->conn, cf->setup_sql);
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			PQclear(r);
			pg_log(pg, "set-up");
			pg_drop(pg);
			return cf->unavailable;
		}
		PQclear(r);
	}
	if (cf->check != NULL && (e = cf->check(pg, pg->conn, pg->owner)) != CB_OK) {
		pg_drop(pg);
		return e;
	}
	for (i = 0; i < cf->n_stmts; i++) {
		r = PQprepare(pg->conn, cf->stmts[i].name, cf->stmts[i].sql, cf->stmts[i].nparams, NULL);
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			PQclear(r);
			pg_log(pg, "prepare");
			pg_drop(pg);
			return cf->unavailable;
		}
		PQclear(r);
	}
	pg->ready = true;
	return CB_OK;
}

enum cb_err
pg_run(struct pg *pg, const char *what, pg_op op, void *arg)
{
	enum cb_err e = pg->conf->unavailable;
	int attempt;

	for (attempt = 0; attempt < 2; attempt++) {
		bool in_tx;

		if ((e = pg_ensure(pg)) != CB_OK)
			return e;
		in_tx = PQtransactionStatus(pg->conn) != PQTRANS_IDLE;
		pg->sqlstate[0] = '\0';
		if ((e = op(pg, pg->conn, arg)) == CB_OK)
			return CB_OK;
		/* A constraint violation (class 23) is the caller's refusal,
		 * not a failure of the database. */
		if (strncmp(pg->sqlstate, "23", 2) == 0)
			return e;
		pg_log(pg, what);
		/* A connection found broken on use (PostgreSQL restarted, a
		 * failover) is replaced and the operation tried once more,
		 * unless it was part of a transaction. */
		if (pg->conn != NULL && PQstatus(pg->conn) == CONNECTION_OK)
			return e;	/* a real error: no retry */
		pg_drop(pg);
		if (in_tx)
			return e;
	}
	return e;
}

struct exec_arg {
	const char *name;
	const char *sql;
	int nparams;
	const char *const *params;
	ExecStatusType want;
	PGresult **out;
};

static enum cb_err
exec_op(struct pg *pg, PGconn *conn, void *arg)
{
	struct exec_arg *x = arg;
	int64_t t0 = clock_mono_us();
	PGresult *r;

	if (x->name != NULL)
		r = PQexecPrepared(conn, x->name, x->nparams, x->params, NULL, NULL, 0);
	else
		r = PQexec(conn, x->sql);
	pg_observe(pg, t0);
	if (PQresultStatus(r) != x->want) {
		const char *st = PQresultErrorField(r, PG_DIAG_SQLSTATE);

		if (st != NULL && strlen(st) == 5)
			memcpy(pg->sqlstate, st, 6);
		PQclear(r);
		return pg->conf->unavailable;
	}
	if (x->out != NULL)
		*x->out = r;
	else
		PQclear(r);
	return CB_OK;
}

enum cb_err
pg_exec(struct pg *pg, size_t i, const char *const *params, ExecStatusType want, PGresult **out)
{
	struct exec_arg x;

	if (out != NULL)
		*out = NULL;
	if (i >= pg->conf->n_stmts)
		return CB_EINTERNAL;
	x.name = pg->conf->stmts[i].name;
	x.sql = NULL;
	x.nparams = pg->conf->stmts[i].nparams;
	x.params = params;
	x.want = want;
	x.out = out;
	return pg_run(pg, x.name, exec_op, &x);
}

enum cb_err
pg_exec_sql(struct pg *pg, const char *sql, ExecStatusType want)
{
	struct exec_arg x;

	x.name = NULL;
	x.sql = sql;
	x.nparams = 0;
	x.params = NULL;
	x.want = want;
	x.out = NULL;
	return pg_run(pg, sql, exec_op, &x);
}

enum cb_err
pg_send_sql(struct pg *pg, const char *sql)
{
	if (pg->conn == NULL || PQstatus(pg->conn) != CONNECTION_OK ||
	    PQsendQuery(pg->conn, sql) != 1) {
		pg_log(pg, sql);
		return pg->conf->unavailable;
	}
	pg->pending++;
	return CB_OK;
}

enum cb_err
pg_wait(struct pg *pg)
{
	int64_t t0 = clock_mono_us();
	bool ok = drain(pg);

	pg_observe(pg, t0);
	return ok ? CB_OK : pg->conf->unavailable;
}

enum cb_err
pg_send(struct pg *pg, size_t i, const char *const *params)
{
	int attempt;

	if (i >= pg->conf->n_stmts)
		return CB_EINTERNAL;
	for (attempt = 0; attempt < 2; attempt++) {
		if (pg_ensure(pg) != CB_OK)
			return pg->conf->unavailable;
		if (PQsendQueryPrepared(pg->conn, pg->conf->stmts[i].name, pg->conf->stmts[i].nparams,
		    params, NULL, NULL, 0) == 1) {
			pg->pending++;
			return CB_OK;
		}
		pg_log(pg, pg->conf->stmts[i].name);
		if (PQstatus(pg->conn) == CONNECTION_OK)
			break;
		pg_drop(pg);	/* broken: once more on a new connection */
	}
	return pg->conf->unavailable;
}

const char *
pg_sqlstate(const struct pg *pg)
{
	return pg->sqlstate;
}

void
pg_rollback(struct pg *pg)
{
	PGresult *r;

	if (pg->conn == NULL || PQstatus(pg->conn) != CONNECTION_OK)
		return;
	r = PQexec(pg->conn, "ROLLBACK");
	PQclear(r);
}
