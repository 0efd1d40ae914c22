/*
 * signin.c - verified identity -> Mattermost user, teams, session,
 * cookies, redirect (see signin.h).
 *
 * Everything for one contact runs inside a store transaction that holds
 * the contact's advisory lock, so concurrent first clicks create one
 * account and a password re-set never races a login.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "claims.h"
#include "clock.h"
#include "config.h"
#include "cookie.h"
#include "handlers.h"
#include "identity.h"
#include "log.h"
#include "mm.h"
#include "mmdb.h"
#include "mmid.h"
#include "password.h"
#include "request.h"
#include "page.h"
#include "response.h"
#include "signin.h"
#include "store.h"
#include "swap.h"
#include "teamcache.h"
#include "useragent.h"
#include "util.h"

#define MAX_TEAMS (CB_TOKEN_TEAMS_MAX + 2)

struct flow {
	const struct handler_ctx *h;
	const struct config *cfg;
	const struct request *rq;
	const struct claims *c;
	struct mm_ctx mm;
	struct mm_result res;
	struct link link;
	struct mm_user user;
	struct attempt *a;
	struct attempt_strings *as;
	bool password_set;	/* login mode: derived password known to be in place */
	bool link_dirty;	/* link row must be (re)written */
	bool existing;		/* an existing account found by email, being linked */
	enum cb_err by_email;	/* the lookup by email already made: CB_OK (in user),
				 * CB_MM_NOT_FOUND; CB_EINTERNAL: not made */
	const struct issuer *iss;	/* NULL for OAuth2 sign-ins */
	char how[16];
};

/* The safe detail for the log and audit row: what failed and the
 * Mattermost error id (never a body, token or password). */
static void
detail(struct flow *f, const char *what)
{
	struct buf b;

	buf_init(&b, sizeof(f->as->detail) - 1);
	buf_adds(&b, what);
	if (f->res.error_id[0] != '\0') {
		buf_adds(&b, ": ");
		buf_adds(&b, f->res.error_id);
	}
	(void)str_set(f->as->detail, sizeof(f->as->detail), buf_str(&b));
	buf_release(&b);
	f->a->detail = f->as->detail;
}

/* A throwaway password for accounts created in database mode, where the
 * bridge never logs in with a password: Mattermost requires one for email
 * accounts, so it gets 256 random bits the bridge never keeps. */
static void
random_password(char out[PASSWORD_LEN + 1])
{
	unsigned char r[32];

	randombytes_buf(r, sizeof(r));
	memcpy(out, "Rn9!", 4);
	if (b64url_encode(r, sizeof(r), out + 4, PASSWORD_LEN + 1 - 4) != CB_OK)
		out[4] = '\0';
	sodium_memzero(r, sizeof(r));
}

static enum cb_err
create_user(struct flow *f)
{
	const struct claims *c = f->c;
	struct mm_new_user nu;
	char first[CB_NAME_MAX + 1], last[CB_NAME_MAX + 1], user[CB_MM_USERNAME_MAX + 1];
	char pw[PASSWORD_LEN + 1];
	unsigned attempt;
	enum cb_err e = CB_EINTERNAL;

	identity_split_name(c->name, first, last);
	if (f->cfg->session_mode == SESSION_LOGIN)
		e = password_derive(f->cfg->password_secret.p, f->cfg->password_secret.len, c->sub, pw);
	else {
		random_password(pw);
		e = CB_OK;
	}
	if (e != CB_OK)
		return e;
	memset(&nu, 0, sizeof(nu));
	nu.email = c->email;
	nu.password = pw;
	nu.first_name = first;
	nu.last_name = last;
	nu.position = c->com_name;
	nu.contact_id = c->sub;
	for (attempt = 0; attempt < IDENTITY_USERNAME_ATTEMPTS; attempt++) {
		if ((e = identity_username(c->email, c->sub, attempt, user)) != CB_OK)
			break;
		nu.username = user;
		e = mm_user_create(&f->mm, &nu, &f->user, &f->res);
		if (e != CB_MM_REJECTED ||
		    (strcmp(f->res.error_id, "app.user.save.username_exists.app_error") != 0 &&
		    strcmp(f->res.error_id, "model.user.is_valid.username.app_error") != 0))
			break;
		/* Taken by someone else: never reuse another person's account. */
	}
	sodium_memzero(pw, sizeof(pw));
	if (e == CB_OK) {
		(void)str_set(f->how, sizeof(f->how), "created");
		f->password_set = f->cfg->session_mode == SESSION_LOGIN;
		f->link_dirty = true;
		f->a->user_created = 1;
	}
	return e;
}

/* Link table, then email, then create. Never by username. An account
 * found by email (or created meanwhile by someone else) is an existing
 * account: f->existing, judged by check_account before anything changes. */
static enum cb_err
find_user(struct flow *f)
{
	enum cb_err e;

	if (f->link.found) {
		e = mm_user_get(&f->mm, f->link.mm_user_id, &f->user, &f->res);
		if (e == CB_OK) {
			(void)str_set(f->how, sizeof(f->how), f->link.how);
			f->password_set = f->link.password_set;
			return CB_OK;
		}
		if (e != CB_MM_NOT_FOUND)
			return e;
		/* The linked account is gone (deleted in Mattermost). */
		log_msg(LOG_WARN, "linked Mattermost user %s no longer exists; looking up by email",
		    f->link.mm_user_id);
		if ((e = store_link_delete(f->h->store, f->c->sub)) != CB_OK)
			return e;
		memset(&f->link, 0, sizeof(f->link));
	}
	/* The swap guard may have looked already. */
	e = f->by_email != CB_EINTERNAL ? f->by_email
	    : mm_user_by_email(&f->mm, f->c->email, &f->user, &f->res);
	if (e == CB_MM_NOT_FOUND) {
		e = create_user(f);
		if (e != CB_MM_REJECTED || strcmp(f->res.error_id, "app.user.save.email_exists.app_error") != 0)
			return e;
		/* Created meanwhile by someone else (another tool). */
		if ((e = mm_user_by_email(&f->mm, f->c->email, &f->user, &f->res)) != CB_OK)
			return e;
	} else if (e != CB_OK) {
		return e;
	}
	f->existing = true;
	(void)str_set(f->how, sizeof(f->how), "email");
	f->password_set = false;
	f->link_dirty = true;
	return CB_OK;
}

/* The linking policy of this click: the issuer's own link_existing, else
 * refuse for a version-0 token (its HS256 secret sits in every PHP app),
 * else [bridge] link_existing. */
static enum link_policy
link_policy(const struct flow *f)
{
	if (f->iss != NULL && f->iss->link_existing == ISSUER_LINK_EMAIL)
		return LINK_EMAIL;
	if (f->iss != NULL && f->iss->link_existing == ISSUER_LINK_REFUSE)
		return LINK_REFUSE;
	if (f->c->origin == CLAIMS_TOKEN_V0)
		return LINK_REFUSE;
	return f->cfg->link_existing;
}

/* True if roles name anything beyond a plain member: system_admin,
 * system_manager, system_user_manager, system_read_only_admin, a custom
 * role... (system_guest is judged on its own). */
static bool
roles_privileged(const char *roles)
{
	const char *p = roles;

	while (*p != '\0') {
		size_t n = strcspn(p, " ");

		if (n > 0 && !(n == 11 && strncmp(p, "system_user", 11) == 0) &&
		    !(n == 12 && strncmp(p, "system_guest", 12) == 0))
			return true;
		p += n;
		p += strspn(p, " ");
	}
	return false;
}

/* Every reason to refuse this account, judged on what was fetched and
 * before anything changes in Mattermost or the store (no link, no
 * password, no team, no session revoked). */
static enum cb_err
check_account(struct flow *f)
{
	const struct mm_user *u = &f->user;
	bool other = false, verified = true;
	enum cb_err e;

	if (u->delete_at > 0)
		return CB_USER_DEACTIVATED;
	if (u->is_bot)
		return CB_USER_BOT;
	if (u->remote_id[0] != '\0')
		return CB_USER_REMOTE;
	/* A password would silently turn an account of another identity
	 * provider (GitLab, SAML, LDAP, ...) into an email account. */
	if (u->auth_service[0] != '\0') {
		detail(f, "account signs in with another service");
		return CB_USER_UNUSABLE;
	}
	if (list_has(u->roles, ' ', "system_guest") && f->cfg->guests != GUESTS_ALLOW)
		return CB_USER_GUEST;
	/* A second factor the bridge cannot supply: database mode would
	 * bypass it, login mode would fail after re-setting the password. */
	if (u->mfa_active) {
		detail(f, "multi-factor authentication active");
		return CB_USER_UNUSABLE;
	}
	if (!f->existing)
		return CB_OK;	/* linked before, or created just now for this contact */

	/* An existing account found by email: linking it must not hand one
	 * person another's account. */
	if (link_policy(f) == LINK_REFUSE) {
		detail(f, "existing account, link_existing = refuse");
		return CB_LINK_REFUSED;
	}
	if (u->contact_id[0] != '\0' && strcmp(u->contact_id, f->c->sub) != 0) {
		detail(f, "the account carries another contact id");
		return CB_LINK_CONFLICT;
	}
	if ((e = store_link_owned_by_other(f->h->store, u->id, f->c->sub, &other)) != CB_OK)
		return e;
	if (other) {
		detail(f, "the account is linked to another contact");
		return CB_LINK_CONFLICT;
	}
	if (roles_privileged(u->roles) && !f->cfg->link_privileged)
		return CB_LINK_PRIVILEGED;
	/* Mattermost's REST answers never say whether an email is verified;
	 * its database does, when the bridge has it. */
	if (f->h->mmdb != NULL) {
		if ((e = mmdb_user_email_verified(f->h->mmdb, u->id, &verified)) != CB_OK)
			return e;
		if (!verified)
			return CB_USER_UNVERIFIED;
	}
	return CB_OK;
}

/* Appends name to a comma-separated list. */
static void
list_add(char *list, size_t cap, const char *name)
{
	size_t n = strlen(list);

	if (n + strlen(name) + 2 > cap)
		return;
	(void)snprintf(list + n, cap - n, "%s%s", n ? "," : "", name);
}

static enum cb_err
team_id(struct flow *f, const char *name, char id[CB_MMID_LEN + 1])
{
	enum cb_err e;

	if (teamcache_get(f->h->teams, name, f->rq->now, id))
		return id[0] ? CB_OK : CB_MM_NOT_FOUND;
	e = mm_team_by_name(&f->mm, name, id, &f->res);
	/* Created only when the operator named it (jurisdiction_teams by
	 * name, a [team] section, the default team, an issuer's grant):
	 * never because a claim spelled it. */
	if (e == CB_MM_NOT_FOUND && f->cfg->create_missing_teams &&
	    (config_team_listed(f->cfg, name) || (f->iss != NULL && issuer_may_grant(f->iss, name)))) {
		log_msg(LOG_INFO, "creating missing team %s (create_missing_teams = true)", name);
		e = mm_team_create(&f->mm, name, name, strcmp(name, f->cfg->default_team) == 0, id,
		    &f->res);
	}
	if (e == CB_OK)
		teamcache_put(f->h->teams, name, id, f->rq->now);
	else if (e == CB_MM_NOT_FOUND)
		teamcache_put(f->h->teams, name, "", f->rq->now);
	return e;
}

/* The [team "name"] section of a team, if the operator configured one. */
static const struct team_def *
team_def(const struct config *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->n_teams; i++)
		if (strcmp(c->teams[i].name, name) == 0)
			return &c->teams[i];
	return NULL;
}

/* Joins a new team member to the team's mandatory channels ([team]
 * channels). A missing channel is logged and skipped. */
static enum cb_err
join_channels(struct flow *f, const char *team, const char *team_id)
{
	const struct team_def *td = team_def(f->cfg, team);
	char key[TEAMCACHE_KEY_MAX + 1], id[CB_MMID_LEN + 1];
	size_t i;
	int n;
	enum cb_err e;

	for (i = 0; td != NULL && i < td->n_channels; i++) {
		n = snprintf(key, sizeof(key), "%s/%s", team, td->channels[i]);
		if (n < 0 || (size_t)n >= sizeof(key))
			continue;	/* cannot happen: names are bounded by config */
		if (teamcache_get(f->h->teams, key, f->rq->now, id)) {
			e = id[0] ? CB_OK : CB_MM_NOT_FOUND;
		} else {
			e = mm_channel_by_name(&f->mm, team_id, td->channels[i], id, &f->res);
			if (e == CB_OK || e == CB_MM_NOT_FOUND)
				teamcache_put(f->h->teams, key, e == CB_OK ? id : "", f->rq->now);
		}
		if (e == CB_OK)
			e = mm_channel_add_member(&f->mm, id, f->user.id, &f->res);
		if (e == CB_MM_NOT_FOUND || e == CB_MM_REJECTED) {
			log_msg(LOG_WARN, "cannot add user %s to channel %s: %s (run chat-bridge teams sync)",
			    f->user.id, key, f->res.error_id[0] ? f->res.error_id : cb_err_reason(e));
			continue;
		}
		if (e != CB_OK)
			return e;
	}
	return CB_OK;
}

/* Adds memberships (never removes). Known memberships are re-confirmed
 * only when the team set changed or membership_recheck_seconds passed. */
static enum cb_err
ensure_teams(struct flow *f, char teams[][CB_TEAM_NAME_MAX + 1], size_t n, char *joined,
    size_t joined_cap)
{
	char key[CB_TEAM_LIST_MAX + 1] = "", id[CB_MMID_LEN + 1];
	size_t i;
	enum cb_err e;

	for (i = 0; i < n; i++)
		list_add(key, sizeof(key), teams[i]);
	if (f->link.found && !f->link_dirty && strcmp(f->link.teams_key, key) == 0 &&
	    f->link.teams_checked_at > 0 &&
	    f->rq->now - f->link.teams_checked_at < (int64_t)f->cfg->membership_recheck_seconds) {
		(void)str_set(joined, joined_cap, f->link.teams_joined);
		return CB_OK;
	}
	joined[0] = '\0';
	for (i = 0; i < n; i++) {
		e = team_id(f, teams[i], id);
		if (e == CB_MM_NOT_FOUND) {
			log_msg(LOG_WARN, "team %s does not exist in Mattermost; skipped", teams[i]);
			continue;
		}
		if (e == CB_OK)
			e = mm_team_add_member(&f->mm, id, f->user.id, &f->res);
		if (e == CB_OK && (e = join_channels(f, teams[i], id)) == CB_OK) {
			list_add(joined, joined_cap, teams[i]);
			f->a->teams_added++;
			continue;
		}
		if (e == CB_MM_REJECTED || e == CB_MM_NOT_FOUND) {
			/* Team full (MaxUsersPerTeam), domain restrictions, team
			 * deleted: sign in anyway, without this team. */
			log_msg(LOG_WARN, "cannot add user %s to team %s: %s", f->user.id, teams[i],
			    f->res.error_id[0] ? f->res.error_id : cb_err_reason(e));
			teamcache_forget(f->h->teams, teams[i]);
			continue;
		}
		return e;
	}
	return store_link_teams(f->h->store, f->c->sub, key, joined);
}

/* Sets the derived password as a PBKDF2 hash (no email, no logout). */
static enum cb_err
set_password(struct flow *f, const char *pw)
{
	char phc[PASSWORD_PHC_MAX];
	enum cb_err e;

	if ((e = password_phc(pw, f->cfg->password_hash_iterations, phc)) != CB_OK)
		return e;
	e = mm_user_set_password_hash(&f->mm, f->user.id, phc, &f->res);
	sodium_memzero(phc, sizeof(phc));
	if (e != CB_OK)
		return e;
	f->password_set = true;
	return store_link_password(f->h->store, f->c->sub);
}

static enum cb_err
login_refusal(struct flow *f)
{
	const char *id = f->res.error_id;

	if (strcmp(id, "api.user.login.inactive.app_error") == 0)
		return CB_USER_DEACTIVATED;
	if (strcmp(id, "api.user.login.bot_login_forbidden.app_error") == 0)
		return CB_USER_BOT;
	if (strcmp(id, "api.user.check_user_mfa.bad_code.app_error") == 0 ||
	    strcmp(id, "api.user.login.not_verified.app_error") == 0 ||
	    strncmp(id, "api.user.login.guest_accounts", 29) == 0) {
		detail(f, "login refused");
		return CB_USER_UNUSABLE;
	}
	return CB_OK;	/* masked credentials error or lockout: re-set once */
}

/* Session mode "login": Mattermost's own login with the derived password. */
static enum cb_err
session_login(struct flow *f, struct mm_session *s)
{
	char pw[PASSWORD_LEN + 1];
	enum cb_err e;

	if ((e = password_derive(f->cfg->password_secret.p, f->cfg->password_secret.len, f->c->sub,
	    pw)) != CB_OK)
		return e;
	if (!f->password_set && (e = set_password(f, pw)) != CB_OK)
		goto out;
	e = mm_login(&f->mm, f->user.id, pw, f->rq->user_agent, s, &f->res);
	if (e == CB_MM_REJECTED && f->res.status == 401) {
		if ((e = login_refusal(f)) != CB_OK)
			goto out;
		/* A masked 401 (password changed elsewhere) or a lock-out
		 * (FailedAttempts): re-set the derived password, which also
		 * resets FailedAttempts, and try exactly once more. */
		log_msg(LOG_WARN, "login of user %s refused (%s); re-setting the derived password once",
		    f->user.id, f->res.error_id);
		if ((e = set_password(f, pw)) != CB_OK)
			goto out;
		e = mm_login(&f->mm, f->user.id, pw, f->rq->user_agent, s, &f->res);
		if (e == CB_MM_REJECTED && f->res.status == 401 && (e = login_refusal(f)) == CB_OK)
			e = CB_MM_REJECTED;
	}
	if (e != CB_OK)
		detail(f, "login");
out:
	sodium_memzero(pw, sizeof(pw));
	return e;
}

/* Roles as Mattermost reports them: lower-case words and spaces. */
static bool
roles_ok(const char *r)
{
	size_t i;

	if (r[0] == '\0')
		return false;
	for (i = 0; r[i] != '\0'; i++)
		if (!((r[i] >= 'a' && r[i] <= 'z') || r[i] == '_' || r[i] == ' '))
			return false;
	return true;
}

/* Session mode "database": the row Mattermost's DoLogin would write. */
static enum cb_err
session_database(struct flow *f, struct mm_session *s)
{
	struct mmdb_session row;
	struct ua_info ua;
	char sid[CB_MMID_LEN + 1];
	char *props = NULL;
	json_t *p;
	int64_t t0;
	enum cb_err e;

	if (f->h->mmdb == NULL)
		return CB_EINTERNAL;
	if (!roles_ok(f->user.roles)) {
		detail(f, "user roles unusable");
		return CB_MM_ERROR;
	}
	mmid_new(sid);
	mmid_new(s->token);
	mmid_new(s->csrf);
	ua_parse(f->rq->user_agent, &ua);
	p = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "csrf", s->csrf,
	    "isMobile", "false", "isSaml", "false", "isOAuthUser", "false",
	    "is_guest", strstr(f->user.roles, "system_guest") != NULL ? "true" : "false",
	    "platform", ua.platform, "os", ua.os, "browser", ua.browser);
	if (p == NULL || (props = json_dumps(p, JSON_COMPACT)) == NULL) {
		json_decref(p);
		return CB_ENOMEM;
	}
	row.id = sid;
	row.token = s->token;
	row.user_id = f->user.id;
	row.roles = f->user.roles;
	row.props = props;
	row.create_ms = f->rq->now_ms;
	row.expires_ms = f->rq->now_ms + (int64_t)f->cfg->session_hours * 3600 * 1000;
	t0 = clock_mono_us();
	e = mmdb_session_insert(f->h->mmdb, &row);
	f->a->upstream_us += (uint64_t)(clock_mono_us() - t0);
	sodium_memzero(props, strlen(props));
	free(props);
	json_decref(p);
	return e;
}

/* The path of route under the site's path ("/auth/open" or
 * "/chat/auth/open"). */
static void
site_path(const struct config *cfg, const char *route, char out[CB_URL_MAX + 16])
{
	size_t n = strlen(cfg->cookie_path);

	(void)snprintf(out, CB_URL_MAX + 16, "%s%s", n > 0 && cfg->cookie_path[n - 1] == '/' ?
	    "" : cfg->cookie_path, route);
}

/* The session-swap guard: a browser signed in to chat as someone else is
 * asked before it is switched to this link's account (swap.h). CB_OK to
 * go on; CB_REQ_SWAP_CONFIRM with the page in rs; or a failure. */
static enum cb_err
swap_guard(struct flow *f, const struct signin_request *sr, struct response *rs)
{
	const struct config *cfg = f->cfg;
	char current[CB_MMID_LEN + 1], code[SWAP_CODE_LEN + 1], action[CB_URL_MAX + 16];
	char stay[CB_URL_MAX + CB_LANDING_MAX + 1];
	struct page_field fields[3];
	struct mm_user cur;
	size_t n = 0;
	enum cb_err e;

	/* Cheap first: no MMUSERID cookie, nothing to guard. */
	if (!swap_needed(f->rq->cookie, "", current))
		return CB_OK;
	if (f->link.found) {
		if (!swap_needed(f->rq->cookie, f->link.mm_user_id, current))
			return CB_OK;
	} else {
		/* Not linked yet: the account this link would use, if any. */
		e = mm_user_by_email(&f->mm, f->c->email, &f->user, &f->res);
		if (e != CB_OK && e != CB_MM_NOT_FOUND)
			return e;
		f->by_email = e;
		if (!swap_needed(f->rq->cookie, e == CB_OK ? f->user.id : "", current))
			return CB_OK;
	}
	if (sr->confirm != NULL && swap_code_ok(cfg->mm_token.p, cfg->mm_token.len, f->c->jti,
	    current, sr->confirm, sr->confirm_len))
		return CB_OK;
	if ((e = mm_user_get(&f->mm, current, &cur, &f->res)) == CB_MM_NOT_FOUND)
		return CB_OK;	/* a cookie of an account that is gone: nobody to protect */
	if (e != CB_OK)
		return e;
	swap_code(cfg->mm_token.p, cfg->mm_token.len, f->c->jti, current, code);
	fields[n++] = (struct page_field){"jwt", sr->token, sr->token_len};
	if (sr->r != NULL)
		fields[n++] = (struct page_field){"r", sr->r, sr->rlen};
	fields[n++] = (struct page_field){"confirm", code, strlen(code)};
	site_path(cfg, "/auth/open", action);
	(void)snprintf(stay, sizeof(stay), "%s/%s/channels/town-square", cfg->site_url,
	    cfg->default_team);
	rs->status = 200;
	rs->vary_language = true;
	e = page_swap(&rs->body, rs->lang, cur.username, f->c->name[0] ? f->c->name : f->c->email,
	    action, fields, n, stay, &rs->content_type);
	sodium_memzero(code, sizeof(code));
	if (e != CB_OK) {
		rs->status = 0;
		return e;
	}
	detail(f, "another chat user is signed in in this browser");
	return CB_REQ_SWAP_CONFIRM;
}

enum cb_err
signin(const struct handler_ctx *h, const struct request *rq, const struct signin_request *sr,
    struct response *rs, struct attempt *a, struct attempt_strings *as)
{
	const struct claims *c = sr->c;
	char teams[MAX_TEAMS][CB_TEAM_NAME_MAX + 1], jur[CB_TEAM_NAME_MAX + 1];
	char joined[CB_TEAM_LIST_MAX + 1];
	char landing[CB_LANDING_MAX + 1];
	struct cookie_params cp;
	struct mm_session sess;
	struct flow f;
	size_t nteams;
	enum cb_err e;

	memset(&f, 0, sizeof(f));
	f.h = h;
	f.cfg = h->cfg;
	f.rq = rq;
	f.c = c;
	f.iss = sr->iss;
	f.by_email = CB_EINTERNAL;
	f.a = a;
	f.as = as;
	f.mm.cfg = h->cfg;
	f.mm.http = h->http;
	f.mm.metrics = h->metrics;
	f.mm.waited_us = &a->upstream_us;
	memset(&sess, 0, sizeof(sess));
	nteams = identity_teams(c, sr->iss, h->cfg, teams, MAX_TEAMS, jur);

	/* One round trip: the token used up, the contact locked, its link. */
	if ((e = store_begin_click(h->store, sr->token != NULL ? c->iss : NULL,
	    sr->token != NULL ? c->jti : NULL, sr->claim_until, c->sub, &f.link)) != CB_OK)
		return e;
	if (sr->token != NULL && (e = swap_guard(&f, sr, rs)) != CB_OK) {
		if (e != CB_REQ_SWAP_CONFIRM)
			goto fail;
		store_abort(h->store);	/* asked first: the token stays usable */
		goto out;
	}
	if ((e = find_user(&f)) != CB_OK)
		goto fail;
	(void)str_set(as->mm_user_id, sizeof(as->mm_user_id), f.user.id);
	a->mm_user_id = as->mm_user_id;
	if ((e = check_account(&f)) != CB_OK)
		goto fail;
	/* From here on things change. The link first: its unique index makes
	 * a second contact racing for the same account fail here. */
	if (f.link_dirty && (e = store_link_put(h->store, c->sub, f.user.id, f.how,
	    f.password_set)) != CB_OK)
		goto fail;
	if (f.existing) {
		log_msg(LOG_INFO, "linking existing Mattermost user %s to a contact by email%s",
		    f.user.id, h->cfg->revoke_on_link ? "; revoking its sessions" : "");
		/* Whoever planted or used the account before keeps no session. */
		if (h->cfg->revoke_on_link &&
		    (e = mm_user_revoke_sessions(&f.mm, f.user.id, &f.res)) != CB_OK) {
			detail(&f, "revoking the sessions of the account");
			goto fail;
		}
	}
	if ((e = ensure_teams(&f, teams, nteams, joined, sizeof(joined))) != CB_OK)
		goto fail;
	e = h->cfg->session_mode == SESSION_LOGIN ? session_login(&f, &sess)
	    : session_database(&f, &sess);
	if (e != CB_OK)
		goto fail;
	if ((e = store_commit(h->store)) != CB_OK)
		goto out;

	cp.path = h->cfg->cookie_path;
	cp.domain = h->cfg->cookie_domain;
	cp.secure = h->cfg->site_https;
	cp.max_age = (int64_t)h->cfg->session_hours * 3600;
	cp.now = rq->now;
	if ((e = cookie_session(&rs->session, sess.token, f.user.id, sess.csrf, &cp)) != CB_OK)
		goto out;
	rs->has_session = true;
	a->r_ignored = identity_landing(sr->r, sr->rlen, list_has(joined, ',', jur) ? jur : "",
	    h->cfg->default_team, landing);
	(void)snprintf(rs->location, sizeof(rs->location), "%s%s", h->cfg->site_url, landing);
	rs->status = 302;
	e = CB_OK;
	goto out;
fail:
	store_fail(h->store);
out:
	a->mode = h->cfg->session_mode == SESSION_LOGIN ? "login" : "database";
	sodium_memzero(&sess, sizeof(sess));
	return e;
}
