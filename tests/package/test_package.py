"""The Debian package: built with CPack from this build, installed with
apt-get, its layout checked, and its service started the way
chat-bridge.socket + chat-bridge.service start it (systemctl when
systemd runs this machine; otherwise the unit's own ExecStartPre and
ExecStart as its User, with the unit's listening socket on standard
input). The started service answers /auth/ping and /auth/ready and signs
a user in against the Mattermost emulator; SIGTERM stops it with status
0. The package is purged at the end.

Needs root (it installs a package). Environment: CB_BUILD_DIR (the CMake
build directory), CB_SHARED_DIR.
Run: /usr/bin/python3 -m unittest test_package
"""

import configparser
import glob
import grp
import os
import pwd
import re
import shlex
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import fcgi  # noqa: E402
from stack import Stack, new_ulid, wait_for  # noqa: E402

BUILD = os.environ.get("CB_BUILD_DIR", os.path.join(HERE, "..", "..", "build"))
CONF = "/etc/openthc/chat-bridge.conf"
SECRETS = "/etc/openthc/chat-bridge"
UNITS = "/usr/lib/systemd/system"


def run(*args, **kw):
    """Runs a command; a failure says what it printed."""
    r = subprocess.run(list(args), capture_output=True, text=True, **kw)
    if r.returncode != 0:
        raise AssertionError("%s exited %d: %s%s" % (" ".join(args), r.returncode, r.stdout, r.stderr))
    return r


def unit_values(path):
    """[Section] key=value pairs of a systemd unit (last value wins)."""
    cp = configparser.ConfigParser(strict=False, interpolation=None)
    cp.optionxform = str
    cp.read(path)
    return cp


class Package(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0:
            raise AssertionError("the package test installs a package: run it as root")
        if os.path.exists(CONF):
            raise AssertionError("%s exists: this machine has a real configuration; not touching it" % CONF)
        cls.out = tempfile.mkdtemp(prefix="cb-deb-")
        run("cpack", "-G", "DEB", "-B", cls.out, cwd=BUILD)
        debs = glob.glob(os.path.join(cls.out, "chat-bridge_*.deb"))
        assert len(debs) == 1, debs
        cls.deb = debs[0]
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        r = subprocess.run(["apt-get", "install", "-y", "-q", "--no-install-recommends", cls.deb],
                           capture_output=True, text=True, env=env)
        if r.returncode != 0:
            # Without the package index (offline), dpkg alone still works when
            # the dependencies are present.
            run("dpkg", "-i", cls.deb)
        cls.installed = True

    @classmethod
    def tearDownClass(cls):
        subprocess.run(["dpkg", "--purge", "chat-bridge"], capture_output=True)
        for p in (CONF,):
            if os.path.exists(p):
                os.unlink(p)
        shutil.rmtree(SECRETS, ignore_errors=True)
        try:
            os.rmdir(os.path.dirname(CONF))     # /etc/openthc, if the test left it empty
        except OSError:
            pass
        shutil.rmtree(cls.out, ignore_errors=True)

    # ------------------------------------------------------------ layout
    def test_1_metadata(self):
        info = run("dpkg-deb", "--info", self.deb).stdout
        self.assertRegex(info, r"Package: chat-bridge")
        self.assertRegex(info, r"Section: net")
        # shlibdeps found the five libraries.
        for lib in ("libfcgi", "libcurl", "libjansson", "libsodium", "libpq"):
            self.assertRegex(info, r"Depends:.*%s" % lib)
        self.assertIn("adduser", info)

    def test_2_layout(self):
        files = run("dpkg", "-L", "chat-bridge").stdout.split("\n")
        for path in ("/usr/sbin/chat-bridge", "/usr/share/man/man8/chat-bridge.8",
                     "/usr/lib/systemd/system/chat-bridge.service", "/usr/lib/systemd/system/chat-bridge.socket",
                     "/usr/share/chat-bridge/webroot/index.html", "/usr/share/chat-bridge/webroot/robots.txt",
                     "/usr/share/chat-bridge/webroot/.well-known/openthc/service",
                     "/usr/share/doc/chat-bridge/examples/chat-bridge.conf",
                     "/usr/share/doc/chat-bridge/examples/Caddyfile",
                     "/usr/share/doc/chat-bridge/examples/chat.openthc.example.com.conf"):
            self.assertIn(path, files)
            self.assertTrue(os.path.exists(path), path)
        self.assertEqual(open("/usr/share/chat-bridge/webroot/.well-known/openthc/service").read().strip(), "chat")
        self.assertIn("Open Chat", open("/usr/share/chat-bridge/webroot/index.html").read())
        st = os.stat("/usr/sbin/chat-bridge")
        self.assertTrue(st.st_mode & stat.S_IXOTH)
        self.assertIn("chat-bridge", run("man", "-w", "chat-bridge").stdout if shutil.which("man") else
                      "/usr/share/man/man8/chat-bridge.8")
        r = subprocess.run(["/usr/sbin/chat-bridge", "--help"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0)
        self.assertIn("teams sync", r.stdout)

    def test_3_user_and_secret_directory(self):
        pw = pwd.getpwnam("chat-bridge")
        self.assertEqual(grp.getgrgid(pw.pw_gid).gr_name, "chat-bridge")
        self.assertIn(pw.pw_shell, ("/usr/sbin/nologin", "/bin/false"))
        st = os.stat(SECRETS)
        self.assertEqual(stat.S_IMODE(st.st_mode), 0o750)
        self.assertEqual((st.st_uid, st.st_gid), (0, pw.pw_gid))

    def test_4_the_example_configuration_checks_out(self):
        # With its secret files in place (mode 0600), the shipped example
        # passes check-config.
        example = "/usr/share/doc/chat-bridge/examples/chat-bridge.conf"
        d = tempfile.mkdtemp(prefix="cb-example-")
        try:
            text = open(example).read()
            for path in sorted(set(re.findall(r"^\s*\w+_file\s*=\s*(\S+)", text, re.M))):
                local = os.path.join(d, os.path.basename(path))
                with open(local, "w") as f:
                    f.write("example-secret-for-the-package-test-%s-0123456789abcdef\n" % os.path.basename(path))
                os.chmod(local, 0o600)
                text = text.replace(path, local)
            with open(os.path.join(d, "chat-bridge.conf"), "w") as f:
                f.write(text)
            r = subprocess.run(["/usr/sbin/chat-bridge", "check-config", "--config", os.path.join(d, "chat-bridge.conf")],
                               capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        finally:
            shutil.rmtree(d)

    # ------------------------------------------------------------ the service
    def test_5_service_starts_and_signs_in(self):
        s = Stack(name="package", workers=2).start()
        try:
            s.stop_bridge()     # the stack's own bridge; the packaged one takes over
            self._write_config(s)
            run("/usr/sbin/chat-bridge", "migrate", "--config", CONF)
            sock_path, proc = self._start_like_systemd()
            try:
                ping = lambda: fcgi.request(sock_path, fcgi.base_params("/auth/ping"))  # noqa: E731
                wait_for(lambda: ping().status == 200, 15, "the packaged bridge")
                self.assertEqual(fcgi.request(sock_path, fcgi.base_params("/auth/ready")).status, 200)
                token = s.mint(new_ulid(31337), "packaged@example.com")
                s.secrets.add(token)
                r = fcgi.request(sock_path, fcgi.base_params("/auth/open", query="jwt=" + token))
                self.assertEqual(r.status, 302, r.body[:300])
                self.assertTrue(r.header("Location").startswith(s.site_url + "/"))
                self.assertEqual(sorted(c.split("=", 1)[0] for c in r.all("Set-Cookie")),
                                 ["MMAUTHTOKEN", "MMCSRF", "MMUSERID"])
            finally:
                rc = self._stop(proc)
            self.assertEqual(rc, 0, "the service must exit 0 on SIGTERM")
        finally:
            s.stop()

    def _write_config(self, s):
        """The stack's configuration as the operator would write it: in
        /etc/openthc, secrets in /etc/openthc/chat-bridge owned by the
        service user, no listen (the socket unit provides fd 0)."""
        pw = pwd.getpwnam("chat-bridge")
        text = open(s.conf).read()
        for name in re.findall(r"^\s*\w+_file\s*=\s*(\S+)", text, re.M):
            dst = os.path.join(SECRETS, os.path.basename(name))
            shutil.copyfile(os.path.join(s.dir, name), dst)
            os.chown(dst, pw.pw_uid, pw.pw_gid)
            os.chmod(dst, 0o600)
            text = re.sub(r"(_file\s*=\s*)%s$" % re.escape(name), r"\g<1>%s" % dst, text, flags=re.M)
        text = "".join(line + "\n" for line in text.split("\n") if not line.startswith(("listen =", "listen_mode")))
        with open(CONF, "w") as f:
            f.write(text)
        os.chmod(CONF, 0o640)
        os.chown(CONF, 0, pw.pw_gid)
        # The throwaway PostgreSQL's socket lives under the stack's
        # directory: let the service user reach it.
        for d in (s.dir, os.path.join(s.dir, "pg")):
            os.chmod(d, os.stat(d).st_mode | 0o005)

    def _start_like_systemd(self):
        svc = unit_values(os.path.join(UNITS, "chat-bridge.service"))
        sock = unit_values(os.path.join(UNITS, "chat-bridge.socket"))
        path = sock["Socket"]["ListenStream"]
        self.assertEqual(svc["Service"]["StandardInput"], "socket")
        if os.path.isdir("/run/systemd/system"):
            run("systemctl", "daemon-reload")
            run("systemctl", "start", "chat-bridge.socket")
            return path, None
        # No systemd here (a container): do what it would do.
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if os.path.exists(path):
            os.unlink(path)
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(path)
        os.chown(path, 0, grp.getgrnam(sock["Socket"].get("SocketGroup", "root")).gr_gid)
        os.chmod(path, int(sock["Socket"]["SocketMode"], 8))
        listener.listen(128)
        user, group = svc["Service"]["User"], svc["Service"]["Group"]
        # setpriv execs the command itself (no parent in between), like
        # systemd's User=/Group=.
        as_user = ["setpriv", "--reuid", user, "--regid", group, "--init-groups", "--"]
        pre = subprocess.run(as_user + shlex.split(svc["Service"]["ExecStartPre"]), capture_output=True, text=True)
        self.assertEqual(pre.returncode, 0, "ExecStartPre: " + pre.stdout + pre.stderr)
        self.log = open(os.path.join(self.out, "service.log"), "w")
        proc = subprocess.Popen(as_user + shlex.split(svc["Service"]["ExecStart"]), stdin=listener.fileno(),
                                stdout=self.log, stderr=subprocess.STDOUT)
        listener.close()
        return path, proc

    def _stop(self, proc):
        if proc is None:
            run("systemctl", "stop", "chat-bridge.socket", "chat-bridge.service")
            r = subprocess.run(["systemctl", "show", "-p", "ExecMainStatus", "--value", "chat-bridge.service"],
                               capture_output=True, text=True)
            return int(r.stdout.strip() or "0")
        proc.send_signal(signal.SIGTERM)
        try:
            return proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            return proc.wait()


if __name__ == "__main__":
    unittest.main()
