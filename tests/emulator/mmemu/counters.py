"""Work counters for GET /__emu/counters (not part of Mattermost)."""
import collections
import threading

NAMES = ("password_hashes", "password_verifications", "logins_ok", "logins_failed",
         "sessions_created", "users_created", "members_added", "passwords_set", "emails_sent",
         "rate_limited", "users_patched", "sessions_revoked",
         "password_lock_wait_ms", "password_checks_max_concurrent")


class Counters:
    def __init__(self):
        self._lock = threading.Lock()
        self.reset()

    def reset(self):
        with self._lock:
            self._requests = collections.Counter()
            self._values = dict.fromkeys(NAMES, 0)

    def incr(self, name, n=1):
        with self._lock:
            self._values[name] += n

    def add_ms(self, name, ms):
        """A duration counter (milliseconds, reported with 3 decimals)."""
        with self._lock:
            self._values[name] += ms

    def record_max(self, name, value):
        with self._lock:
            self._values[name] = max(self._values[name], value)

    def request(self, key):
        with self._lock:
            self._requests[key] += 1

    def snapshot(self):
        with self._lock:
            out = {"requests": dict(sorted(self._requests.items()))}
            out.update(self._values)
            out["password_lock_wait_ms"] = round(out["password_lock_wait_ms"], 3)
            return out
