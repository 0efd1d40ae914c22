/*
 * test_identity.c - email normalisation, username derivation (Mattermost
 * rules, reserved names, collision suffixes from sub), jurisdiction and
 * team sets (cre, reg incl. the ISO 3166 table, issuer grants), landing
 * paths. argv[1]: Debian's iso_3166-1.json for the table cross-check
 * (skipped with a reason, exit 77, when iso-codes is not installed).
 */
#include <jansson.h>

#include "harness.h"
#include "claims.h"
#include "config.h"
#include "identity.h"
#include "iso3166.h"
#include "issuer.h"
#include "token.h"
#include "util.h"

static void
test_email(void)
{
	static const struct {
		const char *in, *out;
	} good[] = {
		{"jane.doe@greenleaf.example", "jane.doe@greenleaf.example"},
		{"Jane.Doe@GreenLeaf.Example", "jane.doe@greenleaf.example"},
		{"test+092T0800@openthc.example.com", "test+092t0800@openthc.example.com"},
		{"a@b", "a@b"},
		{"o'brien@x-y.example", "o'brien@x-y.example"},
	};
	static const char *const bad[] = {
		"", "@x.example", "jane@", "jane", "a@b@c", "jane doe@x.example", "jane@x .example",
		".jane@x.example", "jane.@x.example", "ja..ne@x.example", "jane@.x.example",
		"jane@x..example", "jane@x.example.", "\"jane\"@x.example", "jane@[127.0.0.1]",
		"jane(c)@x.example", "jane@x_y.example", "j\xc3\xa4ne@x.example", "jane@x.example\r",
		"jane<x>@x.example",
	};
	char out[CB_EMAIL_MAX + 1], longmail[200];
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ok(claims_email(good[i].in, strlen(good[i].in), out) == CB_OK, "email '%s' accepted", good[i].in);
		is_str(out, good[i].out, "email '%s' normalised", good[i].in);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		is_int(claims_email(bad[i], strlen(bad[i]), out), CB_TOK_CLAIM, "email '%s' refused", bad[i]);
	memset(longmail, 'a', sizeof(longmail));
	memcpy(longmail + 64, "@", 1);
	memcpy(longmail + 128 - 8, ".example", 8);
	longmail[128] = '\0';
	is_int(claims_email(longmail, 128, out), CB_OK, "128-byte email accepted");
	longmail[128] = 'x';
	longmail[129] = '\0';
	memcpy(longmail + 129 - 8, ".example", 8);
	is_int(claims_email(longmail, 129, out), CB_TOK_CLAIM, "129-byte email refused");
	memset(longmail, 'a', 65);
	strcpy(longmail + 65, "@x.example");
	is_int(claims_email(longmail, strlen(longmail), out), CB_TOK_CLAIM, "65-byte local part refused");
}

/* Mattermost's username rule (model/user.go IsValidUsername) plus the
 * product spec's: [a-z0-9._-], starts with a letter, 3-22 characters. */
static int
username_valid(const char *u)
{
	size_t i, n = strlen(u);

	if (n < 3 || n > 22 || !(u[0] >= 'a' && u[0] <= 'z'))
		return 0;
	for (i = 0; i < n; i++)
		if (!((u[i] >= 'a' && u[i] <= 'z') || (u[i] >= '0' && u[i] <= '9') || u[i] == '.' ||
		    u[i] == '-' || u[i] == '_'))
			return 0;
	return strcmp(u, "all") && strcmp(u, "channel") && strcmp(u, "matterbot") && strcmp(u, "system");
}

static void
test_username(void)
{
	static const char sub[] = "0165B6QY0F4TGXCTDRS8ZCM0V4";
	static const struct {
		const char *email;
		const char *want[IDENTITY_USERNAME_ATTEMPTS];
	} cases[] = {
		{"jane.doe@greenleaf.example", {"jane.doe", "jane.doe-cm0v4", "jane.doe-s8zcm0v4", "jane.doe-drs8zcm0v4"}},
		{"sysadmin@other.example", {"sysadmin-cm0v4", "sysadmin-s8zcm0v4", "sysadmin-drs8zcm0v4", "sysadmin-ctdrs8zcm0v4"}},
		{"support@vendor.example", {"support-cm0v4", "support-s8zcm0v4", "support-drs8zcm0v4", "support-ctdrs8zcm0v4"}},
		{"here@x.example", {"here-cm0v4", "here-s8zcm0v4", "here-drs8zcm0v4", "here-ctdrs8zcm0v4"}},
		{"test+092t0800@openthc.example.com", {"test092t0800", "test092t0800-cm0v4", "test092t0800-s8zcm0v4", "test092t080-drs8zcm0v4"}},
		{"123abc@x.example", {"abc", "abc-cm0v4", "abc-s8zcm0v4", "abc-drs8zcm0v4"}},
		{"jo@x.example", {"jo-cm0v4", "jo-s8zcm0v4", "jo-drs8zcm0v4", "jo-ctdrs8zcm0v4"}},
		{"all@x.example", {"all-cm0v4", "all-s8zcm0v4", "all-drs8zcm0v4", "all-ctdrs8zcm0v4"}},
		{"system@x.example", {"system-cm0v4", "system-s8zcm0v4", "system-drs8zcm0v4", "system-ctdrs8zcm0v4"}},
		{"channel@x.example", {"channel-cm0v4", "channel-s8zcm0v4", "channel-drs8zcm0v4", "channel-ctdrs8zcm0v4"}},
		{"matterbot@x.example", {"matterbot-cm0v4", "matterbot-s8zcm0v4", "matterbot-drs8zcm0v4", "matterbot-ctdrs8zcm0v4"}},
		{"1234@x.example", {"user-cm0v4", "user-s8zcm0v4", "user-drs8zcm0v4", "user-ctdrs8zcm0v4"}},
		{"a.very.long.local.part.indeed@x.example", {"a.very.long.local.part", "a.very.long.loca-cm0v4", "a.very.long.l-s8zcm0v4", "a.very.long-drs8zcm0v4"}},
		{"JANE_DOE@X.EXAMPLE", {"jane_doe", "jane_doe-cm0v4", "jane_doe-s8zcm0v4", "jane_doe-drs8zcm0v4"}},
		{"o'brien!#$%&*=?^`{|}~@x.example", {"obrien", "obrien-cm0v4", "obrien-s8zcm0v4", "obrien-drs8zcm0v4"}},
	};
	char out[CB_MM_USERNAME_MAX + 1];
	size_t i;
	unsigned a;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		for (a = 0; a < IDENTITY_USERNAME_ATTEMPTS; a++) {
			ok(identity_username(cases[i].email, sub, a, out) == CB_OK, "username %s #%u", cases[i].email, a);
			is_str(out, cases[i].want[a], "username of %s, attempt %u", cases[i].email, a);
			ok(username_valid(out), "'%s' satisfies Mattermost's and the spec's rules", out);
		}
	is_int(identity_username("x@y", sub, IDENTITY_USERNAME_ATTEMPTS, out), CB_EINTERNAL, "no attempt beyond the last");
	/* Two people with the same local part never share a suffixed name. */
	{
		char a1[23], b1[23];

		ok(identity_username("bob@a.example", "01ARZ3NDEKTSV4RRFFQ69G5FAV", 1, a1) == CB_OK &&
		    identity_username("bob@b.example", "01BX5ZZKBKACTAV9WEVGEMMVRZ", 1, b1) == CB_OK &&
		    strcmp(a1, b1) != 0, "bob@a and bob@b get different collision names (%s, %s)", a1, b1);
	}
}

static void
test_jurisdiction(void)
{
	static const struct {
		const char *cre, *reg, *want;
	} cases[] = {
		{"usa/wa", "", "usa-wa"}, {"usa/wa/ccrs", "", "usa-wa"}, {"usa/nm", "US-WA", "usa-nm"},
		{"bra", "", "bra"}, {"bra/sp", "", "bra"}, {"openthc", "", ""}, {"openthc", "ZA", "zaf"},
		{"", "US-WA", "usa-wa"}, {"", "US-NY", "usa-ny"}, {"", "BR-SP", "bra"}, {"", "BR", "bra"},
		{"", "ZA", "zaf"}, {"", "EC", "ecu"}, {"", "PA", "pan"}, {"", "PE", "per"},
		{"", "UY", "ury"}, {"", "US", "usa"}, {"", "XX", ""}, {"", "", ""}, {"usa", "", "usa"},
		{"usa/", "BR", "bra"}, {"a_b/x", "", ""}, {"-x", "", ""},
	};
	char out[CB_TEAM_NAME_MAX + 1];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		identity_jurisdiction(cases[i].cre, cases[i].reg, out);
		is_str(out, cases[i].want, "jurisdiction cre='%s' reg='%s'", cases[i].cre, cases[i].reg);
	}
}

/* A configuration with default team def and the jurisdiction list. */
static struct config *
team_config(const char *def, const char *const *list, size_t n)
{
	static struct config cfg;
	size_t i;

	memset(&cfg, 0, sizeof(cfg));
	strcpy(cfg.default_team, def);
	for (i = 0; i < n; i++) {
		strcpy(cfg.jurisdictions[i].text, list[i]);
		cfg.jurisdictions[i].glob = list[i][strlen(list[i]) - 1] == '*';
	}
	cfg.n_jurisdictions = n;
	return &cfg;
}

static const char *const openthc_list[] = {"usa-*", "bra", "ecu", "pan", "per", "ury", "zaf"};
#define OPENTHC_LIST openthc_list, sizeof(openthc_list) / sizeof(openthc_list[0])

static void
test_teams(void)
{
	struct issuer sso, app;
	struct claims c;
	char teams[8][CB_TEAM_NAME_MAX + 1], jur[CB_TEAM_NAME_MAX + 1];
	size_t n;

	memset(&sso, 0, sizeof(sso));
	memset(&app, 0, sizeof(app));
	strcpy(sso.teams[0], "openthc");
	sso.n_teams = 1;
	memset(&c, 0, sizeof(c));
	strcpy(c.reg, "BR-SP");
	strcpy(c.teams[0], "openthc");
	strcpy(c.teams[1], "public");
	strcpy(c.teams[2], "usa-wa");
	c.n_teams = 3;
	n = identity_teams(&c, &sso, team_config("public", OPENTHC_LIST), teams, 8, jur);
	is_int(n, 3, "token.md example B: three teams");
	is_str(teams[0], "public", "default team first");
	is_str(teams[1], "bra", "jurisdiction from reg");
	is_str(teams[2], "openthc", "openthc granted by SSO");
	is_str(jur, "bra", "jurisdiction reported");
	n = identity_teams(&c, &app, team_config("public", OPENTHC_LIST), teams, 8, jur);
	is_int(n, 2, "an app may not grant openthc or usa-wa");
	memset(&c, 0, sizeof(c));
	n = identity_teams(&c, &app, team_config("public", OPENTHC_LIST), teams, 8, jur);
	is_int(n, 1, "no cre/reg: default team only (token.md v0 vector)");
	is_str(jur, "", "no jurisdiction");
	strcpy(c.cre, "usa/wa");
	n = identity_teams(&c, &app, team_config("public", OPENTHC_LIST), teams, 8, jur);
	ok(n == 2 && !strcmp(teams[1], "usa-wa"), "token.md v1 vector: public + usa-wa");
	n = identity_teams(&c, &app, team_config("usa-wa", OPENTHC_LIST), teams, 8, jur);
	ok(n == 1 && !strcmp(teams[0], "usa-wa"), "duplicates removed");
	n = identity_teams(&c, &app, team_config("public", OPENTHC_LIST), teams, 1, jur);
	is_int(n, 1, "never more than max");

	/* Jurisdiction teams only from the operator's list (issue 12.5):
	 * any first segment of cre used to become a team. */
	memset(&c, 0, sizeof(c));
	strcpy(c.cre, "staff/x");
	n = identity_teams(&c, &app, team_config("public", OPENTHC_LIST), teams, 8, jur);
	ok(n == 1 && jur[0] == '\0', "cre staff/x: 'staff' is not a jurisdiction team");
	strcpy(c.cre, "openthc-admins");
	n = identity_teams(&c, &app, team_config("public", OPENTHC_LIST), teams, 8, jur);
	ok(n == 1 && jur[0] == '\0', "cre naming a private staff team: not joined");
	strcpy(c.cre, "usa/or");
	n = identity_teams(&c, &app, team_config("public", OPENTHC_LIST), teams, 8, jur);
	ok(n == 2 && strcmp(jur, "usa-or") == 0, "usa-* admits usa-or");
	{
		static const char *const only_bra[] = {"bra"};

		n = identity_teams(&c, &app, team_config("public", only_bra, 1), teams, 8, jur);
		ok(n == 1 && jur[0] == '\0', "a list without usa-*: usa-or not joined");
		memset(&c, 0, sizeof(c));
		strcpy(c.reg, "BR-SP");
		n = identity_teams(&c, &app, team_config("public", only_bra, 1), teams, 8, jur);
		ok(n == 2 && strcmp(jur, "bra") == 0, "bra named on the list");
	}
}

static void
test_split_name(void)
{
	char first[CB_NAME_MAX + 1], last[CB_NAME_MAX + 1], long_name[CB_NAME_MAX + 1];
	size_t i;

	identity_split_name("Jane Doe", first, last);
	ok(!strcmp(first, "Jane") && !strcmp(last, "Doe"), "Jane | Doe");
	identity_split_name("Maria da Silva", first, last);
	ok(!strcmp(first, "Maria") && !strcmp(last, "da Silva"), "last name keeps its spaces");
	identity_split_name("Cher", first, last);
	ok(!strcmp(first, "Cher") && last[0] == '\0', "one word");
	/* 40 two-byte letters then a space: 80 bytes, 40 runes, kept whole;
	 * 64 three-byte runes (192 bytes) cannot come from a 128-byte claim,
	 * so the rune limit shows with 2-byte letters past 64 runes. */
	for (i = 0; i < 62; i++)
		memcpy(long_name + 2 * i, "\xc3\xa9", 2);	/* é x 62 = 124 bytes */
	memcpy(long_name + 124, "abc", 4);
	identity_split_name(long_name, first, last);
	is_int(strlen(first), 2 * 62 + 2, "first name cut at 64 runes, between two letters");
	is_int(utf8_prefix(long_name, strlen(long_name), 64), 126, "utf8_prefix counts runes");
	is_int(utf8_prefix("\xe6\x9d\x8e\xe5", 4, 64), 3, "never ends inside a sequence");
	is_int(utf8_prefix("abc", 3, 2), 2, "ASCII");
	/* 30 Chinese characters (90 bytes): whole, no cut inside a character. */
	for (i = 0; i < 30; i++)
		memcpy(long_name + 3 * i, "\xe6\x9d\x8e", 3);
	long_name[90] = '\0';
	identity_split_name(long_name, first, last);
	is_int(strlen(first), 90, "30-character name in a non-Latin script kept whole");
}

static void
test_landing(void)
{
	char out[CB_LANDING_MAX + 1];

	ok(!identity_landing(NULL, 0, "usa-wa", "public", out), "no r");
	is_str(out, "/usa-wa/channels/town-square", "jurisdiction town square");
	ok(!identity_landing(NULL, 0, "", "public", out), "no r, no jurisdiction");
	is_str(out, "/public/channels/town-square", "default town square");
	ok(!identity_landing("/", 1, "", "public", out), "r=/ is the default, not an ignored r");
	is_str(out, "/public/channels/town-square", "r=/ lands on the default");
	ok(!identity_landing("/public/channels/off-topic", 26, "usa-wa", "public", out), "valid r honoured");
	is_str(out, "/public/channels/off-topic", "r used");
	ok(identity_landing("//evil.example", 14, "usa-wa", "public", out), "bad r reported as ignored");
	is_str(out, "/usa-wa/channels/town-square", "bad r: default landing");
	ok(identity_landing("/auth/open", 10, NULL, "public", out), "r into /auth ignored");
}

static void
test_iso3166(const char *path)
{
	json_t *root, *v;
	json_error_t err;
	size_t i;
	int bad = 0, n = 0;

	ok(iso3166_alpha3("BR") && !strcmp(iso3166_alpha3("BR"), "bra"), "BR -> bra");
	ok(iso3166_alpha3("ZA") && !strcmp(iso3166_alpha3("ZA"), "zaf"), "ZA -> zaf");
	ok(iso3166_alpha3("XX") == NULL, "XX unknown");
	ok(iso3166_alpha3("br") == NULL, "lower case is not a code");
	ok(iso3166_alpha3("BRA") == NULL, "alpha-3 is not looked up");
	if (!have_input(path, "the cross-check with Debian's ISO 3166-1 table",
	    "install Debian's iso-codes package (scripts/deps.sh does)"))
		return;
	if ((root = json_load_file(path, 0, &err)) == NULL) {
		ok(0, "read %s (install Debian's iso-codes): %s", path, err.text);
		return;
	}
	json_array_foreach(json_object_get(root, "3166-1"), i, v) {
		const char *a2 = json_string_value(json_object_get(v, "alpha_2"));
		const char *a3 = json_string_value(json_object_get(v, "alpha_3"));
		const char *got = iso3166_alpha3(a2);
		char lower[4] = {0};
		size_t k;

		n++;
		if (a2 == NULL || a3 == NULL || strlen(a3) != 3) {
			bad++;
			printf("# entry %zu has no alpha_2 or no 3-letter alpha_3\n", i);
			continue;
		}
		for (k = 0; k < 3; k++)
			lower[k] = (char)(a3[k] - 'A' + 'a');
		if (got == NULL || strcmp(got, lower) != 0) {
			bad++;
			printf("# mismatch %s: got %s want %s\n", a2, got ? got : "(none)", lower);
		}
	}
	ok(n > 240 && bad == 0, "table agrees with iso-codes on all %d countries", n);
	is_int(iso3166_count(), n, "table has as many countries as iso-codes");
	json_decref(root);
}

static void
run_tests(int argc, char **argv)
{
	test_email();
	test_username();
	test_jurisdiction();
	test_teams();
	test_split_name();
	test_landing();
	test_iso3166(argc > 1 ? argv[1] : "/usr/share/iso-codes/json/iso_3166-1.json");
}
