"""Rolling upgrades (issue 14): schema steps are expand/contract, and a
bridge built for schema N serves on a store at N+1 when step N+1 says it
runs with N.

chat-bridge is built for this release's schema N; chat-bridge-next
(CB_BRIDGE_NEXT, tests/CMakeLists.txt) is the same bridge with one more,
test-only, additive step N+1 (schema_next_step.h). Two bridge hosts behind
nginx, clicks flowing all the time:

  1. a bridge for N+1 refuses a store at N ("run migrate");
  2. `migrate` of N+1, run on three hosts at once, takes the store to N+1
     once; the bridges for N keep serving, also on new connections;
  3. host 2, then host 1 are replaced by bridges for N+1: no click fails;
  4. a later contract step (N+2, compatible only from N+1, written by the
     test) stops a bridge for N (503, "upgrade the bridge", its migrate
     exits 1) while bridges for N+1 serve on;
  5. `migrate` of N and of N+1 at once on an empty database: each step
     applied once.

Run: /usr/bin/python3 -m unittest test_upgrade
"""

import concurrent.futures
import os
import subprocess
import sys
import threading
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
import fcgi  # noqa: E402
from stack import ROOT, Stack, new_ulid  # noqa: E402

NEXT = os.path.abspath(os.environ.get("CB_BRIDGE_NEXT", os.path.join(ROOT, "build", "tests", "chat-bridge-next")))


class Clicks:
    """Clicks through the web server from two threads until stopped;
    every status with its time."""

    def __init__(self, s, n=2):
        self.s, self.results, self.stop = s, [], threading.Event()
        self.tokens = [s.mint(new_ulid(1600 + i), "rolling%d@example.com" % i, count=400) for i in range(n)]
        self.threads = [threading.Thread(target=self.run, args=(t,)) for t in self.tokens]

    def run(self, tokens):
        while tokens and not self.stop.is_set():
            self.results.append((time.monotonic(), self.s.open_link(tokens.pop()).status))
            time.sleep(0.01)

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for t in self.threads:
            t.join()

    def since(self, t0):
        return [st for t, st in self.results if t >= t0]


# compatible_from of each released step, as store.c declares it: steps 1-3
# run with any bridge, step 4 (one contact per Mattermost account) needs a
# bridge of schema 4, step 5 adds columns. The test-only step N+1 is
# additive: it keeps the value of the step before.
RELEASED_COMPATIBLE_FROM = [1, 1, 1, 4, 4]


def recorded(n):
    """What chat_bridge_schema holds after migrating to step n."""
    values = RELEASED_COMPATIBLE_FROM + [RELEASED_COMPATIBLE_FROM[-1]] * n
    return ",".join("%d:%d" % (v, values[v - 1]) for v in range(1, n + 1))


class RollingUpgrade(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # The stack holds each host's socket, as chat-bridge.socket does:
        # a host restarting with a new binary refuses no connection.
        cls.s = Stack(front="nginx", bridges=2, workers=4, name="upgrade", held_sockets=True).start()
        cls.n = int(cls.s.psql("chat_bridge", "SELECT max(version) FROM chat_bridge_schema"))

    @classmethod
    def tearDownClass(cls):
        usable = cls.s.settle_front_log_tokens()
        problems = cls.s.finish([new_ulid(1600), new_ulid(1601)])
        assert not usable, "usable tokens in the web server's logs: %d" % len(usable)
        assert not problems, problems

    def migrate(self, binary, conf=None):
        return subprocess.run([binary, "migrate", "--config", conf or self.s.conf], capture_output=True, text=True,
                              timeout=60)

    def schema(self, db="chat_bridge"):
        return self.s.psql(db, "SELECT string_agg(version || ':' || coalesce(compatible_from::text, '-'), ',' "
                               "ORDER BY version) FROM chat_bridge_schema")

    def direct(self, sock):
        token = self.s.mint(new_ulid(1602), "direct@example.com")
        self.s.secrets.add(token)
        return fcgi.request(sock, fcgi.base_params(query=urllib.parse.urlencode({"jwt": token})))

    def served_by(self, name, since):
        with open(self.s.bridge_logs[name], encoding="utf-8", errors="replace") as f:
            f.seek(since)
            return sum(1 for line in f if '"event":"attempt"' in line and '"status":302' in line)

    def test_a_rolling_upgrade_without_a_failed_click(self):
        s, n = self.s, self.n
        self.assertEqual(len(RELEASED_COMPATIBLE_FROM), n, "a new step: add its compatible_from above")
        self.assertEqual(self.schema(), recorded(n))
        # A bridge for N+1 beside them, on a socket of its own, refuses the
        # store at N until migrate has run.
        s.start_bridge(name="bridge-3", bin=NEXT)
        r = self.direct(s.bridge_socket("bridge-3"))
        self.assertEqual(r.status, 503)
        self.assertIn("store: schema version %d, this bridge needs %d: run chat-bridge migrate" % (n, n + 1),
                      s.bridge_log_text("bridge-3"))
        with Clicks(s) as clicks:
            time.sleep(0.5)
            # migrate of N+1 on three hosts at once: one applies the step.
            with concurrent.futures.ThreadPoolExecutor(3) as ex:
                runs = list(ex.map(lambda _: self.migrate(NEXT), range(3)))
            self.assertEqual([r.returncode for r in runs], [0, 0, 0], [r.stderr for r in runs])
            outs = [r.stdout for r in runs]
            self.assertEqual(sum("applied steps %d to %d" % (n + 1, n + 1) in o for o in outs), 1, outs)
            self.assertTrue(all("schema at version %d\n" % (n + 1) in o for o in outs), outs)
            self.assertEqual(self.schema(), recorded(n + 1))
            migrated = time.monotonic()
            time.sleep(0.5)
            # The bridge for N+1 now serves; the bridges for N serve on,
            # also on new connections: host 2 restarts as N.
            self.assertEqual(self.direct(s.bridge_socket("bridge-3")).status, 302)
            s.stop_bridge(name="bridge-3")
            off = os.path.getsize(s.bridge_logs["bridge-2"])
            self.assertEqual(s.stop_bridge(name="bridge-2"), 0)
            s.start_bridge(name="bridge-2")
            time.sleep(0.8)
            self.assertGreater(self.served_by("bridge-2", off), 0, "a bridge for N started on a store at N+1")
            # The rolling upgrade: host 2, then host 1 to N+1.
            for name in ("bridge-2", "bridge"):
                self.assertEqual(s.stop_bridge(name=name), 0)
                off = os.path.getsize(s.bridge_logs[name])
                s.start_bridge(name=name, bin=NEXT)
                time.sleep(0.8)
                self.assertGreater(self.served_by(name, off), 0, "%s serves as N+1" % name)
        statuses = [st for _, st in clicks.results]
        self.assertGreater(len(clicks.since(migrated)), 20)
        self.assertEqual(set(statuses), {302}, "no failed click during the upgrade (%d clicks)" % len(statuses))
        log = s.bridge_log_text("bridge") + s.bridge_log_text("bridge-2")
        self.assertNotIn("schema version", log)
        print("\nrolling upgrade %d -> %d: %d clicks, all 302" % (n, n + 1, len(statuses)))

    def test_b_a_contract_step_stops_the_old_bridge(self):
        # A later release drops something bridges for N read: its step
        # N+2 runs only with bridges for N+1 and newer. Written here by
        # hand, as that release's migrate would.
        s, n = self.s, self.n
        if int(s.psql("chat_bridge", "SELECT max(version) FROM chat_bridge_schema")) == n:
            self.assertEqual(self.migrate(NEXT).returncode, 0)
        s.psql("chat_bridge", "INSERT INTO chat_bridge_schema (version, compatible_from) VALUES (%d, %d)"
               % (n + 2, n + 1))
        try:
            r = self.migrate(s.bridge_bin)
            self.assertEqual(r.returncode, 1)
            self.assertIn("the store has schema version %d, which runs with bridges of schema version %d or "
                          "newer, this bridge has %d; upgrade the bridge" % (n + 2, n + 1, n), r.stderr)
            r = self.migrate(NEXT)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("newer than this bridge (%d) and compatible with it; nothing to do" % (n + 1), r.stdout)
            # A bridge for N refuses it; one for N+1 serves on it.
            for binary, want in ((s.bridge_bin, 503), (NEXT, 302)):
                s.start_bridge(name="bridge-3", bin=binary)
                self.assertEqual(self.direct(s.bridge_socket("bridge-3")).status, want)
                s.stop_bridge(name="bridge-3")
            self.assertIn("store: schema version %d runs with bridges of schema version %d or newer, this "
                          "bridge has %d: upgrade the bridge" % (n + 2, n + 1, n), s.bridge_log_text("bridge-3"))
            # So does a running bridge for N+1 that connects again.
            s.psql("chat_bridge", "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name "
                                  "= 'openthc-chat-bridge' AND state = 'idle'")
            for _ in range(8):
                self.assertEqual(s.get("/auth/ready").status, 200)
        finally:
            s.psql("chat_bridge", "DELETE FROM chat_bridge_schema WHERE version = %d" % (n + 2))

    def test_c_migrate_of_two_versions_at_once_on_an_empty_store(self):
        s, n = self.s, self.n
        subprocess.run([os.path.join(ROOT, "tests", "lib", "pg-tmp"), "createdb", s.store_pg, "chat_bridge_c"],
                       check=True, capture_output=True)
        conf = os.path.join(s.dir, "fresh.conf")
        with open(s.conf) as f, open(conf, "w") as g:
            g.write(f.read().replace("postgresql:///chat_bridge?", "postgresql:///chat_bridge_c?"))
        with concurrent.futures.ThreadPoolExecutor(4) as ex:
            runs = list(ex.map(lambda b: self.migrate(b, conf), [NEXT, s.bridge_bin, NEXT, s.bridge_bin]))
        self.assertEqual([r.returncode for r in runs], [0, 0, 0, 0], [r.stderr for r in runs])
        r = subprocess.run(["psql", "-X", "-A", "-t", "-q", s.store_dsn.replace("/chat_bridge?", "/chat_bridge_c?"),
                            "-c", "SELECT string_agg(version || ':' || compatible_from, ',' ORDER BY version) "
                                  "FROM chat_bridge_schema"], capture_output=True, text=True, check=True)
        self.assertEqual(r.stdout.strip(), recorded(n + 1), "each step once")


if __name__ == "__main__":
    unittest.main(verbosity=2)
