"""Several bridge hosts on one store (issue 14, "Many hosts"): three
`chat-bridge serve` processes with the same configuration, each with its
own socket and instance name, sharing one store database, behind one
nginx upstream or one Caddy reverse_proxy with three FastCGI upstreams
(CB_FRONT).

  - 30 concurrent uses of one link spread over the hosts: one 302;
  - concurrent first clicks of one new contact on different hosts: one
    Mattermost account, one link row;
  - a login-mode password re-set racing logins on the other hosts: one
    re-set, no lock-out;
  - SIGHUP on one host under a stream of clicks: no failed click;
  - SIGKILL of one host under load: the others keep serving, the web
    server answers the retried requests, nothing in the store stays
    locked, and the killed host's click in flight fails closed (its token
    is used up);
  - every host labels its metrics with its own instance.

Run: CB_FRONT=nginx|caddy /usr/bin/python3 -m unittest test_hosts
"""

import concurrent.futures
import os
import signal
import sys
import threading
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
import fcgi  # noqa: E402
from stack import Stack, new_ulid, wait_for  # noqa: E402

FRONT = os.environ.get("CB_FRONT", "nginx")
HOSTS = ("bridge", "bridge-2", "bridge-3")
WORKERS = 4


class Hosts(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = Stack(front=FRONT, bridges=len(HOSTS), workers=WORKERS, name="hosts-" + FRONT).start()
        cls.subs = []

    @classmethod
    def tearDownClass(cls):
        # nginx writes the request line, token included, into its error
        # log when it cannot reach a host or a host dies before answering.
        # Such a token must have been used up by the host that took the
        # retry; the leak check then ignores exactly these.
        n = len(cls.s.front_log_tokens())
        usable = cls.s.settle_front_log_tokens()
        print("\ntokens in the %s logs: %d, usable: %d" % (FRONT, n, len(usable)))
        problems = cls.s.finish(cls.subs)
        assert not usable, "usable tokens in the web server's logs: %d" % len(usable)
        assert not problems, problems

    def tearDown(self):
        self.s.emu("POST", "/__emu/fault", {"mode": "none"})

    # ------------------------------------------------------------ helpers
    def direct(self, host, token):
        """One click straight at one host's FastCGI socket (no web server)."""
        self.s.secrets.add(token)
        return fcgi.request(self.s.bridge_socket(host),
                            fcgi.base_params(query=urllib.parse.urlencode({"jwt": token})), timeout=30)

    def log_sizes(self):
        return {h: os.path.getsize(self.s.bridge_logs[h]) for h in HOSTS if h in self.s.bridge_logs}

    def attempts_since(self, sizes):
        """Attempt lines each host wrote since log_sizes() returned sizes."""
        out = {}
        for h, off in sizes.items():
            with open(self.s.bridge_logs[h], encoding="utf-8", errors="replace") as f:
                f.seek(off)
                out[h] = sum(1 for line in f if '"event":"attempt"' in line)
        return out

    def store_quiet(self):
        """No advisory lock held, no transaction left open in the store."""
        return self.s.psql("chat_bridge", "SELECT (SELECT count(*) FROM pg_locks WHERE locktype = 'advisory') "
                                          "|| '/' || (SELECT count(*) FROM pg_stat_activity WHERE datname = "
                                          "'chat_bridge' AND state LIKE 'idle in transaction%')")

    def user(self, email):
        st, u = self.s.emu("GET", "/api/v4/users/email/" + email)
        self.assertEqual(st, 200, u)
        return u

    # ------------------------------------------------------------ tests
    def test_a_one_link_thirty_times_at_once(self):
        s, sub = self.s, new_ulid(1401)
        self.subs.append(sub)
        token = s.mint(sub, "once@example.com")
        sizes = self.log_sizes()
        go = threading.Barrier(30)

        def click():
            go.wait()
            return s.open_link(token).status

        with concurrent.futures.ThreadPoolExecutor(30) as ex:
            statuses = list(ex.map(lambda _: click(), range(30)))
        self.assertEqual(statuses.count(302), 1, statuses)
        self.assertEqual(statuses.count(401), 29, statuses)
        time.sleep(0.3)     # attempt lines follow the answers
        per_host = self.attempts_since(sizes)
        self.assertEqual(sum(per_host.values()), 30, per_host)
        self.assertTrue(all(n > 0 for n in per_host.values()), "spread over every host: %s" % per_host)
        self.assertEqual(s.psql("chat_bridge", "SELECT count(*) FROM chat_bridge_audit WHERE reason = 'ok' AND "
                                               "sub_hash = (SELECT sub_hash FROM chat_bridge_audit WHERE "
                                               "reason = 'replayed' ORDER BY id DESC LIMIT 1)"), "1")

    def test_b_first_clicks_of_a_new_contact_on_every_host(self):
        s, sub, email = self.s, new_ulid(1402), "first-everywhere@example.com"
        self.subs.append(sub)
        tokens = s.mint(sub, email, count=3 * len(HOSTS))
        before = s.counters()
        go = threading.Barrier(len(tokens))

        def click(i):
            go.wait()
            return self.direct(HOSTS[i % len(HOSTS)], tokens[i])

        with concurrent.futures.ThreadPoolExecutor(len(tokens)) as ex:
            replies = list(ex.map(click, range(len(tokens))))
        self.assertEqual([r.status for r in replies], [302] * len(tokens))
        users = {v.split("=", 1)[1].split(";")[0] for r in replies for v in r.all("Set-Cookie")
                 if v.startswith("MMUSERID=")}
        self.assertEqual(len(users), 1, "every click signed in the same account")
        self.assertEqual(s.counters()["users_created"] - before["users_created"], 1, "one Mattermost account")
        self.assertEqual(s.psql("chat_bridge", "SELECT count(*) || '/' || min(mm_user_id) FROM chat_bridge_link "
                                               "WHERE sub = '%s'" % sub), "1/" + users.pop())

    def test_c_password_reset_races_logins_on_other_hosts(self):
        # Login mode. The contact's password was changed in Mattermost
        # (by an admin, say): the next click's login fails and re-sets the
        # derived password once. Clicks on the other hosts at the same time
        # wait for the contact's lock and then log in: one re-set, one
        # failed login, no lock-out.
        s, sub, email = self.s, new_ulid(1403), "reset-race@example.com"
        self.subs.append(sub)
        self.assertEqual(s.open_link(s.mint(sub, email)).status, 302)
        uid = self.user(email)["id"]
        st, _ = s.emu("PUT", "/api/v4/users/%s/password" % uid, {"new_password": "Changed-by-an-admin-1"})
        self.assertEqual(st, 200)
        s.emu("POST", "/__emu/config", {"MaximumLoginAttempts": 2})
        tokens = s.mint(sub, email, count=2 * len(HOSTS))
        s.emu("POST", "/__emu/counters/reset")
        go = threading.Barrier(len(tokens))

        def click(i):
            go.wait()
            return self.direct(HOSTS[i % len(HOSTS)], tokens[i]).status

        try:
            with concurrent.futures.ThreadPoolExecutor(len(tokens)) as ex:
                statuses = list(ex.map(click, range(len(tokens))))
        finally:
            s.emu("POST", "/__emu/config", {"MaximumLoginAttempts": 10})
        c = s.counters()
        self.assertEqual(statuses, [302] * len(tokens))
        self.assertEqual(c["passwords_set"], 1, "exactly one re-set: %s" % c)
        self.assertEqual(c["logins_failed"], 1, "one failed login: %s" % c)
        self.assertEqual(c["logins_ok"], len(tokens))
        st, state = s.emu("GET", "/__emu/state?user_id=" + uid)
        self.assertEqual(state["user"]["failed_attempts"], 0, "not locked out")

    def test_d_sighup_on_one_host_under_a_stream_of_clicks(self):
        s = self.s
        tokens = s.mint(new_ulid(1404), "sighup-hosts@example.com", count=160)
        self.subs.append(new_ulid(1404))
        sizes = self.log_sizes()
        results, lock = [], threading.Lock()

        def clicker(mine):
            for t in mine:
                st = s.open_link(t).status
                with lock:
                    results.append(st)

        threads = [threading.Thread(target=clicker, args=(tokens[i::4],)) for i in range(4)]
        for t in threads:
            t.start()
        for _ in range(4):
            time.sleep(0.25)
            os.kill(s.bridge_pid("bridge-2"), signal.SIGHUP)
        for t in threads:
            t.join()
        self.assertEqual(len(results), len(tokens))
        self.assertEqual(set(results), {302}, "no click failed during the reloads")
        wait_for(lambda: s.bridge_log_text("bridge-2").count("configuration reloaded") >= 4, 5, "four reloads")
        self.assertGreater(self.attempts_since(sizes)["bridge-2"], 0, "the reloading host took clicks")

    def test_e_sigkill_of_one_host_under_load(self):
        s, victim = self.s, "bridge-3"
        # Each Mattermost call takes 150 ms: clicks stay in flight.
        s.emu("POST", "/__emu/fault", {"mode": "slow", "delay_ms": 150})
        held_sub, held_email = new_ulid(1405), "in-flight@example.com"
        self.subs.append(held_sub)
        held = s.mint(held_sub, held_email)
        stream = [s.mint(new_ulid(1500 + i), "load%d@example.com" % i) for i in range(6)]
        self.subs.extend(new_ulid(1500 + i) for i in range(6))
        for t in stream:        # link the contacts first: the load is returning users
            self.assertEqual(s.open_link(t).status, 302)
        tokens = {i: s.mint(new_ulid(1500 + i), "load%d@example.com" % i, count=40) for i in range(6)}
        results, lock, stop = [], threading.Lock(), threading.Event()

        def clicker(i):
            for t in tokens[i]:
                if stop.is_set():
                    break
                r = s.open_link(t)
                with lock:
                    results.append((time.monotonic(), r.status))

        # A click held on the victim: a first click of a new contact, in
        # its Mattermost calls (holding the contact's lock) when the host
        # dies.
        with concurrent.futures.ThreadPoolExecutor(1) as ex:
            inflight = ex.submit(self.direct, victim, held)
            threads = [threading.Thread(target=clicker, args=(i,)) for i in range(6)]
            for t in threads:
                t.start()
            time.sleep(0.5)
            os.kill(s.bridge_pid(victim), signal.SIGKILL)
            killed_at = time.monotonic()
            s.procs.pop(victim).wait(10)
            reply = inflight.result(30)
            time.sleep(2.5)
            stop.set()
            for t in threads:
                t.join()
        # The click in flight on the killed host got no answer from it.
        self.assertEqual(reply.status, 0, "no answer from a killed host")
        # It died before its transaction committed (one per click: the
        # replay claim, the contact's lock and the link in it), so the
        # store rolled all of it back, the claim too: the token was never
        # redeemed. Presented again (the web server's retry, or the
        # person) it signs the person in once, without waiting for the
        # dead host's lock; a third presentation is a replay.
        s.emu("POST", "/__emu/fault", {"mode": "none"})
        t0 = time.monotonic()
        r = s.open_link(held)
        self.assertEqual(r.status, 302, r.body[:200])
        self.assertLess(time.monotonic() - t0, 3, "no wait for a lock of the dead host")
        r = s.open_link(held)
        self.assertEqual(r.status, 401, r.body[:200])
        self.assertEqual(r.all("Set-Cookie"), [])
        self.assertEqual(s.open_link(s.mint(held_sub, held_email)).status, 302)
        self.assertEqual(self.store_quiet(), "0/0", "no advisory lock, no open transaction")
        # Under load: the other hosts kept serving; requests the front had
        # sent to the killed host were retried elsewhere. A click whose
        # first attempt died with the host after it committed fails closed
        # (401: its token was used up there); one that died before
        # succeeds on the retry.
        statuses = [st for _, st in results]
        self.assertGreater(len(statuses), 20)
        self.assertTrue(set(statuses) <= {302, 401}, statuses)
        self.assertLessEqual(statuses.count(401), WORKERS, "only clicks in flight on the killed host")
        after = [st for t, st in results if t > killed_at + 0.5]
        self.assertGreater(len(after), 10)
        self.assertEqual(set(after), {302}, "the survivors answer everything")
        print("\nSIGKILL under load via %s: %d clicks, %d answered 401 (in flight on the killed host)"
              % (FRONT, len(statuses), statuses.count(401)))
        s.start_bridge(name=victim)

    def test_f_each_host_labels_its_metrics(self):
        for i, h in enumerate(HOSTS):
            r = fcgi.request(self.s.bridge_socket(h), fcgi.base_params("/auth/metrics"))
            self.assertEqual(r.status, 200)
            self.assertIn(b'chat_bridge_attempts_total{instance="host-%d",outcome="ok",reason="ok"}' % (i + 1), r.body)


if __name__ == "__main__":
    unittest.main(verbosity=2)
