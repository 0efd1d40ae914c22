#!/usr/bin/python3
"""OpenTHC SSO emulator for the OpenTHC Chat Bridge tests (not OpenTHC code).

  /usr/bin/python3 tests/sso/ssoemu.py --listen 127.0.0.1:PORT [--ready-file F] [--log-requests]

Serves the OAuth2 authorization-code flow of OpenTHC SSO as the bridge uses
it (shared/reference/openthc-conventions.md §2.6-§2.7), strictly:

  GET  /oauth2/authorize   the "current browser user" (POST /__sso/user) permits
                           at once: 302 to redirect_uri?code=..&state=..
  POST /oauth2/token       authorization_code grant, client_secret, PKCE S256
  GET  /oauth2/profile     Authorization: Bearer <access_token>

and a control API under /__sso/ for the tests.  Python standard library
only; see tests/sso/README.md.
"""
import argparse
import base64
import hashlib
import hmac
import html
import json
import logging
import os
import re
import signal
import socket
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

log = logging.getLogger("ssoemu")

SSO_SERVICE_ID = "010PENTHC0DEM0SVC000000SS0"   # the demo SSO service id (§4)
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
B64URL43_RE = re.compile(r"^[A-Za-z0-9_-]{43}$")
VERIFIER_RE = re.compile(r"^[A-Za-z0-9._~-]{43,128}$")          # RFC 7636 §4.1
BEARER_RE = re.compile(r"^Bearer ([\w\-]+)$")                  # as SSO's Profile.php
CONTACT_KEYS = ("id", "username", "stat", "flag", "fullname", "email", "phone")
COMPANY_KEYS = ("id", "stat", "flag", "name", "iso3166", "tz")
AUTHORIZE_PARAMS = ("client_id", "redirect_uri", "response_type", "scope", "state")
DEFAULT_CONFIG = {
    "code_ttl": 300,            # seconds; OpenTHC: expires_at = now + 300
    "token_ttl": 43200,         # seconds; also the token answer's expires_in
    "jwt_ttl": 900,             # OpenTHC\JWT lifetime
    "require_pkce": False,      # OpenTHC does not require (or check) PKCE
    "scope_as_string": False,   # profile "scope" as "a b" instead of ["a", "b"]
    "profile_override": {},     # deep-merged into every profile answer
    "profile_remove": [],       # dotted paths removed from every profile answer
}
FAULT_MODES = ("none", "down", "slow", "status")
COUNTER_NAMES = ("codes_issued", "codes_redeemed", "codes_rejected", "tokens_issued",
                 "profile_reads", "profile_rejected", "authorize_denied", "authorize_errors",
                 "faults_injected")
MAX_BODY = 1024 * 1024
CLOSE = object()             # fault "down": close the connection without an answer


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def random_hash():
    """Like OpenTHC's _random_hash(): base64url(SHA-256(256 random bytes)), 43 chars."""
    return b64url(hashlib.sha256(os.urandom(256)).digest())


def pkce_s256(verifier):
    return b64url(hashlib.sha256(verifier.encode("ascii")).digest())


def new_ulid():
    n = (int(time.time() * 1000) << 80) | int.from_bytes(os.urandom(10), "big")
    return "".join(CROCKFORD[(n >> (5 * i)) & 31] for i in range(25, -1, -1))


def hs256_jwt(claims, key):
    head = b64url(json.dumps({"typ": "JWT", "alg": "HS256"}, separators=(",", ":")).encode())
    body = b64url(json.dumps(claims, separators=(",", ":")).encode())
    sig = hmac.new(key, ("%s.%s" % (head, body)).encode("ascii"), hashlib.sha256).digest()
    return "%s.%s.%s" % (head, body, b64url(sig))


def default_user():
    cid, oid = new_ulid(), new_ulid()
    email = "user-%s@example.com" % cid[-10:].lower()
    return {
        "contact": {"id": cid, "username": email, "stat": 200, "flag": 0,
                    "fullname": "Test User %s" % cid[-4:], "email": email,
                    "phone": "+12065550100"},
        "company": {"id": oid, "stat": 200, "flag": 0, "name": "Test Company %s" % oid[-4:],
                    "iso3166": "US-WA", "tz": "America/Los_Angeles"},
        "company_list": [{"id": oid}],
        "deny": False,
    }


def deep_merge(base, over):
    out = dict(base)
    for k, v in over.items():
        out[k] = deep_merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def remove_path(obj, dotted):
    *parents, last = dotted.split(".")
    for p in parents:
        obj = obj.get(p) if isinstance(obj, dict) else None
    if isinstance(obj, dict):
        obj.pop(last, None)


class Response:
    def __init__(self, status=200, body=b"", ctype="application/json", headers=()):
        self.status, self.body = status, body
        self.headers = [("Content-Type", ctype)] if ctype else []
        self.headers += list(headers)


def json_resp(status, obj, headers=()):
    return Response(status, json.dumps(obj).encode("utf-8"), "application/json",
                    [("Cache-Control", "no-store"), ("Pragma", "no-cache")] + list(headers))


def oauth_error(status, error, description, headers=()):
    return json_resp(status, {"error": error, "error_description": description}, headers)


def html_page(status, title, message):
    page = ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>%s</title></head>"
            "<body><h1>%s</h1><p>%s</p></body></html>\n"
            % (html.escape(title), html.escape(title), html.escape(message)))
    return Response(status, page.encode("utf-8"), "text/html; charset=utf-8",
                    [("Cache-Control", "no-store")])


def single_params(qs):
    """Parse a query/form string; every parameter at most once (RFC 6749 §3.1)."""
    try:
        pairs = urllib.parse.parse_qsl(qs, keep_blank_values=True, strict_parsing=bool(qs),
                                       encoding="utf-8", errors="strict", max_num_fields=64)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError("malformed parameters (%s)" % exc) from None
    out = {}
    for k, v in pairs:
        if k in out:
            raise ValueError("parameter '%s' given more than once" % k)
        out[k] = v
    return out


def with_query(uri, extra):
    """Add parameters to a URI's query like SSO's Permit.php (merge, ksort)."""
    parts = urllib.parse.urlsplit(uri)
    query = dict(urllib.parse.parse_qsl(parts.query, keep_blank_values=True))
    query.update(extra)
    query = urllib.parse.urlencode(sorted(query.items()))
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


class Emulator:
    """All state, behind one lock."""

    def __init__(self):
        self.lock = threading.Lock()
        self.jwt_key = os.urandom(32)
        self.reset()

    def reset(self):
        with self.lock:
            self.clients, self.codes, self.used_codes, self.tokens = {}, {}, {}, {}
            self.user = default_user()
            self.config = json.loads(json.dumps(DEFAULT_CONFIG))
            self.fault = None
            self._reset_counters()

    def _reset_counters(self):
        self.requests = {}
        self.counters = dict.fromkeys(COUNTER_NAMES, 0)

    def count(self, name):
        with self.lock:
            self.counters[name] += 1

    # -- request pipeline -------------------------------------------------------------
    ROUTES = {"/oauth2/authorize": "GET", "/oauth2/token": "POST", "/oauth2/profile": "GET"}

    def serve(self, method, target, headers, body):
        url = urllib.parse.urlsplit(target)
        path = url.path
        if path == "/__sso" or path.startswith("/__sso/"):
            try:
                return self.control(method, path, body)
            except ValueError as exc:
                return json_resp(400, {"error": str(exc)})
        key = "%s %s" % (method, path if path in self.ROUTES else "{other}")
        with self.lock:
            self.requests[key] = self.requests.get(key, 0) + 1
        fault = self.take_fault(path)
        if fault is not None:
            self.count("faults_injected")
            if fault["mode"] == "down":
                return CLOSE
            if fault["mode"] == "slow":
                time.sleep(fault["delay_ms"] / 1000.0)
            else:
                extra = [("Retry-After", str(fault["retry_after"]))] if fault["retry_after"] else []
                if path == "/oauth2/authorize":
                    resp = html_page(fault["status"], "Service Unavailable", "fault injected")
                    resp.headers += extra
                    return resp
                return oauth_error(fault["status"], "server_error", "fault injected", extra)
        want = self.ROUTES.get(path)
        if want is None:
            return Response(404, b"not found\n", "text/plain; charset=utf-8")
        if method != want:
            return Response(405, b"method not allowed\n", "text/plain; charset=utf-8",
                            [("Allow", want)])
        if path == "/oauth2/authorize":
            return self.authorize(url.query)
        if path == "/oauth2/token":
            return self.token(headers, body)
        return self.profile(headers)

    def take_fault(self, path):
        with self.lock:
            f = self.fault
            if f is None or not path.startswith(f["path_prefix"]):
                return None
            if f["count"] is not None:
                f["count"] -= 1
                if f["count"] <= 0:
                    self.fault = None
            return dict(f)

    # -- GET /oauth2/authorize ------------------------------------------------------------
    def authorize(self, query):
        def fail(status, title, message):
            self.count("authorize_errors")
            return html_page(status, title, message)
        try:
            q = single_params(query)
        except ValueError as exc:
            return fail(400, "Invalid Request", "%s [COA-901]" % exc)
        for k in AUTHORIZE_PARAMS:
            if not q.get(k, "").strip():
                return fail(400, "Invalid Request", "Missing Parameter '%s' [COA-025]" % k)
        if q["response_type"] != "code":
            return fail(400, "Invalid Request", "Invalid Response Type [COA-031]")
        with self.lock:
            client = self.clients.get(q["client_id"])
            cfg = dict(self.config)
            user = json.loads(json.dumps(self.user))
        if client is None:
            return fail(400, "Invalid Client", "Invalid Client [COA-051]")
        if q["redirect_uri"] != client["redirect_uri"]:
            return fail(400, "Invalid Request", "Invalid Redirect URI [COA-902]")
        # From here on the redirect_uri is trusted, but OpenTHC still answers scope
        # problems with a page, not a redirect.
        scope = sorted(set(s for s in q["scope"].split(" ") if s))
        if not scope:
            return fail(400, "Invalid Request", "Missing Parameter 'scope' [COA-025]")
        for s in scope:
            if s not in client["context_list"]:
                return fail(403, "Access Denied",
                            'Access Denied to Context "%s" [COA-151]' % s)
        challenge = q.get("code_challenge")
        method = q.get("code_challenge_method")
        if challenge is None:
            if method is not None:
                return fail(400, "Invalid Request", "code_challenge_method without code_challenge [COA-903]")
            if cfg["require_pkce"]:
                return fail(400, "Invalid Request", "Missing Parameter 'code_challenge' [COA-904]")
        else:
            if method != "S256":
                return fail(400, "Invalid Request", "code_challenge_method must be S256 [COA-905]")
            if not B64URL43_RE.match(challenge):
                return fail(400, "Invalid Request", "Invalid code_challenge [COA-906]")
        if user["deny"]:
            self.count("authorize_denied")
            return self.redirect(with_query(client["redirect_uri"],
                                            {"error": "access_denied", "state": q["state"]}))
        code = random_hash()
        now = time.time()
        with self.lock:
            self.codes = {c: v for c, v in self.codes.items() if v["expires_at"] > now}
            self.codes[code] = {
                "client_id": client["client_id"], "redirect_uri": q["redirect_uri"],
                "code_challenge": challenge, "scope": scope, "expires_at": now + cfg["code_ttl"],
                "contact": user["contact"], "company": user["company"],
                "company_list": user["company_list"]}
            self.counters["codes_issued"] += 1
        return self.redirect(with_query(client["redirect_uri"], {"code": code, "state": q["state"]}))

    @staticmethod
    def redirect(location):
        return Response(302, b"", None, [("Location", location), ("Cache-Control", "no-store")])

    # -- POST /oauth2/token ---------------------------------------------------------------
    def token(self, headers, body):
        def reject(status, error, description):
            self.count("codes_rejected")
            return oauth_error(status, error, description)
        ctype = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if ctype != "application/x-www-form-urlencoded":
            return reject(400, "invalid_request", "Content-Type must be application/x-www-form-urlencoded")
        try:
            f = single_params(body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            return reject(400, "invalid_request", str(exc))
        if not f.get("grant_type"):
            return reject(400, "invalid_request", "missing grant_type")
        if f["grant_type"] != "authorization_code":
            return reject(400, "unsupported_grant_type", "only authorization_code is supported")
        with self.lock:
            client = self.clients.get(f.get("client_id", ""))
        if not f.get("client_id") or client is None:
            return reject(401, "invalid_client", "Invalid Client [COT-073]")
        secret = f.get("client_secret", "")
        if not secret or not hmac.compare_digest(secret.encode("utf-8"),
                                                 client["client_secret"].encode("utf-8")):
            return reject(401, "invalid_client", "Invalid Client Secret [COT-081]")
        for k in ("code", "redirect_uri"):
            if not f.get(k):
                return reject(400, "invalid_request", "missing %s" % k)
        now = time.time()
        with self.lock:
            grant = self.codes.pop(f["code"], None)      # deleted on any use, like OpenTHC
            used = f["code"] in self.used_codes
            if grant is not None:
                self.used_codes[f["code"]] = now
        if grant is None:
            return reject(400, "invalid_grant", "code already used" if used else "unknown code")
        if now >= grant["expires_at"]:
            return reject(400, "invalid_grant", "code expired")
        if grant["client_id"] != client["client_id"]:
            return reject(400, "invalid_grant", "code was issued to another client")
        if f["redirect_uri"] != grant["redirect_uri"]:
            return reject(400, "invalid_grant", "redirect_uri does not match the authorization request")
        verifier = f.get("code_verifier")
        if grant["code_challenge"] is None:
            if verifier is not None:
                return reject(400, "invalid_grant", "code_verifier given but no code_challenge was")
        else:
            if verifier is None:
                return reject(400, "invalid_grant", "missing code_verifier")
            if not VERIFIER_RE.match(verifier) or not hmac.compare_digest(
                    pkce_s256(verifier), grant["code_challenge"]):
                return reject(400, "invalid_grant", "code_verifier does not match code_challenge")
        access = random_hash()
        with self.lock:
            ttl = self.config["token_ttl"]
            self.tokens[access] = dict(grant, expires_at=now + ttl)
            self.counters["codes_redeemed"] += 1
            self.counters["tokens_issued"] += 1
        return json_resp(200, {"access_token": access, "token_type": "bearer",
                               "expires_in": int(ttl), "refresh_token": "",
                               "scope": " ".join(grant["scope"])})

    # -- GET /oauth2/profile --------------------------------------------------------------
    def profile(self, headers):
        def reject(description):
            self.count("profile_rejected")
            return oauth_error(401, "invalid_token", description,
                               [("WWW-Authenticate", 'Bearer error="invalid_token"')])
        m = BEARER_RE.match(headers.get("Authorization") or "")
        if not m:
            return reject("missing or malformed Authorization: Bearer header")
        with self.lock:
            tok = self.tokens.get(m.group(1))
            cfg = json.loads(json.dumps(self.config))
        if tok is None:
            return reject("unknown access token")
        if time.time() >= tok["expires_at"]:
            return reject("access token expired")
        scope = tok["scope"]
        contact = {k: tok["contact"].get(k) for k in CONTACT_KEYS}
        if "contact" not in scope and "profile" not in scope:
            contact.update(fullname="", email="", phone="")
        company = {k: tok["company"].get(k) for k in COMPANY_KEYS}
        now = int(time.time())
        prof = {
            "scope": " ".join(scope) if cfg["scope_as_string"] else list(scope),
            "Contact": contact, "Company": company, "License": [],
            "company_list": tok["company_list"],
            "jwt": hs256_jwt({"iss": SSO_SERVICE_ID, "iat": now, "nbf": now,
                              "exp": now + int(cfg["jwt_ttl"]), "sub": contact["id"],
                              "com": company["id"]}, self.jwt_key),
        }
        prof = deep_merge(prof, cfg["profile_override"])
        for path in cfg["profile_remove"]:
            remove_path(prof, path)
        self.count("profile_reads")
        return json_resp(200, prof)

    # -- control API ----------------------------------------------------------------------
    def control(self, method, path, body):
        name = path[len("/__sso/"):]
        spec = {}
        if method == "POST" and body.strip():
            spec = json.loads(body.decode("utf-8"))
            if not isinstance(spec, dict):
                raise ValueError("body must be a JSON object")
        if (method, name) == ("POST", "reset"):
            self.reset()
            return json_resp(200, {"ok": True})
        if name == "client" and method in ("GET", "POST"):
            if method == "POST":
                client = parse_client(spec)
                with self.lock:
                    self.clients[client["client_id"]] = client
                return json_resp(201, client)
            with self.lock:
                return json_resp(200, list(self.clients.values()))
        if name == "user" and method in ("GET", "POST"):
            if method == "POST":
                user = parse_user(spec)
                with self.lock:
                    self.user = user
            with self.lock:
                return json_resp(200, self.user)
        if name == "fault" and method in ("GET", "POST"):
            if method == "POST":
                fault = parse_fault(spec)
                with self.lock:
                    self.fault = fault
            with self.lock:
                return json_resp(200, dict(self.fault) if self.fault else {"mode": "none"})
        if name == "config" and method in ("GET", "POST"):
            with self.lock:
                if method == "POST":
                    self.config = parse_config(self.config, spec)
                return json_resp(200, self.config)
        if (method, name) == ("GET", "counters"):
            with self.lock:
                return json_resp(200, dict(self.counters, requests=dict(self.requests),
                                           codes_pending=len(self.codes),
                                           tokens_live=len(self.tokens)))
        if (method, name) == ("POST", "counters/reset"):
            with self.lock:
                self._reset_counters()
            return json_resp(200, {"ok": True})
        return json_resp(404, {"error": "no such control endpoint: %s %s" % (method, path)})


def parse_client(spec):
    for k in ("client_id", "client_secret", "redirect_uri"):
        if not isinstance(spec.get(k), str) or not spec[k]:
            raise ValueError("%s must be a non-empty string" % k)
    unknown = set(spec) - {"client_id", "client_secret", "redirect_uri", "context_list"}
    if unknown:
        raise ValueError("unknown client fields: %s" % ", ".join(sorted(unknown)))
    uri = urllib.parse.urlsplit(spec["redirect_uri"])
    if uri.scheme not in ("http", "https") or not uri.netloc or not uri.path or uri.fragment \
            or "#" in spec["redirect_uri"]:
        raise ValueError("redirect_uri must be an absolute http(s) URI with a path and no fragment")
    ctx = spec.get("context_list", ["chat"])
    if isinstance(ctx, str):
        ctx = [s for s in ctx.split(" ") if s]
    if not isinstance(ctx, list) or not all(isinstance(s, str) and s and " " not in s for s in ctx):
        raise ValueError("context_list must be a list of scope names")
    return {"client_id": spec["client_id"], "client_secret": spec["client_secret"],
            "redirect_uri": spec["redirect_uri"], "context_list": ctx}


def parse_user(spec):
    unknown = set(spec) - {"contact", "company", "company_list", "deny"}
    if unknown:
        raise ValueError("unknown user fields: %s" % ", ".join(sorted(unknown)))
    user = default_user()
    for part, keys in (("contact", CONTACT_KEYS), ("company", COMPANY_KEYS)):
        given = spec.get(part, {})
        if not isinstance(given, dict) or set(given) - set(keys):
            raise ValueError("%s must be an object with keys from %s" % (part, ", ".join(keys)))
        user[part].update(given)
    if "username" in spec.get("contact", {}) and "email" not in spec.get("contact", {}):
        user["contact"]["email"] = user["contact"]["username"]
    if "company_list" in spec:
        if not isinstance(spec["company_list"], list):
            raise ValueError("company_list must be a list")
        user["company_list"] = spec["company_list"]
    else:
        user["company_list"] = [{"id": user["company"]["id"]}]
    if not isinstance(spec.get("deny", False), bool):
        raise ValueError("deny must be true or false")
    user["deny"] = spec.get("deny", False)
    return user


def parse_fault(spec):
    mode = spec.get("mode", "none")
    if mode not in FAULT_MODES:
        raise ValueError("mode must be one of %s" % ", ".join(FAULT_MODES))
    unknown = set(spec) - {"mode", "status", "delay_ms", "path_prefix", "count", "retry_after"}
    if unknown:
        raise ValueError("unknown fault fields: %s" % ", ".join(sorted(unknown)))
    f = {"mode": mode, "status": spec.get("status", 500), "delay_ms": spec.get("delay_ms", 0),
         "path_prefix": spec.get("path_prefix", "/oauth2"), "count": spec.get("count"),
         "retry_after": spec.get("retry_after", 0)}
    if not isinstance(f["path_prefix"], str) or not f["path_prefix"].startswith("/"):
        raise ValueError("path_prefix must be a string starting with /")
    for k in ("status", "delay_ms", "retry_after"):
        if not isinstance(f[k], int) or isinstance(f[k], bool) or f[k] < 0:
            raise ValueError("%s must be a non-negative integer" % k)
    if f["count"] is not None and (not isinstance(f["count"], int) or isinstance(f["count"], bool)
                                   or f["count"] < 1):
        raise ValueError("count must be a positive integer")
    if mode == "status" and not 400 <= f["status"] <= 599:
        raise ValueError("status must be 4xx or 5xx")
    return None if mode == "none" else f


def parse_config(current, spec):
    cfg = json.loads(json.dumps(current))
    for k, v in spec.items():
        if k not in DEFAULT_CONFIG:
            raise ValueError("unknown config key: %s" % k)
        if k in ("code_ttl", "token_ttl", "jwt_ttl"):
            if not isinstance(v, (int, float)) or isinstance(v, bool) or v < 0:
                raise ValueError("%s must be a non-negative number of seconds" % k)
        elif k in ("require_pkce", "scope_as_string"):
            if not isinstance(v, bool):
                raise ValueError("%s must be true or false" % k)
        elif k == "profile_override" and not isinstance(v, dict):
            raise ValueError("profile_override must be an object")
        elif k == "profile_remove" and not (isinstance(v, list) and all(isinstance(p, str) and p for p in v)):
            raise ValueError("profile_remove must be a list of dotted paths")
        cfg[k] = v
    return cfg


# ---------------------------------------------------------------------------
# HTTP plumbing: HTTP/1.1 keep-alive, one thread per connection

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    timeout = 120
    emulator = None
    log_requests = False

    def log_message(self, fmt, *args):
        if self.log_requests:
            log.info("%s - %s", self.address_string(), fmt % args)

    def _read_body(self):
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks, total = [], 0
            while True:
                size = int(self.rfile.readline(1024).split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                total += size
                if total > MAX_BODY:
                    raise ValueError("body too large")
                chunks.append(self.rfile.read(size))
                self.rfile.readline(1024)
        n = int(self.headers.get("Content-Length") or 0)
        if n < 0 or n > MAX_BODY:
            raise ValueError("bad Content-Length")
        return self.rfile.read(n)

    def _handle(self):
        try:
            body = self._read_body()
        except (ValueError, OSError):
            self.close_connection = True
            return self._send(Response(400, b"bad request\n", "text/plain; charset=utf-8"))
        try:
            resp = self.emulator.serve(self.command, self.path, self.headers, body)
        except Exception:  # a bug in the emulator: say so loudly
            log.exception("internal error on %s %s", self.command, self.path)
            resp = Response(500, b"emulator internal error\n", "text/plain; charset=utf-8")
        if resp is CLOSE:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return None
        return self._send(resp)

    def _send(self, resp):
        head = ["HTTP/1.1 %d %s" % (resp.status, self.responses.get(resp.status, ("",))[0])]
        head += ["%s: %s" % kv for kv in resp.headers]
        head += ["Date: %s" % self.date_time_string(), "Content-Length: %d" % len(resp.body)]
        if self.close_connection:
            head.append("Connection: close")
        self.log_request(resp.status, len(resp.body))
        self.wfile.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + resp.body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


def main(argv=None):
    p = argparse.ArgumentParser(prog="ssoemu.py", description="OpenTHC SSO emulator for tests")
    p.add_argument("--listen", required=True, help="HOST:PORT (port 0 picks a free one)")
    p.add_argument("--ready-file", help="write 'ready\\n<port>\\n' here once listening")
    p.add_argument("--log-requests", action="store_true", help="log every request to stderr")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="ssoemu %(levelname)s %(message)s")
    host, sep, port = args.listen.rpartition(":")
    if not sep or not port.isdigit():
        sys.exit("ssoemu: --listen must be HOST:PORT")
    handler = type("BoundHandler", (Handler,), {"emulator": Emulator(),
                                                  "log_requests": args.log_requests})
    server = Server((host.strip("[]"), int(port)), handler)
    actual = server.server_address[1]

    def stop(signum, frame):
        threading.Thread(target=server.shutdown, daemon=True).start()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("listening on %s:%d", host, actual)
    if args.ready_file:
        tmp = args.ready_file + ".tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write("ready\n%d\n" % actual)
        os.replace(tmp, args.ready_file)
    else:
        print("ready %d" % actual, flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
