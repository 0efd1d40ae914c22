"""Black-box tests of the OpenTHC SSO emulator over HTTP.

The emulator runs as a separate process (SSOEMU_PY names the script; default
ssoemu.py beside this file, run-tests.sh --mutants points it at broken copies).

Run: tests/sso/run-tests.sh   (or: cd tests/sso && /usr/bin/python3 -m unittest -v test_ssoemu)
"""
import base64
import concurrent.futures
import hashlib
import html
import http.client
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import unittest
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
EMULATOR = os.environ.get("SSOEMU_PY") or os.path.join(HERE, "ssoemu.py")
CLIENT_ID = "010PENTHC0DEM0SVC000000CHT"
SECRET = "chat.openthc.local-secret"
REDIRECT = "https://chat.example.com/auth/back"
H43 = re.compile(r"^[A-Za-z0-9_-]{43}$")
ULID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")
DISABLED = 0x01000000
ENV = {}


def setUpModule():
    ENV["workdir"] = tempfile.mkdtemp(prefix="ssoemu-test-")
    ready = os.path.join(ENV["workdir"], "ready")
    ENV["log"] = open(os.path.join(ENV["workdir"], "ssoemu.log"), "wb")
    ENV["proc"] = subprocess.Popen(
        ["/usr/bin/python3", EMULATOR, "--listen", "127.0.0.1:0", "--ready-file", ready],
        stdout=ENV["log"], stderr=subprocess.STDOUT)
    deadline = time.time() + 20
    while not os.path.exists(ready):
        if ENV["proc"].poll() is not None or time.time() > deadline:
            ENV["proc"].kill()
            raise RuntimeError("emulator did not start")
        time.sleep(0.02)
    with open(ready) as fh:
        ENV["ready"] = fh.read()
    ENV["port"] = int(ENV["ready"].split()[1])


def tearDownModule():
    proc = ENV.get("proc")
    if proc:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
    if ENV.get("log"):
        ENV["log"].close()
    shutil.rmtree(ENV.get("workdir", ""), ignore_errors=True)


# ---------------------------------------------------------------------------
# HTTP helpers

class Resp:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    @property
    def json(self):
        return json.loads(self.body)

    @property
    def location_query(self):
        return urllib.parse.parse_qs(urllib.parse.urlsplit(self.headers["Location"]).query,
                                     keep_blank_values=True)

    def __repr__(self):
        return "<Resp %d %r %r>" % (self.status, self.headers.get("Location"), self.body[:300])


def request(method, path, body=None, headers=None, conn=None):
    own = conn is None
    if own:
        conn = http.client.HTTPConnection("127.0.0.1", ENV["port"], timeout=20)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        return Resp(r.status, r.msg, r.read())
    finally:
        if own:
            conn.close()


def control(path, body=None):
    r = request("POST" if body is not None else "GET", "/__sso/" + path,
                json.dumps(body) if body is not None else None)
    if r.status >= 300:
        raise AssertionError("control %s: %r" % (path, r))
    return r.json


def pkce(verifier=None):
    verifier = verifier or base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode()
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def authorize_url(params=None, drop=(), **kw):
    q = {"response_type": "code", "client_id": CLIENT_ID, "redirect_uri": REDIRECT,
         "scope": "chat", "state": "st4te-" + os.urandom(4).hex()}
    q.update(params or {})
    q.update(kw)
    for k in drop:
        q.pop(k, None)
    return "/oauth2/authorize?" + urllib.parse.urlencode(q)


def authorize(params=None, drop=(), **kw):
    return request("GET", authorize_url(params, drop, **kw))


def token(fields, drop=(), content_type="application/x-www-form-urlencoded", raw=None):
    f = {"grant_type": "authorization_code", "redirect_uri": REDIRECT,
         "client_id": CLIENT_ID, "client_secret": SECRET}
    f.update(fields)
    for k in drop:
        f.pop(k, None)
    body = raw if raw is not None else urllib.parse.urlencode(f)
    return request("POST", "/oauth2/token", body, {"Content-Type": content_type})


def profile(access_token=None, authorization=None):
    h = {}
    if authorization is not None:
        h["Authorization"] = authorization
    elif access_token is not None:
        h["Authorization"] = "Bearer " + access_token
    return request("GET", "/oauth2/profile", headers=h)


class SsoTestCase(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        control("reset", {})
        self.client = control("client", {"client_id": CLIENT_ID, "client_secret": SECRET,
                                         "redirect_uri": REDIRECT,
                                         "context_list": ["chat", "contact", "profile"]})
        self.user = control("user")

    def get_code(self, scope="chat", with_pkce=True, **kw):
        verifier, challenge = pkce()
        params = {"scope": scope}
        if with_pkce:
            params.update(code_challenge=challenge, code_challenge_method="S256")
        params.update(kw)
        r = authorize(params)
        self.assertEqual(r.status, 302, r)
        q = r.location_query
        self.assertIn("code", q, r)
        return q["code"][0], (verifier if with_pkce else None)

    def get_token(self, scope="chat"):
        code, verifier = self.get_code(scope)
        r = token({"code": code, "code_verifier": verifier})
        self.assertEqual(r.status, 200, r)
        return r.json["access_token"]

    def assertPage(self, r, status, text):
        self.assertEqual(r.status, status, r)
        self.assertIsNone(r.headers["Location"], r)
        self.assertTrue(r.headers["Content-Type"].startswith("text/html"), r)
        self.assertIn(text, html.unescape(r.body.decode()))

    def assertOAuthError(self, r, status, error):
        self.assertEqual((r.status, r.json.get("error")), (status, error), r)
        self.assertEqual(r.headers["Content-Type"], "application/json")
        self.assertIsInstance(r.json.get("error_description"), str)


# ===========================================================================

class TestHappyPath(SsoTestCase):
    def test_authorize_token_profile_with_pkce(self):
        verifier, challenge = pkce()
        r = authorize(state="S-123", code_challenge=challenge, code_challenge_method="S256")
        self.assertEqual(r.status, 302, r)
        loc = r.headers["Location"]
        self.assertTrue(loc.startswith(REDIRECT + "?"), loc)
        q = r.location_query
        self.assertEqual(sorted(q), ["code", "state"])
        self.assertEqual(q["state"], ["S-123"])
        code = q["code"][0]
        self.assertRegex(code, H43)

        t = token({"code": code, "code_verifier": verifier})
        self.assertEqual(t.status, 200, t)
        self.assertEqual(t.headers["Content-Type"], "application/json")
        self.assertEqual(t.headers["Cache-Control"], "no-store")
        body = t.json
        self.assertRegex(body["access_token"], H43)
        self.assertEqual((body["token_type"], body["expires_in"], body["refresh_token"]),
                         ("bearer", 43200, ""))

        p = profile(body["access_token"])
        self.assertEqual(p.status, 200, p)
        prof = p.json
        self.assertEqual(set(prof), {"scope", "Contact", "Company", "License", "company_list", "jwt"})
        self.assertEqual(prof["scope"], ["chat"])
        self.assertEqual(set(prof["Contact"]), {"id", "username", "stat", "flag", "fullname", "email", "phone"})
        self.assertEqual(set(prof["Company"]), {"id", "stat", "flag", "name", "iso3166", "tz"})
        c, o = prof["Contact"], prof["Company"]
        self.assertRegex(c["id"], ULID)
        self.assertRegex(o["id"], ULID)
        self.assertEqual(c["id"], self.user["contact"]["id"])
        self.assertEqual(c["username"], self.user["contact"]["username"])
        self.assertIn("@", c["username"])
        self.assertEqual((c["stat"], c["flag"]), (200, 0))
        self.assertEqual((c["fullname"], c["email"], c["phone"]), ("", "", ""))  # no contact scope
        self.assertEqual((o["stat"], o["iso3166"]), (200, "US-WA"))
        self.assertEqual(prof["License"], [])
        self.assertEqual(prof["company_list"], [{"id": o["id"]}])

    def test_jwt_is_hs256_about_the_contact(self):
        p = profile(self.get_token()).json
        parts = p["jwt"].split(".")
        self.assertEqual(len(parts), 3)
        dec = [json.loads(base64.urlsafe_b64decode(x + "=" * (-len(x) % 4))) for x in parts[:2]]
        self.assertEqual(dec[0]["alg"], "HS256")
        self.assertEqual((dec[1]["sub"], dec[1]["com"]), (p["Contact"]["id"], p["Company"]["id"]))
        self.assertEqual(dec[1]["exp"] - dec[1]["iat"], 900)

    def test_rfc7636_appendix_b_vector(self):
        verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
        r = authorize(code_challenge="E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
                      code_challenge_method="S256")
        t = token({"code": r.location_query["code"][0], "code_verifier": verifier})
        self.assertEqual(t.status, 200, t)

    def test_without_pkce_when_not_required(self):
        code, _ = self.get_code(with_pkce=False)
        self.assertEqual(token({"code": code}).status, 200)

    def test_state_echoed_exactly_and_redirect_query_kept(self):
        redirect = "https://chat.example.com/auth/back?_=" + "k" * 43
        control("client", {"client_id": CLIENT_ID, "client_secret": SECRET, "redirect_uri": redirect})
        state = "a b&c=d/é+%25?#x"
        r = authorize(redirect_uri=redirect, state=state)
        self.assertEqual(r.status, 302, r)
        self.assertTrue(r.headers["Location"].startswith("https://chat.example.com/auth/back?"))
        q = r.location_query
        self.assertEqual(q["state"], [state])
        self.assertEqual(q["_"], ["k" * 43])
        t = token({"code": q["code"][0], "redirect_uri": redirect})
        self.assertEqual(t.status, 200, t)

    def test_codes_and_tokens_are_distinct(self):
        codes = {self.get_code()[0] for _ in range(20)}
        self.assertEqual(len(codes), 20)
        tokens = {self.get_token() for _ in range(5)}
        self.assertEqual(len(tokens), 5)

    def test_user_is_bound_at_authorize_time(self):
        code, verifier = self.get_code()
        control("user", {"contact": {"username": "later@example.com"}})
        t = token({"code": code, "code_verifier": verifier}).json["access_token"]
        self.assertEqual(profile(t).json["Contact"]["username"], self.user["contact"]["username"])
        self.assertEqual(profile(self.get_token()).json["Contact"]["username"], "later@example.com")


class TestAuthorizeErrors(SsoTestCase):
    def test_unknown_client_is_a_page_not_a_redirect(self):
        self.assertPage(authorize(client_id="nobody"), 400, "COA-051")

    def test_redirect_uri_must_match_exactly(self):
        for bad in (REDIRECT + "/", REDIRECT + "?x=1", "http://chat.example.com/auth/back",
                    "https://CHAT.example.com/auth/back", "https://evil.example/auth/back",
                    "https://chat.example.com/auth/back#f", "https://chat.example.com/auth/Back"):
            with self.subTest(bad=bad):
                self.assertPage(authorize(redirect_uri=bad), 400, "Invalid Redirect URI")
        self.assertEqual(control("counters")["codes_issued"], 0)

    def test_missing_parameters(self):
        for k in ("client_id", "redirect_uri", "response_type", "scope", "state"):
            with self.subTest(missing=k):
                self.assertPage(authorize(drop=(k,)), 400, "Missing Parameter '%s'" % k)
                self.assertPage(authorize({k: " "}), 400, "Missing Parameter")

    def test_response_type_must_be_code(self):
        self.assertPage(authorize(response_type="token"), 400, "COA-031")

    def test_parameter_given_twice(self):
        r = request("GET", authorize_url() + "&state=again")
        self.assertPage(r, 400, "more than once")

    def test_scope_not_allowed_for_client(self):
        self.assertPage(authorize(scope="chat pos"), 403, 'Access Denied to Context "pos" [COA-151]')
        self.assertPage(authorize(scope="lab"), 403, "COA-151")
        control("client", {"client_id": CLIENT_ID, "client_secret": SECRET,
                           "redirect_uri": REDIRECT, "context_list": ["contact"]})
        self.assertPage(authorize(scope="chat"), 403, 'Context "chat"')
        self.assertEqual(control("counters")["codes_issued"], 0)

    def test_scope_list_is_normalised(self):
        r = authorize(scope=" profile  chat chat ")
        self.assertEqual(r.status, 302, r)
        t = token({"code": r.location_query["code"][0]})
        self.assertEqual(t.json["scope"], "chat profile")
        self.assertEqual(profile(t.json["access_token"]).json["scope"], ["chat", "profile"])

    def test_pkce_method_must_be_s256(self):
        _, challenge = pkce()
        self.assertPage(authorize(code_challenge=challenge), 400, "S256")  # RFC default: plain
        self.assertPage(authorize(code_challenge=challenge, code_challenge_method="plain"), 400, "S256")
        self.assertPage(authorize(code_challenge=challenge, code_challenge_method="s256"), 400, "S256")
        self.assertPage(authorize(code_challenge_method="S256"), 400, "without code_challenge")
        self.assertPage(authorize(code_challenge="short", code_challenge_method="S256"), 400,
                        "Invalid code_challenge")

    def test_require_pkce(self):
        control("config", {"require_pkce": True})
        self.assertPage(authorize(), 400, "code_challenge")
        self.get_code(with_pkce=True)

    def test_deny_redirects_with_access_denied(self):
        control("user", {"deny": True})
        r = authorize(state="deny-state")
        self.assertEqual(r.status, 302, r)
        self.assertEqual(r.location_query, {"error": ["access_denied"], "state": ["deny-state"]})
        self.assertTrue(r.headers["Location"].startswith(REDIRECT + "?"))
        n = control("counters")
        self.assertEqual((n["authorize_denied"], n["codes_issued"]), (1, 0))

    def test_authorize_is_get_only(self):
        r = request("POST", authorize_url())
        self.assertEqual((r.status, r.headers["Allow"]), (405, "GET"))


class TestToken(SsoTestCase):
    def test_reused_code_fails(self):
        code, verifier = self.get_code()
        self.assertEqual(token({"code": code, "code_verifier": verifier}).status, 200)
        r = token({"code": code, "code_verifier": verifier})
        self.assertOAuthError(r, 400, "invalid_grant")
        self.assertIn("used", r.json["error_description"])
        n = control("counters")
        self.assertEqual((n["codes_redeemed"], n["codes_rejected"], n["tokens_issued"]), (1, 1, 1))

    def test_expired_code(self):
        control("config", {"code_ttl": 0.3})
        code, verifier = self.get_code()
        time.sleep(0.4)
        r = token({"code": code, "code_verifier": verifier})
        self.assertOAuthError(r, 400, "invalid_grant")
        self.assertIn("expired", r.json["error_description"])

    def test_code_valid_within_ttl(self):
        control("config", {"code_ttl": 5})
        code, verifier = self.get_code()
        self.assertEqual(token({"code": code, "code_verifier": verifier}).status, 200)

    def test_unknown_code(self):
        self.assertOAuthError(token({"code": "x" * 43}), 400, "invalid_grant")

    def test_wrong_redirect_uri_consumes_the_code(self):
        code, verifier = self.get_code()
        r = token({"code": code, "code_verifier": verifier, "redirect_uri": REDIRECT + "?x"})
        self.assertOAuthError(r, 400, "invalid_grant")
        self.assertOAuthError(token({"code": code, "code_verifier": verifier}), 400, "invalid_grant")

    def test_missing_redirect_uri(self):
        code, verifier = self.get_code()
        self.assertOAuthError(token({"code": code, "code_verifier": verifier}, drop=("redirect_uri",)),
                              400, "invalid_request")

    def test_wrong_client_secret_does_not_consume_the_code(self):
        code, verifier = self.get_code()
        for fields, drop in (({"client_secret": SECRET + "x"}, ()), ({"client_secret": SECRET[:-1]}, ()),
                             ({}, ("client_secret",)), ({"client_secret": ""}, ())):
            with self.subTest(fields=fields, drop=drop):
                r = token(dict(fields, code=code, code_verifier=verifier), drop=drop)
                self.assertOAuthError(r, 401, "invalid_client")
        self.assertEqual(token({"code": code, "code_verifier": verifier}).status, 200)

    def test_unknown_or_missing_client(self):
        code, verifier = self.get_code()
        self.assertOAuthError(token({"code": code, "client_id": "other"}), 401, "invalid_client")
        self.assertOAuthError(token({"code": code}, drop=("client_id",)), 401, "invalid_client")

    def test_code_of_another_client(self):
        control("client", {"client_id": "other", "client_secret": "other-secret", "redirect_uri": REDIRECT})
        code, verifier = self.get_code()
        r = token({"code": code, "code_verifier": verifier, "client_id": "other",
                   "client_secret": "other-secret"})
        self.assertOAuthError(r, 400, "invalid_grant")

    def test_pkce_verifier_must_match(self):
        for name, verifier in (("wrong", pkce()[0]), ("missing", None), ("empty", ""),
                               ("too short", "a" * 42), ("bad chars", "a" * 42 + "/")):
            with self.subTest(name):
                code, _ = self.get_code()
                fields = {"code": code}
                if verifier is not None:
                    fields["code_verifier"] = verifier
                self.assertOAuthError(token(fields), 400, "invalid_grant")

    def test_plain_method_is_not_accepted_as_s256(self):
        verifier, challenge = pkce()
        r = authorize(code_challenge=challenge, code_challenge_method="S256")
        code = r.location_query["code"][0]
        self.assertOAuthError(token({"code": code, "code_verifier": challenge}), 400, "invalid_grant")

    def test_verifier_without_challenge(self):
        code, _ = self.get_code(with_pkce=False)
        self.assertOAuthError(token({"code": code, "code_verifier": pkce()[0]}), 400, "invalid_grant")

    def test_grant_type(self):
        code, verifier = self.get_code()
        self.assertOAuthError(token({"code": code, "grant_type": "refresh_token"}), 400,
                              "unsupported_grant_type")
        self.assertOAuthError(token({"code": code, "grant_type": "password"}), 400,
                              "unsupported_grant_type")
        self.assertOAuthError(token({"code": code}, drop=("grant_type",)), 400, "invalid_request")
        self.assertEqual(token({"code": code, "code_verifier": verifier}).status, 200)

    def test_missing_code(self):
        self.assertOAuthError(token({}), 400, "invalid_request")

    def test_form_encoding_is_required(self):
        code, verifier = self.get_code()
        body = json.dumps({"grant_type": "authorization_code", "code": code, "code_verifier": verifier,
                           "redirect_uri": REDIRECT, "client_id": CLIENT_ID, "client_secret": SECRET})
        self.assertOAuthError(token({}, raw=body, content_type="application/json"), 400, "invalid_request")
        ok = token({"code": code, "code_verifier": verifier},
                   content_type="application/x-www-form-urlencoded; charset=utf-8")
        self.assertEqual(ok.status, 200, ok)

    def test_parameter_given_twice(self):
        code, verifier = self.get_code()
        raw = urllib.parse.urlencode({"grant_type": "authorization_code", "code": code,
                                      "code_verifier": verifier, "redirect_uri": REDIRECT,
                                      "client_id": CLIENT_ID, "client_secret": SECRET}) + "&code=" + code
        self.assertOAuthError(token({}, raw=raw), 400, "invalid_request")

    def test_token_is_post_only(self):
        r = request("GET", "/oauth2/token")
        self.assertEqual((r.status, r.headers["Allow"]), (405, "POST"))


class TestProfile(SsoTestCase):
    def test_contact_details_only_with_contact_or_profile_scope(self):
        user = control("user", {"contact": {"fullname": "Ada Grower", "email": "ada@example.com",
                                            "phone": "+15035550123"}})
        empty = profile(self.get_token("chat")).json["Contact"]
        self.assertEqual((empty["fullname"], empty["email"], empty["phone"]), ("", "", ""))
        self.assertEqual(empty["username"], user["contact"]["username"])
        for scope in ("chat contact", "chat profile"):
            with self.subTest(scope=scope):
                c = profile(self.get_token(scope)).json["Contact"]
                self.assertEqual((c["fullname"], c["email"], c["phone"]),
                                 ("Ada Grower", "ada@example.com", "+15035550123"))

    def test_configured_user(self):
        user = control("user", {"contact": {"id": "010PENTHCXC0NTACT000000000", "username": "Root@Example.com"},
                                "company": {"id": "010PENTHCXC0MPANY00000R00T", "name": "OpenTHC",
                                            "iso3166": "US-OR"},
                                "company_list": [{"id": "010PENTHCXC0MPANY00000R00T"}, {"id": "01ABC"}]})
        self.assertEqual(user["contact"]["email"], "Root@Example.com")
        p = profile(self.get_token("chat contact")).json
        self.assertEqual(p["Contact"]["id"], "010PENTHCXC0NTACT000000000")
        self.assertEqual(p["Contact"]["username"], "Root@Example.com")
        self.assertEqual(p["Contact"]["email"], "Root@Example.com")
        self.assertEqual((p["Company"]["name"], p["Company"]["iso3166"]), ("OpenTHC", "US-OR"))
        self.assertEqual(len(p["company_list"]), 2)

    def test_bad_bearer(self):
        good = self.get_token()
        for name, auth in (("none", None), ("unknown", "Bearer " + "A" * 43),
                           ("basic", "Basic " + good), ("lower-case scheme", "bearer " + good),
                           ("two spaces", "Bearer  " + good), ("trailing junk", "Bearer %s x" % good),
                           ("empty", "Bearer ")):
            with self.subTest(name):
                r = profile(authorization=auth)
                self.assertOAuthError(r, 401, "invalid_token")
                self.assertTrue(r.headers["WWW-Authenticate"].startswith("Bearer"))
        r = request("GET", "/oauth2/profile?access_token=" + good)
        self.assertOAuthError(r, 401, "invalid_token")
        self.assertEqual(profile(good).status, 200)
        n = control("counters")
        self.assertEqual((n["profile_reads"], n["profile_rejected"]), (1, 8))

    def test_expired_token(self):
        control("config", {"token_ttl": 0})
        code, verifier = self.get_code()
        t = token({"code": code, "code_verifier": verifier}).json
        self.assertEqual(t["expires_in"], 0)
        self.assertOAuthError(profile(t["access_token"]), 401, "invalid_token")

    def test_scope_as_string(self):
        control("config", {"scope_as_string": True})
        self.assertEqual(profile(self.get_token("chat contact")).json["scope"], "chat contact")

    def test_profile_overrides(self):
        tok = self.get_token()
        control("config", {"profile_override": {"scope": ["contact"]}})
        self.assertEqual(profile(tok).json["scope"], ["contact"])
        control("config", {"profile_override": {"Contact": {"stat": 410}}})
        c = profile(tok).json["Contact"]
        self.assertEqual((c["stat"], c["id"]), (410, self.user["contact"]["id"]))
        control("config", {"profile_override": {"Contact": {"flag": DISABLED}}})
        self.assertEqual(profile(tok).json["Contact"]["flag"], DISABLED)
        control("config", {"profile_override": {}, "profile_remove": ["Company", "Contact.id"]})
        p = profile(tok).json
        self.assertNotIn("Company", p)
        self.assertNotIn("id", p["Contact"])

    def test_user_values_pass_through_unchecked(self):
        control("user", {"contact": {"stat": 410, "flag": DISABLED | 1}, "company": {"stat": 666}})
        p = profile(self.get_token()).json
        self.assertEqual((p["Contact"]["stat"], p["Contact"]["flag"], p["Company"]["stat"]),
                         (410, DISABLED | 1, 666))


class TestFaults(SsoTestCase):
    def tearDown(self):
        control("fault", {"mode": "none"})

    def test_down_closes_without_answer_then_recovers(self):
        control("fault", {"mode": "down", "count": 1})
        with self.assertRaises((http.client.RemoteDisconnected, ConnectionResetError)):
            authorize()
        self.assertEqual(control("fault"), {"mode": "none"})
        self.assertEqual(authorize().status, 302)
        self.assertEqual(control("counters")["faults_injected"], 1)

    def test_slow(self):
        control("fault", {"mode": "slow", "delay_ms": 300, "path_prefix": "/oauth2/token"})
        code, verifier = self.get_code()
        t0 = time.monotonic()
        r = token({"code": code, "code_verifier": verifier})
        self.assertGreaterEqual(time.monotonic() - t0, 0.3)
        self.assertEqual(r.status, 200, r)

    def test_status(self):
        control("fault", {"mode": "status", "status": 503, "retry_after": 7})
        r = authorize()
        self.assertEqual((r.status, r.headers["Retry-After"]), (503, "7"))
        self.assertTrue(r.headers["Content-Type"].startswith("text/html"))
        self.assertOAuthError(token({"code": "x"}), 503, "server_error")
        control("fault", {"mode": "status", "status": 500, "path_prefix": "/oauth2/profile"})
        tok = self.get_token()   # authorize and token are not affected
        self.assertOAuthError(profile(tok), 500, "server_error")

    def test_count_and_path_prefix(self):
        control("fault", {"mode": "status", "status": 500, "path_prefix": "/oauth2/token", "count": 2})
        code, verifier = self.get_code()
        self.assertEqual(token({"code": code, "code_verifier": verifier}).status, 500)
        self.assertEqual(token({"code": code, "code_verifier": verifier}).status, 500)
        self.assertEqual(token({"code": code, "code_verifier": verifier}).status, 200)

    def test_control_api_is_never_faulted(self):
        control("fault", {"mode": "down", "path_prefix": "/"})
        self.assertEqual(control("counters")["faults_injected"], 0)
        self.assertEqual(control("fault")["mode"], "down")

    def test_bad_fault_specs(self):
        for spec in ({"mode": "broken"}, {"mode": "status", "status": 200}, {"mode": "slow", "delay_ms": -1},
                     {"mode": "down", "count": 0}, {"mode": "down", "path_prefix": "oauth2"},
                     {"mode": "down", "colour": 1}):
            with self.subTest(spec=spec):
                r = request("POST", "/__sso/fault", json.dumps(spec))
                self.assertEqual(r.status, 400, r)


class TestControlAndHttp(SsoTestCase):
    def test_counters(self):
        control("counters/reset", {})
        tok = self.get_token()
        profile(tok)
        profile("nope")
        authorize(client_id="nobody")
        token({"code": "nope"})
        n = control("counters")
        self.assertEqual(n["requests"], {"GET /oauth2/authorize": 2, "POST /oauth2/token": 2,
                                         "GET /oauth2/profile": 2})
        self.assertEqual({k: n[k] for k in ("codes_issued", "codes_redeemed", "codes_rejected",
                                            "tokens_issued", "profile_reads", "profile_rejected",
                                            "authorize_errors", "authorize_denied")},
                         {"codes_issued": 1, "codes_redeemed": 1, "codes_rejected": 1, "tokens_issued": 1,
                          "profile_reads": 1, "profile_rejected": 1, "authorize_errors": 1,
                          "authorize_denied": 0})
        control("counters/reset", {})
        self.assertEqual(control("counters")["requests"], {})

    def test_reset_forgets_everything(self):
        code, verifier = self.get_code()
        tok = self.get_token()
        control("config", {"code_ttl": 1})
        control("reset", {})
        self.assertEqual(control("config")["code_ttl"], 300)
        self.assertEqual(control("client"), [])
        self.assertPage(authorize(), 400, "Invalid Client")
        control("client", {"client_id": CLIENT_ID, "client_secret": SECRET, "redirect_uri": REDIRECT})
        self.assertOAuthError(token({"code": code, "code_verifier": verifier}), 400, "invalid_grant")
        self.assertOAuthError(profile(tok), 401, "invalid_token")
        self.assertNotEqual(control("user")["contact"]["id"], self.user["contact"]["id"])

    def test_default_user(self):
        u = self.user
        self.assertRegex(u["contact"]["id"], ULID)
        self.assertEqual(u["contact"]["username"], u["contact"]["email"])
        self.assertEqual((u["contact"]["stat"], u["contact"]["flag"]), (200, 0))
        self.assertRegex(u["company"]["id"], ULID)
        self.assertEqual(u["company"]["iso3166"], "US-WA")
        self.assertIs(u["deny"], False)

    def test_control_validation(self):
        bad = [("client", {"client_id": "x", "client_secret": "y"}),
               ("client", {"client_id": "x", "client_secret": "y", "redirect_uri": "/auth/back"}),
               ("client", {"client_id": "x", "client_secret": "y", "redirect_uri": REDIRECT + "#f"}),
               ("client", {"client_id": "x", "client_secret": "y", "redirect_uri": REDIRECT,
                           "context_list": [1]}),
               ("user", {"contact": {"nickname": "x"}}), ("user", {"deny": "yes"}),
               ("config", {"code_tll": 5}), ("config", {"code_ttl": -1}),
               ("config", {"scope_as_string": 1}), ("config", {"profile_remove": "Company"})]
        for path, spec in bad:
            with self.subTest(path=path, spec=spec):
                self.assertEqual(request("POST", "/__sso/" + path, json.dumps(spec)).status, 400)
        self.assertEqual(request("POST", "/__sso/config", "{not json").status, 400)
        self.assertEqual(request("GET", "/__sso/nothing").status, 404)
        self.assertEqual(request("GET", "/elsewhere").status, 404)

    def test_context_list_as_string(self):
        c = control("client", {"client_id": "c2", "client_secret": "s", "redirect_uri": REDIRECT,
                               "context_list": "chat  contact"})
        self.assertEqual(c["context_list"], ["chat", "contact"])

    def test_ready_file(self):
        self.assertEqual(ENV["ready"], "ready\n%d\n" % ENV["port"])

    def test_keep_alive(self):
        conn = http.client.HTTPConnection("127.0.0.1", ENV["port"], timeout=10)
        try:
            verifier, challenge = pkce()
            r = request("GET", authorize_url(code_challenge=challenge, code_challenge_method="S256"),
                        conn=conn)
            sock = conn.sock
            body = urllib.parse.urlencode({"grant_type": "authorization_code",
                                           "code": r.location_query["code"][0], "code_verifier": verifier,
                                           "redirect_uri": REDIRECT, "client_id": CLIENT_ID,
                                           "client_secret": SECRET})
            t = request("POST", "/oauth2/token", body,
                        {"Content-Type": "application/x-www-form-urlencoded"}, conn=conn)
            p = request("GET", "/oauth2/profile",
                        headers={"Authorization": "Bearer " + t.json["access_token"]}, conn=conn)
            self.assertEqual((r.status, t.status, p.status), (302, 200, 200))
            self.assertIs(conn.sock, sock)   # the same connection served all three
        finally:
            conn.close()

    def test_parallel_flows(self):
        def flow(_):
            code, verifier = self.get_code()
            t = token({"code": code, "code_verifier": verifier}).json["access_token"]
            return t, profile(t).status
        with concurrent.futures.ThreadPoolExecutor(16) as pool:
            results = list(pool.map(flow, range(48)))
        self.assertEqual({s for _, s in results}, {200})
        self.assertEqual(len({t for t, _ in results}), 48)
        self.assertEqual(control("counters")["tokens_issued"], 48)


if __name__ == "__main__":
    unittest.main()
