"""The real stack for integration tests, demo and benchmark.

A throwaway PostgreSQL cluster (tests/lib/pg-tmp), the Mattermost emulator
(tests/emulator), one or more chat-bridge processes and nginx or Caddy in
front, configured with the files shipped in etc/ (included verbatim). All
on loopback with free ports, in one temporary directory.

Several bridges (bridges=N): the same configuration, each with its own
socket, instance name and log ("bridge", "bridge-2", ...), all in one
nginx upstream or one Caddy reverse_proxy with several upstreams, like
bridge hosts sharing one store database.

Failover: standby=("store", "mattermost") gives those clusters a streaming
standby (pg-tmp standby) and every DSN lists primary and standby with
target_session_attrs=read-write; crash_primary() and promote_standby() fail
over. mm_nodes=N runs N emulators on one Mattermost database behind an
nginx load balancer (front nginx), which the bridge's [mattermost] url
names.

Run with Debian's interpreter: /usr/bin/python3 (needs python3-psycopg2 for
the emulator only).
"""

import contextlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.parse

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PG_TMP = os.path.join(ROOT, "tests", "lib", "pg-tmp")
SSO_EMULATOR = os.path.join(ROOT, "tests", "sso", "ssoemu.py")
SSO_CLIENT_ID = "018NY6XC00SERV1CE000000CHT"
EMULATOR = os.path.join(ROOT, "tests", "emulator", "mmemu.py")
SHARED = os.environ.get("CB_SHARED_DIR", os.path.join(ROOT, "..", "shared"))

# token.md test keys (test use only)
SSO_ISS = "01BD3TJX9A4TE4AXA6EZE0ZFNP"
SSO_SEED = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"
SSO_KID = "A6EHv_POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg"
LAB_ISS = "01Y2AMN4631CA1YJ6XFPPJD6BN"
LAB_SECRET = "lab.openthc.example-secret-for-the-tests"
APP_ISS = "010PENTHC0DEM0SVC000000P0S"
ADMIN_TOKEN = "cbtestadmintoken0000000001"

# Caddy's reverse_proxy over several bridge hosts (docs/operations.md,
# "Several hosts"): a request that cannot reach a host, or whose host dies
# before answering a GET, is tried on another one for up to 5 s; a host
# that failed is avoided for 10 s.
CADDY_SEVERAL_HOSTS = """\t\tlb_policy round_robin
\t\tlb_try_duration 5s
\t\tlb_try_interval 100ms
\t\tfail_duration 10s
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(pred, timeout=20.0, what="condition"):
    end = time.time() + timeout
    while time.time() < end:
        try:
            if pred():
                return
        except Exception:
            pass
        time.sleep(0.05)
    raise RuntimeError("timed out waiting for " + what)


def json_call(port, method, path, body=None, headers=None):
    """One HTTP request to 127.0.0.1:port with an optional JSON body;
    returns (status, decoded JSON, or the text if it is not JSON)."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    data = json.dumps(body) if body is not None else None
    hdrs = dict(headers or {})
    if data:
        hdrs["Content-Type"] = "application/json"
    c.request(method, path, body=data, headers=hdrs)
    r = c.getresponse()
    raw = r.read()
    c.close()
    try:
        return r.status, json.loads(raw) if raw else None
    except ValueError:
        return r.status, raw.decode(errors="replace")


def terminate(p, timeout=30):
    """SIGTERM to process p, then waits; SIGKILL after timeout seconds.
    Returns True if it exited by itself."""
    p.send_signal(signal.SIGTERM)
    try:
        p.wait(timeout)
        return True
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        return False


def caddy_access_log(output):
    """The access-log block that etc/caddy/Caddyfile documents (commented
    out there), uncommented, writing to output: the tests run Caddy with
    exactly what operators are told to use."""
    lines, inside = [], False
    with open(os.path.join(ROOT, "etc", "caddy", "Caddyfile")) as f:
        for line in f:
            if line.strip() == "#log {":
                inside = True
            if inside:
                lines.append(line.replace("#", "", 1))
                if line.strip() == "#}":
                    break
    if not lines or lines[-1].strip() != "}":
        raise RuntimeError("etc/caddy/Caddyfile has no commented '#log {' block: update stack.py")
    text = "".join(lines)
    if "output file /var/log/caddy/chat.access.log" not in text:
        raise RuntimeError("the Caddyfile's log block changed its output: update stack.py")
    return text.replace("/var/log/caddy/chat.access.log", output)


class LeakCheckError(RuntimeError):
    """A place the leak check must read could not be read."""


def secret_file(path, content):
    with open(path, "w") as f:
        f.write(content)
    os.chmod(path, 0o600)


class Response:
    def __init__(self, status, headers, body, elapsed):
        self.status = status
        self.headers = headers          # list of (name, value)
        self.body = body
        self.elapsed = elapsed

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def all(self, name):
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def cookies(self):
        """Set-Cookie headers as {name: (value, {attr: value})}."""
        out = {}
        for sc in self.all("Set-Cookie"):
            parts = [p.strip() for p in sc.split(";")]
            name, _, value = parts[0].partition("=")
            attrs = {}
            for p in parts[1:]:
                k, _, v = p.partition("=")
                attrs[k.lower()] = v
            out[name] = (value, attrs)
        return out

    def json(self):
        return json.loads(self.body)


class Stack:
    def __init__(self, front="nginx", mode="login", bridge=None, workers=4, pbkdf2=1000,
                 rate_limit=0, timeout_ms=2000, connect_timeout_ms=500, extra_bridge="",
                 extra_conf="", keep=False, sso_origin=None, name="stack", nginx_extra="", wrapper=None,
                 separate_store=False, sso=False, extra_mattermost="", hash_iterations=1000, bridges=1,
                 held_sockets=False, standby=(), mm_nodes=1, fcgi_keepalive=0):
        self.front = front
        self.mode = mode
        self.bridge_bin = os.path.abspath(bridge or os.environ.get("CB_BRIDGE", os.path.join(ROOT, "build", "chat-bridge")))
        self.workers = workers
        self.pbkdf2 = pbkdf2
        self.rate_limit = rate_limit
        self.timeout_ms = timeout_ms
        self.connect_timeout_ms = connect_timeout_ms
        self.extra_bridge = extra_bridge
        self.extra_conf = extra_conf
        self.extra_mattermost = extra_mattermost    # lines added to [mattermost]
        self.hash_iterations = hash_iterations      # the bridge's PBKDF2 rounds for Mattermost
        self.sso_origin = sso_origin
        self.keep = keep or os.environ.get("CB_KEEP") == "1"
        self.name = name
        self.nginx_extra = nginx_extra      # text added to nginx's http block
        self.wrapper = wrapper or []        # e.g. ["valgrind", ...] before the bridge
        self.separate_store = separate_store  # the bridge's store in its own cluster
        self.sso = sso                      # run the OpenTHC SSO emulator and configure [sso]
        self.bridges = bridges              # bridge processes behind the web server
        self.held_sockets = held_sockets    # the stack owns the listening sockets (like chat-bridge.socket)
        self.held = {}                      # name -> listening socket kept open across bridge restarts
        self.standby = standby              # clusters with a streaming standby: "store", "mattermost"
        self.replicas = {}                  # cluster dir -> its standby's dir
        self.mm_nodes = mm_nodes            # emulators on one Mattermost database
        self.fcgi_keepalive = fcgi_keepalive  # nginx: FastCGI connections kept per nginx worker (0: none)
        self.secrets = set()                # tokens, cookie values ... that must never be logged
        self.pages = []                     # bodies of non-redirect answers (error pages)
        self.procs = {}
        self.dir = None

    # ------------------------------------------------------------ lifecycle
    def start(self):
        self.dir = tempfile.mkdtemp(prefix="cb-%s-" % self.name)
        os.chmod(self.dir, 0o755)
        try:
            self._start_pg()
            self._start_emulator()
            if self.sso:
                self._start_sso()
            self._write_bridge_config()
            self.run_bridge("migrate", "--config", self.conf)
            for name in self.bridge_names():
                self.start_bridge(name=name)
            self._start_front()
            self._seed_mattermost()
        except Exception:
            self.stop(failed=True)
            raise
        return self

    def _halt(self, names):
        """SIGTERM to the named processes, then waits (30 s, then SIGKILL).
        "bridge" stands for every bridge process. Returns the bridges'
        shutdown problems (exit status, timeout)."""
        problems = []
        for name in names:
            for n in sorted(k for k in self.procs if k == name or k.startswith(name + "-")):
                p = self.procs.pop(n, None)
                if p is not None and p.poll() is None and not terminate(p) and n.startswith("bridge"):
                    problems.append("%s did not exit within 30 s of SIGTERM" % n)
                if n.startswith("bridge") and p is not None and p.returncode != 0:
                    problems.append("%s exited with status %s" % (n, p.returncode))
        return problems

    def stop(self, failed=False):
        """Stops everything. Returns a list of problems found in the
        bridges' shutdown (exit status, sanitizer reports), for the caller
        to assert on."""
        problems = self._halt(("front", "bridge", "emulator", "sso"))
        for name, path in sorted(getattr(self, "bridge_logs", {}).items()):
            if not os.path.exists(path):
                continue
            text = open(path, encoding="utf-8", errors="replace").read()
            for marker in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"):
                if marker in text:
                    problems.append("sanitizer report in the %s log: %s" % (name, marker))
        failed = failed or bool(problems)
        for sock in self.held.values():
            sock.close()
        self.held = {}
        for name, p in list(self.procs.items()):
            if p.poll() is None:
                p.kill()
                p.wait()
        self.procs = {}
        for pg in ("pg", "pg-store", "pg-b", "pg-store-b"):
            if self.dir and os.path.isdir(os.path.join(self.dir, pg)):
                subprocess.run([PG_TMP, "destroy", os.path.join(self.dir, pg)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
        if self.dir:
            art = os.environ.get("CB_ARTIFACTS")
            if art and failed:
                shutil.copytree(self.dir, os.path.join(art, os.path.basename(self.dir)),
                                ignore=shutil.ignore_patterns("pg", "*.sock"), dirs_exist_ok=True)
            if not self.keep:
                shutil.rmtree(self.dir, ignore_errors=True)
        return problems

    def finish(self, subs=()):
        """The end of a suite: stops the web server and the bridge (so
        their last log lines and audit rows are written), looks for leaked
        secrets (leaks()), then stops everything else (stop()). Returns
        every problem found, for the caller to assert on."""
        problems = self._halt(("front", "bridge"))
        try:
            found = ["secret in %s: %s" % hit for hit in self.leaks(subs)] if self.dir else []
        except LeakCheckError as e:       # a place that cannot be read fails the check
            found = ["leak check failed: %s" % e]
        # Keep the stack's files as artifacts when anything was found.
        return found + problems + self.stop(failed=bool(found or problems))

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        if exc[0] is not None:
            self.stop(failed=True)
            return
        problems = self.finish()
        if problems and exc[0] is None:
            raise AssertionError("; ".join(problems))

    # ------------------------------------------------------------ PostgreSQL
    def _start_pg(self):
        pgdir = os.path.join(self.dir, "pg")
        out = subprocess.run([PG_TMP, "start", pgdir], check=True, capture_output=True, text=True).stdout
        env = dict(line.split("=", 1) for line in out.split() if "=" in line)
        self.pg_host = env["PGHOST"]
        self.pg_port = env.get("PGPORT", "5432")
        subprocess.run([PG_TMP, "createdb", pgdir, "mattermost"], check=True, capture_output=True)
        self.store_pg = pgdir
        self.store_host, self.store_port = self.pg_host, self.pg_port
        if self.separate_store:
            self.store_pg = os.path.join(self.dir, "pg-store")
            out = subprocess.run([PG_TMP, "start", self.store_pg], check=True, capture_output=True, text=True).stdout
            env = dict(line.split("=", 1) for line in out.split() if "=" in line)
            self.store_host, self.store_port = env["PGHOST"], env.get("PGPORT", "5432")
        subprocess.run([PG_TMP, "createdb", self.store_pg, "chat_bridge"], check=True, capture_output=True)
        for which in self.standby:
            primary = self.store_pg if which == "store" else pgdir
            if primary not in self.replicas:
                self.replicas[primary] = primary + "-b"
                subprocess.run([PG_TMP, "standby", primary, self.replicas[primary]], check=True, capture_output=True)
        self.mm_dsn = self.cluster_dsn(pgdir, "mattermost")
        self.store_dsn = self.cluster_dsn(self.store_pg, "chat_bridge")

    def cluster_dsn(self, cluster, db, user="postgres"):
        """A DSN for db on a cluster; with a standby, both servers with
        target_session_attrs=read-write (libpq connects to whichever is
        the primary)."""
        hosts = [cluster] + ([self.replicas[cluster]] if cluster in self.replicas else [])
        port = self.store_port if cluster == self.store_pg else self.pg_port
        dsn = "postgresql:///%s?host=%s&port=%s&user=%s" % (db, ",".join(hosts), ",".join([port] * len(hosts)), user)
        return dsn + ("&target_session_attrs=read-write" if len(hosts) > 1 else "")

    def cluster_of(self, which):
        return self.store_pg if which == "store" else os.path.join(self.dir, "pg")

    def crash_primary(self, which="store"):
        """Stops the primary of the store's (or Mattermost's) cluster at
        once, as a crash of its host would."""
        subprocess.run([PG_TMP, "crash", self.cluster_of(which)], check=True, capture_output=True)

    def promote_standby(self, which="store"):
        subprocess.run([PG_TMP, "promote", self.replicas[self.cluster_of(which)]], check=True, capture_output=True)

    def dsn(self, db):
        if db == "chat_bridge":
            return self.store_dsn
        return self.cluster_dsn(os.path.join(self.dir, "pg"), db)

    def psql(self, db, sql):
        return self.psql_dsn(self.dsn(db), sql)

    def psql_dsn(self, dsn, sql):
        r = subprocess.run(["psql", "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1", dsn, "-c", sql],
                           check=True, capture_output=True, text=True)
        return r.stdout.strip()

    def pg_stop(self):
        """Stops the PostgreSQL that holds the bridge's store."""
        subprocess.run([PG_TMP, "stop", self.store_pg], check=True, capture_output=True)

    def pg_start(self):
        subprocess.run([PG_TMP, "start", self.store_pg], check=True, capture_output=True)

    # ------------------------------------------------------------ emulator
    def _start_emulator(self):
        secret_file(os.path.join(self.dir, "admin.token"), ADMIN_TOKEN + "\n")
        self.front_port = free_port()
        self.site_url = "http://127.0.0.1:%d" % self.front_port
        self.mm_ports = [free_port() for _ in range(self.mm_nodes)]
        self.mm_port = self.mm_ports[0]
        for i in range(self.mm_nodes):
            self.start_emulator(i)
        self.mm_url = "http://127.0.0.1:%d" % self.mm_port
        if self.mm_nodes > 1:
            assert self.front == "nginx", "the Mattermost load balancer is the front nginx"
            self.mm_lb_port = free_port()
            self.mm_url = "http://127.0.0.1:%d" % self.mm_lb_port

    def emulator_name(self, i):
        return "emulator" if i == 0 else "emulator-%d" % (i + 1)

    def start_emulator(self, i=0):
        """Starts Mattermost node i (again, on its port)."""
        name = self.emulator_name(i)
        ready = os.path.join(self.dir, name + ".ready")
        if os.path.exists(ready):
            os.unlink(ready)
        log = open(os.path.join(self.dir, name + ".log"), "a")
        self.procs[name] = subprocess.Popen(
            ["/usr/bin/python3", EMULATOR, "--listen", "127.0.0.1:%d" % self.mm_ports[i], "--dsn", self.mm_dsn,
             "--site-url", self.site_url, "--admin-token-file", os.path.join(self.dir, "admin.token"),
             "--pbkdf2-iterations", str(self.pbkdf2), "--ready-file", ready],
            stdout=log, stderr=subprocess.STDOUT)
        wait_for(lambda: os.path.exists(ready), 30, "the Mattermost emulator " + name)

    def emu(self, method, path, body=None):
        """Calls the emulator directly (control API or REST)."""
        hdrs = {"Authorization": "Bearer " + ADMIN_TOKEN} if path.startswith("/api/") else {}
        return json_call(self.mm_port, method, path, body, hdrs)

    # What the bridge asks Mattermost on its own, every 30 s (its client
    # configuration): left out of the request counts, which the tests read
    # as the work of their clicks.
    BACKGROUND_REQUESTS = ("GET /api/v4/config/client",)

    def counters(self):
        c = self.emu("GET", "/__emu/counters")[1]
        for k in self.BACKGROUND_REQUESTS:
            c["requests"].pop(k, None)
        return c

    # ------------------------------------------------------------ OpenTHC SSO
    def _start_sso(self):
        ready = os.path.join(self.dir, "sso.ready")
        log = open(os.path.join(self.dir, "sso.log"), "w")
        self.procs["sso"] = subprocess.Popen(["/usr/bin/python3", SSO_EMULATOR, "--listen", "127.0.0.1:0",
                                              "--ready-file", ready], stdout=log, stderr=subprocess.STDOUT)
        wait_for(lambda: os.path.exists(ready) and len(open(ready).read().split()) >= 2, 20, "the SSO emulator")
        self.sso_port = int(open(ready).read().split()[1])
        self.sso_url = "http://127.0.0.1:%d" % self.sso_port
        self.sso_secret = "sso-client-secret-for-the-chat-bridge-0001"
        secret_file(os.path.join(self.dir, "sso.secret"), self.sso_secret + "\n")
        st, _ = self.sso_call("POST", "/__sso/client", {"client_id": SSO_CLIENT_ID, "client_secret": self.sso_secret,
                                                        "redirect_uri": self.site_url + "/auth/back",
                                                        "context_list": ["chat", "contact"]})
        assert st == 201, st
        self.extra_conf += "\n[sso]\norigin = %s\nclient_id = %s\nclient_secret_file = sso.secret\n" % (
            self.sso_url, SSO_CLIENT_ID)

    def sso_call(self, method, path, body=None):
        return json_call(self.sso_port, method, path, body)

    def _seed_mattermost(self):
        for name, t in (("public", "O"), ("usa-wa", "I"), ("bra", "I"), ("openthc", "I"), ("zaf", "I")):
            st, _ = self.emu("POST", "/__emu/seed/team", {"name": name, "display_name": name, "type": t,
                                                          "allow_open_invite": t == "O"})
            assert st in (200, 201), "seed team %s: %s" % (name, st)

    # ------------------------------------------------------------ bridge
    def _mmdb_role(self):
        """database mode: the bridge writes sessions as a role that may only
        INSERT into Mattermost's sessions table (least privilege)."""
        self.psql("mattermost", "DO $$ BEGIN CREATE ROLE chat_bridge_sessions LOGIN; "
                  "EXCEPTION WHEN duplicate_object THEN NULL; END $$; "
                  "GRANT INSERT ON sessions TO chat_bridge_sessions; "
                  "GRANT SELECT ON users, bots TO chat_bridge_sessions")
        return self.cluster_dsn(os.path.join(self.dir, "pg"), "mattermost", "chat_bridge_sessions")

    def _write_bridge_config(self):
        d = self.dir
        secret_file(os.path.join(d, "mm.token"), ADMIN_TOKEN + "\n")
        secret_file(os.path.join(d, "password.secret"), "integration-test-password-secret-0123456789\n")
        secret_file(os.path.join(d, "lab.secret"), LAB_SECRET)
        secret_file(os.path.join(d, "sso.seed"), SSO_SEED + "\n")
        out = self.run_bridge("keygen", "--seed-file", os.path.join(d, "app.seed"))
        self.app_kid = out.split()[-1]
        self.socket = os.path.join(d, "bridge.sock")
        mmdb = "database = %s\n" % self._mmdb_role() if self.mode == "database" else ""
        self.conf = os.path.join(d, "bridge.conf")
        with open(self.conf, "w") as f:
            f.write("""[bridge]
site_url = %(site)s
listen = unix:%(sock)s
listen_mode = 0666
workers = %(workers)d
session_mode = %(mode)s
rate_limit_per_minute = %(rl)d
%(extra_bridge)s
[mattermost]
url = %(mm)s
token_file = mm.token
password_secret_file = password.secret
%(mmdb)sconnect_timeout_ms = %(cto)d
timeout_ms = %(to)d
password_hash_iterations = %(iter)d
%(extra_mm)s

[store]
database = %(store)s

[issuer "%(sso)s"]
name = sso
ed25519 = %(kid)s
teams = openthc

[issuer "%(lab)s"]
name = lab
hs256_secret_file = lab.secret

[issuer "%(app)s"]
name = pos
ed25519 = %(appkid)s
%(extra)s""" % {"site": self.site_url, "sock": self.socket, "workers": self.workers, "mode": self.mode,
                "rl": self.rate_limit, "extra_bridge": self.extra_bridge, "mm": self.mm_url, "mmdb": mmdb,
                "cto": self.connect_timeout_ms, "to": self.timeout_ms, "store": self.store_dsn,
                "sso": SSO_ISS, "kid": SSO_KID, "lab": LAB_ISS, "app": APP_ISS, "appkid": self.app_kid,
                "extra": self.extra_conf, "iter": self.hash_iterations, "extra_mm": self.extra_mattermost})

    def run_bridge(self, *args, check=True, input=None):
        r = subprocess.run([self.bridge_bin] + list(args), capture_output=True, text=True, input=input)
        if check and r.returncode != 0:
            raise RuntimeError("chat-bridge %s failed (%d): %s" % (args[0], r.returncode, r.stderr))
        return r.stdout

    def bridge_names(self):
        """The bridge processes: "bridge", then "bridge-2" ... "bridge-N"."""
        return ["bridge"] + ["bridge-%d" % i for i in range(2, self.bridges + 1)]

    def bridge_socket(self, name="bridge"):
        return self.socket if name == "bridge" else os.path.join(self.dir, name + ".sock")

    def bridge_conf(self, name="bridge"):
        """The configuration file of one bridge. With several bridges, each
        has its own copy of self.conf (written when it starts) with its own
        listen socket and instance name: host-1, host-2 ..."""
        if self.bridges == 1 and not self.held_sockets:
            return self.conf
        path = self.conf if name == "bridge" and not self.held_sockets else os.path.join(self.dir, name + ".conf")
        with open(self.conf) as f:
            text = f.read()
        text = text.replace("listen = unix:%s\n" % self.socket,
                            "" if self.held_sockets else "listen = unix:%s\n" % self.bridge_socket(name))
        text = re.sub(r"(?m)^instance = host-\d+\n", "", text)
        text = text.replace("[bridge]\n", "[bridge]\ninstance = host-%s\n" % (name.split("-")[1] if "-" in name else "1"), 1)
        with open(path, "w") as f:
            f.write(text)
        return path

    def _held_socket(self, name):
        """The listening socket the stack holds for a bridge (created on
        first use, like chat-bridge.socket): the bridge gets it as fd 0, and
        connections wait in its backlog while the bridge restarts."""
        if name not in self.held:
            path = self.bridge_socket(name)
            if os.path.exists(path):
                os.unlink(path)
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.bind(path)
            os.chmod(path, 0o666)
            sock.listen(128)
            self.held[name] = sock
        return self.held[name]

    def start_bridge(self, extra_env=None, name="bridge", bin=None, wait=True):
        """Starts one bridge (bin: another chat-bridge binary, e.g. of
        another schema version)."""
        env = dict(os.environ)
        env.update(extra_env or {})
        self.bridge_logs = getattr(self, "bridge_logs", {})
        self.bridge_logs[name] = os.path.join(self.dir, name + ".log")
        if name == "bridge":
            self.bridge_log = self.bridge_logs[name]
        log = open(self.bridge_logs[name], "a")
        sock = self.bridge_socket(name)
        started = self.bridge_log_text(name).count("chat-bridge serving")
        held = self._held_socket(name) if self.held_sockets else None
        if held is None and os.path.exists(sock):
            os.unlink(sock)     # left by a killed bridge
        self.procs[name] = subprocess.Popen(self.wrapper + [bin or self.bridge_bin, "serve", "--config",
                                                            self.bridge_conf(name)],
                                            stdin=held.fileno() if held else None,
                                            stdout=log, stderr=subprocess.STDOUT, env=env)
        if wait:
            wait_for(lambda: self.bridge_log_text(name).count("chat-bridge serving") > started,
                     60 if self.wrapper else 10, "the %s start-up" % name)

    def stop_bridge(self, sig=signal.SIGTERM, timeout=30, name="bridge"):
        p = self.procs.pop(name)
        p.send_signal(sig)
        return p.wait(timeout)

    def bridge_pid(self, name="bridge"):
        return self.procs[name].pid

    def bridge_log_text(self, name="bridge"):
        with open(self.bridge_logs[name]) as f:
            return f.read()

    # ------------------------------------------------------------ front
    def _start_front(self):
        if self.front == "nginx":
            self._start_nginx()
        else:
            self._start_caddy()
        wait_for(lambda: self.get("/auth/ping").status == 200, 15, "the front end")

    def _mm_lb(self):
        """With several Mattermost nodes: the load balancer the bridge's
        [mattermost] url names, as in front of a Mattermost cluster
        (nginx's defaults: a node that refuses or fails is skipped for 10 s;
        a request is passed to the next node unless it was a POST already
        sent)."""
        if self.mm_nodes == 1:
            return ""
        return ("server { listen 127.0.0.1:%d; location / { proxy_pass http://mattermost; proxy_http_version 1.1; "
                "proxy_set_header Connection \"\"; proxy_set_header Host $http_host; } }" % self.mm_lb_port)

    def _start_nginx(self):
        d = os.path.join(self.dir, "nginx")
        os.makedirs(os.path.join(d, "logs"))
        conf = os.path.join(d, "nginx.conf")
        with open(conf, "w") as f:
            f.write("""daemon off;
worker_processes 2;
pid %(d)s/nginx.pid;
error_log %(d)s/logs/error.log warn;
events { worker_connections 1024; }
http {
    include %(root)s/etc/nginx/log-format.conf;
    access_log %(d)s/logs/access.log combined_no_query;
    client_body_temp_path %(d)s/body;
    proxy_temp_path %(d)s/proxy;
    fastcgi_temp_path %(d)s/fastcgi;
    uwsgi_temp_path %(d)s/uwsgi;
    scgi_temp_path %(d)s/scgi;
    upstream chat_bridge { %(servers)s %(fcgi_keep)s}
    upstream mattermost { %(mm)s keepalive 8; }
    %(lb)s
    %(extra)s
    server {
        listen 127.0.0.1:%(port)d default_server;
        server_name _;
        include %(root)s/etc/nginx/chat-bridge-locations.conf;
        include %(root)s/etc/nginx/mattermost-proxy.conf;
    }
}
""" % {"d": d, "servers": " ".join("server unix:%s;" % self.bridge_socket(n) for n in self.bridge_names()),
       "mm": " ".join("server 127.0.0.1:%d;" % p for p in self.mm_ports), "lb": self._mm_lb(),
       "port": self.front_port, "root": ROOT,
       "fcgi_keep": "keepalive %d; " % self.fcgi_keepalive if self.fcgi_keepalive else "",
       "extra": self.nginx_extra + ("\n    fastcgi_keep_conn on;" if self.fcgi_keepalive else "")})
        log = open(os.path.join(d, "stderr.log"), "w")
        self.procs["front"] = subprocess.Popen(["nginx", "-c", conf, "-p", d], stdout=log, stderr=subprocess.STDOUT)

    def _caddy_snippet(self, d):
        """The shipped etc/caddy/chat-bridge.caddy; with several bridges, a
        copy whose reverse_proxy names every bridge socket and fails over
        between them (the settings docs/operations.md recommends)."""
        shipped = os.path.join(ROOT, "etc", "caddy", "chat-bridge.caddy")
        if self.bridges == 1:
            return shipped
        text = open(shipped).read()
        old = "reverse_proxy {$CHAT_BRIDGE_FASTCGI:unix//run/openthc/chat-bridge.sock} {\n"
        assert old in text, "the shipped Caddy snippet changed: update stack.py"
        text = text.replace(old, "reverse_proxy %s {\n%s" % (
            " ".join("unix/" + self.bridge_socket(n) for n in self.bridge_names()), CADDY_SEVERAL_HOSTS))
        path = os.path.join(d, "chat-bridge-hosts.caddy")
        with open(path, "w") as f:
            f.write(text)
        return path

    def _start_caddy(self):
        d = os.path.join(self.dir, "caddy")
        os.makedirs(d)
        conf = os.path.join(d, "Caddyfile")
        with open(conf, "w") as f:
            f.write("""{
	admin off
	auto_https off
	storage file_system %(d)s/data
}
http://:%(port)d {
	bind 127.0.0.1
%(log)s	import %(snippet)s
}
""" % {"d": d, "port": self.front_port, "snippet": self._caddy_snippet(d),
       "log": caddy_access_log(os.path.join(d, "access.log"))})
        env = dict(os.environ, HOME=d, XDG_DATA_HOME=d, XDG_CONFIG_HOME=d,
                   CHAT_BRIDGE_FASTCGI="unix/" + self.socket, MATTERMOST_UPSTREAM="127.0.0.1:%d" % self.mm_port)
        log = open(os.path.join(d, "stderr.log"), "w")
        self.procs["front"] = subprocess.Popen(["caddy", "run", "--config", conf, "--adapter", "caddyfile"],
                                               stdout=log, stderr=subprocess.STDOUT, env=env)

    # ------------------------------------------------------------ requests
    def request(self, method, path, headers=None, body=None, port=None, timeout=30):
        c = http.client.HTTPConnection("127.0.0.1", port or self.front_port, timeout=timeout)
        t0 = time.monotonic()
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        data = r.read()
        el = time.monotonic() - t0
        hdrs = r.getheaders()
        c.close()
        resp = Response(r.status, hdrs, data, el)
        for name, (value, attrs) in resp.cookies().items():
            if name != "MMUSERID" and len(value) >= 16:   # a user id is not a secret
                self.secrets.add(value)
        if resp.status != 302 and data and path.startswith("/auth/"):
            self.pages.append(data)
        return resp

    def get(self, path, headers=None, **kw):
        return self.request("GET", path, headers, **kw)

    def ready(self):
        """GET /auth/ready after its per-process cache (one second) has
        expired, so the answer reflects a dependency changed just before."""
        time.sleep(1.05)
        return self.get("/auth/ready")

    def reload(self, text):
        """Writes text as the bridge's configuration and sends SIGHUP;
        returns once the bridge has reloaded it (and read Mattermost's
        client configuration again)."""
        with open(self.conf, "w") as f:
            f.write(text)
        before = self.bridge_log_text().count("configuration reloaded")
        os.kill(self.bridge_pid(), signal.SIGHUP)
        wait_for(lambda: self.bridge_log_text().count("configuration reloaded") > before, 5,
                 "the bridge to reload: " + self.bridge_log_text()[-500:])
        time.sleep(0.1)     # the probe of Mattermost that follows the reload

    @contextlib.contextmanager
    def configured(self, bridge="", mattermost="", issuer=None):
        """Runs the block with lines added to [bridge] and [mattermost]
        (a key already set there is replaced) and to the [issuer] of id
        issuer[0] (issuer[1]), by a SIGHUP; restores the file afterwards."""
        with open(self.conf) as f:
            orig = f.read()
        text = orig
        for section, lines in (("bridge", bridge), ("mattermost", mattermost)):
            for line in lines.splitlines():
                key = line.split("=")[0].strip()
                text = "\n".join(ln for ln in text.split("\n") if ln.split("=")[0].strip() != key)
            text = text.replace("[%s]\n" % section, "[%s]\n%s" % (section, lines), 1)
        if issuer is not None:
            head = '[issuer "%s"]\n' % issuer[0]
            text = text.replace(head, head + issuer[1], 1)
        try:
            self.reload(text)
            yield
        finally:
            self.reload(orig)

    def mm_settings(self, settings):
        """Changes the emulator's configuration (Mattermost's config.json
        sections) and lets the bridge read the published part again, as
        /auth/ready does: what a changed setting means for the next click."""
        st, body = self.emu("POST", "/__emu/config", settings)
        assert st == 200, (st, body)
        r = self.ready()
        return r

    def open_link(self, token, r=None, headers=None, post=False):
        self.secrets.add(token)
        q = {"jwt": token}
        if r is not None:
            q["r"] = r
        if post:
            h = {"Content-Type": "application/x-www-form-urlencoded"}
            h.update(headers or {})
            return self.request("POST", "/auth/open", h, urllib.parse.urlencode(q))
        return self.get("/auth/open?" + urllib.parse.urlencode(q), headers)

    # ------------------------------------------------------------ tokens
    def mint(self, sub, email, com="019EV8MMKC5HX5QV46F0HEJX4S", iss="sso", name=None, cre=None, reg=None,
             teams=(), ttl=None, iat=None, aud=None, count=None, com_name=None):
        """One token, or a list of count tokens (distinct jti) if count is given."""
        args = ["mint", "--iss", {"sso": SSO_ISS, "lab": LAB_ISS, "app": APP_ISS}[iss],
                "--aud", aud or self.site_url, "--sub", sub, "--com", com, "--email", email]
        if iss == "lab":
            args += ["--hs256-secret-file", os.path.join(self.dir, "lab.secret")]
        else:
            args += ["--seed-file", os.path.join(self.dir, "sso.seed" if iss == "sso" else "app.seed")]
        for k, v in (("--name", name), ("--cre", cre), ("--reg", reg), ("--ttl", ttl), ("--iat", iat),
                     ("--com-name", com_name)):
            if v is not None:
                args += [k, str(v)]
        for t in teams:
            args += ["--team", t]
        if count is not None:
            return self.run_bridge(*(args + ["--count", str(count)])).split()
        return self.run_bridge(*args).strip()

    def derived_password(self, sub, version=2):
        """The login-mode password the bridge derives for a contact:
        version 1 (47 bytes, HMAC-SHA256) or 2 (72 bytes, HMAC-SHA512)."""
        import base64, hashlib, hmac
        secret = open(os.path.join(self.dir, "password.secret"), "rb").read().rstrip(b"\r\n")
        if version == 1:
            mac = hmac.new(secret, b"openthc-chat-bridge/v1/" + sub.encode(), hashlib.sha256).digest()
            return "Ob1!" + base64.urlsafe_b64encode(mac).rstrip(b"=").decode()
        mac = hmac.new(secret, b"openthc-chat-bridge/v2/" + sub.encode(), hashlib.sha512).digest()
        return ("Ob1!" + base64.urlsafe_b64encode(mac).rstrip(b"=").decode())[:72]

    def front_log_tokens(self):
        """Link tokens of this stack that the web server wrote into its
        own logs. nginx writes the request line, query included, into its
        error log when it cannot reach a bridge or a bridge dies before
        answering (level error); Caddy's log is checked too."""
        found = set()
        for path in (os.path.join(self.dir, "nginx", "logs", "error.log"), os.path.join(self.dir, "caddy", "stderr.log")):
            if os.path.exists(path):
                text = open(path, encoding="utf-8", errors="replace").read()
                found |= {t for t in self.secrets if t.count(".") == 2 and "jwt=" + t in text}
        return found

    def settle_front_log_tokens(self):
        """For suites that stop or kill bridges behind the web server:
        every token in the web server's logs must be used up (presented
        again, it is refused as replayed). Those are then no longer
        counted as leaks by leaks(); the usable ones are returned (the
        caller asserts there are none)."""
        used, usable = set(), set()
        for token in sorted(self.front_log_tokens()):
            (used if self.open_link(token).status == 401 else usable).add(token)
        self.secrets -= used
        return usable

    def leaks(self, subs=()):
        """Looks for every secret this stack handed out (tokens, cookie
        values, derived passwords of subs, the admin token, the secrets'
        file contents) in the bridge log, the web servers' logs (nginx's
        access and error logs; Caddy's access log and its own log on
        stderr; also those of the example sites test_examples starts),
        the audit table and the error pages. Returns a list of (where,
        what) hits. Raises LeakCheckError when a place cannot be read:
        the front's logs missing or empty, the audit table unreadable."""
        secrets = set(s for s in self.secrets if len(s) >= 16)
        secrets.add(ADMIN_TOKEN)
        secrets.add(LAB_SECRET)
        secrets.add(SSO_SEED)
        for sub in subs:
            secrets.add(self.derived_password(sub, 1))
            secrets.add(self.derived_password(sub, 2))
        secrets.add(open(os.path.join(self.dir, "password.secret")).read().strip())
        if self.sso:
            secrets.add(self.sso_secret)
        places = []
        # The logs that must be there: the bridge's and the front's. The
        # access log has at least the start-up /auth/ping requests.
        must = sorted(getattr(self, "bridge_logs", {}).values()) or [None]
        if self.front == "nginx":
            must += [os.path.join(self.dir, "nginx", "logs", f) for f in ("access.log", "error.log")]
        else:
            must += [os.path.join(self.dir, "caddy", f) for f in ("access.log", "stderr.log")]
        for path in must:
            if not path or not os.path.exists(path):
                raise LeakCheckError("log missing: %s" % path)
            if path.endswith("access.log") and os.path.getsize(path) == 0:
                raise LeakCheckError("access log empty (is logging on?): %s" % path)
        # Plus every other web server log in the stack's directory
        # (test_examples runs the shipped sites in nginx-site/, caddy-site/).
        logs = set(must)
        for top in os.listdir(self.dir):
            if top.startswith(("nginx", "caddy")):
                for sub, _dirs, files in os.walk(os.path.join(self.dir, top)):
                    logs.update(os.path.join(sub, f) for f in files if f.endswith(".log"))
        for path in sorted(logs):
            places.append((os.path.relpath(path, self.dir), open(path, encoding="utf-8", errors="replace").read()))
        try:
            audit = self.psql("chat_bridge", "SELECT string_agg(t::text, E'\\n') FROM chat_bridge_audit t")
        except subprocess.CalledProcessError as e:
            raise LeakCheckError("cannot read the audit table: %s" % (e.stderr or str(e)).strip())
        places.append(("audit table", audit))
        for i, p in enumerate(self.pages):
            places.append(("page %d" % i, p.decode("utf-8", "replace")))
        hits = []
        for where, text in places:
            for sec in secrets:
                # Tokens: also their signature part alone.
                for piece in (sec, sec.rsplit(".", 1)[-1] if sec.count(".") == 2 else None):
                    if piece and len(piece) >= 16 and piece in text:
                        hits.append((where, piece[:12] + "..."))
        return hits

    # ------------------------------------------------------------ Mattermost as the web app sees it
    def webapp(self, cookies, team=None, channel="town-square", post=None, httponly=("MMAUTHTOKEN",)):
        """Runs tests/client4/webapp.mjs (the official Client4) with the cookies."""
        args = ["node", os.path.join(ROOT, "tests", "client4", "webapp.mjs"), "--url", self.site_url]
        for name, value in cookies.items():
            args += ["--cookie", "%s=%s" % (name, value)]
        for h in httponly:
            args += ["--httponly", h]
        if team:
            args += ["--team", team, "--channel", channel]
        if post:
            args += ["--post", post]
        r = subprocess.run(args, capture_output=True, text=True, timeout=60)
        try:
            return json.loads(r.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            return {"ok": False, "stdout": r.stdout, "stderr": r.stderr, "rc": r.returncode}


def new_ulid(n):
    """A deterministic ULID-shaped contact id for test number n."""
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    s = ""
    x = n * 7919 + 12345
    for _ in range(16):
        s = alphabet[x % 32] + s
        x //= 32
    return ("01" + "H" * 8 + s)[:26]
