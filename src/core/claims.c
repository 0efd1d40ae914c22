/*
 * claims.c - the one set of identity-claim validators (see claims.h),
 * used by the token verifier (token.c), the OAuth2 profile reader (sso.c)
 * and the minter (mint.c).
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "claims.h"
#include "util.h"

/* Characters of an unquoted RFC 5322 dot-atom local part. */
static bool
is_atext(char c)
{
	return ascii_isalnum(c) || (c != '\0' && strchr("!#$%&'*+/=?^_`{|}~-", c) != NULL);
}

static bool
email_ok(const char *s, size_t n)
{
	const char *at;
	size_t local, i;

	if (n < 3 || n > CB_EMAIL_MAX || !is_visible_ascii(s, n))
		return false;
	if ((at = memchr(s, '@', n)) == NULL || memchr(at + 1, '@', n - (size_t)(at - s) - 1))
		return false;
	local = (size_t)(at - s);
	if (local == 0 || local > CB_EMAIL_LOCAL_MAX || local + 1 == n)
		return false;
	for (i = 0; i < local; i++) {
		if (s[i] == '.') {
			if (i == 0 || i + 1 == local || s[i + 1] == '.')
				return false;
		} else if (!is_atext(s[i])) {
			return false;
		}
	}
	for (i = local + 1; i < n; i++) {
		if (s[i] == '.') {
			if (i == local + 1 || i + 1 == n || s[i + 1] == '.')
				return false;
		} else if (!ascii_isalnum(s[i]) && s[i] != '-') {
			return false;
		}
	}
	return true;
}

enum cb_err
claims_email(const char *s, size_t n, char out[CB_EMAIL_MAX + 1])
{
	size_t i;

	out[0] = '\0';
	if (!email_ok(s, n))
		return CB_TOK_CLAIM;
	for (i = 0; i < n; i++)
		out[i] = ascii_lower(s[i]);
	out[n] = '\0';
	return CB_OK;
}

enum cb_err
claims_text(const char *s, size_t n, char out[CB_NAME_MAX + 1])
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, o = 0;

	out[0] = '\0';
	if (n > CB_NAME_MAX)
		return CB_TOK_CLAIM;
	for (i = 0; i < n; i++) {
		if (u[i] < 0x20 || u[i] == 0x7f)
			continue;
		if (u[i] == 0xc2 && i + 1 < n && u[i + 1] >= 0x80 && u[i + 1] <= 0x9f) {
			i++;	/* C1 control, U+0080..U+009F */
			continue;
		}
		if (u[i] == 0xd8 && i + 1 < n && u[i + 1] == 0x9c) {
			i++;	/* U+061C ARABIC LETTER MARK */
			continue;
		}
		/* Bidi controls that can make a name display as another:
		 * U+200E/F (marks), U+202A..E (embeddings, overrides),
		 * U+2066..9 (isolates). */
		if (u[i] == 0xe2 && i + 2 < n &&
		    ((u[i + 1] == 0x80 && (u[i + 2] == 0x8e || u[i + 2] == 0x8f ||
		    (u[i + 2] >= 0xaa && u[i + 2] <= 0xae))) ||
		    (u[i + 1] == 0x81 && u[i + 2] >= 0xa6 && u[i + 2] <= 0xa9))) {
			i += 2;
			continue;
		}
		out[o++] = (char)u[i];
	}
	out[o] = '\0';
	return CB_OK;
}

/* cre: ^[a-z0-9/_-]{2,32}$ */
static bool
cre_ok(const char *s, size_t n)
{
	size_t i;

	if (n < 2 || n > CB_CRE_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '/' ||
		    s[i] == '_' || s[i] == '-'))
			return false;
	return true;
}

/* reg: ^[A-Z]{2}(-[A-Z0-9]{1,3})?$ */
static bool
reg_ok(const char *s, size_t n)
{
	size_t i;

	if (n != 2 && (n < 4 || n > CB_REG_MAX))
		return false;
	if (s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z')
		return false;
	if (n == 2)
		return true;
	if (s[2] != '-')
		return false;
	for (i = 3; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9')))
			return false;
	return true;
}

bool
claims_valid(enum claim_field f, const char *s, size_t n)
{
	switch (f) {
	case CLAIM_SUB:
	case CLAIM_COM:
	case CLAIM_LIC:
		return is_ulid(s, n);
	case CLAIM_EMAIL:
		return email_ok(s, n);
	case CLAIM_NAME:
	case CLAIM_COM_NAME:
		return n <= CB_NAME_MAX;
	case CLAIM_CRE:
		return cre_ok(s, n);
	case CLAIM_REG:
		return reg_ok(s, n);
	case CLAIM_JTI:
		return n >= CB_JTI_MIN && n <= CB_JTI_MAX && is_b64url(s, n);
	}
	return false;
}

enum cb_err
claims_set(struct claims *c, enum claim_field f, const char *s, size_t n)
{
	if (!claims_valid(f, s, n))
		return CB_TOK_CLAIM;
	switch (f) {
	case CLAIM_SUB:
		return str_copy(c->sub, sizeof(c->sub), s, n);
	case CLAIM_COM:
		return str_copy(c->com, sizeof(c->com), s, n);
	case CLAIM_LIC:
		return str_copy(c->lic, sizeof(c->lic), s, n);
	case CLAIM_EMAIL:
		return claims_email(s, n, c->email);
	case CLAIM_NAME:
		return claims_text(s, n, c->name);
	case CLAIM_COM_NAME:
		return claims_text(s, n, c->com_name);
	case CLAIM_CRE:
		return str_copy(c->cre, sizeof(c->cre), s, n);
	case CLAIM_REG:
		return str_copy(c->reg, sizeof(c->reg), s, n);
	case CLAIM_JTI:
		return str_copy(c->jti, sizeof(c->jti), s, n);
	}
	return CB_TOK_CLAIM;
}

enum cb_err
claims_set_json(struct claims *c, enum claim_field f, const json_t *v, bool required)
{
	if (v == NULL)
		return required ? CB_TOK_CLAIM : CB_OK;
	if (!json_is_string(v))
		return CB_TOK_CLAIM;
	return claims_set(c, f, json_string_value(v), json_string_length(v));
}

enum cb_err
claims_set_teams_json(struct claims *c, const json_t *t)
{
	const json_t *v;
	size_t i, j, n;

	if (t == NULL)
		return CB_OK;
	if (!json_is_array(t) || json_array_size(t) > CB_TOKEN_TEAMS_MAX)
		return CB_TOK_CLAIM;
	json_array_foreach(t, i, v) {
		const char *s;
		bool dup = false;

		if (!json_is_string(v))
			return CB_TOK_CLAIM;
		s = json_string_value(v);
		n = json_string_length(v);
		if (!is_team_name(s, n))
			return CB_TOK_CLAIM;
		for (j = 0; j < c->n_teams; j++)
			dup |= strcmp(c->teams[j], s) == 0;
		if (!dup && str_copy(c->teams[c->n_teams++], sizeof(c->teams[0]), s, n) != CB_OK)
			return CB_TOK_CLAIM;
	}
	return CB_OK;
}

/* OpenTHC Contact flags (openthc-conventions.md 3.1). */
#define CONTACT_DISABLED 0x01000000
#define CONTACT_DELETED 0x08000000

/* Copies the safe description msg into detail[cap], if given. */
static void
say(char *detail, size_t cap, const char *msg)
{
	if (detail != NULL && cap > 0)
		(void)snprintf(detail, cap, "%s", msg);
}

/* True if the profile's scope (a list, or one space-separated string as
 * some SSO versions send it) has want. */
static bool
scope_has(const json_t *scope, const char *want)
{
	const json_t *v;
	size_t i;

	if (json_is_string(scope))
		return list_has(json_string_value(scope), ' ', want);
	json_array_foreach(scope, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), want) == 0)
			return true;
	return false;
}

/* An optional profile field: null and "" mean absent (the profile sends
 * empty strings for what the scope does not cover). */
static const json_t *
optional(const json_t *o, const char *k)
{
	const json_t *v = json_object_get(o, k);

	if (json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0))
		return NULL;
	return v;
}

enum cb_err
claims_from_sso_profile(const json_t *p, const char *scope, struct claims *cl, char *detail,
    size_t cap)
{
	const json_t *ct = json_object_get(p, "Contact"), *co = json_object_get(p, "Company"), *v;

	memset(cl, 0, sizeof(*cl));
	cl->origin = CLAIMS_SSO;
	if (!scope_has(json_object_get(p, "scope"), scope)) {
		if (detail != NULL && cap > 0)
			(void)snprintf(detail, cap, "profile scope lacks %s", scope);
		return CB_SSO_DENIED;
	}
	if (!json_is_object(ct) || !json_is_object(co)) {
		say(detail, cap, "profile lacks Contact or Company");
		return CB_SSO_ERROR;
	}
	/* Contact.username is the login email; Contact.email may be empty. */
	if (claims_set_json(cl, CLAIM_SUB, json_object_get(ct, "id"), true) != CB_OK ||
	    claims_set_json(cl, CLAIM_COM, json_object_get(co, "id"), true) != CB_OK ||
	    claims_set_json(cl, CLAIM_EMAIL, json_object_get(ct, "username"), true) != CB_OK ||
	    claims_set_json(cl, CLAIM_NAME, optional(ct, "fullname"), false) != CB_OK ||
	    claims_set_json(cl, CLAIM_COM_NAME, optional(co, "name"), false) != CB_OK ||
	    claims_set_json(cl, CLAIM_REG, optional(co, "iso3166"), false) != CB_OK ||
	    claims_set_json(cl, CLAIM_CRE, optional(co, "cre"), false) != CB_OK) {
		say(detail, cap, "profile has an invalid identity field");
		return CB_SSO_ERROR;
	}
	v = json_object_get(ct, "stat");
	if (v != NULL && !(json_is_integer(v) && json_integer_value(v) == 200) &&
	    !(json_is_string(v) && strcmp(json_string_value(v), "200") == 0)) {
		say(detail, cap, "contact is not live");
		return CB_SSO_DENIED;
	}
	v = json_object_get(ct, "flag");
	if (json_is_integer(v) && (json_integer_value(v) & (CONTACT_DISABLED | CONTACT_DELETED)) != 0) {
		say(detail, cap, "contact is disabled or deleted");
		return CB_SSO_DENIED;
	}
	return CB_OK;
}

/* Sets k to the string v unless v is empty; returns non-zero on failure. */
static int
set_opt(json_t *o, const char *k, const char *v)
{
	if (v[0] == '\0')
		return 0;
	return json_object_set_new(o, k, json_string(v));
}

json_t *
claims_to_json(const struct claims *c)
{
	json_t *o = json_object(), *teams = json_array();
	size_t i;
	int rc = 0;

	if (o == NULL || teams == NULL) {
		json_decref(o);
		json_decref(teams);
		return NULL;
	}
	if (c->origin != CLAIMS_SSO)
		rc |= json_object_set_new(o, "ver", json_integer(c->origin == CLAIMS_TOKEN_V1));
	rc |= json_object_set_new(o, "iss", json_string(c->iss));
	if (c->origin == CLAIMS_TOKEN_V1)
		rc |= json_object_set_new(o, "kid", json_string(c->kid));
	rc |= json_object_set_new(o, "sub", json_string(c->sub));
	rc |= json_object_set_new(o, "com", json_string(c->com));
	rc |= set_opt(o, "lic", c->lic);
	rc |= json_object_set_new(o, "email", json_string(c->email));
	rc |= set_opt(o, "name", c->name);
	rc |= set_opt(o, "com_name", c->com_name);
	rc |= set_opt(o, "cre", c->cre);
	rc |= set_opt(o, "reg", c->reg);
	for (i = 0; i < c->n_teams; i++)
		rc |= json_array_append_new(teams, json_string(c->teams[i]));
	rc |= json_object_set_new(o, "team", teams);
	rc |= json_object_set_new(o, "iat", json_integer(c->iat));
	rc |= json_object_set_new(o, "exp", json_integer(c->exp));
	if (c->has_nbf)
		rc |= json_object_set_new(o, "nbf", json_integer(c->nbf));
	rc |= json_object_set_new(o, "jti", json_string(c->jti));
	rc |= json_object_set_new(o, "jti_derived", json_boolean(c->jti_derived));
	if (rc != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}
