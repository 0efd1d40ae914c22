"""`chat-bridge teams sync` against the Mattermost emulator: OpenTHC's
team list (what the old chat-init.sh created with mmctl), created
idempotently over REST, with --dry-run and mandatory channels, and the
channels joined by a new member at sign-in.

Environment: CB_BRIDGE=path. Run: /usr/bin/python3 -m unittest test_teams_sync
"""

import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from stack import Stack, new_ulid  # noqa: E402

# OpenTHC's list (seeds/openthc-chat-README.md, chat-init.sh): public is
# open, the rest invite-only. The stack seeds public, usa-wa, bra, openthc
# and zaf already, so the sync must find those and create the others.
TEAMS = [("public", "OpenTHC Public", "open"), ("openthc", "OpenTHC", "invite"),
         ("usa-me", "USA / Maine", "invite"), ("usa-mi", "USA / Michigan", "invite"),
         ("usa-nm", "USA / New Mexico", "invite"), ("usa-ny", "USA / New York", "invite"),
         ("usa-vt", "USA / Vermont", "invite"), ("usa-wa", "USA / Washington", "invite"),
         ("bra", "Brazil", "invite"), ("ecu", "Ecuador", "invite"), ("pan", "Panama", "invite"),
         ("per", "Peru", "invite"), ("ury", "Uruguay", "invite"), ("zaf", "South Africa", "invite")]
SEEDED = {"public", "usa-wa", "bra", "openthc", "zaf"}
CHANNELS = {"usa-nm": ["compliance", "announcements"], "public": ["announcements"]}


def team_sections():
    out = []
    for name, display, kind in TEAMS:
        out.append('[team "%s"]\ndisplay_name = %s\ntype = %s\n' % (name, display, kind))
        if name in CHANNELS:
            out.append("channels = %s\n" % ", ".join(CHANNELS[name]))
        out.append("\n")
    return "".join(out)


class TeamsSync(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = Stack(name="teams-sync", extra_conf=team_sections()).start()

    @classmethod
    def tearDownClass(cls):
        problems = cls.s.finish()
        assert not problems, problems

    def sync(self, *extra):
        return subprocess.run([self.s.bridge_bin, "teams", "sync", "--config", self.s.conf] + list(extra),
                              capture_output=True, text=True, timeout=60)

    def team(self, name):
        st, body = self.s.emu("GET", "/api/v4/teams/name/" + name)
        return body if st == 200 else None

    def creations(self):
        req = self.s.counters()["requests"]
        return req.get("POST /api/v4/teams", 0), req.get("POST /api/v4/channels", 0)

    def test_1_dry_run_reports_and_changes_nothing(self):
        before = self.creations()
        r = self.sync("--dry-run")
        self.assertEqual(r.returncode, 0, r.stderr)
        for name, _, kind in TEAMS:
            if name in SEEDED:
                self.assertIn("team %s: exists" % name, r.stdout)
            else:
                self.assertIn("team %s: missing, would create (%s" %
                              (name, "open" if kind == "open" else "invite only"), r.stdout)
                self.assertIsNone(self.team(name), name)
        self.assertIn("channel usa-nm/compliance: would create", r.stdout)
        self.assertIn("channel public/announcements: missing, would create", r.stdout)
        self.assertEqual(self.creations(), before, "a dry run must not create anything")

    def test_2_sync_creates_missing_teams_and_channels(self):
        before = self.creations()
        r = self.sync()
        self.assertEqual(r.returncode, 0, r.stderr)
        missing = [t for t in TEAMS if t[0] not in SEEDED]
        for name, display, kind in missing:
            self.assertIn("team %s: created" % name, r.stdout)
            t = self.team(name)
            self.assertIsNotNone(t, name)
            self.assertEqual(t["display_name"], display)
            self.assertEqual(t["type"], "O" if kind == "open" else "I", name)
            self.assertEqual(t["allow_open_invite"], kind == "open", name)
        for team, chans in CHANNELS.items():
            tid = self.team(team)["id"]
            for c in chans:
                self.assertIn("channel %s/%s: created" % (team, c), r.stdout)
                st, ch = self.s.emu("GET", "/api/v4/teams/%s/channels/name/%s" % (tid, c))
                self.assertEqual(st, 200, (team, c))
                self.assertEqual(ch["name"], c)
        after = self.creations()
        self.assertEqual(after[0] - before[0], len(missing))
        self.assertEqual(after[1] - before[1], sum(len(c) for c in CHANNELS.values()))

    def test_3_sync_again_is_idempotent(self):
        before = self.creations()
        r = self.sync()
        self.assertEqual(r.returncode, 0, r.stderr)
        for name, _, _ in TEAMS:
            self.assertIn("team %s: exists" % name, r.stdout)
        self.assertNotIn("created", r.stdout)
        self.assertEqual(self.creations(), before)

    def test_4_new_member_joins_mandatory_channels(self):
        sub = new_ulid(777)
        r = self.s.open_link(self.s.mint(sub, "nm.grower@example.com", cre="usa/nm"))
        self.assertEqual(r.status, 302, r.body[:300])
        uid = r.cookies()["MMUSERID"][0]
        tid = self.team("usa-nm")["id"]
        for c in CHANNELS["usa-nm"]:
            _, ch = self.s.emu("GET", "/api/v4/teams/%s/channels/name/%s" % (tid, c))
            st, m = self.s.emu("GET", "/api/v4/channels/%s/members/%s" % (ch["id"], uid))
            self.assertEqual(st, 200, "member of %s" % c)
            self.assertEqual(m["user_id"], uid)

    def test_5_mattermost_failure_is_reported_with_exit_1(self):
        self.s.emu("POST", "/__emu/fault", {"mode": "status", "status": 500})
        try:
            r = self.sync()
        finally:
            self.s.emu("POST", "/__emu/fault", {"mode": "none"})
        self.assertEqual(r.returncode, 1)
        self.assertIn("chat-bridge: teams sync: team public:", r.stderr)
        self.assertNotIn(open(os.path.join(self.s.dir, "mm.token")).read().strip(), r.stderr + r.stdout)


if __name__ == "__main__":
    unittest.main()
