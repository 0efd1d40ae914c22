"""Black-box tests of the Mattermost emulator over HTTP.

Each test names the section of shared/reference/mattermost-behaviour.md it
checks (test_s1_4_… = §1.4), or the numbered correction of its "Corrections,
December 2026" block (test_c3_… = correction 3).  The emulator runs as a separate process
against a real PostgreSQL database:

  * MMEMU_TEST_DSN set (run-tests.sh does this): that database is used;
  * otherwise a throwaway cluster is made with tests/lib/pg-tmp.

Run: tests/emulator/run-tests.sh   (or: cd tests/emulator && /usr/bin/python3 -m unittest -v test_mmemu)
"""
import concurrent.futures
import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse

import bcrypt
import psycopg2

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PG_TMP = os.path.join(ROOT, "tests", "lib", "pg-tmp")
CLIENT4 = os.path.join(ROOT, "tests", "client4", "webapp.mjs")
ADMIN_TOKEN = "emuadmintoken0000000000000"   # 26 chars, like a Mattermost token
ITERATIONS = 1000                            # test speed; Mattermost uses 600000
PASSWORD = "Passw0rd!x"
CHROME_UA = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
             "Chrome/120.0.6099.109 Safari/537.36")
ID_RE = re.compile(r"^[a-z0-9]{26}$")

ENV = {}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_emulator(dsn, workdir, extra=()):
    port = free_port()
    token_file = os.path.join(workdir, "admin.token")
    with open(token_file, "w") as fh:
        fh.write(ADMIN_TOKEN + "\n")
    ready = os.path.join(workdir, "ready-%d" % port)
    log = open(os.path.join(workdir, "emulator-%d.log" % port), "wb")
    proc = subprocess.Popen(
        ["/usr/bin/python3", os.path.join(HERE, "mmemu.py"), "--listen", "127.0.0.1:%d" % port,
         "--dsn", dsn, "--site-url", "http://127.0.0.1:%d" % port, "--admin-token-file", token_file,
         "--pbkdf2-iterations", str(ITERATIONS), "--bcrypt-cost", "4", "--ready-file", ready,
         *extra],
        stdout=log, stderr=subprocess.STDOUT)
    log.close()  # the child has its own descriptor
    deadline = time.time() + 30
    while not os.path.exists(ready):
        if proc.poll() is not None or time.time() > deadline:
            proc.kill()
            raise RuntimeError("emulator did not start; see %s" % log.name)
        time.sleep(0.05)
    return proc, port


def setUpModule():
    ENV["workdir"] = tempfile.mkdtemp(prefix="mmemu-test-")
    os.chmod(ENV["workdir"], 0o755)
    dsn = os.environ.get("MMEMU_TEST_DSN")
    if not dsn:
        pgdir = os.path.join(ENV["workdir"], "pg")
        subprocess.run([PG_TMP, "start", pgdir], check=True, stdout=subprocess.DEVNULL)
        subprocess.run([PG_TMP, "createdb", pgdir, "mmemu_test"], check=True)
        dsn = subprocess.run([PG_TMP, "dsn", pgdir, "mmemu_test"], check=True,
                             capture_output=True, text=True).stdout.strip()
        ENV["pgdir"] = pgdir
    ENV["dsn"] = dsn
    ENV["proc"], ENV["port"] = start_emulator(dsn, ENV["workdir"])


def tearDownModule():
    proc = ENV.get("proc")
    if proc:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
    if ENV.get("pgdir"):
        subprocess.run([PG_TMP, "destroy", ENV["pgdir"]], check=False)
    shutil.rmtree(ENV.get("workdir", ""), ignore_errors=True)


# ---------------------------------------------------------------------------
# HTTP helpers

class Resp:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def json(self):
        return json.loads(self.body)

    @property
    def error_id(self):
        try:
            return self.json.get("id")
        except ValueError:
            return None

    @property
    def set_cookies(self):
        return self.headers.get_all("Set-Cookie") or []

    def cookie_values(self):
        return {c.split(";")[0].split("=", 1)[0]: c.split(";")[0].split("=", 1)[1]
                for c in self.set_cookies}

    def __repr__(self):
        return "<Resp %d %r>" % (self.status, self.body[:300])


def request(method, path, body=None, headers=None, token=None, cookies=None, raw=None,
            port=None, conn=None):
    hdrs = dict(headers or {})
    if token:
        hdrs["Authorization"] = "Bearer " + token
    if cookies:
        hdrs["Cookie"] = "; ".join("%s=%s" % kv for kv in cookies.items())
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    own = conn is None
    if own:
        conn = http.client.HTTPConnection("127.0.0.1", port or ENV["port"], timeout=30)
    try:
        conn.request(method, path, body=data, headers=hdrs)
        r = conn.getresponse()
        return Resp(r.status, r.msg, r.read())
    finally:
        if own:
            conn.close()


def control(path, body=None, method=None):
    r = request(method or ("POST" if body is not None else "GET"), "/__emu/" + path,
                body if body is not None else None)
    if r.status >= 300:
        raise AssertionError("control %s: %r" % (path, r))
    return r.json


def admin(method, path, body=None, **kw):
    return request(method, path, body, token=ADMIN_TOKEN, **kw)


def db():
    conn = psycopg2.connect(ENV["dsn"])
    conn.autocommit = True
    return conn


def sql(query, args=()):
    conn = db()
    try:
        with conn.cursor() as cur:
            cur.execute(query, args or None)
            return cur.fetchall() if cur.description else None
    finally:
        conn.close()


def new_id():
    sys.path.insert(0, HERE)
    from mmemu.ids import new_id as nid
    return nid()


def node_available():
    return shutil.which("node") is not None and os.path.isdir(
        os.path.join(ROOT, "tests", "client4", "node_modules", "@mattermost", "client"))


def webapp(*args):
    out = subprocess.run(["node", CLIENT4, "--url", "http://127.0.0.1:%d" % ENV["port"], *args],
                         capture_output=True, text=True, timeout=60)
    return out.returncode, json.loads(out.stdout.strip().splitlines()[-1])


class EmuTestCase(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        control("reset", {})

    # seeding ------------------------------------------------------------------
    def seed_user(self, username, **kw):
        spec = {"username": username, "email": kw.pop("email", username + "@example.com"),
                "password": kw.pop("password", PASSWORD)}
        spec.update(kw)
        return control("seed/user", spec)

    def seed_team(self, name, **kw):
        return control("seed/team", dict({"name": name}, **kw))

    def login(self, login_id, password=PASSWORD, xhr=True, headers=None, by_id=False, **kw):
        h = {"User-Agent": CHROME_UA}
        if xhr:
            h["X-Requested-With"] = "XMLHttpRequest"
        h.update(headers or {})
        body = {"id" if by_id else "login_id": login_id, "password": password}
        return request("POST", "/api/v4/users/login", body, headers=h, **kw)

    def login_cookies(self, login_id, password=PASSWORD):
        r = self.login(login_id, password)
        self.assertEqual(r.status, 200, r)
        return r.cookie_values()

    def state(self, user_id=None):
        return control("state" + ("?user_id=" + user_id if user_id else ""))

    def counters(self):
        return control("counters")

    def config(self, **settings):
        return control("config", settings)

    def assertAppError(self, r, status, err_id):
        self.assertEqual((r.status, r.error_id), (status, err_id), r)
        body = r.json
        self.assertEqual(set(body), {"id", "message", "detailed_error", "request_id", "status_code"})
        self.assertEqual(body["status_code"], status)
        self.assertEqual(body["request_id"], r.headers["X-Request-Id"])


# ===========================================================================
# §8 API conventions

class TestApiConventions(EmuTestCase):
    def test_s8_2_headers_on_every_api_response(self):
        r = request("GET", "/api/v4/system/ping")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json["status"], "OK")
        self.assertRegex(r.headers["X-Request-Id"], ID_RE)
        self.assertRegex(r.headers["X-Version-Id"], r"^11\.1\.0\.[^.]+(\.[^.]+)*\.[0-9a-f]{32}\.false$")
        self.assertEqual(r.headers["Content-Type"], "application/json")  # exactly (Client4 compares)
        self.assertEqual(r.headers["Expires"], "0")
        self.assertEqual(r.headers["Permissions-Policy"], "")
        self.assertEqual(r.headers["Referrer-Policy"], "no-referrer")
        self.assertEqual(r.headers["X-Content-Type-Options"], "nosniff")
        self.assertIsNone(r.headers["Server"])
        r2 = request("GET", "/api/v4/system/ping")
        self.assertNotEqual(r.headers["X-Request-Id"], r2.headers["X-Request-Id"])

    def test_s8_2_no_expires_on_post(self):
        r = self.login("nobody", "x")
        self.assertIsNone(r.headers["Expires"])
        self.assertEqual(r.headers["Content-Type"], "application/json")

    def test_s8_1_app_error_body(self):
        r = request("GET", "/api/v4/users/me")
        self.assertAppError(r, 401, "api.context.session_expired.app_error")
        self.assertEqual(r.json["detailed_error"], "")  # EnableDeveloper false
        self.assertTrue(r.json["message"])

    def test_s8_1_detailed_error_only_with_enable_developer(self):
        self.config(EnableDeveloper=True)
        r = request("GET", "/api/v4/users/me")
        self.assertNotEqual(r.json["detailed_error"], "")

    def test_unknown_api_route_is_404(self):
        self.assertAppError(admin("GET", "/api/v4/nothing/here"), 404, "api.context.404.app_error")
        self.assertAppError(admin("DELETE", "/api/v4/users/login"), 404, "api.context.404.app_error")

    def test_keep_alive_many_requests_one_connection(self):
        conn = http.client.HTTPConnection("127.0.0.1", ENV["port"], timeout=10)
        try:
            for _ in range(50):
                r = request("GET", "/api/v4/users/me", token=ADMIN_TOKEN, conn=conn)
                self.assertEqual(r.status, 200)
            r = self.login("nobody", "x", conn=conn)
            self.assertEqual(r.status, 401)
            r = request("GET", "/api/v4/users/me", token=ADMIN_TOKEN, conn=conn)
            self.assertEqual(r.status, 200)
        finally:
            conn.close()

    def test_throughput_hundreds_per_second(self):
        conn = http.client.HTTPConnection("127.0.0.1", ENV["port"], timeout=10)
        start = time.time()
        for _ in range(300):
            self.assertEqual(request("GET", "/api/v4/users/me", token=ADMIN_TOKEN, conn=conn).status, 200)
        conn.close()
        self.assertLess(time.time() - start, 3.0, "300 cached-session requests should take < 3 s")


# ===========================================================================
# §1 login

class TestLogin(EmuTestCase):
    def setUp(self):
        super().setUp()
        self.alice = self.seed_user("alice", first_name="Alice")

    def test_s1_2_success_status_token_header_and_sanitized_user(self):
        r = self.login("alice")
        self.assertEqual(r.status, 200)
        self.assertRegex(r.headers["Token"], ID_RE)
        u = r.json
        self.assertEqual(u["id"], self.alice["id"])
        self.assertEqual(u["username"], "alice")
        self.assertEqual(u["delete_at"], 0)
        for secret in ("password", "mfa_secret", "last_login"):
            self.assertNotIn(secret, u)
        self.assertTrue(r.body.endswith(b"\n"))  # json.Encoder output

    def test_s1_3_cookies_only_with_x_requested_with(self):
        r = self.login("alice", xhr=False)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.set_cookies, [])
        self.assertRegex(r.headers["Token"], ID_RE)
        r = self.login("alice", headers={"X-Requested-With": "fetch"}, xhr=False)
        self.assertEqual(r.set_cookies, [])

    def test_s1_3_three_cookies_exact_attributes(self):
        before = int(time.time())
        r = self.login("alice")
        after = int(time.time())
        cookies = r.set_cookies
        self.assertEqual([c.split("=")[0] for c in cookies], ["MMAUTHTOKEN", "MMUSERID", "MMCSRF"])
        token = r.headers["Token"]
        session = self.state(self.alice["id"])["sessions"][0]
        values = r.cookie_values()
        self.assertEqual(values["MMAUTHTOKEN"], token)
        self.assertEqual(values["MMUSERID"], self.alice["id"])
        self.assertEqual(values["MMCSRF"], session["props"]["csrf"])
        for c in cookies:
            m = re.match(r"^(\w+)=(\w+); Path=/; Expires=(.+ GMT); Max-Age=2592000(; HttpOnly)?$", c)
            self.assertIsNotNone(m, c)
            self.assertEqual(bool(m.group(4)), m.group(1) == "MMAUTHTOKEN")
            expires = time.mktime(time.strptime(m.group(3), "%a, %d %b %Y %H:%M:%S GMT")) - time.timezone
            self.assertTrue(before + 2592000 - 2 <= expires <= after + 2592000 + 2, c)
            self.assertNotIn("Secure", c)
            self.assertNotIn("SameSite", c)
            self.assertNotIn("Domain", c)

    def test_s1_3_secure_iff_forwarded_https_and_samesite_only_when_embedded(self):
        r = self.login("alice", headers={"X-Forwarded-Proto": "https"})
        for c in r.set_cookies:
            self.assertTrue(c.endswith("; Secure") or c.endswith("; HttpOnly; Secure"), c)
            self.assertNotIn("SameSite", c)
        r = self.login("alice", headers={"X-Forwarded-Proto": "https", "Cookie": "MMEMBED=1"})
        for c in r.set_cookies:
            self.assertTrue(c.endswith("; Secure; SameSite=None"), c)
        r = self.login("alice", headers={"X-Forwarded-Proto": "http", "Cookie": "MMEMBED=1"})
        for c in r.set_cookies:
            self.assertNotIn("Secure", c)
            self.assertNotIn("SameSite", c)

    def test_s1_3_path_from_site_url_and_domain_with_subdomains(self):
        self.config(**{"ServiceSettings.SiteURL": "https://chat.example.com/mm/"})
        r = self.login("alice")
        for c in r.set_cookies:
            self.assertIn("; Path=/mm;", c)
        self.config(AllowCookiesForSubdomains=True)
        r = self.login("alice")
        for c in r.set_cookies:
            self.assertIn("; Domain=chat.example.com;", c)

    def test_s1_3_max_age_is_web_length_even_for_mobile(self):
        self.config(SessionLengthWebInHours=2, SessionLengthMobileInHours=1)
        r = self.login("alice", headers={"User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Mobile"})
        self.assertIn("Max-Age=7200", r.set_cookies[0])
        s = self.state(self.alice["id"])["sessions"][0]
        self.assertEqual(s["props"]["isMobile"], "true")
        self.assertAlmostEqual(s["expires_at"] - s["create_at"], 3600 * 1000, delta=5)

    def test_s3_2_session_row_and_props(self):
        r = self.login("alice")
        s = self.state(self.alice["id"])["sessions"][0]
        self.assertEqual(s["token"], r.headers["Token"])
        self.assertRegex(s["id"], ID_RE)
        self.assertNotEqual(s["id"], s["token"])
        self.assertEqual(s["roles"], "system_user")
        self.assertEqual(s["device_id"], "")
        self.assertFalse(s["is_oauth"])
        self.assertEqual(s["expires_at"] - s["create_at"], 720 * 3600 * 1000)
        self.assertEqual(s["last_activity_at"], s["create_at"])
        p = s["props"]
        self.assertEqual({k: p[k] for k in ("isMobile", "isSaml", "isOAuthUser", "is_guest")},
                         {"isMobile": "false", "isSaml": "false", "isOAuthUser": "false",
                          "is_guest": "false"})
        self.assertRegex(p["csrf"], ID_RE)
        self.assertEqual((p["platform"], p["os"], p["browser"]), ("Linux", "Linux", "Chrome/120.0.6099"))
        self.assertGreater(self.state(self.alice["id"])["user"]["last_login"], 0)

    def test_s1_1_mobile_user_agents(self):
        for ua in ("Mozilla/5.0 (Linux; Android 14)", "MyApp iOS", "x iPad y", "Foo Mobile"):
            control("reset", {})
            self.seed_user("alice")
            self.assertEqual(self.login("alice", headers={"User-Agent": ua}).status, 200)
            uid = admin("GET", "/api/v4/users/username/alice").json["id"]
            self.assertEqual(self.state(uid)["sessions"][0]["props"]["isMobile"], "true", ua)

    def test_s1_1_login_id_case_insensitive_username_and_email(self):
        self.assertEqual(self.login("ALICE").status, 200)
        self.assertEqual(self.login("Alice@Example.COM").status, 200)

    def test_s1_1_login_by_id_even_when_sign_in_methods_disabled(self):
        self.config(EnableSignInWithEmail=False, EnableSignInWithUsername=False)
        self.assertEqual(self.login(self.alice["id"], by_id=True).status, 200)
        self.assertAppError(self.login("alice"), 401, "api.user.login.invalid_credentials_email_username")

    def test_s1_1_sign_in_with_email_disabled(self):
        self.config(EnableSignInWithEmail=False)
        self.assertEqual(self.login("alice").status, 200)
        self.assertAppError(self.login("alice@example.com"), 401,
                            "api.user.login.invalid_credentials_username")
        self.config(EnableSignInWithEmail=True, EnableSignInWithUsername=False)
        self.assertAppError(self.login("alice"), 401, "api.user.login.invalid_credentials_email")
        self.assertEqual(self.login("alice@example.com").status, 200)

    def test_s1_1_string_map_body(self):
        # non-string values become "" (Go map[string]string decoding)
        r = request("POST", "/api/v4/users/login", {"login_id": "alice", "password": 12345678})
        self.assertAppError(r, 400, "api.user.login.blank_pwd.app_error")
        r = request("POST", "/api/v4/users/login", raw=b"{not json")
        self.assertAppError(r, 400, "api.user.login.blank_pwd.app_error")
        r = request("POST", "/api/v4/users/login", raw=b'["alice"]')
        self.assertAppError(r, 400, "api.user.login.blank_pwd.app_error")
        r = request("POST", "/api/v4/users/login",
                    raw=b'{"login_id":"alice","password":"%s","device_id":""} trailing' % PASSWORD.encode())
        self.assertEqual(r.status, 200)

    # §1.4 error table, row by row
    def test_s1_4_blank_password_400_unmasked(self):
        self.assertAppError(self.login("alice", ""), 400, "api.user.login.blank_pwd.app_error")

    def test_s1_4_unknown_user_masked(self):
        self.assertAppError(self.login("nobody"), 401, "api.user.login.invalid_credentials_email_username")
        self.assertAppError(self.login(new_id(), by_id=True), 401,
                            "api.user.login.invalid_credentials_email_username")

    def test_s1_4_wrong_password_masked_and_counted(self):
        self.assertAppError(self.login("alice", "wrong"), 401,
                            "api.user.login.invalid_credentials_email_username")
        self.assertEqual(self.state(self.alice["id"])["user"]["failed_attempts"], 1)
        self.assertAppError(self.login("alice", "wrong"), 401,
                            "api.user.login.invalid_credentials_email_username")
        self.assertEqual(self.state(self.alice["id"])["user"]["failed_attempts"], 2)
        self.assertEqual(self.login("alice").status, 200)
        self.assertEqual(self.state(self.alice["id"])["user"]["failed_attempts"], 0)

    def test_s1_4_deactivated_checked_before_password(self):
        self.seed_user("gone", delete_at=1700000000000)
        self.assertAppError(self.login("gone"), 401, "api.user.login.inactive.app_error")
        self.assertAppError(self.login("gone", "wrong"), 401, "api.user.login.inactive.app_error")

    def test_s1_4_locked_refuses_right_password(self):
        self.seed_user("locked", failed_attempts=10)
        self.assertAppError(self.login("locked"), 401,
                            "api.user.check_user_login_attempts.too_many.app_error")

    def test_s1_4_lockout_after_maximum_login_attempts(self):
        self.config(MaximumLoginAttempts=3)
        for _ in range(3):
            self.assertAppError(self.login("alice", "bad"), 401,
                                "api.user.login.invalid_credentials_email_username")
        self.assertAppError(self.login("alice"), 401,
                            "api.user.check_user_login_attempts.too_many.app_error")
        # any password update resets FailedAttempts (§1.4)
        r = admin("PUT", "/api/v4/users/%s/password" % self.alice["id"], {"new_password": "NewPassw0rd"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.login("alice", "NewPassw0rd").status, 200)

    def test_s1_4_bot_login_forbidden(self):
        self.seed_user("somebot", is_bot=True)
        self.assertAppError(self.login("somebot"), 401, "api.user.login.bot_login_forbidden.app_error")
        self.assertAppError(self.login("chat-bridge-bot", "x"), 401,
                            "api.user.login.bot_login_forbidden.app_error")

    def test_s1_4_email_verification_after_password(self):
        self.seed_user("unverified", email_verified=False)
        self.assertEqual(self.login("unverified").status, 200)  # default: not required
        self.config(RequireEmailVerification=True)
        self.assertAppError(self.login("unverified"), 401, "api.user.login.not_verified.app_error")
        self.assertAppError(self.login("unverified", "wrong"), 401,
                            "api.user.login.invalid_credentials_email_username")
        self.assertEqual(self.login("alice").status, 200)  # seeded users are verified

    def test_s1_4_sso_account_with_password_masked(self):
        self.seed_user("gitlabber", auth_service="gitlab", auth_data="12345", password="")
        self.assertAppError(self.login("gitlabber", "anything"), 401,
                            "api.user.login.invalid_credentials_email_username")

    def test_s1_4_masked_id_when_sso_enabled(self):
        self.config(**{"GitLabSettings.Enable": True})
        self.assertAppError(self.login("alice", "bad"), 401, "api.user.login.invalid_credentials_sso")

    def test_s1_4_guest_without_licence_masked(self):
        self.seed_user("guest", roles="system_guest")
        self.assertAppError(self.login("guest"), 401, "api.user.login.invalid_credentials_email_username")

    def test_s1_4_password_over_72_bytes_never_matches(self):
        self.assertAppError(self.login("alice", "x" * 73), 401,
                            "api.user.login.invalid_credentials_email_username")

    def test_s1_4_device_id_revokes_same_device_sessions(self):
        self.assertEqual(self.login("alice", headers={}, xhr=False).status, 200)
        r1 = request("POST", "/api/v4/users/login", {"login_id": "alice", "password": PASSWORD,
                                                     "device_id": "dev1"})
        r2 = request("POST", "/api/v4/users/login", {"login_id": "alice", "password": PASSWORD,
                                                     "device_id": "dev1"})
        self.assertEqual((r1.status, r2.status), (200, 200))
        sessions = self.state(self.alice["id"])["sessions"]
        self.assertEqual(sorted(s["device_id"] for s in sessions), ["", "dev1"])

    def test_s1_counters(self):
        control("counters/reset", {})
        self.login("alice")
        self.login("alice", "bad")
        self.login("nobody")
        c = self.counters()
        self.assertEqual((c["logins_ok"], c["logins_failed"]), (1, 2))
        self.assertEqual(c["password_verifications"], 2)  # unknown user: no verification
        self.assertEqual(c["sessions_created"], 1)
        self.assertEqual(c["requests"]["POST /api/v4/users/login"], 3)


# ===========================================================================
# §9 password hashing

class TestPasswordHashing(EmuTestCase):
    def test_s9_new_hashes_are_pbkdf2_phc(self):
        u = self.seed_user("alice")
        self.assertRegex(u["password_hash"],
                         r"^\$pbkdf2\$f=SHA256,w=%d,l=32\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$" % ITERATIONS)

    def test_s9_bcrypt_verified_and_rehashed_on_login(self):
        for prefix in ("$2a$", "$2b$", "$2y$"):
            control("reset", {})
            hashed = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(4)).decode()
            hashed = prefix + hashed[4:]
            u = self.seed_user("legacy", password_hash=hashed)
            control("counters/reset", {})
            self.assertAppError(self.login("legacy", "wrong"), 401,
                                "api.user.login.invalid_credentials_email_username")
            self.assertEqual(self.state(u["id"])["user"]["password"], {"kind": "bcrypt"})
            self.assertEqual(self.login("legacy").status, 200, prefix)
            self.assertEqual(self.state(u["id"])["user"]["password"],
                             {"kind": "pbkdf2", "iterations": ITERATIONS})
            self.assertEqual(self.counters()["password_hashes"], 1)
            self.assertEqual(self.login("legacy").status, 200)
            self.assertEqual(self.counters()["password_hashes"], 1)  # no re-hash now

    def test_s9_pbkdf2_with_other_work_factor_verifies_and_migrates(self):
        import base64
        import hashlib
        salt = b"0123456789abcdef"
        dk = hashlib.pbkdf2_hmac("sha256", PASSWORD.encode(), salt, 1234, 32)
        phc = "$pbkdf2$f=SHA256,w=1234,l=32$%s$%s" % (
            base64.b64encode(salt).decode().rstrip("="), base64.b64encode(dk).decode().rstrip("="))
        u = self.seed_user("other", password_hash=phc)
        self.assertEqual(self.login("other").status, 200)
        self.assertEqual(self.state(u["id"])["user"]["password"]["iterations"], ITERATIONS)


# ===========================================================================
# §2 authentication of requests

class TestAuthentication(EmuTestCase):
    def setUp(self):
        super().setUp()
        self.alice = self.seed_user("alice")

    def test_s2_1_bearer_and_token_headers(self):
        for value in ("Bearer " + ADMIN_TOKEN, "bearer " + ADMIN_TOKEN, "BEARER " + ADMIN_TOKEN,
                      "Token " + ADMIN_TOKEN, "token " + ADMIN_TOKEN):
            r = request("GET", "/api/v4/users/me", headers={"Authorization": value})
            self.assertEqual(r.status, 200, value)
            self.assertTrue(r.json["is_bot"])
            self.assertEqual(r.json["roles"], "system_admin system_user")

    def test_s2_1_cookie_wins_even_if_empty(self):
        r = request("GET", "/api/v4/users/me", token=ADMIN_TOKEN, cookies={"MMAUTHTOKEN": ""})
        self.assertAppError(r, 401, "api.context.session_expired.app_error")
        r = request("GET", "/api/v4/users/me", token=ADMIN_TOKEN, cookies={"MMAUTHTOKEN": "stale"})
        self.assertAppError(r, 401, "api.context.session_expired.app_error")
        self.assertEqual(r.set_cookies, ["MMAUTHTOKEN=; Path=/; Max-Age=0; HttpOnly"])

    def test_s2_2_no_token_401_without_cookie_removal(self):
        r = request("GET", "/api/v4/users/me")
        self.assertAppError(r, 401, "api.context.session_expired.app_error")
        self.assertEqual(r.set_cookies, [])

    def test_s2_1_query_access_token_only_for_oauth(self):
        token = self.login("alice").headers["Token"]
        r = request("GET", "/api/v4/users/me?access_token=" + token)
        self.assertAppError(r, 401, "api.context.token_provided.app_error")

    def test_s2_2_session_id_is_not_a_token(self):
        self.login("alice")
        sid = self.state(self.alice["id"])["sessions"][0]["id"]
        self.assertAppError(request("GET", "/api/v4/users/me", token=sid), 401,
                            "api.context.session_expired.app_error")

    def test_s2_2_session_optional_route_ignores_bad_token(self):
        r = self.login("alice", cookies={"MMAUTHTOKEN": "garbage"})
        self.assertEqual(r.status, 200)

    def test_s2_2_cache_keeps_directly_deleted_row_until_ttl(self):
        token = self.login("alice").headers["Token"]
        self.assertEqual(request("GET", "/api/v4/users/me", token=token).status, 200)
        sql("DELETE FROM sessions WHERE token = %s", (token,))
        self.assertEqual(request("GET", "/api/v4/users/me", token=token).status, 200)  # cached
        self.assertEqual(self.state()["tables"]["sessions"], 0)

    def test_s2_2_cache_ttl_zero_reads_database_each_time(self):
        self.config(SessionCacheInMinutes=0)
        token = self.login("alice").headers["Token"]
        self.assertEqual(request("GET", "/api/v4/users/me", token=token).status, 200)
        sql("DELETE FROM sessions WHERE token = %s", (token,))
        self.assertAppError(request("GET", "/api/v4/users/me", token=token), 401,
                            "api.context.session_expired.app_error")

    def test_s2_2_revocation_through_api_clears_cache(self):
        token = self.login("alice").headers["Token"]
        self.assertEqual(request("GET", "/api/v4/users/me", token=token).status, 200)
        sid = self.state(self.alice["id"])["sessions"][0]["id"]
        r = admin("POST", "/api/v4/users/%s/sessions/revoke" % self.alice["id"], {"session_id": sid})
        self.assertEqual((r.status, r.json), (200, {"status": "OK"}))
        self.assertEqual(request("GET", "/api/v4/users/me", token=token).status, 401)

    def test_s2_2_expired_session_rejected(self):
        self.config(SessionCacheInMinutes=0)  # entries keep the TTL they were cached with
        token = self.login("alice").headers["Token"]
        sql("UPDATE sessions SET expiresat = %s WHERE token = %s", (int(time.time() * 1000) - 1000, token))
        self.assertEqual(request("GET", "/api/v4/users/me", token=token).status, 401)

    def test_s2_2_idle_timeout_only_without_extend_with_activity(self):
        self.config(SessionCacheInMinutes=0, SessionIdleTimeoutInMinutes=5)
        token = self.login("alice").headers["Token"]
        old = int(time.time() * 1000) - 10 * 60 * 1000
        sql("UPDATE sessions SET lastactivityat = %s WHERE token = %s", (old, token))
        self.assertEqual(request("GET", "/api/v4/users/me", token=token).status, 200)
        sql("UPDATE sessions SET lastactivityat = %s WHERE token = %s", (old, token))
        self.config(ExtendSessionLengthWithActivity=False)
        self.assertEqual(request("GET", "/api/v4/users/me", token=token).status, 401)

    def test_s2_2_permissions_come_from_session_row(self):
        self.config(SessionCacheInMinutes=0)
        token = self.login("alice").headers["Token"]
        body = {"username": "bob", "email": "bob@example.com", "password": PASSWORD}
        self.assertEqual(request("POST", "/api/v4/users", body, token=token).status, 403)
        sql("UPDATE sessions SET roles = 'system_admin system_user' WHERE token = %s", (token,))
        self.assertEqual(request("POST", "/api/v4/users", body, token=token).status, 201)
        # the users row was never changed
        self.assertEqual(admin("GET", "/api/v4/users/" + self.alice["id"]).json["roles"], "system_user")


# ===========================================================================
# §3.3 rows inserted directly into `sessions` (the bridge's database mode)

class TestDirectSessionRows(EmuTestCase):
    def setUp(self):
        super().setUp()
        self.alice = self.seed_user("alice")
        self.team = self.seed_team("public")
        control("seed/member", {"team_name": "public", "user_id": self.alice["id"]})

    def insert_session(self, **overrides):
        now = int(time.time() * 1000)
        row = {"id": new_id(), "token": new_id(), "createat": now,
               "expiresat": now + 720 * 3600 * 1000, "lastactivityat": now,
               "userid": self.alice["id"], "deviceid": "", "roles": "system_user",
               "isoauth": False, "expirednotify": False,
               "props": json.dumps({"csrf": new_id(), "isMobile": "false", "isSaml": "false",
                                    "isOAuthUser": "false", "is_guest": "false",
                                    "platform": "Linux", "os": "Linux", "browser": "Chrome/120.0"})}
        row.update(overrides)
        cols = ", ".join(row)
        sql("INSERT INTO sessions (%s) VALUES (%s)" % (cols, ", ".join(["%s"] * len(row))),
            tuple(row.values()))
        return row

    def cookies_for(self, row):
        props = json.loads(row["props"]) if row["props"] else {}
        return {"MMAUTHTOKEN": row["token"], "MMUSERID": self.alice["id"],
                "MMCSRF": props.get("csrf", "")}

    def test_s3_1_sessions_table_has_exactly_the_11_columns(self):
        cols = sql("""SELECT column_name, data_type, character_maximum_length, is_nullable
                        FROM information_schema.columns WHERE table_name = 'sessions'
                       ORDER BY ordinal_position""")
        self.assertEqual([(c[0], c[1], c[2]) for c in cols], [
            ("id", "character varying", 26), ("token", "character varying", 26),
            ("createat", "bigint", None), ("expiresat", "bigint", None),
            ("lastactivityat", "bigint", None), ("userid", "character varying", 26),
            ("deviceid", "character varying", 512), ("roles", "character varying", 256),
            ("isoauth", "boolean", None), ("props", "jsonb", None), ("expirednotify", "boolean", None)])
        self.assertEqual([c[3] for c in cols], ["NO"] + ["YES"] * 10)
        idx = {r[0] for r in sql("SELECT indexname FROM pg_indexes WHERE tablename = 'sessions'")}
        self.assertTrue({"idx_sessions_token", "idx_sessions_user_id", "idx_sessions_expires_at",
                         "idx_sessions_create_at", "idx_sessions_last_activity_at"} <= idx)
        self.assertFalse(sql("""SELECT 1 FROM pg_indexes WHERE tablename = 'sessions'
                                 AND indexname = 'idx_sessions_token' AND indexdef LIKE '%UNIQUE%'"""))

    def test_s3_3_inserted_row_accepted_via_cookie(self):
        row = self.insert_session()
        r = request("GET", "/api/v4/users/me", cookies=self.cookies_for(row))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["id"], self.alice["id"])

    def test_s3_3_csrf_from_props_under_strict_mode(self):
        self.config(ExperimentalStrictCSRFEnforcement=True)
        row = self.insert_session()
        cookies = self.cookies_for(row)
        channel = request("GET", "/api/v4/teams/name/public/channels/name/town-square",
                          cookies=cookies).json
        body = {"channel_id": channel["id"], "message": "hello"}
        r = request("POST", "/api/v4/posts", body, cookies=cookies,
                    headers={"X-Requested-With": "XMLHttpRequest", "X-CSRF-Token": cookies["MMCSRF"]})
        self.assertEqual(r.status, 201, r)
        r = request("POST", "/api/v4/posts", body, cookies=cookies,
                    headers={"X-Requested-With": "XMLHttpRequest"})
        self.assertAppError(r, 401, "api.context.session_expired.app_error")
        self.assertEqual(r.set_cookies, ["MMAUTHTOKEN=; Path=/; Max-Age=0; HttpOnly"])

    @unittest.skipUnless(node_available(), "node or tests/client4/node_modules missing")
    def test_s3_3_client4_posts_with_inserted_row_under_strict_csrf(self):
        self.config(ExperimentalStrictCSRFEnforcement=True)
        c = self.cookies_for(self.insert_session())
        rc, out = webapp("--cookie", "MMAUTHTOKEN=" + c["MMAUTHTOKEN"], "--cookie",
                         "MMUSERID=" + c["MMUSERID"], "--cookie", "MMCSRF=" + c["MMCSRF"],
                         "--team", "public", "--channel", "town-square", "--post", "from db mode")
        self.assertEqual(rc, 0, out)
        self.assertTrue(out["ok"])
        self.assertRegex(out["post_id"], ID_RE)

    def test_s3_3_row_without_csrf_prop_passes_only_via_xhr_fallback(self):
        row = self.insert_session(props=json.dumps({"isMobile": "false"}))
        cookies = self.cookies_for(row)
        channel = request("GET", "/api/v4/teams/name/public/channels/name/town-square",
                          cookies=cookies).json
        body = {"channel_id": channel["id"], "message": "x"}
        # no X-CSRF-Token and props.csrf missing: "" == "" passes (§2.4 logic)
        self.assertEqual(request("POST", "/api/v4/posts", body, cookies=cookies).status, 201)
        # a CSRF header that differs from "" fails unless the XHR fallback applies
        h = {"X-CSRF-Token": "somethingelse"}
        self.assertEqual(request("POST", "/api/v4/posts", body, cookies=cookies, headers=h).status, 401)

    def test_s3_3_expired_row_rejected_and_zero_never_expires(self):
        row = self.insert_session(expiresat=int(time.time() * 1000) - 1)
        self.assertEqual(request("GET", "/api/v4/users/me", cookies=self.cookies_for(row)).status, 401)
        row = self.insert_session(expiresat=0)
        self.assertEqual(request("GET", "/api/v4/users/me", cookies=self.cookies_for(row)).status, 200)

    def test_s3_3_nulls_are_scan_failures(self):
        for column in ("deviceid", "roles", "isoauth", "expirednotify", "props", "lastactivityat",
                       "createat", "expiresat", "userid"):
            row = self.insert_session(**{column: None})
            r = request("GET", "/api/v4/users/me", cookies=self.cookies_for(row))
            self.assertAppError(r, 401, "api.context.session_expired.app_error")

    def test_s3_3_props_must_be_string_map(self):
        row = self.insert_session(props=json.dumps({"csrf": "x", "n": 1}))
        self.assertEqual(request("GET", "/api/v4/users/me", cookies=self.cookies_for(row)).status, 401)
        row = self.insert_session(props="null")
        self.assertEqual(request("GET", "/api/v4/users/me", cookies={"MMAUTHTOKEN": row["token"]}).status, 200)

    def test_s3_3_token_must_match_row_token(self):
        row = self.insert_session()
        r = request("GET", "/api/v4/users/me", cookies={"MMAUTHTOKEN": row["id"]})
        self.assertEqual(r.status, 401)

    def test_s3_4_revoke_via_rest_invalidates_inserted_row(self):
        row = self.insert_session()
        c = self.cookies_for(row)
        self.assertEqual(request("GET", "/api/v4/users/me", cookies=c).status, 200)
        r = admin("POST", "/api/v4/users/%s/sessions/revoke" % self.alice["id"], {"session_id": row["id"]})
        self.assertEqual(r.status, 200)
        self.assertEqual(request("GET", "/api/v4/users/me", cookies=c).status, 401)


# ===========================================================================
# §2.3 CSRF

class TestCsrf(EmuTestCase):
    def setUp(self):
        super().setUp()
        self.alice = self.seed_user("alice")
        self.seed_team("public")
        control("seed/member", {"team_name": "public", "user_id": self.alice["id"]})
        self.cookies = self.login_cookies("alice")
        self.channel = request("GET", "/api/v4/teams/name/public/channels/name/town-square",
                               cookies=self.cookies).json

    def post(self, headers=None, cookies=None, token=None):
        return request("POST", "/api/v4/posts", {"channel_id": self.channel["id"], "message": "m"},
                       headers=headers, cookies=cookies if token is None else None, token=token)

    def test_s2_3_non_strict_xhr_fallback(self):
        self.assertEqual(self.post({"X-Requested-With": "XMLHttpRequest"}, self.cookies).status, 201)
        r = self.post({}, self.cookies)
        self.assertAppError(r, 401, "api.context.session_expired.app_error")
        self.assertEqual(r.set_cookies, ["MMAUTHTOKEN=; Path=/; Max-Age=0; HttpOnly"])

    def test_s2_3_strict_requires_header(self):
        self.config(ExperimentalStrictCSRFEnforcement=True)
        self.assertEqual(self.post({"X-Requested-With": "XMLHttpRequest"}, self.cookies).status, 401)
        self.assertEqual(self.post({"X-CSRF-Token": self.cookies["MMCSRF"]}, self.cookies).status, 201)
        self.assertEqual(self.post({"X-CSRF-Token": "wrong", "X-Requested-With": "XMLHttpRequest"},
                                   self.cookies).status, 401)

    def test_s2_3_header_tokens_never_checked(self):
        self.config(ExperimentalStrictCSRFEnforcement=True)
        token = self.cookies["MMAUTHTOKEN"]
        self.assertEqual(self.post({}, token=token).status, 201)

    def test_s2_3_get_is_never_checked(self):
        self.config(ExperimentalStrictCSRFEnforcement=True)
        self.assertEqual(request("GET", "/api/v4/users/me", cookies=self.cookies).status, 200)

    def test_s2_3_applies_to_session_optional_login(self):
        r = self.login("alice", xhr=False, cookies=self.cookies, headers={})
        self.assertAppError(r, 401, "api.context.session_expired.app_error")
        self.assertEqual(self.login("alice", cookies=self.cookies).status, 200)  # XHR fallback

    def test_s7_post_requires_channel_membership(self):
        self.seed_user("bob")
        cookies = self.login_cookies("bob")
        r = request("POST", "/api/v4/posts", {"channel_id": self.channel["id"], "message": "m"},
                    cookies=cookies, headers={"X-CSRF-Token": cookies["MMCSRF"]})
        self.assertAppError(r, 403, "api.context.permissions.app_error")


@unittest.skipUnless(node_available(), "node or tests/client4/node_modules missing")
class TestClient4(EmuTestCase):
    """The official Client4 against the emulator (§2.3, §7)."""

    def setUp(self):
        super().setUp()
        self.alice = self.seed_user("alice")
        self.seed_team("public")
        control("seed/member", {"team_name": "public", "user_id": self.alice["id"]})
        self.config(ExperimentalStrictCSRFEnforcement=True)

    def cookie_args(self, cookies):
        args = []
        for name in ("MMAUTHTOKEN", "MMUSERID", "MMCSRF"):
            if name in cookies:
                args += ["--cookie", "%s=%s" % (name, cookies[name])]
        return args

    def test_s2_3_client4_sends_csrf_from_readable_cookie(self):
        rc, out = webapp(*self.cookie_args(self.login_cookies("alice")),
                         "--team", "public", "--channel", "town-square", "--post", "hi")
        self.assertEqual(rc, 0, out)
        self.assertEqual(out["user"], {"id": self.alice["id"], "username": "alice"})
        posts = [r for r in out["requests"] if r["path"] == "/api/v4/posts"]
        self.assertTrue(posts[0]["csrf_header"] and posts[0]["xhr_header"])

    def test_s2_3_client4_fails_when_mmcsrf_is_httponly(self):
        rc, out = webapp(*self.cookie_args(self.login_cookies("alice")),
                         "--httponly", "MMAUTHTOKEN", "--httponly", "MMCSRF",
                         "--team", "public", "--channel", "town-square", "--post", "hi")
        self.assertEqual(rc, 1)
        self.assertEqual((out["step"], out["status"], out["error_id"]),
                         ("createPost", 401, "api.context.session_expired.app_error"))

    def test_s7_webapp_needs_readable_mmuserid(self):
        cookies = self.login_cookies("alice")
        rc, out = webapp(*self.cookie_args(cookies), "--httponly", "MMAUTHTOKEN", "--httponly", "MMUSERID")
        self.assertEqual((rc, out["error_id"]), (1, "webapp.no_mmuserid_cookie"))
        del cookies["MMUSERID"]
        rc, out = webapp(*self.cookie_args(cookies))
        self.assertEqual((rc, out["error_id"]), (1, "webapp.no_mmuserid_cookie"))

    def test_c1_client4_reads_the_client_config_and_patches_a_user(self):
        # Client4.getClientConfig() (?format=old, as at the web app's start-up)
        # and Client4.patchUser() with an admin token.
        script = """
            import { createRequire } from 'node:module';
            const require = createRequire(process.cwd() + '/webapp.mjs');
            const { Client4 } = require('@mattermost/client');
            const c = new Client4();
            c.setUrl(process.env.MM_URL);
            c.setToken(process.env.MM_TOKEN);
            const config = await c.getClientConfig();
            const user = await c.patchUser({id: process.env.MM_USER, first_name: 'Patched',
                                            email: 'Alice.P@Example.com'});
            console.log(JSON.stringify({config, user}));
        """
        env = dict(os.environ, MM_URL="http://127.0.0.1:%d" % ENV["port"], MM_TOKEN=ADMIN_TOKEN,
                   MM_USER=self.alice["id"])
        out = subprocess.run(["node", "--input-type=module", "-e", script], cwd=os.path.dirname(CLIENT4),
                             env=env, capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)
        res = json.loads(out.stdout.strip().splitlines()[-1])
        self.assertEqual((res["config"]["EnableSignInWithEmail"], res["config"]["Version"]), ("true", "11.1.0"))
        self.assertEqual((res["user"]["first_name"], res["user"]["email"]), ("Patched", "alice.p@example.com"))

    def test_s1_client4_login_mode(self):
        rc, out = webapp("--login-id", "alice", "--password", PASSWORD,
                         "--team", "public", "--channel", "town-square", "--post", "hi")
        self.assertEqual(rc, 0, out)
        rc, out = webapp("--login-id", "alice", "--password", "wrong")
        self.assertEqual((rc, out["status"], out["error_id"]),
                         (1, 401, "api.user.login.invalid_credentials_email_username"))


# ===========================================================================
# §2.4 / §4.2 personal access tokens

class TestAccessTokens(EmuTestCase):
    def setUp(self):
        super().setUp()
        self.alice = self.seed_user("alice")

    def test_s4_2_disabled_by_default_for_users(self):
        r = admin("POST", "/api/v4/users/%s/tokens" % self.alice["id"], {"description": "t"})
        self.assertAppError(r, 501, "app.user_access_token.disabled")

    def test_s2_4_pat_as_bearer_and_cookie(self):
        self.config(EnableUserAccessTokens=True)
        r = admin("POST", "/api/v4/users/%s/tokens" % self.alice["id"], {"description": "t"})
        self.assertEqual(r.status, 200, r)
        pat = r.json["token"]
        self.assertRegex(pat, ID_RE)
        self.assertTrue(r.json["is_active"])
        self.assertEqual(request("GET", "/api/v4/users/me", token=pat).json["id"], self.alice["id"])
        s = [s for s in self.state(self.alice["id"])["sessions"] if s["token"] == pat][0]
        self.assertEqual(s["props"]["type"], "UserAccessToken")
        self.assertNotIn("csrf", s["props"])
        self.assertGreater(s["expires_at"] - s["create_at"], 99 * 365 * 24 * 3600 * 1000)
        # as MMAUTHTOKEN: a non-GET without X-CSRF-Token passes ("" == ""), even strict
        self.config(ExperimentalStrictCSRFEnforcement=True)
        r = request("POST", "/api/v4/users/%s/sessions/revoke/all" % self.alice["id"],
                    cookies={"MMAUTHTOKEN": pat})
        self.assertEqual(r.status, 200, r)
        # the PAT survives session revocation: the next request recreates the session
        self.assertEqual(request("GET", "/api/v4/users/me", token=pat).status, 200)
        # disabling PATs rejects non-bot PAT sessions (§2.2 step 7)
        self.config(EnableUserAccessTokens=False)
        self.assertAppError(request("GET", "/api/v4/users/me", token=pat), 401,
                            "api.context.session_expired.app_error")

    def test_s2_4_bot_pat_works_with_tokens_disabled(self):
        self.assertFalse(control("config")["ServiceSettings"]["EnableUserAccessTokens"])
        self.assertEqual(admin("GET", "/api/v4/users/me").status, 200)


# ===========================================================================
# §5 users

class TestUsers(EmuTestCase):
    def create(self, body, token=ADMIN_TOKEN):
        return request("POST", "/api/v4/users", body, token=token)

    def test_s5_1_admin_create_201_and_fields(self):
        control("counters/reset", {})
        r = self.create({"username": "Bob.Smith", "email": " Bob@Example.COM ", "password": PASSWORD,
                         "email_verified": True, "first_name": "Bob", "last_name": "Smith",
                         "position": "Budtender", "props": {"openthc": "yes"},
                         "roles": "system_admin system_user", "disable_welcome_email": True,
                         "delete_at": 123, "failed_attempts": 7})
        self.assertEqual(r.status, 201, r)
        u = r.json
        self.assertEqual((u["username"], u["email"], u["roles"]),
                         ("bob.smith", "bob@example.com", "system_user"))
        self.assertTrue(u["email_verified"])
        self.assertEqual((u["first_name"], u["last_name"], u["position"], u["props"]),
                         ("Bob", "Smith", "Budtender", {"openthc": "yes"}))
        self.assertEqual(u["delete_at"], 0)
        self.assertNotIn("password", u)
        self.assertNotIn("failed_attempts", u)
        c = self.counters()
        self.assertEqual((c["users_created"], c["password_hashes"], c["emails_sent"]), (1, 1, 0))
        self.assertEqual(self.login("bob.smith").status, 200)

    def test_s5_1_welcome_email_unless_disabled(self):
        control("counters/reset", {})
        self.assertEqual(self.create({"email": "w@example.com", "password": PASSWORD}).status, 201)
        self.assertEqual(self.counters()["emails_sent"], 1)
        self.assertEqual(control("emails")[-1], {"kind": "welcome", "to": "w@example.com"})

    def test_s5_1_username_optional(self):
        r = self.create({"email": "anon@example.com", "password": PASSWORD})
        self.assertEqual(r.status, 201)
        self.assertRegex(r.json["username"], r"^a[a-z0-9]{26}$")
        self.assertNotIn("email_verified", r.json)  # false -> omitted

    def test_s5_1_username_rules(self):
        for name in ("all", "channel", "matterbot", "system", "bad name", "bad@name", "x" * 65, "ümlaut"):
            r = self.create({"username": name, "email": "u@example.com", "password": PASSWORD})
            self.assertAppError(r, 400, "model.user.is_valid.username.app_error")
        for name in ("a", "x" * 64, "a.b-c_d", "1abc", "ALLCAPS"):
            control("reset", {})
            r = self.create({"username": name, "email": "u@example.com", "password": PASSWORD})
            self.assertEqual(r.status, 201, (name, r))
            self.assertEqual(r.json["username"], name.lower())

    def test_s5_1_email_rules(self):
        bad = ["", "plain", "a@b@c.com", "Name <a@example.com>", "<a@example.com>", "a b@example.com",
               "a@", "@example.com", "a@exa mple.com", "a@example..com",
               "x" * 120 + "@example.com"]
        for email in bad:
            r = self.create({"username": "u", "email": email, "password": PASSWORD})
            self.assertAppError(r, 400, "model.user.is_valid.email.app_error")
        for email in ("a@localhost", "first.last+tag@sub.example.org", "UPPER@EXAMPLE.COM"):
            control("reset", {})
            r = self.create({"username": "u", "email": email, "password": PASSWORD})
            self.assertEqual(r.status, 201, (email, r))
            self.assertEqual(r.json["email"], email.lower())

    def test_s5_1_password_policy(self):
        r = self.create({"username": "u", "email": "u@example.com", "password": "short"})
        self.assertAppError(r, 400, "model.user.is_valid.pwd_min_length.app_error")
        r = self.create({"username": "u", "email": "u@example.com", "password": "é" * 37})  # 74 bytes
        self.assertAppError(r, 400, "model.user.is_valid.pwd_max_length.app_error")
        self.assertEqual(self.create({"username": "u", "email": "u@example.com",
                                      "password": "é" * 36}).status, 201)  # 72 bytes
        control("config", {"PasswordSettings": {"Uppercase": True, "Number": True, "Symbol": True,
                                                "MinimumLength": 10}})
        cases = {"abcdefghijk": "model.user.is_valid.pwd_uppercase_number_symbol.app_error",
                 "Abcdefghijk": "model.user.is_valid.pwd_number_symbol.app_error",
                 "Abcdefghij1": "model.user.is_valid.pwd_symbol.app_error",
                 "Ab1!": "model.user.is_valid.pwd_min_length.app_error"}
        for pw, err in cases.items():
            r = self.create({"username": "v", "email": "v@example.com", "password": pw})
            self.assertAppError(r, 400, err)
        self.assertEqual(self.create({"username": "v", "email": "v@example.com",
                                      "password": "Abcdefghi1!"}).status, 201)

    def test_s5_1_password_checked_before_username(self):
        r = self.create({"username": "all", "email": "bad", "password": "x"})
        self.assertAppError(r, 400, "model.user.is_valid.pwd_min_length.app_error")

    def test_s5_1_duplicates(self):
        self.assertEqual(self.create({"username": "dup", "email": "dup@example.com",
                                      "password": PASSWORD}).status, 201)
        r = self.create({"username": "other", "email": "DUP@example.com", "password": PASSWORD})
        self.assertAppError(r, 400, "app.user.save.email_exists.app_error")
        r = self.create({"username": "DUP", "email": "x@example.com", "password": PASSWORD})
        self.assertAppError(r, 400, "app.user.save.username_exists.app_error")
        r = self.create({"id": new_id(), "username": "n", "email": "n@example.com", "password": PASSWORD})
        self.assertAppError(r, 400, "app.user.save.existing.app_error")

    def test_s5_1_bad_body(self):
        self.assertAppError(request("POST", "/api/v4/users", raw=b"{bad", token=ADMIN_TOKEN), 400,
                            "api.context.invalid_body_param.app_error")
        self.assertAppError(self.create({"username": 5, "email": "a@example.com"}), 400,
                            "api.context.invalid_body_param.app_error")
        self.assertAppError(self.create({"username": "u", "email": "u@example.com",
                                         "password": PASSWORD, "props": {"n": 1}}), 400,
                            "api.context.invalid_body_param.app_error")
        # Go matches struct keys case-insensitively
        r = self.create({"UserName": "casey", "EMAIL": "casey@example.com", "Password": PASSWORD})
        self.assertEqual((r.status, r.json["username"]), (201, "casey"))

    def test_s5_1_non_admin_cannot_create(self):
        self.seed_user("alice")
        token = self.login("alice").headers["Token"]
        r = self.create({"username": "x", "email": "x@example.com", "password": PASSWORD}, token=token)
        self.assertAppError(r, 403, "api.user.create_user.no_open_server")
        r = self.create({"username": "x", "email": "x@example.com", "password": PASSWORD}, token=None)
        self.assertAppError(r, 403, "api.user.create_user.no_open_server")

    def test_s5_1_user_limit(self):
        self.config(**{"EmulatorSettings.MaxActiveUsers": 2})
        self.seed_user("u1")
        self.seed_user("b1", is_bot=True)
        gone = self.seed_user("gone", delete_at=1)
        self.assertEqual(self.create({"username": "u2", "email": "u2@example.com",
                                      "password": PASSWORD}).status, 201)
        r = self.create({"username": "u3", "email": "u3@example.com", "password": PASSWORD})
        self.assertAppError(r, 400, "api.user.create_user.user_limits.exceeded")
        r = admin("PUT", "/api/v4/users/%s/active" % gone["id"], {"active": True})
        self.assertAppError(r, 400, "app.user.update_active.user_limit.exceeded")

    def test_s5_1_default_user_limit_250(self):
        self.assertEqual(control("config")["EmulatorSettings"]["MaxActiveUsers"], 250)

    def test_s5_2_get_by_email(self):
        alice = self.seed_user("alice", failed_attempts=2)
        r = admin("GET", "/api/v4/users/email/ALICE@example.com")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json["id"], alice["id"])
        self.assertEqual((r.json["email"], r.json["failed_attempts"]), ("alice@example.com", 2))
        self.assertIn("notify_props", r.json)
        self.assertAppError(admin("GET", "/api/v4/users/email/nobody@example.com"), 404,
                            "app.user.missing_account.const")
        self.assertAppError(admin("GET", "/api/v4/users/email/not-an-email"), 400,
                            "api.context.invalid_url_param.app_error")
        self.assertEqual(admin("GET", "/api/v4/users/email/" +
                               urllib.parse.quote("alice@example.com")).status, 200)

    def test_s5_2_non_admin_view_and_show_email_setting(self):
        self.seed_user("alice", failed_attempts=2)
        self.seed_user("bob")
        token = self.login("bob").headers["Token"]
        r = request("GET", "/api/v4/users/email/alice@example.com", token=token)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json["email"], "alice@example.com")
        self.assertNotIn("failed_attempts", r.json)
        self.assertNotIn("notify_props", r.json)
        self.config(ShowEmailAddress=False)
        self.assertAppError(request("GET", "/api/v4/users/email/alice@example.com", token=token), 403,
                            "api.user.get_user_by_email.permissions.app_error")
        self.assertEqual(admin("GET", "/api/v4/users/email/alice@example.com").status, 200)

    def test_s5_2_get_by_username(self):
        alice = self.seed_user("alice", delete_at=1700000000000)
        r = admin("GET", "/api/v4/users/username/alice")
        self.assertEqual((r.status, r.json["delete_at"]), (200, 1700000000000))
        self.assertAppError(admin("GET", "/api/v4/users/username/Alice"), 400,
                            "api.context.invalid_body_param.app_error")
        self.assertAppError(admin("GET", "/api/v4/users/username/nobody"), 404,
                            "app.user.get_by_username.app_error")
        self.assertEqual(admin("GET", "/api/v4/users/" + alice["id"]).json["delete_at"], 1700000000000)

    def test_s5_2_get_by_id_etag_and_fields(self):
        alice = self.seed_user("alice")
        r = admin("GET", "/api/v4/users/" + alice["id"])
        self.assertEqual(r.json["delete_at"], 0)
        self.assertNotIn("password", r.json)
        self.assertNotIn("is_bot", r.json)
        etag = r.headers["ETag"]
        r2 = admin("GET", "/api/v4/users/" + alice["id"], headers={"If-None-Match": etag})
        self.assertEqual((r2.status, r2.body), (304, b""))
        bot = admin("GET", "/api/v4/users/username/chat-bridge-bot").json
        self.assertTrue(bot["is_bot"])
        self.assertAppError(admin("GET", "/api/v4/users/" + new_id()), 404, "app.user.missing_account.const")
        self.assertAppError(admin("GET", "/api/v4/users/short"), 400, "api.context.invalid_url_param.app_error")


# ===========================================================================
# §4.3 password, §4.4 active, §4.1 sessions

class TestPasswordAndActive(EmuTestCase):
    def setUp(self):
        super().setUp()
        self.alice = self.seed_user("alice")
        self.path = "/api/v4/users/%s/password" % self.alice["id"]

    def test_s4_3_admin_plain_password_emails_and_terminates_sessions(self):
        token = self.login("alice").headers["Token"]
        sql("UPDATE users SET failedattempts = 3 WHERE id = %s", (self.alice["id"],))
        control("counters/reset", {})
        r = admin("PUT", self.path, {"new_password": "Another1pw"})
        self.assertEqual((r.status, r.json), (200, {"status": "OK"}))
        c = self.counters()
        self.assertEqual((c["emails_sent"], c["passwords_set"], c["password_hashes"]), (1, 1, 1))
        self.assertEqual(control("emails")[-1]["kind"], "password_changed")
        self.assertEqual(request("GET", "/api/v4/users/me", token=token).status, 401)
        st = self.state(self.alice["id"])
        self.assertEqual((st["user"]["failed_attempts"], st["sessions"]), (0, []))
        self.assertEqual(self.login("alice", "Another1pw").status, 200)
        # the admin's own (PAT) session survives
        self.assertEqual(admin("GET", "/api/v4/users/me").status, 200)

    def test_s4_3_terminate_sessions_setting(self):
        self.config(TerminateSessionsOnPasswordChange=False)
        token = self.login("alice").headers["Token"]
        self.assertEqual(admin("PUT", self.path, {"new_password": "Another1pw"}).status, 200)
        self.assertEqual(request("GET", "/api/v4/users/me", token=token).status, 200)

    def test_s4_3_policy_applies_to_plain_password(self):
        self.assertAppError(admin("PUT", self.path, {"new_password": "short"}), 400,
                            "model.user.is_valid.pwd_min_length.app_error")

    def test_s4_3_already_hashed_verbatim_no_email_no_logout(self):
        token = self.login("alice").headers["Token"]
        sql("UPDATE users SET failedattempts = 3, authservice = 'gitlab', authdata = 'x' WHERE id = %s",
            (self.alice["id"],))
        hashed = self.seed_user("tmp", password="Hashed1pw!")["password_hash"]
        control("counters/reset", {})
        r = admin("PUT", self.path, {"new_password": hashed, "already_hashed": "true"})
        self.assertEqual(r.status, 200, r)
        c = self.counters()
        self.assertEqual((c["emails_sent"], c["password_hashes"], c["passwords_set"]), (0, 0, 1))
        self.assertEqual(request("GET", "/api/v4/users/me", token=token).status, 200)
        row = sql("SELECT password, failedattempts, authservice, authdata FROM users WHERE id = %s",
                  (self.alice["id"],))[0]
        self.assertEqual(row, (hashed, 0, "", None))
        self.assertEqual(self.login("alice", "Hashed1pw!").status, 200)
        # no policy check on hashes; a non-PHC string is treated as bcrypt
        bc = bcrypt.hashpw(b"x", bcrypt.gensalt(4)).decode()
        self.assertEqual(admin("PUT", self.path, {"new_password": bc, "already_hashed": "true"}).status, 200)
        self.assertEqual(self.login("alice", "x").status, 200)

    def test_s4_3_admin_converts_sso_user_to_email(self):
        u = self.seed_user("sso", auth_service="gitlab", auth_data="77", password="")
        r = admin("PUT", "/api/v4/users/%s/password" % u["id"], {"new_password": "Conv3rted!"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.login("sso", "Conv3rted!").status, 200)

    def test_s4_3_self_update(self):
        cookies = self.login_cookies("alice")
        h = {"X-Requested-With": "XMLHttpRequest"}
        r = request("PUT", self.path, {"new_password": "Newer1pw"}, cookies=cookies, headers=h)
        self.assertAppError(r, 400, "api.context.invalid_body_param.app_error")
        r = request("PUT", self.path, {"new_password": "Newer1pw", "current_password": "bad"},
                    cookies=cookies, headers=h)
        self.assertAppError(r, 400, "api.user.update_password.incorrect.app_error")
        r = request("PUT", self.path, {"new_password": "Newer1pw", "current_password": PASSWORD},
                    cookies=cookies, headers=h)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(request("GET", "/api/v4/users/me", cookies=cookies).status, 200)  # own spared
        r = request("PUT", self.path, {"new_password": "x", "already_hashed": "true"},
                    cookies=cookies, headers=h)
        self.assertAppError(r, 401, "api.user.update_password.user_and_hashed.app_error")

    def test_s4_3_non_admin_for_other_and_admin_for_unknown(self):
        self.seed_user("bob")
        token = self.login("bob").headers["Token"]
        r = request("PUT", self.path, {"new_password": "Whatever1"}, token=token)
        self.assertAppError(r, 403, "api.user.update_password.context.app_error")
        r = admin("PUT", "/api/v4/users/%s/password" % new_id(), {"new_password": "Whatever1"})
        self.assertAppError(r, 403, "api.user.update_password.context.app_error")

    def test_s4_4_deactivate_and_reactivate(self):
        token = self.login("alice").headers["Token"]
        path = "/api/v4/users/%s/active" % self.alice["id"]
        self.assertAppError(admin("PUT", path, {"active": "false"}), 400,
                            "api.context.invalid_body_param.app_error")
        r = admin("PUT", path, {"active": False})
        self.assertEqual((r.status, r.json), (200, {"status": "OK"}))
        self.assertEqual(request("GET", "/api/v4/users/me", token=token).status, 401)
        self.assertGreater(admin("GET", "/api/v4/users/" + self.alice["id"]).json["delete_at"], 0)
        self.assertAppError(self.login("alice"), 401, "api.user.login.inactive.app_error")
        self.assertEqual(admin("PUT", path, {"active": True}).status, 200)
        self.assertEqual(admin("GET", "/api/v4/users/" + self.alice["id"]).json["delete_at"], 0)
        self.assertEqual(self.login("alice").status, 200)

    def test_s4_4_permissions(self):
        self.seed_user("bob")
        token = self.login("bob").headers["Token"]
        r = request("PUT", "/api/v4/users/%s/active" % self.alice["id"], {"active": False}, token=token)
        self.assertAppError(r, 403, "api.user.update_active.permissions.app_error")
        bob_id = admin("GET", "/api/v4/users/username/bob").json["id"]
        r = request("PUT", "/api/v4/users/%s/active" % bob_id, {"active": False}, token=token)
        self.assertAppError(r, 401, "api.user.update_active.not_enable.app_error")

    def test_s4_1_sessions_list_and_revoke_all(self):
        t1 = self.login("alice").headers["Token"]
        self.login("alice")
        r = admin("GET", "/api/v4/users/%s/sessions" % self.alice["id"])
        self.assertEqual(r.status, 200)
        self.assertEqual(len(r.json), 2)
        for s in r.json:
            self.assertEqual(s["token"], "")
            self.assertRegex(s["props"]["csrf"], ID_RE)
        self.seed_user("bob")
        bob = self.login("bob").headers["Token"]
        self.assertAppError(request("GET", "/api/v4/users/%s/sessions" % self.alice["id"], token=bob),
                            403, "api.context.permissions.app_error")
        self.assertEqual(request("GET", "/api/v4/users/me/sessions", token=t1).status, 200)
        r = admin("POST", "/api/v4/users/%s/sessions/revoke/all" % self.alice["id"])
        self.assertEqual((r.status, r.json), (200, {"status": "OK"}))
        self.assertEqual(request("GET", "/api/v4/users/me", token=t1).status, 401)
        self.assertEqual(self.state(self.alice["id"])["sessions"], [])


# ===========================================================================
# §6 teams

class TestTeams(EmuTestCase):
    def setUp(self):
        super().setUp()
        self.alice = self.seed_user("alice")

    def create_team(self, body, token=ADMIN_TOKEN):
        return request("POST", "/api/v4/teams", body, token=token)

    def add(self, team_id, user_id, token=ADMIN_TOKEN, body=None):
        return request("POST", "/api/v4/teams/%s/members" % team_id,
                       body or {"team_id": team_id, "user_id": user_id}, token=token)

    def channel_names(self, team_id):
        return [r[0] for r in sql("SELECT name FROM channels WHERE teamid = %s ORDER BY createat, name",
                                  (team_id,))]

    def test_s6_create_team_default_channels_and_creator_admin(self):
        r = self.create_team({"name": "openthc", "display_name": "OpenTHC", "type": "O",
                              "allow_open_invite": True})
        self.assertEqual(r.status, 201, r)
        team = r.json
        self.assertEqual(team["email"], "chat-bridge-bot@localhost")
        self.assertEqual(sorted(self.channel_names(team["id"])), ["off-topic", "town-square"])
        m = admin("GET", "/api/v4/teams/%s/members/me" % team["id"]).json
        self.assertEqual((m["roles"], m["scheme_admin"]), ("team_user team_admin", True))

    def test_s6_experimental_default_channels(self):
        self.config(ExperimentalDefaultChannels=["viktig", "generelt", "town-square"])
        team = self.create_team({"name": "fribyte", "display_name": "F", "type": "O"}).json
        self.assertEqual(sorted(self.channel_names(team["id"])), ["generelt", "town-square", "viktig"])
        r = self.add(team["id"], self.alice["id"])
        self.assertEqual(r.status, 201)
        joined = sql("""SELECT c.name FROM channelmembers m JOIN channels c ON c.id = m.channelid
                         WHERE m.userid = %s ORDER BY c.name""", (self.alice["id"],))
        self.assertEqual([j[0] for j in joined], ["generelt", "town-square", "viktig"])

    def test_s6_team_name_rules(self):
        cases = {"helpdesk": "model.team.is_valid.reserved.app_error",
                 "postal": "model.team.is_valid.reserved.app_error",
                 "admin": "model.team.is_valid.reserved.app_error",
                 "Upper": "model.team.is_valid.characters.app_error",
                 "a": "model.team.is_valid.characters.app_error",
                 "-abc": "model.team.is_valid.characters.app_error",
                 "a_b": "model.team.is_valid.characters.app_error",
                 "x" * 65: "model.team.is_valid.name.app_error"}
        for name, err in cases.items():
            self.assertAppError(self.create_team({"name": name, "display_name": "X", "type": "O"}),
                                400, err)
        self.assertAppError(self.create_team({"name": "okteam", "display_name": "X", "type": "P"}),
                            400, "model.team.is_valid.type.app_error")
        self.assertAppError(self.create_team({"name": "okteam", "display_name": "", "type": "O"}),
                            400, "model.team.is_valid.display_name.app_error")
        for name in ("ab", "a-b", "a__b", "team-2"):
            self.assertEqual(self.create_team({"name": name, "display_name": "X", "type": "I"}).status,
                             201, name)
        self.assertAppError(self.create_team({"name": "ab", "display_name": "X", "type": "O"}), 400,
                            "store.sql_team.save_team.existing.app_error")

    def test_s6_get_team_by_name(self):
        self.seed_team("public")
        self.seed_team("private", type="I", allow_open_invite=False)
        token = self.login("alice").headers["Token"]
        self.assertEqual(request("GET", "/api/v4/teams/name/public", token=token).status, 200)
        self.assertNotIn("invite_id", {k: v for k, v in
                                       request("GET", "/api/v4/teams/name/public", token=token).json.items() if v})
        self.assertAppError(request("GET", "/api/v4/teams/name/private", token=token), 403,
                            "api.context.permissions.app_error")
        self.assertEqual(admin("GET", "/api/v4/teams/name/private").status, 200)
        self.assertAppError(admin("GET", "/api/v4/teams/name/nonexistent"), 404,
                            "app.team.get_by_name.missing.app_error")
        self.assertAppError(admin("GET", "/api/v4/teams/name/Bad_Name"), 400,
                            "api.context.invalid_url_param.app_error")

    def test_s6_add_member_always_201_and_idempotent(self):
        team = self.seed_team("public")
        control("counters/reset", {})
        r1 = self.add(team["id"], self.alice["id"])
        self.assertEqual(r1.status, 201, r1)
        self.assertEqual(r1.json["roles"], "team_user")
        self.assertEqual(set(r1.json), {"team_id", "user_id", "roles", "delete_at", "scheme_guest",
                                        "scheme_user", "scheme_admin", "explicit_roles", "create_at"})
        r2 = self.add(team["id"], self.alice["id"])
        self.assertEqual(r2.status, 201)
        self.assertEqual(r1.json, r2.json)
        self.assertEqual(self.counters()["members_added"], 1)
        joins = sql("SELECT count(*) FROM posts WHERE type = 'system_join_team' AND userid = %s",
                    (self.alice["id"],))[0][0]
        self.assertEqual(joins, 1)
        self.assertEqual(sorted(r[0] for r in sql(
            """SELECT c.name FROM channelmembers m JOIN channels c ON c.id = m.channelid
                WHERE m.userid = %s""", (self.alice["id"],))), ["off-topic", "town-square"])
        m = admin("GET", "/api/v4/teams/%s/members/%s" % (team["id"], self.alice["id"]))
        self.assertEqual(m.json, r1.json)
        teams = admin("GET", "/api/v4/users/%s/teams" % self.alice["id"]).json
        self.assertEqual([t["name"] for t in teams], ["public"])

    def test_s6_max_users_per_team(self):
        self.assertEqual(control("config")["TeamSettings"]["MaxUsersPerTeam"], 50)
        self.config(MaxUsersPerTeam=2)
        team = self.seed_team("small")
        bob, carol, dave = (self.seed_user(n) for n in ("bob", "carol", "dave"))
        self.assertEqual(self.add(team["id"], self.alice["id"]).status, 201)
        self.assertEqual(self.add(team["id"], bob["id"]).status, 201)
        self.assertAppError(self.add(team["id"], carol["id"]), 400,
                            "app.team.join_user_to_team.save_member.max_accounts.app_error")
        self.assertEqual(self.add(team["id"], bob["id"]).status, 201)  # existing: still fine
        # deactivated users do not count
        admin("PUT", "/api/v4/users/%s/active" % bob["id"], {"active": False})
        self.assertEqual(self.add(team["id"], carol["id"]).status, 201)
        # a removed membership is re-activated, subject to the limit
        sql("UPDATE teammembers SET deleteat = 1 WHERE userid = %s", (self.alice["id"],))
        self.assertEqual(self.add(team["id"], dave["id"]).status, 201)
        self.assertAppError(self.add(team["id"], self.alice["id"]), 400,
                            "app.team.join_user_to_team.max_accounts.app_error")
        self.config(MaxUsersPerTeam=5)
        r = self.add(team["id"], self.alice["id"])
        self.assertEqual((r.status, r.json["delete_at"]), (201, 0))

    def test_s6_deactivated_target_is_added(self):
        team = self.seed_team("public")
        gone = self.seed_user("gone", delete_at=1)
        self.assertEqual(self.add(team["id"], gone["id"]).status, 201)

    def test_s6_add_member_errors(self):
        team = self.seed_team("public")
        self.assertAppError(self.add(team["id"], self.alice["id"],
                                     body={"team_id": new_id(), "user_id": self.alice["id"]}), 400,
                            "api.context.invalid_body_param.app_error")
        self.assertAppError(self.add(team["id"], "x", body={"team_id": team["id"], "user_id": "x"}), 400,
                            "api.context.invalid_body_param.app_error")
        self.assertAppError(self.add(team["id"], new_id()), 404, "app.user.missing_account.const")
        tid = new_id()
        self.assertAppError(self.add(tid, self.alice["id"]), 404, "app.team.get.find.app_error")
        self.assertAppError(request("POST", "/api/v4/teams/%s/members" % team["id"], raw=b"nope",
                                    token=ADMIN_TOKEN), 400, "api.context.invalid_body_param.app_error")

    def test_s6_s7_member_permissions(self):
        public = self.seed_team("public")
        private = self.seed_team("private", type="I", allow_open_invite=False)
        bob = self.seed_user("bob")
        token = self.login("alice").headers["Token"]
        # joining an open team oneself: join_public_teams (system_user has it)
        self.assertEqual(self.add(public["id"], self.alice["id"], token=token).status, 201)
        self.assertAppError(self.add(private["id"], self.alice["id"], token=token), 403,
                            "api.context.permissions.app_error")
        # adding someone else needs add_user_to_team: team members have it
        self.assertEqual(self.add(public["id"], bob["id"], token=token).status, 201)
        self.assertAppError(self.add(private["id"], bob["id"], token=token), 403,
                            "api.context.permissions.app_error")

    def test_s6_concurrent_adds_of_same_user(self):
        team = self.seed_team("public")
        with concurrent.futures.ThreadPoolExecutor(30) as pool:
            results = list(pool.map(lambda _: self.add(team["id"], self.alice["id"]), range(30)))
        for r in results:
            self.assertIn((r.status, r.error_id if r.status != 201 else None),
                          {(201, None), (400, "app.team.join_user_to_team.save_member.conflict.app_error")})
        self.assertGreaterEqual(sum(r.status == 201 for r in results), 1)
        self.assertEqual(sql("SELECT count(*) FROM teammembers WHERE userid = %s",
                             (self.alice["id"],))[0][0], 1)


# ===========================================================================
# Channels (operator tools, §7 web app calls)

class TestChannels(EmuTestCase):
    def test_channel_lookup_create_and_members(self):
        alice = self.seed_user("alice")
        team = self.seed_team("public")
        control("seed/member", {"team_name": "public", "user_id": alice["id"]})
        r = admin("GET", "/api/v4/teams/name/public/channels/name/town-square?include_deleted=false")
        self.assertEqual((r.status, r.json["name"], r.json["type"]), (200, "town-square", "O"))
        self.assertEqual(admin("GET", "/api/v4/teams/%s/channels/name/off-topic" % team["id"]).status, 200)
        self.assertAppError(admin("GET", "/api/v4/teams/name/public/channels/name/nothing"), 404,
                            "app.channel.get_by_name.missing.app_error")
        r = admin("POST", "/api/v4/channels", {"team_id": team["id"], "name": "ops", "display_name": "Ops",
                                               "type": "P"})
        self.assertEqual(r.status, 201, r)
        cid = r.json["id"]
        self.assertAppError(admin("POST", "/api/v4/channels", {"team_id": team["id"], "name": "ops",
                                                               "display_name": "Ops", "type": "P"}),
                            400, "store.sql_channel.save_channel.exists.app_error")
        token = self.login("alice").headers["Token"]
        self.assertAppError(request("GET", "/api/v4/teams/name/public/channels/name/ops", token=token),
                            403, "api.context.permissions.app_error")
        r1 = admin("POST", "/api/v4/channels/%s/members" % cid, {"user_id": alice["id"]})
        r2 = admin("POST", "/api/v4/channels/%s/members" % cid, {"user_id": alice["id"]})
        self.assertEqual((r1.status, r2.status), (201, 201))
        self.assertEqual(r1.json, r2.json)
        self.assertEqual(r1.json["roles"], "channel_user")
        self.assertEqual(request("GET", "/api/v4/teams/name/public/channels/name/ops", token=token).status, 200)
        self.assertEqual(admin("GET", "/api/v4/channels/%s/members/%s" % (cid, alice["id"])).status, 200)
        outsider = self.seed_user("outsider")
        self.assertAppError(admin("POST", "/api/v4/channels/%s/members" % cid, {"user_id": outsider["id"]}),
                            404, "app.team.get_member.missing.app_error")


# ===========================================================================
# §7 web page

class TestWebPage(EmuTestCase):
    def test_s7_page_and_script(self):
        r = request("GET", "/myteam/channels/town-square")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.headers["Content-Type"], "text/html; charset=utf-8")
        page = r.body.decode()
        self.assertIn('id="signed-in-status"', page)
        self.assertIn('<span id="team-name">myteam</span>', page)
        self.assertIn('<span id="channel-name">town-square</span>', page)
        self.assertIn('src="/static/mmemu-page.js"', page)
        self.assertIn("script-src 'self'", r.headers["Content-Security-Policy"])
        js = request("GET", "/static/mmemu-page.js")
        self.assertEqual(js.status, 200)
        script = js.body.decode()
        self.assertIn("document.cookie.indexOf('MMUSERID=')", script)
        self.assertIn("/api/v4/users/me", script)
        self.assertIn("'X-Requested-With': 'XMLHttpRequest'", script)
        self.assertIn("credentials: 'include'", script)
        self.assertIn("textContent = 'signed in as ' + user.username", script)
        for path in ("/", "/login?redirect_to=%2Fx"):
            self.assertEqual(request("GET", path).status, 200)
        self.assertEqual(request("GET", "/favicon.ico").status, 404)

    def test_s7_page_under_site_url_subpath(self):
        self.config(**{"ServiceSettings.SiteURL": "http://127.0.0.1:%d/chat" % ENV["port"]})
        r = request("GET", "/chat/team/channels/town-square")
        self.assertIn('src="/chat/static/mmemu-page.js"', r.body.decode())
        self.assertEqual(request("GET", "/chat/api/v4/users/me", token=ADMIN_TOKEN).status, 200)


# ===========================================================================
# Faults and counters (control API)

class TestFaultsAndCounters(EmuTestCase):
    def test_fault_down_closes_without_answer(self):
        control("fault", {"mode": "down", "count": 1})
        with self.assertRaises((http.client.RemoteDisconnected, ConnectionError)):
            request("GET", "/api/v4/system/ping")
        self.assertEqual(request("GET", "/api/v4/system/ping").status, 200)  # auto-cleared
        self.assertEqual(control("fault"), {"mode": "none"})

    def test_fault_slow(self):
        control("fault", {"mode": "slow", "delay_ms": 400})
        start = time.time()
        self.assertEqual(request("GET", "/api/v4/system/ping").status, 200)
        self.assertGreaterEqual(time.time() - start, 0.4)
        control("fault", {"mode": "none"})
        start = time.time()
        request("GET", "/api/v4/system/ping")
        self.assertLess(time.time() - start, 0.3)

    def test_fault_status_500_and_503_app_error(self):
        for status in (500, 503):
            control("fault", {"mode": "status", "status": status, "path_prefix": "/api/v4/users/login"})
            r = self.login("x", "y")
            self.assertAppError(r, status, "api.emu.fault_injected.app_error")
            self.assertEqual(request("GET", "/api/v4/system/ping").status, 200)  # other paths fine

    def test_fault_429_like_rate_limiter(self):
        control("fault", {"mode": "status", "status": 429, "count": 2, "retry_after": 3})
        for _ in range(2):
            r = request("GET", "/api/v4/system/ping")
            self.assertEqual(r.status, 429)
            self.assertEqual(r.body, b"limit exceeded\n")
            self.assertEqual(r.headers["Content-Type"], "text/plain; charset=utf-8")
            self.assertEqual(r.headers["X-Content-Type-Options"], "nosniff")
            self.assertEqual(r.headers["Retry-After"], "3")
            for h in ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"):
                self.assertIsNotNone(r.headers[h], h)
            self.assertIsNone(r.headers["X-Request-Id"])
        self.assertEqual(request("GET", "/api/v4/system/ping").status, 200)

    def test_fault_never_applies_to_control_api(self):
        control("fault", {"mode": "down", "path_prefix": "/"})
        self.assertEqual(control("counters")["logins_ok"], 0)
        control("fault", {"mode": "none"})

    def test_fault_validation(self):
        self.assertEqual(request("POST", "/__emu/fault", {"mode": "explode"}).status, 400)
        self.assertEqual(request("POST", "/__emu/fault", {"mode": "status", "status": 200}).status, 400)

    def test_counters_by_route_template(self):
        alice = self.seed_user("alice")
        control("counters/reset", {})
        admin("GET", "/api/v4/users/" + alice["id"])
        admin("GET", "/api/v4/users/" + alice["id"])
        admin("GET", "/api/v4/users/email/alice@example.com")
        admin("GET", "/api/v4/users/me")
        request("GET", "/x/channels/town-square")
        c = self.counters()
        self.assertEqual(c["requests"], {
            "GET /api/v4/users/{user_id}": 2, "GET /api/v4/users/email/{email}": 1,
            "GET /api/v4/users/me": 1, "GET /{team_name}/channels/{channel_name}": 1})
        control("counters/reset", {})
        self.assertEqual(self.counters()["requests"], {})


class TestControlApi(EmuTestCase):
    def test_reset_keeps_only_admin_bot(self):
        alice = self.seed_user("alice")
        self.seed_team("public")
        control("seed/member", {"team_name": "public", "user_id": alice["id"]})
        self.login("alice")
        self.config(MaxUsersPerTeam=3)
        control("reset", {})
        tables = self.state()["tables"]
        self.assertEqual((tables["users"], tables["bots"], tables["useraccesstokens"]), (1, 1, 1))
        for t in ("teams", "teammembers", "sessions", "channels", "channelmembers", "posts"):
            self.assertEqual(tables[t], 0, t)
        self.assertEqual(control("config")["TeamSettings"]["MaxUsersPerTeam"], 50)
        self.assertEqual(admin("GET", "/api/v4/users/me").json["username"], "chat-bridge-bot")

    def test_config_forms_and_validation(self):
        self.config(**{"ServiceSettings.MaximumLoginAttempts": 3})
        control("config", {"TeamSettings": {"MaxUsersPerTeam": 7}})
        cfg = control("config")
        self.assertEqual((cfg["ServiceSettings"]["MaximumLoginAttempts"],
                          cfg["TeamSettings"]["MaxUsersPerTeam"]), (3, 7))
        self.assertEqual(request("POST", "/__emu/config", {"NoSuchSetting": 1}).status, 400)
        self.assertEqual(request("POST", "/__emu/config", {"MaxUsersPerTeam": "5"}).status, 400)
        self.assertEqual(request("POST", "/__emu/config", {"Enable": True}).status, 400)  # ambiguous

    def test_defaults_from_behaviour_document(self):
        cfg = control("config")
        s = cfg["ServiceSettings"]
        self.assertEqual((s["SessionLengthWebInHours"], s["MaximumLoginAttempts"],
                          s["ExperimentalStrictCSRFEnforcement"], s["SessionCacheInMinutes"],
                          s["EnableUserAccessTokens"], s["TerminateSessionsOnPasswordChange"]),
                         (720, 10, False, 10, False, True))
        self.assertEqual((cfg["TeamSettings"]["MaxUsersPerTeam"],
                          cfg["TeamSettings"]["ExperimentalDefaultChannels"]), (50, []))
        self.assertEqual(cfg["PasswordSettings"], {"MinimumLength": 8, "Lowercase": False,
                                                   "Uppercase": False, "Number": False, "Symbol": False})
        e = cfg["EmailSettings"]
        self.assertEqual((e["RequireEmailVerification"], e["EnableSignInWithEmail"],
                          e["EnableSignInWithUsername"]), (False, True, True))

    def test_second_instance_on_same_database_is_idempotent(self):
        proc, port = start_emulator(ENV["dsn"], ENV["workdir"])
        try:
            r = request("GET", "/api/v4/users/me", token=ADMIN_TOKEN, port=port)
            self.assertEqual(r.status, 200)
            self.assertEqual(r.json["id"], admin("GET", "/api/v4/users/me").json["id"])
            self.assertEqual(self.state()["tables"]["users"], 1)
        finally:
            proc.terminate()
            proc.wait(10)


class TestConcurrency(EmuTestCase):
    def test_30_concurrent_logins(self):
        self.seed_user("alice")
        with concurrent.futures.ThreadPoolExecutor(30) as pool:
            results = list(pool.map(lambda _: self.login("alice"), range(30)))
        self.assertEqual([r.status for r in results], [200] * 30)
        self.assertEqual(len({r.headers["Token"] for r in results}), 30)
        self.assertEqual(self.counters()["logins_ok"], 30)

    def test_database_connections_are_kept(self):
        """Like Go's database/sql pool: connections opened under concurrency
        stay open for the next requests (no new backend per request)."""
        self.seed_user("alice")
        tok = self.login_cookies("alice")["MMAUTHTOKEN"]

        def burst():
            with concurrent.futures.ThreadPoolExecutor(8) as pool:
                rs = list(pool.map(lambda _: request("GET", "/api/v4/users/me", token=tok), range(200)))
            self.assertEqual({r.status for r in rs}, {200})

        backends = ("SELECT pid, backend_start FROM pg_stat_activity "
                    "WHERE application_name = 'mmemu' AND datname = current_database()")
        burst()
        first = set(sql(backends))
        start = sql("SELECT now()")[0][0]
        burst()
        second = set(sql(backends))
        self.assertGreater(len(first), 1, "concurrent requests should use several connections")
        # The second burst reuses them: a connection more at most where its
        # peak concurrency beat the first's (psycopg2's own pool opened one
        # per request, 200).
        opened = [b for b in second if b[1] >= start]
        self.assertLessEqual(len(opened), 2, "connections opened for the second burst: %s" % opened)


    def test_connections_the_server_closed_are_not_used(self):
        """After a database restart or failover every pooled connection is
        dead; like Go's pool (a query that meets driver.ErrBadConn is
        retried on another connection) the next requests still succeed."""
        self.seed_user("alice")
        tok = self.login_cookies("alice")["MMAUTHTOKEN"]
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda _: request("GET", "/api/v4/users/me", token=tok), range(50)))
        sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'mmemu' "
            "AND datname = current_database()")
        time.sleep(0.2)
        rs = [request("GET", "/api/v4/users/me", token=tok) for _ in range(20)]
        self.assertEqual({r.status for r in rs}, {200})

# ===========================================================================
# Corrections, December 2026: client config, versions and the switches that
# model them (test_cN_… = correction N)

class TestClientConfigAndVersion(EmuTestCase):
    def test_c1_client_config_old_format_unauthenticated_strings(self):
        r = request("GET", "/api/v4/config/client?format=old")
        self.assertEqual(r.status, 200, r)
        self.assertRegex(r.headers["X-Request-Id"], ID_RE)
        c = r.json
        self.assertEqual(list(c), sorted(c))  # Go map order
        self.assertTrue(all(isinstance(v, str) for v in c.values()), c)
        self.assertEqual((c["EnableSignInWithEmail"], c["EnableSignInWithUsername"],
                          c["EnableMultifactorAuthentication"], c["Version"], c["BuildNumber"]),
                         ("true", "true", "false", "11.1.0", "11.1.0"))
        self.assertEqual((c["PasswordMinimumLength"], c["EnableGuestAccounts"], c["EnableSaml"],
                          c["SiteURL"], c["NoAccounts"]),
                         ("8", "false", "false", "http://127.0.0.1:%d" % ENV["port"], "true"))
        self.config(EnableSignInWithEmail=False, EnableMultifactorAuthentication=True,
                    MinimumLength=12, **{"GuestAccountsSettings.Enable": True})
        self.seed_user("alice")
        c = request("GET", "/api/v4/config/client?format=old").json
        self.assertEqual((c["EnableSignInWithEmail"], c["EnableSignInWithUsername"],
                          c["EnableMultifactorAuthentication"], c["PasswordMinimumLength"],
                          c["EnableGuestAccounts"], c["NoAccounts"]),
                         ("false", "true", "true", "12", "true", "false"))

    def test_c1_client_config_needs_format_old(self):
        self.assertAppError(request("GET", "/api/v4/config/client"), 501,
                            "api.config.client.old_format.app_error")
        self.assertAppError(request("GET", "/api/v4/config/client?format=new"), 400,
                            "api.context.invalid_body_param.app_error")
        self.assertEqual(admin("GET", "/api/v4/config/client?format=old").status, 200)

    def test_c7_s8_2_version_switch_sets_x_version_id(self):
        def version_id():
            return request("GET", "/api/v4/system/ping").headers["X-Version-Id"]
        default = version_id()
        self.assertRegex(default, r"^11\.1\.0\.11\.1\.0\.[0-9a-f]{32}\.false$")
        self.assertEqual(version_id(), default)  # same config, same hash
        self.config(**{"EmulatorSettings.Version": "11.3.0"})
        self.assertRegex(version_id(), r"^11\.3\.0\.11\.3\.0\.[0-9a-f]{32}\.false$")
        self.assertEqual(request("GET", "/api/v4/config/client?format=old").json["Version"], "11.3.0")
        self.config(**{"EmulatorSettings.Version": "10.11.4", "EmulatorSettings.Licensed": True})
        self.assertRegex(version_id(), r"^10\.11\.4\.10\.11\.4\.[0-9a-f]{32}\.true$")
        # the hash is the client config's: it follows published settings
        before = version_id().split(".")[6]
        self.config(EnableSignInWithUsername=False)
        self.assertNotEqual(version_id().split(".")[6], before)
        for bad in ("9.5.0", "12.0.0", "11.1", "v11.1.0", "11.01.0", 11):
            r = request("POST", "/__emu/config", {"EmulatorSettings.Version": bad})
            self.assertEqual(r.status, 400, bad)
        control("reset", {})
        self.assertEqual(version_id(), default)

    def test_config_override_with_a_bad_value_changes_nothing(self):
        r = request("POST", "/__emu/config", {"MaxUsersPerTeam": 7, "EmulatorSettings.Version": "1.0"})
        self.assertEqual(r.status, 400)
        self.assertEqual(control("config")["TeamSettings"]["MaxUsersPerTeam"], 50)
        for name in ("RateLimitSettings.PerSec", "RateLimitSettings.MemoryStoreSize",
                     "ServiceSettings.MaximumLoginAttempts"):
            self.assertEqual(request("POST", "/__emu/config", {name: 0}).status, 400, name)
        self.assertEqual(request("POST", "/__emu/config", {"RateLimitSettings.MaxBurst": -1}).status, 400)
        self.assertEqual(request("POST", "/__emu/config", {"RateLimitSettings.MaxBurst": 0}).status, 200)

    def test_c_defaults_of_the_new_switches(self):
        cfg = control("config")
        self.assertEqual(cfg["EmulatorSettings"], {
            "MaxActiveUsers": 250, "Version": "11.1.0", "Licensed": False,
            "SerializePasswordChecks": False, "SessionsExtraColumn": False})
        self.assertEqual(cfg["RateLimitSettings"], {"Enable": False, "PerSec": 10, "MaxBurst": 100,
                                                    "MemoryStoreSize": 10000})
        self.assertEqual(cfg["GuestAccountsSettings"], {"Enable": False})
        self.assertFalse(cfg["ServiceSettings"]["EnableMultifactorAuthentication"])


class TestVersionedLogin(EmuTestCase):
    """Correction 1: GetUserForLogin from 11.3 on."""

    def setUp(self):
        super().setUp()
        self.alice = self.seed_user("alice")

    def version(self, v):
        self.config(**{"EmulatorSettings.Version": v})

    def test_c1_from_11_3_no_password_login_with_both_sign_in_flags_off(self):
        self.version("11.3.0")
        self.config(EnableSignInWithEmail=False, EnableSignInWithUsername=False)
        for r in (self.login(self.alice["id"], by_id=True), self.login("alice"),
                  self.login("alice@example.com"), self.login(self.alice["id"], "wrong", by_id=True)):
            self.assertAppError(r, 401, "api.user.login.invalid_credentials_email_username")
        self.assertEqual(self.state(self.alice["id"])["user"]["failed_attempts"], 0)  # never loaded
        self.config(EnableSignInWithUsername=True)
        self.assertEqual(self.login(self.alice["id"], by_id=True).status, 200)
        self.config(EnableSignInWithUsername=False, EnableSignInWithEmail=True)
        self.assertEqual(self.login(self.alice["id"], by_id=True).status, 200)

    def test_c1_up_to_11_2_login_by_id_works_whatever_the_flags(self):
        legacy = self.seed_user("legacy", password_hash=bcrypt.hashpw(PASSWORD.encode(),
                                                                      bcrypt.gensalt(4)).decode())
        self.config(EnableSignInWithEmail=False, EnableSignInWithUsername=False)
        for v in ("10.11.4", "11.0.0", "11.2.9"):  # 10.x first: 11.x migrates the hash
            self.version(v)
            self.assertEqual(self.login(legacy["id"], by_id=True).status, 200, v)
            self.assertAppError(self.login("legacy"), 401, "api.user.login.invalid_credentials_email_username")

    def test_c1_s1_1_login_id_follows_the_flags_and_ambiguity_is_not_found(self):
        self.version("11.3.0")
        bob = self.seed_user("bob")
        self.assertEqual(self.login("ALICE").status, 200)
        self.assertEqual(self.login("Alice@Example.COM").status, 200)
        # bob's username equals alice's email (only possible by writing the table directly)
        sql("UPDATE users SET username = 'alice@example.com' WHERE id = %s", (bob["id"],))
        self.assertAppError(self.login("alice@example.com"), 401,
                            "api.user.login.invalid_credentials_email_username")
        self.config(EnableSignInWithUsername=False)  # email only: one match again
        r = self.login("ALICE@example.com")
        self.assertEqual((r.status, r.json["id"]), (200, self.alice["id"]))
        self.assertAppError(self.login("alice"), 401, "api.user.login.invalid_credentials_email")
        self.config(EnableSignInWithUsername=True, EnableSignInWithEmail=False)
        r = self.login("alice@example.com")  # now bob, by username
        self.assertEqual((r.status, r.json["id"]), (200, bob["id"]))


class TestRateLimits(EmuTestCase):
    """§8.3 global limiter and correction 2's login limiter (per process)."""

    def logins(self, n, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", ENV["port"], timeout=10)
        start = time.monotonic()
        try:
            out = [self.login("nobody", headers=headers, conn=conn) for _ in range(n)]
        finally:
            conn.close()
        return out, time.monotonic() - start

    def assertLimited(self, r, limit):
        self.assertEqual(r.status, 429)
        self.assertEqual(r.body, b"limit exceeded\n")
        self.assertEqual(r.headers["Content-Type"], "text/plain; charset=utf-8")
        self.assertEqual(r.headers["X-Content-Type-Options"], "nosniff")
        self.assertGreaterEqual(int(r.headers["Retry-After"]), 1)
        self.assertEqual(r.headers.get_all("X-Ratelimit-Limit")[-1], str(limit))
        self.assertEqual(r.headers.get_all("X-Ratelimit-Remaining")[-1], "0")
        self.assertGreaterEqual(int(r.headers.get_all("X-Ratelimit-Reset")[-1]), 1)
        self.assertIsNone(r.headers["X-Request-Id"])  # answered before the API handler
        self.assertIsNone(r.headers["X-Version-Id"])

    def test_c2_login_limited_to_5_per_second_burst_10_from_11_3(self):
        self.config(**{"EmulatorSettings.Version": "11.3.0", "RateLimitSettings.Enable": True})
        control("counters/reset", {})
        results, elapsed = self.logins(16)
        passed = [r for r in results if r.status != 429]
        self.assertEqual([r.status for r in results[:11]], [401] * 11)  # burst 10 + 1
        self.assertLessEqual(len(passed), 11 + int(elapsed * 5) + 1)
        first = [r for r in results if r.status == 429][0]
        self.assertLimited(first, 11)
        # a passing login carries both limiters' headers, the global one first
        self.assertEqual(results[0].headers.get_all("X-Ratelimit-Limit"), ["101", "11"])
        self.assertEqual(results[0].headers.get_all("X-Ratelimit-Remaining")[1], "10")
        self.assertIsNone(results[0].headers["Retry-After"])
        self.assertGreaterEqual(self.counters()["rate_limited"], 1)
        # other routes only see the global limiter
        self.assertEqual(request("GET", "/api/v4/system/ping").status, 200)
        time.sleep(0.45)   # two emission intervals of 200 ms
        self.assertEqual(self.login("nobody").status, 401)

    def test_c2_login_limiter_keyed_on_socket_address_not_forwarded_for(self):
        self.config(**{"EmulatorSettings.Version": "11.4.0", "RateLimitSettings.Enable": True})
        results = []
        conn = http.client.HTTPConnection("127.0.0.1", ENV["port"], timeout=10)
        for i in range(16):
            results.append(self.login("nobody", conn=conn,
                                      headers={"X-Forwarded-For": "10.0.0.%d" % i,
                                               "X-Real-IP": "10.0.1.%d" % i}))
        conn.close()
        self.assertIn(429, [r.status for r in results])

    def test_c2_no_login_limiter_before_11_3_or_with_rate_limiting_off(self):
        self.config(**{"EmulatorSettings.Version": "11.3.0"})
        results, _ = self.logins(20)
        self.assertEqual({r.status for r in results}, {401})
        self.assertIsNone(results[-1].headers["X-Ratelimit-Limit"])
        self.config(**{"EmulatorSettings.Version": "11.2.0", "RateLimitSettings.Enable": True})
        results, _ = self.logins(20)
        self.assertEqual({r.status for r in results}, {401})
        self.assertEqual(results[-1].headers.get_all("X-Ratelimit-Limit"), ["101"])

    def test_s8_3_global_limiter_wraps_every_request_but_not_the_control_api(self):
        self.config(**{"RateLimitSettings.Enable": True, "RateLimitSettings.PerSec": 1,
                       "RateLimitSettings.MaxBurst": 2})
        statuses = [request("GET", "/api/v4/system/ping").status for _ in range(3)]
        self.assertEqual(statuses, [200, 200, 200])
        self.assertLimited(request("GET", "/api/v4/system/ping"), 3)
        self.assertEqual(request("GET", "/x/channels/town-square").status, 429)  # web pages too
        self.assertEqual(request("GET", "/__emu/counters").status, 200)
        control("reset", {})   # clears the limiters with the settings
        r = request("GET", "/api/v4/system/ping")
        self.assertEqual(r.status, 200)
        self.assertIsNone(r.headers["X-Ratelimit-Limit"])


def pbkdf2_phc(password, iterations, salt=b"0123456789abcdef"):
    """A PHC string as Mattermost 11 writes it (§9)."""
    import base64
    import hashlib
    dk = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations, 32)
    return "$pbkdf2$f=SHA256,w=%d,l=32$%s$%s" % (
        iterations, base64.b64encode(salt).decode().rstrip("="), base64.b64encode(dk).decode().rstrip("="))


class TestPasswordCheckLock(EmuTestCase):
    """Correction 3: EmulatorSettings.SerializePasswordChecks."""
    SLOW = pbkdf2_phc(PASSWORD, 150000)   # tens of ms per check, migrated on first login

    def parallel_first_logins(self, n):
        for i in range(n):
            self.seed_user("slow%d" % i, password_hash=self.SLOW)
        control("counters/reset", {})
        with concurrent.futures.ThreadPoolExecutor(n) as pool:
            results = list(pool.map(lambda i: self.login("slow%d" % i), range(n)))
        self.assertEqual([r.status for r in results], [200] * n)
        return self.counters()

    def timed_login(self):
        start = time.monotonic()
        self.assertEqual(self.login("alice").status, 200)
        return time.monotonic() - start

    def test_c3_without_the_switch_password_checks_run_concurrently(self):
        c = self.parallel_first_logins(8)
        self.assertGreater(c["password_checks_max_concurrent"], 1)
        self.assertEqual(c["password_lock_wait_ms"], 0)

    def test_c3_serialized_checks_one_at_a_time_and_the_wait_is_counted(self):
        self.config(**{"EmulatorSettings.SerializePasswordChecks": True})
        c = self.parallel_first_logins(8)
        self.assertEqual(c["password_checks_max_concurrent"], 1)
        self.assertGreater(c["password_lock_wait_ms"], 0)

    def test_c3_a_held_lock_delays_logins_only_with_the_switch(self):
        self.seed_user("alice")
        control("password-lock/hold", {"ms": 600})
        self.assertLess(self.timed_login(), 0.4)
        self.config(**{"EmulatorSettings.SerializePasswordChecks": True})
        control("counters/reset", {})
        control("password-lock/hold", {"ms": 600})
        self.assertGreaterEqual(self.timed_login(), 0.5)
        self.assertGreaterEqual(self.counters()["password_lock_wait_ms"], 450)
        # unknown users and blank passwords never reach the lock
        control("password-lock/hold", {"ms": 600})
        start = time.monotonic()
        self.assertEqual(self.login("nobody").status, 401)
        self.assertEqual(self.login("alice", "").status, 400)
        self.assertLess(time.monotonic() - start, 0.4)
        self.assertEqual(request("POST", "/__emu/password-lock/hold", {"ms": 0}).status, 400)


class TestPasswordHashersByVersion(EmuTestCase):
    """Correction 7: 10.x verifies bcrypt only; 11.x migrates bcrypt to PBKDF2."""

    def kind(self, user_id):
        return self.state(user_id)["user"]["password"]

    def put_password(self, user_id, body):
        return admin("PUT", "/api/v4/users/%s/password" % user_id, body)

    def test_c7_10x_new_hashes_are_bcrypt_and_are_never_migrated(self):
        self.config(**{"EmulatorSettings.Version": "10.11.4"})
        alice = self.seed_user("alice")
        self.assertRegex(alice["password_hash"], r"^\$2a\$04\$[./A-Za-z0-9]{53}$")
        control("counters/reset", {})
        self.assertEqual(self.login("alice").status, 200)
        self.assertEqual((self.kind(alice["id"]), self.counters()["password_hashes"]),
                         ({"kind": "bcrypt"}, 0))
        r = admin("POST", "/api/v4/users", {"username": "bob", "email": "bob@example.com",
                                            "password": PASSWORD})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(self.kind(r.json["id"]), {"kind": "bcrypt"})
        self.assertEqual(self.put_password(alice["id"], {"new_password": "Another1pw"}).status, 200)
        self.assertEqual(self.kind(alice["id"]), {"kind": "bcrypt"})
        self.assertEqual(self.login("alice", "Another1pw").status, 200)

    def test_c7_10x_a_pbkdf2_hash_set_with_already_hashed_never_verifies(self):
        self.config(**{"EmulatorSettings.Version": "10.11.4"})
        alice = self.seed_user("alice")
        r = self.put_password(alice["id"], {"new_password": pbkdf2_phc(PASSWORD, ITERATIONS),
                                            "already_hashed": "true"})
        self.assertEqual(r.status, 200, r)
        for attempts in (1, 2):
            self.assertAppError(self.login("alice"), 401, "api.user.login.invalid_credentials_email_username")
            self.assertEqual(self.state(alice["id"])["user"]["failed_attempts"], attempts)
        self.config(**{"EmulatorSettings.Version": "11.1.0"})  # the same row on 11.x
        self.assertEqual(self.login("alice").status, 200)
        self.assertEqual(self.state(alice["id"])["user"]["failed_attempts"], 0)

    def test_c7_11x_bcrypt_set_with_already_hashed_verifies_and_is_migrated_on_first_login(self):
        alice = self.seed_user("alice")
        hashed = bcrypt.hashpw(b"Legacy1pw", bcrypt.gensalt(4)).decode()
        self.assertEqual(self.put_password(alice["id"], {"new_password": hashed,
                                                         "already_hashed": "true"}).status, 200)
        self.assertEqual(self.kind(alice["id"]), {"kind": "bcrypt"})
        control("counters/reset", {})
        self.assertEqual(self.login("alice", "Legacy1pw").status, 200)
        self.assertEqual(self.kind(alice["id"]), {"kind": "pbkdf2", "iterations": ITERATIONS})
        self.assertEqual(self.login("alice", "Legacy1pw").status, 200)
        c = self.counters()
        self.assertEqual((c["password_hashes"], c["password_verifications"]), (1, 2))
        # a 10.x node can no longer verify the migrated hash
        self.config(**{"EmulatorSettings.Version": "10.11.4"})
        self.assertAppError(self.login("alice", "Legacy1pw"), 401,
                            "api.user.login.invalid_credentials_email_username")


class TestGuestsAndRemoteUsers(EmuTestCase):
    MASKED = "api.user.login.invalid_credentials_email_username"

    def test_c4_guest_login_masked_unless_licensed_and_guest_accounts_enabled(self):
        guest = self.seed_user("guest", roles="system_guest")
        for settings in ({}, {"EmulatorSettings.Licensed": True},
                         {"EmulatorSettings.Licensed": False, "GuestAccountsSettings.Enable": True}):
            self.config(**settings)
            self.assertAppError(self.login("guest"), 401, self.MASKED)
        self.assertEqual(self.state(guest["id"])["user"]["failed_attempts"], 0)  # password was right
        self.assertEqual(self.state(guest["id"])["sessions"], [])
        self.config(**{"EmulatorSettings.Licensed": True, "GuestAccountsSettings.Enable": True})
        r = self.login("guest")
        self.assertEqual(r.status, 200, r)
        s = self.state(guest["id"])["sessions"][0]
        self.assertEqual((s["roles"], s["props"]["is_guest"]), ("system_guest", "true"))
        self.assertAppError(self.login("guest", "wrong"), 401, self.MASKED)
        self.assertEqual(self.state(guest["id"])["user"]["failed_attempts"], 1)

    def test_c5_remote_user_is_seedable_and_returned_with_remote_id(self):
        rid = new_id()
        remote = self.seed_user("remote", remote_id=rid)
        self.assertEqual(remote["remote_id"], rid)
        self.assertEqual(sql("SELECT remoteid FROM users WHERE id = %s", (remote["id"],))[0][0], rid)
        self.assertEqual(admin("GET", "/api/v4/users/" + remote["id"]).json["remote_id"], rid)
        alice = self.seed_user("alice")
        self.assertNotIn("remote_id", admin("GET", "/api/v4/users/" + alice["id"]).json)
        self.assertIsNone(sql("SELECT remoteid FROM users WHERE id = %s", (alice["id"],))[0][0])
        col = sql("""SELECT data_type, character_maximum_length, is_nullable, column_default
                       FROM information_schema.columns
                      WHERE table_name = 'users' AND column_name = 'remoteid'""")
        self.assertEqual(col, [("character varying", 26, "YES", None)])
        # SanitizeInput clears it on POST /users
        r = admin("POST", "/api/v4/users", {"username": "bob", "email": "bob@example.com",
                                            "password": PASSWORD, "remote_id": rid})
        self.assertEqual(r.status, 201, r)
        self.assertNotIn("remote_id", r.json)

    def test_c5_remote_user_never_logs_in_and_gets_no_session(self):
        remote = self.seed_user("remote", remote_id=new_id())
        control("counters/reset", {})
        self.assertAppError(self.login("remote"), 401, self.MASKED)
        self.assertAppError(self.login(remote["id"], by_id=True), 401, self.MASKED)
        self.assertAppError(self.login("remote", "wrong"), 401, self.MASKED)
        st = self.state(remote["id"])
        self.assertEqual((st["sessions"], st["user"]["failed_attempts"]), ([], 1))
        c = self.counters()
        self.assertEqual((c["sessions_created"], c["logins_ok"], c["logins_failed"]), (0, 0, 3))


class TestArchivedTeams(EmuTestCase):
    """Correction 5: archived teams (delete_at != 0)."""

    def add(self, team_id, user_id, token=ADMIN_TOKEN):
        return request("POST", "/api/v4/teams/%s/members" % team_id,
                       {"team_id": team_id, "user_id": user_id}, token=token)

    def test_c5_archived_team_is_returned_by_name_and_joinable(self):
        team = self.seed_team("archived", delete_at=1700000000000)
        self.assertEqual(team["delete_at"], 1700000000000)
        alice, bob = self.seed_user("alice"), self.seed_user("bob")
        token = self.login("bob").headers["Token"]
        r = request("GET", "/api/v4/teams/name/archived", token=token)
        self.assertEqual((r.status, r.json["id"], r.json["delete_at"]), (200, team["id"], 1700000000000))
        self.assertEqual(admin("GET", "/api/v4/teams/" + team["id"]).json["delete_at"], 1700000000000)
        r = self.add(team["id"], alice["id"])
        self.assertEqual((r.status, r.json["delete_at"]), (201, 0))
        self.assertEqual(self.add(team["id"], bob["id"], token=token).status, 201)  # joins itself
        self.assertEqual(len(self.state(alice["id"])["team_members"]), 1)
        # the user's team list leaves archived teams out
        self.assertEqual(admin("GET", "/api/v4/users/%s/teams" % alice["id"]).json, [])
        self.assertEqual(request("POST", "/__emu/seed/team", {"name": "bad", "delete_at": -1}).status, 400)
        self.assertIsNone(sql("SELECT id FROM teams WHERE name = 'bad'") or None)

    def test_c5_delete_team_is_a_soft_delete(self):
        team = self.seed_team("public")
        alice = self.seed_user("alice")
        control("seed/member", {"team_name": "public", "user_id": alice["id"]})
        token = self.login("alice").headers["Token"]
        self.assertAppError(request("DELETE", "/api/v4/teams/" + team["id"], token=token), 403,
                            "api.context.permissions.app_error")
        self.assertAppError(admin("DELETE", "/api/v4/teams/%s?permanent=true" % team["id"]), 401,
                            "api.user.delete_team.not_enabled.app_error")
        before = int(time.time() * 1000)
        r = admin("DELETE", "/api/v4/teams/" + team["id"])
        self.assertEqual((r.status, r.json), (200, {"status": "OK"}))
        self.assertGreaterEqual(sql("SELECT deleteat FROM teams WHERE id = %s", (team["id"],))[0][0], before)
        r = request("GET", "/api/v4/teams/name/public", token=token)
        self.assertEqual(r.status, 200)
        self.assertGreaterEqual(r.json["delete_at"], before)
        self.assertEqual(self.add(team["id"], self.seed_user("bob")["id"]).status, 201)
        self.assertAppError(admin("DELETE", "/api/v4/teams/" + new_id()), 404, "app.team.get.find.app_error")


class TestSessionsExtraColumn(EmuTestCase):
    """Correction 8: EmulatorSettings.SessionsExtraColumn."""
    insert_session = TestDirectSessionRows.insert_session
    cookies_for = TestDirectSessionRows.cookies_for

    def setUp(self):
        super().setUp()
        self.alice = self.seed_user("alice")

    def tearDown(self):
        control("reset", {})   # drops the column again
        super().tearDown()

    def columns(self):
        return sql("""SELECT column_name, data_type, character_maximum_length, is_nullable,
                             column_default FROM information_schema.columns
                       WHERE table_name = 'sessions' ORDER BY ordinal_position""")

    def me(self, row):
        return request("GET", "/api/v4/users/me", cookies=self.cookies_for(row))

    def test_c8_extra_column_is_added_nullable_without_default_and_dropped_again(self):
        self.assertEqual(len(self.columns()), 11)
        self.config(**{"EmulatorSettings.SessionsExtraColumn": True})
        cols = self.columns()
        self.assertEqual(len(cols), 12)
        self.assertEqual(cols[-1], ("voipdeviceid", "character varying", 512, "YES", None))
        self.config(**{"EmulatorSettings.SessionsExtraColumn": False})
        self.assertEqual(len(self.columns()), 11)
        self.config(**{"EmulatorSettings.SessionsExtraColumn": True})
        control("reset", {})
        self.assertEqual(len(self.columns()), 11)
        self.assertFalse(control("config")["EmulatorSettings"]["SessionsExtraColumn"])

    def test_c8_a_row_where_the_extra_column_is_null_is_an_invalid_session(self):
        self.config(**{"EmulatorSettings.SessionsExtraColumn": True})
        row = self.insert_session()          # lists the 11 columns: voipdeviceid stays NULL
        r = self.me(row)
        self.assertAppError(r, 401, "api.context.session_expired.app_error")
        self.assertEqual(r.set_cookies, ["MMAUTHTOKEN=; Path=/; Max-Age=0; HttpOnly"])
        sql("UPDATE sessions SET voipdeviceid = '' WHERE id = %s", (row["id"],))
        self.assertEqual(self.me(row).status, 200)
        # rows the emulator writes itself (login, PAT sessions) carry ''
        token = self.login("alice").headers["Token"]
        self.assertEqual(request("GET", "/api/v4/users/me", token=token).status, 200)
        self.assertEqual(admin("GET", "/api/v4/users/me").status, 200)
        self.assertEqual({r[0] for r in sql("SELECT voipdeviceid FROM sessions")}, {""})

    def test_c8_without_the_switch_the_column_is_not_read(self):
        sql("ALTER TABLE sessions ADD COLUMN voipdeviceid varchar(512)")  # another node's doing
        row = self.insert_session()
        self.assertEqual(self.me(row).status, 200)
        token = self.login("alice").headers["Token"]
        self.assertIsNone(sql("SELECT voipdeviceid FROM sessions WHERE token = %s", (token,))[0][0])


def totp(secret, at=None):
    """RFC 6238 (HMAC-SHA1, 30 s, 6 digits), written independently of mmemu.mfa."""
    import base64
    import hashlib
    import hmac
    import struct
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    mac = hmac.new(key, struct.pack(">Q", int((time.time() if at is None else at) // 30)),
                   hashlib.sha1).digest()
    o = mac[-1] & 15
    return "%06d" % ((struct.unpack(">I", mac[o:o + 4])[0] & 0x7FFFFFFF) % 1000000)


class TestMfa(EmuTestCase):
    """Correction 9 and the MFA rows of §1.4."""

    def setUp(self):
        super().setUp()
        self.user = self.seed_user("mfauser", mfa_active=True)
        self.secret = self.user["mfa_secret"]

    def login_mfa(self, token=None, password=PASSWORD):
        body = {"login_id": "mfauser", "password": password}
        if token is not None:
            body["token"] = token
        return request("POST", "/api/v4/users/login", body, headers={"User-Agent": CHROME_UA})

    def failed(self):
        return self.state(self.user["id"])["user"]["failed_attempts"]

    def test_c9_mfa_user_logs_in_with_the_password_alone_when_mfa_is_disabled(self):
        self.assertRegex(self.secret, r"^[A-Z2-7]{32}$")
        self.assertTrue(self.user["mfa_active"])
        u = admin("GET", "/api/v4/users/" + self.user["id"]).json
        self.assertTrue(u["mfa_active"])
        self.assertNotIn("mfa_secret", u)
        self.assertFalse(control("config")["ServiceSettings"]["EnableMultifactorAuthentication"])
        self.assertEqual(self.login_mfa().status, 200)
        self.assertEqual(self.login_mfa("garbage").status, 200)   # CheckUserMfa skipped

    def test_c9_s1_4_with_mfa_enabled_the_login_needs_the_code(self):
        self.config(EnableMultifactorAuthentication=True)
        r = self.login_mfa()
        self.assertAppError(r, 400, "mfa.validate_token.authenticate.app_error")  # unmasked
        self.assertEqual((self.failed(), self.state(self.user["id"])["sessions"]), (0, []))
        self.assertAppError(self.login_mfa("12ab56"), 400, "mfa.validate_token.authenticate.app_error")
        self.assertEqual(self.failed(), 1)
        wrong = "%06d" % ((int(totp(self.secret)) + 500000) % 1000000)
        self.assertAppError(self.login_mfa(wrong), 401, "api.user.check_user_mfa.bad_code.app_error")
        self.assertEqual(self.failed(), 2)
        code = totp(self.secret)
        r = self.login_mfa(code)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.failed(), 0)
        # a code is used once
        self.assertAppError(self.login_mfa(code), 401, "api.user.check_user_mfa.bad_code.app_error")
        # the password comes first, and a user without MFA is not asked
        self.assertAppError(self.login_mfa(totp(self.secret), password="wrong"), 401,
                            "api.user.login.invalid_credentials_email_username")
        self.seed_user("plain")
        self.assertEqual(self.login("plain").status, 200)

    def test_c9_codes_of_the_neighbouring_time_steps_are_accepted(self):
        self.config(EnableMultifactorAuthentication=True)
        self.assertEqual(self.login_mfa(totp(self.secret, time.time() - 30)).status, 200)
        self.assertEqual(self.login_mfa(totp(self.secret, time.time() + 30)).status, 200)
        self.assertAppError(self.login_mfa(totp(self.secret, time.time() + 95)), 401,
                            "api.user.check_user_mfa.bad_code.app_error")


class TestPasswordPolicyAndNames(EmuTestCase):
    """Correction 6."""

    def create(self, **fields):
        body = {"username": "u", "email": "u@example.com", "password": PASSWORD}
        body.update(fields)
        return admin("POST", "/api/v4/users", body)

    def test_c6_minimum_length_may_be_set_from_5_to_72(self):
        for bad in (4, 73, 0, -1):
            self.assertEqual(request("POST", "/__emu/config", {"MinimumLength": bad}).status, 400, bad)
        self.assertEqual(control("config")["PasswordSettings"]["MinimumLength"], 8)
        for good in (5, 72):
            self.assertEqual(self.config(MinimumLength=good)["PasswordSettings"]["MinimumLength"], good)

    def test_c6_post_users_enforces_the_minimum_and_already_hashed_skips_it(self):
        self.config(MinimumLength=20)
        self.assertAppError(self.create(password="x" * 19), 400, "model.user.is_valid.pwd_min_length.app_error")
        r = self.create(password="x" * 20)
        self.assertEqual(r.status, 201, r)
        path = "/api/v4/users/%s/password" % r.json["id"]
        self.assertAppError(admin("PUT", path, {"new_password": "y" * 19}), 400,
                            "model.user.is_valid.pwd_min_length.app_error")
        short = bcrypt.hashpw(b"short", bcrypt.gensalt(4)).decode()
        self.assertEqual(admin("PUT", path, {"new_password": short, "already_hashed": "true"}).status, 200)
        self.assertEqual(self.login("u", "short").status, 200)
        control("reset", {})
        self.config(MinimumLength=5)
        self.assertAppError(self.create(password="abcd"), 400, "model.user.is_valid.pwd_min_length.app_error")
        self.assertEqual(self.create(password="abcde").status, 201)
        control("reset", {})
        self.config(MinimumLength=72)
        self.assertAppError(self.create(password="é" * 36 + "x"), 400,
                            "model.user.is_valid.pwd_max_length.app_error")  # 73 bytes
        self.assertEqual(self.create(password="é" * 36).status, 201)        # 72 bytes

    def test_c6_names_and_position_are_counted_in_runes(self):
        limits = {"first_name": 64, "last_name": 64, "nickname": 64, "position": 128}
        for field, limit in limits.items():
            for char in ("é", "😀"):   # 2 and 4 bytes per rune
                control("reset", {})
                r = self.create(**{field: char * limit})
                self.assertEqual((r.status, r.json.get(field)), (201, char * limit), (field, char))
                control("reset", {})
                self.assertAppError(self.create(**{field: char * (limit + 1)}), 400,
                                    "model.user.is_valid.%s.app_error" % field)


class TestAdminUserViews(EmuTestCase):
    """Correction 12 and §5.2: what an admin's GET of a user holds."""

    def test_c12_admin_gets_never_return_email_verified(self):
        alice = self.seed_user("alice", email_verified=True, failed_attempts=2, first_name="Alice")
        self.assertTrue(alice["email_verified"])
        for path in ("/api/v4/users/" + alice["id"], "/api/v4/users/email/alice@example.com",
                     "/api/v4/users/username/alice"):
            r = admin("GET", path)
            self.assertEqual(r.status, 200, path)
            u = r.json
            self.assertNotIn("email_verified", u, path)
            for secret in ("password", "mfa_secret", "last_login", "last_password_update",
                           "allow_marketing"):
                self.assertNotIn(secret, u, (path, secret))
            self.assertEqual((u["email"], u["failed_attempts"], u["first_name"], u["delete_at"]),
                             ("alice@example.com", 2, "Alice", 0), path)
            self.assertIn("notify_props", u)
            self.assertEqual(u["auth_data"], "")
        # the user's own view keeps it (Sanitize, not ClearNonProfileFields)
        token = self.login("alice").headers["Token"]
        self.assertTrue(request("GET", "/api/v4/users/me", token=token).json["email_verified"])


class TestPatchUser(EmuTestCase):
    """PUT /users/{user_id}/patch (users.yaml PatchUser)."""

    def setUp(self):
        super().setUp()
        self.alice = self.seed_user("alice", first_name="Alice", last_name="Smith")
        self.bob = self.seed_user("bob")

    def patch(self, user, body, token=ADMIN_TOKEN, raw=None):
        return request("PUT", "/api/v4/users/%s/patch" % user["id"], body, token=token, raw=raw)

    def row(self, user):
        return sql("""SELECT email, emailverified, firstname, lastname, position, nickname, updateat
                        FROM users WHERE id = %s""", (user["id"],))[0]

    def test_patch_changes_only_the_given_fields_and_answers_the_user(self):
        control("counters/reset", {})
        before = self.row(self.alice)[6]
        time.sleep(0.002)
        r = self.patch(self.alice, {"first_name": "Alicia", "position": "Budtender", "nickname": "al",
                                    "last_name": None, "roles": "system_admin", "unknown": 1})
        self.assertEqual(r.status, 200, r)
        u = r.json
        self.assertEqual((u["id"], u["first_name"], u["last_name"], u["position"], u["nickname"],
                          u["roles"]), (self.alice["id"], "Alicia", "Smith", "Budtender", "al",
                                        "system_user"))
        self.assertNotIn("password", u)
        row = self.row(self.alice)
        self.assertEqual(row[2:6], ("Alicia", "Smith", "Budtender", "al"))
        self.assertGreater(row[6], before)
        c = self.counters()
        self.assertEqual((c["users_patched"], c["requests"]["PUT /api/v4/users/{user_id}/patch"]), (1, 1))
        self.assertAppError(self.patch(self.alice, {"first_name": 5}), 400,
                            "api.context.invalid_body_param.app_error")
        self.assertAppError(self.patch(self.alice, None, raw=b"{nope"), 400,
                            "api.context.invalid_body_param.app_error")
        self.assertAppError(self.patch(self.alice, {"first_name": "é" * 65}), 400,
                            "model.user.is_valid.first_name.app_error")
        self.assertAppError(self.patch({"id": new_id()}, {"first_name": "x"}), 400,
                            "api.context.invalid_body_param.app_error")
        self.assertAppError(self.patch(self.alice, {"username": "BOB"}), 400,
                            "app.user.save.username_exists.app_error")
        self.assertAppError(self.patch(self.alice, {"username": "bad name"}), 400,
                            "model.user.is_valid.username.app_error")
        self.assertEqual(self.counters()["users_patched"], 1)
        r = self.patch(self.alice, {"username": "Alice2"})
        self.assertEqual((r.status, r.json["username"]), (200, "alice2"))

    def test_patch_email_is_lower_cased_unique_and_resets_email_verified(self):
        r = self.patch(self.alice, {"email": " Alice.New@Example.COM "})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["email"], "alice.new@example.com")
        self.assertNotIn("email_verified", r.json)
        self.assertEqual(self.row(self.alice)[:2], ("alice.new@example.com", False))
        self.assertEqual(control("emails")[-1], {"kind": "email_changed", "to": "alice@example.com"})
        self.assertAppError(self.patch(self.alice, {"email": "BOB@example.com"}), 400,
                            "app.user.save.email_exists.app_error")
        self.assertAppError(self.patch(self.alice, {"email": "nope"}), 400,
                            "model.user.is_valid.email.app_error")
        self.assertEqual(self.login("alice.new@example.com").status, 200)
        # the same address again is no change
        r = self.patch(self.bob, {"email": "bob@example.com"})
        self.assertEqual(self.row(self.bob)[:2], ("bob@example.com", True))

    def test_patch_email_waits_for_verification_when_required(self):
        self.config(RequireEmailVerification=True)
        r = self.patch(self.alice, {"email": "alice.new@example.com"})
        self.assertEqual((r.status, r.json["email"]), (200, "alice@example.com"))
        self.assertEqual(self.row(self.alice)[:2], ("alice@example.com", True))
        self.assertEqual(control("emails")[-1], {"kind": "verify_email", "to": "alice.new@example.com"})
        self.assertAppError(self.patch(self.alice, {"email": "bob@example.com"}), 400,
                            "app.user.save.email_exists.app_error")

    def test_patch_self_or_admin_and_own_email_needs_the_password(self):
        token = self.login("alice").headers["Token"]
        self.assertAppError(self.patch(self.bob, {"first_name": "B"}, token=token), 403,
                            "api.context.permissions.app_error")
        self.assertEqual(self.patch(self.alice, {"first_name": "Me"}, token=token).status, 200)
        self.assertAppError(self.patch(self.alice, {"email": "a2@example.com"}, token=token), 400,
                            "api.context.invalid_body_param.app_error")
        self.assertAppError(self.patch(self.alice, {"email": "a2@example.com", "password": "wrong"},
                                       token=token), 401, "api.user.check_user_password.invalid.app_error")
        self.assertEqual(self.state(self.alice["id"])["user"]["failed_attempts"], 1)
        r = self.patch(self.alice, {"email": "a2@example.com", "password": PASSWORD}, token=token)
        self.assertEqual((r.status, r.json["email"]), (200, "a2@example.com"))
        self.assertEqual(self.state(self.alice["id"])["user"]["failed_attempts"], 0)

    def test_s4_1_revoke_all_sessions_exists_and_counts(self):
        t1 = self.login("alice").headers["Token"]
        self.login("alice")
        bob = self.login("bob").headers["Token"]
        control("counters/reset", {})
        path = "/api/v4/users/%s/sessions/revoke/all" % self.alice["id"]
        self.assertAppError(request("POST", path, token=bob), 403, "api.context.permissions.app_error")
        r = admin("POST", path)
        self.assertEqual((r.status, r.json), (200, {"status": "OK"}))
        c = self.counters()
        self.assertEqual((c["sessions_revoked"],
                          c["requests"]["POST /api/v4/users/{user_id}/sessions/revoke/all"]), (2, 2))
        self.assertEqual(request("GET", "/api/v4/users/me", token=t1).status, 401)
        self.assertEqual(request("GET", "/api/v4/users/me", token=bob).status, 200)


class TestLoginCookiesAndProps(EmuTestCase):
    """Corrections 10 and 11: the emulator's own login."""
    DESKTOP = ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/537.36 (KHTML, like Gecko) "
               "Mattermost/5.6.0 Chrome/120.0.6099.109 Electron/28.1.0 Safari/537.36")
    IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
              "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1")

    def setUp(self):
        super().setUp()
        self.alice = self.seed_user("alice")

    def test_c10_samesite_none_with_secure_on_all_three_only_when_embedded(self):
        https = {"X-Forwarded-Proto": "https"}
        cases = [({}, False), ({"Cookie": "MMEMBED=0"}, False), ({"Cookie": "MMEMBED=true"}, False),
                 ({"Cookie": "other=1; MMEMBED=1"}, True)]
        for extra, embedded in cases:
            r = self.login("alice", headers=dict(https, **extra))
            cookies = r.set_cookies
            self.assertEqual([c.split("=")[0] for c in cookies], ["MMAUTHTOKEN", "MMUSERID", "MMCSRF"])
            for c in cookies:
                self.assertIn("; Secure", c)
                self.assertEqual(c.endswith("; Secure; SameSite=None"), embedded, (extra, c))
                self.assertEqual("SameSite" in c, embedded, (extra, c))
        # §1.3: SameSite=None comes only together with Secure
        r = self.login("alice", headers={"Cookie": "MMEMBED=1"})
        self.assertFalse(any("SameSite" in c or "Secure" in c for c in r.set_cookies))

    def test_c11_session_props_and_length_from_the_user_agent(self):
        self.config(SessionLengthWebInHours=10, SessionLengthMobileInHours=3)
        cases = [(CHROME_UA, "false", "Linux", "Chrome/120.0.6099", 10),
                 (self.DESKTOP, "false", "Mac OS", "Desktop App/5.6.0", 10),
                 (self.IPHONE, "true", "iOS", "Safari/17.0", 3),
                 ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Chrome/120.0.0.0 Mobile Safari/537.36", "true", "Android", "Chrome/120.0", 3),
                 ("curl/8.5.0", "false", "", "Unknown/0.0", 10)]
        for ua, mobile, os_name, browser, hours in cases:
            r = self.login("alice", headers={"User-Agent": ua})
            self.assertEqual(r.status, 200)
            s = [x for x in self.state(self.alice["id"])["sessions"] if x["token"] == r.headers["Token"]][0]
            p = s["props"]
            self.assertEqual((p["isMobile"], p["os"], p["browser"]), (mobile, os_name, browser), ua)
            self.assertEqual(s["expires_at"] - s["create_at"], hours * 3600 * 1000, ua)
            self.assertIn("Max-Age=36000", r.set_cookies[0])   # always the web length


class TestNoUserCacheAndSharedDatabase(EmuTestCase):
    """Users are read from the database on every request, so nodes sharing a
    database agree at once; rate limiter and password lock are per process."""

    def setUp(self):
        super().setUp()
        self.alice = self.seed_user("alice")

    def test_deactivation_is_seen_by_the_next_request_and_in_the_table(self):
        path = "/api/v4/users/" + self.alice["id"]
        self.assertEqual(admin("GET", path).json["delete_at"], 0)
        self.assertEqual(admin("PUT", path + "/active", {"active": False}).status, 200)
        self.assertGreater(admin("GET", path).json["delete_at"], 0)
        self.assertGreater(sql("SELECT deleteat FROM users WHERE id = %s", (self.alice["id"],))[0][0], 0)
        self.assertAppError(self.login("alice"), 401, "api.user.login.inactive.app_error")
        # and the other way round: a change written to the table is seen at once
        sql("UPDATE users SET deleteat = 0 WHERE id = %s", (self.alice["id"],))
        self.assertEqual(admin("GET", path).json["delete_at"], 0)
        self.assertEqual(self.login("alice").status, 200)
        sql("UPDATE users SET deleteat = 1 WHERE id = %s", (self.alice["id"],))
        self.assertAppError(self.login("alice"), 401, "api.user.login.inactive.app_error")

    def test_a_role_change_written_to_the_users_table_is_seen_by_the_next_request(self):
        token = self.login("alice").headers["Token"]
        sql("UPDATE users SET roles = 'system_admin system_user' WHERE id = %s", (self.alice["id"],))
        self.assertEqual(admin("GET", "/api/v4/users/" + self.alice["id"]).json["roles"],
                         "system_admin system_user")
        self.assertEqual(request("GET", "/api/v4/users/me", token=token).json["roles"],
                         "system_admin system_user")
        body = {"username": "bob", "email": "bob@example.com", "password": PASSWORD}
        # permissions still come from the session row (§2.2) until the next login
        self.assertEqual(request("POST", "/api/v4/users", body, token=token).status, 403)
        token = self.login("alice").headers["Token"]
        self.assertEqual(request("POST", "/api/v4/users", body, token=token).status, 201)

    def test_two_processes_share_the_database_with_their_own_limiter_and_lock(self):
        proc, port = start_emulator(ENV["dsn"], ENV["workdir"])
        try:
            def on_b(method, path, body=None, **kw):
                return request(method, path, body, port=port, **kw)

            # users and sessions: one database
            r = self.login("alice", port=port)
            self.assertEqual(r.status, 200)
            self.assertEqual(request("GET", "/api/v4/users/me", token=r.headers["Token"]).json["id"],
                             self.alice["id"])
            self.assertEqual(on_b("PUT", "/api/v4/users/%s/active" % self.alice["id"], {"active": False},
                                  token=ADMIN_TOKEN).status, 200)
            self.assertAppError(self.login("alice"), 401, "api.user.login.inactive.app_error")
            self.assertEqual(on_b("PUT", "/api/v4/users/%s/active" % self.alice["id"], {"active": True},
                                  token=ADMIN_TOKEN).status, 200)
            # settings are per process: each node is configured on its own
            limits = {"EmulatorSettings.Version": "11.3.0", "RateLimitSettings.Enable": True,
                      "EmulatorSettings.SerializePasswordChecks": True}
            self.config(**limits)
            self.assertFalse(on_b("GET", "/__emu/config").json["RateLimitSettings"]["Enable"])
            self.assertEqual(on_b("POST", "/__emu/config", limits).status, 200)
            # rate limiter: exhausting node A leaves node B alone
            statuses = [self.login("nobody").status for _ in range(16)]
            self.assertIn(429, statuses)
            self.assertEqual(self.login("nobody", port=port).status, 401)
            # password lock: a check held on node A does not delay node B
            control("password-lock/hold", {"ms": 800})
            start = time.monotonic()
            self.assertEqual(self.login("alice", port=port).status, 200)
            self.assertLess(time.monotonic() - start, 0.5)
            self.assertLess(on_b("GET", "/__emu/counters").json["password_lock_wait_ms"], 100)
            time.sleep(0.25)   # node A's login limiter has a token again
            start = time.monotonic()
            self.assertEqual(self.login("alice").status, 200)
            self.assertGreaterEqual(time.monotonic() - start, 0.2)
            self.assertGreater(self.counters()["password_lock_wait_ms"], 0)
        finally:
            proc.terminate()
            proc.wait(10)


if __name__ == "__main__":
    unittest.main()
