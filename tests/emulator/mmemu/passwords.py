"""Password hashing (§9) and password policy (§5.1).

New hashes: PBKDF2-HMAC-SHA256, 32-byte key, 16-byte random salt, PHC string
  $pbkdf2$f=SHA256,w=<iterations>,l=32$<salt: raw std base64>$<hash: raw std base64>
(app/password/hashers/pbkdf2.go).  The emulator's "latest hasher" uses the
--pbkdf2-iterations work factor (Mattermost: 600000).  A stored PBKDF2 hash is
verified with the parameters written in it; any hash that is not exactly the
latest hasher's (other w=, or bcrypt) is re-hashed after a successful login
(§9 migratePassword).  Strings that do not parse as PHC are treated as bcrypt
(hashers.go GetHasherFromPHCString), so "$2a$/$2b$/$2y$" hashes verify.
Passwords longer than 72 bytes are refused by both Hash and Compare.

Mattermost 10.x (correction 7) knows bcrypt only: new hashes are bcrypt
("$2a$", cost 10; the emulator's --bcrypt-cost) and a PBKDF2 PHC string can
never be verified (bcrypt rejects it as a malformed hash).
"""
import base64
import hashlib
import hmac
import os
import re

import bcrypt

MAX_PASSWORD_BYTES = 72  # hashers.PasswordMaxLengthBytes / model.PasswordMaximumLength
SALT_BYTES = 16
KEY_LENGTH = 32

LOWERCASE = "abcdefghijklmnopqrstuvwxyz"
UPPERCASE = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
NUMBERS = "0123456789"
SYMBOLS = " !\"\\#$%&'()*+,-./:;<=>?@[]^_`|~"


class PasswordTooLong(ValueError):
    pass


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    # Go's RawStdEncoding: no padding allowed, standard alphabet.
    if "=" in text or not re.fullmatch(r"[A-Za-z0-9+/]*", text):
        raise ValueError("bad base64")
    return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)


def hash_password(password: str, iterations: int) -> str:
    pw = password.encode("utf-8")
    if len(pw) > MAX_PASSWORD_BYTES:
        raise PasswordTooLong()
    salt = os.urandom(SALT_BYTES)
    dk = hashlib.pbkdf2_hmac("sha256", pw, salt, iterations, KEY_LENGTH)
    return "$pbkdf2$f=SHA256,w=%d,l=%d$%s$%s" % (iterations, KEY_LENGTH, _b64(salt), _b64(dk))


def hash_password_bcrypt(password: str, cost: int) -> str:
    """Mattermost 10.x model.HashPassword: bcrypt.GenerateFromPassword ($2a$)."""
    pw = password.encode("utf-8")
    if len(pw) > MAX_PASSWORD_BYTES:
        raise PasswordTooLong()
    return bcrypt.hashpw(pw, bcrypt.gensalt(cost, prefix=b"2a")).decode("ascii")


def parse_phc(text: str):
    """Minimal PHC parser: $id[$v=N][$k=v,...][$salt[$hash]] -> dict or None."""
    if not text.startswith("$"):
        return None
    parts = text[1:].split("$")
    if not parts or not re.fullmatch(r"[a-z0-9-]{1,32}", parts[0]):
        return None
    phc = {"id": parts[0], "params": {}, "salt": "", "hash": ""}
    rest = parts[1:]
    if rest and rest[0].startswith("v="):
        rest = rest[1:]
    if rest and "=" in rest[0]:
        for item in rest[0].split(","):
            key, sep, value = item.partition("=")
            if not sep or not re.fullmatch(r"[a-z0-9-]{1,32}", key):
                return None
            phc["params"][key] = value
        rest = rest[1:]
    if len(rest) > 2:
        return None
    if rest:
        phc["salt"] = rest[0]
    if len(rest) > 1:
        phc["hash"] = rest[1]
    return phc


def is_latest(stored: str, iterations: int) -> bool:
    """hashers.IsLatestHasher: PBKDF2 with exactly f=SHA256, w=<configured>, l=32."""
    phc = parse_phc(stored or "")
    return bool(phc and phc["id"] == "pbkdf2" and phc["params"] == {
        "f": "SHA256", "w": str(iterations), "l": str(KEY_LENGTH)})


def verify_password(stored: str, password: str, bcrypt_only: bool = False) -> bool:
    """CompareHashAndPassword with the hasher named by the stored string
    (11.x), or with bcrypt whatever the string is (10.x: bcrypt_only)."""
    if not stored or not password:
        return False  # users.ComparePassword: empty password or hash
    pw = password.encode("utf-8")
    if len(pw) > MAX_PASSWORD_BYTES:
        return False  # ErrPasswordTooLong
    phc = None if bcrypt_only else parse_phc(stored)
    if phc is not None and phc["id"] == "pbkdf2":
        params = phc["params"]
        try:
            if set(params) != {"f", "w", "l"} or params["f"] != "SHA256":
                return False
            work, length = int(params["w"]), int(params["l"])
            if work <= 0 or length <= 0:
                return False
            salt = _unb64(phc["salt"])
        except (ValueError, KeyError):
            return False
        dk = hashlib.pbkdf2_hmac("sha256", pw, salt, work, length)
        return hmac.compare_digest(_b64(dk).encode(), phc["hash"].encode())
    # Anything else is handed to bcrypt (the original hasher).
    try:
        return bcrypt.checkpw(pw, stored.encode("utf-8"))
    except (ValueError, TypeError):
        return False


def policy_error_id(password: str, settings: dict):
    """users.IsPasswordValidWithSettings (S): returns the error id or None.
    Length errors win; otherwise one suffix per *missing* character class, in
    the order lowercase, uppercase, number, symbol."""
    length = len(password.encode("utf-8"))
    err_id = "model.user.is_valid.pwd"
    if length < settings["MinimumLength"]:
        err_id += "_min_length"
    if length > MAX_PASSWORD_BYTES:
        err_id += "_max_length"
    if err_id != "model.user.is_valid.pwd":
        return err_id + ".app_error"
    failed = False
    for flag, chars, suffix in (("Lowercase", LOWERCASE, "_lowercase"),
                                ("Uppercase", UPPERCASE, "_uppercase"),
                                ("Number", NUMBERS, "_number"),
                                ("Symbol", SYMBOLS, "_symbol")):
        if settings[flag] and not any(c in chars for c in password):
            failed = True
            err_id += suffix
    return err_id + ".app_error" if failed else None
