"""Sign-in through OpenTHC SSO (OAuth2 authorization code + PKCE) when
/auth/open carries no token, against the SSO emulator (tests/sso): the
browser's round trip, done by hand like a browser would (cookies kept,
redirects followed), and the refusals: wrong, reused, expired or
foreign state; reused code; missing scope; disabled contact; denial;
SSO down or slow.
"""

import os
import re
import sys
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
from stack import Stack  # noqa: E402

FRONT = os.environ.get("CB_FRONT", "nginx")
MODE = os.environ.get("CB_MODE", "login")


class Browser:
    """Follows the redirects between the chat host and SSO, keeping cookies."""

    def __init__(self, s):
        self.s = s
        self.jar = {}

    def cookie_header(self):
        return "; ".join("%s=%s" % kv for kv in self.jar.items())

    def keep(self, r):
        for name, (value, attrs) in r.cookies().items():
            if attrs.get("max-age") == "0":
                self.jar.pop(name, None)
            else:
                self.jar[name] = value

    def get_chat(self, path):
        r = self.s.get(path, {"Cookie": self.cookie_header()} if self.jar else {})
        self.keep(r)
        return r

    def get_sso(self, url):
        u = urllib.parse.urlsplit(url)
        return self.s.request("GET", u.path + "?" + u.query, port=u.port)

    def start(self, r="/"):
        """/auth/open without a token -> the authorize URL at SSO."""
        return self.get_chat("/auth/open?" + urllib.parse.urlencode({"r": r}))

    def through_sso(self, start):
        """Authorize at SSO and return the /auth/back path it sends us to."""
        a = self.get_sso(start.header("Location"))
        assert a.status == 302, (a.status, a.body[:300])
        back = a.header("Location")
        assert back.startswith(self.s.site_url + "/auth/back?"), back
        return back[len(self.s.site_url):]

    def sign_in(self, r="/"):
        start = self.start(r)
        return self.get_chat(self.through_sso(start))


class SSO(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = Stack(front=FRONT, mode=MODE, sso=True, timeout_ms=1000, name="sso-%s" % FRONT).start()
        cls.n = 0

    @classmethod
    def tearDownClass(cls):
        problems = cls.s.finish()
        assert not problems, problems

    def setUp(self):
        SSO.n += 1
        self.s.sso_call("POST", "/__sso/fault", {"mode": "none"})
        self.s.sso_call("POST", "/__sso/config", {"profile_override": {}, "profile_remove": []})
        self.contact = "01HSS0C0NTACT0000000000%03d" % SSO.n
        self.email = "sso.user%d@openthc.example" % SSO.n
        st, _ = self.s.sso_call("POST", "/__sso/user", {
            "contact": {"id": self.contact, "username": self.email, "fullname": "Sso User", "stat": 200, "flag": 1},
            "company": {"id": "01HSS0C0MPANY0000000000%03d" % SSO.n, "name": "Green Leaf", "iso3166": "US-WA"},
            "deny": False})
        self.assertEqual(st, 200)

    def assertSignedIn(self, r, landing):
        self.assertEqual(r.status, 302, r.body[:300])
        self.assertEqual(r.header("Location"), self.s.site_url + landing)
        c = r.cookies()
        self.assertIn("MMAUTHTOKEN", c)
        self.assertIn("MMUSERID", c)
        self.assertIn("MMCSRF", c)
        return c

    def assertRefused(self, r, status):
        self.assertEqual(r.status, status, r.body[:300])
        self.assertFalse(any(n.startswith("MM") for n in r.cookies()), r.all("Set-Cookie"))

    def test_sign_in_through_sso(self):
        b = Browser(self.s)
        start = b.start("/public/channels/off-topic")
        self.assertEqual(start.status, 302)
        loc = urllib.parse.urlsplit(start.header("Location"))
        q = dict(urllib.parse.parse_qsl(loc.query))
        self.assertEqual(loc.scheme + "://" + loc.netloc + loc.path, self.s.sso_url + "/oauth2/authorize")
        self.assertEqual(q["response_type"], "code")
        self.assertEqual(q["scope"], "chat")
        self.assertEqual(q["redirect_uri"], self.s.site_url + "/auth/back")
        self.assertEqual(q["code_challenge_method"], "S256")
        self.assertRegex(q["state"], r"^[A-Za-z0-9_-]{43}$")
        value, attrs = start.cookies()["cb_sso"]
        self.assertIn("httponly", attrs)
        self.assertEqual(attrs["path"], "/auth/")
        self.assertEqual(attrs["samesite"], "Lax")
        r = b.get_chat(b.through_sso(start))
        c = self.assertSignedIn(r, "/public/channels/off-topic")
        self.assertEqual(c["cb_sso"][1].get("max-age"), "0", "the state cookie is cleared")
        st, u = self.s.emu("GET", "/api/v4/users/email/" + self.email)
        self.assertEqual(u["id"], c["MMUSERID"][0])
        st, teams = self.s.emu("GET", "/api/v4/users/%s/teams" % u["id"])
        self.assertEqual(sorted(t["name"] for t in teams), ["public", "usa-wa"])
        counters = self.s.sso_call("GET", "/__sso/counters")[1]
        self.assertGreaterEqual(counters["codes_redeemed"], 1)
        # The token exchange and the profile read are timed as SSO calls.
        m = re.search(r"^chat_bridge_sso_request_seconds_count\{[^}]*\} (\d+)$",
                      self.s.get("/auth/metrics").body.decode(), re.M)
        self.assertIsNotNone(m)
        self.assertGreaterEqual(int(m.group(1)), 2)

    def test_openthc_sso_link_r_slash(self):
        # OpenTHC SSO's chat link today: /auth/open?r=%2F, no token.
        r = Browser(self.s).sign_in("/")
        self.assertSignedIn(r, "/usa-wa/channels/town-square")

    def test_returning_user_same_account(self):
        c1 = self.assertSignedIn(Browser(self.s).sign_in(), "/usa-wa/channels/town-square")
        c2 = self.assertSignedIn(Browser(self.s).sign_in(), "/usa-wa/channels/town-square")
        self.assertEqual(c1["MMUSERID"][0], c2["MMUSERID"][0])

    def test_wrong_state(self):
        b = Browser(self.s)
        back = b.through_sso(b.start())
        tampered = back.replace("state=", "state=A", 1)
        self.assertRefused(b.get_chat(tampered), 400)

    def test_state_from_another_browser(self):
        b = Browser(self.s)
        back = b.through_sso(b.start())
        other = Browser(self.s)         # no state cookie (login CSRF attempt)
        self.assertRefused(other.get_chat(back), 400)
        other.jar["cb_sso"] = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
        self.assertRefused(other.get_chat(back), 400)
        self.assertSignedIn(b.get_chat(back), "/usa-wa/channels/town-square")

    def test_reused_state(self):
        b = Browser(self.s)
        back = b.through_sso(b.start())
        jar = dict(b.jar)
        self.assertSignedIn(b.get_chat(back), "/usa-wa/channels/town-square")
        b.jar = jar
        self.assertRefused(b.get_chat(back), 400)

    def test_expired_state(self):
        b = Browser(self.s)
        back = b.through_sso(b.start())
        self.s.psql("chat_bridge", "UPDATE chat_bridge_sso_state SET expires_at = now() - interval '1 second' "
                                   "WHERE used_at IS NULL")
        self.assertRefused(b.get_chat(back), 400)

    def test_reused_code(self):
        b = Browser(self.s)
        back1 = b.through_sso(b.start())
        self.assertSignedIn(b.get_chat(back1), "/usa-wa/channels/town-square")
        code = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(back1).query))["code"]
        b2 = Browser(self.s)
        back2 = b2.through_sso(b2.start())
        q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(back2).query))
        q["code"] = code                # a fresh state, an old code
        self.assertRefused(b2.get_chat("/auth/back?" + urllib.parse.urlencode(q)), 403)

    def test_missing_chat_scope(self):
        self.s.sso_call("POST", "/__sso/config", {"profile_override": {"scope": ["contact"]}})
        self.assertRefused(Browser(self.s).sign_in(), 403)

    def test_disabled_contact(self):
        self.s.sso_call("POST", "/__sso/config", {"profile_override": {"Contact": {"flag": 0x01000000}}})
        self.assertRefused(Browser(self.s).sign_in(), 403)
        self.s.sso_call("POST", "/__sso/config", {"profile_override": {"Contact": {"stat": 410}}})
        self.assertRefused(Browser(self.s).sign_in(), 403)

    def test_user_denies(self):
        self.s.sso_call("POST", "/__sso/user", {"deny": True})
        b = Browser(self.s)
        a = b.get_sso(b.start().header("Location"))
        self.assertIn("error=access_denied", a.header("Location"))
        self.assertRefused(b.get_chat(a.header("Location")[len(self.s.site_url):]), 403)

    def test_sso_down_and_slow(self):
        for fault, status in (({"mode": "down", "path_prefix": "/oauth2/token"}, 502),
                              ({"mode": "status", "status": 500, "path_prefix": "/oauth2/token"}, 502),
                              ({"mode": "slow", "delay_ms": 3000, "path_prefix": "/oauth2/profile"}, 504)):
            b = Browser(self.s)
            back = b.through_sso(b.start())
            self.s.sso_call("POST", "/__sso/fault", fault)
            t0 = time.monotonic()
            r = b.get_chat(back)
            self.assertRefused(r, status)
            self.assertLess(time.monotonic() - t0, 2.5)
            self.s.sso_call("POST", "/__sso/fault", {"mode": "none"})

    def test_back_without_anything(self):
        self.assertRefused(self.s.get("/auth/back"), 400)
        self.assertRefused(self.s.get("/auth/back?code=x&state=y&state=z"), 400)
        self.assertEqual(self.s.request("POST", "/auth/back").status, 405)


class NoSSO(unittest.TestCase):
    def test_back_is_not_found_without_sso(self):
        with Stack(front=FRONT, name="nosso") as s:
            r = s.get("/auth/back?code=x&state=y")
            self.assertEqual(r.status, 404)
            r = s.get("/auth/open?r=%2F")
            self.assertEqual(r.status, 200)
            self.assertIn(b"Open Chat", r.body)


if __name__ == "__main__":
    unittest.main(verbosity=2)
