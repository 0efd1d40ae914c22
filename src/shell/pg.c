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
	PGconn *conn;
	bool ready;		/* connected, set up, statements prepared */
	time_t last_log;
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
pg_new(const char *dsn, const struct pg_conf *conf, struct metrics *metrics)
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
	return pg;
}

void
pg_drop(struct pg *pg)
{
	if (pg->conn != NULL)
		PQfinish(pg->conn);
	pg->conn = NULL;
	pg->ready = false;
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

	if (pg->ready && PQstatus(pg->conn) == CONNECTION_OK)
		return CB_OK;
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
	if (cf->check != NULL && cf->check(pg, pg->conn, cf->check_arg) != CB_OK) {
		pg_drop(pg);
		return cf->unavailable;
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

		if (pg_ensure(pg) != CB_OK)
			return pg->conf->unavailable;
		in_tx = PQtransactionStatus(pg->conn) != PQTRANS_IDLE;
		if ((e = op(pg, pg->conn, arg)) == CB_OK)
			return CB_OK;
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

void
pg_rollback(struct pg *pg)
{
	PGresult *r;

	if (pg->conn == NULL || PQstatus(pg->conn) != CONNECTION_OK)
		return;
	r = PQexec(pg->conn, "ROLLBACK");
	PQclear(r);
}
