"""Request/response objects, Go net/http cookie rules, and the router."""
import email.utils
import re
import time
import urllib.parse

# ---------------------------------------------------------------------------
# Cookies (Go net/http readCookies / Cookie.String)

_TCHAR = set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _valid_cookie_name(name):
    return bool(name) and all(ch in _TCHAR for ch in name)


def _parse_cookie_value(raw):
    """parseCookieValue(raw, allowDoubleQuote=true) -> (value, ok)."""
    if len(raw) > 1 and raw[0] == '"' and raw[-1] == '"':
        raw = raw[1:-1]
    for ch in raw:
        o = ord(ch)
        if not (0x20 <= o < 0x7F) or ch in '";\\':
            return "", False
    return raw, True


def parse_cookie_headers(lines):
    """All cookies of the request's Cookie headers, in order, like Go's
    readCookies: invalid names/values are skipped, duplicates kept."""
    out = []
    for line in lines:
        for part in line.strip(" \t").split(";"):
            part = part.strip(" \t")
            if not part:
                continue
            name, _, value = part.partition("=")
            if not _valid_cookie_name(name):
                continue
            value, ok = _parse_cookie_value(value)
            if ok:
                out.append((name, value))
    return out


def http_date(epoch_seconds):
    return email.utils.formatdate(epoch_seconds, usegmt=True)


def serialize_cookie(name, value, path="", domain="", expires=None, max_age=0,
                     http_only=False, secure=False, same_site=""):
    """http.Cookie.String(): Path, Domain, Expires, Max-Age, HttpOnly, Secure, SameSite."""
    if value and (" " in value or "," in value):
        value = '"' + value + '"'
    parts = [name + "=" + value]
    if path:
        parts.append("Path=" + path)
    if domain:
        parts.append("Domain=" + domain.lstrip("."))
    if expires is not None:
        parts.append("Expires=" + http_date(expires))
    if max_age > 0:
        parts.append("Max-Age=%d" % max_age)
    elif max_age < 0:
        parts.append("Max-Age=0")
    if http_only:
        parts.append("HttpOnly")
    if secure:
        parts.append("Secure")
    if same_site:
        parts.append("SameSite=" + same_site)
    return "; ".join(parts)


# ---------------------------------------------------------------------------
# Request / response

class Request:
    def __init__(self, method, target, headers, body, client):
        self.method = method
        self.target = target
        split = urllib.parse.urlsplit(target)
        self.raw_path = split.path or "/"
        self.path = urllib.parse.unquote(self.raw_path)
        self.query = urllib.parse.parse_qs(split.query, keep_blank_values=True)
        self.headers = headers          # http.client.HTTPMessage (case-insensitive)
        self.body = body
        self.client = client
        self.cookies = parse_cookie_headers(headers.get_all("Cookie") or [])

    def header(self, name):
        """Go's Header.Get: first value or ''."""
        value = self.headers.get(name)
        return value if value is not None else ""

    def cookie(self, name):
        """Go's r.Cookie(name): first cookie with that name, or None."""
        for n, v in self.cookies:
            if n == name:
                return v
        return None

    def query_get(self, name):
        values = self.query.get(name)
        return values[0] if values else ""


class Response:
    def __init__(self, status=200, body=b"", content_type=None):
        self.status = status
        self.headers = []
        self.body = body
        if content_type:
            self.set_header("Content-Type", content_type)

    def set_header(self, name, value):
        self.headers = [(k, v) for k, v in self.headers if k.lower() != name.lower()]
        self.headers.append((name, value))

    def add_header(self, name, value):
        self.headers.append((name, value))

    def get_header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None


class CloseConnection:
    """Returned by the pipeline to drop the connection without an answer."""


CLOSE = CloseConnection()


# ---------------------------------------------------------------------------
# Router

# Path parameter patterns as in Mattermost's api4 route definitions.
PARAM_PATTERNS = {
    "user_id": r"[A-Za-z0-9]+",
    "team_id": r"[A-Za-z0-9]+",
    "channel_id": r"[A-Za-z0-9]+",
    "email": r".+",
    "username": r"[A-Za-z0-9\_\-\.]+",
    "team_name": r"[A-Za-z0-9\-_]+",
    "channel_name": r"[A-Za-z0-9_\-]+",
    "file": r"[A-Za-z0-9_\-.]+",
}


class Route:
    def __init__(self, method, template, handler, session_required=False, trust_requester=False,
                 rate_limit=""):
        self.method = method
        self.template = template
        self.handler = handler
        self.session_required = session_required
        self.trust_requester = trust_requester
        self.rate_limit = rate_limit   # a route-specific limiter ("login") or ""

        def repl(m):
            return "(?P<%s>%s)" % (m.group(1), PARAM_PATTERNS[m.group(1)])
        self.regex = re.compile("^" + re.sub(r"\\{(\w+)\\}", repl, re.escape(template)) + "$")

    @property
    def key(self):
        return "%s %s" % (self.method, self.template)


class Router:
    def __init__(self):
        self.routes = []

    def add(self, method, template, session_required=False, trust_requester=False, rate_limit=""):
        def deco(fn):
            self.routes.append(Route(method, template, fn, session_required, trust_requester,
                                     rate_limit))
            return fn
        return deco

    def match(self, method, path):
        """First route whose method and path match; HEAD is served by GET routes."""
        for route in self.routes:
            if route.method != method and not (method == "HEAD" and route.method == "GET"):
                continue
            m = route.regex.match(path)
            if m:
                return route, m.groupdict()
        return None, {}


def now_epoch():
    return int(time.time())
