/*
 * err.c - reason names, HTTP statuses and descriptions of enum cb_err.
 * One table so the three views can never disagree.
 */
#include "err.h"

struct err_row {
	const char *reason;
	int status;
	const char *describe;
};

static const struct err_row rows[CB_ERR_COUNT] = {
	[CB_OK] = {"ok", 200, "success"},
	[CB_ENOMEM] = {"out_of_memory", 500, "out of memory"},
	[CB_EINTERNAL] = {"internal", 500, "internal error"},
	[CB_ETOOBIG] = {"too_big", 500, "value does not fit its buffer"},
	[CB_EIO] = {"io", 500, "local I/O error"},
	[CB_ECONFIG] = {"config", 500, "configuration invalid"},

	[CB_REQ_MALFORMED] = {"request_malformed", 400, "malformed request parameters"},
	[CB_REQ_TOO_LARGE] = {"request_too_large", 414, "query string too large"},
	[CB_REQ_BODY_TOO_LARGE] = {"body_too_large", 413, "request body too large"},
	[CB_REQ_DUPLICATE] = {"duplicate_parameter", 400, "a parameter was given more than once"},
	[CB_REQ_CONTENT_TYPE] = {"content_type", 400, "POST body is not application/x-www-form-urlencoded"},
	[CB_REQ_NOT_FOUND] = {"not_found", 404, "no such route"},
	[CB_REQ_METHOD] = {"method_not_allowed", 405, "method not allowed"},
	[CB_REQ_RATE_LIMITED] = {"rate_limited", 429, "too many attempts from this client address"},
	[CB_REQ_NO_TOKEN] = {"no_token", 200, "no token given"},
	[CB_REQ_BODY_TIMEOUT] = {"body_timeout", 408, "request body not received in time"},
	[CB_REQ_SWAP_CONFIRM] = {"swap_confirm", 200, "another chat user is signed in; confirmation asked"},

	[CB_TOK_TOO_LONG] = {"token_too_long", 400, "token longer than 4096 bytes"},
	[CB_TOK_CHARSET] = {"token_charset", 400, "token has characters outside [A-Za-z0-9_.-]"},
	[CB_TOK_SEGMENTS] = {"token_segments", 400, "token is not three non-empty segments"},
	[CB_TOK_BASE64] = {"token_base64", 400, "segment is not canonical unpadded base64url"},
	[CB_TOK_JSON] = {"token_json", 400, "header or payload is not one JSON object without duplicate members"},

	[CB_TOK_HEADER] = {"token_header", 401, "header has a forbidden or malformed member"},
	[CB_TOK_ALG] = {"alg_not_allowed", 401, "algorithm not allowed for this issuer"},
	[CB_TOK_ISSUER] = {"issuer_unknown", 401, "issuer missing or not in the registry"},
	[CB_TOK_KID] = {"kid_unknown", 401, "kid is not a key of this issuer"},
	[CB_TOK_SIGNATURE] = {"signature_invalid", 401, "signature does not verify"},
	[CB_TOK_VERSION] = {"version_invalid", 401, "ver claim wrong for this token version"},
	[CB_TOK_INTENT] = {"intent_invalid", 401, "intent is not chat-open"},
	[CB_TOK_AUDIENCE] = {"audience_invalid", 401, "aud does not name this site"},
	[CB_TOK_TIME_CLAIM] = {"time_claim_invalid", 401, "iat/exp/nbf missing or not a non-negative integer"},
	[CB_TOK_EXPIRED] = {"expired", 401, "token expired (beyond leeway)"},
	[CB_TOK_NOT_YET_VALID] = {"not_yet_valid", 401, "nbf is in the future (beyond leeway)"},
	[CB_TOK_ISSUED_IN_FUTURE] = {"issued_in_future", 401, "iat is in the future (beyond leeway)"},
	[CB_TOK_LIFETIME] = {"lifetime_too_long", 401, "exp - iat exceeds the lifetime cap"},
	[CB_TOK_CLAIM] = {"claim_invalid", 401, "an identity claim is missing or invalid"},
	[CB_TOK_REPLAYED] = {"replayed", 401, "token was already used"},

	[CB_USER_DEACTIVATED] = {"user_deactivated", 403, "Mattermost account is deactivated"},
	[CB_USER_BOT] = {"user_is_bot", 403, "Mattermost account is a bot"},
	[CB_LINK_REFUSED] = {"link_refused", 403, "existing account with this email; linking refused by policy"},
	[CB_LINK_CONFLICT] = {"link_conflict", 409, "the Mattermost account belongs to another OpenTHC contact"},
	[CB_LINK_PRIVILEGED] = {"link_privileged", 403, "existing account has roles beyond system_user; link_privileged is off"},
	[CB_USER_UNVERIFIED] = {"user_unverified", 403, "existing account whose email Mattermost has not verified"},
	[CB_USER_GUEST] = {"user_guest", 403, "guest account; guests are not allowed"},
	[CB_USER_REMOTE] = {"user_remote", 403, "shared-channel user of another server"},
	[CB_USER_UNUSABLE] = {"user_unusable", 403, "Mattermost refuses a session for this account"},

	[CB_SSO_STATE] = {"sso_state", 400, "OAuth2 state missing, wrong, reused or expired"},
	[CB_SSO_DENIED] = {"sso_denied", 403, "OpenTHC SSO did not grant chat"},
	[CB_SSO_ERROR] = {"sso_error", 502, "OpenTHC SSO answered with an error"},
	[CB_SSO_UNREACHABLE] = {"sso_unreachable", 502, "OpenTHC SSO unreachable"},
	[CB_SSO_TIMEOUT] = {"sso_timeout", 504, "OpenTHC SSO timed out"},
	[CB_SSO_DISABLED] = {"sso_disabled", 404, "OAuth2 sign-in not configured"},

	[CB_MM_NOT_FOUND] = {"mm_not_found", 502, "Mattermost answered 404"},
	[CB_MM_REJECTED] = {"mm_rejected", 502, "Mattermost refused the request"},
	[CB_MM_ERROR] = {"mm_error", 502, "Mattermost answered with an error"},
	[CB_MM_UNREACHABLE] = {"mm_unreachable", 502, "Mattermost unreachable"},
	[CB_MM_TIMEOUT] = {"mm_timeout", 504, "Mattermost timed out"},
	[CB_MM_BUSY] = {"mm_busy", 503, "Mattermost's logins are busy (queue full or rate limit); try again"},
	[CB_MM_LOGIN_DISABLED] = {"login_unavailable", 503,
	    "Mattermost allows no password sign-in (EnableSignInWithEmail and ...Username off, 11.3+)"},
	[CB_MMDB_UNAVAILABLE] = {"mmdb_unavailable", 502, "Mattermost's database unavailable"},
	[CB_MMDB_SCHEMA] = {"mmdb_schema", 503,
	    "Mattermost's sessions or users table differs from what the bridge knows"},
	[CB_STORE_UNAVAILABLE] = {"store_unavailable", 503, "bridge store (PostgreSQL) unavailable"},
};

static const struct err_row *
row(enum cb_err e)
{
	if ((unsigned)e >= CB_ERR_COUNT || rows[e].reason == 0)
		return &rows[CB_EINTERNAL];
	return &rows[e];
}

const char *
cb_err_reason(enum cb_err e)
{
	return row(e)->reason;
}

int
cb_err_status(enum cb_err e)
{
	return row(e)->status;
}

const char *
cb_err_outcome(enum cb_err e)
{
	if (e == CB_OK || e == CB_REQ_NO_TOKEN || e == CB_REQ_SWAP_CONFIRM)
		return "ok";
	return row(e)->status >= 500 ? "error" : "refused";
}

const char *
cb_err_describe(enum cb_err e)
{
	return row(e)->describe;
}
