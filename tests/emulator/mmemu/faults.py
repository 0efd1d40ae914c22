"""Fault injection for POST /__emu/fault (not part of Mattermost).

  {"mode": "none"}                          clear
  {"mode": "down"}                          read the request, close the connection, no answer
  {"mode": "slow", "delay_ms": N}           wait N ms, then answer normally
  {"mode": "status", "status": 500|503|429|…, "retry_after": S}
        500/503/…: AppError JSON body (id api.emu.fault_injected.app_error)
        429: exactly like Mattermost's rate limiter (§8.3): text/plain
             "limit exceeded\\n", Retry-After, X-Ratelimit-Limit/-Remaining/-Reset
  optional "path_prefix" (default "/api/v4") and "count" (auto-clear after N hits).
Faults never apply to /__emu/ paths.
"""
import threading

from .errors import AppError

MODES = ("none", "down", "slow", "status")


def parse_fault(spec):
    if not isinstance(spec, dict):
        raise ValueError("fault must be a JSON object")
    mode = spec.get("mode", "none")
    if mode not in MODES:
        raise ValueError("mode must be one of %s" % ", ".join(MODES))
    fault = {"mode": mode, "path_prefix": spec.get("path_prefix", "/api/v4"),
             "count": spec.get("count"), "status": spec.get("status", 500),
             "delay_ms": spec.get("delay_ms", 0), "retry_after": spec.get("retry_after", 1)}
    if not isinstance(fault["path_prefix"], str) or not fault["path_prefix"].startswith("/"):
        raise ValueError("path_prefix must be a string starting with /")
    for key in ("status", "delay_ms", "retry_after"):
        if not isinstance(fault[key], int) or isinstance(fault[key], bool) or fault[key] < 0:
            raise ValueError("%s must be a non-negative integer" % key)
    if fault["count"] is not None and (not isinstance(fault["count"], int) or fault["count"] < 1):
        raise ValueError("count must be a positive integer")
    if mode == "status" and not 400 <= fault["status"] <= 599:
        raise ValueError("status must be 4xx or 5xx")
    return None if mode == "none" else fault


class Faults:
    def __init__(self):
        self._lock = threading.Lock()
        self._fault = None

    def set(self, fault):
        with self._lock:
            self._fault = fault

    def clear(self):
        self.set(None)

    def current(self):
        with self._lock:
            return dict(self._fault) if self._fault else {"mode": "none"}

    def take(self, path):
        """The fault that applies to this request (consuming one count), or None."""
        if path.startswith("/__emu/"):
            return None
        with self._lock:
            f = self._fault
            if f is None or not path.startswith(f["path_prefix"]):
                return None
            if f["count"] is not None:
                f["count"] -= 1
                if f["count"] <= 0:
                    self._fault = None
            return dict(f)


def injected_error(status):
    return AppError("api.emu.fault_injected.app_error", status,
                    detailed="fault injected by POST /__emu/fault")
