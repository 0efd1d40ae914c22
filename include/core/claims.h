/*
 * claims.h - the identity the bridge signs in, whatever proved it (a
 * signed link token, token.md; or an OpenTHC SSO profile,
 * openthc-conventions.md 2.7), and the one set of validators for its
 * fields: contact and company ULIDs, email, display names, the
 * jurisdiction codes cre and reg, jti and granted teams.
 *
 * Every identity source fills a struct claims through claims_set() or
 * claims_set_json(), so a value is accepted or refused the same way
 * whichever path it came by. Pure: no I/O, no clock.
 */
#ifndef CB_CLAIMS_H
#define CB_CLAIMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bounds.h"
#include "err.h"

struct json_t;

/* Where the claims came from. */
enum claims_origin {
	CLAIMS_TOKEN_V0 = 0,	/* HS256 link token (OpenTHC\JWT) */
	CLAIMS_TOKEN_V1 = 1,	/* Ed25519 link token */
	CLAIMS_SSO = 2,		/* OAuth2 profile from OpenTHC SSO */
};

struct claims {
	enum claims_origin origin;
	char iss[CB_ISSUER_ID_MAX + 1];
	char kid[CB_ED25519_B64_LEN + 1];	/* version 1 only */
	char sub[CB_ULID_LEN + 1];
	char com[CB_ULID_LEN + 1];
	char lic[CB_ULID_LEN + 1];	/* "" if absent */
	char email[CB_EMAIL_MAX + 1];	/* lower-cased */
	char name[CB_NAME_MAX + 1];	/* controls removed */
	char com_name[CB_NAME_MAX + 1];
	char cre[CB_CRE_MAX + 1];
	char reg[CB_REG_MAX + 1];
	char teams[CB_TOKEN_TEAMS_MAX][CB_TEAM_NAME_MAX + 1];
	size_t n_teams;
	/* Replay key: the jti claim, or for version 0 without jti the
	 * base64url SHA-256 of the signature segment (jti_derived). */
	char jti[CB_JTI_MAX + 1];
	bool jti_derived;
	int64_t iat, exp, nbf;
	bool has_nbf;
};

/* The validated fields. */
enum claim_field {
	CLAIM_SUB,	/* ULID, required */
	CLAIM_COM,	/* ULID, required */
	CLAIM_LIC,	/* ULID */
	CLAIM_EMAIL,	/* claims_email(), required */
	CLAIM_NAME,	/* claims_text() */
	CLAIM_COM_NAME,	/* claims_text() */
	CLAIM_CRE,	/* ^[a-z0-9/_-]{2,32}$ */
	CLAIM_REG,	/* ^[A-Z]{2}(-[A-Z0-9]{1,3})?$ */
	CLAIM_JTI,	/* 22-64 base64url characters */
};

/* Sets field f of c from s[0..n). CB_OK, or CB_TOK_CLAIM (c unchanged)
 * if the value is not valid for f. */
enum cb_err claims_set(struct claims *c, enum claim_field f, const char *s, size_t n) CB_WUR;

/* Sets field f from a JSON value: v NULL (member absent) is CB_OK and
 * leaves the field empty, unless required; anything but a string valid
 * for f is CB_TOK_CLAIM. */
enum cb_err claims_set_json(struct claims *c, enum claim_field f, const struct json_t *v,
    bool required) CB_WUR;

/* Adds the granted teams of a JSON "team" claim: absent is fine; else an
 * array of at most CB_TOKEN_TEAMS_MAX team names (token.md), duplicates
 * dropped. CB_TOK_CLAIM otherwise. */
enum cb_err claims_set_teams_json(struct claims *c, const struct json_t *v) CB_WUR;

/* Validates an email address as token.md requires (<= 128 bytes, one @,
 * a plain dot-atom local part of at most 64 bytes and a host name; no
 * spaces, controls or non-ASCII) and writes it lower-cased to out.
 * CB_TOK_CLAIM if invalid (out = ""). */
enum cb_err claims_email(const char *s, size_t n, char out[CB_EMAIL_MAX + 1]) CB_WUR;

/* A display name: at most CB_NAME_MAX bytes as sent, then C0, DEL and C1
 * control characters and the Unicode bidi controls (U+061C, U+200E/F,
 * U+202A..E, U+2066..9) removed; written to out[CB_NAME_MAX + 1]. */
enum cb_err claims_text(const char *s, size_t n, char out[CB_NAME_MAX + 1]) CB_WUR;

/* True if s[0..n) is a valid value for f (no copy). */
bool claims_valid(enum claim_field f, const char *s, size_t n);

/* The claims of an OpenTHC SSO profile (openthc-conventions.md 2.7):
 * Contact.id, Company.id, Contact.username (the login email) required;
 * Contact.fullname, Company.name, Company.iso3166 and Company.cre
 * optional (null or "" = absent, the profile sends "" for what its scope
 * does not cover), each validated like the token claim it stands for.
 * CB_SSO_DENIED when scope lacks want_scope or the contact is not live
 * (stat, flag), CB_SSO_ERROR when a field is missing or invalid. detail
 * (NULL allowed) gets a safe description of a refusal. */
enum cb_err claims_from_sso_profile(const struct json_t *profile, const char *want_scope,
    struct claims *out, char *detail, size_t detail_cap) CB_WUR;

/* The claims as a JSON object (`chat-bridge verify`). A new reference,
 * or NULL on allocation failure. */
struct json_t *claims_to_json(const struct claims *c);

#endif
