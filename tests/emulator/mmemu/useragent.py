"""User-Agent handling for login sessions.

* §1.1 mobile detection (utils IsMobileRequest): the UA contains "Mobile",
  "Android", "iOS", "iPhone" or "iPad" (case-sensitive substrings).
* §3.2 session props platform / os / browser ("name/version").  Mattermost
  parses the UA with the uasurfer library (app/user_agent.go); this is a
  small approximation of it that gives the same answers for common browsers,
  curl and headless Chromium: unknown platform -> "Windows", unknown OS -> "",
  unknown browser -> "Unknown/0.0".
"""
import re

MOBILE_MARKERS = ("Mobile", "Android", "iOS", "iPhone", "iPad")


def is_mobile(ua: str) -> bool:
    return bool(ua) and any(m in ua for m in MOBILE_MARKERS)


def _platform(ua):
    for marker, name in (("iPad", "iPad"), ("iPhone", "iPhone"), ("iPod", "iPod"),
                         ("Windows Phone", "Windows Phone"), ("BlackBerry", "BlackBerry"),
                         ("BB10", "BlackBerry"), ("Macintosh", "Macintosh"),
                         ("Android", "Linux"), ("CrOS", "Linux"), ("Linux", "Linux"),
                         ("X11", "Linux"), ("Windows", "Windows")):
        if marker in ua:
            return name
    return "Windows"  # uasurfer.PlatformUnknown maps to "Windows"


_WINDOWS_NT = {"5.1": "Windows XP", "5.2": "Windows XP", "6.0": "Windows Vista",
               "6.1": "Windows 7", "6.2": "Windows 8", "6.3": "Windows 8.1",
               "10.0": "Windows 10"}


def _os(ua):
    if "Windows Phone" in ua:
        return "Windows Phone"
    m = re.search(r"Windows NT (\d+\.\d+)", ua)
    if m:
        return _WINDOWS_NT.get(m.group(1), "Windows")
    if "Windows" in ua:
        return "Windows"
    if "iPhone" in ua or "iPad" in ua or "iPod" in ua:
        return "iOS"
    if "Android" in ua:
        return "Android"
    if "CrOS" in ua:
        return "Chrome OS"
    if "Mac OS X" in ua or "Macintosh" in ua:
        return "Mac OS"
    if "BlackBerry" in ua or "BB10" in ua:
        return "BlackBerry"
    if "Kindle" in ua:
        return "Kindle"
    if "Linux" in ua or "X11" in ua:
        return "Linux"
    return ""


def _version(token, ua):
    m = re.search(re.escape(token) + r"(\d+)(?:\.(\d+))?(?:\.(\d+))?", ua)
    if not m:
        return "0.0"
    major, minor, patch = (int(x) if x else 0 for x in m.groups())
    return "%d.%d" % (major, minor) if patch == 0 else "%d.%d.%d" % (major, minor, patch)


def _browser(ua):
    m = re.search(r"Mattermost/(\S+)", ua)
    if m:
        return "Desktop App/" + m.group(1)
    if "Electron" in ua:
        return "Desktop App/" + _version("Electron/", ua)
    m = re.search(r"Mattermost Mobile/(\S+)", ua)
    if m:
        return "Mobile App/" + m.group(1)
    for token, name in (("Edg/", "Edge"), ("Edge/", "Edge"), ("OPR/", "Opera"),
                        ("Firefox/", "Firefox"), ("CriOS/", "Chrome"), ("Chrome/", "Chrome")):
        if token in ua:
            return "%s/%s" % (name, _version(token, ua))
    if "Safari/" in ua and "Version/" in ua:
        return "Safari/" + _version("Version/", ua)
    if "MSIE " in ua:
        return "Internet Explorer/" + _version("MSIE ", ua)
    if "Trident/" in ua:
        return "Internet Explorer/" + _version("rv:", ua)
    return "Unknown/0.0"


def session_props(ua: str) -> dict:
    """platform, os, browser props for a login session (app/login.go DoLogin)."""
    ua = ua or ""
    return {"platform": _platform(ua), "os": _os(ua), "browser": _browser(ua)}
