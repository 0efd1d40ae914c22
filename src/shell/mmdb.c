/*
 * mmdb.c - Mattermost's database (see mmdb.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "clock.h"
#include "log.h"
#include "mmdb.h"
#include "pg.h"

struct mmdb {
	struct pg *pg;
	char problem[160];	/* the last schema problem, "" if none */
	bool writes_sessions;	/* database mode: the sessions columns matter */
	int64_t checked_ms;	/* when the columns were last read */
};

/* The columns are read again on a live connection this often (and by
 * /auth/ready and after a reload): an ALTER TABLE does not wait for the
 * bridge to reconnect. */
#define MMDB_RECHECK_MS 60000

enum { M_SESSION_INSERT, M_EXPLAIN, M_EMAIL_VERIFIED, M_COUNT };

/* A user whose roles name system_guest (a word of the list). */
#define IS_GUEST "u.roles ~ '(^| )system_guest( |$)'"

/* A sessions column the bridge does not write and that has no default
 * (one an ALTER TABLE added since the last column check): a row written
 * now would have it NULL. A catalog lookup by index, in the statement
 * itself, so no row is written in the minute before the next check. */
#define SESSIONS_DRIFTED "EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = " \
	"'sessions'::regclass AND a.attnum > 0 AND NOT a.attisdropped AND NOT a.atthasdef " \
	"AND a.attname NOT IN ('id', 'token', 'createat', 'expiresat', 'lastactivityat', " \
	"'userid', 'deviceid', 'roles', 'isoauth', 'props', 'expirednotify'))"

/* The eleven columns of Mattermost's sessions table (migrations 000022,
 * 000062, 000071), named explicitly; deviceid '' = web, isoauth and
 * expirednotify false: no NULL anywhere. Roles come from the user's own
 * row, in the same statement that decides whether they may sign in. */
static const struct pg_stmt stmts[M_COUNT] = {
	[M_SESSION_INSERT] = {"session_insert",
	    "INSERT INTO sessions (id, token, createat, expiresat, lastactivityat, userid, deviceid, "
	    "roles, isoauth, props, expirednotify) "
	    "SELECT $1, $2, $3::bigint, $4::bigint, $3::bigint, u.id, '', u.roles, false, "
	    "jsonb_build_object('csrf', $5::text, 'isMobile', $6::text, 'isSaml', 'false', "
	    "'isOAuthUser', 'false', 'is_guest', CASE WHEN " IS_GUEST " THEN 'true' ELSE 'false' END, "
	    "'platform', $7::text, 'os', $8::text, 'browser', $9::text), false "
	    "FROM users u WHERE u.id = $10 AND u.deleteat = 0 AND coalesce(u.authservice, '') = '' "
	    "AND coalesce(u.remoteid, '') = '' AND NOT (u.mfaactive AND $11::boolean) "
	    "AND ($12::boolean OR NOT " IS_GUEST ") "
	    "AND NOT EXISTS (SELECT 1 FROM bots b WHERE b.userid = u.id) AND NOT " SESSIONS_DRIFTED, 12},
	/* Why the insert wrote nothing: only on a refusal. */
	[M_EXPLAIN] = {"session_explain", "SELECT u.deleteat <> 0, EXISTS (SELECT 1 FROM bots b WHERE "
	    "b.userid = u.id), coalesce(u.authservice, '') <> '', coalesce(u.remoteid, '') <> '', "
	    "u.mfaactive, " IS_GUEST ", " SESSIONS_DRIFTED " FROM users u WHERE u.id = $1", 1},
	[M_EMAIL_VERIFIED] = {"email_verified", "SELECT emailverified FROM users WHERE id = $1", 1},
};

/* The columns the bridge reads or writes, by table. */
static const char *const need_sessions[] = {"id", "token", "createat", "expiresat",
	"lastactivityat", "userid", "deviceid", "roles", "isoauth", "props", "expirednotify"};
static const char *const need_users[] = {"id", "deleteat", "authservice", "remoteid", "mfaactive",
	"roles", "emailverified"};
static const char *const need_bots[] = {"userid"};

#define N(a) (sizeof(a) / sizeof((a)[0]))
_Static_assert(N(need_sessions) <= 32 && N(need_users) <= 32, "found bits fit a uint32_t");

/* The first column of need[0..n) whose bit is not in found, or NULL. */
static const char *
first_missing(const char *const *need, size_t n, uint32_t found)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((found & (UINT32_C(1) << i)) == 0)
			return need[i];
	return NULL;
}

/* The bit of column c in need[0..n), 0 if not listed. */
static uint32_t
column_bit(const char *const *need, size_t n, const char *c)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(need[i], c) == 0)
			return UINT32_C(1) << i;
	return 0;
}

/* pg_conf check: the tables are what this bridge knows. A column it reads
 * or writes that is missing is named. A new sessions column (when the
 * bridge writes sessions) is fine with a default; one that would be left
 * NULL in a row the bridge writes is a row a future Mattermost might
 * refuse, silently: better not ready, saying so. */
static enum cb_err
check_columns(struct pg *pg, PGconn *conn, void *owner)
{
	struct mmdb *d = owner;
	PGresult *r = PQexec(conn, "SELECT table_name, column_name, is_nullable, column_default IS NOT NULL "
	    "FROM information_schema.columns WHERE table_schema = current_schema() AND table_name IN "
	    "('sessions', 'users', 'bots') ORDER BY table_name, ordinal_position");
	uint32_t found_s = 0, found_u = 0, found_b = 0;
	const char *miss;
	int i, n;

	d->problem[0] = '\0';
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		PQclear(r);
		pg_log(pg, "reading the columns of sessions, users and bots");
		return CB_MMDB_UNAVAILABLE;
	}
	n = PQntuples(r);
	for (i = 0; i < n && d->problem[0] == '\0'; i++) {
		const char *t = PQgetvalue(r, i, 0), *c = PQgetvalue(r, i, 1);
		bool nullable = strcmp(PQgetvalue(r, i, 2), "YES") == 0;
		bool has_default = strcmp(PQgetvalue(r, i, 3), "t") == 0;
		uint32_t bit;

		if (strcmp(t, "sessions") == 0) {
			if ((bit = column_bit(need_sessions, N(need_sessions), c)) != 0)
				found_s |= bit;
			else if (!has_default && d->writes_sessions)
				(void)snprintf(d->problem, sizeof(d->problem), "sessions.%s %s", c, nullable ?
				    "may be NULL and has no default: a row the bridge writes would have "
				    "it NULL" : "is NOT NULL without a default: the bridge cannot write it");
		} else if (strcmp(t, "users") == 0) {
			found_u |= column_bit(need_users, N(need_users), c);
		} else {
			found_b |= column_bit(need_bots, N(need_bots), c);
		}
	}
	PQclear(r);
	if (d->problem[0] == '\0') {
		if (d->writes_sessions &&
		    (miss = first_missing(need_sessions, N(need_sessions), found_s)) != NULL)
			(void)snprintf(d->problem, sizeof(d->problem), "sessions.%s is missing", miss);
		else if ((miss = first_missing(need_users, N(need_users), found_u)) != NULL)
			(void)snprintf(d->problem, sizeof(d->problem), "users.%s is missing", miss);
		else if ((miss = first_missing(need_bots, N(need_bots), found_b)) != NULL)
			(void)snprintf(d->problem, sizeof(d->problem), "bots.%s is missing", miss);
	}
	d->checked_ms = clock_now_ms();
	if (d->problem[0] == '\0')
		return CB_OK;
	log_msg(LOG_ERROR, "mattermost database: %s; not using it until this bridge knows the "
	    "table (upgrade the bridge, or give the column a default)", d->problem);
	return CB_MMDB_SCHEMA;
}

static const struct pg_conf mmdb_conf = {
	.what = "mattermost database",
	.setup_sql = "SET statement_timeout = '5s'",
	.stmts = stmts,
	.n_stmts = M_COUNT,
	.unavailable = CB_MMDB_UNAVAILABLE,
	.hist = MH_MMDB,
	.check = check_columns,
};

struct mmdb *
mmdb_new(const char *dsn, bool writes_sessions, struct metrics *metrics)
{
	struct mmdb *d = calloc(1, sizeof(*d));

	if (d == NULL)
		return NULL;
	d->writes_sessions = writes_sessions;
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

const char *
mmdb_problem(const struct mmdb *d)
{
	return d->problem;
}

/* Why the session was not written (M_EXPLAIN's row). */
static enum cb_err
explain(struct mmdb *d, const struct mmdb_session *s, const char **why)
{
	const char *p[1] = {s->user_id};
	PGresult *r;
	enum cb_err e;

	if ((e = pg_exec(d->pg, M_EXPLAIN, p, PGRES_TUPLES_OK, &r)) != CB_OK)
		return e;
	if (PQntuples(r) != 1)
		e = CB_MM_NOT_FOUND;
	else if (strcmp(PQgetvalue(r, 0, 6), "t") == 0)
		e = CB_MMDB_SCHEMA;
	else if (strcmp(PQgetvalue(r, 0, 0), "t") == 0)
		e = CB_USER_DEACTIVATED;
	else if (strcmp(PQgetvalue(r, 0, 1), "t") == 0)
		e = CB_USER_BOT;
	else if (strcmp(PQgetvalue(r, 0, 2), "t") == 0) {
		*why = "account signs in with another service";
		e = CB_USER_UNUSABLE;
	} else if (strcmp(PQgetvalue(r, 0, 3), "t") == 0)
		e = CB_USER_REMOTE;
	else if (strcmp(PQgetvalue(r, 0, 4), "t") == 0) {
		*why = "multi-factor authentication active";
		e = CB_USER_UNUSABLE;
	} else if (strcmp(PQgetvalue(r, 0, 5), "t") == 0)
		e = CB_USER_GUEST;
	else
		e = CB_MMDB_UNAVAILABLE;	/* changed between the two statements */
	PQclear(r);
	return e;
}

struct recheck_arg {
	struct mmdb *d;
};

static enum cb_err
recheck_op(struct pg *pg, PGconn *conn, void *arg)
{
	return check_columns(pg, conn, ((struct recheck_arg *)arg)->d);
}

enum cb_err
mmdb_check(struct mmdb *d)
{
	struct recheck_arg x = {d};
	enum cb_err e = pg_run(d->pg, "columns", recheck_op, &x);

	if (e == CB_MMDB_SCHEMA)
		pg_drop(d->pg);	/* unusable until it checks out again */
	return e;
}

/* A statement failed the way an ALTER TABLE since the last column check
 * would make it fail: a column or table gone, a NOT NULL column added. */
static bool
schema_changed(const char *sqlstate)
{
	return strcmp(sqlstate, "42703") == 0 || strcmp(sqlstate, "42P01") == 0 ||
	    strcmp(sqlstate, "23502") == 0 || strcmp(sqlstate, "42804") == 0;
}

enum cb_err
mmdb_session_insert(struct mmdb *d, const struct mmdb_session *s, const char **why)
{
	char create[24], expires[24];
	const char *p[12] = {s->id, s->token, create, expires, s->csrf, s->mobile ? "true" : "false",
		s->platform, s->os, s->browser, s->user_id, s->mfa_enforced ? "true" : "false",
		s->guests_allowed ? "true" : "false"};
	PGresult *r;
	enum cb_err e;
	bool written;

	*why = NULL;
	if (clock_now_ms() - d->checked_ms >= MMDB_RECHECK_MS && (e = mmdb_check(d)) != CB_OK)
		return e;
	(void)snprintf(create, sizeof(create), "%" PRId64, s->create_ms);
	(void)snprintf(expires, sizeof(expires), "%" PRId64, s->expires_ms);
	if ((e = pg_exec(d->pg, M_SESSION_INSERT, p, PGRES_COMMAND_OK, &r)) != CB_OK)
		return schema_changed(pg_sqlstate(d->pg)) && mmdb_check(d) == CB_MMDB_SCHEMA ?
		    CB_MMDB_SCHEMA : e;
	written = strcmp(PQcmdTuples(r), "1") == 0;
	PQclear(r);
	if (written)
		return CB_OK;
	/* A drifted table: the check names the column (and drops the
	 * connection until the table checks out again). */
	if ((e = explain(d, s, why)) == CB_MMDB_SCHEMA && mmdb_check(d) != CB_MMDB_SCHEMA)
		log_msg(LOG_ERROR, "mattermost database: sessions has a column without a default "
		    "the bridge does not write");
	return e;
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
	return mmdb_check(d);
}
