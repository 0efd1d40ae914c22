/*
 * mm.c - Mattermost REST API v4 client (see mm.h).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "buf.h"
#include "config.h"
#include "http.h"
#include "log.h"
#include "metrics.h"
#include "mm.h"
#include "mmid.h"
#include "util.h"

struct call {
	const char *method;
	const char *path;	/* below /api/v4, already escaped */
	json_t *body;		/* borrowed; NULL = none */
	bool admin;		/* send the bot token */
	/* login only */
	const char *user_agent;
	struct mm_session *session;
};

struct mm_server_cache {
	pthread_mutex_t mu;
	struct mm_server s;
	char described[192];	/* mm_server_describe of what was last logged */
};

struct mm_server_cache *
mm_server_cache_new(void)
{
	struct mm_server_cache *sc = calloc(1, sizeof(*sc));

	if (sc != NULL && pthread_mutex_init(&sc->mu, NULL) != 0) {
		free(sc);
		return NULL;
	}
	return sc;
}

void
mm_server_cache_free(struct mm_server_cache *sc)
{
	if (sc == NULL)
		return;
	pthread_mutex_destroy(&sc->mu);
	free(sc);
}

void
mm_server_relog(struct mm_server_cache *sc)
{
	pthread_mutex_lock(&sc->mu);
	sc->described[0] = '\0';
	pthread_mutex_unlock(&sc->mu);
}

void
mm_server_get(struct mm_server_cache *sc, struct mm_server *out)
{
	pthread_mutex_lock(&sc->mu);
	*out = sc->s;
	pthread_mutex_unlock(&sc->mu);
}

/* Notes the version of an answer's X-Version-Id. */
static void
note_version(const struct mm_ctx *m, const char *x)
{
	struct mm_server v;

	if (m->server == NULL || x[0] == '\0')
		return;
	memset(&v, 0, sizeof(v));
	if (!mm_server_parse_version(x, &v))
		return;
	pthread_mutex_lock(&m->server->mu);
	m->server->s.major = v.major;
	m->server->s.minor = v.minor;
	m->server->s.patch = v.patch;
	if (v.licence_known) {
		m->server->s.licensed = v.licensed;
		m->server->s.licence_known = true;
	}
	pthread_mutex_unlock(&m->server->mu);
}

/* Copies the AppError id of an error body into res->error_id. */
static void
error_id(const struct buf *body, struct mm_result *res)
{
	json_t *j = json_loadb(body->data != NULL ? body->data : "", body->len, 0, NULL);
	const char *id = json_string_value(json_object_get(j, "id"));

	res->error_id[0] = '\0';
	if (id != NULL && strlen(id) < sizeof(res->error_id) && is_visible_ascii(id, strlen(id)))
		(void)str_set(res->error_id, sizeof(res->error_id), id);
	json_decref(j);
}

static enum cb_err
call(const struct mm_ctx *m, const struct call *c, json_t **out, struct mm_result *res)
{
	const struct config *cfg = m->cfg;
	struct http_req r;
	struct http_resp resp;
	char url[CB_URL_MAX + 512], auth[CB_SECRET_MAX + 16];
	char *body = NULL;
	enum cb_err e;

	if (out != NULL)
		*out = NULL;
	res->status = 0;
	res->error_id[0] = '\0';
	res->retry_after = 0;
	if (snprintf(url, sizeof(url), "%s/api/v4%s", cfg->mm_url, c->path) >= (int)sizeof(url))
		return CB_ETOOBIG;
	memset(&r, 0, sizeof(r));
	r.method = c->method;
	r.url = url;
	r.connect_timeout_ms = cfg->connect_timeout_ms;
	r.timeout_ms = cfg->timeout_ms;
	if (c->body != NULL) {
		if ((body = json_dumps(c->body, JSON_COMPACT)) == NULL)
			return CB_ENOMEM;
		r.body = body;
		r.body_len = strlen(body);
		r.content_type = "application/json";
	}
	if (c->admin) {
		memcpy(auth, "Bearer ", 7);
		memcpy(auth + 7, cfg->mm_token.p, cfg->mm_token.len);
		auth[7 + cfg->mm_token.len] = '\0';
		r.authorization = auth;
	}
	if (c->session != NULL) {
		r.xhr = 1;
		r.user_agent = c->user_agent;
		r.forwarded_proto = cfg->site_https ? "https" : NULL;
		r.capture_header = "Token";
		r.capture_cookie = "MMCSRF";
	}
	e = http_do(m->http, &r, &resp);
	if (c->admin)
		sodium_memzero(auth, sizeof(auth));
	if (body != NULL) {
		sodium_memzero(body, strlen(body));	/* may carry a password */
		free(body);
	}
	res->calls++;
	if (m->metrics != NULL)
		metrics_observe(m->metrics, MH_MM, resp.us);
	if (m->waited_us != NULL)
		*m->waited_us += resp.us;
	if (e != CB_OK)
		goto out;
	res->status = resp.status;
	note_version(m, resp.version);
	if (resp.status == 429) {
		uint64_t ra = 0;

		res->retry_after = parse_u64(resp.retry_after, strlen(resp.retry_after), 3600, &ra) ==
		    CB_OK ? (unsigned)ra : 1;
	}
	if (resp.status == 200 || resp.status == 201) {
		if (out != NULL && (*out = json_loadb(buf_str(&resp.body), resp.body.len, 0, NULL)) == NULL)
			e = CB_MM_ERROR;
		if (c->session != NULL) {
			if (!mmid_valid(resp.header, strlen(resp.header)) ||
			    !mmid_valid(resp.cookie, strlen(resp.cookie)))
				e = CB_MM_ERROR;	/* 200 without Token or MMCSRF */
			else {
				(void)str_set(c->session->token, sizeof(c->session->token), resp.header);
				(void)str_set(c->session->csrf, sizeof(c->session->csrf), resp.cookie);
			}
		}
	} else {
		error_id(&resp.body, res);
		if (resp.status == 404)
			e = CB_MM_NOT_FOUND;
		else if (resp.status >= 400 && resp.status < 500 && resp.status != 429)
			e = CB_MM_REJECTED;
		else
			e = CB_MM_ERROR;
	}
out:
	sodium_memzero(resp.header, sizeof(resp.header));
	sodium_memzero(resp.cookie, sizeof(resp.cookie));
	http_resp_release(&resp);
	return e;
}

/* Wipes the string member k of b in place (passwords in request bodies). */
static void
wipe_member(json_t *b, const char *k)
{
	const char *v = json_string_value(json_object_get(b, k));

	if (v != NULL)
		sodium_memzero((char *)(uintptr_t)v, strlen(v));
}

static void
copy_str(const json_t *o, const char *k, char *out, size_t cap)
{
	const char *v = json_string_value(json_object_get(o, k));

	if (v == NULL || str_set(out, cap, v) != CB_OK)
		out[0] = '\0';
}

static enum cb_err
parse_user(const json_t *j, struct mm_user *u)
{
	const json_t *d;

	memset(u, 0, sizeof(*u));
	copy_str(j, "id", u->id, sizeof(u->id));
	if (!mmid_valid(u->id, strlen(u->id)))
		return CB_MM_ERROR;
	copy_str(j, "username", u->username, sizeof(u->username));
	copy_str(j, "email", u->email, sizeof(u->email));
	copy_str(j, "roles", u->roles, sizeof(u->roles));
	copy_str(j, "auth_service", u->auth_service, sizeof(u->auth_service));
	copy_str(j, "remote_id", u->remote_id, sizeof(u->remote_id));
	copy_str(json_object_get(j, "props"), "openthc_contact_id", u->contact_id,
	    sizeof(u->contact_id));
	d = json_object_get(j, "delete_at");
	u->delete_at = json_is_integer(d) ? (int64_t)json_integer_value(d) : 0;
	u->is_bot = json_is_true(json_object_get(j, "is_bot"));
	u->mfa_active = json_is_true(json_object_get(j, "mfa_active"));
	u->email_verified = json_is_true(json_object_get(j, "email_verified"));
	return CB_OK;
}

static enum cb_err
user_call(const struct mm_ctx *m, const struct call *c, struct mm_user *u, struct mm_result *res)
{
	json_t *j = NULL;
	enum cb_err e = call(m, c, &j, res);

	if (e == CB_OK)
		e = parse_user(j, u);
	json_decref(j);
	return e;
}

enum cb_err
mm_user_get(const struct mm_ctx *m, const char *id, struct mm_user *out, struct mm_result *res)
{
	char path[64];
	struct call c = {"GET", path, NULL, true, NULL, NULL};

	if (!mmid_valid(id, strlen(id)))
		return CB_EINTERNAL;
	(void)snprintf(path, sizeof(path), "/users/%s", id);
	return user_call(m, &c, out, res);
}

/* GET prefix + the URL-encoded key: a user by email or by username. */
static enum cb_err
user_by(const struct mm_ctx *m, const char *prefix, const char *key, struct mm_user *out,
    struct mm_result *res)
{
	struct buf p;
	struct call c = {"GET", NULL, NULL, true, NULL, NULL};
	enum cb_err e;

	buf_init(&p, 512);
	buf_adds(&p, prefix);
	buf_add_urlenc(&p, key, strlen(key));
	if ((e = p.err) == CB_OK) {
		c.path = p.data;
		e = user_call(m, &c, out, res);
	}
	buf_release(&p);
	return e;
}

enum cb_err
mm_user_by_email(const struct mm_ctx *m, const char *email, struct mm_user *out,
    struct mm_result *res)
{
	return user_by(m, "/users/email/", email, out, res);
}

enum cb_err
mm_user_create(const struct mm_ctx *m, const struct mm_new_user *nu, struct mm_user *out,
    struct mm_result *res)
{
	json_t *b = json_pack("{s:s, s:s, s:b, s:b, s:s, s:s, s:s, s:{s:s}}",
	    "email", nu->email, "username", nu->username, "email_verified", 1,
	    "disable_welcome_email", 1, "first_name", nu->first_name ? nu->first_name : "",
	    "last_name", nu->last_name ? nu->last_name : "", "position", nu->position ? nu->position : "",
	    "props", "openthc_contact_id", nu->contact_id);
	struct call c = {"POST", "/users", b, true, NULL, NULL};
	enum cb_err e;

	if (b == NULL)
		return CB_ENOMEM;
	if (nu->password != NULL)
		json_object_set_new(b, "password", json_string(nu->password));
	e = user_call(m, &c, out, res);
	wipe_member(b, "password");
	json_decref(b);
	return e;
}

enum cb_err
mm_user_patch(const struct mm_ctx *m, const char *id, const struct mm_user_patch *p,
    struct mm_user *out, struct mm_result *res)
{
	char path[64];
	json_t *b = json_object();
	struct call c = {"PUT", path, b, true, NULL, NULL};
	enum cb_err e;
	int rc = 0;

	if (b == NULL)
		return CB_ENOMEM;
	if (p->first_name != NULL)
		rc |= json_object_set_new(b, "first_name", json_string(p->first_name));
	if (p->last_name != NULL)
		rc |= json_object_set_new(b, "last_name", json_string(p->last_name));
	if (p->position != NULL)
		rc |= json_object_set_new(b, "position", json_string(p->position));
	if (p->email != NULL)
		rc |= json_object_set_new(b, "email", json_string(p->email));
	if (rc != 0 || !mmid_valid(id, strlen(id))) {
		json_decref(b);
		return rc != 0 ? CB_ENOMEM : CB_EINTERNAL;
	}
	(void)snprintf(path, sizeof(path), "/users/%s/patch", id);
	e = user_call(m, &c, out, res);
	json_decref(b);
	return e;
}

enum cb_err
mm_user_revoke_sessions(const struct mm_ctx *m, const char *id, struct mm_result *res)
{
	char path[64];
	struct call c = {"POST", path, NULL, true, NULL, NULL};

	if (!mmid_valid(id, strlen(id)))
		return CB_EINTERNAL;
	(void)snprintf(path, sizeof(path), "/users/%s/sessions/revoke/all", id);
	return call(m, &c, NULL, res);
}

enum cb_err
mm_user_set_password_hash(const struct mm_ctx *m, const char *id, const char *phc,
    struct mm_result *res)
{
	char path[64];
	json_t *b = json_pack("{s:s, s:s}", "new_password", phc, "already_hashed", "true");
	struct call c = {"PUT", path, b, true, NULL, NULL};
	enum cb_err e;

	if (b == NULL)
		return CB_ENOMEM;
	if (!mmid_valid(id, strlen(id))) {
		json_decref(b);
		return CB_EINTERNAL;
	}
	(void)snprintf(path, sizeof(path), "/users/%s/password", id);
	e = call(m, &c, NULL, res);
	wipe_member(b, "new_password");
	json_decref(b);
	return e;
}

/* GET/POST returning an object whose "id" we keep. */
static enum cb_err
id_call(const struct mm_ctx *m, const struct call *c, char id[CB_MMID_LEN + 1], struct mm_result *res)
{
	json_t *j = NULL;
	enum cb_err e = call(m, c, &j, res);

	if (e == CB_OK) {
		copy_str(j, "id", id, CB_MMID_LEN + 1);
		if (!mmid_valid(id, strlen(id)))
			e = CB_MM_ERROR;
	}
	json_decref(j);
	return e;
}

enum cb_err
mm_team_by_name(const struct mm_ctx *m, const char *name, char id[CB_MMID_LEN + 1],
    bool *archived, struct mm_result *res)
{
	char path[128];
	struct call c = {"GET", path, NULL, true, NULL, NULL};
	const json_t *d;
	json_t *j = NULL;
	enum cb_err e;

	*archived = false;
	if (!is_team_name(name, strlen(name)))
		return CB_EINTERNAL;
	(void)snprintf(path, sizeof(path), "/teams/name/%s", name);
	if ((e = call(m, &c, &j, res)) == CB_OK) {
		copy_str(j, "id", id, CB_MMID_LEN + 1);
		if (!mmid_valid(id, strlen(id)))
			e = CB_MM_ERROR;
		d = json_object_get(j, "delete_at");
		*archived = json_is_integer(d) && json_integer_value(d) != 0;
	}
	json_decref(j);
	return e;
}

enum cb_err
mm_team_create(const struct mm_ctx *m, const char *name, const char *display_name, bool open,
    char id[CB_MMID_LEN + 1], struct mm_result *res)
{
	json_t *b = json_pack("{s:s, s:s, s:s, s:b}", "name", name, "display_name", display_name,
	    "type", open ? "O" : "I", "allow_open_invite", open);
	struct call c = {"POST", "/teams", b, true, NULL, NULL};
	enum cb_err e;

	if (b == NULL)
		return CB_ENOMEM;
	e = id_call(m, &c, id, res);
	json_decref(b);
	return e;
}

enum cb_err
mm_team_add_member(const struct mm_ctx *m, const char *team_id, const char *user_id,
    struct mm_result *res)
{
	char path[80];
	json_t *b = json_pack("{s:s, s:s}", "team_id", team_id, "user_id", user_id);
	struct call c = {"POST", path, b, true, NULL, NULL};
	enum cb_err e;

	if (b == NULL)
		return CB_ENOMEM;
	(void)snprintf(path, sizeof(path), "/teams/%s/members", team_id);
	e = mmid_valid(team_id, strlen(team_id)) ? call(m, &c, NULL, res) : CB_EINTERNAL;
	json_decref(b);
	return e;
}

enum cb_err
mm_channel_by_name(const struct mm_ctx *m, const char *team_id, const char *name,
    char id[CB_MMID_LEN + 1], struct mm_result *res)
{
	char path[192];
	struct call c = {"GET", path, NULL, true, NULL, NULL};

	if (!mmid_valid(team_id, strlen(team_id)) || strlen(name) > 64 || strpbrk(name, "/?#%") != NULL)
		return CB_EINTERNAL;
	(void)snprintf(path, sizeof(path), "/teams/%s/channels/name/%s", team_id, name);
	return id_call(m, &c, id, res);
}

enum cb_err
mm_channel_create(const struct mm_ctx *m, const char *team_id, const char *name,
    char id[CB_MMID_LEN + 1], struct mm_result *res)
{
	json_t *b = json_pack("{s:s, s:s, s:s, s:s}", "team_id", team_id, "name", name,
	    "display_name", name, "type", "O");
	struct call c = {"POST", "/channels", b, true, NULL, NULL};
	enum cb_err e;

	if (b == NULL)
		return CB_ENOMEM;
	e = id_call(m, &c, id, res);
	json_decref(b);
	return e;
}

enum cb_err
mm_channel_add_member(const struct mm_ctx *m, const char *channel_id, const char *user_id,
    struct mm_result *res)
{
	char path[80];
	json_t *b = json_pack("{s:s}", "user_id", user_id);
	struct call c = {"POST", path, b, true, NULL, NULL};
	enum cb_err e;

	if (b == NULL)
		return CB_ENOMEM;
	(void)snprintf(path, sizeof(path), "/channels/%s/members", channel_id);
	e = mmid_valid(channel_id, strlen(channel_id)) ? call(m, &c, NULL, res) : CB_EINTERNAL;
	json_decref(b);
	return e;
}

enum cb_err
mm_login(const struct mm_ctx *m, enum mm_login_by by, const struct mm_user *u, const char *password,
    const char *user_agent, struct mm_session *out, struct mm_result *res)
{
	json_t *b;

	switch (by) {
	case MM_LOGIN_BY_EMAIL:
		b = json_pack("{s:s, s:s}", "login_id", u->email, "password", password);
		break;
	case MM_LOGIN_BY_USERNAME:
		b = json_pack("{s:s, s:s}", "login_id", u->username, "password", password);
		break;
	case MM_LOGIN_BY_ID:
		b = json_pack("{s:s, s:s}", "id", u->id, "password", password);
		break;
	default:
		return CB_EINTERNAL;
	}
	struct call c = {"POST", "/users/login", b, false, user_agent, out};
	enum cb_err e;

	if (b == NULL)
		return CB_ENOMEM;
	memset(out, 0, sizeof(*out));
	e = call(m, &c, NULL, res);
	wipe_member(b, "password");
	json_decref(b);
	return e;
}

enum cb_err
mm_client_config(const struct mm_ctx *m, struct mm_server *out, struct mm_result *res)
{
	struct call c = {"GET", "/config/client?format=old", NULL, false, NULL, NULL};
	char desc[sizeof(m->server->described)];
	json_t *j = NULL;
	bool changed;
	enum cb_err e;

	memset(out, 0, sizeof(*out));
	if ((e = call(m, &c, &j, res)) == CB_OK) {
		if (!json_is_object(j)) {
			e = CB_MM_ERROR;
		} else {
			/* Strings "true"/"false"; an absent flag keeps Mattermost's
			 * default (sign-in with email and username on, MFA off). */
			const char *se = json_string_value(json_object_get(j, "EnableSignInWithEmail"));
			const char *su = json_string_value(json_object_get(j, "EnableSignInWithUsername"));
			const char *mfa = json_string_value(json_object_get(j,
			    "EnableMultifactorAuthentication"));
			const char *v = json_string_value(json_object_get(j, "Version"));
			const char *g = json_string_value(json_object_get(j, "EnableGuestAccounts"));

			out->known = true;
			out->guest_accounts = g != NULL && strcmp(g, "true") == 0;
			out->sign_in_email = se == NULL || strcmp(se, "true") == 0;
			out->sign_in_username = su == NULL || strcmp(su, "true") == 0;
			out->mfa = mfa != NULL && strcmp(mfa, "true") == 0;
			if (v != NULL)
				(void)mm_server_parse_version(v, out);
		}
	}
	json_decref(j);
	if (e == CB_OK && m->server != NULL) {
		pthread_mutex_lock(&m->server->mu);
		if (out->major == 0) {	/* keep what X-Version-Id said */
			out->major = m->server->s.major;
			out->minor = m->server->s.minor;
			out->patch = m->server->s.patch;
		}
		out->licensed = m->server->s.licensed;	/* only X-Version-Id tells */
		out->licence_known = m->server->s.licence_known;
		m->server->s = *out;
		mm_server_describe(out, desc, sizeof(desc));
		changed = strcmp(desc, m->server->described) != 0;
		if (changed)
			(void)str_set(m->server->described, sizeof(m->server->described), desc);
		pthread_mutex_unlock(&m->server->mu);
		/* Whoever read it (start-up, reload, /auth/ready, the periodic
		 * refresh, a click) says what changed. */
		if (changed && m->cfg->session_mode == SESSION_LOGIN &&
		    mm_server_login_by(out) == MM_LOGIN_IMPOSSIBLE)
			log_msg(LOG_ERROR, "mattermost: %s: every sign-in will be refused until "
			    "EmailSettings.EnableSignInWithEmail or EnableSignInWithUsername is on "
			    "(or session mode is \"database\")", desc);
		else if (changed)
			log_msg(LOG_INFO, "mattermost: %s", desc);
	}
	return e;
}

enum cb_err
mm_ping(const struct mm_ctx *m, struct mm_result *res)
{
	struct call c = {"GET", "/users/me", NULL, true, NULL, NULL};

	return call(m, &c, NULL, res);
}

/* ------------------------------------------------------------ operators */

enum cb_err
mm_user_by_username(const struct mm_ctx *m, const char *username, struct mm_user *out,
    struct mm_result *res)
{
	return user_by(m, "/users/username/", username, out, res);
}

/* GET /users/{id}/{what}, an array: *out (the caller json_decrefs it). */
static enum cb_err
user_list(const struct mm_ctx *m, const char *id, const char *what, json_t **out,
    struct mm_result *res)
{
	char path[64];
	struct call c = {"GET", path, NULL, true, NULL, NULL};
	enum cb_err e;

	*out = NULL;
	if (!mmid_valid(id, strlen(id)))
		return CB_EINTERNAL;
	(void)snprintf(path, sizeof(path), "/users/%s/%s", id, what);
	if ((e = call(m, &c, out, res)) != CB_OK)
		return e;
	if (!json_is_array(*out)) {
		json_decref(*out);
		*out = NULL;
		return CB_MM_ERROR;
	}
	return CB_OK;
}

enum cb_err
mm_user_teams(const struct mm_ctx *m, const char *id, struct mm_team *out, size_t cap, size_t *n,
    size_t *total, struct mm_result *res)
{
	json_t *j, *t, *d;
	const char *dn;
	size_t i;
	enum cb_err e;

	*n = *total = 0;
	if ((e = user_list(m, id, "teams", &j, res)) != CB_OK)
		return e;
	*total = json_array_size(j);
	json_array_foreach(j, i, t) {
		struct mm_team *o;

		if (*n == cap)
			break;
		o = &out[*n];
		memset(o, 0, sizeof(*o));
		copy_str(t, "id", o->id, sizeof(o->id));
		if (!mmid_valid(o->id, strlen(o->id)))
			continue;
		copy_str(t, "name", o->name, sizeof(o->name));
		if ((dn = json_string_value(json_object_get(t, "display_name"))) != NULL)
			(void)str_copy(o->display_name, sizeof(o->display_name), dn,
			    utf8_prefix(dn, strlen(dn), CB_MM_NAME_RUNES));
		d = json_object_get(t, "delete_at");
		o->delete_at = json_is_integer(d) ? (int64_t)json_integer_value(d) : 0;
		(*n)++;
	}
	json_decref(j);
	return CB_OK;
}

enum cb_err
mm_user_sessions(const struct mm_ctx *m, const char *id, struct mm_sessions *out,
    struct mm_result *res)
{
	json_t *j, *s, *la;
	const char *dev;
	size_t i;
	enum cb_err e;

	memset(out, 0, sizeof(*out));
	if ((e = user_list(m, id, "sessions", &j, res)) != CB_OK)
		return e;
	json_array_foreach(j, i, s) {
		out->count++;
		dev = json_string_value(json_object_get(s, "device_id"));
		if (dev != NULL && dev[0] != '\0')
			out->mobile++;
		la = json_object_get(s, "last_activity_at");
		if (json_is_integer(la) && (int64_t)json_integer_value(la) > out->last_activity_at)
			out->last_activity_at = (int64_t)json_integer_value(la);
	}
	json_decref(j);
	return CB_OK;
}

enum cb_err
mm_user_set_active(const struct mm_ctx *m, const char *id, bool active, struct mm_result *res)
{
	char path[64];
	json_t *b = json_pack("{s:b}", "active", active);
	struct call c = {"PUT", path, b, true, NULL, NULL};
	enum cb_err e;

	if (b == NULL)
		return CB_ENOMEM;
	if (!mmid_valid(id, strlen(id))) {
		json_decref(b);
		return CB_EINTERNAL;
	}
	(void)snprintf(path, sizeof(path), "/users/%s/active", id);
	e = call(m, &c, NULL, res);
	json_decref(b);
	return e;
}
