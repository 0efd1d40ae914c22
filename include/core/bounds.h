/*
 * bounds.h - every size limit of the bridge, named, with its reason, and
 * the relations between them checked at compile time.
 */
#ifndef CB_BOUNDS_H
#define CB_BOUNDS_H

/* token.md: the whole token is at most 4096 bytes. */
#define CB_TOKEN_MAX		4096
/* Decoded header: {"typ","alg","kid"} is ~90 bytes; 1 KiB is generous. */
#define CB_TOKEN_HEADER_MAX	1024
/* Decoded payload can never exceed 3/4 of the token. */
#define CB_TOKEN_PAYLOAD_MAX	3072
/* Claims are flat; "team" is one array deep. Anything deeper is hostile. */
#define CB_TOKEN_JSON_DEPTH	4

/* Base64url length (unpadded) of n bytes. */
#define CB_B64_LEN(n)		(((n) * 4 + 2) / 3)

/* Claim sizes from token.md. */
#define CB_ULID_LEN		26
#define CB_EMAIL_MAX		128
#define CB_EMAIL_LOCAL_MAX	64	/* RFC 5321 local part */
#define CB_NAME_MAX		128
#define CB_JTI_MIN		22
#define CB_JTI_MAX		64
#define CB_CRE_MAX		32
#define CB_REG_MAX		6
#define CB_TEAM_NAME_MAX	64
#define CB_TOKEN_TEAMS_MAX	16
#define CB_LIFETIME_V1		300
#define CB_LIFETIME_V0		900
#define CB_LEEWAY_MAX		300
/* Replay rows live until exp + CB_LEEWAY_MAX + this. */
#define CB_REPLAY_MARGIN_S	60
/* "Numbers must be JSON integers ... <= 2^53". */
#define CB_JSON_INT_MAX		9007199254740992LL
/* An Ed25519 public key (the kid) in base64url. */
#define CB_ED25519_B64_LEN	CB_B64_LEN(32)

/* token.md: r is at most 512 bytes after one percent-decoding. */
#define CB_REDIRECT_MAX		512
/* Landing path = "/" team "/channels/town-square" or an honoured r. */
#define CB_LANDING_MAX		(CB_REDIRECT_MAX + 1)

/* Request: a query or form holds a token, r and little else. */
#define CB_QUERY_MAX		8192
#define CB_BODY_MAX		8192
/* A POST body must arrive within this (a few seconds: a form is small). */
#define CB_BODY_DEADLINE_MS	5000
/* The account the package runs the bridge as (its secret files are
 * acceptable to root's commands too). */
#define CB_SERVICE_USER		"chat-bridge"
/* On a kept FastCGI connection, what is left of a request's body is read
 * and dropped before the next request, up to this much and this long;
 * past that the connection is closed instead. */
#define CB_BODY_DRAIN_MAX	(64 * 1024)
#define CB_BODY_DRAIN_MS	1000
#define CB_FORM_FIELDS_MAX	32
/* User-Agent forwarded to Mattermost's login; longer ones are cut. */
#define CB_USER_AGENT_MAX	512
/* Accept-Language (lang.c): only the first 1 KiB and the first 32
 * ranges are looked at, whatever a client sends. Browsers send a few
 * ranges in well under 200 bytes. */
#define CB_ACCEPT_LANGUAGE_MAX	1024
#define CB_ACCEPT_LANGUAGE_RANGES 32
/* A language range: primary subtag and subtags of at most 8 characters
 * (RFC 4647 2.1); longer ones are malformed. */
#define CB_LANGUAGE_SUBTAG_MAX	8
/* The hidden fields of a page's form (page_swap): a handful of short
 * names the bridge chooses. */
#define CB_PAGE_FIELDS_MAX	8
#define CB_PAGE_FIELD_NAME_MAX	64
/* Request ids: random hex, shown on error pages and in log lines. */
#define CB_REQUEST_ID_LEN	16

/* Response: a page or a redirect. The header block holds the status,
 * Location, five cookies and a dozen fixed headers. */
#define CB_RESPONSE_BODY_MAX	65536
#define CB_LOCATION_MAX		4096
#define CB_RESPONSE_HEADER_MAX	16384
/* The hash of a synced profile (hex of 16 bytes). */
#define CB_PROFILE_HASH_LEN	32
/* A contact's pseudonym in logs and audit rows: 8 bytes in hex. */
#define CB_PSEUDONYM_LEN	16
/* The safe detail of an attempt (log line, audit row). */
#define CB_DETAIL_MAX		159
/* Log lines: the formatted message, and the whole line with its fields. */
#define CB_LOG_MSG_MAX		1024
#define CB_LOG_LINE_MAX		4096

/* Issuer registry. */
#define CB_ISSUER_ID_MAX	64
#define CB_ISSUER_KEYS_MAX	8
#define CB_ISSUER_SECRETS_MAX	2
#define CB_ISSUER_TEAMS_MAX	32
#define CB_ISSUERS_MAX		64
/* Secret files: tokens, HMAC secrets. */
#define CB_SECRET_MAX		4096
#define CB_SECRET_MIN_HS256	32	/* below: only with hs256_allow_short */

/* Configuration file. */
#define CB_CONFIG_FILE_MAX	(1024 * 1024)
#define CB_CONFIG_LINE_MAX	4096
#define CB_URL_MAX		512
#define CB_DSN_MAX		1024
#define CB_PATH_MAX		1024
#define CB_TEAMS_CONF_MAX	64
#define CB_JURISDICTIONS_MAX	96	/* [bridge] jurisdiction_teams entries */
#define CB_TEAM_CHANNELS_MAX	8
#define CB_WORKERS_MAX		256
/* [bridge] instance: the metrics label of one host (a host name fits). */
#define CB_INSTANCE_MAX		64

/* Per-process tables: rate-limit buckets (a power of two) and the team
 * name -> id cache. Workers purge expired store rows this often. */
#define CB_RATELIMIT_SLOTS	65536
#define CB_TEAMCACHE_SLOTS	256
#define CB_PURGE_EVERY_S	60
/* /auth/ready checks its dependencies at most this often per process. */
#define CB_READY_CACHE_MS	1000
#define CB_MM_PROBE_EVERY_S	30	/* Mattermost's client configuration re-read (serve) */

/* OAuth2 with OpenTHC SSO: random values (state, PKCE verifier, the
 * browser binding) are 32 bytes in base64url; the stored verifier, the
 * code and the access token SSO hands out are bounded. */
#define CB_NONCE_BYTES		32
#define CB_NONCE_B64_LEN	CB_B64_LEN(CB_NONCE_BYTES)
#define CB_SHA256_HEX_LEN	64
#define CB_PKCE_VERIFIER_MAX	127
#define CB_SSO_CODE_MAX		512
#define CB_SSO_TOKEN_MAX	511
#define CB_SSO_FORM_MAX		8192

/* Mattermost. */
#define CB_MMID_LEN		26
#define CB_MM_USERNAME_MAX	22	/* product spec: 3-22 characters */
#define CB_MM_ROLES_MAX		256	/* sessions.roles varchar(256) */
#define CB_MM_NAME_RUNES	64	/* first_name, last_name: code points */
#define CB_MM_POSITION_RUNES	128	/* position: code points */
#define CB_MM_BODY_MAX		(1024 * 1024)
#define CB_PASSWORD_MAX		72	/* bcrypt limit Mattermost enforces */
#define CB_MM_ERROR_ID_MAX	127	/* an AppError id we keep */
#define CB_MM_DISPLAY_NAME_MAX	256	/* a team's display name: 64 code points */
/* A comma-separated list of the teams of one click: default,
 * jurisdiction and every grantable team. */
#define CB_TEAM_LIST_MAX	((CB_TOKEN_TEAMS_MAX + 2) * (CB_TEAM_NAME_MAX + 1))

/* chat-bridge users: what one command reads and prints. A person is in
 * a handful of teams; an operator reads a screenful of audit rows, and a
 * list is cut where a terminal or a script still copes. */
#define CB_USERS_TEAMS_MAX	64
#define CB_USERS_AUDIT_DEFAULT	10
#define CB_USERS_AUDIT_MAX	1000
#define CB_USERS_LIST_DEFAULT	50
#define CB_USERS_LIST_MAX	10000
/* --reason: the audit row's detail, with room for what failed. */
#define CB_USERS_REASON_MAX	120
/* The operator named in an audit row's client: a login name and a uid. */
#define CB_USERS_OPERATOR_MAX	96

/* Relations the code relies on. */
_Static_assert(CB_TOKEN_PAYLOAD_MAX >= CB_TOKEN_MAX / 4 * 3,
    "a payload segment of a maximal token must fit the decode buffer");
_Static_assert(CB_ED25519_B64_LEN == 43, "an Ed25519 key is 43 base64url characters");
_Static_assert(CB_JTI_MAX >= CB_B64_LEN(32), "a derived jti (SHA-256, base64url) is a jti");
_Static_assert(CB_NONCE_B64_LEN <= CB_PKCE_VERIFIER_MAX, "a PKCE verifier fits its column");
_Static_assert(CB_NONCE_B64_LEN >= 43 && CB_NONCE_B64_LEN <= 128,
    "RFC 7636: a PKCE verifier has 43 to 128 characters");
_Static_assert((CB_RATELIMIT_SLOTS & (CB_RATELIMIT_SLOTS - 1)) == 0,
    "rate-limit slots are masked, so a power of two");
_Static_assert(CB_REQUEST_ID_LEN % 2 == 0 && CB_REQUEST_ID_LEN <= 64,
    "request ids are whole random bytes in hex");
_Static_assert(CB_LOCATION_MAX >= CB_URL_MAX + CB_LANDING_MAX,
    "site_url and a landing path fit a Location");
_Static_assert(CB_RESPONSE_HEADER_MAX >= CB_LOCATION_MAX + 5 * 512 + 1024,
    "Location, five cookies and the fixed headers fit the header block");
_Static_assert(CB_USERS_REASON_MAX + 32 <= CB_DETAIL_MAX,
    "an operator's reason and what failed fit an audit row's detail");
_Static_assert(CB_LOG_LINE_MAX > CB_LOG_MSG_MAX * 2,
    "a message survives JSON escaping of a few characters in a line");

#endif
