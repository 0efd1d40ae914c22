/*
 * pg.h - the PostgreSQL plumbing shared by the bridge's store (store.c)
 * and Mattermost's database (mmdb.c).
 *
 * One struct pg per worker thread: one connection, made with the
 * bridge's application name, a connect timeout and TCP keepalive and
 * user-timeout defaults (a DSN listing several hosts with
 * target_session_attrs=read-write follows a failover), set up once (session
 * settings, an optional check such as the schema version, the prepared
 * statements), and made again on the next use after it broke. Every
 * failure is logged on one line (at most every 10 s per connection, the
 * server's message with line breaks removed) and answered with the
 * owner's "unavailable" error. One rule for broken connections: an
 * operation that finds its connection broken is run once more on a new
 * connection, never when a transaction was open (its work is lost, the
 * caller must fail).
 */
#ifndef CB_PG_H
#define CB_PG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "err.h"
#include "metrics.h"

struct pg;

/* A statement prepared on every connection. */
struct pg_stmt {
	const char *name;
	const char *sql;
	int nparams;
};

/* What a connection is for; static, borrowed for the life of the pg. */
struct pg_conf {
	const char *what;		/* log prefix: "store", "mattermost database" */
	const char *setup_sql;		/* run once per connection (SET ...), or NULL */
	const struct pg_stmt *stmts;
	size_t n_stmts;
	enum cb_err unavailable;	/* what every failure is answered with */
	enum metric_hist hist;		/* each statement's duration */
	/* Called after setup_sql, before preparing, with the owner given to
	 * pg_new: CB_OK, or a failure (already logged) that makes the
	 * connection unusable. */
	enum cb_err (*check)(struct pg *pg, PGconn *conn, void *owner);
};

/* A connection for dsn, not yet made; NULL on allocation failure.
 * metrics may be NULL; owner is passed to conf->check. */
struct pg *pg_new(const char *dsn, const struct pg_conf *conf, struct metrics *metrics,
    void *owner);
void pg_free(struct pg *pg);

/* Makes the connection if it is not up, sets it up and prepares the
 * statements. CB_OK, conf->unavailable, or the check's own failure. */
enum cb_err pg_ensure(struct pg *pg) CB_WUR;

/* An operation on a ready connection: CB_OK, or a failure (the caller of
 * pg_run logs nothing more). */
typedef enum cb_err (*pg_op)(struct pg *pg, PGconn *conn, void *arg);

/* Runs op once on a ready connection, and once more on a new one when
 * the first run failed because the connection broke and no transaction
 * was open when it started. what names the operation in the log. */
enum cb_err pg_run(struct pg *pg, const char *what, pg_op op, void *arg) CB_WUR;

/* Prepared statement i of the conf with params, under pg_run's rule.
 * CB_OK when the result status is want; then *out (if not NULL) holds
 * the result for the caller to PQclear. */
enum cb_err pg_exec(struct pg *pg, size_t i, const char *const *params, ExecStatusType want,
    PGresult **out) CB_WUR;

/* Sends prepared statement i without waiting for its result: the next
 * use of the connection reads it (a failure is logged then). For work
 * whose answer nobody waits for, such as the audit row: it is autocommitted
 * when PostgreSQL receives it. Retried once on a broken connection. */
enum cb_err pg_send(struct pg *pg, size_t i, const char *const *params) CB_WUR;

/* Sends sql (no parameters, e.g. COMMIT) on the open connection without
 * waiting, never on a new one (a transaction does not survive that); read
 * its outcome with pg_wait. */
enum cb_err pg_send_sql(struct pg *pg, const char *sql) CB_WUR;

/* Reads the results of what was sent and not read yet: CB_OK if every
 * statement succeeded, else the conf's unavailable error. */
enum cb_err pg_wait(struct pg *pg) CB_WUR;

/* A statement without parameters (COMMIT, SELECT 1), same rules. */
enum cb_err pg_exec_sql(struct pg *pg, const char *sql, ExecStatusType want) CB_WUR;

/* The SQLSTATE of the last failed statement ("" if none or unknown), for
 * callers that turn a constraint violation into a refusal. */
const char *pg_sqlstate(const struct pg *pg);

/* Rolls back an open transaction, if the connection is up. */
void pg_rollback(struct pg *pg);

/* Logs "what: <server message>" (rate-limited) and drops the connection
 * if it is broken. For operations run by pg_run that see a failure. */
void pg_log(struct pg *pg, const char *what);

/* Drops the connection: the next use makes a new one. */
void pg_drop(struct pg *pg);

/* Adds a statement's duration (since t0 of clock_mono_us) to the
 * metrics. */
void pg_observe(struct pg *pg, int64_t t0);

/* Opens a connection for a one-off command (migrate): application name,
 * connect timeout. The caller PQfinishes it (also on failure). */
PGconn *pg_connect(const char *dsn);

#endif
