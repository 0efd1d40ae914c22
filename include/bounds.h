/*
 * bounds.h - every input limit of the bridge, named, with its reason.
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

/* Claim sizes from token.md. */
#define CB_ULID_LEN		26
#define CB_EMAIL_MAX		128
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
/* "Numbers must be JSON integers ... <= 2^53". */
#define CB_JSON_INT_MAX		9007199254740992LL

/* token.md: r is at most 512 bytes after one percent-decoding. */
#define CB_REDIRECT_MAX		512
/* Landing path = "/" team "/channels/town-square" or an honoured r. */
#define CB_LANDING_MAX		(CB_REDIRECT_MAX + 1)

/* Request: a query or form holds a token, r and little else. */
#define CB_QUERY_MAX		8192
#define CB_BODY_MAX		8192
#define CB_FORM_FIELDS_MAX	32
/* User-Agent forwarded to Mattermost's login; longer ones are cut. */
#define CB_USER_AGENT_MAX	512

/* Issuer registry. */
#define CB_ISSUER_ID_MAX	64
#define CB_ISSUER_KEYS_MAX	8
#define CB_ISSUER_SECRETS_MAX	2
#define CB_ISSUER_TEAMS_MAX	32
#define CB_ISSUERS_MAX		64
/* Secret files: tokens, HMAC secrets. */
#define CB_SECRET_MAX		4096
#define CB_SECRET_MIN_HS256	16

/* Configuration file. */
#define CB_CONFIG_FILE_MAX	(1024 * 1024)
#define CB_CONFIG_LINE_MAX	4096
#define CB_URL_MAX		512
#define CB_DSN_MAX		1024
#define CB_PATH_MAX		1024
#define CB_TEAMS_CONF_MAX	64
#define CB_TEAM_CHANNELS_MAX	8
#define CB_WORKERS_MAX		256

/* Mattermost. */
#define CB_MMID_LEN		26
#define CB_MM_USERNAME_MAX	22	/* product spec: 3-22 characters */
#define CB_MM_ROLES_MAX		256	/* sessions.roles varchar(256) */
#define CB_MM_BODY_MAX		(1024 * 1024)
#define CB_PASSWORD_MAX		72	/* bcrypt limit Mattermost enforces */

#endif
