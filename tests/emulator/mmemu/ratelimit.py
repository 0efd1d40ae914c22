"""Rate limiting (§8.3, correction 2), per emulator process (= per node).

Mattermost limits with the GCRA of the `throttled` library: a quota of
PerSec requests per second with MaxBurst gives an emission interval
T = 1/PerSec and a tolerance of (MaxBurst + 1) * T, so MaxBurst + 1 requests
pass back to back (that is the advertised limit) and then one per T.  The
state is a theoretical arrival time per key in an LRU store of
MemoryStoreSize keys.  Keys are the socket peer address (no proxy header).

  global  RateLimitSettings.Enable: wraps every request (PerSec, MaxBurst)
  login   POST /users/login from 11.3 whenever RateLimitSettings.Enable is
          true: 5 per second, burst 10, whatever PerSec/MaxBurst say

Every request that passes a limiter gets X-Ratelimit-Limit, -Remaining and
-Reset (seconds until the key is back to a full burst, rounded up), added
with Go's Header.Add (a login passing both limiters carries both sets, the
global one first).  Over the limit: 429 from Go's http.Error, i.e.
text/plain "limit exceeded\\n", X-Content-Type-Options: nosniff, those
headers plus Retry-After (seconds, rounded up), and none of the API headers
because the limiter answers before the API handler.
"""
import collections
import math
import threading
import time

from . import versions
from .httpcore import Response

LOGIN_PER_SEC = 5
LOGIN_MAX_BURST = 10

Decision = collections.namedtuple("Decision", "limited limit remaining reset_after retry_after")


class GCRA:
    """Times are integer nanoseconds, like Go's time.Duration."""

    def __init__(self, per_sec, max_burst, store_size=10000):
        self.interval = 1_000_000_000 // per_sec
        self.tolerance = self.interval * (max_burst + 1)
        self.limit = max_burst + 1
        self._store_size = store_size
        self._tat = collections.OrderedDict()
        self._lock = threading.Lock()

    def take(self, key, now=None):
        """One request for `key` (throttled's GCRARateLimiter.RateLimit, quantity 1).
        Returns a Decision with reset_after/retry_after in seconds."""
        now = time.monotonic_ns() if now is None else now
        with self._lock:
            tat = self._tat.get(key, now)
            new_tat = max(now, tat) + self.interval
            diff = now - (new_tat - self.tolerance)
            if diff < 0:
                limited, ttl, retry_after = True, tat - now, -diff / 1e9
            else:
                limited, ttl, retry_after = False, new_tat - now, None
                self._tat[key] = new_tat
                self._tat.move_to_end(key)
                while len(self._tat) > self._store_size:
                    self._tat.popitem(last=False)
        spare = self.tolerance - ttl
        remaining = spare // self.interval if spare > -self.interval else 0
        return Decision(limited, self.limit, max(0, remaining), ttl / 1e9, retry_after)


class RateLimits:
    """The process's limiters, rebuilt when their settings change."""

    def __init__(self):
        self._lock = threading.Lock()
        self._limiters = {}   # name -> ((per_sec, burst, size), GCRA)

    def _limiter(self, name, per_sec, burst, size):
        params = (per_sec, burst, size)
        with self._lock:
            current = self._limiters.get(name)
            if current is None or current[0] != params:
                current = (params, GCRA(per_sec, burst, size))
                self._limiters[name] = current
            return current[1]

    def check_global(self, cfg, key):
        """cfg: Config.snapshot().  None when the limiter is off."""
        rl = cfg["RateLimitSettings"]
        if not rl["Enable"]:
            return None
        return self._limiter("global", rl["PerSec"], rl["MaxBurst"],
                             rl["MemoryStoreSize"]).take(key)

    def check_login(self, cfg, key):
        rl = cfg["RateLimitSettings"]
        version = versions.parse(cfg["EmulatorSettings"]["Version"])
        if not rl["Enable"] or not versions.has_login_rate_limit(version):
            return None
        return self._limiter("login", LOGIN_PER_SEC, LOGIN_MAX_BURST,
                             rl["MemoryStoreSize"]).take(key)

    def clear(self):
        with self._lock:
            self._limiters.clear()


def headers(decision):
    """setRateLimitHeaders: Go canonicalises X-RateLimit-* to X-Ratelimit-*."""
    out = [("X-Ratelimit-Limit", str(decision.limit)),
           ("X-Ratelimit-Remaining", str(decision.remaining)),
           ("X-Ratelimit-Reset", str(max(0, math.ceil(decision.reset_after))))]
    if decision.limited and decision.retry_after is not None:
        out.append(("Retry-After", str(math.ceil(decision.retry_after))))
    return out


def limited_response(decision, earlier=()):
    """The 429 of http.Error; `earlier` are headers an outer limiter added."""
    resp = Response(429, b"limit exceeded\n", "text/plain; charset=utf-8")
    resp.set_header("X-Content-Type-Options", "nosniff")
    for name, value in list(earlier) + headers(decision):
        resp.add_header(name, value)
    return resp
