/*
 * test_claims.c - one set of claim validators (claims.h) for every
 * identity source: the same field values fed through a signed link token
 * (token_verify) and through an OpenTHC SSO profile
 * (claims_from_sso_profile) must get the same verdict and, when accepted,
 * the same stored value. Also the profile's own rules (scope, live
 * contact, empty = absent) and the validators one by one.
 */
#include <jansson.h>

#include "harness.h"
#include "claims.h"
#include "craft.h"
#include "issuer.h"
#include "token.h"

#define NOW 1767225600
#define SUB "0165B6QY0F4TGXCTDRS8ZCM0V4"
#define COM "019EV8MMKC5HX5QV46F0HEJX4S"
#define EMAIL "jane.doe@greenleaf.example"

static struct issuer iss;
static struct issuer_registry reg = {&iss, 1};

/* The fields both sources carry, with their names in each. */
enum field { F_SUB, F_COM, F_EMAIL, F_NAME, F_COM_NAME, F_REG, F_CRE };

static const struct {
	const char *claim;	/* token payload member */
	const char *obj;	/* profile object */
	const char *member;	/* its member */
} names[] = {
	[F_SUB] = {"sub", "Contact", "id"},
	[F_COM] = {"com", "Company", "id"},
	[F_EMAIL] = {"email", "Contact", "username"},
	[F_NAME] = {"name", "Contact", "fullname"},
	[F_COM_NAME] = {"com_name", "Company", "name"},
	[F_REG] = {"reg", "Company", "iso3166"},
	[F_CRE] = {"cre", "Company", "cre"},
};

/* The stored value of field f. */
static const char *
stored(const struct claims *c, enum field f)
{
	switch (f) {
	case F_SUB: return c->sub;
	case F_COM: return c->com;
	case F_EMAIL: return c->email;
	case F_NAME: return c->name;
	case F_COM_NAME: return c->com_name;
	case F_REG: return c->reg;
	case F_CRE: return c->cre;
	}
	return "";
}

/* A valid v1 token whose member claim is value; CB_OK or the reason. */
static enum cb_err
via_token(enum field f, const char *value, struct claims *out)
{
	char tok[8192];
	json_t *p = json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:i, s:s}", "ver", 1,
	    "intent", "chat-open", "iss", TEST_ISS1, "aud", TEST_AUD, "sub", SUB, "com", COM,
	    "email", EMAIL, "iat", NOW, "exp", NOW + 60, "jti", "abcdefghijklmnopqrstuvwxyz");
	struct verify_params vp = {&reg, TEST_AUD, NOW, 60};
	char *text;
	enum cb_err e;

	json_object_set_new(p, names[f].claim, json_string(value));
	text = json_dumps(p, JSON_COMPACT);
	craft("{\"typ\":\"JWT\",\"alg\":\"EdDSA\",\"kid\":\"" TEST_KID "\"}", text, SIG_ED25519,
	    NULL, 0, tok, sizeof(tok));
	e = token_verify(tok, strlen(tok), &vp, out);
	free(text);
	json_decref(p);
	return e;
}

/* A valid profile whose member is value; CB_OK or the reason. */
static enum cb_err
via_profile(enum field f, const char *value, struct claims *out)
{
	json_t *p = json_pack("{s:[s,s], s:{s:s, s:s, s:i, s:i, s:s}, s:{s:s, s:i}}", "scope",
	    "chat", "contact", "Contact", "id", SUB, "username", EMAIL, "stat", 200, "flag", 0,
	    "fullname", "", "Company", "id", COM, "stat", 200);
	char detail[160];
	enum cb_err e;

	json_object_set_new(json_object_get(p, names[f].obj), names[f].member, json_string(value));
	e = claims_from_sso_profile(p, "chat", out, detail, sizeof(detail));
	json_decref(p);
	return e;
}

static void
test_same_verdicts(void)
{
	static const struct {
		enum field f;
		const char *value;
		const char *want;	/* stored value, or NULL: refused */
	} cases[] = {
		{F_SUB, SUB, SUB},
		{F_SUB, "0165b6qy0f4tgxctdrs8zcm0v4", NULL},	/* lower case */
		{F_SUB, "8165B6QY0F4TGXCTDRS8ZCM0V4", NULL},	/* > 128 bits */
		{F_SUB, "0165B6QY0F4TGXCTDRS8ZCM0V", NULL},
		{F_COM, "01ILLEGALCHARSIN0ULIDXXXXX", NULL},
		{F_EMAIL, "Jane.Doe@GreenLeaf.Example", "jane.doe@greenleaf.example"},
		{F_EMAIL, "jane doe@x.example", NULL},
		{F_EMAIL, "j\xc3\xa4ne@x.example", NULL},
		{F_EMAIL, "jane@x..example", NULL},
		{F_NAME, "Jane Doe", "Jane Doe"},
		{F_NAME, "Jane\x01 \x7f" "Doe", "Jane Doe"},		/* C0 and DEL removed */
		{F_NAME, "Jane \xc2\x85" "Doe", "Jane Doe"},		/* C1 (NEL) removed */
		{F_NAME, "Ren\xc3\xa9" "e", "Ren\xc3\xa9" "e"},		/* é kept */
		{F_COM_NAME, "Green Leaf Farms \xc2\x9b", "Green Leaf Farms "},
		{F_NAME, "0123456789012345678901234567890123456789012345678901234567890123"
		    "0123456789012345678901234567890123456789012345678901234567890123x", NULL},
		{F_REG, "US-WA", "US-WA"},
		{F_REG, "BR", "BR"},
		{F_REG, "us-wa", NULL},
		{F_REG, "USA-WA", NULL},				/* length alone passed before */
		{F_REG, "US_WA", NULL},
		{F_REG, "US-WASH", NULL},
		{F_CRE, "usa/wa", "usa/wa"},
		{F_CRE, "u", NULL},					/* one character passed before */
		{F_CRE, "USA/WA", NULL},
		{F_CRE, "usa wa", NULL},
	};
	struct claims ct, cp;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum cb_err et = via_token(cases[i].f, cases[i].value, &ct);
		enum cb_err ep = via_profile(cases[i].f, cases[i].value, &cp);
		const char *n = names[cases[i].f].claim;

		if (cases[i].want == NULL) {
			is_int(et, CB_TOK_CLAIM, "token refuses %s '%s'", n, cases[i].value);
			is_int(ep, CB_SSO_ERROR, "profile refuses %s '%s'", n, cases[i].value);
		} else {
			is_int(et, CB_OK, "token accepts %s '%s'", n, cases[i].value);
			is_int(ep, CB_OK, "profile accepts %s '%s'", n, cases[i].value);
			is_str(stored(&ct, cases[i].f), cases[i].want, "token stores %s", n);
			is_str(stored(&cp, cases[i].f), cases[i].want, "profile stores %s", n);
		}
	}
}

static void
test_profile_rules(void)
{
	struct claims c;
	char detail[160] = "";
	json_t *p;

	/* Empty and null optional fields are absent, not invalid. */
	p = json_loads("{\"scope\":\"contact chat\",\"Contact\":{\"id\":\"" SUB "\",\"username\":\""
	    EMAIL "\",\"fullname\":\"\",\"stat\":\"200\"},\"Company\":{\"id\":\"" COM "\","
	    "\"name\":null,\"iso3166\":\"\"}}", 0, NULL);
	is_int(claims_from_sso_profile(p, "chat", &c, detail, sizeof(detail)), CB_OK,
	    "string scope, empty and null optional fields");
	is_int(c.origin, CLAIMS_SSO, "origin sso");
	ok(c.name[0] == '\0' && c.reg[0] == '\0' && c.com_name[0] == '\0', "absent fields empty");
	is_int(claims_from_sso_profile(p, "cha", &c, detail, sizeof(detail)), CB_SSO_DENIED,
	    "a scope word is matched whole");
	is_str(detail, "profile scope lacks cha", "detail names the scope");
	json_decref(p);

	p = json_loads("{\"scope\":[\"chat\"],\"Contact\":{\"id\":\"" SUB "\",\"username\":\"" EMAIL
	    "\",\"stat\":410},\"Company\":{\"id\":\"" COM "\"}}", 0, NULL);
	is_int(claims_from_sso_profile(p, "chat", &c, NULL, 0), CB_SSO_DENIED, "stat 410 denied");
	json_decref(p);
	p = json_loads("{\"scope\":[\"chat\"],\"Contact\":{\"id\":\"" SUB "\",\"username\":\"" EMAIL
	    "\",\"flag\":134217728},\"Company\":{\"id\":\"" COM "\"}}", 0, NULL);
	is_int(claims_from_sso_profile(p, "chat", &c, NULL, 0), CB_SSO_DENIED, "deleted flag denied");
	json_decref(p);
	p = json_loads("{\"scope\":[\"chat\"],\"Contact\":{\"id\":\"" SUB "\"},\"Company\":{\"id\":\""
	    COM "\"}}", 0, NULL);
	is_int(claims_from_sso_profile(p, "chat", &c, NULL, 0), CB_SSO_ERROR, "no login email");
	json_decref(p);
	p = json_loads("{\"scope\":[\"chat\"],\"Contact\":{\"id\":\"" SUB "\",\"username\":\"" EMAIL
	    "\",\"fullname\":7},\"Company\":{\"id\":\"" COM "\"}}", 0, NULL);
	is_int(claims_from_sso_profile(p, "chat", &c, NULL, 0), CB_SSO_ERROR, "a number as a name");
	json_decref(p);
	p = json_loads("{\"scope\":[\"chat\"],\"Contact\":[]}", 0, NULL);
	is_int(claims_from_sso_profile(p, "chat", &c, NULL, 0), CB_SSO_ERROR, "no Contact object");
	json_decref(p);
}

static void
test_validators(void)
{
	struct claims c;
	char out[CB_NAME_MAX + 1];
	json_t *v;

	memset(&c, 0, sizeof(c));
	ok(claims_valid(CLAIM_JTI, "abcdefghijklmnopqrstuv", 22), "22-character jti");
	ok(!claims_valid(CLAIM_JTI, "abcdefghijklmnopqrstu", 21), "21-character jti");
	ok(!claims_valid(CLAIM_JTI, "abcdefghijklmnopqrstu+", 22), "jti outside base64url");
	is_int(claims_set(&c, CLAIM_CRE, "usa/wa/x", 8), CB_OK, "claims_set cre");
	is_str(c.cre, "usa/wa/x", "cre stored");
	is_int(claims_set(&c, CLAIM_CRE, "usa wa", 6), CB_TOK_CLAIM, "bad cre refused");
	is_str(c.cre, "usa/wa/x", "a refused value leaves the field");
	is_int(claims_set_json(&c, CLAIM_LIC, NULL, false), CB_OK, "absent optional");
	is_int(claims_set_json(&c, CLAIM_SUB, NULL, true), CB_TOK_CLAIM, "absent required");
	v = json_integer(5);
	is_int(claims_set_json(&c, CLAIM_NAME, v, false), CB_TOK_CLAIM, "a number is not a name");
	json_decref(v);
	is_int(claims_text("a\x1b[31mb", 7, out), CB_OK, "escape sequence");
	is_str(out, "a[31mb", "ESC removed");
	/* "Jane \u202Egnp.exe" would display reversed; "\u2066", "\u200F",
	 * "\u061C" likewise steer the display direction. */
	{
		static const char bidi[] = "Jane \xe2\x80\xae" "gnp \xe2\x81\xa6x\xe2\x81\xa9 \xe2\x80\x8fy\xd8\x9c";

		is_int(claims_text(bidi, sizeof(bidi) - 1, out), CB_OK, "bidi controls");
	}
	is_str(out, "Jane gnp x y", "bidi controls removed");
	is_int(claims_text("\xe2\x80\x94 \xe2\x82\xac", 7, out), CB_OK, "dash and euro");
	is_str(out, "\xe2\x80\x94 \xe2\x82\xac", "other U+20xx characters kept");
	v = json_loads("[\"openthc\",\"openthc\",\"usa-wa\"]", 0, NULL);
	is_int(claims_set_teams_json(&c, v), CB_OK, "teams");
	is_int(c.n_teams, 2, "duplicate team dropped");
	json_decref(v);
	v = json_loads("[\"Bad Team\"]", 0, NULL);
	is_int(claims_set_teams_json(&c, v), CB_TOK_CLAIM, "invalid team name");
	json_decref(v);
}

static void
run_tests(int argc, char **argv)
{
	unsigned char seed[32], sk[64];

	(void)argc;
	(void)argv;
	memset(&iss, 0, sizeof(iss));
	(void)str_set(iss.id, sizeof(iss.id), TEST_ISS1);
	test_seed(seed);
	crypto_sign_seed_keypair(iss.ed25519[0], sk, seed);
	iss.n_ed25519 = 1;
	test_same_verdicts();
	test_profile_rules();
	test_validators();
}
