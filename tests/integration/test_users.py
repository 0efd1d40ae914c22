"""`chat-bridge users` (issue 17 item 2) against the stack: the real CLI
on the store and the Mattermost emulator, behind nginx.

show by contact id, email and username after a click; list (--since,
--limit, the last click found by the contact's pseudonym); revoke (the
session a click made stops working through the front); unlink (the link
row goes, the next click links again); deactivate (inactive, no session,
the next click refused 403 user_deactivated); --dry-run changes nothing
(Mattermost's rows and counters, the store's links and audit table);
--reason required; the operator's audit rows; an unknown or unlinked
person; Mattermost down and the store down (exit 1, a message, nothing
half-done); the JSON output parses; the bot token is never printed. In both session
modes (CB_MODE=login|database): revoke ends the rows the bridge itself
wrote into Mattermost's sessions table too.

Environment: CB_BRIDGE=path, CB_MODE. Run: /usr/bin/python3 -m unittest test_users
"""

import json
import os
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from stack import ADMIN_TOKEN, Stack, new_ulid, wait_for  # noqa: E402

MODE = os.environ.get("CB_MODE", "login")
OPERATOR = "ops-alice"
COUNTERS = ("sessions_revoked", "sessions_created", "users_created", "users_patched", "logins_ok")


class Users(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = Stack(mode=MODE, name="users-" + MODE).start()
        cls.n = 0
        cls.outputs = []        # every stdout and stderr, for the token check

    @classmethod
    def tearDownClass(cls):
        problems = cls.s.finish([new_ulid(7000 + i) for i in range(1, Users.n + 1)])
        assert not problems, problems

    # ------------------------------------------------------------ helpers
    def contact(self):
        Users.n += 1
        return new_ulid(7000 + Users.n)

    def users(self, *args, config=None, env_extra=None):
        env = dict(os.environ, SUDO_USER=OPERATOR)
        env.update(env_extra or {})
        r = subprocess.run([self.s.bridge_bin, "users"] + list(args) + ["--config", config or self.s.conf],
                           capture_output=True, text=True, timeout=60, env=env)
        Users.outputs.append(r.stdout + r.stderr)
        return r

    def ok(self, *args, **kw):
        r = self.users(*args, **kw)
        self.assertEqual(r.returncode, 0, "users %s: %s%s" % (" ".join(args), r.stdout, r.stderr))
        return r

    def json(self, *args, **kw):
        return json.loads(self.ok(*(args + ("--json",)), **kw).stdout)

    def audit_count(self):
        return int(self.s.psql("chat_bridge", "SELECT count(*) FROM chat_bridge_audit"))

    def click(self, sub, email, **kw):
        """A click; its cookies. Waits for its audit row (written after
        the answer)."""
        before = self.audit_count()
        r = self.s.open_link(self.s.mint(sub, email, **kw))
        wait_for(lambda: self.audit_count() > before, 10, "the click's audit row")
        return r

    def signed_in(self, sub, email, **kw):
        r = self.click(sub, email, **kw)
        self.assertEqual(r.status, 302, r.body[:300])
        return {k: v for k, (v, _) in r.cookies().items()}

    def me(self, cookies):
        hdr = "; ".join("%s=%s" % kv for kv in cookies.items())
        return self.s.get("/api/v4/users/me", {"Cookie": hdr, "X-Requested-With": "XMLHttpRequest"})

    def link(self, sub):
        return self.s.psql("chat_bridge", "SELECT mm_user_id || ' ' || how FROM chat_bridge_link "
                                          "WHERE sub = '%s'" % sub)

    def cli_rows(self):
        out = self.s.psql("chat_bridge", "SELECT coalesce(json_agg(a ORDER BY id), '[]') FROM "
                                         "chat_bridge_audit a WHERE via = 'cli'")
        return json.loads(out)

    def sub_hash(self, sub):
        """The pseudonym of the contact's last click."""
        return self.s.psql("chat_bridge", "SELECT sub_hash FROM chat_bridge_audit WHERE via = 'token' "
                                          "AND mm_user_id = (SELECT mm_user_id FROM chat_bridge_link "
                                          "WHERE sub = '%s') ORDER BY id DESC LIMIT 1" % sub)

    def state(self, uid):
        """Everything an action could change: the user's row and sessions
        in Mattermost, the emulator's counters, the store's links and
        audit rows."""
        c = self.s.counters()
        return {
            "user": self.s.psql("mattermost", "SELECT deleteat || ' ' || updateat FROM users WHERE id = '%s'" % uid),
            "sessions": self.s.psql("mattermost", "SELECT string_agg(id, ',' ORDER BY id) FROM sessions "
                                                  "WHERE userid = '%s'" % uid),
            "counters": {k: c.get(k, 0) for k in COUNTERS},
            "links": self.s.psql("chat_bridge", "SELECT string_agg(sub || mm_user_id || how || updated_at, ',' "
                                                "ORDER BY sub) FROM chat_bridge_link"),
            "audit": self.s.psql("chat_bridge", "SELECT count(*) || ' ' || coalesce(max(id), 0) FROM "
                                                "chat_bridge_audit"),
        }

    def fault(self, mode):
        st, _ = self.s.emu("POST", "/__emu/fault", {"mode": mode})
        self.assertEqual(st, 200)

    # ------------------------------------------------------------ tests
    def test_01_usage(self):
        sub = self.contact()
        r = self.users("revoke", sub)
        self.assertEqual(r.returncode, 2)
        self.assertIn("--reason TEXT is required", r.stderr)
        for bad in ("", "   ", "two\nlines", "x" * 121):
            r = self.users("deactivate", sub, "--reason", bad)
            self.assertEqual(r.returncode, 2, repr(bad))
            self.assertIn("--reason", r.stderr)
        for args in (("show",), ("show", "a b"), ("show", sub, "--reason", "x"), ("list", "--since", "yesterday"),
                     ("show", sub, "--since", "1d"), ("list", "--limit", "0"), ("frobnicate", sub),
                     ("revoke", sub, "--reason", "x", "--limit", "3"), ("list", sub)):
            r = self.users(*args)
            self.assertEqual(r.returncode, 2, args)
            self.assertIn("usage: chat-bridge users", r.stderr, args)
        r = self.ok("--help")
        self.assertIn("users revoke", r.stdout)
        self.assertIn("Exit status", r.stdout)

    def test_02_show_by_contact_email_and_username(self):
        sub, email = self.contact(), "show.me@example.com"
        cookies = self.signed_in(sub, email, name="Show Me", cre="usa/wa")
        uid = cookies["MMUSERID"]
        time.sleep(0.05)
        r = self.ok("show", sub)
        for want in (sub, uid, "show.me", email, "system_user", "active", "public", "usa-wa",
                     "last click", "/auth/open", "302 ok (ok)"):
            self.assertIn(want, r.stdout)
        j = self.json("show", sub)
        self.assertEqual(j["contact"], sub)
        self.assertEqual(j["by"], "contact id")
        self.assertEqual(j["link"]["mm_user_id"], uid)
        self.assertEqual(j["link"]["how"], "created")
        self.assertEqual(set(j["link"]["teams_joined"].split(",")), {"public", "usa-wa"})
        u = j["mattermost"]["user"]
        self.assertEqual((u["id"], u["email"], u["active"], u["openthc_contact_id"]), (uid, email, True, sub))
        self.assertIsNone(j["mattermost"]["error"])
        self.assertEqual({t["name"] for t in j["mattermost"]["teams"]}, {"public", "usa-wa"})
        self.assertEqual(j["mattermost"]["sessions"]["count"], 1)
        self.assertEqual((j["last_click"]["status"], j["last_click"]["reason"], j["last_click"]["via"]),
                         (302, "ok", "token"))
        self.assertEqual(j["audit"][0]["request_id"], j["last_click"]["request_id"])
        for who, by in ((email, "email"), (email.upper(), "email"), (u["username"], "username"),
                        (sub.lower(), "contact id")):
            k = self.json("show", who)
            self.assertEqual((k["by"], k["contact"], k["mattermost"]["user"]["id"]), (by, sub, uid), who)
            self.assertEqual(k["last_click"], j["last_click"], who)
        # --limit bounds the audit rows.
        self.click(sub, email)
        self.assertEqual(len(self.json("show", sub)["audit"]), 2)
        self.assertEqual(len(self.json("show", sub, "--limit", "1")["audit"]), 1)
        self.assertEqual(self.json("show", sub, "--limit", "0")["audit"], [])

    def test_03_show_a_refused_contact_and_an_unlinked_account(self):
        # A contact whose only click was refused (the account with its
        # email is deactivated): no link, but its audit rows.
        st, gone = self.s.emu("POST", "/__emu/seed/user", {"username": "gone.person", "email": "gone@example.com",
                                                           "password": "Seeded-Password-1!", "delete_at": 1700000000000})
        self.assertEqual(st, 201, gone)
        sub = self.contact()
        self.assertEqual(self.click(sub, "gone@example.com").status, 403)
        j = self.json("show", sub)
        self.assertEqual(j["contact"], sub)
        self.assertIsNone(j["link"])
        self.assertIsNone(j["mattermost"]["user"])
        self.assertEqual((j["last_click"]["status"], j["last_click"]["reason"], j["last_click"]["mm_user_id"]),
                         (403, "user_deactivated", gone["id"]))
        r = self.ok("show", sub)
        self.assertIn("none (never signed in by the bridge, or unlinked)", r.stdout)
        self.assertIn("user_deactivated", r.stdout)
        # A Mattermost account the bridge never linked: shown, no contact.
        st, seeded = self.s.emu("POST", "/__emu/seed/user", {"username": "not.linked", "email": "not.linked@example.com",
                                                             "password": "Seeded-Password-1!"})
        self.assertEqual(st, 201, seeded)
        j = self.json("show", "not.linked")
        self.assertIsNone(j["contact"])
        self.assertIsNone(j["link"])
        self.assertEqual(j["mattermost"]["user"]["id"], seeded["id"])
        self.assertIsNone(j["last_click"])
        self.assertEqual(j["audit"], [])
        r = self.ok("show", "not.linked@example.com")
        self.assertIn("none (never signed in by the bridge, or unlinked)", r.stdout)
        self.assertIn("unknown (the audit rows are found by the contact id)", r.stdout)

    def test_04_list(self):
        a, b = self.contact(), self.contact()
        self.signed_in(a, "list.a@example.com")
        time.sleep(0.02)
        self.signed_in(b, "list.b@example.com")
        j = self.json("list")
        subs = [l["sub"] for l in j["links"]]
        self.assertLess(subs.index(b), subs.index(a), "the most recent activity first")
        self.assertEqual(j["total"], len(subs))
        self.assertEqual(j["shown"], len(subs))
        acts = [l["last_activity_at"] for l in j["links"]]
        self.assertEqual(acts, sorted(acts, reverse=True))
        # The last click, found by the pseudonym PostgreSQL computes, is
        # the one show finds by the pseudonym the bridge computes.
        for sub in (a, b):
            row = [l for l in j["links"] if l["sub"] == sub][0]
            self.assertIsNotNone(row["last_click_at"], sub)
            self.assertEqual(row["last_click_at"], self.json("show", sub)["last_click"]["at"], sub)
            self.assertEqual(row["last_activity_at"], row["last_click_at"])
        one = self.json("list", "--limit", "1")
        self.assertEqual((one["shown"], one["total"], one["links"][0]["sub"]), (1, j["total"], b))
        self.assertEqual(self.json("list", "--since", "1h")["total"], j["total"])
        since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 120))
        later = self.json("list", "--since", since)
        self.assertEqual((later["total"], later["links"]), (0, []))
        self.assertIn("no links active since", self.ok("list", "--since", since).stdout)
        r = self.ok("list", "--since", time.strftime("%Y-%m-%d", time.gmtime()))
        self.assertIn("LAST ACTIVITY", r.stdout)
        self.assertIn(a, r.stdout)
        self.assertIn("%d of %d links" % (j["total"], j["total"]), r.stdout)

    def test_05_revoke_logs_out_everywhere(self):
        sub, email = self.contact(), "revoke.me@example.com"
        cookies = self.signed_in(sub, email)
        second = self.signed_in(sub, email)       # a second browser
        uid = cookies["MMUSERID"]
        self.assertEqual(self.me(cookies).status, 200)
        self.assertEqual(self.me(second).status, 200)
        before = self.state(uid)
        r = self.ok("revoke", sub, "--reason", "phone stolen", "--dry-run")
        self.assertIn("dry run: would end every Mattermost session", r.stdout)
        self.assertIn("2 sessions now", r.stdout)
        self.assertEqual(self.state(uid), before, "a dry run changes nothing")
        self.assertEqual(self.me(cookies).status, 200)
        revoked = self.s.counters().get("sessions_revoked", 0)
        j = self.json("revoke", sub, "--reason", "phone stolen (ticket 4521)")
        self.assertTrue(j["ok"] and j["revoked"])
        self.assertEqual((j["contact"], j["mm_user_id"], j["sessions_before"]), (sub, uid, 2))
        self.assertEqual(self.me(cookies).status, 401, "the session of the click no longer works")
        self.assertEqual(self.me(second).status, 401, "nor the other one")
        self.assertEqual(self.s.counters().get("sessions_revoked", 0) - revoked, 2)
        self.assertEqual(self.s.emu("GET", "/api/v4/users/%s/sessions" % uid)[1], [])
        row = self.cli_rows()[-1]
        self.assertEqual(row["request_id"], j["audit_request_id"])
        self.assertEqual((row["route"], row["method"], row["via"], row["status"], row["outcome"], row["reason"]),
                         ("cli users revoke", "CLI", "cli", 200, "ok", "ok"))
        self.assertEqual(row["client"], "%s (uid %d)" % (OPERATOR, os.getuid()))
        self.assertEqual(row["detail"], "phone stolen (ticket 4521)")
        self.assertEqual(row["sub_hash"], self.sub_hash(sub))
        self.assertEqual(row["mm_user_id"], uid)
        # Logged out, not locked out: the next click signs in again.
        again = self.signed_in(sub, email)
        self.assertEqual(self.me(again).status, 200)
        # The operator's row is in the person's audit, the last click is a click.
        k = self.json("show", sub)
        self.assertIn("cli users revoke", [a["route"] for a in k["audit"]])
        self.assertEqual(k["last_click"]["via"], "token")
        # Text output and a name without sudo.
        r = self.ok("revoke", "revoke.me@example.com", "--reason", "again", env_extra={"SUDO_USER": "", "USER": "bob"})
        self.assertIn("logged out everywhere", r.stdout)
        self.assertIn("audit row ", r.stdout)
        self.assertEqual(self.cli_rows()[-1]["client"], "bob (uid %d)" % os.getuid())

    def test_06_unlink(self):
        sub, email = self.contact(), "unlink.me@example.com"
        cookies = self.signed_in(sub, email)
        uid = cookies["MMUSERID"]
        self.assertEqual(self.link(sub), uid + " created")
        before = self.state(uid)
        r = self.ok("unlink", sub, "--reason", "wrong account", "--dry-run")
        self.assertIn("dry run: would delete the link", r.stdout)
        self.assertEqual(self.state(uid), before, "a dry run changes nothing")
        j = self.json("unlink", sub, "--reason", "wrong account")
        self.assertTrue(j["ok"] and j["unlinked"])
        self.assertEqual(self.link(sub), "", "the link row is gone")
        row = self.cli_rows()[-1]
        self.assertEqual((row["route"], row["reason"], row["detail"], row["mm_user_id"]),
                         ("cli users unlink", "ok", "wrong account", uid))
        self.assertEqual(self.me(cookies).status, 200, "an unlink logs nobody out")
        # Unlinked: a second unlink has nothing to do.
        r = self.users("unlink", sub, "--reason", "again")
        self.assertEqual(r.returncode, 1)
        self.assertIn("is not linked", r.stderr)
        # The next click links again by the normal rules: the account with
        # the email, which carries this contact's id.
        self.signed_in(sub, email)
        self.assertEqual(self.link(sub), uid + " email")

    def test_07_deactivate(self):
        sub, email = self.contact(), "deactivate.me@example.com"
        cookies = self.signed_in(sub, email)
        uid = cookies["MMUSERID"]
        before = self.state(uid)
        r = self.ok("deactivate", sub, "--reason", "left the company", "--dry-run")
        self.assertIn("dry run: would deactivate", r.stdout)
        self.assertEqual(self.state(uid), before, "a dry run changes nothing")
        self.assertEqual(self.me(cookies).status, 200)
        j = self.json("deactivate", email, "--reason", "left the company")
        self.assertTrue(j["ok"] and j["deactivated"] and j["revoked"])
        self.assertGreater(self.s.emu("GET", "/api/v4/users/" + uid)[1]["delete_at"], 0)
        self.assertEqual(self.me(cookies).status, 401)
        self.assertEqual(self.s.emu("GET", "/api/v4/users/%s/sessions" % uid)[1], [])
        row = self.cli_rows()[-1]
        self.assertEqual((row["route"], row["reason"], row["detail"]),
                         ("cli users deactivate", "ok", "left the company"))
        self.assertEqual(self.link(sub), uid + " created", "the link stays")
        # The next click is refused.
        r = self.click(sub, email)
        self.assertEqual(r.status, 403)
        self.assertEqual(r.all("Set-Cookie"), [])
        k = self.json("show", sub)
        self.assertEqual((k["last_click"]["status"], k["last_click"]["reason"]), (403, "user_deactivated"))
        self.assertFalse(k["mattermost"]["user"]["active"])
        self.assertIn("deactivated at", self.ok("show", sub).stdout)
        # Again: already deactivated, sessions revoked once more; no change
        # of the deactivation time.
        at = self.s.emu("GET", "/api/v4/users/" + uid)[1]["delete_at"]
        r = self.ok("deactivate", sub, "--reason", "make sure")
        self.assertIn("already deactivated", r.stdout)
        self.assertEqual(self.s.emu("GET", "/api/v4/users/" + uid)[1]["delete_at"], at)

    def test_08_unknown_or_unlinked_person(self):
        before = self.audit_count()
        unknown = self.contact()
        r = self.users("show", unknown)
        self.assertEqual(r.returncode, 1)
        self.assertIn("unknown contact '%s'" % unknown, r.stderr)
        self.assertEqual(r.stdout, "")
        for action in ("revoke", "unlink", "deactivate"):
            for dry in ((), ("--dry-run",)):
                r = self.users(action, unknown, "--reason", "test", *dry)
                self.assertEqual(r.returncode, 1, (action, dry))
                self.assertIn("is not linked to Mattermost by the bridge", r.stderr)
        r = self.users("show", "nobody@example.com")
        self.assertEqual(r.returncode, 1)
        self.assertIn("no Mattermost user with the email 'nobody@example.com'", r.stderr)
        r = self.users("revoke", "nobody.here", "--reason", "test")
        self.assertEqual(r.returncode, 1)
        self.assertIn("no Mattermost user with the username 'nobody.here'", r.stderr)
        # A Mattermost account the bridge never linked is not the bridge's to act on.
        st, u = self.s.emu("POST", "/__emu/seed/user", {"username": "admin.person", "email": "admin.person@example.com",
                                                        "password": "Seeded-Password-1!"})
        self.assertEqual(st, 201, u)
        r = self.users("deactivate", "admin.person", "--reason", "test")
        self.assertEqual(r.returncode, 1)
        self.assertIn("'admin.person' is not linked", r.stderr)
        self.assertEqual(self.s.emu("GET", "/api/v4/users/" + u["id"])[1]["delete_at"], 0)
        self.assertEqual(self.audit_count(), before, "nothing audited for nobody")

    def test_09_mattermost_down(self):
        sub, email = self.contact(), "down.me@example.com"
        cookies = self.signed_in(sub, email)
        uid = cookies["MMUSERID"]
        link = self.link(sub)
        revoked = self.s.counters().get("sessions_revoked", 0)
        rows = len(self.cli_rows())
        self.fault("down")
        try:
            for action in ("revoke", "deactivate"):
                r = self.users(action, sub, "--reason", "while down")
                self.assertEqual(r.returncode, 1, action)
                self.assertIn("chat-bridge: users %s: looking up the linked Mattermost user: Mattermost "
                              "unreachable (mm_unreachable)" % action, r.stderr)
                self.assertIn("nothing changed; audit row", r.stderr)
                r = self.users(action, sub, "--reason", "while down", "--dry-run")
                self.assertEqual(r.returncode, 1, action)
                self.assertIn("mm_unreachable", r.stderr)
            r = self.users("revoke", email, "--reason", "while down", "--json")
            self.assertEqual(r.returncode, 1)
            self.assertIn("looking up the Mattermost user: Mattermost unreachable", r.stderr)
            # show: what the store knows, and exit 1.
            r = self.users("show", sub)
            self.assertEqual(r.returncode, 1)
            self.assertIn(uid, r.stdout)
            self.assertIn("unknown: Mattermost unreachable (mm_unreachable)", r.stdout)
            self.assertIn("mm_unreachable", r.stderr)
            r = self.users("show", sub, "--json")
            self.assertEqual(r.returncode, 1)
            j = json.loads(r.stdout)
            self.assertEqual((j["link"]["mm_user_id"], j["mattermost"]["error"]), (uid, "mm_unreachable"))
            self.assertIsNone(j["mattermost"]["user"])
            r = self.users("show", email)
            self.assertEqual(r.returncode, 1)
            self.assertIn("Mattermost unreachable", r.stderr)
            # list needs only the store.
            self.assertIn(sub, [l["sub"] for l in self.json("list")["links"]])
        finally:
            self.fault("none")
        # Nothing half-done: the link as it was, the user active, the
        # session of the click still working, nothing revoked.
        self.assertEqual(self.link(sub), link)
        self.assertEqual(self.s.emu("GET", "/api/v4/users/" + uid)[1]["delete_at"], 0)
        self.assertEqual(self.me(cookies).status, 200)
        self.assertEqual(self.s.counters().get("sessions_revoked", 0), revoked)
        # The two failed attempts are in the audit table.
        failed = self.cli_rows()[rows:]
        self.assertEqual([(f["route"], f["outcome"], f["reason"], f["status"]) for f in failed],
                         [("cli users revoke", "error", "mm_unreachable", 502),
                          ("cli users deactivate", "error", "mm_unreachable", 502)])
        self.assertTrue(failed[0]["detail"].startswith("while down [looking up the linked Mattermost user: "
                                                       "mm_unreachable"), failed[0]["detail"])
        # unlink needs only the store: it works while Mattermost is down.
        self.fault("down")
        try:
            self.assertTrue(self.json("unlink", sub, "--reason", "while down")["unlinked"])
        finally:
            self.fault("none")
        self.assertEqual(self.link(sub), "")

    def test_10_store_down(self):
        sub, email = self.contact(), "store.down@example.com"
        cookies = self.signed_in(sub, email)
        conf = os.path.join(self.s.dir, "store-down.conf")
        text = open(self.s.conf).read().replace(self.s.store_dsn, "postgresql:///chat_bridge?host=127.0.0.1&port=1")
        with open(conf, "w") as f:
            f.write(text)
        before = self.state(cookies["MMUSERID"])
        for args in (("show", sub), ("list",), ("revoke", sub, "--reason", "x"), ("deactivate", email, "--reason", "x"),
                     ("unlink", sub, "--reason", "x")):
            r = self.users(*args, config=conf)
            self.assertEqual(r.returncode, 1, args)
            self.assertIn("bridge store (PostgreSQL) unavailable (store_unavailable)", r.stderr, args)
            self.assertIn("run chat-bridge migrate", r.stderr)
        self.assertEqual(self.state(cookies["MMUSERID"]), before, "nothing done without the store")
        self.assertEqual(self.me(cookies).status, 200)

    def test_10b_changes_wait_for_the_contacts_lock(self):
        """A change holds the lock a click holds: while another session
        holds it (a click in flight), the change waits."""
        sub = self.contact()
        self.signed_in(sub, "locked@example.com")
        hold = subprocess.Popen(["psql", "-X", "-q", self.s.dsn("chat_bridge"), "-c",
                                 "BEGIN; SELECT pg_advisory_xact_lock(hashtextextended('chat-bridge/contact/%s', 0)); "
                                 "SELECT pg_sleep(2); COMMIT" % sub], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for(lambda: self.s.psql("chat_bridge", "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                                                        "AND granted") != "0", 10, "the lock held")
            t0 = time.monotonic()
            self.assertTrue(self.json("unlink", sub, "--reason", "after the click")["unlinked"])
            self.assertGreater(time.monotonic() - t0, 1.0, "the unlink waited for the lock")
        finally:
            hold.wait(30)

    def test_11_json_and_no_secrets(self):
        sub = self.contact()
        self.signed_in(sub, "json.me@example.com")
        for args in (("show", sub), ("list",), ("revoke", sub, "--reason", "j", "--dry-run"),
                     ("unlink", sub, "--reason", "j", "--dry-run"), ("deactivate", sub, "--reason", "j", "--dry-run")):
            self.assertIsInstance(self.json(*args), dict, args)
        self.assertGreater(len(Users.outputs), 50)
        for out in Users.outputs:
            self.assertNotIn(ADMIN_TOKEN, out)
            self.assertNotIn("password.secret", out)
            # An ASan+UBSan build (label sanitize) reports here.
            for marker in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"):
                self.assertNotIn(marker, out)


if __name__ == "__main__":
    unittest.main()
