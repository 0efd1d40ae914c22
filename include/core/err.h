/*
 * err.h - the one error/reason enum of the chat bridge.
 *
 * Every fallible function returns an enum cb_err. The same value is the
 * precise reason written to the log, the audit table and the metrics
 * (cb_err_reason), and it decides the HTTP status the user sees
 * (cb_err_status). Users only ever see the generic page for the status.
 */
#ifndef CB_ERR_H
#define CB_ERR_H

enum cb_err {
	CB_OK = 0,

	/* Internal failures (500). */
	CB_ENOMEM,
	CB_EINTERNAL,
	CB_ETOOBIG,		/* a bounded buffer would overflow */
	CB_EIO,			/* local file or socket I/O */
	CB_ECONFIG,		/* configuration invalid */

	/* The HTTP request itself (400/404/405/429). */
	CB_REQ_MALFORMED,	/* bad percent-encoding, bad form */
	CB_REQ_TOO_LARGE,	/* query string over its limit */
	CB_REQ_BODY_TOO_LARGE,	/* POST body over its limit */
	CB_REQ_DUPLICATE,	/* a parameter given more than once */
	CB_REQ_CONTENT_TYPE,	/* POST body not a urlencoded form */
	CB_REQ_NOT_FOUND,	/* route does not exist */
	CB_REQ_METHOD,		/* method not allowed on route */
	CB_REQ_RATE_LIMITED,	/* per-address limit reached */
	CB_REQ_NO_TOKEN,	/* /auth/open without jwt */
	CB_REQ_BODY_TIMEOUT,	/* POST body not complete within its deadline (408) */
	CB_REQ_SWAP_CONFIRM,	/* another chat user is signed in: asked first (200) */

	/* Malformed token (400). */
	CB_TOK_TOO_LONG,
	CB_TOK_CHARSET,
	CB_TOK_SEGMENTS,
	CB_TOK_BASE64,
	CB_TOK_JSON,

	/* Refused token (401). */
	CB_TOK_HEADER,		/* typ/crit/jku/... or kid malformed */
	CB_TOK_ALG,		/* alg not allowed for this issuer */
	CB_TOK_ISSUER,		/* iss missing or unknown */
	CB_TOK_KID,		/* kid not a key of the issuer */
	CB_TOK_SIGNATURE,
	CB_TOK_VERSION,
	CB_TOK_INTENT,
	CB_TOK_AUDIENCE,
	CB_TOK_TIME_CLAIM,	/* iat/exp/nbf missing or not an integer */
	CB_TOK_EXPIRED,
	CB_TOK_NOT_YET_VALID,	/* nbf in the future */
	CB_TOK_ISSUED_IN_FUTURE,/* iat in the future */
	CB_TOK_LIFETIME,	/* exp - iat over the cap */
	CB_TOK_CLAIM,		/* identity claim missing or invalid */
	CB_TOK_REPLAYED,

	/* Account policy (403). */
	CB_USER_DEACTIVATED,
	CB_USER_BOT,
	CB_LINK_REFUSED,	/* existing account, policy link_existing = refuse */
	CB_LINK_CONFLICT,	/* the account belongs to another contact (409) */
	CB_LINK_PRIVILEGED,	/* existing account with roles beyond system_user */
	CB_USER_UNVERIFIED,	/* existing account whose email Mattermost has not verified */
	CB_USER_GUEST,		/* guest account, guests not allowed */
	CB_USER_REMOTE,		/* shared-channel user of another server */
	CB_USER_UNUSABLE,	/* login impossible (MFA, SSO account) */

	/* OAuth2 sign-in with OpenTHC SSO. */
	CB_SSO_STATE,		/* state missing, wrong, reused or expired (400) */
	CB_SSO_DENIED,		/* user refused, or scope/profile lacks chat (403) */
	CB_SSO_ERROR,		/* SSO answered badly (502) */
	CB_SSO_UNREACHABLE,	/* SSO down (502) */
	CB_SSO_TIMEOUT,		/* SSO too slow (504) */
	CB_SSO_DISABLED,	/* no [sso] configured (404 on /auth/back) */

	/* Dependencies (502/503/504). */
	CB_MM_NOT_FOUND,	/* 404 from Mattermost (not always an error) */
	CB_MM_REJECTED,		/* other 4xx from Mattermost */
	CB_MM_ERROR,		/* 5xx, 429, bad answer */
	CB_MM_UNREACHABLE,
	CB_MM_TIMEOUT,
	CB_MM_BUSY,		/* logins queued too long, or Mattermost's login limit (503) */
	CB_MM_LOGIN_DISABLED,	/* password sign-in impossible on this Mattermost (503) */
	CB_MMDB_UNAVAILABLE,	/* Mattermost's database (database mode) */
	CB_MMDB_SCHEMA,		/* Mattermost's tables not as the bridge knows them (503) */
	CB_STORE_UNAVAILABLE,	/* the bridge's own PostgreSQL */

	CB_ERR_COUNT
};

/* Short stable snake_case name of e, for logs, audit rows and metrics. */
const char *cb_err_reason(enum cb_err e);

/* HTTP status a request refused with e answers with (200 for CB_OK). */
int cb_err_status(enum cb_err e);

/* The outcome class of e: "ok" (signed in, or a page that continues the
 * sign-in), "refused" (4xx) or "error" (5xx). */
const char *cb_err_outcome(enum cb_err e);

/* One-line English description of e, for operators (CLI, logs). */
const char *cb_err_describe(enum cb_err e);

#if defined(__GNUC__)
#define CB_WUR __attribute__((warn_unused_result))
#define CB_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define CB_WUR
#define CB_PRINTF(f, a)
#endif

#endif
