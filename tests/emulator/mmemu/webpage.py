"""The tiny "web app" (§7).

GET /, /login and /{team}/channels/{channel} return one HTML page whose script
(/static/mmemu-page.js, served under CSP script-src 'self' like Mattermost's
static pages) decides "signed in" the way the web app does
(root/actions loadConfigAndMe):
  * if document.cookie does not contain "MMUSERID=" -> "not signed in"
    (the web app would go to /login?redirect_to=<path>; the link is shown);
  * else GET /api/v4/users/me with credentials and X-Requested-With:
    XMLHttpRequest -> "signed in as <username>", or "not signed in" on 401.
The result is written with textContent into #signed-in-status.
"""
import html
import json

from .config import subpath
from .httpcore import Response, Route

PAGE_ROUTES = [
    Route("GET", "/", None),
    Route("GET", "/login", None),
    Route("GET", "/{team_name}/channels/{channel_name}", None),
    Route("GET", "/static/{file}", None),
]

SCRIPT = r"""(function () {
  'use strict';
  var cfg = JSON.parse(document.getElementById('mmemu-config').textContent);
  var status = document.getElementById('signed-in-status');
  var login = document.getElementById('login-link');
  function signedOut() {
    status.textContent = 'not signed in';
    status.setAttribute('data-state', 'signed-out');
    var target = cfg.subpath.replace(/\/$/, '') + '/login?redirect_to=' +
      encodeURIComponent(window.location.pathname);
    login.setAttribute('href', target);
    login.textContent = 'sign in';
  }
  // components/root/actions: only the presence of MMUSERID matters.
  if (document.cookie.indexOf('MMUSERID=') === -1) {
    signedOut();
    return;
  }
  fetch(cfg.subpath.replace(/\/$/, '') + '/api/v4/users/me', {
    credentials: 'include',
    headers: {'X-Requested-With': 'XMLHttpRequest'}
  }).then(function (r) {
    if (!r.ok) { throw new Error('status ' + r.status); }
    return r.json();
  }).then(function (user) {
    status.textContent = 'signed in as ' + user.username;
    status.setAttribute('data-state', 'signed-in');
    status.setAttribute('data-user-id', user.id);
  }).catch(function () { signedOut(); });
})();
"""

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Mattermost</title>
<script type="application/json" id="mmemu-config">{config}</script>
<script src="{subpath}static/mmemu-page.js" defer></script>
</head>
<body>
<h1>Mattermost (emulator)</h1>
<p>team: <span id="team-name">{team}</span></p>
<p>channel: <span id="channel-name">{channel}</span></p>
<p id="signed-in-status" data-state="loading">loading</p>
<p><a id="login-link"></a></p>
</body>
</html>
"""


def match(method, path):
    for route in PAGE_ROUTES:
        if method not in ("GET", "HEAD"):
            continue
        m = route.regex.match(path)
        if m:
            return route, m.groupdict()
    return None, {}


def _static_headers(resp):
    resp.set_header("Cache-Control", "no-cache, max-age=31556926, public")
    resp.set_header("X-Frame-Options", "SAMEORIGIN")
    resp.set_header("Content-Security-Policy", "frame-ancestors 'self'; script-src 'self'")
    resp.set_header("X-Content-Type-Options", "nosniff")
    resp.set_header("Referrer-Policy", "no-referrer")


def serve(app, req, route, params):
    if route is None:
        return Response(404, b"404 page not found\n", "text/plain; charset=utf-8")
    if route.template == "/static/{file}":
        if params["file"] != "mmemu-page.js":
            return Response(404, b"404 page not found\n", "text/plain; charset=utf-8")
        resp = Response(200, SCRIPT.encode(), "application/javascript")
        _static_headers(resp)
        return resp
    sub = subpath(app.config.service("SiteURL"))
    sub_slash = sub if sub.endswith("/") else sub + "/"
    config = json.dumps({"subpath": sub_slash}).replace("<", "\\u003c")
    body = PAGE.format(config=config, subpath=html.escape(sub_slash),
                       team=html.escape(params.get("team_name", "")),
                       channel=html.escape(params.get("channel_name", "")))
    resp = Response(200, body.encode("utf-8"), "text/html; charset=utf-8")
    _static_headers(resp)
    return resp
