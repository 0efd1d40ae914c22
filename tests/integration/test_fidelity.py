"""Mattermost 10.11 to 11.6 (issue 13), the returning click at the floor
(issue 15) and profiles kept in sync (issue 17.1), through a real web
server (CB_FRONT=nginx|caddy) in both session modes.

The emulator imitates each newer or older behaviour behind a switch
(tests/emulator/README.md, "Switches"); every test sets the switches it
needs and tearDown puts Mattermost 11.1's defaults back (and lets the
bridge read them, as /auth/ready does).
"""

import concurrent.futures
import json
import os
import re
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from stack import Stack, json_call, new_ulid  # noqa: E402

FRONT = os.environ.get("CB_FRONT", "nginx")

DEFAULTS = {"EmulatorSettings": {"Version": "11.1.0", "Licensed": False, "SerializePasswordChecks": False,
                                 "SessionsExtraColumn": False},
            "EmailSettings": {"EnableSignInWithEmail": True, "EnableSignInWithUsername": True},
            "ServiceSettings": {"EnableMultifactorAuthentication": False},
            "GuestAccountsSettings": {"Enable": False},
            "PasswordSettings": {"MinimumLength": 8},
            "RateLimitSettings": {"Enable": False}}

CHROME = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Chrome/120.0.6099.109 Safari/537.36")
IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
          "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1")
DESKTOP = ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
           "Mattermost/5.6.0 Chrome/120.0.6099.291 Electron/28.2.2 Safari/537.36")
WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"


class Base(unittest.TestCase):
    """One stack per class; a contact per test (or several)."""

    MODE = "login"
    STACK = {}
    N0 = 0

    @classmethod
    def setUpClass(cls):
        cls.s = Stack(front=FRONT, mode=cls.MODE, name="fidelity-%s-%s-%s" % (FRONT, cls.MODE, cls.__name__),
                      **dict({"workers": 4, "timeout_ms": 3000}, **cls.STACK)).start()
        cls.subs = []
        cls.n = cls.N0

    @classmethod
    def tearDownClass(cls):
        problems = cls.s.finish(cls.subs)
        assert not problems, problems

    def setUp(self):
        self.changed = False

    def tearDown(self):
        self.s.emu("POST", "/__emu/fault", {"mode": "none"})
        if self.changed:
            self.s.mm_settings(DEFAULTS)

    # ------------------------------------------------------------ helpers
    def settings(self, settings, tell_bridge=True):
        """Mattermost's settings changed; the bridge reads the published
        ones again (as /auth/ready and its 30 s refresh do) unless not
        told, as after a change made between two refreshes."""
        self.changed = True
        if tell_bridge:
            r = self.s.mm_settings(settings)
        else:
            st, body = self.s.emu("POST", "/__emu/config", settings)
            self.assertEqual(st, 200, body)
            r = None
        return r

    def contact(self):
        type(self).n += 1
        sub = new_ulid(self.N0 * 10 + type(self).n)
        self.subs.append(sub)
        return sub, "fid%d.%d@greenleaf.example" % (self.N0, type(self).n)

    def click(self, sub, email, ua=CHROME, **claims):
        return self.s.open_link(self.s.mint(sub, email, **claims), headers={"User-Agent": ua})

    def signed_in(self, r):
        self.assertEqual(r.status, 302, r.body[:300])
        c = {k: v[0] for k, v in r.cookies().items()}
        self.assertEqual(set(c), {"MMAUTHTOKEN", "MMUSERID", "MMCSRF"})
        return c

    def linked(self, **claims):
        """A contact signed in once: (sub, email, user id)."""
        sub, email = self.contact()
        c = self.signed_in(self.click(sub, email, **claims))
        return sub, email, c["MMUSERID"]

    def refused(self, r, status, reason):
        self.assertEqual(r.status, status, r.body[:300])
        self.assertEqual(r.all("Set-Cookie"), [], "no cookie")
        self.assertIn(b"CBO-%d" % status, r.body)
        self.assertEqual(self.last_reason(), reason)

    def last_reason(self):
        time.sleep(0.1)     # the audit row is written after the answer
        return self.s.psql("chat_bridge", "SELECT reason FROM chat_bridge_audit ORDER BY id DESC LIMIT 1")

    def counters(self):
        return self.s.counters()

    @staticmethod
    def rest_calls(before, after):
        """The Mattermost API requests made between two counter snapshots."""
        out = {}
        for k, v in after["requests"].items():
            d = v - before["requests"].get(k, 0)
            if d and "/api/v4" in k:
                out[k] = d
        return out

    def session_token_works(self, token):
        st, _ = json_call(self.s.mm_port, "GET", "/api/v4/users/me", None, {"Authorization": "Bearer " + token})
        return st == 200

    def user(self, uid):
        st, u = self.s.emu("GET", "/api/v4/users/" + uid)
        self.assertEqual(st, 200, u)
        return u

    def db_user(self, uid, column):
        return self.s.psql("mattermost", "SELECT %s FROM users WHERE id = '%s'" % (column, uid))

    def metric(self, name):
        text = self.s.get("/auth/metrics").body.decode()
        total = 0.0
        for line in text.splitlines():
            if line.startswith(name + "{") or line.startswith(name + " "):
                total += float(line.rsplit(" ", 1)[1])
        return total


class LoginMode(Base):
    """Session mode "login": Mattermost's own POST /users/login."""

    MODE = "login"
    N0 = 100

    # ------------------------------------------------------------ 13.1
    def test_sign_in_settings_each_combination(self):
        sub, email, uid = self.linked()
        for version in ("11.1.0", "11.3.0"):
            for by_email, by_username in ((True, True), (True, False), (False, True), (False, False)):
                what = "%s email=%s username=%s" % (version, by_email, by_username)
                ready = self.settings({"EmulatorSettings": {"Version": version},
                                       "EmailSettings": {"EnableSignInWithEmail": by_email,
                                                         "EnableSignInWithUsername": by_username}})
                before = self.counters()
                r = self.click(sub, email)
                after = self.counters()
                self.assertEqual(after["passwords_set"], before["passwords_set"], "no re-set: " + what)
                self.assertEqual(after["logins_failed"], before["logins_failed"], "no failed login: " + what)
                if version == "11.3.0" and not by_email and not by_username:
                    self.refused(r, 503, "login_unavailable")
                    self.assertNotIn("POST /api/v4/users/login", self.rest_calls(before, after), what)
                    self.assertEqual(ready.status, 503, what)
                    self.assertEqual(ready.json()["login"], "login_unavailable", what)
                    self.assertIn("impossible", ready.json()["mattermost_server"])
                    # check-config says so plainly (and --offline does not ask).
                    cc = subprocess.run([self.s.bridge_bin, "check-config", "--config", self.s.conf],
                                        capture_output=True, text=True)
                    self.assertEqual(cc.returncode, 1, cc.stdout + cc.stderr)
                    self.assertIn("every sign-in would be refused", cc.stderr)
                    self.assertIn("EnableSignInWithEmail and EnableSignInWithUsername are off", cc.stderr)
                    cc = subprocess.run([self.s.bridge_bin, "check-config", "--offline", "--config", self.s.conf],
                                        capture_output=True, text=True)
                    self.assertEqual(cc.returncode, 0, cc.stderr)
                    # A newcomer is not created for nothing either.
                    n_sub, n_email = self.contact()
                    users = self.counters()["users_created"]
                    self.refused(self.click(n_sub, n_email), 503, "login_unavailable")
                    self.assertEqual(self.counters()["users_created"], users)
                else:
                    c = self.signed_in(r)
                    self.assertTrue(self.session_token_works(c["MMAUTHTOKEN"]), what)
                    self.assertEqual(ready.status, 200, what)
                    if version == "11.3.0" and by_email and by_username:
                        cc = subprocess.run([self.s.bridge_bin, "check-config", "--config", self.s.conf],
                                            capture_output=True, text=True)
                        self.assertEqual(cc.returncode, 0, cc.stderr)
                        self.assertIn("mattermost: Mattermost 11.3.0", cc.stdout)
                    self.assertEqual(self.rest_calls(before, after), {"POST /api/v4/users/login": 1}, what)
        self.assertRegex(self.s.bridge_log_text(), r"password sign-in impossible[^\n]*every sign-in will be refused")

    def test_sign_in_turned_off_between_refreshes_sets_no_password(self):
        sub, email, uid = self.linked()
        self.settings({"EmulatorSettings": {"Version": "11.3.0"}})
        hash_before = self.db_user(uid, "password")
        # Both turned off after the bridge last looked: the login is the
        # masked 401, the bridge looks again and stops before a re-set.
        self.settings({"EmailSettings": {"EnableSignInWithEmail": False, "EnableSignInWithUsername": False}},
                      tell_bridge=False)
        before = self.counters()
        self.refused(self.click(sub, email), 503, "login_unavailable")
        after = self.counters()
        self.assertEqual(after["passwords_set"], before["passwords_set"])
        self.assertEqual(after["logins_failed"] - before["logins_failed"], 1, "the one login that told")
        self.assertEqual(self.db_user(uid, "password"), hash_before)
        self.assertEqual(self.db_user(uid, "failedattempts"), "0", "Mattermost found no user to count it on")
        # Now it knows: no login is even tried.
        before = self.counters()
        self.refused(self.click(sub, email), 503, "login_unavailable")
        self.assertEqual(self.rest_calls(before, self.counters()), {})
        # Username sign-in back on: the next click works, by username.
        self.settings({"EmailSettings": {"EnableSignInWithUsername": True}})
        self.signed_in(self.click(sub, email))

    # ------------------------------------------------------------ 13.2
    def test_login_rate_limit_twenty_concurrent_returning_clicks(self):
        people = [self.linked() for _ in range(20)]
        self.settings({"EmulatorSettings": {"Version": "11.3.0"}, "RateLimitSettings": {"Enable": True}})
        time.sleep(2.5)     # the limiter's burst full again after the settings' own requests
        before, throttled = self.counters(), self.metric("chat_bridge_mattermost_login_throttled_total")
        with concurrent.futures.ThreadPoolExecutor(20) as ex:
            rs = list(ex.map(lambda p: self.click(p[0], p[1]), people))
        after = self.counters()
        statuses = sorted(r.status for r in rs)
        self.assertNotIn(502, statuses)
        self.assertNotIn(504, statuses)
        self.assertEqual(set(statuses) - {302, 503}, set(), statuses)
        self.assertGreater(after["rate_limited"], before["rate_limited"], "Mattermost's login limiter was hit")
        self.assertGreater(self.metric("chat_bridge_mattermost_login_throttled_total"), throttled)
        for r in rs:
            if r.status == 503:
                self.assertGreaterEqual(int(r.header("Retry-After")), 1)
                self.assertEqual(r.all("Set-Cookie"), [])
        ok = statuses.count(302)
        self.assertGreaterEqual(ok, 11, "the limiter's burst at least; the wait once adds more")
        self.assertEqual(after["sessions_created"] - before["sessions_created"], ok, "no orphan session")
        self.assertEqual(after["passwords_set"], before["passwords_set"], "a 429 is no reason to re-set")
        reasons = self.s.psql("chat_bridge", "SELECT string_agg(DISTINCT reason, ',') FROM (SELECT reason FROM "
                                             "chat_bridge_audit ORDER BY id DESC LIMIT 20) t")
        self.assertEqual(set(reasons.split(",")) - {"ok", "mm_busy"}, set(), reasons)

    # ------------------------------------------------------------ 13.5
    def test_mattermost_10_lock_out_then_recovery_with_bcrypt(self):
        self.settings({"EmulatorSettings": {"Version": "10.11.3"}})
        sub, email, uid = self.linked()
        self.assertTrue(self.db_user(uid, "password").startswith("$2"), "10.x: the bridge sets bcrypt")
        # Locked out (MaximumLoginAttempts, 10 by default) by someone
        # guessing: the next click re-sets, which also resets the count.
        self.s.psql("mattermost", "UPDATE users SET failedattempts = 10 WHERE id = '%s'" % uid)
        before = self.counters()
        self.signed_in(self.click(sub, email))
        after = self.counters()
        self.assertEqual(after["passwords_set"] - before["passwords_set"], 1)
        self.assertTrue(self.db_user(uid, "password").startswith("$2"), "still bcrypt: 10.x verifies nothing else")
        self.assertEqual(self.db_user(uid, "failedattempts"), "0")
        self.signed_in(self.click(sub, email))
        # A PBKDF2 hash on 10.x (as the bridge wrote before it looked at the
        # version) never verifies: one re-set, in bcrypt, cures it for good.
        self.s.psql("mattermost", "UPDATE users SET password = '$pbkdf2$f=SHA256,w=1000,l=32$"
                                  "AAECAwQFBgcICQoLDA0ODw$as+GFzI0jEf5s+mlfpJNXzMwWlBnPW8JNaPVWnZ5pJQ' "
                                  "WHERE id = '%s'" % uid)
        self.signed_in(self.click(sub, email))
        self.assertTrue(self.db_user(uid, "password").startswith("$2"))
        # Upgraded to 11: the bcrypt hash still verifies (and Mattermost
        # re-hashes it to PBKDF2 at that login); no re-set.
        self.settings({"EmulatorSettings": {"Version": "11.1.0"}})
        before = self.counters()
        self.signed_in(self.click(sub, email))
        self.assertEqual(self.counters()["passwords_set"], before["passwords_set"])
        self.assertTrue(self.db_user(uid, "password").startswith("$pbkdf2$"))

    # ------------------------------------------------------------ 13.6
    def test_minimum_length_72_and_old_passwords(self):
        # A link made when passwords were 47 bytes (version 1).
        sub, email, uid = self.linked()
        st, body = self.s.emu("PUT", "/api/v4/users/%s/password" % uid,
                              {"new_password": self.s.derived_password(sub, 1)})
        self.assertEqual(st, 200, body)
        self.s.psql("chat_bridge", "UPDATE chat_bridge_link SET password_version = 1 WHERE sub = '%s'" % sub)
        self.settings({"PasswordSettings": {"MinimumLength": 72}})
        # New users get the 72-byte password Mattermost now requires.
        n_sub, n_email = self.contact()
        self.signed_in(self.click(n_sub, n_email))
        self.assertEqual(self.s.psql("chat_bridge", "SELECT password_version FROM chat_bridge_link WHERE sub = '%s'"
                                     % n_sub), "2")
        # The old link keeps working with its 47 bytes (a login checks no
        # policy), until something makes the bridge re-set it.
        before = self.counters()
        self.signed_in(self.click(sub, email))
        self.assertEqual(self.counters()["passwords_set"], before["passwords_set"])
        self.s.psql("mattermost", "UPDATE users SET failedattempts = 10 WHERE id = '%s'" % uid)
        self.signed_in(self.click(sub, email))
        self.assertEqual(self.s.psql("chat_bridge", "SELECT password_version FROM chat_bridge_link WHERE sub = '%s'"
                                     % sub), "2")

    # ------------------------------------------------------------ 15.4
    def test_returning_click_is_one_login_call(self):
        sub, email, uid = self.linked()
        before = self.counters()
        self.signed_in(self.click(sub, email))
        self.assertEqual(self.rest_calls(before, self.counters()), {"POST /api/v4/users/login": 1})


class Shared(object):
    """Tests that mean the same in both modes (mixed into each)."""

    # ------------------------------------------------------------ 13.7
    def test_guests(self):
        def guest():
            sub, email = self.contact()
            st, u = self.s.emu("POST", "/__emu/seed/user", {"username": "guest%d" % type(self).n, "email": email,
                                                            "password": "Guest-Password-1!",
                                                            "roles": "system_guest"})
            self.assertIn(st, (200, 201), u)
            return sub, email, u["id"]

        sub, email, uid = guest()
        self.refused(self.click(sub, email), 403, "user_guest")
        with self.s.configured(mattermost="guests = allow\n"):
            # Allowed here, but Mattermost lets no guest in without a
            # licence: refused before any change, not a 502 after a re-set.
            hash_before = self.db_user(uid, "password")
            self.settings({"GuestAccountsSettings": {"Enable": True}})
            self.refused(self.click(sub, email), 403, "user_guest")
            self.assertEqual(self.db_user(uid, "password"), hash_before)
            self.settings({"EmulatorSettings": {"Licensed": True}})
            c = self.signed_in(self.click(sub, email))
            self.assertTrue(self.session_token_works(c["MMAUTHTOKEN"]))
            self.assertEqual(self.s.psql("mattermost", "SELECT props->>'is_guest' FROM sessions WHERE token = '%s'"
                                         % c["MMAUTHTOKEN"]), "true")

    def test_remote_user_refused(self):
        sub, email, uid = self.linked()
        self.s.psql("mattermost", "UPDATE users SET remoteid = 'rmt9e4c1s3kz8x7qwbn5vh2mdo' WHERE id = '%s'" % uid)
        try:
            self.refused(self.click(sub, email), 403, "user_remote")
        finally:
            self.s.psql("mattermost", "UPDATE users SET remoteid = NULL WHERE id = '%s'" % uid)

    def test_archived_team_skipped(self):
        st, t = self.s.emu("POST", "/__emu/seed/team", {"name": "ury", "display_name": "Uruguay", "type": "O",
                                                        "delete_at": 1700000000000})
        self.assertIn(st, (200, 201), t)
        sub, email = self.contact()
        r = self.click(sub, email, cre="ury")
        c = self.signed_in(r)
        st, teams = self.s.emu("GET", "/api/v4/users/%s/teams" % c["MMUSERID"])
        self.assertNotIn("ury", [x["name"] for x in teams], "never joined an archived team")
        self.assertFalse(self.s.psql("mattermost", "SELECT count(*) FROM teammembers WHERE teamid = '%s'"
                                     % t["id"]) != "0")
        self.assertNotIn("/ury", r.header("Location"), "never landed in it")

    def test_mfa_refused_only_when_mattermost_checks_it(self):
        sub, email, uid = self.linked()
        self.s.psql("mattermost", "UPDATE users SET mfaactive = true, mfasecret = 'JBSWY3DPEHPK3PXP' "
                                  "WHERE id = '%s'" % uid)
        try:
            # EnableMultifactorAuthentication off: Mattermost itself skips
            # the check (correction 9), so the bridge signs the person in.
            self.signed_in(self.click(sub, email))
            self.settings({"ServiceSettings": {"EnableMultifactorAuthentication": True}})
            self.refused(self.click(sub, email), 403, "user_unusable")
        finally:
            self.s.psql("mattermost", "UPDATE users SET mfaactive = false WHERE id = '%s'" % uid)

    def test_thirty_character_name_in_a_non_latin_script(self):
        first, last = "Александра", "Константинова-Щербакова"     # 10 + 23 characters, 66 bytes
        name = first + " " + last
        self.assertGreaterEqual(len(name), 30)
        self.assertGreater(len(last.encode()), 40)
        sub, email = self.contact()
        c = self.signed_in(self.click(sub, email, name=name))
        u = self.user(c["MMUSERID"])
        self.assertEqual((u["first_name"], u["last_name"]), (first, last))
        # A name without spaces, 30 characters of Chinese (90 bytes, over
        # 64 but within Mattermost's 64-rune limit): kept whole.
        han = "张伟" * 15
        sub2, email2 = self.contact()
        c = self.signed_in(self.click(sub2, email2, name=han))
        u = self.user(c["MMUSERID"])
        self.assertEqual(u["first_name"] + u["last_name"], han)
        self.assertTrue(re.fullmatch(r"[a-z0-9._-]{3,22}", u["username"]), u["username"])

    # ------------------------------------------------------------ 17.1
    def test_profile_kept_in_sync(self):
        sub, email, uid = self.linked(name="Ana Souza", com_name="Green Leaf")
        # Unchanged: nothing more than a returning click costs.
        before = self.counters()
        self.signed_in(self.click(sub, email, name="Ana Souza", com_name="Green Leaf"))
        self.assertEqual(self.rest_calls(before, self.counters()), self.RETURNING_CALLS)
        # A new name and company: one patch, of the fields the bridge owns.
        self.s.emu("PUT", "/api/v4/users/%s/patch" % uid, {"nickname": "anita"})
        before = self.counters()
        self.signed_in(self.click(sub, email, name="Ana Souza Lima", com_name="Blue Leaf"))
        after = self.counters()
        self.assertEqual(after["users_patched"] - before["users_patched"], 1)
        u = self.user(uid)
        self.assertEqual((u["first_name"], u["last_name"], u["position"], u["nickname"]),
                         ("Ana", "Souza Lima", "Blue Leaf", "anita"), "the person's nickname kept")
        before = self.counters()
        self.signed_in(self.click(sub, email, name="Ana Souza Lima", com_name="Blue Leaf"))
        self.assertEqual(self.rest_calls(before, self.counters()), self.RETURNING_CALLS, "synced once")
        # A new email.
        new_email = "ana.lima.%d@greenleaf.example" % type(self).n
        self.signed_in(self.click(sub, new_email, name="Ana Souza Lima", com_name="Blue Leaf"))
        self.assertEqual(self.user(uid)["email"], new_email)
        self.assertEqual(self.s.psql("chat_bridge", "SELECT mm_email FROM chat_bridge_link WHERE sub = '%s'" % sub),
                         new_email)
        self.signed_in(self.click(sub, new_email, name="Ana Souza Lima", com_name="Blue Leaf"))
        # An email another account has: not applied, the click succeeds,
        # the audit row says so.
        other_sub, other_email, other_uid = self.linked()
        self.signed_in(self.click(sub, other_email, name="Ana Souza Lima", com_name="Blue Leaf"))
        self.assertEqual(self.user(uid)["email"], new_email)
        self.assertEqual(self.user(other_uid)["email"], other_email)
        time.sleep(0.1)
        self.assertIn("email taken", self.s.psql("chat_bridge", "SELECT detail FROM chat_bridge_audit "
                                                                "ORDER BY id DESC LIMIT 1"))


class LoginModeShared(Shared, LoginMode):
    RETURNING_CALLS = {"POST /api/v4/users/login": 1}


class DatabaseMode(Shared, Base):
    """Session mode "database": rows written into Mattermost's sessions."""

    MODE = "database"
    N0 = 200
    RETURNING_CALLS = {}

    # ------------------------------------------------------------ 15.1
    def test_returning_click_makes_no_rest_call(self):
        sub, email, uid = self.linked()
        before = self.counters()
        c = self.signed_in(self.click(sub, email))
        self.assertEqual(self.rest_calls(before, self.counters()), {})
        self.assertTrue(self.session_token_works(c["MMAUTHTOKEN"]))

    def test_deactivated_between_two_clicks_is_seen_at_once(self):
        sub, email, uid = self.linked()
        st, body = self.s.emu("PUT", "/api/v4/users/%s/active" % uid, {"active": False})
        self.assertEqual(st, 200, body)
        sessions = "SELECT count(*) FROM sessions WHERE userid = '%s'" % uid
        self.assertEqual(self.s.psql("mattermost", sessions), "0", "Mattermost revoked them")
        before = self.counters()
        self.refused(self.click(sub, email), 403, "user_deactivated")
        self.assertEqual(self.rest_calls(before, self.counters()), {}, "decided in Mattermost's database")
        self.assertEqual(self.s.psql("mattermost", sessions), "0", "and none written")
        self.s.emu("PUT", "/api/v4/users/%s/active" % uid, {"active": True})
        self.signed_in(self.click(sub, email))

    def test_role_change_is_seen_at_once(self):
        sub, email, uid = self.linked()
        self.s.psql("mattermost", "UPDATE users SET roles = 'system_user system_user_manager' WHERE id = '%s'" % uid)
        c = self.signed_in(self.click(sub, email))
        self.assertEqual(self.s.psql("mattermost", "SELECT roles FROM sessions WHERE token = '%s'"
                                     % c["MMAUTHTOKEN"]), "system_user system_user_manager")
        # And a bot made of the account (a row in bots) signs in no more.
        self.s.psql("mattermost", "INSERT INTO bots (userid, description, ownerid, createat, updateat, deleteat) "
                                  "VALUES ('%s', '', '%s', 1, 1, 0)" % (uid, uid))
        self.refused(self.click(sub, email), 403, "user_is_bot")

    def test_columns_missing_make_it_not_ready(self):
        sub, email, uid = self.linked()
        self.s.psql("mattermost", "ALTER TABLE users RENAME COLUMN mfaactive TO mfaactive_renamed")
        try:
            r = self.s.ready()
            self.assertEqual(r.status, 503)
            self.assertEqual(r.json()["mattermost_database"], "mmdb_schema")
            self.assertEqual(r.json()["mattermost_database_problem"], "users.mfaactive is missing")
            for _ in range(4):      # every worker, whatever it checked last
                self.refused(self.click(sub, email), 503, "mmdb_schema")
        finally:
            self.s.psql("mattermost", "ALTER TABLE users RENAME COLUMN mfaactive_renamed TO mfaactive")
        self.assertEqual(self.s.ready().status, 200)
        self.signed_in(self.click(sub, email))
        self.assertIn("users.mfaactive is missing", self.s.bridge_log_text())

    # ------------------------------------------------------------ 13.8
    def test_extra_sessions_column_never_gives_a_cookie_mattermost_refuses(self):
        sub, email, uid = self.linked()
        rows = self.s.psql("mattermost", "SELECT count(*) FROM sessions")
        # Mattermost upgraded under the bridge: a 12th column, nullable,
        # no default (correction 8). The very next click, before any
        # check ran, writes no row.
        self.settings({"EmulatorSettings": {"SessionsExtraColumn": True}}, tell_bridge=False)
        for _ in range(4):
            self.refused(self.click(sub, email), 503, "mmdb_schema")
        self.assertEqual(self.s.psql("mattermost", "SELECT count(*) FROM sessions"), rows)
        r = self.s.ready()
        self.assertEqual(r.status, 503)
        self.assertIn("sessions.voipdeviceid may be NULL and has no default",
                      r.json()["mattermost_database_problem"])
        self.assertIn("sessions.voipdeviceid", self.s.bridge_log_text())
        cc = subprocess.run([self.s.bridge_bin, "check-config", "--config", self.s.conf], capture_output=True,
                            text=True)
        self.assertEqual(cc.returncode, 1, cc.stdout + cc.stderr)
        self.assertIn("every sign-in would be refused", cc.stderr)
        self.assertIn("sessions.voipdeviceid may be NULL and has no default", cc.stderr)
        self.settings({"EmulatorSettings": {"SessionsExtraColumn": False}})
        self.assertEqual(self.s.ready().status, 200)
        c = self.signed_in(self.click(sub, email))
        self.assertTrue(self.session_token_works(c["MMAUTHTOKEN"]))

    # ------------------------------------------------------------ 13.8 props
    def test_session_props_and_length_as_mattermost_writes_them(self):
        """The bridge's row against the emulator's own login (Mattermost's
        DoLogin) for the same User-Agent; mobile sessions last
        session_hours_mobile, like SessionLengthMobileInHours."""
        st, u = self.s.emu("POST", "/__emu/seed/user", {"username": "propsref", "email": "propsref@example.com",
                                                        "password": "Props-Password-1!"})
        self.assertIn(st, (200, 201), u)
        sub, email, uid = self.linked()
        with self.s.configured(bridge="session_hours = 10\nsession_hours_mobile = 3\n"):
            for ua, mobile in ((CHROME, False), (IPHONE, True), (DESKTOP, False), (WINDOWS, False),
                               ("curl/8.5.0", False)):
                st, _ = json_call(self.s.mm_port, "POST", "/api/v4/users/login",
                                  {"login_id": "propsref", "password": "Props-Password-1!"}, {"User-Agent": ua})
                self.assertEqual(st, 200)
                ref = json.loads(self.s.psql("mattermost", "SELECT props FROM sessions WHERE userid = '%s' "
                                                           "ORDER BY createat DESC LIMIT 1" % u["id"]))
                r = self.click(sub, email, ua=ua)
                c = self.signed_in(r)
                row = self.s.psql("mattermost", "SELECT props, expiresat - createat FROM sessions "
                                                "WHERE token = '%s'" % c["MMAUTHTOKEN"])
                props, length = row.rsplit("|", 1)
                props = json.loads(props)
                for k in ("platform", "os", "browser", "isMobile", "isSaml", "isOAuthUser", "is_guest"):
                    self.assertEqual(props[k], ref[k], "%s: %s" % (k, ua))
                self.assertEqual(props["isMobile"], "true" if mobile else "false", ua)
                self.assertEqual(int(length), (3 if mobile else 10) * 3600 * 1000, ua)
                # The cookie lasts the web length, as Mattermost's do.
                self.assertEqual(r.cookies()["MMAUTHTOKEN"][1]["max-age"], str(10 * 3600), ua)


class LoginQueue(Base):
    """Mattermost checks one password at a time per node (correction 3):
    the bridge queues its logins so a burst never times out into sessions
    nobody receives. Each check here costs what Mattermost's 600 000
    PBKDF2 rounds cost, roughly."""

    MODE = "login"
    N0 = 300
    # The bridge's hashes and Mattermost's own (it re-hashes a password
    # to its own parameters at a login) both cost 200 000 rounds.
    STACK = {"workers": 16, "timeout_ms": 600, "hash_iterations": 200000, "pbkdf2": 200000}

    def burst(self, people):
        before = self.counters()
        with concurrent.futures.ThreadPoolExecutor(len(people)) as ex:
            rs = list(ex.map(lambda p: self.click(p[0], p[1]), people))
        time.sleep(1.5)     # logins the bridge gave up on finish in Mattermost
        after = self.counters()
        statuses = [r.status for r in rs]
        return statuses, after["sessions_created"] - before["sessions_created"], after

    def test_password_lock_no_orphan_sessions(self):
        people = [self.linked() for _ in range(32)]
        self.settings({"EmulatorSettings": {"SerializePasswordChecks": True}})
        statuses, sessions, after = self.burst(people)
        self.assertEqual(after["password_checks_max_concurrent"], 1, "Mattermost checked one at a time")
        self.assertNotIn(504, statuses)
        self.assertNotIn(502, statuses)
        self.assertEqual(set(statuses) - {302, 503}, set(), statuses)
        self.assertGreater(statuses.count(302), 0)
        self.assertEqual(sessions, statuses.count(302), "every session Mattermost made reached a browser")
        # The same burst without the queue (what the bridge did before):
        # logins pile up behind the lock past the timeout, and Mattermost
        # finishes the ones the bridge gave up on.
        with self.s.configured(mattermost="login_concurrency = 64\n"):
            statuses, sessions, _ = self.burst(people)
        self.assertIn(504, statuses, "the control shows the storm the queue prevents")
        self.assertGreater(sessions, statuses.count(302), "orphan sessions without the queue")


del LoginMode       # run through LoginModeShared: its own tests and the shared ones

if __name__ == "__main__":
    unittest.main()
