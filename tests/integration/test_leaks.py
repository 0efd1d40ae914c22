"""The bridge under valgrind memcheck: a few hundred clicks through nginx
(new and returning users, refusals, a replay, a Mattermost fault), then
SIGTERM. valgrind exits 99 on any memory error or definite/indirect leak,
so a clean exit status is the assertion; its report is kept as an
artifact.

Environment: CB_BRIDGE=path (a build without sanitizers), CB_MODE,
CB_LEAK_CLICKS (default 300). Run: /usr/bin/python3 -m unittest test_leaks
"""

import os
import re
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from stack import Stack, new_ulid  # noqa: E402

MODE = os.environ.get("CB_MODE", "login")
CLICKS = int(os.environ.get("CB_LEAK_CLICKS", "300"))


class Leaks(unittest.TestCase):
    def test_clicks_under_valgrind(self):
        self.assertIsNotNone(shutil.which("valgrind"), "valgrind is required (apt-get install valgrind)")
        # The report outlives the stack's directory, which stop() removes.
        fd, report = tempfile.mkstemp(prefix="cb-valgrind-", suffix=".log")
        os.close(fd)
        self.addCleanup(os.unlink, report)
        s = Stack(mode=MODE, workers=4, name="leaks-" + MODE, timeout_ms=20000,
                  wrapper=["valgrind", "--leak-check=full", "--show-leak-kinds=definite,indirect",
                           "--errors-for-leak-kinds=definite,indirect", "--error-exitcode=99",
                           "--log-file=" + report])
        s.start()
        ok = failed = 0
        try:
            users = [(new_ulid(9000 + i), "leak%d@example.com" % i) for i in range(20)]
            for n in range(CLICKS):
                sub, email = users[n % len(users)]
                kind = n % 10
                if kind == 7:       # expired link: refused before any work
                    r = s.open_link(s.mint(sub, email, iat=1000000000))
                    self.assertEqual(r.status, 401)
                elif kind == 8:     # replay of a used link
                    t = s.mint(sub, email)
                    self.assertEqual(s.open_link(t).status, 302)
                    self.assertEqual(s.open_link(t).status, 401)
                elif kind == 9 and n % 30 == 9:   # Mattermost answering 500 once
                    s.emu("POST", "/__emu/fault", {"mode": "status", "status": 500, "count": 1})
                    self.assertEqual(s.open_link(s.mint(sub, email)).status, 502)
                else:
                    r = s.open_link(s.mint(sub, email, cre="usa/wa" if n % 2 else None))
                    self.assertEqual(r.status, 302, r.body[:200])
                    ok += 1
            self.assertEqual(s.get("/auth/metrics").status, 200)
            self.assertEqual(s.get("/nope").status, 404)
        except Exception:
            failed = 1
            raise
        finally:
            problems = s.stop(failed=bool(failed))
            text = open(report).read() if os.path.exists(report) else ""
            art = os.environ.get("CB_ARTIFACTS")
            if art and text:
                os.makedirs(art, exist_ok=True)
                with open(os.path.join(art, "valgrind-%s.log" % MODE), "w") as f:
                    f.write(text)
        self.assertGreater(ok, CLICKS // 2)
        self.assertFalse(problems, "%s\n%s" % (problems, text[-4000:]))
        # The report proves valgrind really ran the bridge to its end.
        self.assertIn("Memcheck", text)
        self.assertRegex(text, r"ERROR SUMMARY: 0 errors from 0 contexts")
        self.assertIsNone(re.search(r"definitely lost: [1-9]|indirectly lost: [1-9]|Invalid (read|write)",
                                    text), text[-4000:])


if __name__ == "__main__":
    unittest.main()
