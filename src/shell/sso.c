/*
 * sso.c - sign-in through OpenTHC SSO when /auth/open carries no token
 * (OAuth2 authorization code with PKCE; openthc-conventions.md 2.7-2.8).
 *
 *   /auth/open  -> state (random, single use, expires) stored with the
 *                  PKCE verifier and the wanted landing path, bound to the
 *                  browser by a short-lived HttpOnly cookie (only its hash
 *                  is stored) -> 302 to SSO /oauth2/authorize
 *   /auth/back  -> state checked and consumed atomically -> code exchanged
 *                  at /oauth2/token -> /oauth2/profile read and checked
 *                  (scope "chat", live contact, ULIDs) -> the same sign-in
 *                  as a verified token (signin.c).
 *
 * No secret ever reaches a log line, a page or a URL other than SSO's own
 * token endpoint.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "admit.h"
#include "claims.h"
#include "clock.h"
#include "config.h"
#include "cookie.h"
#include "form.h"
#include "handlers.h"
#include "http.h"
#include "log.h"
#include "metrics.h"
#include "redirect.h"
#include "request.h"
#include "response.h"
#include "signin.h"
#include "sso.h"
#include "store.h"
#include "util.h"

/* 32 random bytes as base64url (43 characters). */
static void
random_b64(char out[CB_NONCE_B64_LEN + 1])
{
	unsigned char r[CB_NONCE_BYTES];

	randombytes_buf(r, sizeof(r));
	if (b64url_encode(r, sizeof(r), out, CB_NONCE_B64_LEN + 1) != CB_OK)
		out[0] = '\0';
	sodium_memzero(r, sizeof(r));
}

/* Hex SHA-256 of the browser cookie: what the store keeps. */
static void
binding_of(const char *cookie, char out[CB_SHA256_HEX_LEN + 1])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const unsigned char *)cookie, strlen(cookie));
	sodium_bin2hex(out, CB_SHA256_HEX_LEN + 1, h, sizeof(h));
}

static enum cb_err
state_cookie(const struct config *c, const char *value, int64_t max_age, int64_t now, char *out)
{
	return cookie_sso_state(out, COOKIE_VALUE_MAX, value, c->site_https, c->cookie_path, max_age,
	    now);
}

enum cb_err
sso_start(const struct handler_ctx *h, const struct request *rq, const char *r, size_t rlen,
    struct response *rs)
{
	const struct config *c = h->cfg;
	unsigned char digest[crypto_hash_sha256_BYTES];
	char state[CB_NONCE_B64_LEN + 1], verifier[CB_NONCE_B64_LEN + 1];
	char challenge[CB_B64_LEN(crypto_hash_sha256_BYTES) + 1], browser[CB_NONCE_B64_LEN + 1];
	char binding[CB_SHA256_HEX_LEN + 1];
	char landing[CB_REDIRECT_MAX + 1] = "";
	struct buf u;
	enum cb_err e;

	if (!c->sso_enabled)
		return CB_SSO_DISABLED;
	random_b64(state);
	random_b64(verifier);
	random_b64(browser);
	crypto_hash_sha256(digest, (const unsigned char *)verifier, strlen(verifier));
	if (b64url_encode(digest, sizeof(digest), challenge, sizeof(challenge)) != CB_OK)
		return CB_EINTERNAL;
	binding_of(browser, binding);
	if (r != NULL && redirect_ok(r, rlen))
		(void)str_copy(landing, sizeof(landing), r, rlen);
	if ((e = store_sso_state_put(h->store, state, binding, verifier, landing,
	    rq->now + (int64_t)c->sso_state_seconds)) != CB_OK)
		goto out;
	if ((e = state_cookie(c, browser, c->sso_state_seconds, rq->now, rs->extra_cookies[0])) != CB_OK)
		goto out;
	rs->n_extra_cookies = 1;

	buf_init(&u, sizeof(rs->location) - 1);
	buf_adds(&u, c->sso_origin);
	buf_adds(&u, "/oauth2/authorize?response_type=code&client_id=");
	buf_add_urlenc(&u, c->sso_client_id, strlen(c->sso_client_id));
	buf_adds(&u, "&redirect_uri=");
	buf_add_urlenc(&u, c->site_url, strlen(c->site_url));
	buf_add_urlenc(&u, "/auth/back", 10);
	buf_adds(&u, "&scope=");
	buf_add_urlenc(&u, c->sso_scope, strlen(c->sso_scope));
	buf_adds(&u, "&state=");
	buf_adds(&u, state);
	buf_adds(&u, "&code_challenge=");
	buf_adds(&u, challenge);
	buf_adds(&u, "&code_challenge_method=S256");
	if ((e = u.err) == CB_OK) {
		(void)str_set(rs->location, sizeof(rs->location), buf_str(&u));
		rs->status = 302;
		e = CB_REQ_NO_TOKEN;	/* logged as "ok": the sign-in continues at SSO */
	}
	buf_release(&u);
out:
	sodium_memzero(verifier, sizeof(verifier));
	sodium_memzero(browser, sizeof(browser));
	return e;
}

static enum cb_err
sso_transport(enum cb_err e)
{
	if (e == CB_MM_TIMEOUT)
		return CB_SSO_TIMEOUT;
	if (e == CB_MM_UNREACHABLE)
		return CB_SSO_UNREACHABLE;
	return e == CB_OK ? CB_OK : CB_SSO_ERROR;
}

/* POST /oauth2/token: code -> access token (copied into token[cap]). */
static enum cb_err
exchange_code(const struct handler_ctx *h, const char *code, size_t code_len, const char *verifier,
    char *token, size_t cap, struct attempt_strings *as)
{
	const struct config *c = h->cfg;
	char url[CB_URL_MAX + 32];
	struct http_req r;
	struct http_resp resp;
	struct buf body;
	json_t *j = NULL;
	const char *t;
	enum cb_err e;

	buf_init(&body, CB_SSO_FORM_MAX);
	buf_adds(&body, "grant_type=authorization_code&code=");
	buf_add_urlenc(&body, code, code_len);
	buf_adds(&body, "&redirect_uri=");
	buf_add_urlenc(&body, c->site_url, strlen(c->site_url));
	buf_add_urlenc(&body, "/auth/back", 10);
	buf_adds(&body, "&client_id=");
	buf_add_urlenc(&body, c->sso_client_id, strlen(c->sso_client_id));
	buf_adds(&body, "&client_secret=");
	buf_add_urlenc(&body, (const char *)c->sso_client_secret.p, c->sso_client_secret.len);
	buf_adds(&body, "&code_verifier=");
	buf_adds(&body, verifier);
	if ((e = body.err) != CB_OK) {
		buf_release_wipe(&body);
		return e;
	}
	(void)snprintf(url, sizeof(url), "%s/oauth2/token", c->sso_origin);
	memset(&r, 0, sizeof(r));
	r.method = "POST";
	r.url = url;
	r.content_type = "application/x-www-form-urlencoded";
	r.body = body.data;
	r.body_len = body.len;
	r.connect_timeout_ms = c->connect_timeout_ms;
	r.timeout_ms = c->timeout_ms;
	e = sso_transport(http_do(h->http, &r, &resp));
	buf_release_wipe(&body);
	if (h->metrics != NULL)
		metrics_observe(h->metrics, MH_SSO, resp.us);
	if (e == CB_OK) {
		if (resp.status == 400 || resp.status == 401) {
			(void)snprintf(as->detail, sizeof(as->detail), "token endpoint refused the code (%ld)",
			    resp.status);
			e = CB_SSO_DENIED;
		} else if (resp.status != 200 ||
		    (j = json_loadb(buf_str(&resp.body), resp.body.len, 0, NULL)) == NULL ||
		    (t = json_string_value(json_object_get(j, "access_token"))) == NULL ||
		    !is_visible_ascii(t, strlen(t)) || str_set(token, cap, t) != CB_OK) {
			(void)snprintf(as->detail, sizeof(as->detail), "token endpoint answered %ld",
			    resp.status);
			e = CB_SSO_ERROR;
		}
	}
	json_decref(j);
	http_resp_release(&resp);
	return e;
}

static enum cb_err
read_profile(const struct handler_ctx *h, const char *token, struct claims *cl,
    struct attempt_strings *as)
{
	const struct config *c = h->cfg;
	char url[CB_URL_MAX + 32], auth[CB_SSO_TOKEN_MAX + sizeof("Bearer ")];
	struct http_req r;
	struct http_resp resp;
	json_t *j = NULL;
	enum cb_err e;

	(void)snprintf(url, sizeof(url), "%s/oauth2/profile", c->sso_origin);
	(void)snprintf(auth, sizeof(auth), "Bearer %s", token);
	memset(&r, 0, sizeof(r));
	r.method = "GET";
	r.url = url;
	r.authorization = auth;
	r.connect_timeout_ms = c->connect_timeout_ms;
	r.timeout_ms = c->timeout_ms;
	e = sso_transport(http_do(h->http, &r, &resp));
	sodium_memzero(auth, sizeof(auth));
	if (h->metrics != NULL)
		metrics_observe(h->metrics, MH_SSO, resp.us);
	if (e == CB_OK) {
		if (resp.status != 200 || (j = json_loadb(buf_str(&resp.body), resp.body.len, 0, NULL)) == NULL ||
		    !json_is_object(j)) {
			(void)snprintf(as->detail, sizeof(as->detail), "profile endpoint answered %ld",
			    resp.status);
			e = CB_SSO_ERROR;
		} else {
			e = claims_from_sso_profile(j, c->sso_scope, cl, as->detail, sizeof(as->detail));
		}
	}
	json_decref(j);
	http_resp_release(&resp);
	return e;
}

enum cb_err
back_handle(const struct handler_ctx *h, const struct request *rq, struct response *rs,
    struct attempt *a, struct attempt_strings *as)
{
	const struct config *c = h->cfg;
	char browser[CB_NONCE_B64_LEN + 1], binding[CB_SHA256_HEX_LEN + 1];
	char verifier[CB_PKCE_VERIFIER_MAX + 1], r[CB_REDIRECT_MAX + 1];
	char token[CB_SSO_TOKEN_MAX + 1];
	const char *code = NULL, *state = NULL, *err = NULL;
	size_t code_len = 0, state_len = 0, err_len = 0;
	struct claims cl;
	struct signin_request sr;
	struct form q;
	int64_t t0;
	enum cb_err e;

	a->via = "sso";
	a->detail = as->detail;
	memset(&q, 0, sizeof(q));
	if (!c->sso_enabled)
		return CB_SSO_DISABLED;
	if (strcmp(rq->method, "GET") != 0) {
		rs->allow = "GET";
		return CB_REQ_METHOD;
	}
	if ((e = admit(h, rq, rs, &q)) != CB_OK)
		goto out;
	if (form_get(&q, "code", &code, &code_len) > 1 || form_get(&q, "state", &state, &state_len) > 1 ||
	    form_get(&q, "error", &err, &err_len) > 1) {
		e = CB_REQ_DUPLICATE;
		goto out;
	}
	/* The state: present, well-formed, from this browser, unused, fresh. */
	if (state == NULL || state_len != CB_NONCE_B64_LEN || !is_b64url(state, state_len) ||
	    cookie_get(rq->cookie, cookie_sso_state_name(c->site_https), browser, sizeof(browser)) != 1 ||
	    browser[0] == '\0') {
		e = CB_SSO_STATE;
		goto out;
	}
	binding_of(browser, binding);
	{
		char st[CB_NONCE_B64_LEN + 1];

		memcpy(st, state, CB_NONCE_B64_LEN);
		st[CB_NONCE_B64_LEN] = '\0';
		if ((e = store_sso_state_take(h->store, st, binding, verifier, r)) != CB_OK)
			goto out;
	}
	/* Whatever happens next, the state cookie has served its purpose. */
	if (state_cookie(c, "x", 0, rq->now, rs->extra_cookies[0]) == CB_OK)
		rs->n_extra_cookies = 1;
	if (err != NULL) {
		(void)snprintf(as->detail, sizeof(as->detail), "SSO answered an error");
		e = CB_SSO_DENIED;
		goto out;
	}
	if (code == NULL || code_len == 0 || code_len > CB_SSO_CODE_MAX || !is_visible_ascii(code, code_len)) {
		e = CB_SSO_STATE;
		goto out;
	}
	t0 = clock_mono_us();
	if ((e = exchange_code(h, code, code_len, verifier, token, sizeof(token), as)) == CB_OK)
		e = read_profile(h, token, &cl, as);
	a->upstream_us += (uint64_t)(clock_mono_us() - t0);
	if (e != CB_OK)
		goto out;
	(void)str_set(as->sub, sizeof(as->sub), cl.sub);
	(void)str_set(as->iss, sizeof(as->iss), "sso");
	a->sub = as->sub;
	a->iss = as->iss;
	memset(&sr, 0, sizeof(sr));
	sr.c = &cl;
	sr.r = r[0] ? r : NULL;
	sr.rlen = strlen(r);
	e = signin(h, rq, &sr, rs, a, as);
out:
	if (as->detail[0] == '\0')
		a->detail = NULL;
	sodium_memzero(verifier, sizeof(verifier));
	sodium_memzero(token, sizeof(token));
	form_free(&q);
	return e;
}
