"""Identifiers and clock (§3.2: model/utils.go NewId, IsValidId, GetMillis)."""
import base64
import re
import time
import uuid

# Mattermost's base32 alphabet; base32 of 16 bytes is 26 chars once the
# padding ("======") is dropped.
_STD = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_MM = "ybndrfg8ejkmcpqxot1uwisza345h769"
_TRANS = str.maketrans(_STD, _MM)
_VALID_ID = re.compile(r"^[a-z0-9]{26}$")


def new_id() -> str:
    """A random UUIDv4 encoded with Mattermost's alphabet: 26 lower-case chars."""
    raw = base64.b32encode(uuid.uuid4().bytes).decode("ascii").rstrip("=")
    return raw.translate(_TRANS)


def is_valid_id(value) -> bool:
    """model.IsValidId: exactly 26 lower-case alphanumerics."""
    return isinstance(value, str) and bool(_VALID_ID.match(value))


def now_ms() -> int:
    return int(time.time() * 1000)
