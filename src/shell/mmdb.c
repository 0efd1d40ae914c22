/*
 * mmdb.c - session rows in Mattermost's database (see mmdb.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "mmdb.h"
#include "pg.h"

struct mmdb {
	struct pg *pg;
};

enum { M_SESSION_INSERT, M_EMAIL_VERIFIED, M_PING, M_COUNT };

/* The eleven columns of Mattermost's sessions table (migrations 000022,
 * 000062, 000071), named explicitly. deviceid '' = web, isoauth and
 * expirednotify false: no NULL anywhere. */
static const struct pg_stmt stmts[M_COUNT] = {
	[M_SESSION_INSERT] = {"session_insert",
	    "INSERT INTO sessions (id, token, createat, expiresat, lastactivityat, userid, deviceid, "
	    "roles, isoauth, props, expirednotify) "
	    "VALUES ($1, $2, $3::bigint, $4::bigint, $3::bigint, $5, '', $6, false, $7::jsonb, false)",
	    7},
	[M_EMAIL_VERIFIED] = {"email_verified", "SELECT emailverified FROM users WHERE id = $1", 1},
	[M_PING] = {"ping", "SELECT 1", 0},
};

static const struct pg_conf mmdb_conf = {
	.what = "mattermost database",
	.setup_sql = "SET statement_timeout = '5s'",
	.stmts = stmts,
	.n_stmts = M_COUNT,
	.unavailable = CB_MMDB_UNAVAILABLE,
	.hist = MH_MMDB,
	.check = NULL,
};

struct mmdb *
mmdb_new(const char *dsn, struct metrics *metrics)
{
	struct mmdb *d = calloc(1, sizeof(*d));

	if (d == NULL)
		return NULL;
	if ((d->pg = pg_new(dsn, &mmdb_conf, metrics, d)) == NULL) {
		free(d);
		return NULL;
	}
	return d;
}

void
mmdb_free(struct mmdb *d)
{
	if (d == NULL)
		return;
	pg_free(d->pg);
	free(d);
}

enum cb_err
mmdb_session_insert(struct mmdb *d, const struct mmdb_session *s)
{
	char create[24], expires[24];
	const char *p[7] = {s->id, s->token, create, expires, s->user_id, s->roles, s->props};

	(void)snprintf(create, sizeof(create), "%" PRId64, s->create_ms);
	(void)snprintf(expires, sizeof(expires), "%" PRId64, s->expires_ms);
	return pg_exec(d->pg, M_SESSION_INSERT, p, PGRES_COMMAND_OK, NULL);
}

enum cb_err
mmdb_user_email_verified(struct mmdb *d, const char *user_id, bool *verified)
{
	const char *p[1] = {user_id};
	PGresult *r;
	enum cb_err e;

	*verified = false;
	if ((e = pg_exec(d->pg, M_EMAIL_VERIFIED, p, PGRES_TUPLES_OK, &r)) != CB_OK)
		return e;
	*verified = PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 0), "t") == 0;
	PQclear(r);
	return CB_OK;
}

enum cb_err
mmdb_ping(struct mmdb *d)
{
	return pg_exec(d->pg, M_PING, NULL, PGRES_TUPLES_OK, NULL);
}
