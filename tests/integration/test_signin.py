"""End-to-end sign-in through a real web server (nginx or Caddy), the
bridge, a throwaway PostgreSQL and the Mattermost emulator.

Environment: CB_FRONT=nginx|caddy, CB_MODE=login|database, CB_BRIDGE=path.
Run: /usr/bin/python3 -m unittest tests/integration/test_signin.py
"""

import concurrent.futures
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from stack import Stack, new_ulid  # noqa: E402

FRONT = os.environ.get("CB_FRONT", "nginx")
MODE = os.environ.get("CB_MODE", "login")


class SignIn(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = Stack(front=FRONT, mode=MODE, workers=8, name="signin-%s-%s" % (FRONT, MODE)).start()
        cls.n = 0

    @classmethod
    def tearDownClass(cls):
        # Logs never leak: no token, cookie value, derived password, the
        # admin token or any secret in the bridge log, nginx's logs, the
        # audit table or an error page.
        # The bridge must also stop cleanly on SIGTERM (exit 0) with no
        # sanitizer report (ASan/UBSan/LSan builds run this suite too).
        problems = cls.s.finish([new_ulid(1000 + i) for i in range(1, SignIn.n + 1)])
        assert not problems, problems

    def contact(self):
        SignIn.n += 1
        return new_ulid(1000 + SignIn.n)

    def assertSignedIn(self, r, landing):
        self.assertEqual(r.status, 302, r.body[:300])
        self.assertEqual(r.header("Location"), self.s.site_url + landing)
        self.assertEqual(r.header("Cache-Control"), "no-store")
        self.assertEqual(r.header("Referrer-Policy"), "no-referrer")
        c = r.cookies()
        self.assertEqual(sorted(c), ["MMAUTHTOKEN", "MMCSRF", "MMUSERID"])
        for name, (value, attrs) in c.items():
            self.assertRegex(value, r"^[a-z0-9]{26}$", name)
            self.assertEqual(attrs.get("path"), "/", name)
            self.assertEqual(attrs.get("max-age"), "2592000", name)
            self.assertEqual(attrs.get("samesite"), "Lax", name)
            self.assertIn("expires", attrs, name)
            self.assertNotIn("domain", attrs, name)
            self.assertNotIn("secure", attrs, name + " (site_url is http)")
        self.assertIn("httponly", c["MMAUTHTOKEN"][1])
        self.assertNotIn("httponly", c["MMUSERID"][1])
        self.assertNotIn("httponly", c["MMCSRF"][1])
        return {k: v[0] for k, v in c.items()}

    def assertRefused(self, r, status):
        self.assertEqual(r.status, status, r.body[:300])
        self.assertEqual(r.all("Set-Cookie"), [])
        self.assertIsNone(r.header("Location"))
        self.assertIn(b"CBO-%d" % status, r.body)

    def me(self, cookies):
        hdr = "; ".join("%s=%s" % kv for kv in cookies.items())
        return self.s.get("/api/v4/users/me", {"Cookie": hdr, "X-Requested-With": "XMLHttpRequest"})

    def user_by_email(self, email):
        st, u = self.s.emu("GET", "/api/v4/users/email/" + email)
        return u if st == 200 else None

    def teams_of(self, user_id):
        st, teams = self.s.emu("GET", "/api/v4/users/%s/teams" % user_id)
        self.assertEqual(st, 200)
        return sorted(t["name"] for t in teams)

    # ------------------------------------------------------------ flows
    def test_new_user_signed_in(self):
        sub = self.contact()
        tok = self.s.mint(sub, "Jane.Doe@GreenLeaf.example", name="Jane Doe", cre="usa/wa")
        r = self.s.open_link(tok, headers={"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/134.0.0.0"})
        cookies = self.assertSignedIn(r, "/usa-wa/channels/town-square")
        u = self.user_by_email("jane.doe@greenleaf.example")
        self.assertIsNotNone(u)
        self.assertEqual(cookies["MMUSERID"], u["id"])
        self.assertEqual(u["username"], "jane.doe")
        self.assertEqual(u["first_name"], "Jane")
        self.assertEqual(u["last_name"], "Doe")
        self.assertEqual(self.s.psql("mattermost", "SELECT emailverified FROM users WHERE id = '%s'" % u["id"]), "t")
        self.assertEqual(self.teams_of(u["id"]), ["public", "usa-wa"])
        me = self.me(cookies)
        self.assertEqual(me.status, 200, me.body)
        self.assertEqual(me.json()["id"], u["id"])

    def test_webapp_client4_posts_under_strict_csrf(self):
        sub = self.contact()
        r = self.s.open_link(self.s.mint(sub, "poster.%s@example.com" % sub.lower(), cre="usa/wa"))
        cookies = self.assertSignedIn(r, "/usa-wa/channels/town-square")
        self.s.emu("POST", "/__emu/config", {"ServiceSettings": {"ExperimentalStrictCSRFEnforcement": True}})
        try:
            out = self.s.webapp(cookies, team="usa-wa", post="hello from Client4")
            self.assertTrue(out.get("ok"), out)
            self.assertEqual(out["user"]["id"], cookies["MMUSERID"])
            self.assertTrue(out.get("post_id"))
            # Without the readable MMCSRF cookie the web app cannot post.
            no_csrf = {k: v for k, v in cookies.items() if k != "MMCSRF"}
            out = self.s.webapp(no_csrf, team="usa-wa", post="must fail")
            self.assertFalse(out.get("ok"), out)
        finally:
            self.s.emu("POST", "/__emu/config", {"ServiceSettings": {"ExperimentalStrictCSRFEnforcement": False}})

    def test_returning_user_same_account_new_session(self):
        sub = self.contact()
        email = "return.%s@example.com" % sub.lower()
        c1 = self.assertSignedIn(self.s.open_link(self.s.mint(sub, email, reg="BR-SP")), "/bra/channels/town-square")
        c2 = self.assertSignedIn(self.s.open_link(self.s.mint(sub, email, reg="BR-SP")), "/bra/channels/town-square")
        self.assertEqual(c1["MMUSERID"], c2["MMUSERID"])
        self.assertNotEqual(c1["MMAUTHTOKEN"], c2["MMAUTHTOKEN"])
        self.assertNotEqual(c1["MMCSRF"], c2["MMCSRF"])
        self.assertEqual(self.me(c1).status, 200, "the first session is still valid")
        self.assertEqual(self.me(c2).status, 200)

    def test_memberships_public_jurisdiction_and_granted(self):
        sub = self.contact()
        email = "staff.%s@openthc.example" % sub.lower()
        c = self.assertSignedIn(self.s.open_link(self.s.mint(sub, email, cre="usa/wa", teams=["openthc"])),
                                "/usa-wa/channels/town-square")
        self.assertEqual(self.teams_of(c["MMUSERID"]), ["openthc", "public", "usa-wa"])
        # An app that may not grant openthc: only public + jurisdiction.
        sub2 = self.contact()
        c = self.assertSignedIn(self.s.open_link(self.s.mint(sub2, "app.%s@example.com" % sub2.lower(), iss="app",
                                                           reg="ZA", teams=["openthc"])),
                                "/zaf/channels/town-square")
        self.assertEqual(self.teams_of(c["MMUSERID"]), ["public", "zaf"])

    def test_v0_hs256_token(self):
        sub = self.contact()
        c = self.assertSignedIn(self.s.open_link(self.s.mint(sub, "lab.%s@acme-labs.example" % sub.lower(), iss="lab")),
                                "/public/channels/town-square")
        self.assertEqual(self.me(c).status, 200)

    def test_form_post(self):
        sub = self.contact()
        r = self.s.open_link(self.s.mint(sub, "post.%s@example.com" % sub.lower()), r="/public/channels/off-topic", post=True)
        self.assertSignedIn(r, "/public/channels/off-topic")

    def test_r_honoured_or_ignored(self):
        sub = self.contact()
        email = "r.%s@example.com" % sub.lower()
        self.assertSignedIn(self.s.open_link(self.s.mint(sub, email), r="/public/channels/off-topic"),
                            "/public/channels/off-topic")
        for bad in ("//evil.example", "/\\evil.example", "https://evil.example/", "/auth/open", "/%2e%2e/x"):
            self.assertSignedIn(self.s.open_link(self.s.mint(sub, email), r=bad), "/public/channels/town-square")

    def test_session_row(self):
        """The session behind MMAUTHTOKEN, as Mattermost stores it."""
        sub = self.contact()
        before = self.s.counters()
        c = self.assertSignedIn(self.s.open_link(self.s.mint(sub, "row.%s@example.com" % sub.lower(), cre="usa/wa"),
                                                 headers={"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/134.0.0.0"}),
                                "/usa-wa/channels/town-square")
        after = self.s.counters()
        row = self.s.psql("mattermost", "SELECT json_build_object('id', id, 'createat', createat, 'expiresat', expiresat, "
                          "'lastactivityat', lastactivityat, 'userid', userid, 'deviceid', deviceid, 'roles', roles, "
                          "'isoauth', isoauth, 'expirednotify', expirednotify, 'props', props, 'now', "
                          "(extract(epoch FROM now()) * 1000)::bigint) FROM sessions WHERE token = '%s'" % c["MMAUTHTOKEN"])
        row = __import__("json").loads(row)
        self.assertEqual(row["userid"], c["MMUSERID"])
        self.assertRegex(row["id"], "^[a-z0-9]{26}$")
        self.assertNotEqual(row["id"], c["MMAUTHTOKEN"])
        self.assertEqual(row["props"]["csrf"], c["MMCSRF"])
        self.assertEqual(row["deviceid"], "")
        self.assertFalse(row["isoauth"])
        self.assertFalse(row["expirednotify"])
        self.assertEqual(row["roles"], "system_user")
        self.assertEqual(row["createat"], row["lastactivityat"])
        self.assertLess(abs(row["createat"] - row["now"]), 60000, "milliseconds, now")
        self.assertEqual(row["expiresat"] - row["createat"], 720 * 3600 * 1000)
        for k in ("isMobile", "isSaml", "isOAuthUser", "is_guest"):
            self.assertEqual(row["props"][k], "false", k)
        self.assertEqual(row["props"]["browser"], "Chrome/134.0")
        logins = after.get("logins_ok", 0) - before.get("logins_ok", 0)
        if MODE == "database":
            self.assertEqual(logins, 0, "no login in database mode")
            self.assertEqual(after.get("password_verifications", 0), before.get("password_verifications", 0))
            self.assertEqual(after.get("passwords_set", 0), before.get("passwords_set", 0))
        else:
            self.assertEqual(logins, 1, "one Mattermost login in login mode")

    def test_replay_refused(self):
        sub = self.contact()
        tok = self.s.mint(sub, "replay.%s@example.com" % sub.lower())
        self.assertSignedIn(self.s.open_link(tok), "/public/channels/town-square")
        before = self.s.counters()
        self.assertRefused(self.s.open_link(tok), 401)
        self.assertRefused(self.s.open_link(tok, post=True), 401)
        after = self.s.counters()
        self.assertEqual(before.get("sessions_created"), after.get("sessions_created"))
        self.assertEqual(before.get("users_created"), after.get("users_created"))

    def test_concurrent_uses_of_one_token(self):
        sub = self.contact()
        tok = self.s.mint(sub, "race.%s@example.com" % sub.lower())
        with concurrent.futures.ThreadPoolExecutor(30) as ex:
            results = list(ex.map(lambda _: self.s.open_link(tok), range(30)))
        statuses = sorted(r.status for r in results)
        self.assertEqual(statuses.count(302), 1, statuses)
        self.assertEqual(statuses.count(401), 29, statuses)
        self.assertEqual(sum(1 for r in results if r.all("Set-Cookie")), 1)

    def test_concurrent_first_clicks_one_account(self):
        sub = self.contact()
        email = "twin.%s@example.com" % sub.lower()
        toks = [self.s.mint(sub, email, cre="usa/wa") for _ in range(2)]
        before = self.s.counters().get("users_created", 0)
        with concurrent.futures.ThreadPoolExecutor(2) as ex:
            results = list(ex.map(self.s.open_link, toks))
        ids = {self.assertSignedIn(r, "/usa-wa/channels/town-square")["MMUSERID"] for r in results}
        self.assertEqual(len(ids), 1, "both clicks land in one account")
        self.assertEqual(self.s.counters().get("users_created", 0) - before, 1)

    def test_username_collision_no_takeover(self):
        st, admin = self.s.emu("POST", "/__emu/seed/user", {"username": "sysadmin", "email": "sysadmin@openthc.example",
                                                            "password": "Sysadmin-Pw-1!", "roles": "system_admin system_user"})
        self.assertIn(st, (200, 201))
        sub = self.contact()
        c = self.assertSignedIn(self.s.open_link(self.s.mint(sub, "sysadmin@other.example")), "/public/channels/town-square")
        self.assertNotEqual(c["MMUSERID"], admin["id"])
        u = self.user_by_email("sysadmin@other.example")
        self.assertEqual(u["id"], c["MMUSERID"])
        self.assertTrue(u["username"].startswith("sysadmin-"), u["username"])
        self.assertNotIn("system_admin", u["roles"])
        me = self.me(c).json()
        self.assertEqual(me["username"], u["username"])

    def test_existing_account_linked_by_email(self):
        st, existing = self.s.emu("POST", "/__emu/seed/user", {"username": "oldtimer", "email": "oldtimer@example.com",
                                                               "password": "Old-Password-1!"})
        self.assertIn(st, (200, 201))
        sub = self.contact()
        c = self.assertSignedIn(self.s.open_link(self.s.mint(sub, "OldTimer@Example.com")), "/public/channels/town-square")
        self.assertEqual(c["MMUSERID"], existing["id"])
        counters = self.s.counters()
        self.assertEqual(counters.get("emails_sent", 0), 0, "linking sends no password email")

    def test_deactivated_user_refused(self):
        sub = self.contact()
        email = "gone.%s@example.com" % sub.lower()
        c = self.assertSignedIn(self.s.open_link(self.s.mint(sub, email)), "/public/channels/town-square")
        st, _ = self.s.emu("PUT", "/api/v4/users/%s/active" % c["MMUSERID"], {"active": False})
        self.assertEqual(st, 200)
        before = self.s.counters()
        self.assertRefused(self.s.open_link(self.s.mint(sub, email)), 403)
        after = self.s.counters()
        self.assertEqual(before.get("sessions_created"), after.get("sessions_created"))

    def test_bot_account_refused(self):
        st, bot = self.s.emu("POST", "/__emu/seed/user", {"username": "somebot", "email": "bot@example.com",
                                                          "password": "Bot-Password-1!", "is_bot": True})
        self.assertIn(st, (200, 201))
        sub = self.contact()
        self.assertRefused(self.s.open_link(self.s.mint(sub, "bot@example.com")), 403)

    def test_expired_and_forged_tokens(self):
        sub = self.contact()
        old = self.s.mint(sub, "old.%s@example.com" % sub.lower(), iat=int(time.time()) - 1000, ttl=300)
        self.assertRefused(self.s.open_link(old), 401)
        tok = self.s.mint(sub, "forged.%s@example.com" % sub.lower())
        self.assertRefused(self.s.open_link(tok[:-2] + ("AA" if tok[-2:] != "AA" else "BB")), 401)
        self.assertRefused(self.s.open_link(self.s.mint(sub, "aud@example.com", aud="https://other.example")), 401)
        self.assertRefused(self.s.get("/auth/open?jwt=not.a.token!"), 400)

    def test_no_token_page(self):
        r = self.s.get("/auth/open?r=%2F")
        self.assertEqual(r.status, 200)
        self.assertIn(b"Open Chat", r.body)
        self.assertEqual(r.all("Set-Cookie"), [])

    def test_json_errors(self):
        r = self.s.get("/auth/open?jwt=a.b.c", {"Accept": "application/json"})
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json()["error"], "CBO-400")

    def test_ping_and_ready(self):
        self.assertEqual(self.s.get("/auth/ping").body, b"ok\n")
        r = self.s.get("/auth/ready")
        self.assertEqual(r.status, 200, r.body)
        self.assertTrue(r.json()["ready"])

    def test_audit_rows(self):
        sub = self.contact()
        tok = self.s.mint(sub, "audit.%s@example.com" % sub.lower())
        self.s.open_link(tok)
        self.s.open_link(tok)
        # The audit row is written after the response has gone out.
        q = ("SELECT route || ':' || method || ':' || outcome || ':' || reason || ':' || sub_hash "
             "FROM chat_bridge_audit ORDER BY id DESC LIMIT 2")
        deadline = time.time() + 5
        while time.time() < deadline and "replayed" not in self.s.psql("chat_bridge", q):
            time.sleep(0.05)
        rows = [r.rsplit(":", 1) for r in self.s.psql("chat_bridge", q).split("\n")]
        self.assertEqual([r[0] for r in rows], ["/auth/open:GET:refused:replayed", "/auth/open:GET:ok:ok"])
        self.assertEqual(rows[0][1], rows[1][1])
        self.assertRegex(rows[0][1], "^[0-9a-f]{16}$")
        self.assertNotIn(sub, self.s.psql("chat_bridge", "SELECT string_agg(t::text, ' ') FROM chat_bridge_audit t"))
        # The same in the JSON log line.
        self.assertIn('"route":"/auth/open"', self.s.bridge_log_text())

    def test_zz_mattermost_down_502_quickly(self):
        # Last (zz): the emulator is stopped for good.
        sub = self.contact()
        tok = self.s.mint(sub, "down.%s@example.com" % sub.lower())
        self.s.emu("POST", "/__emu/fault", {"mode": "down"})
        r = self.s.open_link(tok)
        self.assertRefused(r, 502)
        self.assertLess(r.elapsed, 3.0)
        self.s.emu("POST", "/__emu/fault", {"mode": "none"})


if __name__ == "__main__":
    unittest.main(verbosity=2)
