/*
 * test_mmserver.c - what the bridge decides from the Mattermost server it
 * talks to (mmserver.h): X-Version-Id, the login method per version and
 * sign-in settings (mattermost-behaviour.md corrections 1, 7, 9, 4).
 */
#include <string.h>

#include "harness.h"
#include "mmserver.h"

static struct mm_server
server(const char *xver, bool email, bool username, bool mfa)
{
	struct mm_server s;

	memset(&s, 0, sizeof(s));
	s.known = true;
	s.sign_in_email = email;
	s.sign_in_username = username;
	s.mfa = mfa;
	if (xver != NULL)
		ok(mm_server_parse_version(xver, &s), "parses %s", xver);
	return s;
}

static void
test_version(void)
{
	struct mm_server s;

	memset(&s, 0, sizeof(s));
	ok(mm_server_parse_version("11.3.0.11.3.0.3fd1e0.false", &s), "X-Version-Id");
	ok(s.major == 11 && s.minor == 3 && s.patch == 0, "11.3.0");
	ok(s.licence_known && !s.licensed, "unlicensed");
	ok(mm_server_parse_version("10.11.4.10.11.4.abc.true", &s) && s.major == 10 && s.minor == 11 &&
	    s.patch == 4 && s.licensed, "10.11.4, licensed");
	memset(&s, 0, sizeof(s));
	ok(mm_server_parse_version("11.6.1", &s) && s.major == 11 && s.minor == 6 && !s.licence_known,
	    "a bare version says nothing of a licence");
	ok(!mm_server_parse_version("", &s) && !mm_server_parse_version("11", &s) &&
	    !mm_server_parse_version("11.3", &s) && !mm_server_parse_version("11.3.x", &s) &&
	    !mm_server_parse_version("v11.3.0", &s) && !mm_server_parse_version("123456.1.1", &s) &&
	    !mm_server_parse_version(NULL, &s), "not versions");
	ok(s.major == 11 && s.minor == 6, "a refused string leaves the version alone");
	ok(mm_server_at_least(&s, 11, 3) && mm_server_at_least(&s, 11, 6) && !mm_server_at_least(&s, 11, 7) &&
	    !mm_server_at_least(&s, 12, 0), "at least");
	memset(&s, 0, sizeof(s));
	ok(!mm_server_at_least(&s, 0, 0), "unknown is never at least anything");
}

static void
test_login_by(void)
{
	struct mm_server s;

	memset(&s, 0, sizeof(s));
	is_int(mm_server_login_by(&s), MM_LOGIN_BY_EMAIL, "nothing known: Mattermost's default, email");
	s = server("11.1.0", true, true, false);
	is_int(mm_server_login_by(&s), MM_LOGIN_BY_EMAIL, "email on: by email");
	s = server("11.3.0", false, true, false);
	is_int(mm_server_login_by(&s), MM_LOGIN_BY_USERNAME, "only username on: by username");
	s = server("11.2.5", false, false, false);
	is_int(mm_server_login_by(&s), MM_LOGIN_BY_ID, "both off up to 11.2: by id");
	s = server("10.11.0", false, false, false);
	is_int(mm_server_login_by(&s), MM_LOGIN_BY_ID, "both off on 10.11: by id");
	s = server("11.3.0", false, false, false);
	is_int(mm_server_login_by(&s), MM_LOGIN_IMPOSSIBLE, "both off from 11.3: impossible");
	s = server("12.0.0", false, false, false);
	is_int(mm_server_login_by(&s), MM_LOGIN_IMPOSSIBLE, "and after");
	s = server(NULL, false, false, false);
	is_int(mm_server_login_by(&s), MM_LOGIN_IMPOSSIBLE, "both off, version unknown: assume the gate");
}

static void
test_decisions(void)
{
	struct mm_server s;
	char d[160];

	s = server("10.11.2", true, true, false);
	ok(mm_server_bcrypt_only(&s), "10.x verifies bcrypt only");
	s = server("11.0.0", true, true, false);
	ok(!mm_server_bcrypt_only(&s), "11.0 verifies PBKDF2");
	memset(&s, 0, sizeof(s));
	ok(!mm_server_bcrypt_only(&s), "unknown: PBKDF2 (the 11.x default)");
	ok(mm_server_mfa_enforced(&s), "MFA unknown: assumed enforced");
	s = server("11.1.0", true, true, false);
	ok(!mm_server_mfa_enforced(&s), "EnableMultifactorAuthentication off: not checked (correction 9)");
	s = server("11.1.0", true, true, true);
	ok(mm_server_mfa_enforced(&s), "on: checked");

	s = server("11.1.0.11.1.0.h.false", true, true, false);
	s.guest_accounts = true;
	ok(!mm_server_guests_possible(&s), "guest accounts on, no licence: no guest login (correction 4)");
	s = server("11.1.0.11.1.0.h.true", true, true, false);
	ok(!mm_server_guests_possible(&s), "licensed, guest accounts off");
	s.guest_accounts = true;
	ok(mm_server_guests_possible(&s), "licensed and guest accounts on");
	s = server("11.1.0", true, true, false);
	s.guest_accounts = true;
	ok(!mm_server_guests_possible(&s), "licence unknown: no");

	s = server("11.3.0.11.3.0.h.false", false, false, true);
	mm_server_describe(&s, d, sizeof(d));
	is_str(d, "Mattermost 11.3.0 (unlicensed), password sign-in impossible, MFA on", "describe");
	s = server("10.11.0", false, true, false);
	mm_server_describe(&s, d, sizeof(d));
	is_str(d, "Mattermost 10.11.0, password sign-in with username, MFA off, bcrypt passwords", "describe 10.x");
	memset(&s, 0, sizeof(s));
	mm_server_describe(&s, d, sizeof(d));
	is_str(d, "Mattermost (version unknown), client configuration not read", "describe unknown");
	mm_server_describe(&s, d, 8);
	is_int(strlen(d), 7, "cut to the buffer");
}

static void
run_tests(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	test_version();
	test_login_by();
	test_decisions();
}
