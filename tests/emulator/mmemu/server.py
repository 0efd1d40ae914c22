"""HTTP server and the per-request pipeline of web/handlers.go ServeHTTP:

  route -> faults -> rate limiters (§8.3, correction 2) -> API headers (§8.2)
  -> token parsing (§2.1) -> session lookup (§2.2) -> CSRF check (§2.3) ->
  SessionRequired (§2.2 step 7) -> handler -> JSON or AppError body (§8.1).

The server speaks HTTP/1.1 with keep-alive (every answer has a correct
Content-Length and is written with one send), runs one thread per
connection (ThreadingHTTPServer, daemon threads) and disables Nagle.
"""
import logging
import socket
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import psycopg2

from . import control, ratelimit, webpage
from .config import subpath
from .context import Ctx
from .errors import AppError, session_expired, not_found_route
from .faults import injected_error
from .httpcore import CLOSE, Request, Response, http_date, now_epoch
from .ids import new_id
from .jsonbody import go_json

log = logging.getLogger("mmemu")

MAX_BODY = 50 * 1024 * 1024


# ---------------------------------------------------------------------------
# §2.1 token parsing

def parse_auth_token(req):
    """app/authentication.go ParseAuthTokenFromRequest -> (token, location)."""
    cookie = req.cookie("MMAUTHTOKEN")
    if cookie is not None:  # used even if empty; nothing else is looked at
        return cookie[:50], "cookie"
    auth = req.header("Authorization")
    if len(auth) > 6 and auth[:6].upper() == "BEARER":
        return auth[7:][:50], "header"
    if len(auth) > 5 and auth[:5].lower() == "token":
        return auth[6:][:50], "header"
    token = req.query_get("access_token")
    if token:
        return token[:50], "query"
    if req.header("X-Cloud-Token"):
        return req.header("X-Cloud-Token")[:50], "cloud"
    if req.header("X-RemoteCluster-Token"):
        return req.header("X-RemoteCluster-Token")[:50], "remote"
    return "", ""


class Pipeline:
    def __init__(self, app):
        self.app = app

    # -- entry point ---------------------------------------------------------------
    def serve(self, req):
        path = req.path
        if path.startswith("/__emu/") or path == "/__emu":
            return control.dispatch(self.app, req)
        # Serve under the SiteURL sub-path too (e.g. SiteURL https://host/chat).
        sub = subpath(self.app.config.service("SiteURL"))
        if sub != "/" and (path == sub or path.startswith(sub + "/")):
            path = path[len(sub):] or "/"
        is_api = path == "/api/v4" or path.startswith("/api/v4/")
        if is_api:
            route, params = self.app.router.match(req.method, path)
            key = route.key if route else "%s /api/v4/{unknown}" % req.method
        else:
            route, params = webpage.match(req.method, path)
            key = route.key if route else "%s {other}" % req.method
        self.app.counters.request(key)

        fault = self.app.faults.take(path)
        if fault is not None:
            if fault["mode"] == "down":
                return CLOSE
            if fault["mode"] == "slow":
                time.sleep(fault["delay_ms"] / 1000.0)
            elif fault["mode"] == "status":
                return self._fault_response(req, fault)

        limit_headers, limited = self._rate_limit(req, route)
        if limited is not None:
            return limited
        if not is_api:
            resp = webpage.serve(self.app, req, route, params)
        else:
            resp = self._serve_api(req, route, params)
        for name, value in limit_headers:
            resp.add_header(name, value)
        return resp

    # -- rate limiters (§8.3, correction 2) -------------------------------------------
    def _rate_limit(self, req, route):
        """-> (headers for the answer, a 429 response or None)."""
        app = self.app
        if not app.config.get("RateLimitSettings", "Enable"):
            return [], None
        cfg = app.config.snapshot()
        peer = req.client[0] if req.client else ""   # socket address only
        out = []
        checks = [app.rate_limits.check_global]
        if route is not None and route.rate_limit == "login":
            checks.append(app.rate_limits.check_login)
        for check in checks:
            decision = check(cfg, peer)
            if decision is None:
                continue
            if decision.limited:
                app.counters.incr("rate_limited")
                return out, ratelimit.limited_response(decision, out)
            out += ratelimit.headers(decision)
        return out, None

    # -- faults ----------------------------------------------------------------------
    def _fault_response(self, req, fault):
        status = fault["status"]
        if status == 429:
            # §8.3: Go http.Error from the throttled rate limiter wrapping the
            # whole handler (so no X-Request-Id etc.).  Go canonicalises
            # X-RateLimit-* to X-Ratelimit-*.
            resp = Response(429, b"limit exceeded\n", "text/plain; charset=utf-8")
            resp.set_header("X-Content-Type-Options", "nosniff")
            resp.set_header("X-Ratelimit-Limit", "101")
            resp.set_header("X-Ratelimit-Remaining", "0")
            resp.set_header("X-Ratelimit-Reset", str(max(1, fault["retry_after"])))
            resp.set_header("Retry-After", str(fault["retry_after"]))
            return resp
        resp = self._api_response(req, new_id())
        self._write_error(resp, injected_error(status), resp.get_header("X-Request-Id"))
        return resp

    # -- API -------------------------------------------------------------------------
    def _api_response(self, req, request_id):
        """§8.2 headers on every API response."""
        resp = Response()
        resp.set_header("X-Request-Id", request_id)
        resp.set_header("X-Version-Id", self.app.version_id())
        resp.set_header("Permissions-Policy", "")
        resp.set_header("Referrer-Policy", "no-referrer")
        resp.set_header("X-Content-Type-Options", "nosniff")
        resp.set_header("Content-Type", "application/json")
        if req.method == "GET":
            resp.set_header("Expires", "0")
        return resp

    def _write_error(self, resp, err, request_id):
        cfg = self.app.config
        resp.status = err.status
        resp.body = go_json(err.to_json(request_id, developer=cfg.service("EnableDeveloper"),
                                        hardened=cfg.service("ExperimentalEnableHardenedMode")))

    def _authenticate(self, ctx):
        """§2.1–2.3 and SessionRequired; returns an AppError or None."""
        app, req, route = self.app, ctx.req, ctx.route
        token, location = parse_auth_token(req)
        ctx.token, ctx.token_location = token, location
        err = None
        if token and location not in ("cloud", "remote"):
            try:
                session = app.sessions.get_session(token)
            except AppError as e:
                if e.status >= 500:
                    err = e
                elif route.session_required:
                    app.remove_session_cookie(ctx)
                    err = session_expired("token=%s: %s" % (token, e.detailed))
            else:
                if location == "query" and not session["is_oauth"]:
                    err = AppError("api.context.token_provided.app_error", 401)
                else:
                    ctx.session = session
        # §2.3 CSRF: session found, token from the cookie, not TrustRequester, not GET.
        if (ctx.session is not None and err is None and location == "cookie"
                and not route.trust_requester and req.method != "GET"):
            passed = req.header("X-CSRF-Token") == ctx.session["props"].get("csrf", "")
            if (not passed and req.header("X-Requested-With") == "XMLHttpRequest"
                    and not app.config.service("ExperimentalStrictCSRFEnforcement")):
                passed = True  # deprecated fallback (a debug log line in Mattermost)
            if not passed:
                ctx.session = None
                app.remove_session_cookie(ctx)
                err = session_expired("token=%s Appears to be a CSRF attempt" % token)
        if err is None and route.session_required:
            s = ctx.session
            if (s is not None and not app.config.service("EnableUserAccessTokens")
                    and s["props"].get("type") == "UserAccessToken"
                    and s["props"].get("is_bot") != "true"):
                err = session_expired("UserAccessToken")
            elif s is None or not s["user_id"]:
                err = session_expired("UserRequired")
        return err

    def _serve_api(self, req, route, params):
        request_id = new_id()
        resp = self._api_response(req, request_id)
        try:
            if route is None:
                raise not_found_route()
            ctx = Ctx(self.app, req, resp, route, params, request_id)
            err = self._authenticate(ctx)
            if err is not None:
                raise err
            if ctx.session is not None:
                self.app.sessions.update_last_activity_if_needed(ctx.session)
            status, body = route.handler(ctx)
            resp.status = status
            resp.body = b"" if body is None else go_json(body)
        except AppError as err:
            self._write_error(resp, err, request_id)
        except psycopg2.Error as exc:
            log.error("database error on %s %s: %s", req.method, req.path, exc)
            self._write_error(resp, AppError("api.emu.internal.app_error", 500,
                                             detailed=str(exc)), request_id)
        except Exception:  # pragma: no cover - a bug; answer like Mattermost would
            log.error("internal error on %s %s\n%s", req.method, req.path, traceback.format_exc())
            self._write_error(resp, AppError("api.emu.internal.app_error", 500), request_id)
        return resp


# ---------------------------------------------------------------------------
# HTTP plumbing

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    timeout = 120            # idle keep-alive connections are closed after this
    pipeline = None          # set by make_server
    log_requests = False

    def log_message(self, fmt, *args):
        if self.log_requests:
            log.info("%s - %s", self.address_string(), fmt % args)

    def _read_body(self):
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if "chunked" in te:
            chunks, total = [], 0
            while True:
                line = self.rfile.readline(65537)
                size = int(line.split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                total += size
                if total > MAX_BODY:
                    raise ValueError("body too large")
                chunks.append(self.rfile.read(size))
                self.rfile.readline(65537)
            return b"".join(chunks)
        length = self.headers.get("Content-Length")
        if not length:
            return b""
        n = int(length)
        if n < 0 or n > MAX_BODY:
            raise ValueError("bad Content-Length")
        return self.rfile.read(n)

    def _handle(self):
        try:
            body = self._read_body()
        except (ValueError, OSError):
            self.close_connection = True
            self._send(Response(400, b"bad request\n", "text/plain; charset=utf-8"))
            return
        req = Request(self.command, self.path, self.headers, body, self.client_address)
        result = self.pipeline.serve(req)
        if result is CLOSE:
            # fault "down": no answer at all, just close the connection
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        self._send(result)

    def _send(self, resp):
        body = resp.body or b""
        headers = [h for h in resp.headers
                   if h[0].lower() not in ("content-length", "date", "connection")]
        headers.append(("Date", http_date(now_epoch())))
        if resp.status not in (204, 304) and not (100 <= resp.status < 200):
            headers.append(("Content-Length", str(len(body))))
        if self.close_connection:
            headers.append(("Connection", "close"))
        # Go writes header keys in sorted order.
        headers.sort(key=lambda kv: kv[0])
        reason = self.responses.get(resp.status, ("",))[0]
        head = ["HTTP/1.1 %d %s" % (resp.status, reason)]
        head += ["%s: %s" % (k, v) for k, v in headers]
        data = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1", errors="replace")
        if self.command != "HEAD" and resp.status not in (204, 304):
            data += body
        self.log_request(resp.status, len(body))
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _handle


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256


def make_server(app, host, port, log_requests=False):
    handler = type("BoundHandler", (Handler,), {"pipeline": Pipeline(app),
                                                  "log_requests": log_requests})
    return Server((host, port), handler)


def serve_in_thread(server):
    t = threading.Thread(target=server.serve_forever, name="mmemu-http", daemon=True)
    t.start()
    return t
