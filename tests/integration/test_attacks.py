"""The attack suite: every case of tables A-D of peers-and-attacks.md
(and more), through a real web server (CB_FRONT=nginx|caddy) and, for the
FastCGI layer, raw records on the bridge's socket. No hostile request may
set a cookie or change anything in Mattermost: the emulator's counters and
row counts are compared before and after each case.
"""

import concurrent.futures
import json
import os
import signal
import socket
import subprocess
import sys
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
import fcgi  # noqa: E402
from stack import LAB_ISS, SSO_ISS, SSO_KID, SHARED, Stack, new_ulid  # noqa: E402

FRONT = os.environ.get("CB_FRONT", "nginx")
MODE = os.environ.get("CB_MODE", "login")
HERE = os.path.dirname(os.path.abspath(__file__))
MUTATING = ("users_created", "members_added", "sessions_created", "passwords_set", "logins_ok",
            "logins_failed", "password_hashes", "password_verifications", "emails_sent")


class Attacks(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = Stack(front=FRONT, mode=MODE, workers=6, name="attacks-%s-%s" % (FRONT, MODE)).start()
        cls.n = 0
        # A returning user whose clicks succeed, for cases that need one.
        cls.sub = new_ulid(900000)
        cls.email = "victim@greenleaf.example"
        r = cls.s.open_link(cls.s.mint(cls.sub, cls.email, cre="usa/wa"))
        assert r.status == 302, r.body

    @classmethod
    def tearDownClass(cls):
        # Logs never leak: no token, cookie value, derived password, the
        # admin token or any secret in the bridge log, nginx's logs, the
        # audit table or an error page.
        problems = cls.s.finish([cls.sub] + [new_ulid(i) for i in range(1, 9)])
        assert not problems, problems

    # ------------------------------------------------------------ helpers
    def state(self):
        c = self.s.counters()
        st, tables = self.s.emu("GET", "/__emu/state")
        snap = {k: c.get(k, 0) for k in MUTATING}
        snap.update({"rows." + t: n for t, n in tables["tables"].items() if t in ("users", "sessions", "teammembers",
                                                                                 "channelmembers", "teams")})
        return snap

    def assertNoEffect(self, fn, *statuses):
        """Runs fn (returning a Response or a list of them) and checks: the
        status is one of statuses, no Set-Cookie, nothing changed in
        Mattermost."""
        before = self.state()
        out = fn()
        rs = out if isinstance(out, list) else [out]
        time.sleep(0.05)
        after = self.state()
        self.assertEqual(before, after, "Mattermost changed")
        for r in rs:
            self.assertIn(r.status, statuses, getattr(r, "body", b"")[:200])
            self.assertEqual(r.all("Set-Cookie"), [], "a cookie was set")
            loc = r.header("Location")
            if loc is not None:
                self.assertTrue(loc.startswith(self.s.site_url + "/"), loc)
        return out

    def craft(self, header, payload, alg="ed25519"):
        key = os.path.join(self.s.dir, "sso.seed" if alg == "ed25519" else "lab.secret")
        return subprocess.run(["php", os.path.join(HERE, "craft.php"), alg, key, header, payload],
                               check=True, capture_output=True, text=True).stdout.strip()

    def claims(self, **over):
        now = int(time.time())
        c = {"ver": 1, "intent": "chat-open", "iss": SSO_ISS, "aud": self.s.site_url, "sub": new_ulid(777),
             "com": "019EV8MMKC5HX5QV46F0HEJX4S", "email": "mallory@evil.example", "iat": now - 5,
             "exp": now + 200, "jti": "AAAAAAAAAAAAAAAAAAAAAAAAAAAA" + str(now)[-6:] + str(Attacks.n)}
        Attacks.n += 1
        for k, v in over.items():
            if v is None:
                c.pop(k, None)
            else:
                c[k] = v
        return json.dumps(c)

    HDR = '{"typ":"JWT","alg":"EdDSA","kid":"%s"}' % SSO_KID

    # ------------------------------------------------------------ table A
    def test_a1_username_collision_is_not_a_takeover(self):
        st, admin = self.s.emu("POST", "/__emu/seed/user", {"username": "rootadmin", "email": "root@openthc.example",
                                                            "password": "Root-Password-1!", "roles": "system_admin system_user"})
        self.assertIn(st, (200, 201))
        st0, sessions0 = self.s.emu("GET", "/__emu/state?user_id=" + admin["id"])
        r = self.s.open_link(self.s.mint(new_ulid(1), "rootadmin@evil.example"))
        self.assertEqual(r.status, 302)
        uid = r.cookies()["MMUSERID"][0]
        self.assertNotEqual(uid, admin["id"])
        st1, sessions1 = self.s.emu("GET", "/__emu/state?user_id=" + admin["id"])
        self.assertEqual(len(sessions0["sessions"]), len(sessions1["sessions"]), "no session for the admin")

    def test_a2_existing_email_refused_by_policy(self):
        # link_existing = refuse, by a configuration reload (SIGHUP).
        st, u = self.s.emu("POST", "/__emu/seed/user", {"username": "policy", "email": "policy@example.com",
                                                        "password": "Policy-Password-1!"})
        with open(self.s.conf) as f:
            orig = f.read()
        try:
            with open(self.s.conf, "w") as f:
                f.write(orig.replace("[bridge]\n", "[bridge]\nlink_existing = refuse\n", 1))
            os.kill(self.s.bridge_pid(), signal.SIGHUP)
            time.sleep(0.3)
            self.assertNoEffect(lambda: self.s.open_link(self.s.mint(new_ulid(2), "policy@example.com")), 403)
        finally:
            with open(self.s.conf, "w") as f:
                f.write(orig)
            os.kill(self.s.bridge_pid(), signal.SIGHUP)
            time.sleep(0.3)

    def test_a3_deactivated_and_bot(self):
        st, bot = self.s.emu("POST", "/__emu/seed/user", {"username": "abot", "email": "abot@example.com",
                                                          "password": "Bot-Password-1!", "is_bot": True})
        self.assertNoEffect(lambda: self.s.open_link(self.s.mint(new_ulid(3), "abot@example.com")), 403)
        st, gone = self.s.emu("POST", "/__emu/seed/user", {"username": "agone", "email": "agone@example.com",
                                                           "password": "Gone-Password-1!", "delete_at": 1700000000000})
        self.assertNoEffect(lambda: self.s.open_link(self.s.mint(new_ulid(4), "agone@example.com")), 403)

    def test_a4_password_changed_elsewhere_concurrent_clicks(self):
        sub, email = new_ulid(5), "a4@example.com"
        r = self.s.open_link(self.s.mint(sub, email))
        uid = r.cookies()["MMUSERID"][0]
        # Someone changes the password in Mattermost: the next login is a masked 401.
        st, _ = self.s.emu("PUT", "/api/v4/users/%s/password" % uid, {"new_password": "Changed-Elsewhere-1!"})
        self.assertEqual(st, 200)
        before = self.s.counters()
        toks = [self.s.mint(sub, email) for _ in range(2)]
        with concurrent.futures.ThreadPoolExecutor(2) as ex:
            rs = list(ex.map(self.s.open_link, toks))
        self.assertEqual([r.status for r in rs], [302, 302])
        after = self.s.counters()
        if MODE == "login":
            self.assertEqual(after.get("passwords_set", 0) - before.get("passwords_set", 0), 1,
                             "exactly one password re-set under the per-user lock")
            self.assertEqual(after.get("logins_failed", 0) - before.get("logins_failed", 0), 1,
                             "one failed login, never a loop")
        st, state = self.s.emu("GET", "/__emu/state?user_id=" + uid)
        self.assertEqual(state["user"].get("failed_attempts", state["user"].get("failedattempts", 0)), 0)

    def test_a5_mfa_user_refused_without_partial_cookies(self):
        st, u = self.s.emu("POST", "/__emu/seed/user", {"username": "mfauser", "email": "mfa@example.com",
                                                        "password": "Mfa-Password-1!"})
        self.s.psql("mattermost", "UPDATE users SET mfaactive = true, mfasecret = 'X' WHERE id = '%s'" % u["id"])
        self.s.mm_settings({"ServiceSettings": {"EnableMultifactorAuthentication": True}})
        before = self.s.psql("mattermost", "SELECT password FROM users WHERE id = '%s'" % u["id"])
        try:
            r = self.s.open_link(self.s.mint(new_ulid(6), "mfa@example.com"))
            self.assertEqual(r.status, 403, r.body)
            self.assertEqual(r.all("Set-Cookie"), [])
        finally:
            self.s.mm_settings({"ServiceSettings": {"EnableMultifactorAuthentication": False}})
        # Refused before anything changed: the account keeps its password.
        self.assertEqual(self.s.psql("mattermost", "SELECT password FROM users WHERE id = '%s'" % u["id"]), before)

    def test_a5b_account_of_another_identity_provider_untouched(self):
        # A GitLab/SAML/LDAP account with the contact's email: a password
        # would turn it into an email account. Refused, nothing changed.
        st, u = self.s.emu("POST", "/__emu/seed/user", {"username": "gitlabuser", "email": "gitlab@example.com",
                                                        "password": "Gitlab-Password-1!"})
        self.s.psql("mattermost", "UPDATE users SET authservice = 'gitlab', authdata = '4242', password = '' "
                                  "WHERE id = '%s'" % u["id"])
        self.assertNoEffect(lambda: self.s.open_link(self.s.mint(new_ulid(66), "gitlab@example.com")), 403)
        self.assertEqual(self.s.psql("mattermost", "SELECT authservice || ':' || password FROM users "
                                                   "WHERE id = '%s'" % u["id"]), "gitlab:")

    def test_a6_odd_emails_and_names(self):
        r = self.s.open_link(self.s.mint(new_ulid(7), "Test+092T0800@OpenTHC.Example.com"))
        self.assertEqual(r.status, 302)
        st, u = self.s.emu("GET", "/api/v4/users/email/test+092t0800@openthc.example.com")
        self.assertEqual(u["username"], "test092t0800")
        for bad in ("j\u00e4ne@example.com", "jane@exa mple.com", "jane@example.com\r\nX: y", "a@b@c.example"):
            tok = self.craft(self.HDR, self.claims(email=bad))
            self.assertNoEffect(lambda: self.s.open_link(tok), 401)

    def test_a10_strict_password_policy(self):
        self.s.emu("POST", "/__emu/config", {"PasswordSettings": {"MinimumLength": 20, "Lowercase": True,
                                                                   "Uppercase": True, "Number": True, "Symbol": True}})
        try:
            r = self.s.open_link(self.s.mint(new_ulid(8), "policy2@example.com"))
            self.assertEqual(r.status, 302, r.body)
        finally:
            self.s.emu("POST", "/__emu/config", {"PasswordSettings": {"MinimumLength": 8, "Lowercase": False,
                                                                       "Uppercase": False, "Number": False,
                                                                       "Symbol": False}})

    def test_a11_upstream_errors_never_echoed(self):
        self.s.emu("POST", "/__emu/fault", {"mode": "status", "status": 500, "path_prefix": "/api/v4/users"})
        try:
            r = self.s.open_link(self.s.mint(self.sub, self.email))
            self.assertEqual(r.status, 502)
            self.assertNotIn(b"app_error", r.body)
            self.assertNotIn(b"fault", r.body)
        finally:
            self.s.emu("POST", "/__emu/fault", {"mode": "none"})

    # ------------------------------------------------------------ table B
    def test_b1_open_redirect_corpus_through_the_bridge(self):
        corpus = os.path.join(SHARED, "vectors", "openredirects.txt")
        if not os.path.exists(corpus):     # no shared folder: a skip with its reason, not a crash
            self.skipTest("%s is missing (the shared folder: put it beside the repository or set "
                          "CB_SHARED_DIR)" % corpus)
        lines = open(corpus, encoding="utf-8", errors="surrogateescape").read().split("\n")
        tokens = self.s.mint(self.sub, self.email, cre="usa/wa", count=len(lines))
        checked = 0
        for line, tok in zip(lines, tokens):
            # The line as the raw value of r (it is percent-decoded once).
            q = "jwt=" + tok + "&r=" + urllib.parse.quote(line, safe="%/:?#@!$&'()*+,;=~")
            r = self.s.get("/auth/open?" + q)
            if r.status == 400:     # a malformed escape in the line: refused, fine
                continue
            self.assertEqual(r.status, 302, line)
            loc = r.header("Location")
            p = urllib.parse.urlsplit(loc)
            self.assertEqual(p.scheme + "://" + p.netloc, self.s.site_url, (line, loc))
            self.assertFalse(loc[len(self.s.site_url):].startswith("//"), loc)
            checked += 1
        self.assertGreater(checked, 500)

    def test_b2_b3_b6_hostile_r(self):
        cases = ["/\\evil.com", "/\t/evil.com", "/\r\n/evil.com", "/./\\evil.com", "\\/\\/evil.com", "http:evil.com",
                 "//allowed.example@evil.com", "https://chat.example.com.evil.com", "https://evilchat.example.com",
                 "https://chat.example.com:3838/", "/x\r\nSet-Cookie: a=b", "/auth/open", "/AUTH/open?jwt=x"]
        for bad in cases:
            r = self.s.open_link(self.s.mint(self.sub, self.email, cre="usa/wa"), r=bad)
            self.assertEqual(r.status, 302)
            self.assertEqual(r.header("Location"), self.s.site_url + "/usa-wa/channels/town-square", bad)
            self.assertEqual(len(r.all("Set-Cookie")), 3)
            self.assertNotIn("a=b", " ".join(r.all("Set-Cookie")))

    def test_b3_crlf_and_nul_in_claims(self):
        tok = self.craft(self.HDR, self.claims(sub=self.sub, email=self.email, name="Eve\r\nSet-Cookie: evil=1\u007f"))
        r = self.s.open_link(tok)
        self.assertEqual(r.status, 302)
        self.assertEqual(len(r.all("Set-Cookie")), 3)
        self.assertFalse(any("evil" in v for v in r.all("Set-Cookie")))
        tok = self.craft(self.HDR, self.claims(email="eve@example.com\r\nSet-Cookie: evil=1"))
        self.assertNoEffect(lambda: self.s.open_link(tok), 401)
        # NUL (\u0000) anywhere in the JSON: refused as malformed (jansson).
        tok = self.craft(self.HDR, self.claims(name="Eve\u0000x"))
        self.assertNoEffect(lambda: self.s.open_link(tok), 400)

    def test_b4_b5_client_headers_never_steer(self):
        tok = self.s.mint(self.sub, self.email, cre="usa/wa")
        hdrs = {"Host": "evil.example", "X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https",
                "X_Forwarded_Host": "evil.example", "X-Forwarded-For": "1.2.3.4", "Forwarded": "host=evil.example",
                "Proxy": "http://127.0.0.1:9", "X-Original-URL": "/evil", "X-Rewrite-URL": "/evil"}
        r = self.s.open_link(tok, headers=hdrs)
        self.assertEqual(r.status, 302, r.body[:200])
        self.assertEqual(r.header("Location"), self.s.site_url + "/usa-wa/channels/town-square")
        for v in r.all("Set-Cookie"):
            self.assertNotIn("Domain", v)
            self.assertNotIn("Secure", v, "X-Forwarded-Proto must not make cookies Secure")

    def test_b7_replay(self):
        tok = self.s.mint(self.sub, self.email)
        self.assertEqual(self.s.open_link(tok).status, 302)
        self.assertNoEffect(lambda: self.s.open_link(tok), 401)

    def test_b9_methods_size_duplicates(self):
        tok = self.s.mint(self.sub, self.email)
        for m in ("PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE"):
            r = self.assertNoEffect(lambda: self.s.request(m, "/auth/open?jwt=" + tok), 405, 400, 501)
            if r.header("X-Request-Id"):    # answered by the bridge, not by the web server
                self.assertEqual(r.status, 405, m)
                self.assertEqual(r.header("Allow"), "GET, POST", m)
        self.assertNoEffect(lambda: self.s.get("/auth/open?jwt=" + tok + "&jwt=" + tok), 400)
        self.assertNoEffect(lambda: self.s.get("/auth/open?jwt=" + tok + "&r=/a&r=/b"), 400)
        big = "/auth/open?jwt=" + tok + "&pad=" + "A" * 65536
        r = self.assertNoEffect(lambda: self.s.get(big), 414, 400, 431)
        self.assertNoEffect(lambda: self.s.request("POST", "/auth/open", {"Content-Type": "application/x-www-form-urlencoded"},
                                                   "jwt=" + tok + "&pad=" + "B" * 20000), 413)
        self.assertNoEffect(lambda: self.s.request("POST", "/auth/open", {"Content-Type": "application/json"},
                                                   json.dumps({"jwt": tok})), 400)
        self.assertNoEffect(lambda: self.s.request("POST", "/auth/open?jwt=" + tok,
                                                   {"Content-Type": "application/x-www-form-urlencoded"}, "jwt=" + tok), 400)
        self.assertNoEffect(lambda: self.s.get("/auth/open?jwt=%zz"), 400)
        # The token is still unused and works.
        self.assertEqual(self.s.open_link(tok).status, 302)

    def test_routes_that_only_look_like_auth_open(self):
        tok = self.s.mint(self.sub, self.email)
        # (nginx and Caddy normalise "/auth//open" and "/auth/%6Fpen" to the
        # route itself: the same resource, so not in this list.)
        for path in ("/auth/open/", "/auth/open;a", "/AUTH/OPEN", "/auth/open/../x", "/auth/openx", "/auth/open.php",
                     "/auth/%6Fpen.", "/x/auth/open", "/auth/open%2F", "/auth/open%00"):
            r = self.s.get(path + "?jwt=" + tok)
            self.assertNotEqual(r.status, 302, path)
            self.assertEqual(r.all("Set-Cookie"), [], path)
        self.assertEqual(self.s.open_link(tok).status, 302, "the token was never consumed")

    # ------------------------------------------------------------ table C
    def test_c_token_layer(self):
        now = int(time.time())
        cases = [
            ("C1 alg none", self.craft('{"alg":"none"}', self.claims())[:-86] + "", (400, 401)),
            ("C2 HS256 keyed with the public key", None, (401,)),
            ("C3 HS512", self.craft('{"alg":"HS512","kid":"%s"}' % SSO_KID, self.claims()), (401,)),
            ("C4 iss path", self.craft(self.HDR, self.claims(iss="../../etc/passwd")), (401,)),
            ("C4 iss sql", self.craft(self.HDR, self.claims(iss="' OR '1'='1")), (401,)),
            ("C5 padding", self.craft(self.HDR, self.claims()) + "=", (400,)),
            ("C6 two segments", "abc.def", (400,)),
            ("C7 duplicate sub", self.craft(self.HDR, self.claims()[:-1] + ',"sub":"%s"}' % self.sub), (400,)),
            ("C8 exp string", self.craft(self.HDR, self.claims(exp=str(now + 100))), (401,)),
            ("C8 exp float", self.craft(self.HDR, self.claims(exp=now + 100.5)), (401,)),
            ("C8 nbf future", self.craft(self.HDR, self.claims(nbf=now + 120)), (401,)),
            ("C8 iat future", self.craft(self.HDR, self.claims(iat=now + 120, exp=now + 300)), (401,)),
            ("C8 lifetime 301", self.craft(self.HDR, self.claims(iat=now - 1, exp=now + 300)), (401,)),
            ("C9 wrong aud", self.craft(self.HDR, self.claims(aud="https://evil.example")), (401,)),
            ("C9 aud array without ours", self.craft(self.HDR, self.claims(aud=["https://a", "https://b"])), (401,)),
            ("C10 PASETO", "v4.public.eyJkYXRhIjoidGhpcyBpcyBhIHNpZ25lZCBtZXNzYWdlIn0", (400,)),
            ("C11 oversize", "a" * 5000 + ".b.c", (400,)),
            ("C11 nested", self.craft(self.HDR, "[" * 800 + "]" * 800), (400,)),
            ("intent", self.craft(self.HDR, self.claims(intent="account-open")), (401,)),
            ("ver 2", self.craft(self.HDR, self.claims(ver=2)), (401,)),
            ("kid unknown", self.craft('{"alg":"EdDSA","kid":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}', self.claims()), (401,)),
        ]
        # C2: an HS256 token keyed with the issuer's Ed25519 public key.
        import base64, hashlib, hmac
        pk = base64.urlsafe_b64decode(SSO_KID + "=")
        b = lambda s: base64.urlsafe_b64encode(s).rstrip(b"=").decode()
        si = b(b'{"typ":"JWT","alg":"HS256"}') + "." + b(self.claims().encode())
        cases[1] = ("C2 HS256 keyed with the public key",
                    si + "." + b(hmac.new(pk, si.encode(), hashlib.sha256).digest()), (401,))
        for name, tok, statuses in cases:
            self.assertNoEffect(lambda: self.s.open_link(tok), *statuses)
        # C12: replay, C13: MACs wrong in the first and the last byte.
        good = subprocess.run(["php", os.path.join(HERE, "craft.php"), "hs256", os.path.join(self.s.dir, "lab.secret"),
                               '{"typ":"JWT","alg":"HS256"}', self.claims(iss=LAB_ISS, ver=None)],
                              capture_output=True, text=True).stdout.strip()
        h, p, sig = good.split(".")
        flip = lambda c: "A" if c != "A" else "B"
        for bad in (sig[0:1].replace(sig[0], flip(sig[0])) + sig[1:], sig[:-2] + flip(sig[-2]) + sig[-1]):
            self.assertNoEffect(lambda: self.s.open_link("%s.%s.%s" % (h, p, bad)), 401)

    # ------------------------------------------------------------ table D (raw FastCGI)
    def raw(self, params, body=b""):
        return fcgi.request(self.s.socket, params, body)

    def test_d1_huge_param_length(self):
        s = fcgi.connect(self.s.socket)
        s.sendall(fcgi.begin() + fcgi.record(fcgi.FCGI_PARAMS, 1, fcgi.nv_length(0x7fffffff) + fcgi.nv_length(1) + b"x" * 100))
        time.sleep(0.2)
        s.close()
        self.assertEqual(self.s.get("/auth/ping").status, 200, "the bridge survives")

    def test_d2_many_and_large_params(self):
        params = fcgi.base_params("/auth/ping")
        for i in range(1000):
            params["HTTP_X_%d" % i] = "v" * 100
        r = self.raw(params)
        self.assertIn(r.status, (200, 400))
        params = fcgi.base_params("/auth/ping")
        params["HTTP_X_BIG"] = "A" * (1024 * 1024)
        r = self.raw(params)
        self.assertIn(r.status, (200, 400))
        self.assertEqual(self.s.get("/auth/ping").status, 200)

    def test_d3_d4_routing_param_sets(self):
        tok = self.s.mint(self.sub, self.email)
        q = "jwt=" + tok
        # Look-alikes through raw params: only exact routes answer.
        # (A NUL inside a parameter value cannot be seen through libfcgi's
        # C-string API: "/auth/open\0x" reads as "/auth/open". Web servers
        # refuse NUL in paths; only a client already on the socket could
        # send one, and it only reaches the route it names.)
        for sn, pi in (("/auth/open/", None), ("/auth/open;a", None), ("/AUTH/OPEN", None), ("/auth/ope", None),
                       ("", "/auth/open/"), ("/auth", "/open/x"), ("/x", "/auth/open")):
            r = self.raw(fcgi.base_params("/x", q, script_name=sn, path_info=pi, DOCUMENT_URI=""))
            self.assertEqual(r.status, 404, (sn, pi))
        nginx = fcgi.base_params("/auth/open", q)
        caddy = fcgi.base_params("/auth/open", q, script_name="", path_info="/auth/open")
        del caddy["DOCUMENT_URI"]
        r1 = self.raw(caddy)
        self.assertEqual(r1.status, 302, r1.raw[:300])
        r2 = self.raw(nginx)
        self.assertEqual(r2.status, 401, "same token: the nginx parameter set reached the same route")

    def test_d5_client_disconnects_mid_response(self):
        for _ in range(20):
            s = fcgi.connect(self.s.socket)
            s.sendall(fcgi.begin() + fcgi.params_records(fcgi.base_params("/auth/metrics")) + fcgi.stdin_records(b""))
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\1\0\0\0\0\0\0\0")
            s.close()   # RST before reading the answer
        c = socket.create_connection(("127.0.0.1", self.s.front_port))
        c.sendall(b"GET /auth/open?jwt=" + self.s.mint(self.sub, self.email).encode() + b" HTTP/1.1\r\nHost: x\r\n\r\n")
        c.close()
        time.sleep(0.3)
        self.assertEqual(self.s.get("/auth/ping").status, 200)

    def test_d7_proxy_params_ignored(self):
        tok = self.s.mint(self.sub, self.email)
        p = fcgi.base_params("/auth/open", "jwt=" + tok, HTTP_PROXY="http://127.0.0.1:9", HTTPS_PROXY="http://127.0.0.1:9",
                             http_proxy="http://127.0.0.1:9", HTTP_HOST="evil.example",
                             HTTP_X_FORWARDED_HOST="evil.example", HTTPS="on")
        r = self.raw(p)
        self.assertEqual(r.status, 302, r.raw[:300])
        self.assertEqual(r.header("Location"), self.s.site_url + "/public/channels/town-square")
        for v in r.all("Set-Cookie"):
            self.assertNotIn("Secure", v)

    def test_z_bridge_still_alive(self):
        self.assertEqual(self.s.get("/auth/ping").status, 200)
        self.assertIsNone(self.s.procs["bridge"].poll())


if __name__ == "__main__":
    unittest.main(verbosity=2)
