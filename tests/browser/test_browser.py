"""A real browser clicks "Open Chat": headless Chromium (Debian's
/usr/bin/chromium, driven by playwright-core through open-chat.mjs) opens a
small OpenTHC-like app page served here, clicks the button and must land in
the (emulated) Mattermost chat signed in, or on the bridge's error page with
no cookies. Screenshots (and the driver's JSON) are kept as artifacts.
The bridge's pages in each language: a Spanish browser's expired link, a
Portuguese browser's landing page and "open chat from your app" page, a
French browser's (English) landing page (open-page.mjs for the last two).

The app page is served on loopback but opened as http://localhost:PORT while
the chat is http://127.0.0.1:PORT (the stack's site_url), so the click is a
cross-site navigation, the harder case for SameSite cookies.

Environment: CB_BRIDGE (bridge binary; default build/chat-bridge), CB_FRONT
(nginx | caddy; default nginx), CB_MODE (login | database; default login),
CB_ARTIFACTS (default build/test-artifacts; screenshots go to
$CB_ARTIFACTS/browser/FRONT-MODE/), CB_CHROMIUM (default /usr/bin/chromium).
Run from tests/browser: /usr/bin/python3 -m unittest -v test_browser
"""

import base64
import html
import http.server
import json
import os
import re
import subprocess
import sys
import threading
import time
import unittest
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
import stack  # noqa: E402
from stack import SSO_ISS, Stack, new_ulid  # noqa: E402

# stack.free_port() is called twice in a row for the emulator's and the
# front end's ports and can hand out the same port both times (seen once:
# nginx then fails with EADDRINUSE). Until stack.py keeps them distinct
# itself, never hand out a port twice in this process.
_ports_given = set()
_free_port = stack.free_port


def _distinct_free_port():
    for _ in range(100):
        port = _free_port()
        if port not in _ports_given:
            _ports_given.add(port)
            return port
    raise RuntimeError("no fresh free port")


stack.free_port = _distinct_free_port

FRONT = os.environ.get("CB_FRONT", "nginx")
MODE = os.environ.get("CB_MODE", "login")
CHROMIUM = os.environ.get("CB_CHROMIUM", "/usr/bin/chromium")
NODE = os.environ.get("CB_NODE", "node")
ARTIFACTS = os.path.join(os.path.abspath(os.environ.get("CB_ARTIFACTS") or os.path.join(ROOT, "build", "test-artifacts")),
                         "browser", "%s-%s" % (FRONT, MODE))
DRIVER = os.path.join(HERE, "open-chat.mjs")
PAGE_DRIVER = os.path.join(HERE, "open-page.mjs")
SWAP_DRIVER = os.path.join(HERE, "swap.mjs")
COMPANY = "019EV8MMKC5HX5QV46F0HEJX4S"


def setUpModule():
    if not os.access(CHROMIUM, os.X_OK):
        raise RuntimeError("%s is missing (apt-get install chromium)" % CHROMIUM)
    if not os.path.isdir(os.path.join(HERE, "node_modules", "playwright-core")):
        # The pinned playwright-core from package-lock.json; it never downloads a browser.
        r = subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=HERE, capture_output=True, text=True,
                           env=dict(os.environ, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD="1"), timeout=300)
        if r.returncode != 0:
            raise RuntimeError("npm ci in tests/browser failed: " + r.stderr[-2000:])
    os.makedirs(ARTIFACTS, exist_ok=True)


def expected_username(email):
    """identity.md / src/core/identity.c for a name that is free: the local part,
    lower-case, [a-z0-9._-] only, starting with a letter, at most 22."""
    out = ""
    for c in email.split("@", 1)[0].lower():
        if len(out) == 22:
            break
        if not out and not ("a" <= c <= "z"):
            continue
        if c.isascii() and (c.isalnum() or c in "._-"):
            out += c
    return out


def b64url_json(segment):
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


# ---------------------------------------------------------------- the OpenTHC-like app
APP_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Dashboard :: OpenTHC</title>
<link rel="icon" href="data:,">
<style>
body {{ margin: 0; font-family: system-ui, sans-serif; background: #f4f6f5; color: #222; }}
header {{ background: #1f6f43; color: #fff; display: flex; align-items: center; gap: 2rem; padding: .6rem 1.5rem; }}
header .brand {{ font-weight: 700; font-size: 1.35rem; letter-spacing: .02em; }}
header .brand span {{ color: #b8e986; }}
header nav a {{ color: #e8f5e9; text-decoration: none; margin-right: 1.2rem; }}
header .who {{ margin-left: auto; font-size: .9rem; opacity: .9; }}
main {{ max-width: 52rem; margin: 2rem auto; background: #fff; border-radius: 6px; padding: 1.5rem 2rem;
        box-shadow: 0 1px 3px rgba(0,0,0,.15); }}
.company {{ font-size: 1.5rem; margin: 0 0 .3rem; }}
.meta {{ color: #666; margin: 0 0 1.5rem; }}
.btn {{ display: inline-block; background: #1f6f43; color: #fff; border: 0; border-radius: 4px; padding: .7rem 1.4rem;
        font-size: 1rem; text-decoration: none; cursor: pointer; }}
</style>
</head>
<body>
<header>
  <div class="brand">Open<span>THC</span></div>
  <nav><a href="#">Dashboard</a><a href="#">Inventory</a><a href="#">B2B</a><a href="#">CRM</a></nav>
  <div class="who" id="who">{who}</div>
</header>
<main>
  <h1 class="company" id="company-name">{company}</h1>
  <p class="meta">License {license} &middot; {cre}</p>
  <p>Questions about an order or a manifest? Talk to your team and OpenTHC support in chat.</p>
  {button}
</main>
</body>
</html>
"""


class AppServer:
    """Serves the app pages on loopback; each test publishes its own page."""

    def __init__(self):
        self.pages = {}
        pages = self.pages

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = pages.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                data = body.encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def publish(self, path, who, company, license, cre, button):
        self.pages[path] = APP_PAGE.format(who=html.escape(who), company=html.escape(company),
                                           license=html.escape(license), cre=html.escape(cre), button=button)
        # localhost, not 127.0.0.1: another site than the chat's.
        return "http://localhost:%d%s" % (self.port, path)

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def link_button(site_url, token, new_tab=False):
    href = site_url + "/auth/open?" + urllib.parse.urlencode({"jwt": token})
    target = ' target="_blank" rel="noopener"' if new_tab else ""
    return '<a class="btn" id="open-chat" href="%s"%s>Open Chat</a>' % (html.escape(href), target)


def post_button(site_url, token):
    # The transport that keeps the token out of URLs, logs and history.
    return ('<form method="post" action="%s/auth/open" id="open-chat-form">'
            '<input type="hidden" name="jwt" value="%s">'
            '<button class="btn" id="open-chat" type="submit">Open Chat</button></form>'
            % (html.escape(site_url), html.escape(token)))


class Browser(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = Stack(front=FRONT, mode=MODE, workers=4, name="browser-%s-%s" % (FRONT, MODE)).start()
        try:
            cls.app = AppServer()
        except Exception:
            cls.s.stop(failed=True)
            raise
        cls.n = 0
        cls.subs = []

    @classmethod
    def tearDownClass(cls):
        cls.app.stop()
        # No token, cookie value or derived password in the bridge's log,
        # nginx's logs, the audit table (Stack.leaks, where stack.py has it).
        problems = cls.s.finish(cls.subs)
        assert not problems, problems

    # ------------------------------------------------------------ helpers
    def contact(self):
        Browser.n += 1
        return new_ulid(5000 + Browser.n)

    def secret(self, value):
        secrets = getattr(self.s, "secrets", None)
        if secrets is not None:
            secrets.add(value)

    def mint(self, sub, email, name=None, com_name=None, cre=None, iat=None):
        args = ["mint", "--iss", SSO_ISS, "--aud", self.s.site_url, "--sub", sub, "--com", COMPANY,
                "--email", email, "--seed-file", os.path.join(self.s.dir, "sso.seed")]
        for k, v in (("--name", name), ("--com-name", com_name), ("--cre", cre), ("--iat", iat)):
            if v is not None:
                args += [k, str(v)]
        token = self.s.run_bridge(*args).strip()
        self.secret(token)
        Browser.subs.append(sub)
        return token

    def app_page(self, token, button, who="Jane Doe", company="Greenleaf Cannabis Co.", cre="usa/wa"):
        path = "/dashboard/%s" % self.id().rsplit(".", 1)[-1]
        return self.app.publish(path, who, company, "L0000042", cre, button)

    def drive(self, app_url, expect, username=None, status=None, new_tab=False, tag="", accept_language=None):
        name = self.id().rsplit(".", 1)[-1] + tag
        shot = os.path.join(ARTIFACTS, name + ".png")
        if os.path.exists(shot):
            os.unlink(shot)
        args = [NODE, DRIVER, "--app-url", app_url, "--site-url", self.s.site_url, "--expect", expect,
                "--screenshot", shot, "--app-screenshot", os.path.join(ARTIFACTS, name + "-app.png"),
                "--chromium", CHROMIUM, "--cookie-values"]
        if username is not None:
            args += ["--username", username]
        if status is not None:
            args += ["--status", str(status)]
        if new_tab:
            args.append("--new-tab")
        if accept_language is not None:
            args += ["--accept-language", accept_language]
        t0 = time.monotonic()
        r = subprocess.run(args, cwd=HERE, capture_output=True, text=True, timeout=120)
        elapsed = time.monotonic() - t0
        try:
            out = json.loads(r.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            self.fail("open-chat.mjs printed no JSON (rc %d): %s %s" % (r.returncode, r.stdout[-2000:],
                                                                       r.stderr[-2000:]))
        # Cookie values go to the stack's leak check, not into artifacts or messages.
        for c in out.get("cookies", []):
            value = c.pop("value", None) if c["name"] != "MMUSERID" else None
            if value:
                self.secret(value)
        with open(os.path.join(ARTIFACTS, name + ".json"), "w") as f:
            json.dump(out, f, indent=1)
        out["rc"] = r.returncode
        out["wall_s"] = round(elapsed, 2)
        return out

    def drive_page(self, path, accept_language, click=None):
        """open-page.mjs: a browser with these languages opens the bridge's
        page at path (and clicks click there); screenshots as artifacts."""
        name = self.id().rsplit(".", 1)[-1]
        shots = [os.path.join(ARTIFACTS, name + ".png"), os.path.join(ARTIFACTS, name + "-after-click.png")]
        for shot in shots:
            if os.path.exists(shot):
                os.unlink(shot)
        args = [NODE, PAGE_DRIVER, "--url", self.s.site_url + path, "--accept-language", accept_language,
                "--screenshot", shots[0], "--chromium", CHROMIUM]
        if click is not None:
            args += ["--click", click, "--click-screenshot", shots[1]]
        r = subprocess.run(args, cwd=HERE, capture_output=True, text=True, timeout=120)
        try:
            out = json.loads(r.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            self.fail("open-page.mjs printed no JSON (rc %d): %s %s" % (r.returncode, r.stdout[-2000:],
                                                                       r.stderr[-2000:]))
        with open(os.path.join(ARTIFACTS, name + ".json"), "w") as f:
            json.dump(out, f, indent=1)
        out["rc"] = r.returncode
        self.assertEqual(out["rc"], 0, json.dumps(out)[:3000])
        self.assertTrue(out["ok"], json.dumps(out)[:3000])
        self.assertEqual(len(out["pages"]), 2 if click else 1)
        for shot in shots[:len(out["pages"])]:
            self.assertTrue(os.path.getsize(shot) > 1000, shot)
        return out

    def assertLocalisedPage(self, page, path, status, html_lang, title, h1=None, accept_language=None):
        """One of the bridge's pages as the browser showed it: in the
        language (lang attribute, visible title and heading), varying by
        Accept-Language, nothing but our markup."""
        self.assertEqual(page["path"], path)
        self.assertEqual(page["status"], status)
        self.assertEqual(page["html_lang"], html_lang)
        self.assertEqual(page["title"], title)
        self.assertEqual(page["h1"], h1 if h1 is not None else title)
        self.assertIn(page["h1"], page["body_text"])
        self.assertEqual(page["vary"], "Accept-Language")
        self.assertTrue(page["content_type"].startswith("text/html"), page["content_type"])
        if accept_language is not None:
            self.assertEqual(page["accept_language"], accept_language, "the browser sent its languages")
        self.assertNotIn("<script", page["html"])

    def brief(self, out):
        """The driver's result without the bulky parts, for messages."""
        return json.dumps({k: v for k, v in out.items() if k not in ("html", "requests")})[:3000]

    def assertSignedInBrowser(self, out, landing, username):
        self.assertEqual(out["rc"], 0, self.brief(out))
        self.assertTrue(out["ok"], self.brief(out))
        self.assertEqual(out["final_url"], self.s.site_url + landing)
        self.assertEqual(out["final_path"], landing)
        self.assertEqual(out["status_text"], "signed in as " + username)
        self.assertEqual(out["status_state"], "signed-in")
        self.assertEqual(out["title"], "Mattermost")
        self.assertEqual(out["dialogs"], [])
        self.assertEqual(out["page_errors"], [])
        self.assertFalse(out["token_in_later_requests"])
        self.assertFalse(out["token_in_page"])
        # /auth/open answered 302 and the chat page 200, nothing in between.
        nav = [(n["method"], urllib.parse.urlsplit(n["url"]).path, n["status"]) for n in out["navigations"]]
        self.assertEqual([n for n in nav if n[1] == "/auth/open"][-1][2], 302, nav)
        self.assertEqual(nav[-1], ("GET", landing, 200), nav)
        cookies = {c["name"]: c for c in out["cookies"]}
        self.assertEqual(sorted(cookies), ["MMAUTHTOKEN", "MMCSRF", "MMUSERID"], out["cookies"])
        for name, c in cookies.items():
            self.assertEqual(c["domain"], "127.0.0.1", name)
            self.assertEqual(c["path"], "/", name)
            self.assertEqual(c["sameSite"], "Lax", name)
            self.assertFalse(c["secure"], name + " (site_url is http)")
            self.assertEqual(c["value_len"], 26, name)
            # Max-Age 2592000 (720 h): a persistent cookie, ~30 days from now.
            self.assertAlmostEqual(c["expires"], time.time() + 720 * 3600, delta=600, msg=name)
        self.assertTrue(cookies["MMAUTHTOKEN"]["httpOnly"])
        self.assertFalse(cookies["MMUSERID"]["httpOnly"])
        self.assertFalse(cookies["MMCSRF"]["httpOnly"])
        st, user = self.s.emu("GET", "/api/v4/users/username/" + username)
        self.assertEqual(st, 200, user)
        self.assertEqual(cookies["MMUSERID"]["value"], user["id"])
        self.assertTrue(os.path.getsize(out["screenshot"]) > 1000, out["screenshot"])
        return user

    EXPIRED_EN = ("en", "This chat link has expired or was already used",
                  "Chat links work once and only for a few minutes. Go back to your OpenTHC app and use "
                  "Open Chat again.", "Code: CBO-401")

    def assertErrorPageBrowser(self, out, token, status=401, page=EXPIRED_EN):
        html_lang, title, message, code_line = page
        self.assertEqual(out["rc"], 0, self.brief(out))
        self.assertTrue(out["ok"], self.brief(out))
        self.assertEqual(out["final_path"], "/auth/open")
        self.assertEqual(out["main_status"], status)
        self.assertEqual(out["html_lang"], html_lang)
        self.assertEqual(out["title"], title)
        text = out["body_text"]
        self.assertIn(title, text)
        self.assertIn(message, text)
        self.assertIn(code_line, text)
        self.assertIn("CBO-%d" % status, text)
        self.assertEqual(out["cookies"], [], "no cookies at all, for the chat site or any other")
        self.assertEqual(out["dialogs"], [])
        self.assertEqual(out["page_errors"], [])
        # Nothing of the token: not whole, not a segment, not a claim value.
        header, payload, sig = token.split(".")
        claims = b64url_json(payload)
        for piece in [token, header, payload, sig] + [str(claims[k]) for k in ("sub", "email", "jti") if k in claims]:
            self.assertNotIn(piece, out["html"])
            self.assertNotIn(piece, text)
        self.assertFalse(out["token_in_page"])
        self.assertTrue(os.path.getsize(out["screenshot"]) > 1000, out["screenshot"])

    def assertNothingChanged(self, before):
        after = self.s.counters()
        for k in ("users_created", "sessions_created", "logins_ok", "members_added", "passwords_set"):
            self.assertEqual(after.get(k), before.get(k), k)

    # ------------------------------------------------------------ tests
    def test_a_link_click_signs_in(self):
        sub = self.contact()
        email = "jane.doe@greenleaf.example"
        token = self.mint(sub, email, name="Jane Doe", com_name="Greenleaf Cannabis Co.", cre="usa/wa")
        out = self.drive(self.app_page(token, link_button(self.s.site_url, token)), "signed-in",
                         username=expected_username(email))
        user = self.assertSignedInBrowser(out, "/usa-wa/channels/town-square", "jane.doe")
        self.assertEqual(user["email"], email)
        self.assertIn("usa-wa", out["body_text"])

    def test_b_form_post_signs_in(self):
        sub = self.contact()
        email = "Sam.Rivera@GreenLeaf.example"
        token = self.mint(sub, email, name="Sam Rivera", cre="usa/wa")
        out = self.drive(self.app_page(token, post_button(self.s.site_url, token), who="Sam Rivera"), "signed-in",
                         username=expected_username(email))
        self.assertSignedInBrowser(out, "/usa-wa/channels/town-square", "sam.rivera")
        opens = [n for n in out["navigations"] if urllib.parse.urlsplit(n["url"]).path == "/auth/open"]
        self.assertEqual([(n["method"], n["url"]) for n in opens], [("POST", self.s.site_url + "/auth/open")],
                         "the token travelled in the body, not in the URL")

    def test_c_expired_link_shows_error_page(self):
        sub = self.contact()
        token = self.mint(sub, "expired.%s@greenleaf.example" % sub.lower(), cre="usa/wa",
                          iat=int(time.time()) - 1000)
        before = self.s.counters()
        out = self.drive(self.app_page(token, link_button(self.s.site_url, token)), "error", status=401)
        self.assertErrorPageBrowser(out, token)
        self.assertNothingChanged(before)

    def test_c2_expired_form_post_shows_error_page(self):
        sub = self.contact()
        token = self.mint(sub, "expired2.%s@greenleaf.example" % sub.lower(), cre="usa/wa",
                          iat=int(time.time()) - 1000)
        before = self.s.counters()
        out = self.drive(self.app_page(token, post_button(self.s.site_url, token)), "error", status=401)
        self.assertErrorPageBrowser(out, token)
        self.assertEqual(out["final_url"], self.s.site_url + "/auth/open")
        self.assertNothingChanged(before)

    def test_d_html_in_claims_fires_nothing(self):
        sub = self.contact()
        email = "mallory@greenleaf.example"
        evil = "<img src=x onerror=alert(1)>"
        token = self.mint(sub, email, name=evil, com_name="<script>alert(2)</script>", cre="usa/wa")
        out = self.drive(self.app_page(token, link_button(self.s.site_url, token), who=evil, company=evil),
                         "signed-in", username="mallory")
        user = self.assertSignedInBrowser(out, "/usa-wa/channels/town-square", "mallory")
        self.assertEqual(out["dialogs"], [])
        for bad in ("<img", "onerror", "alert(", "<script"):
            self.assertNotIn(bad, out["body_text"])
        # Mattermost keeps the name as text; rendering it is Mattermost's job.
        self.assertIn("<img", user["first_name"] + " " + user["last_name"])

    def test_e_new_tab_signs_in(self):
        sub = self.contact()
        email = "lee.nguyen@greenleaf.example"
        token = self.mint(sub, email, name="Lee Nguyen", cre="usa/wa")
        out = self.drive(self.app_page(token, link_button(self.s.site_url, token, new_tab=True), who="Lee Nguyen"),
                         "signed-in", username="lee.nguyen", new_tab=True)
        self.assertSignedInBrowser(out, "/usa-wa/channels/town-square", "lee.nguyen")

    def test_f_forwarded_link_used_twice(self):
        """The same link clicked again in another browser (a forwarded link):
        the first click signs in, the second gets the error page, no cookies."""
        sub = self.contact()
        email = "pat.kim@greenleaf.example"
        token = self.mint(sub, email, cre="usa/wa")
        url = self.app_page(token, link_button(self.s.site_url, token), who="Pat Kim")
        self.assertSignedInBrowser(self.drive(url, "signed-in", username="pat.kim", tag="-1st"),
                                   "/usa-wa/channels/town-square", "pat.kim")
        before = self.s.counters()
        out = self.drive(url, "error", status=401, tag="-2nd")
        self.assertErrorPageBrowser(out, token)
        self.assertNothingChanged(before)

    def test_h_expired_link_in_spanish(self):
        """A person in Ecuador clicks an expired link: the 401 page in Spanish
        (the screenshot is docs/screenshots/expired-link-es.png)."""
        sub = self.contact()
        token = self.mint(sub, "vencido.%s@greenleaf.example" % sub.lower(), cre="usa/wa",
                          iat=int(time.time()) - 1000)
        before = self.s.counters()
        languages = "es-EC,es;q=0.9,en;q=0.8"
        out = self.drive(self.app_page(token, link_button(self.s.site_url, token), who="María Pérez"), "error",
                         status=401, accept_language=languages)
        self.assertEqual(out["accept_language"], languages, "the browser sent its languages to /auth/open")
        self.assertErrorPageBrowser(out, token, page=(
            "es-419", "Este enlace al chat expiró o ya fue usado",
            "Los enlaces al chat funcionan una sola vez y solo por unos minutos. Vuelve a tu aplicación de "
            "OpenTHC y usa “Open Chat” de nuevo.", "Código: CBO-401"))
        self.assertIn("Referencia:", out["body_text"])
        self.assertNothingChanged(before)

    def test_i_no_token_page_in_portuguese(self):
        """A browser in Brazilian Portuguese opens the landing page and clicks
        its button: without a token (and without [sso]) the "open chat from
        your OpenTHC app" page, in Portuguese too."""
        languages = "pt-BR,pt;q=0.9,en-US;q=0.8,en;q=0.7"
        out = self.drive_page("/auth/welcome", languages, click="Abrir o chat")
        landing, no_token = out["pages"]
        self.assertLocalisedPage(landing, "/auth/welcome", 200, "pt-BR", "Chat da OpenTHC",
                                 "Converse com a comunidade OpenTHC", accept_language=languages)
        self.assertEqual(landing["links"], ["Abrir o chat"])
        self.assertLocalisedPage(no_token, "/auth/open", 200, "pt-BR", "Abra o chat pelo seu aplicativo OpenTHC",
                                 accept_language=languages)
        self.assertIn("escolha “Open Chat”", no_token["body_text"])
        self.assertEqual(urllib.parse.urlsplit(no_token["url"]).query, "r=%2F")
        self.assertEqual(out["cookies"], [])

    def test_j_landing_page_in_english_by_default(self):
        """A browser in French: none of our languages, so English."""
        languages = "fr-FR,fr;q=0.9,de;q=0.5"
        out = self.drive_page("/auth/welcome", languages)
        landing = out["pages"][0]
        self.assertLocalisedPage(landing, "/auth/welcome", 200, "en", "OpenTHC Chat",
                                 "Chat with the OpenTHC community", accept_language=languages)
        self.assertEqual(landing["links"], ["Open Chat"])
        self.assertIn("There is no separate password", landing["body_text"])
        self.assertEqual(out["cookies"], [])

    def test_k_session_swap_asks_first(self):
        """Signed in to chat as A, the browser opens a link made for B
        (a page sent it there): the bridge asks; the button signs in B."""
        a, b = self.contact(), self.contact()
        first = self.mint(a, "swap.first@greenleaf.example", name="Ana First")
        second = self.mint(b, "swap.second@greenleaf.example", name="Beto Second")
        name = self.id().rsplit(".", 1)[-1]
        shots = [os.path.join(ARTIFACTS, name + ".png"), os.path.join(ARTIFACTS, name + "-after.png")]
        link = lambda t: self.s.site_url + "/auth/open?" + urllib.parse.urlencode({"jwt": t})  # noqa: E731
        before = self.s.counters()
        r = subprocess.run([NODE, SWAP_DRIVER, "--first", link(first), "--second", link(second),
                            "--button", "Continue as Beto Second", "--screenshot", shots[0],
                            "--after-screenshot", shots[1], "--chromium", CHROMIUM],
                           cwd=HERE, capture_output=True, text=True, timeout=120)
        out = json.loads(r.stdout.strip().splitlines()[-1])
        with open(os.path.join(ARTIFACTS, name + ".json"), "w") as f:
            json.dump(out, f, indent=1)
        self.assertEqual(r.returncode, 0, json.dumps(out)[:3000])
        self.assertEqual(out["first_status_text"], "signed in as swap.first")
        page = out["confirm"]
        self.assertEqual((page["path"], page["status"]), ("/auth/open", 200))
        self.assertEqual(page["title"], "You are already signed in to chat")
        self.assertIn("You are signed in to chat as swap.first. Continue as Beto Second?", page["body_text"])
        self.assertEqual(page["buttons"], ["Continue as Beto Second"])
        self.assertEqual(page["links"], ["Stay as swap.first"])
        self.assertEqual(page["hidden_fields"], ["jwt", "confirm"])
        self.assertFalse(page["token_in_text"])
        self.assertEqual(out["after_path"], "/public/channels/town-square")
        self.assertEqual(out["after_status_text"], "signed in as swap.second")
        self.assertNotEqual(out["mmuserid"][0], out["mmuserid"][1])
        after = self.s.counters()
        self.assertEqual(after.get("users_created", 0) - before.get("users_created", 0), 2)
        for shot in shots:
            self.assertTrue(os.path.getsize(shot) > 1000, shot)

    def test_g_driver_detects_failures(self):
        """Controls for the driver itself, so the tests above cannot pass
        vacuously: a dialog is caught, a wrong username fails."""
        sub = self.contact()
        token = self.mint(sub, "control.%s@greenleaf.example" % sub.lower(), cre="usa/wa")
        button = link_button(self.s.site_url, token) + "<script>alert('control')</script>"
        out = self.drive(self.app_page(token, button), "signed-in", tag="-dialog")
        self.assertEqual(out["rc"], 1, self.brief(out))
        self.assertFalse(out["ok"])
        self.assertEqual(out["dialogs"], [{"type": "alert", "message": "control"}])
        self.assertEqual(out["status_text"], "signed in as " + expected_username("control.%s@" % sub.lower()))

        sub = self.contact()
        token = self.mint(sub, "wrong.%s@greenleaf.example" % sub.lower(), cre="usa/wa")
        out = self.drive(self.app_page(token, link_button(self.s.site_url, token)), "signed-in",
                         username="someone.else", tag="-wrong-user")
        self.assertEqual(out["rc"], 1, self.brief(out))
        self.assertEqual((out["ok"], out["step"]), (False, "check"))
        self.assertIn("someone.else", out["error"])
        self.assertTrue(os.path.getsize(out["screenshot"]) > 1000, "a screenshot on failure too")


if __name__ == "__main__":
    unittest.main()
