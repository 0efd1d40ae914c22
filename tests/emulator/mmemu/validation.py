"""Name and address rules (§5.1 users, §6 teams) from model/user.go,
model/team.go and model/utils.go."""
import re
import unicodedata

# §5.1 IsValidUsername: 1–64 chars of [a-z0-9.-_], not a restricted name.
USERNAME_RE = re.compile(r"^[a-z0-9.\-_]+$")
RESTRICTED_USERNAMES = {"all", "channel", "matterbot", "system"}
EMAIL_MAX = 128

# §6 team names: 2–64 chars, this regex, and no reserved prefix.
TEAM_NAME_RE = re.compile(r"^[a-z0-9]+([a-z\-0-9]+|(__)?)[a-z0-9]+$")
RESERVED_TEAM_PREFIXES = ("admin", "api", "channel", "claim", "error", "files", "help",
                          "landing", "login", "mfa", "oauth", "plug", "plugins", "post",
                          "signup", "boards", "playbooks")

# Channel identifiers (model.IsValidChannelIdentifier, formatted variant).
CHANNEL_NAME_RE = re.compile(r"^[a-z0-9]+([a-z\-_0-9]+|(__)?)[a-z0-9]*$")

_ATEXT = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
             "!#$%&'*+-/=?^_`{|}~")


def sanitize_unicode(s: str) -> str:
    """model.SanitizeUnicode: drop invisible format characters (bidi, zero-width…)."""
    return "".join(ch for ch in s if unicodedata.category(ch) != "Cf")


def is_valid_username(s: str) -> bool:
    return (1 <= len(s.encode("utf-8")) <= 64 and bool(USERNAME_RE.match(s))
            and s not in RESTRICTED_USERNAMES)


def _is_atext(ch: str, allow_dot: bool) -> bool:
    if ch == ".":
        return allow_dot
    return ch in _ATEXT or ord(ch) >= 0x80  # Go's net/mail accepts UTF-8 in atoms


def _parse_addr_spec(s: str) -> bool:
    """A bare addr-spec as Go's net/mail.ParseAddress accepts it (no display
    name, no comments): local-part "@" domain.  The local part may be a quoted
    string or a permissive dot-atom (Go allows leading/trailing/double dots
    there); the domain must be a strict dot-atom."""
    if not s:
        return False
    i = 0
    if s[0] == '"':
        i = 1
        while i < len(s) and s[i] != '"':
            if s[i] == "\\":
                i += 1
            elif s[i] in "\r\n":
                return False
            i += 1
        if i >= len(s):
            return False
        i += 1
        local = s[1:i - 1]
        del local
    else:
        start = i
        while i < len(s) and _is_atext(s[i], True):
            i += 1
        if i == start:
            return False
    if i >= len(s) or s[i] != "@":
        return False
    domain = s[i + 1:]
    if not domain:
        return False
    labels = domain.split(".")
    for label in labels:
        if not label or not all(_is_atext(ch, False) for ch in label):
            return False
    return True


def is_valid_email(email: str) -> bool:
    """model.IsValidEmail: lower case, parseable bare address, one '@'."""
    if email != email.lower():
        return False
    if "<" in email or ">" in email:
        return False
    if email.count("@") != 1:
        return False
    return _parse_addr_spec(email)


def normalize_email(email: str) -> str:
    """model.NormalizeEmail: lower-case (after trimming, done by SanitizeInput)."""
    return email.strip().lower()


def is_valid_team_name(name: str) -> bool:
    """model.IsValidTeamName (used for URL params and by Team.IsValid)."""
    return 2 <= len(name) <= 64 and bool(TEAM_NAME_RE.match(name))


def is_reserved_team_name(name: str) -> bool:
    lowered = name.lower()
    return any(lowered.startswith(p) for p in RESERVED_TEAM_PREFIXES)


def is_valid_channel_name(name: str) -> bool:
    return 1 <= len(name) <= 64 and bool(CHANNEL_NAME_RE.match(name))


def email_domain_allowed(email: str, restrict: str) -> bool:
    """users.CheckUserDomain: RestrictCreationToDomains (comma/space separated)."""
    domains = [d for d in re.split(r"[,\s]+", restrict.strip()) if d]
    if not domains:
        return True
    domain = email.rsplit("@", 1)[-1]
    return any(domain == d.lower() for d in domains)
