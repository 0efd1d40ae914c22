"""Safe account linking (issue 12): no takeover by email, no privileged
sessions, every refusal before any change; and the hardening that came
with it. Through a real web server (CB_FRONT=nginx|caddy) in both session
modes (CB_MODE=login|database). Every refused case checks: the expected
status, no Set-Cookie, and nothing changed in Mattermost (the user's
password hash, team memberships and sessions, and the emulator's counters
of users, memberships, sessions, passwords, logins and revocations).
"""

import base64
import concurrent.futures
import hashlib
import hmac
import json
import os
import re
import socket
import sys
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
import fcgi  # noqa: E402
from stack import LAB_ISS, SSO_ISS, Stack, new_ulid  # noqa: E402

FRONT = os.environ.get("CB_FRONT", "nginx")
MODE = os.environ.get("CB_MODE", "login")
COUNTERS = ("users_created", "members_added", "sessions_created", "passwords_set", "logins_ok",
            "logins_failed", "sessions_revoked", "users_patched", "emails_sent")


class Linking(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = Stack(front=FRONT, mode=MODE, workers=4, name="linking-%s-%s" % (FRONT, MODE)).start()
        cls.n = 0

    @classmethod
    def tearDownClass(cls):
        problems = cls.s.finish([new_ulid(5000 + i) for i in range(1, Linking.n + 1)])
        assert not problems, problems

    # ------------------------------------------------------------ helpers
    def contact(self):
        Linking.n += 1
        return new_ulid(5000 + Linking.n)

    def seed(self, **spec):
        spec.setdefault("password", "Seeded-Password-1!")
        st, u = self.s.emu("POST", "/__emu/seed/user", spec)
        self.assertIn(st, (200, 201), u)
        return u

    def user_state(self, uid):
        """What a refusal must leave untouched: the password hash, the
        team memberships and the sessions of the account."""
        return {
            "password": self.s.psql("mattermost", "SELECT password FROM users WHERE id = '%s'" % uid),
            "roles": self.s.psql("mattermost", "SELECT roles FROM users WHERE id = '%s'" % uid),
            "teams": self.s.psql("mattermost", "SELECT string_agg(teamid, ',' ORDER BY teamid) FROM teammembers "
                                               "WHERE userid = '%s' AND deleteat = 0" % uid),
            "sessions": self.s.psql("mattermost", "SELECT string_agg(id, ',' ORDER BY id) FROM sessions "
                                                  "WHERE userid = '%s'" % uid),
        }

    def counters(self):
        c = self.s.counters()
        out = {k: c.get(k, 0) for k in COUNTERS}
        out["users"] = int(self.s.psql("mattermost", "SELECT count(*) FROM users"))
        out["links"] = int(self.s.psql("chat_bridge", "SELECT count(*) FROM chat_bridge_link"))
        return out

    def assertRefusedUntouched(self, uid, click, status, reason):
        """click() is refused with status and reason; nothing changed."""
        before, cbefore = self.user_state(uid), self.counters()
        r = click()
        time.sleep(0.05)
        self.assertEqual(r.status, status, r.body[:300])
        self.assertEqual(r.all("Set-Cookie"), [], "no cookie on a refusal")
        self.assertIsNone(r.header("Location"))
        self.assertEqual(self.user_state(uid), before, "the account changed")
        self.assertEqual(self.counters(), cbefore, "Mattermost or the link table changed")
        self.assertEqual(self.last_reason(), reason)
        return r

    def last_reason(self):
        for _ in range(50):     # the audit row is written after the answer
            row = self.s.psql("chat_bridge", "SELECT reason FROM chat_bridge_audit ORDER BY id DESC LIMIT 1")
            if row:
                return row
            time.sleep(0.05)
        return None

    def signed_in(self, r):
        self.assertEqual(r.status, 302, r.body[:300])
        return {k: v[0] for k, v in r.cookies().items()}

    def login_as(self, username, password):
        """A session of the account's owner, made the way a person would."""
        st, body = self.s.emu("POST", "/api/v4/users/login", {"login_id": username, "password": password})
        self.assertEqual(st, 200, body)
        token = self.s.psql("mattermost", "SELECT token FROM sessions WHERE userid = '%s' "
                                          "ORDER BY createat DESC LIMIT 1" % body["id"])
        return token

    def token_works(self, token):
        st, _ = fcall(self.s.mm_port, "GET", "/api/v4/users/me", {"Authorization": "Bearer " + token})
        return st == 200

    # ------------------------------------------------------------ finding 1
    def test_1_second_contact_with_the_same_email_gets_no_account(self):
        x, y, email = self.contact(), self.contact(), "reused.%d@greenleaf.example" % Linking.n
        cx = self.signed_in(self.s.open_link(self.s.mint(x, email, name="Contact X")))
        # Contact Y with X's email (an address reused, any issuer minting it).
        r = self.assertRefusedUntouched(cx["MMUSERID"], lambda: self.s.open_link(self.s.mint(y, email)), 409,
                                        "link_conflict")
        self.assertIn(b"CBO-409", r.body)
        self.assertEqual(self.s.psql("chat_bridge", "SELECT count(*) FROM chat_bridge_link WHERE sub = '%s'" % y), "0")
        # X still signs in to X's account.
        self.assertEqual(self.signed_in(self.s.open_link(self.s.mint(x, email)))["MMUSERID"], cx["MMUSERID"])

    def test_1b_account_carrying_another_contact_id_refused(self):
        other = new_ulid(999001)
        u = self.seed(username="carrier%d" % Linking.n, email="carrier.%d@example.com" % Linking.n,
                      props={"openthc_contact_id": other})
        self.assertRefusedUntouched(u["id"], lambda: self.s.open_link(self.s.mint(self.contact(), u["email"])),
                                    409, "link_conflict")

    def test_1c_account_linked_to_another_contact_in_the_store_refused(self):
        u = self.seed(username="stored%d" % Linking.n, email="stored.%d@example.com" % Linking.n)
        owner = new_ulid(999002)
        self.s.psql("chat_bridge", "INSERT INTO chat_bridge_link (sub, mm_user_id, how) VALUES ('%s', '%s', 'email')"
                    % (owner, u["id"]))
        self.assertRefusedUntouched(u["id"], lambda: self.s.open_link(self.s.mint(self.contact(), u["email"])),
                                    409, "link_conflict")

    def test_1d_concurrent_contacts_racing_for_one_account_link_it_once(self):
        u = self.seed(username="raced%d" % Linking.n, email="raced.%d@example.com" % Linking.n)
        subs = [self.contact() for _ in range(4)]
        toks = [self.s.mint(sub, u["email"]) for sub in subs]
        with concurrent.futures.ThreadPoolExecutor(4) as ex:
            rs = list(ex.map(self.s.open_link, toks))
        self.assertEqual(sorted(r.status for r in rs), [302, 409, 409, 409])
        self.assertEqual(self.s.psql("chat_bridge", "SELECT count(*) FROM chat_bridge_link WHERE mm_user_id = '%s'"
                                     % u["id"]), "1")

    # ------------------------------------------------------------ finding 2
    def test_2_privileged_accounts_are_not_linked(self):
        for roles in ("system_admin system_user", "system_user system_manager", "system_user_manager system_user",
                      "system_read_only_admin system_user", "system_user custom_role"):
            u = self.seed(username="priv%d" % Linking.n, email="priv.%d@openthc.example" % Linking.n, roles=roles)
            self.contact()
            self.assertRefusedUntouched(u["id"], lambda: self.s.open_link(self.s.mint(new_ulid(5000 + Linking.n),
                                                                                       u["email"])),
                                        403, "link_privileged")
        # The operator may opt in, knowing the risk.
        u = self.seed(username="optin%d" % Linking.n, email="optin.%d@openthc.example" % Linking.n,
                      roles="system_admin system_user")
        with self.s.configured("link_privileged = true\n"):
            c = self.signed_in(self.s.open_link(self.s.mint(self.contact(), u["email"])))
        self.assertEqual(c["MMUSERID"], u["id"])

    def test_2b_version_0_tokens_do_not_link_existing_accounts_by_default(self):
        u = self.seed(username="lab%d" % Linking.n, email="lab.%d@acme-labs.example" % Linking.n)
        self.assertRefusedUntouched(u["id"], lambda: self.s.open_link(self.s.mint(self.contact(), u["email"],
                                                                                   iss="lab")),
                                    403, "link_refused")
        # A v0 token may still create a new account.
        self.signed_in(self.s.open_link(self.s.mint(self.contact(), "new.%d@acme-labs.example" % Linking.n,
                                                    iss="lab")))
        # The issuer's own link_existing decides, both ways.
        with self.s.configured(issuer=(LAB_ISS, "link_existing = email\n")):
            c = self.signed_in(self.s.open_link(self.s.mint(self.contact(), u["email"], iss="lab")))
        self.assertEqual(c["MMUSERID"], u["id"])
        v = self.seed(username="ssoref%d" % Linking.n, email="ssoref.%d@example.com" % Linking.n)
        with self.s.configured(issuer=(SSO_ISS, "link_existing = refuse\n")):
            self.assertRefusedUntouched(v["id"], lambda: self.s.open_link(self.s.mint(self.contact(), v["email"])),
                                        403, "link_refused")

    # ------------------------------------------------------------ finding 3
    def test_3_pre_hijack_sessions_are_revoked_when_linked(self):
        n = Linking.n
        planter = self.seed(username="planter%d" % n, email="victim.%d@greenleaf.example" % n,
                            password="Planter-Password-1!")
        token = self.login_as(planter["username"], "Planter-Password-1!")
        self.assertTrue(self.token_works(token))
        before = self.s.counters().get("sessions_revoked", 0)
        c = self.signed_in(self.s.open_link(self.s.mint(self.contact(), planter["email"])))
        self.assertEqual(c["MMUSERID"], planter["id"])
        self.assertFalse(self.token_works(token), "the planter's session survived the link")
        self.assertEqual(self.s.counters().get("sessions_revoked", 0) - before, 1)
        me = self.s.get("/api/v4/users/me", {"Cookie": "; ".join("%s=%s" % kv for kv in c.items()),
                                             "X-Requested-With": "XMLHttpRequest"})
        self.assertEqual(me.status, 200, "the new session works")

    def test_3b_revoke_on_link_false_keeps_them(self):
        n = Linking.n
        owner = self.seed(username="keeper%d" % n, email="keeper.%d@example.com" % n, password="Keeper-Password-1!")
        token = self.login_as(owner["username"], "Keeper-Password-1!")
        with self.s.configured("revoke_on_link = false\n"):
            self.signed_in(self.s.open_link(self.s.mint(self.contact(), owner["email"])))
        self.assertTrue(self.token_works(token))

    def test_3c_unverified_email_refused_where_the_database_tells(self):
        u = self.seed(username="unver%d" % Linking.n, email="unverified.%d@example.com" % Linking.n,
                      email_verified=False)
        click = lambda: self.s.open_link(self.s.mint(self.contact(), u["email"]))  # noqa: E731
        if MODE == "database":
            self.assertRefusedUntouched(u["id"], click, 403, "user_unverified")
        else:
            # Login mode without [mattermost] database: REST never tells
            # (mattermost-behaviour.md correction 12); the password re-set
            # and the revocation make a planted account useless instead.
            self.signed_in(click())

    # ------------------------------------------------------------ finding 4
    def test_4_every_refusal_comes_before_any_change(self):
        n = Linking.n
        cases = [
            (dict(username="deact%d" % n, delete_at=1700000000000), 403, "user_deactivated"),
            (dict(username="botty%d" % n, is_bot=True), 403, "user_is_bot"),
            (dict(username="mfa%d" % n, mfa_active=True), 403, "user_unusable"),
            (dict(username="guest%d" % n, roles="system_guest"), 403, "user_guest"),
            (dict(username="remote%d" % n, remote_id="rmt9e4c1s3kz8x7qwbn5vh2mdo"), 403, "user_remote"),
            (dict(username="gitlab%d" % n, auth_service="gitlab", auth_data="42", password=""), 403,
             "user_unusable"),
        ]
        for spec, status, reason in cases:
            spec["email"] = "%s@refuse.example" % spec["username"]
            u = self.seed(**spec)
            if spec.get("mfa_active"):
                self.s.mm_settings({"ServiceSettings": {"EnableMultifactorAuthentication": True}})
            # A team membership and a session of its own, which must survive.
            self.s.emu("POST", "/__emu/seed/member", {"team_name": "public", "user_id": u["id"]})
            self.s.psql("mattermost", "INSERT INTO sessions (id, token, createat, expiresat, lastactivityat, userid, "
                        "deviceid, roles, isoauth, props, expirednotify) VALUES ('s%s', 't%s', 1, 0, 1, '%s', '', "
                        "'system_user', false, '{}', false)" % (u["id"][1:], u["id"][1:], u["id"]))
            try:
                self.assertRefusedUntouched(u["id"], lambda: self.s.open_link(self.s.mint(self.contact(),
                                                                                          spec["email"])),
                                            status, reason)
            finally:
                self.s.mm_settings({"ServiceSettings": {"EnableMultifactorAuthentication": False}})

    # ------------------------------------------------------------ finding 5
    def test_5_jurisdiction_teams_only_from_the_list(self):
        for name in ("staff", "openthc-admins"):
            self.s.emu("POST", "/__emu/seed/team", {"name": name, "display_name": name, "type": "I"})
        for cre in ("staff/x", "openthc-admins"):
            c = self.signed_in(self.s.open_link(self.s.mint(self.contact(), "j%d@example.com" % Linking.n, cre=cre)))
            st, teams = self.s.emu("GET", "/api/v4/users/%s/teams" % c["MMUSERID"])
            self.assertEqual(sorted(t["name"] for t in teams), ["public"], cre)
        # usa-* admits a state; bra named on the list.
        c = self.signed_in(self.s.open_link(self.s.mint(self.contact(), "j%d@example.com" % Linking.n, cre="usa/wa")))
        st, teams = self.s.emu("GET", "/api/v4/users/%s/teams" % c["MMUSERID"])
        self.assertEqual(sorted(t["name"] for t in teams), ["public", "usa-wa"])

    def test_5b_create_missing_teams_never_creates_a_team_a_claim_named(self):
        teams_before = self.s.psql("mattermost", "SELECT count(*) FROM teams")
        with self.s.configured("create_missing_teams = true\n"):
            for cre in ("newteam/x", "usa/or"):
                self.signed_in(self.s.open_link(self.s.mint(self.contact(), "t%d@example.com" % Linking.n, cre=cre)))
            self.assertEqual(self.s.psql("mattermost", "SELECT count(*) FROM teams"), teams_before,
                             "a team named only by a claim (or a glob) was created")
            # A jurisdiction named on the list is the operator's: created.
            c = self.signed_in(self.s.open_link(self.s.mint(self.contact(), "t%d@example.com" % Linking.n,
                                                            reg="EC")))
            st, teams = self.s.emu("GET", "/api/v4/users/%s/teams" % c["MMUSERID"])
            self.assertIn("ecu", [t["name"] for t in teams])

    # ------------------------------------------------------------ finding 6
    def test_6_slow_request_bodies_do_not_lock_the_workers(self):
        """workers + 2 connections trickle a POST body at 1 byte/s; the
        bridge keeps answering."""
        socks = []
        try:
            for _ in range(self.s.workers + 2):
                sk = socket.create_connection(("127.0.0.1", self.s.front_port), timeout=30)
                sk.sendall(b"POST /auth/open HTTP/1.1\r\nHost: chat\r\nContent-Type: application/x-www-form-urlencoded"
                           b"\r\nContent-Length: 200\r\n\r\njwt=")
                socks.append(sk)
            for second in range(3):
                for sk in socks:
                    sk.sendall(b"x")
                t0 = time.monotonic()
                r = self.s.get("/auth/ping", timeout=5)
                self.assertEqual(r.status, 200)
                self.assertLess(time.monotonic() - t0, 2.0, "/auth/ping waited for the trickling bodies")
                time.sleep(1)
        finally:
            for sk in socks:
                sk.close()

    def test_6b_body_deadline_on_the_fastcgi_socket(self):
        """Straight to the bridge (a web server that does not buffer):
        a body that never completes is answered 408 within the deadline,
        and the worker is free again."""
        params = fcgi.base_params("/auth/open", method="POST", CONTENT_TYPE="application/x-www-form-urlencoded",
                                  CONTENT_LENGTH="100")
        sk = fcgi.connect(self.s.socket, timeout=20)
        try:
            t0 = time.monotonic()
            sk.sendall(fcgi.begin() + fcgi.params_records(params) + fcgi.record(fcgi.FCGI_STDIN, 1, b"jwt="))
            for _ in range(3):
                time.sleep(1)
                sk.sendall(fcgi.record(fcgi.FCGI_STDIN, 1, b"x"))
            reply = fcgi.Reply(fcgi.read_all(sk))
            took = time.monotonic() - t0
        finally:
            sk.close()
        self.assertEqual(reply.status, 408, reply.body[:200])
        self.assertLess(took, 8.0)
        self.assertEqual(self.last_reason(), "body_timeout")
        self.assertEqual(self.s.get("/auth/ping").status, 200)

    # ------------------------------------------------------------ finding 7
    def test_7_ready_is_cached_and_shows_details_to_loopback_only(self):
        r = self.s.get("/auth/ready")
        self.assertEqual(r.status, 200)
        self.assertIn("store", r.json(), "loopback sees the details")
        time.sleep(1.1)
        before = self.s.counters()["requests"].get("GET /api/v4/users/me", 0)
        for _ in range(40):
            self.assertEqual(self.s.get("/auth/ready").status, 200)
        after = self.s.counters()["requests"].get("GET /api/v4/users/me", 0)
        self.assertLessEqual(after - before, 3, "40 probes in a second or so cost at most a few checks")
        params = fcgi.base_params("/auth/ready", REMOTE_ADDR="203.0.113.9")
        reply = fcgi.request(self.s.socket, params)
        self.assertEqual(reply.status, 200)
        self.assertEqual(json.loads(reply.body), {"ready": True}, "no dependency states for others")
        with self.s.configured("rate_limit_per_minute = 3\n"):
            statuses = [fcgi.request(self.s.socket, fcgi.base_params("/auth/ready", REMOTE_ADDR="203.0.113.10")).status
                        for _ in range(5)]
        self.assertEqual(statuses[:3], [200, 200, 200])
        self.assertIn(429, statuses[3:])

    def test_7b_shipped_configs_restrict_ready_to_loopback(self):
        """The web server answers /auth/ready only to the host itself: a
        client from 127.0.0.2 (not on the allow list) is turned away."""
        sk = socket.socket()
        sk.bind(("127.0.0.2", 0))
        sk.settimeout(10)
        sk.connect(("127.0.0.1", self.s.front_port))
        sk.sendall(b"GET /auth/ready HTTP/1.1\r\nHost: chat\r\nConnection: close\r\n\r\n")
        data = b""
        while True:
            chunk = sk.recv(4096)
            if not chunk:
                break
            data += chunk
        sk.close()
        status = int(data.split(b" ", 2)[1])
        self.assertIn(status, (403, 404), data[:200])

    # ------------------------------------------------------------ finding 8
    def test_8_ipv6_clients_share_a_bucket_per_64(self):
        tok = lambda: self.s.mint(self.contact(), "v6.%d@example.com" % Linking.n)  # noqa: E731
        with self.s.configured("rate_limit_per_minute = 4\n"):
            statuses = []
            for i in range(6):
                addr = "2001:db8:77:1:%x::1" % (i + 1)        # six addresses of one /64
                q = "jwt=" + tok()
                self.s.secrets.add(q[4:])
                statuses.append(fcgi.request(self.s.socket, fcgi.base_params("/auth/open", query=q,
                                                                              REMOTE_ADDR=addr)).status)
            other = fcgi.request(self.s.socket, fcgi.base_params("/auth/open", query="jwt=" + tok(),
                                                                 REMOTE_ADDR="2001:db8:77:2::1")).status
        self.assertEqual(statuses[:4], [302] * 4)
        self.assertEqual(statuses[4:], [429, 429], "the /64 shares one bucket")
        self.assertEqual(other, 302, "another /64 has its own")

    # ------------------------------------------------------------ finding 9
    def swap_page(self, r):
        """The confirmation page: 200, no cookie, the fields of its form.
        It carries the link in its form by design; it is taken off the
        stack's list of pages the leak check reads."""
        self.assertEqual(r.status, 200, r.body[:300])
        self.assertEqual(r.all("Set-Cookie"), [])
        self.s.pages.remove(r.body)
        html = r.body.decode()
        self.assertEqual(html.count("<form"), 1)
        fields = dict(re.findall(r'<input type="hidden" name="([a-z]+)" value="([^"]*)"', html))
        outside = re.sub(r"<form.*?</form>", "", html, flags=re.S)
        self.assertNotIn(fields["jwt"], outside, "the token appears only in the form field")
        return html, fields

    def test_9_session_swap_asks_first(self):
        a_sub, b_sub = self.contact(), self.contact()
        ca = self.signed_in(self.s.open_link(self.s.mint(a_sub, "swap.a.%d@example.com" % Linking.n,
                                                         name="Alice Swap")))
        jar = {"Cookie": "; ".join("%s=%s" % kv for kv in ca.items())}
        st, a_user = self.s.emu("GET", "/api/v4/users/" + ca["MMUSERID"])
        # B's fresh link, opened in A's browser (a page sent it there).
        tok = self.s.mint(b_sub, "swap.b.%d@example.com" % Linking.n, name="Bob Swap")
        before = self.counters()
        html, fields = self.swap_page(self.s.open_link(tok, headers=jar, r="/public/channels/off-topic"))
        self.assertEqual(self.counters(), before, "nothing changed: no account for B yet, no session")
        self.assertEqual(self.last_reason(), "swap_confirm")
        self.assertIn(a_user["username"], html)
        self.assertIn("Bob Swap", html)
        self.assertEqual(fields["jwt"], tok)
        self.assertEqual(fields["r"], "/public/channels/off-topic")
        me = self.s.get("/api/v4/users/me", dict(jar, **{"X-Requested-With": "XMLHttpRequest"}))
        self.assertEqual(me.status, 200, "A is still signed in")
        # A forged or missing confirmation only brings the page back.
        post = {"Content-Type": "application/x-www-form-urlencoded"}
        post.update(jar)
        forged = urllib.parse.urlencode({"jwt": tok, "confirm": "A" * 43})
        self.swap_page(self.s.request("POST", "/auth/open", post, forged))
        self.swap_page(self.s.get("/auth/open?" + urllib.parse.urlencode({"jwt": tok, "confirm": fields["confirm"]}),
                                  jar))   # a confirmation counts only when the page posts it
        # The page's own button: signed in as B, where B asked to land.
        r = self.s.request("POST", "/auth/open", post, urllib.parse.urlencode(fields))
        cb = self.signed_in(r)
        self.assertNotEqual(cb["MMUSERID"], ca["MMUSERID"])
        self.assertEqual(r.header("Location"), self.s.site_url + "/public/channels/off-topic")
        # The confirmation cannot be used twice: the token is used up now.
        self.assertEqual(self.s.request("POST", "/auth/open", post, urllib.parse.urlencode(fields)).status, 401)
        # The same person's own link goes straight through.
        self.assertEqual(self.signed_in(self.s.open_link(self.s.mint(a_sub, "swap.a.%d@example.com" % Linking.n),
                                                         headers=jar))["MMUSERID"], ca["MMUSERID"])

    # ------------------------------------------------------------ finding 10
    def test_10_names_cut_at_code_points(self):
        # 1 + 40 two-byte letters: the old 64-byte cut fell inside a letter.
        name = "a" + "\u00e9" * 40 + " " + "\u00f1" * 20
        c = self.signed_in(self.s.open_link(self.s.mint(self.contact(), "utf8.%d@example.com" % Linking.n,
                                                        name=name)))
        st, u = self.s.emu("GET", "/api/v4/users/" + c["MMUSERID"])
        self.assertEqual(u["first_name"], "a" + "\u00e9" * 40)
        self.assertEqual(u["last_name"], "\u00f1" * 20)
        # 30 characters in a non-Latin script (90 bytes).
        c = self.signed_in(self.s.open_link(self.s.mint(self.contact(), "cjk.%d@example.com" % Linking.n,
                                                        name="\u674e" * 30)))
        st, u = self.s.emu("GET", "/api/v4/users/" + c["MMUSERID"])
        self.assertEqual(u["first_name"], "\u674e" * 30)

    def test_10b_bidi_controls_removed_from_names(self):
        c = self.signed_in(self.s.open_link(self.s.mint(self.contact(), "bidi.%d@example.com" % Linking.n,
                                                        name="Jane \u202egnp.exe")))
        st, u = self.s.emu("GET", "/api/v4/users/" + c["MMUSERID"])
        self.assertEqual(u["last_name"], "gnp.exe")

    # ------------------------------------------------------------ hardening
    def test_h1_replay_rows_outlive_any_leeway(self):
        sub = self.contact()
        tok = self.s.mint(sub, "h1.%d@example.com" % Linking.n, ttl=60)
        self.signed_in(self.s.open_link(tok))
        claims = json.loads(base64.urlsafe_b64decode(tok.split(".")[1] + "=="))
        row = self.s.psql("chat_bridge", "SELECT extract(epoch FROM expires_at)::bigint FROM chat_bridge_replay "
                                         "WHERE jti = '%s'" % claims["jti"])
        # The leeway may be raised to its 300 s maximum by a reload while
        # the token could still be accepted: the row lives longer.
        self.assertGreaterEqual(int(row), claims["exp"] + 300 + 60)
        self.assertEqual(self.s.open_link(tok).status, 401, "used up")

    def test_h2_audit_pseudonym_is_keyed(self):
        sub = self.contact()
        self.signed_in(self.s.open_link(self.s.mint(sub, "h2.%d@example.com" % Linking.n)))
        key = bytes.fromhex(self.s.psql("chat_bridge", "SELECT encode(value, 'hex') FROM chat_bridge_secret "
                                                       "WHERE name = 'audit_pseudonym'"))
        self.assertEqual(len(key), 32)
        want = hmac.new(key, sub.encode(), hashlib.sha256).hexdigest()[:16]
        got = self.s.psql("chat_bridge", "SELECT sub_hash FROM chat_bridge_audit ORDER BY id DESC LIMIT 1")
        self.assertEqual(got, want)
        self.assertNotEqual(got, hashlib.sha256(sub.encode()).hexdigest()[:16], "no longer the unkeyed hash")
        self.assertIn('"sub_hash":"%s"' % want, self.s.bridge_log_text())


def fcall(port, method, path, headers):
    import http.client
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request(method, path, headers=headers)
    r = c.getresponse()
    body = r.read()
    c.close()
    return r.status, body


if __name__ == "__main__":
    unittest.main()
