"""FastCGI connection reuse between nginx and the bridge (issue 15.3), the
option docs/web-server.md describes: `fastcgi_keep_conn on` with an
upstream `keepalive`. What it changes, tested at the FastCGI level and
through nginx:

* a kept connection carries one request after another; a request whose
  body the bridge refused unread (413) leaves the connection usable, one
  whose body never completed (408) is closed by the bridge;
* libfcgi serves a kept connection with the worker that accepted it: a
  worker stays with its connection while nginx keeps it idle. The bridge
  lets at most half its workers do so and closes other kept connections
  after their answer, so new connections always find a worker (nginx's
  keepalive x worker_processes should stay at or below workers / 2 for the
  connections to be reused);
* SIGTERM still ends the bridge at once with workers waiting on kept
  connections.
"""

import os
import re
import signal
import subprocess
import sys
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
import fcgi  # noqa: E402
from stack import Stack, new_ulid  # noqa: E402

WORKERS = 8


def kept_request(sk, params, body=b""):
    sk.sendall(fcgi.begin(keep=True) + fcgi.params_records(params) + fcgi.stdin_records(body))
    return fcgi.Reply(fcgi.read_one(sk))


class KeepConn(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # nginx: 2 workers x keepalive 1 = 2 kept connections, within the
        # 4 (half of 8) the bridge lets wait.
        cls.s = Stack(front="nginx", mode="database", workers=WORKERS, fcgi_keepalive=1, name="keepconn").start()
        cls.n = 0

    @classmethod
    def tearDownClass(cls):
        problems = cls.s.finish([new_ulid(8000 + i) for i in range(1, cls.n + 1)])
        assert not problems, problems

    def contact(self):
        KeepConn.n += 1
        return new_ulid(8000 + KeepConn.n), "keep%d@example.com" % KeepConn.n

    def click_params(self):
        token = self.s.mint(*self.contact())
        self.s.secrets.add(token)
        return fcgi.base_params(query=urllib.parse.urlencode({"jwt": token}))

    def bridge_connections(self):
        out = subprocess.run(["ss", "-xH", "state", "connected"], capture_output=True, text=True).stdout
        return len(re.findall(re.escape(self.s.socket) + r"\b", out))

    def test_a_clicks_through_nginx_reuse_connections(self):
        for _ in range(30):
            sub, email = self.contact()
            self.assertEqual(self.s.open_link(self.s.mint(sub, email)).status, 302)
        # nginx keeps its connections to the bridge open between requests.
        self.assertGreaterEqual(self.bridge_connections(), 1)
        self.assertLessEqual(self.bridge_connections(), 2, "at most keepalive x nginx workers")

    def test_b_a_body_refused_unread_leaves_the_connection_usable(self):
        sk = fcgi.connect(self.s.socket, timeout=10)
        try:
            big = fcgi.base_params("/auth/open", method="POST", CONTENT_TYPE="application/x-www-form-urlencoded",
                                   CONTENT_LENGTH="20000")
            r = kept_request(sk, big, b"jwt=" + b"B" * 19996)
            self.assertEqual(r.status, 413, r.body[:200])
            r = kept_request(sk, self.click_params())
            self.assertEqual(r.status, 302, r.body[:200])
            r = kept_request(sk, fcgi.base_params("/auth/ping"))
            self.assertEqual(r.status, 200)
        finally:
            sk.close()

    def test_c_a_body_that_never_completes_closes_the_connection(self):
        params = fcgi.base_params("/auth/open", method="POST", CONTENT_TYPE="application/x-www-form-urlencoded",
                                  CONTENT_LENGTH="100")
        sk = fcgi.connect(self.s.socket, timeout=20)
        try:
            sk.sendall(fcgi.begin(keep=True) + fcgi.params_records(params) + fcgi.record(fcgi.FCGI_STDIN, 1, b"jwt="))
            r = fcgi.Reply(fcgi.read_one(sk))
            self.assertEqual(r.status, 408, r.body[:200])
            self.assertEqual(sk.recv(1), b"", "the bridge closed the connection")
        finally:
            sk.close()
        self.assertEqual(self.s.get("/auth/ping").status, 200)

    def test_d_at_most_half_the_workers_wait_on_kept_connections(self):
        time.sleep(0.2)
        mine = []
        try:
            # More kept connections than workers (nginx's own idle ones
            # count too): the bridge keeps at most WORKERS / 2 and closes
            # the others after their answer.
            for _ in range(WORKERS):
                sk = fcgi.connect(self.s.socket, timeout=10)
                self.assertEqual(kept_request(sk, fcgi.base_params("/auth/ping")).status, 200)
                mine.append(sk)
            closed = 0
            for sk in mine:
                sk.settimeout(0.3)
                try:
                    closed += sk.recv(1) == b""
                except OSError:
                    pass
            self.assertGreaterEqual(closed, WORKERS - WORKERS // 2, "the bridge closed the ones beyond half")
            # A new connection finds a worker at once.
            t0 = time.monotonic()
            self.assertEqual(fcgi.request(self.s.socket, fcgi.base_params("/auth/ping"), timeout=5).status, 200)
            self.assertLess(time.monotonic() - t0, 1.0)
        finally:
            for sk in mine:
                sk.close()
        # Through nginx, clicks go on.
        sub, email = self.contact()
        self.assertEqual(self.s.open_link(self.s.mint(sub, email)).status, 302)

    def test_z_sigterm_with_workers_on_kept_connections(self):
        for _ in range(5):
            sub, email = self.contact()
            self.assertEqual(self.s.open_link(self.s.mint(sub, email)).status, 302)
        self.assertGreaterEqual(self.bridge_connections(), 1)
        t0 = time.monotonic()
        self.assertEqual(self.s.stop_bridge(signal.SIGTERM), 0)
        self.assertLess(time.monotonic() - t0, 2.0, "no wait for nginx to close its kept connections")


if __name__ == "__main__":
    unittest.main(verbosity=2)
