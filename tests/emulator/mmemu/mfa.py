"""TOTP multi-factor authentication as the login checks it (§1.4, correction 9).

Mattermost validates the login's `token` with dgoogauth: the user's secret is
base32 (20 random bytes), codes are RFC 6238 TOTP (HMAC-SHA1, 30 s steps,
6 digits), accepted one step either side (WindowSize 3), and a step already
used is refused (users.mfausedtimestamps, DisallowReuse).  A token that is not
6 digits (or 8 digits not starting with 0: a scratch code, of which Mattermost
configures none) is malformed: dgoogauth's ErrInvalidCode, which the login
answers with 400 mfa.validate_token.authenticate.app_error — also when the
token is missing; that is how clients learn that a code is needed.
CheckUserMfa is skipped entirely when EnableMultifactorAuthentication is false.
"""
import base64
import hashlib
import hmac
import os
import struct
import time

STEP_SECONDS = 30
WINDOW = 3
DIGITS = 6


class MalformedCode(ValueError):
    """dgoogauth.ErrInvalidCode."""


def new_secret():
    """mfa.New().GenerateSecret: base32 of 20 random bytes (32 characters)."""
    return base64.b32encode(os.urandom(20)).decode("ascii").rstrip("=")


def code_at(secret, step):
    """dgoogauth.ComputeCode: the TOTP code for a time step, -1 for a bad secret."""
    try:
        key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    except (ValueError, TypeError):
        return -1
    mac = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF
    return value % 10 ** DIGITS


def current_code(secret, now=None):
    """The code an authenticator app would show now (for tests and tools)."""
    step = int((time.time() if now is None else now) // STEP_SECONDS)
    return "%0*d" % (DIGITS, code_at(secret, step))


def check(secret, token, used_steps, now=None):
    """OTPConfig.Authenticate -> (ok, used steps to store).  Raises MalformedCode."""
    token = token.strip()
    digits = all(c in "0123456789" for c in token)
    if len(token) == 6 and digits:
        scratch = False
    elif len(token) == 8 and digits and token[0] != "0":
        scratch = True
    else:
        raise MalformedCode(token)
    if scratch:
        return False, list(used_steps)   # no scratch codes are configured
    code = int(token)
    t0 = int((time.time() if now is None else now) // STEP_SECONDS)
    low, high = t0 - WINDOW // 2, t0 + WINDOW // 2
    for step in range(low, high + 1):
        if code_at(secret, step) == code:
            if step in used_steps:
                return False, list(used_steps)
            return True, sorted(s for s in list(used_steps) + [step] if s >= low)
    return False, list(used_steps)
