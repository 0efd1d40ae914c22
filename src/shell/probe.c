/*
 * probe.c - the checks of a Mattermost before serving (see probe.h).
 */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "http.h"
#include "mm.h"
#include "mmdb.h"
#include "mmserver.h"
#include "probe.h"

/* The published client configuration: version, sign-in settings. */
static enum cb_err
probe_client_config(const struct config *c, struct mm_server_cache *sc, struct metrics *metrics,
    char *msg, size_t cap)
{
	struct mm_ctx m = {c, NULL, metrics, NULL, sc};
	struct mm_result res;
	struct mm_server info;
	char desc[128];
	enum cb_err e;

	memset(&res, 0, sizeof(res));
	if ((m.http = http_new()) == NULL)
		return CB_ENOMEM;
	e = mm_client_config(&m, &info, &res);
	http_free(m.http);
	if (e != CB_OK) {
		(void)snprintf(msg, cap, "Mattermost at %s did not publish its client configuration "
		    "(%s, HTTP %ld): its sign-in settings are not known yet", c->mm_url,
		    cb_err_reason(e), res.status);
		return CB_MM_UNREACHABLE;
	}
	mm_server_describe(&info, desc, sizeof(desc));
	if (c->session_mode == SESSION_LOGIN && mm_server_login_by(&info) == MM_LOGIN_IMPOSSIBLE) {
		(void)snprintf(msg, cap, "%s: login mode cannot sign anyone in, because both "
		    "EmailSettings.EnableSignInWithEmail and EnableSignInWithUsername are off "
		    "(Mattermost 11.3 and later refuse a login by id then); turn one on, or use "
		    "session mode \"database\"", desc);
		return CB_MM_LOGIN_DISABLED;
	}
	(void)snprintf(msg, cap, "%s", desc);
	return CB_OK;
}

/* Database mode: the columns of sessions, users and bots. */
static enum cb_err
probe_mmdb(const struct config *c, struct metrics *metrics, char *msg, size_t cap)
{
	struct mmdb *d = mmdb_new(c->mm_database, c->session_mode == SESSION_DATABASE, metrics);
	enum cb_err e;

	if (d == NULL)
		return CB_ENOMEM;
	e = mmdb_check(d);
	if (e == CB_MMDB_SCHEMA)
		(void)snprintf(msg, cap, "Mattermost's database has changed in a way the bridge "
		    "does not know (%s): no session can be written until the bridge is updated "
		    "or the column gets a default", mmdb_problem(d));
	else if (e != CB_OK)
		(void)snprintf(msg, cap, "Mattermost's database is not reachable now (%s)",
		    cb_err_reason(e));
	mmdb_free(d);
	return e;
}

enum cb_err
probe_mattermost(const struct config *c, bool tables, struct mm_server_cache *sc,
    struct metrics *metrics, char *msg, size_t cap)
{
	enum cb_err e = probe_client_config(c, sc, metrics, msg, cap), d;
	char dbmsg[512];
	size_t n;

	if (e == CB_MM_LOGIN_DISABLED || e == CB_ENOMEM || !tables || c->mm_database[0] == '\0')
		return e;
	dbmsg[0] = '\0';
	if ((d = probe_mmdb(c, metrics, dbmsg, sizeof(dbmsg))) == CB_OK)
		return e;
	n = strlen(msg);
	if (n < cap)
		(void)snprintf(msg + n, cap - n, "%s%s", n > 0 ? "; " : "", dbmsg);
	/* A drifted schema outweighs an unreachable REST API. */
	return d == CB_MMDB_SCHEMA || e == CB_OK ? d : e;
}
