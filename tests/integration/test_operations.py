"""Faults and operations: Mattermost down / slow / 500 / 429, the bridge's
PostgreSQL stopped and restarted, Mattermost's database unreachable in
database mode, the per-address rate limit, /auth/ready and /auth/metrics,
SIGTERM with requests in flight, SIGHUP key rotation without dropped
requests, and starting the bridge like systemd and spawn-fcgi do.

Every fault must give its documented status within timeout + 1 s, no
cookies, an audit row (except when the store itself is down), and no
crash.
"""

import concurrent.futures
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import fcgi  # noqa: E402
from stack import ROOT, SSO_KID, Stack, new_ulid, wait_for  # noqa: E402

FRONT = os.environ.get("CB_FRONT", "nginx")
TIMEOUT_MS = 1000


class Faults(unittest.TestCase):
    """Dependencies failing, in both session modes."""

    MODE = "login"

    @classmethod
    def setUpClass(cls):
        cls.s = Stack(front=FRONT, mode=cls.MODE, workers=4, timeout_ms=TIMEOUT_MS, connect_timeout_ms=500,
                      name="faults-%s" % cls.MODE, separate_store=True).start()
        cls.sub, cls.email = new_ulid(4242), "faults@example.com"
        cls.subs = [cls.sub]
        assert cls.s.open_link(cls.s.mint(cls.sub, cls.email)).status == 302

    @classmethod
    def tearDownClass(cls):
        problems = cls.s.finish(cls.subs)
        assert not problems, problems

    def tearDown(self):
        self.s.emu("POST", "/__emu/fault", {"mode": "none"})

    def audit_reasons(self, n=1):
        time.sleep(0.2)   # the row is written after the response
        return self.s.psql("chat_bridge", "SELECT string_agg(reason, ',' ORDER BY id DESC) FROM "
                                          "(SELECT id, reason FROM chat_bridge_audit ORDER BY id DESC LIMIT %d) t" % n)

    n = 0

    def newcomer(self):
        """A contact never seen before: its click needs Mattermost's REST
        API in both modes (find or create the user, the teams)."""
        Faults.n += 1
        sub = new_ulid(9000 + Faults.n)
        self.subs.append(sub)
        return sub, "faults%d@example.com" % Faults.n

    def click_expect(self, status, reason, limit, returning=False):
        sub, email = (self.sub, self.email) if returning else self.newcomer()
        r = self.s.open_link(self.s.mint(sub, email))
        self.assertEqual(r.status, status, r.body[:200])
        self.assertEqual(r.all("Set-Cookie"), [])
        self.assertIn(b"CBO-%d" % status, r.body)
        self.assertLess(r.elapsed, limit, "answered within timeout + 1 s")
        if reason is not None:
            self.assertEqual(self.audit_reasons(), reason)
        self.assertEqual(self.s.get("/auth/ping").status, 200, "no crash")
        return r

    def returning_click_while_rest_is_down(self):
        """Login mode: the login itself is a REST call, so a returning
        click fails like a first one. Database mode overrides this."""
        self.click_expect(502, "mm_unreachable", TIMEOUT_MS / 1000 + 1, returning=True)

    def test_mattermost_down(self):
        self.s.emu("POST", "/__emu/fault", {"mode": "down"})
        self.click_expect(502, "mm_unreachable", TIMEOUT_MS / 1000 + 1)
        self.returning_click_while_rest_is_down()

    def test_mattermost_slow_past_timeout(self):
        self.s.emu("POST", "/__emu/fault", {"mode": "slow", "delay_ms": 3000})
        self.click_expect(504, "mm_timeout", TIMEOUT_MS / 1000 + 1)

    def test_mattermost_500(self):
        self.s.emu("POST", "/__emu/fault", {"mode": "status", "status": 500})
        self.click_expect(502, "mm_error", TIMEOUT_MS / 1000 + 1)

    def test_mattermost_429(self):
        # Mattermost over its limits: busy, with its Retry-After, not a 502.
        self.s.emu("POST", "/__emu/fault", {"mode": "status", "status": 429})
        r = self.click_expect(503, "mm_busy", TIMEOUT_MS / 1000 + 1)
        self.assertGreaterEqual(int(r.header("Retry-After")), 1)

    def test_mattermost_port_closed(self):
        # Nothing listening at all: connection refused.
        with open(self.s.conf) as f:
            orig = f.read()
        try:
            with open(self.s.conf, "w") as f:
                f.write(orig.replace(self.s.mm_url, "http://127.0.0.1:9"))
            os.kill(self.s.bridge_pid(), signal.SIGHUP)
            time.sleep(0.3)
            self.click_expect(502, "mm_unreachable", TIMEOUT_MS / 1000 + 1)
        finally:
            with open(self.s.conf, "w") as f:
                f.write(orig)
            os.kill(self.s.bridge_pid(), signal.SIGHUP)
            time.sleep(0.3)

    def test_ready_reflects_dependencies(self):
        self.assertEqual(self.s.ready().status, 200)
        self.s.emu("POST", "/__emu/fault", {"mode": "down"})
        r = self.s.ready()
        self.assertEqual(r.status, 503)
        self.assertEqual(r.json()["mattermost"], "mm_unreachable")
        self.assertEqual(r.json()["store"], "ok")
        # A bot token Mattermost no longer accepts is not ready either.
        self.s.emu("POST", "/__emu/fault", {"mode": "status", "status": 401, "path_prefix": "/api/v4/users/me"})
        r = self.s.ready()
        self.assertEqual(r.status, 503)
        self.assertNotEqual(r.json()["mattermost"], "ok")
        self.s.emu("POST", "/__emu/fault", {"mode": "none"})
        self.assertEqual(self.s.ready().status, 200)

    def test_z_store_stopped_then_restarted(self):
        self.s.pg_stop()
        try:
            r = self.s.open_link(self.s.mint(self.sub, self.email))
            self.assertEqual(r.status, 503, r.body[:200])
            self.assertEqual(r.all("Set-Cookie"), [])
            self.assertLess(r.elapsed, 4.0)
            r = self.s.ready()
            self.assertEqual(r.status, 503)
            self.assertEqual(r.json()["store"], "store_unavailable")
        finally:
            self.s.pg_start()
        # Recovers without a restart of the bridge.
        wait_for(lambda: self.s.ready().status == 200, 20, "readiness after the restart")
        r = self.s.open_link(self.s.mint(self.sub, self.email))
        self.assertEqual(r.status, 302, r.body[:200])
        self.assertIn("store_unavailable", self.s.bridge_log_text())


class FaultsDatabaseMode(Faults):
    MODE = "database"

    def returning_click_while_rest_is_down(self):
        # A returning click reads the user from Mattermost's database and
        # writes the session there: no REST call, so it still works.
        before = self.s.counters()["requests"]
        r = self.s.open_link(self.s.mint(self.sub, self.email))
        self.assertEqual(r.status, 302, r.body[:200])
        self.assertEqual(self.audit_reasons(), "ok")
        self.assertEqual(self.s.counters()["requests"], before, "no REST call")

    def test_mattermost_database_unreachable(self):
        # The bridge's own role on Mattermost's database is locked out.
        self.s.psql("mattermost", "ALTER ROLE chat_bridge_sessions NOLOGIN; SELECT pg_terminate_backend(pid) "
                                  "FROM pg_stat_activity WHERE usename = 'chat_bridge_sessions'")
        try:
            self.click_expect(502, "mmdb_unavailable", TIMEOUT_MS / 1000 + 3)
            self.assertEqual(self.s.ready().json()["mattermost_database"], "mmdb_unavailable")
        finally:
            self.s.psql("mattermost", "ALTER ROLE chat_bridge_sessions LOGIN")
        self.assertEqual(self.s.open_link(self.s.mint(self.sub, self.email)).status, 302)


class RateLimit(unittest.TestCase):
    def test_rate_limit_before_any_work(self):
        with Stack(front=FRONT, rate_limit=5, name="ratelimit") as s:
            sub = new_ulid(1)
            before_audit = s.psql("chat_bridge", "SELECT count(*) FROM chat_bridge_audit")
            before = s.counters()
            statuses = [s.get("/auth/open?jwt=bad.to.ken").status for _ in range(5)]
            self.assertEqual(statuses, [400] * 5)
            r = s.open_link(s.mint(sub, "limited@example.com"))
            self.assertEqual(r.status, 429)
            self.assertGreaterEqual(int(r.header("Retry-After")), 1)
            self.assertEqual(r.all("Set-Cookie"), [])
            time.sleep(0.2)
            self.assertEqual(s.counters(), before, "no Mattermost work for limited requests")
            audit = int(s.psql("chat_bridge", "SELECT count(*) FROM chat_bridge_audit")) - int(before_audit)
            self.assertEqual(audit, 5, "no audit rows for rate-limited requests (no database work)")
            self.assertIn('reason="rate_limited"', s.get("/auth/metrics").body.decode())


class Operations(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = Stack(front=FRONT, workers=8, name="ops").start()

    @classmethod
    def tearDownClass(cls):
        problems = cls.s.finish()
        assert not problems, problems

    def test_contact_lock_held_elsewhere(self):
        # Another session holds the contact's lock (a stuck bridge host):
        # the click fails closed after the store's lock_timeout (10 s) with
        # 503, leaves no transaction open, and the next click succeeds.
        # A replay takes no lock: it is refused at once even then. The
        # token that failed with 503 was used up all the same.
        s, sub = self.s, new_ulid(77)
        used = s.mint(sub, "locked@example.com")
        self.assertEqual(s.open_link(used).status, 302)
        holder = subprocess.Popen(["psql", "-X", "-q", s.dsn("chat_bridge"), "-c",
                                   "SELECT pg_advisory_lock(hashtextextended('chat-bridge/contact/%s', 0)), "
                                   "pg_sleep(12)" % sub], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        failed = s.mint(sub, "locked@example.com")
        try:
            time.sleep(0.5)
            t0 = time.time()
            r = s.open_link(used)
            self.assertEqual(r.status, 401, r.body[:200])
            self.assertLess(time.time() - t0, 2, "a replay does not wait for the contact's lock")
            t0 = time.time()
            r = s.open_link(failed)
            self.assertEqual(r.status, 503, r.body[:200])
            self.assertEqual(r.all("Set-Cookie"), [])
            self.assertLess(time.time() - t0, 12)
        finally:
            holder.wait(30)
        self.assertEqual(s.open_link(failed).status, 401, "a failed click uses its token up")
        for _ in range(8):      # every worker's connection is usable again
            self.assertEqual(s.ready().status, 200)
        self.assertEqual(s.open_link(s.mint(sub, "locked@example.com")).status, 302)
        self.assertEqual(s.psql("chat_bridge", "SELECT count(*) FROM pg_stat_activity WHERE datname = 'chat_bridge' "
                                               "AND state LIKE 'idle in transaction%'"), "0")

    def test_audit_retention(self):
        # [store] audit_retention_days: a worker purges older audit rows
        # (with the expired replay rows) on its first request and then
        # every minute; younger rows stay.
        s = self.s
        s.psql("chat_bridge", "INSERT INTO chat_bridge_audit (at, request_id, route, method, client, status, "
                              "outcome, reason, detail, via, iss, sub_hash, mm_user_id, mode, latency_us) "
                              "SELECT now() - make_interval(days => d), 'old' || d, '/auth/open', 'GET', "
                              "'127.0.0.1', 302, 'ok', 'ok', '', 'token', '', '', '', 'login', 1 "
                              "FROM generate_series(1, 5) d")
        s.stop_bridge()
        with open(s.conf) as f:
            conf = f.read()
        with open(s.conf, "w") as f:
            f.write(conf.replace("[store]\n", "[store]\naudit_retention_days = 3\n", 1))
        try:
            s.start_bridge()
            for _ in range(16):     # reach every worker
                self.assertEqual(s.get("/auth/open?jwt=x.y.z").status, 400)
            q = "SELECT string_agg(request_id, ',' ORDER BY request_id) FROM chat_bridge_audit WHERE request_id LIKE 'old%'"
            wait_for(lambda: s.psql("chat_bridge", q) == "old1,old2", 5, "the purge of old audit rows")
        finally:
            s.stop_bridge()
            with open(s.conf, "w") as f:
                f.write(conf)
            s.start_bridge()

    def test_metrics(self):
        s = self.s
        s.open_link(s.mint(new_ulid(11), "metrics@example.com"))
        s.get("/auth/open?jwt=x.y.z")
        text = s.get("/auth/metrics").body.decode()
        # Every series is labelled with [bridge] instance, by default the host name.
        inst = 'instance="%s"' % socket.gethostname()
        self.assertRegex(text, r'chat_bridge_attempts_total\{%s,outcome="ok",reason="ok"\} [1-9]' % inst)
        self.assertRegex(text, r'chat_bridge_attempts_total\{%s,outcome="refused",reason="token_base64"\} [1-9]' % inst)
        for h in ("chat_bridge_click_seconds", "chat_bridge_mattermost_request_seconds", "chat_bridge_store_seconds"):
            self.assertIn("# TYPE %s histogram" % h, text)
            self.assertRegex(text, r'%s_count\{%s\} [1-9]' % (h, inst))
        samples = [l for l in text.splitlines() if l and not l.startswith("#")]
        self.assertEqual([l for l in samples if "{%s" % inst not in l], [], "every sample carries the instance")
        self.assertEqual(s.get("/auth/metrics").header("Content-Type"), "text/plain; version=0.0.4; charset=utf-8")

    def test_time_waiting_for_mattermost_is_told_apart(self):
        """The log line's upstream_us and the own-time histogram separate
        what Mattermost costs a click from what the bridge adds."""
        s = self.s

        def own():
            text = s.get("/auth/metrics").body.decode()
            return [float(re.search(r"^chat_bridge_click_own_seconds_%s\{[^}]*\} (\S+)$" % k, text, re.M).group(1))
                    for k in ("count", "sum")]

        before = own()
        s.emu("POST", "/__emu/fault", {"mode": "slow", "delay_ms": 400})
        try:
            r = s.open_link(s.mint(new_ulid(13), "upstream@example.com"))
        finally:
            s.emu("POST", "/__emu/fault", {"mode": "none"})
        self.assertEqual(r.status, 302)
        line = [json.loads(l) for l in s.bridge_log_text().splitlines()
                if l.startswith("{") and '"latency_us"' in l][-1]
        calls = 4   # a new contact: by email, create, team lookups and adds ...: at least 4 slow calls
        self.assertGreaterEqual(line["upstream_us"], calls * 400000, line)
        self.assertLess(line["latency_us"] - line["upstream_us"], 400000, line)
        after = own()
        self.assertEqual(after[0] - before[0], 1)
        self.assertLess(after[1] - before[1], 0.4, "the wait is not counted as the bridge's own time")

    def test_sighup_key_rotation_without_dropped_requests(self):
        s = self.s
        newseed = os.path.join(s.dir, "new.seed")
        newpub = s.run_bridge("keygen", "--seed-file", newseed).split()[-1]
        with open(s.conf) as f:
            orig = f.read()

        def mint_with(seed, n):
            return s.run_bridge("mint", "--seed-file", seed, "--iss", "01BD3TJX9A4TE4AXA6EZE0ZFNP", "--aud",
                                s.site_url, "--sub", new_ulid(12), "--com", "019EV8MMKC5HX5QV46F0HEJX4S", "--email",
                                "rotate@example.com", "--count", str(n)).split()

        old_tokens = mint_with(os.path.join(s.dir, "sso.seed"), 200)
        new_tokens = mint_with(newseed, 200)
        self.assertEqual(s.open_link(new_tokens.pop()).status, 401, "new key not trusted yet")
        # Clicks keep flowing while the configuration is reloaded twice.
        results, stop = [], threading.Event()

        def clicker(tokens):
            while tokens and not stop.is_set():
                results.append(s.open_link(tokens.pop()).status)

        threads = [threading.Thread(target=clicker, args=(old_tokens[i::4],)) for i in range(4)]
        for t in threads:
            t.start()
        try:
            for _ in range(3):
                with open(s.conf, "w") as f:
                    f.write(orig.replace("ed25519 = " + SSO_KID, "ed25519 = %s, %s" % (SSO_KID, newpub)))
                os.kill(s.bridge_pid(), signal.SIGHUP)
                time.sleep(0.15)
                with open(s.conf, "w") as f:
                    f.write(orig)
                os.kill(s.bridge_pid(), signal.SIGHUP)
                time.sleep(0.15)
            # During the rotation: both keys valid.
            with open(s.conf, "w") as f:
                f.write(orig.replace("ed25519 = " + SSO_KID, "ed25519 = %s, %s" % (SSO_KID, newpub)))
            os.kill(s.bridge_pid(), signal.SIGHUP)
            time.sleep(0.3)
            self.assertEqual(s.open_link(new_tokens.pop()).status, 302, "new key trusted")
        finally:
            stop.set()
            for t in threads:
                t.join()
        self.assertTrue(results)
        self.assertEqual(set(results), {302}, "no request dropped or refused during reloads")
        # Old key retired.
        with open(s.conf, "w") as f:
            f.write(orig.replace("ed25519 = " + SSO_KID, "ed25519 = " + newpub))
        os.kill(s.bridge_pid(), signal.SIGHUP)
        time.sleep(0.3)
        self.assertEqual(s.open_link(mint_with(os.path.join(s.dir, "sso.seed"), 1)[0]).status, 401, "old key retired")
        self.assertEqual(s.open_link(new_tokens.pop()).status, 302)
        # A broken configuration is refused; the running one stays.
        with open(s.conf, "w") as f:
            f.write(orig + "\n[bridge]\nworkers = 0\n")
        os.kill(s.bridge_pid(), signal.SIGHUP)
        time.sleep(0.3)
        self.assertEqual(s.open_link(new_tokens.pop()).status, 302)
        self.assertIn("reload failed, keeping the running configuration", s.bridge_log_text())
        self.assertRegex(s.get("/auth/metrics").body.decode(), r'chat_bridge_config_reloads_total\{[^}]*result="failed"\} 1\n')
        with open(s.conf, "w") as f:
            f.write(orig)
        os.kill(s.bridge_pid(), signal.SIGHUP)
        time.sleep(0.3)

    def test_z_sigterm_finishes_requests_in_flight(self):
        s = self.s
        toks = [s.mint(new_ulid(100 + i), "inflight%d@example.com" % i) for i in range(6)]
        s.emu("POST", "/__emu/fault", {"mode": "slow", "delay_ms": 800})
        try:
            with concurrent.futures.ThreadPoolExecutor(6) as ex:
                futs = [ex.submit(s.open_link, t) for t in toks]
                time.sleep(0.3)         # all six are inside the bridge now
                t0 = time.monotonic()
                rc = s.stop_bridge(signal.SIGTERM)
                stopped_after = time.monotonic() - t0
                statuses = [f.result().status for f in futs]
        finally:
            s.emu("POST", "/__emu/fault", {"mode": "none"})
        self.assertEqual(rc, 0, "exit status 0")
        self.assertEqual(statuses, [302] * 6, "every request in flight finished")
        self.assertGreater(stopped_after, 0.3, "it waited for them")
        self.assertNotEqual(s.get("/auth/ping").status, 200, "no longer accepting")
        s.start_bridge()
        wait_for(lambda: s.get("/auth/ping").status == 200, 10, "restart")


class Startup(unittest.TestCase):
    """Starting the bridge like the systemd units and spawn-fcgi do."""

    @classmethod
    def setUpClass(cls):
        cls.s = Stack(front="nginx", workers=2, name="startup").start()
        cls.s.stop_bridge()
        with open(cls.s.conf) as f:
            cls.fd0_conf = os.path.join(cls.s.dir, "fd0.conf")
            with open(cls.fd0_conf, "w") as g:
                g.write("".join(l for l in f if not l.startswith("listen")))

    @classmethod
    def tearDownClass(cls):
        problems = cls.s.finish()
        assert not problems, problems

    def ping(self):
        return fcgi.request(self.s.socket, fcgi.base_params("/auth/ping"))

    def run_and_stop(self, args, **kw):
        log = open(os.path.join(self.s.dir, "startup.log"), "a")
        p = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, **kw)
        try:
            wait_for(lambda: self.ping().status == 200, 10, "the bridge")
            r = self.s.open_link(self.s.mint(new_ulid(300 + len(args)), "start%d@example.com" % len(args)))
            self.assertEqual(r.status, 302)
        finally:
            p.send_signal(signal.SIGTERM)
            rc = p.wait(20)
        self.assertEqual(rc, 0)

    def fresh_socket(self):
        if os.path.exists(self.s.socket):
            os.unlink(self.s.socket)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.bind(self.s.socket)
        os.chmod(self.s.socket, 0o666)
        sock.listen(128)
        return sock

    def test_fd0_like_standard_input_socket(self):
        # chat-bridge.socket + StandardInput=socket: the listener is fd 0.
        sock = self.fresh_socket()
        try:
            self.run_and_stop([self.s.bridge_bin, "serve", "--config", self.fd0_conf], stdin=sock.fileno())
        finally:
            sock.close()

    def test_listen_fds_socket_activation(self):
        tool = shutil.which("systemd-socket-activate")
        self.assertIsNotNone(tool, "systemd-socket-activate (package systemd) is needed")
        if os.path.exists(self.s.socket):
            os.unlink(self.s.socket)
        log = open(os.path.join(self.s.dir, "startup.log"), "a")
        p = subprocess.Popen([tool, "-l", self.s.socket, self.s.bridge_bin, "serve", "--config", self.fd0_conf],
                             stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_for(lambda: os.path.exists(self.s.socket), 5, "the socket")
            os.chmod(self.s.socket, 0o666)
            wait_for(lambda: self.ping().status == 200, 10, "the bridge")   # started on the first connection
            self.assertEqual(self.s.open_link(self.s.mint(new_ulid(400), "sa@example.com")).status, 302)
        finally:
            p.send_signal(signal.SIGTERM)
            rc = p.wait(20)
        self.assertEqual(rc, 0)

    def test_spawn_fcgi(self):
        if os.path.exists(self.s.socket):
            os.unlink(self.s.socket)
        self.run_and_stop(["spawn-fcgi", "-n", "-s", self.s.socket, "-M", "0666", "--", self.s.bridge_bin, "serve",
                           "--config", self.fd0_conf])

    def test_no_listener_is_a_clear_error(self):
        r = subprocess.run([self.s.bridge_bin, "serve", "--config", self.fd0_conf], stdin=subprocess.DEVNULL,
                           capture_output=True, text=True, timeout=10)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("not a listening socket", r.stderr + r.stdout)

    def test_systemd_units_verify(self):
        d = os.path.join(self.s.dir, "units")
        os.makedirs(d, exist_ok=True)
        for unit in ("chat-bridge.service", "chat-bridge.socket"):
            text = open(os.path.join(ROOT, "etc", "systemd", unit)).read()
            with open(os.path.join(d, unit), "w") as f:
                f.write(text.replace("/usr/sbin/chat-bridge", self.s.bridge_bin))
        # Documentation=man:chat-bridge(8) must resolve: use the page in docs/.
        env = dict(os.environ, MANPATH=os.path.join(ROOT, "docs", "man"))
        r = subprocess.run(["systemd-analyze", "verify", os.path.join(d, "chat-bridge.socket"),
                            os.path.join(d, "chat-bridge.service")], capture_output=True, text=True, env=env)
        problems = [l for l in (r.stdout + r.stderr).splitlines() if "chat-bridge" in l]
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(problems, [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
