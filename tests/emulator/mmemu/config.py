"""Mattermost settings used by the emulator, with the defaults of a *fresh*
config (document §0: SetDefaults(isUpdate=false)).

Settings are addressed with Mattermost's names.  Overrides (--config file,
POST /__emu/config) may be given as
  * nested objects:   {"ServiceSettings": {"SiteURL": "https://x"}}
  * dotted keys:      {"ServiceSettings.SiteURL": "https://x"}
  * bare leaf names:  {"MaxUsersPerTeam": 5}   (when the name is unambiguous)
Values must have the type of the default (bool, int, str, list of str), and
a few settings have the ranges Mattermost's Config.IsValid enforces
(VALIDATORS below); an override with any bad value changes nothing.

EmulatorSettings are not Mattermost's: they choose which Mattermost the
emulator imitates (Version, Licensed) and switch on modelled behaviour that
has no setting of its own (see tests/emulator/README.md).
"""
import copy
import threading
import urllib.parse

from . import versions

# Default version reported in X-Version-Id (§8.2); S lists 11.1.0 first (§0).
CURRENT_VERSION = versions.DEFAULT_VERSION

DEFAULTS = {
    "ServiceSettings": {
        "SiteURL": "",
        # §1.3: fresh install 30 days -> 720 h (mobile/SSO: same default)
        "SessionLengthWebInHours": 720,
        "SessionLengthMobileInHours": 720,
        "SessionLengthSSOInHours": 720,
        # §1.4
        "MaximumLoginAttempts": 10,
        # §2.3
        "ExperimentalStrictCSRFEnforcement": False,
        # §2.2 step 2
        "SessionCacheInMinutes": 10,
        # §2.2 step 5 (idle timeout only applies when ExtendSessionLengthWithActivity is false)
        "SessionIdleTimeoutInMinutes": 43200,
        "ExtendSessionLengthWithActivity": True,
        # §2.2 step 7, §4.2
        "EnableUserAccessTokens": False,
        # §4.3
        "TerminateSessionsOnPasswordChange": True,
        # §1.3 Domain attribute
        "AllowCookiesForSubdomains": False,
        # §8.1 detailed_error is emptied unless EnableDeveloper
        "EnableDeveloper": False,
        # §8.1 hardened mode masks 5xx bodies
        "ExperimentalEnableHardenedMode": False,
        "EnableMultifactorAuthentication": False,
    },
    "TeamSettings": {
        # published in the client config
        "SiteName": "Mattermost",
        # §6: default 50!
        "MaxUsersPerTeam": 50,
        # §6 default channels
        "ExperimentalDefaultChannels": [],
        # §5.1: only for non-admin sign-up (CreateUserFromSignup)
        "EnableOpenServer": False,
        "EnableUserCreation": True,
        # §4.4 self-deactivation
        "EnableUserDeactivation": False,
        # §5.1 RestrictCreationToDomains (comma separated)
        "RestrictCreationToDomains": "",
    },
    "EmailSettings": {
        "RequireEmailVerification": False,
        "EnableSignInWithEmail": True,
        "EnableSignInWithUsername": True,
        "EnableSignUpWithEmail": True,
        "SendEmailNotifications": True,
        # §4.2/§4.3: emails are sent whenever an SMTP server is configured
        "SMTPServer": "localhost",
    },
    "PasswordSettings": {
        "MinimumLength": 8,
        "Lowercase": False,
        "Uppercase": False,
        "Number": False,
        "Symbol": False,
    },
    "PrivacySettings": {
        # §5.2 email visibility for non-admins
        "ShowEmailAddress": True,
        "ShowFullName": True,
    },
    # §1.4: any SSO enabled changes the masked login error id
    "SamlSettings": {"Enable": False},
    "GitLabSettings": {"Enable": False},
    "GoogleSettings": {"Enable": False},
    "Office365Settings": {"Enable": False},
    "OpenIdSettings": {"Enable": False},
    # §8.3 global limiter; correction 2: POST /users/login has its own limiter
    # (5/s, burst 10) from 11.3 whenever Enable is true.
    "RateLimitSettings": {"Enable": False, "PerSec": 10, "MaxBurst": 100,
                          "MemoryStoreSize": 10000},
    # correction 4: guests log in only when licensed and enabled
    "GuestAccountsSettings": {"Enable": False},
    "EmulatorSettings": {
        # The user limit of an unlicensed server (§5.1, app/limits.go: 250
        # active non-bot users).  0 disables it.
        "MaxActiveUsers": 250,
        # The Mattermost version imitated: X-Version-Id, version-dependent
        # behaviour (mmemu/versions.py).
        "Version": versions.DEFAULT_VERSION,
        # A licence is installed (X-Version-Id's last field; guests, §1.4).
        "Licensed": False,
        # correction 3: one password check at a time per process
        # (Mattermost's emailLoginAttemptsMut).
        "SerializePasswordChecks": False,
        # correction 8: a nullable `voipdeviceid` column without default is
        # added to `sessions`, and a session row where it is NULL is refused.
        "SessionsExtraColumn": False,
    },
}


def _range(low, high):
    def check(path, value):
        if not low <= value <= high:
            raise ConfigError("%s must be between %d and %d, got %d" % (path, low, high, value))
    return check


def _positive(path, value):
    if value <= 0:
        raise ConfigError("%s must be positive, got %d" % (path, value))


def _not_negative(path, value):
    if value < 0:
        raise ConfigError("%s must not be negative, got %d" % (path, value))


def _version(path, value):
    try:
        versions.parse(value)
    except ValueError as exc:
        raise ConfigError("%s: %s" % (path, exc)) from None


# Config.IsValid ranges (model/config.go) and the emulator's own checks.
VALIDATORS = {
    # correction 6: model.PasswordMinimumLength .. PasswordMaximumLength
    ("PasswordSettings", "MinimumLength"): _range(5, 72),
    ("RateLimitSettings", "PerSec"): _positive,
    ("RateLimitSettings", "MaxBurst"): _not_negative,
    ("RateLimitSettings", "MemoryStoreSize"): _positive,
    ("ServiceSettings", "MaximumLoginAttempts"): _positive,
    ("EmulatorSettings", "Version"): _version,
}


class ConfigError(ValueError):
    pass


def _leaf_index():
    index = {}
    for section, values in DEFAULTS.items():
        for name in values:
            index.setdefault(name, []).append(section)
    return index


_LEAVES = _leaf_index()


def _check_type(path, default, value):
    if isinstance(default, bool):
        ok = isinstance(value, bool)
    elif isinstance(default, int):
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif isinstance(default, str):
        ok = isinstance(value, str)
    elif isinstance(default, list):
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
    else:  # pragma: no cover
        ok = False
    if not ok:
        raise ConfigError("%s: expected %s, got %r" % (path, type(default).__name__, value))


def flatten_overrides(obj):
    """Turn any accepted override form into [(section, name, value)]."""
    if not isinstance(obj, dict):
        raise ConfigError("settings must be a JSON object")
    out = []
    for key, value in obj.items():
        if key in DEFAULTS and isinstance(value, dict):
            for name, v in value.items():
                out.append((key, name, v))
        elif "." in key:
            section, _, name = key.partition(".")
            out.append((section, name, value))
        elif key in _LEAVES:
            sections = _LEAVES[key]
            if len(sections) != 1:
                raise ConfigError("%s is ambiguous; use Section.%s" % (key, key))
            out.append((sections[0], key, value))
        else:
            raise ConfigError("unknown setting %s" % key)
    for section, name, value in out:
        if section not in DEFAULTS or name not in DEFAULTS[section]:
            raise ConfigError("unknown setting %s.%s" % (section, name))
        path = "%s.%s" % (section, name)
        _check_type(path, DEFAULTS[section][name], value)
        if (section, name) in VALIDATORS:
            VALIDATORS[(section, name)](path, value)
    return out


class Config:
    """Thread-safe settings holder.  Readers take a snapshot (a plain dict)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._values = copy.deepcopy(DEFAULTS)
        self._baseline = copy.deepcopy(DEFAULTS)

    def apply(self, overrides):
        items = flatten_overrides(overrides)
        with self._lock:
            for section, name, value in items:
                self._values[section][name] = copy.deepcopy(value)

    def set_baseline(self):
        """Remember the current values as the start-up state (for /__emu/reset)."""
        with self._lock:
            self._baseline = copy.deepcopy(self._values)

    def restore_baseline(self):
        with self._lock:
            self._values = copy.deepcopy(self._baseline)

    def snapshot(self):
        with self._lock:
            return copy.deepcopy(self._values)

    def get(self, section, name):
        with self._lock:
            return copy.deepcopy(self._values[section][name])

    # Convenience accessors -------------------------------------------------
    def service(self, name):
        return self.get("ServiceSettings", name)

    def team(self, name):
        return self.get("TeamSettings", name)

    def email(self, name):
        return self.get("EmailSettings", name)

    def emulator(self, name):
        return self.get("EmulatorSettings", name)

    def version(self):
        return versions.parse(self.emulator("Version"))


def go_path_clean(p: str) -> str:
    """Go's path.Clean for absolute paths (enough for GetSubpathFromConfig)."""
    parts = []
    for seg in p.split("/"):
        if seg in ("", "."):
            continue
        if seg == "..":
            if parts:
                parts.pop()
            continue
        parts.append(seg)
    return "/" + "/".join(parts)


def subpath(site_url: str) -> str:
    """§1.3 cookie Path: path of SiteURL (path.Clean), or "/" (utils/subpath.go)."""
    if not site_url:
        return "/"
    try:
        u = urllib.parse.urlsplit(site_url)
    except ValueError:
        return "/"
    return go_path_clean("/" + u.path)


def cookie_domain(cfg: Config) -> str:
    """§1.3 Domain: only with AllowCookiesForSubdomains; host name of SiteURL."""
    if not cfg.service("AllowCookiesForSubdomains"):
        return ""
    site = cfg.service("SiteURL")
    try:
        return urllib.parse.urlsplit(site).hostname or ""
    except ValueError:
        return ""
