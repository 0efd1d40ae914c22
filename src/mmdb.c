/*
 * mmdb.c - session rows in Mattermost's database (see mmdb.h).
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "log.h"
#include "metrics.h"
#include "mmdb.h"

struct mmdb {
	char *dsn;
	PGconn *conn;
	bool ready;
	struct metrics *metrics;
	time_t last_fail_log;
};

/* The eleven columns of Mattermost's sessions table (migrations 000022,
 * 000062, 000071), named explicitly so newer columns with defaults (e.g.
 * voipdeviceid) keep working. deviceid '' = web, isoauth and
 * expirednotify false: no NULL anywhere. */
static const char insert_sql[] =
    "INSERT INTO sessions (id, token, createat, expiresat, lastactivityat, userid, deviceid, "
    "roles, isoauth, props, expirednotify) "
    "VALUES ($1, $2, $3::bigint, $4::bigint, $3::bigint, $5, '', $6, false, $7::jsonb, false)";

struct mmdb *
mmdb_new(const char *dsn, struct metrics *metrics)
{
	struct mmdb *d = calloc(1, sizeof(*d));

	if (d == NULL)
		return NULL;
	if ((d->dsn = strdup(dsn)) == NULL) {
		free(d);
		return NULL;
	}
	d->metrics = metrics;
	return d;
}

void
mmdb_free(struct mmdb *d)
{
	if (d == NULL)
		return;
	if (d->conn != NULL)
		PQfinish(d->conn);
	free(d->dsn);
	free(d);
}

/* Logs a failure (at most every 10 s) and drops a broken connection. The
 * message is copied before the connection is freed. */
static void
fail(struct mmdb *d, const char *what)
{
	time_t now = time(NULL);
	char clean[256];
	const char *m = d->conn != NULL ? PQerrorMessage(d->conn) : "no connection";
	size_t i, o = 0;

	for (i = 0; m[i] != '\0' && o < sizeof(clean) - 1; i++)
		clean[o++] = (m[i] == '\n' || m[i] == '\r') ? ' ' : m[i];
	clean[o] = '\0';
	if (d->conn != NULL && PQstatus(d->conn) != CONNECTION_OK) {
		PQfinish(d->conn);
		d->conn = NULL;
		d->ready = false;
	}
	if (now - d->last_fail_log < 10)
		return;
	d->last_fail_log = now;
	log_msg("error", "mattermost database: %s: %s", what, clean);
}

static enum cb_err
ensure(struct mmdb *d)
{
	const char *const keys[] = {"connect_timeout", "application_name", "dbname", NULL};
	const char *vals[] = {"3", "openthc-chat-bridge", d->dsn, NULL};
	PGresult *r;

	if (d->ready && PQstatus(d->conn) == CONNECTION_OK)
		return CB_OK;
	if (d->conn != NULL)
		PQfinish(d->conn);
	d->ready = false;
	d->conn = PQconnectdbParams(keys, vals, 1);
	if (PQstatus(d->conn) != CONNECTION_OK) {
		fail(d, "connect");
		return CB_MMDB_UNAVAILABLE;
	}
	r = PQexec(d->conn, "SET statement_timeout = '5s'");
	PQclear(r);
	r = PQprepare(d->conn, "session_insert", insert_sql, 7, NULL);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		PQclear(r);
		fail(d, "prepare");
		PQfinish(d->conn);
		d->conn = NULL;
		return CB_MMDB_UNAVAILABLE;
	}
	PQclear(r);
	d->ready = true;
	return CB_OK;
}

enum cb_err
mmdb_session_insert(struct mmdb *d, const struct mmdb_session *s)
{
	char create[24], expires[24];
	const char *p[7] = {s->id, s->token, create, expires, s->user_id, s->roles, s->props};
	PGresult *r = NULL;
	uint64_t t0;
	int attempt;
	enum cb_err e = CB_MMDB_UNAVAILABLE;

	(void)snprintf(create, sizeof(create), "%" PRId64, s->create_ms);
	(void)snprintf(expires, sizeof(expires), "%" PRId64, s->expires_ms);
	/* A connection found broken on use (database restarted) is replaced
	 * and the insert tried once more. */
	for (attempt = 0; attempt < 2 && e != CB_OK; attempt++) {
		if (ensure(d) != CB_OK)
			return CB_MMDB_UNAVAILABLE;
		t0 = (uint64_t)mono_us();
		r = PQexecPrepared(d->conn, "session_insert", 7, p, NULL, NULL, 0);
		if (d->metrics != NULL)
			metrics_observe(d->metrics, MH_MMDB, (uint64_t)mono_us() - t0);
		if (PQresultStatus(r) == PGRES_COMMAND_OK)
			e = CB_OK;
		else
			fail(d, "insert session");
		PQclear(r);
		if (e != CB_OK && d->conn != NULL)
			break;	/* the connection is fine: a real error, no retry */
	}
	return e;
}

enum cb_err
mmdb_ping(struct mmdb *d)
{
	PGresult *r;
	enum cb_err e = CB_OK;

	if (ensure(d) != CB_OK)
		return CB_MMDB_UNAVAILABLE;
	r = PQexec(d->conn, "SELECT 1");
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		fail(d, "ping");
		e = CB_MMDB_UNAVAILABLE;
	}
	PQclear(r);
	return e;
}
