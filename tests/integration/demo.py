"""The local demo: a throwaway PostgreSQL, the Mattermost emulator, nginx
and the bridge; a minted "Open Chat" link; the click, performed with curl;
the chat page it lands on and who is signed in there.

Run by scripts/demo.sh. With a terminal attached it keeps the stack running
and prints a fresh link to open in a browser; otherwise it stops at once.
"""

import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from stack import Stack  # noqa: E402


def sh(args, link=None):
    shown = ['"$LINK"' if a == link else a if re.match(r"^[\w@%+=:,./-]+$", a) else "'%s'" % a for a in args]
    print("$ " + " ".join(shown))
    r = subprocess.run(args, capture_output=True, text=True)
    return r


def main():
    interactive = sys.stdin.isatty() and "--no-wait" not in sys.argv
    s = Stack(front="nginx", mode=os.environ.get("CB_MODE", "login"), name="demo")
    print("Starting a throwaway PostgreSQL, the Mattermost emulator, the bridge and nginx ...")
    s.start()
    try:
        print("  site (nginx):   %s" % s.site_url)
        print("  bridge config:  %s" % s.conf)
        print()
        print("1. An OpenTHC app mints a link for Jane Doe of Green Leaf Farms (Washington):")
        token = s.mint("0165B6QY0F4TGXCTDRS8ZCM0V4", "jane.doe@greenleaf.example", name="Jane Doe",
                       cre="usa/wa", iss="app")
        link = "%s/auth/open?jwt=%s" % (s.site_url, token)
        print("   LINK=%s...%s (%d bytes, valid 5 minutes, single use)" % (link[:60], link[-12:], len(link)))
        print()
        print("2. The click (curl keeps the cookies like a browser):")
        jar = os.path.join(s.dir, "cookies.txt")
        r = sh(["curl", "-sS", "-o", "/dev/null", "-D", "-", "-c", jar, "-A", "Mozilla/5.0 (demo) curl", link], link)
        for line in r.stdout.splitlines():
            if line.split(":")[0] in ("HTTP/1.1 302 Found", "Location", "Set-Cookie", "Cache-Control",
                                      "Referrer-Policy") or line.startswith("HTTP/"):
                # Show the cookie attributes, not the session secrets.
                print("   " + re.sub(r"=([a-z0-9]{26});", "=<26 chars>;", line))
        location = re.search(r"^Location: (\S+)", r.stdout, re.M)
        if not location:
            print("the click did not redirect; bridge log:\n" + s.bridge_log_text())
            return 1
        print()
        print("3. The browser follows the redirect to the chat page:")
        r = sh(["curl", "-sS", "-b", jar, location.group(1)])
        title = re.search(r"<title>(.*?)</title>", r.stdout)
        print("   page: %s" % (title.group(1) if title else r.stdout[:80]))
        print("   The page decides who is signed in like the Mattermost web app: MMUSERID present,")
        print("   then GET /api/v4/users/me with the session cookie:")
        r = sh(["curl", "-sS", "-b", jar, "-H", "X-Requested-With: XMLHttpRequest", s.site_url + "/api/v4/users/me"])
        import json
        me = json.loads(r.stdout)
        print()
        print("   signed in as %s (%s), Mattermost user %s" % (me["username"], me["email"], me["id"]))
        st, teams = s.emu("GET", "/api/v4/users/%s/teams" % me["id"])
        print("   teams: %s" % ", ".join(sorted(t["name"] for t in teams)))
        print()
        print("4. The same link again is refused (single use):")
        r = sh(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", link], link)
        print("   HTTP %s" % r.stdout.strip())
        if interactive:
            fresh = s.mint("0165B6QY0F4TGXCTDRS8ZCM0V4", "jane.doe@greenleaf.example", name="Jane Doe",
                           cre="usa/wa", iss="app")
            print()
            print("Try it in a browser on this machine (link valid 5 minutes, works once):")
            print("   %s/auth/open?jwt=%s" % (s.site_url, fresh))
            print("More links: %s mint --seed-file %s/app.seed --iss 010PENTHC0DEM0SVC000000P0S --aud %s "
                  "--sub 0165B6QY0F4TGXCTDRS8ZCM0V4 --com 019EV8MMKC5HX5QV46F0HEJX4S --email jane.doe@greenleaf.example "
                  "--cre usa/wa" % (s.bridge_bin, s.dir, s.site_url))
            input("Press Enter to stop the demo ... ")
        return 0
    finally:
        problems = s.stop()
        if problems:
            print("shutdown problems: %s" % problems)


if __name__ == "__main__":
    sys.exit(main())
