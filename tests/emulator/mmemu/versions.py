"""The Mattermost versions the emulator imitates (EmulatorSettings.Version).

The default, 11.1.0, is the version of snapshot S (document §0).  What
changes with the version (document "Corrections, December 2026"):

  10.x         password verification is bcrypt only, new hashes are bcrypt
               (correction 7); no hash migration on login
  11.0 – 11.2  PBKDF2 hashes, bcrypt verified and migrated (§9); login by
               `id` works whatever the sign-in flags (§1.1)
  11.3 and on  GetUserForLogin needs EnableSignInWithEmail or
               EnableSignInWithUsername (correction 1); POST /users/login has
               its own rate limiter when RateLimitSettings.Enable
               (correction 2)

Only 10.x and 11.x are accepted: the document describes nothing older or newer.
"""
import re

DEFAULT_VERSION = "11.1.0"
SUPPORTED_MAJORS = (10, 11)

_VERSION_RE = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")


def parse(text):
    """"MAJOR.MINOR.PATCH" -> (major, minor, patch); ValueError otherwise."""
    m = _VERSION_RE.match(text if isinstance(text, str) else "")
    if not m:
        raise ValueError("version must look like 11.1.0, got %r" % (text,))
    version = tuple(int(x) for x in m.groups())
    if version[0] not in SUPPORTED_MAJORS:
        raise ValueError("only Mattermost %s.x can be emulated, got %s"
                         % (" and ".join(str(v) for v in SUPPORTED_MAJORS), text))
    return version


def bcrypt_only(version):
    """Mattermost 10.x: bcrypt (cost 10) is the only password hasher."""
    return version[0] < 11


def login_needs_sign_in_method(version):
    """11.3+ (PR #34441): no password login at all when both sign-in flags are off."""
    return version >= (11, 3, 0)


def has_login_rate_limit(version):
    """11.3+ (PR #34943): POST /users/login limited to 5/s, burst 10."""
    return version >= (11, 3, 0)


def version_string(version):
    return "%d.%d.%d" % version
