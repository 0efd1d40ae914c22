"""The per-node password-check lock (correction 3).

Mattermost's CheckPasswordAndAllCriteria holds one global mutex
(emailLoginAttemptsMut) around the user load, the password compare, MFA and
the failed-attempts update, so one node verifies one password at a time.
With EmulatorSettings.SerializePasswordChecks the emulator's login does the
same with one lock per process; without it checks run concurrently on the
server's threads (the default, as before).

Counters (GET /__emu/counters):
  password_lock_wait_ms           time logins spent waiting for the lock
  password_checks_max_concurrent  most checks ever inside the section at once
                                  (1 with the switch on)
POST /__emu/password-lock/hold {"ms": N} takes the lock for N ms as a
"busy node" would (whatever the switch), for tests and benchmarks.
"""
import contextlib
import threading
import time


class PasswordCheckLock:
    def __init__(self, counters):
        self.counters = counters
        self._lock = threading.Lock()
        self._inflight_lock = threading.Lock()
        self._inflight = 0

    @contextlib.contextmanager
    def section(self, serialize):
        """The critical section of one password check."""
        if serialize:
            start = time.monotonic()
            self._lock.acquire()
            self.counters.add_ms("password_lock_wait_ms", (time.monotonic() - start) * 1000)
        try:
            with self._inflight_lock:
                self._inflight += 1
                self.counters.record_max("password_checks_max_concurrent", self._inflight)
            try:
                yield
            finally:
                with self._inflight_lock:
                    self._inflight -= 1
        finally:
            if serialize:
                self._lock.release()

    def hold(self, seconds):
        """Take the lock in a background thread for `seconds`; returns once held."""
        held = threading.Event()

        def run():
            with self._lock:
                held.set()
                time.sleep(seconds)
        threading.Thread(target=run, name="mmemu-password-lock-hold", daemon=True).start()
        held.wait()
