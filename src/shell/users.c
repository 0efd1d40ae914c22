/*
 * users.c - `chat-bridge users` (see users.h).
 */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "http.h"
#include "logline.h"
#include "mm.h"
#include "store.h"
#include "users.h"
#include "util.h"

/* The connections of one command. */
struct conn {
	struct store *store;
	struct mm_ctx m;
	struct mm_result res;
};

static enum cb_err
conn_open(const struct config *c, struct conn *k)
{
	memset(k, 0, sizeof(*k));
	k->m.cfg = c;
	if ((k->store = store_new(c->store_database, NULL)) == NULL ||
	    (k->m.http = http_new()) == NULL)
		return CB_ENOMEM;
	return store_ensure(k->store);
}

static void
conn_close(struct conn *k)
{
	store_free(k->store);
	http_free(k->m.http);
}

static bool
username_char(char ch)
{
	return ascii_isalnum(ch) || ch == '.' || ch == '_' || ch == '-';
}

enum cb_err
users_query_kind(const char *who, enum users_kind *kind)
{
	char up[CB_ULID_LEN + 1];
	size_t n = strlen(who), i;

	if (n == 0 || !is_visible_ascii(who, n))
		return CB_REQ_MALFORMED;
	if (strchr(who, '@') != NULL) {
		*kind = USERS_BY_EMAIL;
		return n <= CB_EMAIL_MAX ? CB_OK : CB_REQ_MALFORMED;
	}
	if (n == CB_ULID_LEN) {
		for (i = 0; i < n; i++)
			up[i] = (who[i] >= 'a' && who[i] <= 'z') ? (char)(who[i] - 'a' + 'A') : who[i];
		up[n] = '\0';
		if (is_ulid(up, n)) {
			*kind = USERS_BY_SUB;
			return CB_OK;
		}
	}
	if (n > 64)
		return CB_REQ_MALFORMED;
	for (i = 0; i < n; i++)
		if (!username_char(who[i]))
			return CB_REQ_MALFORMED;
	*kind = USERS_BY_USERNAME;
	return CB_OK;
}

/* A contact id in its canonical (upper) case. */
static void
canonical_sub(const char *who, char out[CB_ULID_LEN + 1])
{
	size_t i;

	for (i = 0; i < CB_ULID_LEN && who[i] != '\0'; i++)
		out[i] = (who[i] >= 'a' && who[i] <= 'z') ? (char)(who[i] - 'a' + 'A') : who[i];
	out[i] = '\0';
}

/* The Mattermost user named by an email or a username. */
static enum cb_err
user_by_name(struct conn *k, enum users_kind kind, const char *who, struct mm_user *u)
{
	if (kind == USERS_BY_EMAIL)
		return mm_user_by_email(&k->m, who, u, &k->res);
	return mm_user_by_username(&k->m, who, u, &k->res);
}

/* ------------------------------------------------------------ show */

static void
take_last_click(const struct store_audit_row *r, void *arg)
{
	struct users_view *v = arg;

	v->last_click = *r;
	v->have_last_click = true;
}

struct audit_cap {
	struct users_view *v;
	size_t cap;
};

static void
take_audit(const struct store_audit_row *r, void *arg)
{
	struct audit_cap *a = arg;

	if (a->v->n_audit < a->cap)
		a->v->audit[a->v->n_audit++] = *r;
}

/* Teams and sessions of the user Mattermost answered with. */
static enum cb_err
show_mattermost(struct conn *k, struct users_view *v)
{
	enum cb_err e;

	e = mm_user_teams(&k->m, v->user.id, v->teams, CB_USERS_TEAMS_MAX, &v->n_teams,
	    &v->teams_total, &k->res);
	if (e == CB_OK) {
		e = mm_user_sessions(&k->m, v->user.id, &v->sessions, &k->res);
		v->have_sessions = e == CB_OK;
	}
	return e;
}

enum cb_err
users_show(const struct config *c, const char *who, unsigned limit, struct users_view *v)
{
	struct audit_cap ac = {v, limit};
	struct conn k;
	enum cb_err e;

	memset(v, 0, sizeof(*v));
	if ((e = users_query_kind(who, &v->kind)) != CB_OK)
		return e;
	if ((e = conn_open(c, &k)) != CB_OK)
		goto out;
	v->mm_err = CB_OK;
	if (v->kind == USERS_BY_SUB) {
		canonical_sub(who, v->sub);
		if ((e = store_link_info(k.store, v->sub, NULL, &v->link)) != CB_OK)
			goto out;
		if (v->link.found)
			v->mm_err = mm_user_get(&k.m, v->link.mm_user_id, &v->user, &k.res);
		v->have_user = v->link.found && v->mm_err == CB_OK;
	} else {
		v->mm_err = user_by_name(&k, v->kind, who, &v->user);
		v->have_user = v->mm_err == CB_OK;
		if (v->have_user) {
			if ((e = store_link_info(k.store, NULL, v->user.id, &v->link)) != CB_OK)
				goto out;
			if (v->link.found)
				(void)str_set(v->sub, sizeof(v->sub), v->link.sub);
		}
	}
	if (v->have_user)
		v->mm_err = show_mattermost(&k, v);
	if (v->mm_err != CB_OK)
		(void)str_set(v->mm_error_id, sizeof(v->mm_error_id), k.res.error_id);
	/* The audit rows carry the contact's pseudonym only: they are found
	 * once the contact id is known (given, or from the link). */
	if (v->sub[0] != '\0') {
		if ((e = store_audit_of(k.store, v->sub, true, 1, take_last_click, v)) != CB_OK)
			goto out;
		if (limit > 0 && (v->audit = calloc(limit, sizeof(*v->audit))) == NULL) {
			e = CB_ENOMEM;
			goto out;
		}
		if (limit > 0 && (e = store_audit_of(k.store, v->sub, false, limit, take_audit, &ac)) !=
		    CB_OK)
			goto out;
	}
	if (!v->link.found && !v->have_user && !v->have_last_click && v->n_audit == 0) {
		if (v->mm_err != CB_OK && v->mm_err != CB_MM_NOT_FOUND) {
			e = v->mm_err;	/* Mattermost could not say */
			goto out;
		}
		v->unknown = v->kind != USERS_BY_SUB ? USERS_NO_SUCH_USER : USERS_NOTHING;
		e = CB_MM_NOT_FOUND;
		goto out;
	}
	/* A linked user gone from Mattermost is a finding, not a failure. */
	e = v->mm_err == CB_MM_NOT_FOUND ? CB_OK : v->mm_err;
out:
	conn_close(&k);
	return e;
}

void
users_view_free(struct users_view *v)
{
	free(v->audit);
	v->audit = NULL;
	v->n_audit = 0;
}

/* ------------------------------------------------------------ list */

enum cb_err
users_list(const struct config *c, int64_t since_ms, unsigned limit, store_link_each each,
    void *arg, uint64_t *total)
{
	struct conn k;
	enum cb_err e;

	*total = 0;
	if ((e = conn_open(c, &k)) == CB_OK)
		e = store_link_list(k.store, since_ms, limit, each, arg, total);
	conn_close(&k);
	return e;
}

/* ------------------------------------------------------------ changes */

static const char *const action_route[] = {
	[USERS_REVOKE] = "cli users revoke",
	[USERS_UNLINK] = "cli users unlink",
	[USERS_DEACTIVATE] = "cli users deactivate",
};

/* The contact and its link: by contact id, or through the Mattermost user
 * an email or a username names. In a real run the link is read under the
 * contact's lock, in a transaction left open for the caller. */
static enum cb_err
resolve(struct conn *k, const struct users_change *rq, struct users_result *out,
    struct store_link_info *link, bool *in_tx)
{
	struct store_link_info li;
	struct mm_user u;
	enum users_kind kind;
	enum cb_err e;

	*in_tx = false;
	if ((e = users_query_kind(rq->who, &kind)) != CB_OK)
		return e;
	if (kind == USERS_BY_SUB) {
		canonical_sub(rq->who, out->sub);
	} else {
		if ((e = user_by_name(k, kind, rq->who, &u)) == CB_MM_NOT_FOUND) {
			out->unknown = USERS_NO_SUCH_USER;
			return e;
		}
		if (e != CB_OK) {
			out->failed_step = "looking up the Mattermost user";
			return e;
		}
		if ((e = store_link_info(k->store, NULL, u.id, &li)) != CB_OK)
			return e;
		(void)str_set(out->mm_user_id, sizeof(out->mm_user_id), u.id);
		(void)str_set(out->username, sizeof(out->username), u.username);
		if (!li.found) {
			out->unknown = USERS_NOT_LINKED;
			return CB_MM_NOT_FOUND;
		}
		(void)str_set(out->sub, sizeof(out->sub), li.sub);
	}
	if (rq->dry_run) {
		if ((e = store_link_info(k->store, out->sub, NULL, link)) != CB_OK)
			return e;
	} else {
		if ((e = store_contact_begin(k->store, out->sub, link)) != CB_OK)
			return e;
		*in_tx = true;
	}
	if (!link->found) {
		out->unknown = USERS_NOT_LINKED;
		return CB_MM_NOT_FOUND;
	}
	(void)str_set(out->mm_user_id, sizeof(out->mm_user_id), link->mm_user_id);
	return CB_OK;
}

/* The linked Mattermost user and its sessions, before anything changes. */
static enum cb_err
look(struct conn *k, struct users_result *out)
{
	struct mm_user u;
	enum cb_err e;

	if ((e = mm_user_get(&k->m, out->mm_user_id, &u, &k->res)) != CB_OK) {
		out->failed_step = e == CB_MM_NOT_FOUND ? "the linked Mattermost user no longer exists"
		    : "looking up the linked Mattermost user";
		return e;
	}
	(void)str_set(out->username, sizeof(out->username), u.username);
	out->was_inactive = u.delete_at > 0;
	/* Only counted for the operator: a failure here changes nothing. */
	out->have_sessions = mm_user_sessions(&k->m, out->mm_user_id, &out->sessions, &k->res) == CB_OK;
	return CB_OK;
}

static enum cb_err
act(struct conn *k, const struct users_change *rq, struct users_result *out)
{
	enum cb_err e;

	switch (rq->action) {
	case USERS_UNLINK:
		if ((e = store_link_delete(k->store, out->sub)) != CB_OK) {
			out->failed_step = "deleting the link";
			return e;
		}
		out->unlinked = true;
		return CB_OK;
	case USERS_DEACTIVATE:
		if (!out->was_inactive) {
			e = mm_user_set_active(&k->m, out->mm_user_id, false, &k->res);
			if (e != CB_OK) {
				out->failed_step = "deactivating";
				return e;
			}
			out->deactivated = true;
		}
		/* Mattermost ends the sessions itself; asked again explicitly. */
		/* fall through */
	case USERS_REVOKE:
		if ((e = mm_user_revoke_sessions(&k->m, out->mm_user_id, &k->res)) != CB_OK) {
			out->failed_step = "revoking the sessions";
			return e;
		}
		out->revoked = true;
		return CB_OK;
	}
	return CB_EINTERNAL;
}

/* The operator's reason, and what failed. */
static void
audit_detail(const struct users_change *rq, const struct users_result *out, enum cb_err e,
    char d[CB_DETAIL_MAX + 1])
{
	char tmp[CB_DETAIL_MAX * 2];

	if (e == CB_OK)
		(void)snprintf(tmp, sizeof(tmp), "%s", rq->reason);
	else
		(void)snprintf(tmp, sizeof(tmp), "%s [%s%s: %s%s%s]", rq->reason,
		    out->deactivated ? "deactivated; " : "",
		    out->failed_step != NULL && out->failed_step[0] ? out->failed_step : "failed",
		    cb_err_reason(e), out->error_id[0] ? " " : "", out->error_id);
	str_set_cut(d, CB_DETAIL_MAX + 1, tmp);
}

/* The audit row in the open transaction, and the commit. */
static enum cb_err
audit(struct conn *k, const struct users_change *rq, struct users_result *out, enum cb_err e,
    int64_t t0)
{
	char h[CB_PSEUDONYM_LEN + 1], detail[CB_DETAIL_MAX + 1];
	struct attempt a;

	random_hex(out->request_id, CB_REQUEST_ID_LEN);
	out->request_id[CB_REQUEST_ID_LEN] = '\0';
	store_pseudonym(k->store, out->sub, h);
	audit_detail(rq, out, e, detail);
	memset(&a, 0, sizeof(a));
	a.ts_ms = clock_now_ms();
	a.request_id = out->request_id;
	a.route = action_route[rq->action];
	a.method = "CLI";
	a.client = rq->operator;
	a.status = cb_err_status(e);
	a.reason = e;
	a.detail = detail;
	a.via = "cli";
	a.iss = "";
	a.sub_hash = h;
	a.mm_user_id = out->mm_user_id;
	a.mode = "";
	a.latency_us = (uint64_t)(clock_mono_us() - t0);
	return store_contact_commit(k->store, &a);
}

enum cb_err
users_change(const struct config *c, const struct users_change *rq, struct users_result *out)
{
	int64_t t0 = clock_mono_us();
	struct store_link_info link;
	struct conn k;
	bool in_tx = false;
	enum cb_err e;

	memset(out, 0, sizeof(*out));
	out->failed_step = "";
	if ((e = conn_open(c, &k)) != CB_OK)
		goto out;
	if ((e = resolve(&k, rq, out, &link, &in_tx)) != CB_OK)
		goto out;
	/* An unlink needs only the store: it works while Mattermost is down. */
	if (rq->action != USERS_UNLINK)
		e = look(&k, out);
	if (e == CB_OK && rq->dry_run)
		goto out;
	if (e == CB_OK)
		e = act(&k, rq, out);
	if (e != CB_OK)
		(void)str_set(out->error_id, sizeof(out->error_id), k.res.error_id);
	if (rq->dry_run)
		goto out;	/* a failed look: nothing to record */
	out->audit_err = audit(&k, rq, out, e, t0);
	in_tx = false;
	out->audited = out->audit_err == CB_OK;
	if (!out->audited) {
		out->unlinked = false;	/* rolled back with the audit row */
		if (e == CB_OK)
			e = out->audit_err;
	}
out:
	if (in_tx)
		store_contact_abort(k.store);
	conn_close(&k);
	return e;
}

void
users_operator(char out[CB_USERS_OPERATOR_MAX + 1])
{
	const char *name = getenv("SUDO_USER");
	struct passwd pw, *pp = NULL;
	char buf[1024];
	uid_t uid = getuid();

	if (name == NULL || name[0] == '\0')
		name = getenv("USER");
	if (name == NULL || name[0] == '\0') {
		if (getpwuid_r(uid, &pw, buf, sizeof(buf), &pp) == 0 && pp != NULL)
			name = pp->pw_name;
	}
	if (name == NULL || name[0] == '\0' || strlen(name) > 64 ||
	    !is_visible_ascii(name, strlen(name)))
		name = "?";
	(void)snprintf(out, CB_USERS_OPERATOR_MAX + 1, "%s (uid %lu)", name, (unsigned long)uid);
}
