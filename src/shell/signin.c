/*
 * signin.c - verified identity -> Mattermost user, teams, session,
 * cookies, redirect (see signin.h).
 *
 * Everything for one contact runs inside a store transaction that holds
 * the contact's advisory lock (store_begin_click), so concurrent first
 * clicks create one account and a password re-set never races a login.
 *
 * A returning click asks Mattermost as little as it can: in database
 * mode nothing over REST (the session statement reads the user's row and
 * refuses whoever may not sign in), in login mode only the login. The
 * user is fetched over REST when the click links or creates an account,
 * when its team memberships are due for a re-check, when its profile
 * changed, or when a login is refused: every refusal is then decided on
 * the fetched data before anything changes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "claims.h"
#include "clock.h"
#include "config.h"
#include "cookie.h"
#include "handlers.h"
#include "identity.h"
#include "log.h"
#include "loginq.h"
#include "metrics.h"
#include "mm.h"
#include "mmdb.h"
#include "mmid.h"
#include "page.h"
#include "password.h"
#include "request.h"
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
	const struct issuer *iss;	/* NULL for OAuth2 sign-ins */
	struct attempt *a;
	struct attempt_strings *as;
	struct mm_ctx mm;
	struct mm_result res;
	struct mm_server server;	/* what is known of Mattermost, this click */
	struct link link;
	struct mm_user user;		/* user.id always; the rest when fetched */
	bool fetched;			/* user holds Mattermost's answer of this click */
	bool existing;			/* an existing account found by email, being linked */
	bool link_dirty;		/* the link row must be (re)written */
	enum cb_err by_email;		/* the lookup by email already made: CB_OK (in
					 * user), CB_MM_NOT_FOUND; CB_EINTERNAL: not made */
	bool password_set;		/* login mode: a derived password is in place */
	enum password_version pw_version;	/* ... of this version */
	char profile_hash[CB_PROFILE_HASH_LEN + 1];	/* of the claims' profile */
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

/* A password for accounts created in database mode, where the bridge
 * never logs in with one: Mattermost requires one for email accounts, so
 * they get 72 random characters the bridge never keeps. */
static void
random_password(char out[CB_PASSWORD_MAX + 1])
{
	unsigned char r[64];
	char b64[CB_B64_LEN(64) + 1];

	randombytes_buf(r, sizeof(r));
	memcpy(out, "Rn9!", 4);
	if (b64url_encode(r, sizeof(r), b64, sizeof(b64)) == CB_OK) {
		memcpy(out + 4, b64, CB_PASSWORD_MAX - 4);
		out[CB_PASSWORD_MAX] = '\0';
	} else {
		out[4] = '\0';
	}
	sodium_memzero(r, sizeof(r));
	sodium_memzero(b64, sizeof(b64));
}

/* The hash of the profile the claims give Mattermost (name, company,
 * email): what the link row keeps, so an unchanged profile costs nothing. */
static void
profile_hash(const struct claims *c, char out[CB_PROFILE_HASH_LEN + 1])
{
	unsigned char h[crypto_generichash_BYTES_MIN];
	crypto_generichash_state st;

	crypto_generichash_init(&st, (const unsigned char *)"openthc-chat-bridge/profile/v1", 30,
	    sizeof(h));
	crypto_generichash_update(&st, (const unsigned char *)c->name, strlen(c->name) + 1);
	crypto_generichash_update(&st, (const unsigned char *)c->com_name, strlen(c->com_name) + 1);
	crypto_generichash_update(&st, (const unsigned char *)c->email, strlen(c->email) + 1);
	crypto_generichash_final(&st, h, sizeof(h));
	sodium_bin2hex(out, CB_PROFILE_HASH_LEN + 1, h, sizeof(h));
}

static enum cb_err
create_user(struct flow *f)
{
	const struct claims *c = f->c;
	struct mm_new_user nu;
	char first[CB_NAME_MAX + 1], last[CB_NAME_MAX + 1], user[CB_MM_USERNAME_MAX + 1];
	char pw[CB_PASSWORD_MAX + 1];
	unsigned attempt;
	enum cb_err e = CB_EINTERNAL;

	identity_split_name(c->name, first, last);
	if (f->cfg->session_mode == SESSION_LOGIN) {
		e = password_derive(f->cfg->password_secret.p, f->cfg->password_secret.len, c->sub,
		    PASSWORD_V2, pw);
	} else {
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
		f->fetched = true;
		f->password_set = f->cfg->session_mode == SESSION_LOGIN;
		f->pw_version = PASSWORD_V2;
		f->link_dirty = true;
		f->a->user_created = 1;
	}
	return e;
}

/* The linked account over REST; CB_MM_NOT_FOUND: it is gone. */
static enum cb_err
fetch_linked(struct flow *f)
{
	enum cb_err e = mm_user_get(&f->mm, f->link.mm_user_id, &f->user, &f->res);

	if (e != CB_OK)
		return e;
	f->fetched = true;
	/* Keep the login name the fast path uses up to date. */
	if (strcmp(f->user.email, f->link.mm_email) != 0 ||
	    strcmp(f->user.username, f->link.mm_username) != 0) {
		if ((e = store_link_account(f->h->store, f->c->sub, f->user.email, f->user.username)) !=
		    CB_OK)
			return e;
		(void)str_set(f->link.mm_email, sizeof(f->link.mm_email), f->user.email);
		(void)str_set(f->link.mm_username, sizeof(f->link.mm_username), f->user.username);
	}
	return CB_OK;
}

/* Link table, then email, then create. Never by username. An account
 * found by email (or created meanwhile by someone else) is an existing
 * account: f->existing, judged by check_account before anything changes.
 * need_user: a linked user is fetched over REST too (else only its id
 * and login names, from the link row). */
static enum cb_err
find_user(struct flow *f, bool need_user)
{
	enum cb_err e;

	if (f->link.found) {
		(void)str_set(f->how, sizeof(f->how), f->link.how);
		f->password_set = f->link.password_set;
		f->pw_version = f->link.password_version == 2 ? PASSWORD_V2 : PASSWORD_V1;
		(void)str_set(f->user.id, sizeof(f->user.id), f->link.mm_user_id);
		(void)str_set(f->user.email, sizeof(f->user.email), f->link.mm_email);
		(void)str_set(f->user.username, sizeof(f->user.username), f->link.mm_username);
		if (!need_user || (e = fetch_linked(f)) == CB_OK)
			return CB_OK;
		if (e != CB_MM_NOT_FOUND)
			return e;
		/* The linked account is gone (deleted in Mattermost). */
		log_msg(LOG_WARN, "linked Mattermost user %s no longer exists; looking up by email",
		    f->link.mm_user_id);
		if ((e = store_link_delete(f->h->store, f->c->sub)) != CB_OK)
			return e;
		memset(&f->link, 0, sizeof(f->link));
		memset(&f->user, 0, sizeof(f->user));
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
	f->fetched = true;
	f->existing = true;
	(void)str_set(f->how, sizeof(f->how), "email");
	f->password_set = false;
	f->pw_version = PASSWORD_V2;
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

/* Guests may sign in: the operator allows it ([mattermost] guests) and
 * Mattermost would let them in (a licence, guest accounts enabled);
 * otherwise their login is a masked 401 that no password re-set cures. */
static bool
guests_allowed(const struct flow *f)
{
	return f->cfg->guests == GUESTS_ALLOW && mm_server_guests_possible(&f->server);
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
	if (list_has(u->roles, ' ', "system_guest") && !guests_allowed(f)) {
		if (f->cfg->guests == GUESTS_ALLOW)
			detail(f, "Mattermost lets no guest in (no licence, or guest accounts off)");
		return CB_USER_GUEST;
	}
	/* A second factor the bridge cannot supply, where Mattermost checks
	 * one: database mode would bypass it, login mode would fail after
	 * re-setting the password. */
	if (u->mfa_active && mm_server_mfa_enforced(&f->server)) {
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

/* The team's id from the cache or Mattermost; CB_MM_NOT_FOUND for a team
 * that does not exist or is archived (never joined, never landed in). */
static enum cb_err
team_id(struct flow *f, const char *name, char id[CB_MMID_LEN + 1])
{
	bool archived = false;
	enum cb_err e;

	if (teamcache_get(f->h->teams, name, f->rq->now, id))
		return id[0] ? CB_OK : CB_MM_NOT_FOUND;
	e = mm_team_by_name(&f->mm, name, id, &archived, &f->res);
	if (e == CB_OK && archived) {
		id[0] = '\0';
		teamcache_put(f->h->teams, name, "", f->rq->now);
		return CB_MM_NOT_FOUND;
	}
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

/* The team set as a list, the key the link row keeps. */
static void
teams_key(char teams[][CB_TEAM_NAME_MAX + 1], size_t n, char key[CB_TEAM_LIST_MAX + 1])
{
	size_t i;

	key[0] = '\0';
	for (i = 0; i < n; i++)
		list_add(key, CB_TEAM_LIST_MAX + 1, teams[i]);
}

/* True if the memberships must be confirmed in Mattermost this click: a
 * new link, another team set, or membership_recheck_seconds passed. */
static bool
teams_due(const struct flow *f, const char *key)
{
	return !f->link.found || f->link_dirty || strcmp(f->link.teams_key, key) != 0 ||
	    f->link.teams_checked_at <= 0 ||
	    f->rq->now - f->link.teams_checked_at >= (int64_t)f->cfg->membership_recheck_seconds;
}

/* Adds memberships (never removes), when due; joined gets the teams the
 * user is in. */
static enum cb_err
ensure_teams(struct flow *f, char teams[][CB_TEAM_NAME_MAX + 1], size_t n, const char *key,
    char *joined, size_t joined_cap)
{
	char id[CB_MMID_LEN + 1];
	size_t i;
	enum cb_err e;

	if (!teams_due(f, key)) {
		(void)str_set(joined, joined_cap, f->link.teams_joined);
		return CB_OK;
	}
	joined[0] = '\0';
	for (i = 0; i < n; i++) {
		e = team_id(f, teams[i], id);
		if (e == CB_MM_NOT_FOUND) {
			log_msg(LOG_WARN, "team %s does not exist in Mattermost or is archived; skipped",
			    teams[i]);
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

/* Keeps the profile the bridge owns (first and last name, position from
 * the company name, email) as the claims say, when they changed since it
 * last wrote them: never a nickname or anything else the person set. A
 * new email that another account has is left out, logged and noted in
 * the attempt; the click goes on. A newly linked account keeps its names:
 * only later changes are written. */
static enum cb_err
sync_profile(struct flow *f)
{
	char first[CB_NAME_MAX + 1], last[CB_NAME_MAX + 1];
	struct mm_user_patch p;
	struct mm_user after;
	enum cb_err e;

	if (strcmp(f->link.profile_hash, f->profile_hash) == 0)
		return CB_OK;
	if (f->link.found && !f->link_dirty && f->link.profile_hash[0] != '\0') {
		identity_split_name(f->c->name, first, last);
		memset(&p, 0, sizeof(p));
		p.first_name = first;
		p.last_name = last;
		p.position = f->c->com_name;
		if (strcmp(f->c->email, f->user.email) != 0)
			p.email = f->c->email;
		e = mm_user_patch(&f->mm, f->user.id, &p, &after, &f->res);
		if (e == CB_MM_REJECTED && p.email != NULL &&
		    strcmp(f->res.error_id, "app.user.save.email_exists.app_error") == 0) {
			log_msg(LOG_WARN, "the new email of user %s belongs to another Mattermost "
			    "account; kept the old one", f->user.id);
			detail(f, "profile: email taken by another account, not changed");
			p.email = NULL;
			e = mm_user_patch(&f->mm, f->user.id, &p, &after, &f->res);
		}
		if (e != CB_OK)
			return e;
		if (p.email != NULL && (e = store_link_account(f->h->store, f->c->sub, after.email,
		    after.username)) != CB_OK)
			return e;
		(void)str_set(f->user.email, sizeof(f->user.email), after.email);
		f->a->profile_synced = 1;
	}
	return store_link_profile(f->h->store, f->c->sub, f->profile_hash);
}

/* Sets the derived password of version v as a hash Mattermost accepts
 * with already_hashed (no email, no logout): bcrypt for Mattermost 10.x,
 * which verifies nothing else; PBKDF2 (Mattermost 11's own) otherwise. */
static enum cb_err
set_password(struct flow *f, const char *pw, enum password_version v)
{
	char phc[PASSWORD_PHC_MAX];
	enum cb_err e;

	if (mm_server_bcrypt_only(&f->server))
		e = password_bcrypt(pw, phc);
	else
		e = password_phc(pw, f->cfg->password_hash_iterations, phc);
	if (e != CB_OK)
		return e;
	e = mm_user_set_password_hash(&f->mm, f->user.id, phc, &f->res);
	sodium_memzero(phc, sizeof(phc));
	if (e != CB_OK)
		return e;
	f->password_set = true;
	f->pw_version = v;
	return store_link_password(f->h->store, f->c->sub, (int)v);
}

/* A login Mattermost refused for a reason the bridge must respect (an
 * unmasked error id); CB_OK for the masked credentials error. */
static enum cb_err
login_refusal(struct flow *f)
{
	const char *id = f->res.error_id;

	if (strcmp(id, "api.user.login.inactive.app_error") == 0)
		return CB_USER_DEACTIVATED;
	if (strcmp(id, "api.user.login.bot_login_forbidden.app_error") == 0)
		return CB_USER_BOT;
	if (strcmp(id, "api.user.check_user_mfa.bad_code.app_error") == 0 ||
	    strcmp(id, "mfa.validate_token.authenticate.app_error") == 0 ||
	    strcmp(id, "api.user.login.not_verified.app_error") == 0) {
		detail(f, "login refused");
		return CB_USER_UNUSABLE;
	}
	return CB_OK;	/* masked credentials error or lockout: re-set once */
}

/* One login, honouring Mattermost's login rate limit (11.3+: 5/s, burst
 * 10, per address): after a 429 it waits Retry-After once, if that fits
 * the click's budget, and tries again; a second 429 (or one that does not
 * fit) is CB_MM_BUSY with the wait for the browser. */
static enum cb_err
login_once(struct flow *f, enum mm_login_by by, const char *pw, struct mm_session *s,
    int64_t deadline_us)
{
	enum cb_err e = mm_login(&f->mm, by, &f->user, pw, f->rq->user_agent, s, &f->res);
	unsigned wait_s;

	if (e != CB_MM_ERROR || f->res.status != 429)
		return e;
	metrics_count(f->h->metrics, MC_LOGIN_THROTTLED);
	wait_s = f->res.retry_after > 0 ? f->res.retry_after : 1;
	if (clock_mono_us() + (int64_t)wait_s * 1000000 < deadline_us) {
		struct timespec ts = {(time_t)wait_s, 0};

		log_msg(LOG_WARN, "Mattermost limits logins (429): waiting %u s once", wait_s);
		(void)nanosleep(&ts, NULL);
		f->a->upstream_us += (uint64_t)wait_s * 1000000;
		e = mm_login(&f->mm, by, &f->user, pw, f->rq->user_agent, s, &f->res);
		if (e != CB_MM_ERROR || f->res.status != 429)
			return e;
		wait_s = f->res.retry_after > 0 ? f->res.retry_after : 1;
	}
	f->a->retry_after = wait_s;
	detail(f, "Mattermost's login rate limit");
	return CB_MM_BUSY;
}

/* Session mode "login": Mattermost's own login with the derived password,
 * queued behind at most login_concurrency logins of this process. A
 * masked 401 (password changed elsewhere, a lock-out, a stale login
 * name, or an account that may not sign in) fetches the user, refuses
 * what must be refused, re-sets the derived password once (which also
 * resets FailedAttempts) and tries exactly once more. */
static enum cb_err
session_login(struct flow *f, struct mm_session *s)
{
	enum mm_login_by by = mm_server_login_by(&f->server);
	int64_t deadline = clock_mono_us() + (int64_t)f->cfg->timeout_ms * 1000;
	char pw[CB_PASSWORD_MAX + 1];
	uint64_t waited = 0;
	enum cb_err e;

	if (by == MM_LOGIN_IMPOSSIBLE)
		return CB_MM_LOGIN_DISABLED;
	if ((e = loginq_enter(f->h->loginq, f->cfg->login_concurrency, f->cfg->login_queue_ms,
	    &waited)) != CB_OK) {
		f->a->upstream_us += waited;
		f->a->retry_after = 1;
		detail(f, "logins queued longer than login_queue_ms");
		return e;
	}
	f->a->upstream_us += waited;
	if (!f->password_set) {
		e = password_derive(f->cfg->password_secret.p, f->cfg->password_secret.len, f->c->sub,
		    PASSWORD_V2, pw);
		if (e != CB_OK || (e = set_password(f, pw, PASSWORD_V2)) != CB_OK)
			goto out;
	} else if ((e = password_derive(f->cfg->password_secret.p, f->cfg->password_secret.len,
	    f->c->sub, f->pw_version, pw)) != CB_OK) {
		goto out;
	}
	e = login_once(f, by, pw, s, deadline);
	if (e == CB_MM_REJECTED && f->res.status == 401) {
		if ((e = login_refusal(f)) != CB_OK)
			goto out;
		log_msg(LOG_WARN, "login of user %s refused (%s); re-setting the derived password once",
		    f->user.id, f->res.error_id);
		/* The sign-in settings may have changed since they were read:
		 * with both off (11.3+) every login is this masked 401, and a
		 * re-set would change nothing but the password. */
		if (mm_client_config(&f->mm, &f->server, &f->res) == CB_OK) {
			if ((by = mm_server_login_by(&f->server)) == MM_LOGIN_IMPOSSIBLE) {
				e = CB_MM_LOGIN_DISABLED;
				goto out;
			}
		}
		/* Nothing was fetched on the fast path: fetch, and refuse before
		 * the re-set whoever may not sign in (a guest Mattermost will not
		 * let in, a remote user, another sign-in service...). */
		if (!f->fetched && ((e = fetch_linked(f)) != CB_OK || (e = check_account(f)) != CB_OK))
			goto out;
		if ((e = password_derive(f->cfg->password_secret.p, f->cfg->password_secret.len,
		    f->c->sub, PASSWORD_V2, pw)) != CB_OK || (e = set_password(f, pw, PASSWORD_V2)) != CB_OK)
			goto out;
		e = login_once(f, by, pw, s, deadline);
		if (e == CB_MM_REJECTED && f->res.status == 401 && (e = login_refusal(f)) == CB_OK)
			e = CB_MM_REJECTED;
	} else if (e == CB_MM_REJECTED && (e = login_refusal(f)) == CB_OK) {
		e = CB_MM_REJECTED;
	}
	if (e != CB_OK && e != CB_MM_BUSY && f->as->detail[0] == '\0')
		detail(f, "login");
out:
	loginq_leave(f->h->loginq);
	sodium_memzero(pw, sizeof(pw));
	return e;
}

/* Session mode "database": the row Mattermost's DoLogin would write, in
 * one statement that reads the user's roles and refuses whoever may not
 * sign in. */
static enum cb_err
session_database(struct flow *f, struct mm_session *s)
{
	struct mmdb_session row;
	struct ua_info ua;
	char sid[CB_MMID_LEN + 1], ids[3][CB_MMID_LEN + 1];
	const char *why = NULL;
	int64_t t0;
	unsigned hours;
	enum cb_err e;

	if (f->h->mmdb == NULL)
		return CB_EINTERNAL;
	mmid_new_n(ids, 3);
	memcpy(sid, ids[0], sizeof(sid));
	memcpy(s->token, ids[1], sizeof(ids[1]));
	memcpy(s->csrf, ids[2], sizeof(ids[2]));
	sodium_memzero(ids, sizeof(ids));
	ua_parse(f->rq->user_agent, &ua);
	/* Mattermost's session length follows the device (§1.3). */
	hours = ua.mobile ? f->cfg->session_hours_mobile : f->cfg->session_hours;
	memset(&row, 0, sizeof(row));
	row.id = sid;
	row.token = s->token;
	row.user_id = f->user.id;
	row.csrf = s->csrf;
	row.mobile = ua.mobile;
	row.platform = ua.platform;
	row.os = ua.os;
	row.browser = ua.browser;
	row.create_ms = f->rq->now_ms;
	row.expires_ms = f->rq->now_ms + (int64_t)hours * 3600 * 1000;
	row.mfa_enforced = mm_server_mfa_enforced(&f->server);
	row.guests_allowed = guests_allowed(f);
	t0 = clock_mono_us();
	e = mmdb_session_insert(f->h->mmdb, &row, &why);
	f->a->upstream_us += (uint64_t)(clock_mono_us() - t0);
	if (why != NULL)
		detail(f, why);
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
	char key[CB_TEAM_LIST_MAX + 1], joined[CB_TEAM_LIST_MAX + 1];
	char landing[CB_LANDING_MAX + 1];
	struct cookie_params cp;
	struct mm_session sess;
	struct flow f;
	size_t nteams;
	bool need_user, refetch = false, committed = false;
	enum cb_err e, ce;

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
	f.mm.server = h->mmserver;
	mm_server_get(h->mmserver, &f.server);
	memset(&sess, 0, sizeof(sess));
	nteams = identity_teams(c, sr->iss, h->cfg, teams, MAX_TEAMS, jur);
	teams_key(teams, nteams, key);
	profile_hash(c, f.profile_hash);

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
	/* Password sign-in impossible on this Mattermost: say so before
	 * anything changes (no password set for nothing). */
	if (h->cfg->session_mode == SESSION_LOGIN &&
	    mm_server_login_by(&f.server) == MM_LOGIN_IMPOSSIBLE) {
		detail(&f, "EnableSignInWithEmail and EnableSignInWithUsername are both off");
		e = CB_MM_LOGIN_DISABLED;
		goto fail;
	}
resolve:
	/* The user over REST only when something will change for it (team
	 * memberships due, profile changed) or when login mode lacks the
	 * name to log in with; then every refusal is decided first. */
	need_user = refetch || teams_due(&f, key) || strcmp(f.link.profile_hash, f.profile_hash) != 0 ||
	    (h->cfg->session_mode == SESSION_LOGIN &&
	    ((mm_server_login_by(&f.server) == MM_LOGIN_BY_EMAIL && f.link.mm_email[0] == '\0') ||
	    (mm_server_login_by(&f.server) == MM_LOGIN_BY_USERNAME && f.link.mm_username[0] == '\0')));
	if ((e = find_user(&f, need_user)) != CB_OK)
		goto fail;
	(void)str_set(as->mm_user_id, sizeof(as->mm_user_id), f.user.id);
	a->mm_user_id = as->mm_user_id;
	if (f.fetched && (e = check_account(&f)) != CB_OK)
		goto fail;
	/* From here on things change. The link first: its unique index makes
	 * a second contact racing for the same account fail here. */
	if (f.link_dirty) {
		struct link l = f.link;

		(void)str_set(l.mm_user_id, sizeof(l.mm_user_id), f.user.id);
		(void)str_set(l.how, sizeof(l.how), f.how);
		(void)str_set(l.mm_email, sizeof(l.mm_email), f.user.email);
		(void)str_set(l.mm_username, sizeof(l.mm_username), f.user.username);
		l.password_set = f.password_set;
		l.password_version = (int)f.pw_version;
		if ((e = store_link_put(h->store, c->sub, &l)) != CB_OK)
			goto fail;
		f.link.profile_hash[0] = '\0';
	}
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
	if ((e = sync_profile(&f)) != CB_OK)
		goto fail;
	if ((e = ensure_teams(&f, teams, nteams, key, joined, sizeof(joined))) != CB_OK)
		goto fail;
	if (h->cfg->session_mode == SESSION_LOGIN) {
		e = session_login(&f, &sess);
	} else if (!f.fetched) {
		/* Database mode, a returning click: nothing more changes in
		 * the store, so its COMMIT travels while the session row is
		 * written (one wait for both). */
		if ((e = store_commit_send(h->store)) != CB_OK)
			goto out;
		committed = true;
		e = session_database(&f, &sess);
		ce = store_commit_wait(h->store);
		if (e == CB_OK)
			e = ce;	/* the session stays unused: nobody gets its token */
	} else {
		e = session_database(&f, &sess);
	}
	if (e == CB_MM_NOT_FOUND && !f.fetched && !refetch) {
		/* Database mode, fast path: the linked user is gone from
		 * Mattermost. Nothing changed yet: once more the REST way (the
		 * link dropped, then email, then create), in a transaction
		 * again, under the contact's lock. */
		refetch = true;
		if (committed) {
			if ((e = store_begin_click(h->store, NULL, NULL, 0, c->sub, &f.link)) != CB_OK)
				goto out;
			committed = false;
		}
		goto resolve;
	}
	if (e != CB_OK)
		goto fail;
	if (!committed && (e = store_commit(h->store)) != CB_OK)
		goto out;

	cp.path = h->cfg->cookie_path;
	cp.domain = h->cfg->cookie_domain;
	cp.secure = h->cfg->site_https;
	cp.embedded = cookie_embedded(rq->cookie);
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
	/* Mattermost over its limits (a 429 on any call): busy, come back
	 * after what it said, not a 502. */
	if (e == CB_MM_ERROR && f.res.status == 429) {
		e = CB_MM_BUSY;
		a->retry_after = f.res.retry_after > 0 ? f.res.retry_after : 1;
		detail(&f, "Mattermost answered 429");
	}
	if (e == CB_MM_BUSY && a->retry_after > 0)
		rs->retry_after = a->retry_after;
	if (!committed)
		store_fail(h->store);
out:
	a->mode = h->cfg->session_mode == SESSION_LOGIN ? "login" : "database";
	sodium_memzero(&sess, sizeof(sess));
	return e;
}
