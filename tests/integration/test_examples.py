"""The operator-facing site examples in etc/ run as shipped: the nginx site
(etc/nginx/chat.openthc.example.com.conf, TLS with a throwaway
certificate) and the Caddyfile (etc/caddy/Caddyfile), with only host
names, ports, certificate and file locations substituted (and the
Caddyfile's documented access-log block uncommented). Through each: the
landing page at "/" (the bridge's /auth/welcome, in the language of
Accept-Language), robots.txt and the OpenTHC service marker from the
webroot; a click that signs in; an expired link's page in Portuguese;
Mattermost behind "/"; no token in the access log. Both sites' logs are in
the stack's directory, so Stack.leaks() reads them too.

Environment: CB_BRIDGE=path. Run: /usr/bin/python3 -m unittest test_examples
"""

import http.client
import os
import re
import ssl
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from stack import ROOT, Stack, caddy_access_log, free_port, new_ulid, wait_for  # noqa: E402

WEBROOT_INSTALLED = "/usr/share/chat-bridge/webroot"


class Front:
    """Requests to the example site on 127.0.0.1:port (TLS if ctx)."""

    def __init__(self, port, tls=False, host="chat.openthc.example.com"):
        self.port = port
        self.host = host
        self.ctx = ssl._create_unverified_context() if tls else None

    def get(self, path, headers=None):
        if self.ctx:
            c = http.client.HTTPSConnection("127.0.0.1", self.port, context=self.ctx, timeout=10)
        else:
            c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            c.request("GET", path, headers=dict(headers or {}, Host=self.host))
            r = c.getresponse()
            return r.status, dict((k.lower(), v) for k, v in r.getheaders()), r.read(), r.msg.get_all("Set-Cookie") or []
        finally:
            c.close()


class Examples(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = Stack(name="examples", workers=2).start()

    @classmethod
    def tearDownClass(cls):
        problems = cls.s.finish()
        assert not problems, problems

    def check_site(self, front, site_url_port):
        # The landing page is the bridge's, in the person's language.
        st, h, body, _ = front.get("/")
        self.assertEqual(st, 200)
        self.assertIn(b'<html lang="en">', body)
        self.assertIn(b">Open Chat</a>", body)
        self.assertIn(b'href="/auth/open?r=%2F"', body)
        self.assertEqual(h.get("vary"), "Accept-Language")
        self.assertEqual(h.get("cache-control"), "no-store")
        self.assertTrue(h["content-type"].startswith("text/html"), h["content-type"])
        st, h, body, _ = front.get("/", {"Accept-Language": "es-EC,es;q=0.9,en;q=0.8"})
        self.assertEqual(st, 200)
        self.assertIn(b'<html lang="es-419">', body)
        self.assertIn("Abrir el chat".encode(), body)
        self.assertIn(b'href="/auth/open?r=%2F"', body)
        st, h, body, _ = front.get("/?utm=x", {"Accept-Language": "pt-BR"})
        self.assertEqual(st, 200)
        self.assertIn(b'<html lang="pt-BR">', body)
        st, h, body, _ = front.get("/auth/welcome", {"Accept-Language": "es"})
        self.assertEqual(st, 200)
        self.assertIn(b'<html lang="es-419">', body)
        st, h, body, _ = front.get("/robots.txt")
        self.assertEqual((st, body), (200, b"User-agent: *\nDisallow: /\n"))
        st, h, body, _ = front.get("/.well-known/openthc/service")
        self.assertEqual((st, body.strip()), (200, b"chat"))
        self.assertTrue(h["content-type"].startswith("text/plain"), h["content-type"])
        # Mattermost is behind everything else.
        st, h, body, _ = front.get("/api/v4/system/ping")
        self.assertEqual(st, 200, body[:200])
        self.assertIn(b'"status"', body)
        # The bridge behind /auth/: the link signs in.
        token = self.s.mint(new_ulid(5150 + site_url_port % 100), "example%d@example.com" % site_url_port)
        self.s.secrets.add(token)
        st, h, body, cookies = front.get("/auth/open?jwt=" + token)
        self.assertEqual(st, 302, body[:300])
        self.assertEqual(sorted(c.split("=", 1)[0] for c in cookies), ["MMAUTHTOKEN", "MMCSRF", "MMUSERID"])
        st, _, _, _ = front.get("/auth/other")
        self.assertEqual(st, 404)
        # An expired link, for a person whose browser prefers Portuguese.
        token = self.s.mint(new_ulid(5160 + site_url_port % 100), "late%d@example.com" % site_url_port,
                            iat=int(time.time()) - 1000)
        self.s.secrets.add(token)
        st, h, body, cookies = front.get("/auth/open?jwt=" + token, {"Accept-Language": "pt-BR,pt;q=0.9,en;q=0.8"})
        self.assertEqual((st, cookies), (401, []))
        self.assertIn(b'<html lang="pt-BR">', body)
        self.assertIn("Este link do chat expirou ou já foi usado".encode(), body)
        self.assertIn(b"CBO-401", body)
        self.assertEqual(h.get("vary"), "Accept-Language")

    def test_nginx_site(self):
        d = os.path.join(self.s.dir, "nginx-site")
        os.makedirs(os.path.join(d, "logs"))
        key, crt = os.path.join(d, "key.pem"), os.path.join(d, "crt.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                        "/CN=chat.openthc.example.com", "-keyout", key, "-out", crt],
                       check=True, capture_output=True)
        http_port, https_port = free_port(), free_port()
        site = open(os.path.join(ROOT, "etc", "nginx", "chat.openthc.example.com.conf")).read()
        for old, new in (("unix:/run/openthc/chat-bridge.sock", "unix:" + self.s.socket),
                         ("127.0.0.1:8065", "127.0.0.1:%d" % self.s.mm_port),
                         ("listen [::]:80;", ""), ("listen [::]:443 ssl http2;", ""),
                         ("listen 80;", "listen 127.0.0.1:%d;" % http_port),
                         ("listen 443 ssl http2;", "listen 127.0.0.1:%d ssl http2;" % https_port),
                         ("/etc/letsencrypt/live/chat.openthc.example.com/fullchain.pem", crt),
                         ("/etc/letsencrypt/live/chat.openthc.example.com/privkey.pem", key),
                         ("/var/log/nginx/", d + "/logs/"),
                         ("include snippets/", "include %s/etc/nginx/" % ROOT),
                         (WEBROOT_INSTALLED, os.path.join(ROOT, "webroot"))):
            self.assertIn(old, site, "the example changed: update this test")
            site = site.replace(old, new)
        conf = os.path.join(d, "nginx.conf")
        with open(conf, "w") as f:
            f.write("""daemon off;
pid %(d)s/nginx.pid;
error_log %(d)s/logs/error.log warn;
events { worker_connections 64; }
http {
    include /etc/nginx/mime.types;
    include %(root)s/etc/nginx/log-format.conf;
    client_body_temp_path %(d)s/body;
    proxy_temp_path %(d)s/proxy;
    fastcgi_temp_path %(d)s/fastcgi;
    uwsgi_temp_path %(d)s/uwsgi;
    scgi_temp_path %(d)s/scgi;
%(site)s
}
""" % {"d": d, "root": ROOT, "site": site})
        t = subprocess.run(["nginx", "-t", "-c", conf, "-p", d], capture_output=True, text=True)
        self.assertEqual(t.returncode, 0, t.stderr)
        p = subprocess.Popen(["nginx", "-c", conf, "-p", d], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            front = Front(https_port, tls=True)
            wait_for(lambda: self._up(front), 10, "nginx with the example site")
            st, h, _, _ = Front(http_port).get("/auth/open?x=1")
            self.assertEqual(st, 301)
            self.assertEqual(h["location"], "https://chat.openthc.example.com/auth/open?x=1")
            self.check_site(front, https_port)
            # The query (the token) is not in the access log.
            log = open(os.path.join(d, "logs", "chat.access.log")).read()
            self.assertIn("GET /auth/open ", log)
            self.assertIsNone(re.search(r"jwt=", log))
        finally:
            p.terminate()
            p.wait(10)

    def test_caddyfile(self):
        d = os.path.join(self.s.dir, "caddy-site")
        os.makedirs(d)
        port = free_port()
        site = open(os.path.join(ROOT, "etc", "caddy", "Caddyfile")).read()
        for old, new in (("chat.openthc.example.com {", "http://chat.openthc.example.com:%d {\n\tbind 127.0.0.1" % port),
                         ("/etc/caddy/chat-bridge.caddy", os.path.join(ROOT, "etc", "caddy", "chat-bridge.caddy")),
                         (WEBROOT_INSTALLED, os.path.join(ROOT, "webroot"))):
            self.assertIn(old, site, "the example changed: update this test")
            site = site.replace(old, new)
        # Global options for a test run: no admin endpoint, state in d.
        site = site.replace("{\n", "{\n\tadmin off\n\tstorage file_system %s/data\n" % d, 1)
        # The documented access log, uncommented, into d.
        block = caddy_access_log("/var/log/caddy/chat.access.log")
        commented = "".join(("\t#" + line[1:] if line.startswith("\t") else line)
                            for line in block.splitlines(True))
        self.assertIn(commented, site, "the Caddyfile's log block changed: update this test")
        site = site.replace(commented, caddy_access_log(os.path.join(d, "access.log")))
        conf = os.path.join(d, "Caddyfile")
        with open(conf, "w") as f:
            f.write(site)
        env = dict(os.environ, HOME=d, XDG_DATA_HOME=d, XDG_CONFIG_HOME=d,
                   CHAT_BRIDGE_FASTCGI="unix/" + self.s.socket, MATTERMOST_UPSTREAM="127.0.0.1:%d" % self.s.mm_port)
        v = subprocess.run(["caddy", "validate", "--config", conf, "--adapter", "caddyfile"],
                           capture_output=True, text=True, env=env)
        self.assertEqual(v.returncode, 0, v.stderr[-2000:])
        log = open(os.path.join(d, "stderr.log"), "w")
        p = subprocess.Popen(["caddy", "run", "--config", conf, "--adapter", "caddyfile"], env=env,
                             stdout=log, stderr=subprocess.STDOUT)
        try:
            # The Host a browser sends for http://chat.openthc.example.com:port/
            # (Caddy picks the site's access logger by it; without the port
            # the request went to Caddy's default logger, unfiltered, on stderr).
            front = Front(port, host="chat.openthc.example.com:%d" % port)
            wait_for(lambda: self._up(front), 15, "Caddy with the example Caddyfile")
            self.check_site(front, port)
            # The query (the token) is not in the access log (written
            # once the request is done: wait for the line).
            access = os.path.join(d, "access.log")
            wait_for(lambda: '"uri":"/auth/open"' in open(access).read(), 5, "the /auth/open access log line")
            self.assertIsNone(re.search(r"jwt=", open(access).read()))
        finally:
            p.terminate()
            p.wait(10)

    @staticmethod
    def _up(front):
        try:
            return front.get("/robots.txt")[0] == 200
        except OSError:
            return False


if __name__ == "__main__":
    unittest.main()
