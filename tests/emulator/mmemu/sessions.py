"""Sessions: cache, lookup, creation and revocation (§2.2, §2.4, §3).

Lookup (app.GetSession / platform.GetSession):
  1. in-memory cache keyed by token (TTL SessionCacheInMinutes, 35 000 LRU);
  2. on a miss: SELECT the 11 columns WHERE token = $1 OR id = $1 LIMIT 1 —
     rows inserted by other programs (the bridge's `database` mode) are read
     exactly like our own; a NULL in any scanned column, or props that are not
     a JSON object of strings, is a scan failure (Go database/sql) and the
     token is treated as unknown; the non-deleted team memberships are loaded;
  3. the row's token must equal the presented token (a session *id* is no token);
     an unexpired session is (re)cached;
  4. nothing found: try the token as a personal access token (§2.4);
  5. expired (ExpiresAt > 0 and now > ExpiresAt) -> 401;
  6. idle timeout only when ExtendSessionLengthWithActivity is false (§2.2 step 5).
Rows changed or deleted directly in SQL stay honoured from the cache until the
TTL runs out (§3.4); revocation through the API clears the cache.

EmulatorSettings.SessionsExtraColumn (correction 8) models a future
Mattermost whose `sessions` has a nullable `voipdeviceid` without default
that it scans into a Go string: the column is added to the table, read with
the others, a row where it is NULL is a scan failure (an invalid session, 401
like an unknown token), and rows the emulator writes set it to ''.
"""
import collections
import copy
import json
import threading
import time

from . import store
from .errors import AppError
from .ids import new_id, now_ms

SESSION_COLUMNS = ("id", "token", "createat", "expiresat", "lastactivityat", "userid",
                   "deviceid", "roles", "isoauth", "expirednotify", "props")
EXTRA_COLUMN = "voipdeviceid"   # correction 8, schema.set_sessions_extra_column
_SELECT = ("SELECT id, token, createat, expiresat, lastactivityat, userid, deviceid, roles, "
           "isoauth, expirednotify, props::text AS props%s FROM sessions ")
CACHE_SIZE = 35000            # model.SessionCacheSize
MAX_SESSIONS_PER_USER = 500   # app/session.go maxSessionsLimit (§1.4)
PAT_EXPIRY_HOURS = 100 * 365 * 24   # model.SessionUserAccessTokenExpiryHours
ACTIVITY_UPDATE_MS = 5 * 60 * 1000  # model.SessionActivityTimeout


class ScanError(Exception):
    """A row Go's database/sql could not scan into model.Session."""


class SessionCache:
    def __init__(self, max_entries=CACHE_SIZE):
        self._lock = threading.Lock()
        self._items = collections.OrderedDict()  # token -> (session, deadline)
        self._max = max_entries

    def get(self, token):
        with self._lock:
            item = self._items.get(token)
            if item is None:
                return None
            if item[1] < time.monotonic():
                del self._items[token]
                return None
            self._items.move_to_end(token)
            return copy.deepcopy(item[0])

    def add(self, session, ttl_seconds):
        with self._lock:
            self._items[session["token"]] = (copy.deepcopy(session), time.monotonic() + ttl_seconds)
            self._items.move_to_end(session["token"])
            while len(self._items) > self._max:
                self._items.popitem(last=False)

    def remove_token(self, token):
        with self._lock:
            self._items.pop(token, None)

    def clear_user(self, user_id):
        """platform.ClearUserSessionCache (§3.4)."""
        with self._lock:
            for token in [t for t, (s, _) in self._items.items() if s["user_id"] == user_id]:
                del self._items[token]

    def clear(self):
        with self._lock:
            self._items.clear()

    def __len__(self):
        with self._lock:
            return len(self._items)


def _select(extra):
    return _SELECT % (", " + EXTRA_COLUMN if extra else "")


def _scan_row(row, extra=False):
    if any(row[c] is None for c in SESSION_COLUMNS) or (extra and row[EXTRA_COLUMN] is None):
        raise ScanError("NULL in a session column")
    try:
        props = json.loads(row["props"])
    except ValueError as exc:
        raise ScanError(str(exc)) from None
    if props is None:
        props = {}
    if not isinstance(props, dict) or not all(isinstance(v, str) for v in props.values()):
        raise ScanError("props is not a string map")
    return {
        "id": row["id"], "token": row["token"], "create_at": row["createat"],
        "expires_at": row["expiresat"], "last_activity_at": row["lastactivityat"],
        "user_id": row["userid"], "device_id": row["deviceid"], "roles": row["roles"],
        "is_oauth": row["isoauth"], "expired_notify": row["expirednotify"], "props": props,
        "team_members": [],
    }


def is_expired(session):
    """model.Session.IsExpired: ExpiresAt <= 0 never expires."""
    return session["expires_at"] > 0 and now_ms() > session["expires_at"]


def is_mobile_app(session):
    return session["device_id"] != "" or session["props"].get("isMobile") == "true"


class SessionService:
    def __init__(self, app):
        self.app = app
        self.cache = SessionCache()

    # -- lookup ----------------------------------------------------------------
    def _ttl(self):
        return max(0, self.app.config.service("SessionCacheInMinutes")) * 60

    def _extra(self):
        return self.app.config.emulator("SessionsExtraColumn")

    def _load(self, token):
        extra = self._extra()
        with self.app.db.tx() as cur:
            cur.execute(_select(extra) + "WHERE token = %s OR id = %s LIMIT 1", (token, token))
            row = cur.fetchone()
            if row is None:
                return None
            session = _scan_row(row, extra)
            session["team_members"] = store.active_team_members_of_user(cur, session["user_id"])
            return session

    def get_session(self, token):
        """Returns the session or raises AppError (401 invalid token)."""
        session = self.cache.get(token)
        if session is None:
            try:
                session = self._load(token)
            except ScanError:
                session = None
            if session is not None:
                if session["token"] != token:
                    raise AppError("api.context.invalid_token.error", 401,
                                   {"token": token, "error": ""},
                                   "session token is different from the one in DB")
                if not is_expired(session):
                    self.cache.add(session, self._ttl())
        if session is None:
            session = self._session_for_access_token(token)
        if is_expired(session):
            raise AppError("api.context.invalid_token.error", 401, {"token": token, "error": ""},
                           "session is either nil or expired")
        cfg = self.app.config
        timeout_min = cfg.service("SessionIdleTimeoutInMinutes")
        if (timeout_min > 0 and not cfg.service("ExtendSessionLengthWithActivity")
                and not session["is_oauth"] and not is_mobile_app(session)
                and session["props"].get("type") != "UserAccessToken"
                and now_ms() - session["last_activity_at"] > timeout_min * 60000):
            self.revoke_session(session["id"])
            raise AppError("api.context.invalid_token.error", 401, {"token": token, "error": ""},
                           "idle timeout")
        return session

    def _session_for_access_token(self, token):
        """app.createSessionForUserAccessToken (§2.4): the session row's token is
        the PAT itself; no csrf prop; expires in 100 years."""
        def invalid(detail):
            return AppError("api.context.invalid_token.error", 401, {"token": token, "error": ""},
                            detail)
        with self.app.db.tx() as cur:
            pat = store.get_access_token(cur, token)
            if pat is None or not pat["isactive"]:
                raise invalid("app.user_access_token.invalid_or_missing")
            user = store.get_user(cur, pat["userid"])
            if user is None:
                raise invalid("app.user_access_token.invalid_or_missing")
            if not self.app.config.service("EnableUserAccessTokens") and not user["is_bot"]:
                raise invalid("EnableUserAccessTokens=false")
            if user["delete_at"] != 0:
                raise invalid("inactive_user_id=" + user["id"])
            props = {"user_access_token_id": pat["id"], "type": "UserAccessToken"}
            if user["is_bot"]:
                props["is_bot"] = "true"
            props["is_guest"] = "true" if "system_guest" in user["roles"].split() else "false"
            now = now_ms()
            session = self._insert(cur, {
                "id": new_id(), "token": pat["token"], "create_at": now,
                "expires_at": now + PAT_EXPIRY_HOURS * 3600 * 1000, "last_activity_at": now,
                "user_id": user["id"], "device_id": "", "roles": user["roles"],
                "is_oauth": False, "expired_notify": False, "props": props,
            })
            session["team_members"] = store.active_team_members_of_user(cur, user["id"])
        self.cache.add(session, self._ttl())
        return session

    # -- creation ----------------------------------------------------------------
    def _insert(self, cur, s):
        # app/session.go limitNumberOfSessions: keep at most 500 per user.
        cur.execute("SELECT id FROM sessions WHERE userid = %s ORDER BY lastactivityat ASC",
                    (s["user_id"],))
        ids = [r["id"] for r in cur.fetchall()]
        if len(ids) >= MAX_SESSIONS_PER_USER:
            doomed = ids[:len(ids) - MAX_SESSIONS_PER_USER + 1]
            cur.execute("DELETE FROM sessions WHERE id = ANY(%s) RETURNING token", (doomed,))
            for r in cur.fetchall():
                self.cache.remove_token(r["token"])
        extra = self._extra()
        cur.execute("""INSERT INTO sessions (id, token, createat, expiresat, lastactivityat, userid,
                           deviceid, roles, isoauth, props, expirednotify%s)
                       VALUES (%%s,%%s,%%s,%%s,%%s,%%s,%%s,%%s,%%s,%%s,%%s%s)"""
                    % ((", " + EXTRA_COLUMN, ", ''") if extra else ("", "")),
                    (s["id"], s["token"], s["create_at"], s["expires_at"], s["last_activity_at"],
                     s["user_id"], s["device_id"], s["roles"], s["is_oauth"],
                     json.dumps(s["props"]), s["expired_notify"]))
        self.app.counters.incr("sessions_created")
        s = dict(s)
        s.setdefault("team_members", [])
        return s

    def create_login_session(self, cur, user, props, device_id, hours):
        """app/login.go DoLogin → app.CreateSession + model.Session.PreSave (§3.2).
        CreateSession refuses remote (shared-channel) users (correction 5)."""
        if user.get("remote_id"):
            raise AppError("api.user.login.remote_users.login.error", 401,
                           detailed="remote_id=" + user["remote_id"])
        now = now_ms()
        session = self._insert(cur, {
            "id": new_id(), "token": new_id(), "create_at": now,
            "expires_at": now + hours * 3600 * 1000, "last_activity_at": now,
            "user_id": user["id"], "device_id": device_id, "roles": user["roles"],
            "is_oauth": False, "expired_notify": False, "props": props,
        })
        session["team_members"] = store.active_team_members_of_user(cur, user["id"])
        return session

    def cache_session(self, session):
        self.cache.add(session, self._ttl())

    def update_last_activity_if_needed(self, session):
        now = now_ms()
        if now - session["last_activity_at"] < ACTIVITY_UPDATE_MS:
            return
        with self.app.db.tx() as cur:
            cur.execute("UPDATE sessions SET lastactivityat = %s WHERE id = %s", (now, session["id"]))
        session["last_activity_at"] = now
        self.cache.add(session, self._ttl())

    # -- revocation ----------------------------------------------------------------
    def _forget(self, rows):
        """Rows just deleted (revocation): drop them from the cache and count them."""
        if rows:
            self.app.counters.incr("sessions_revoked", len(rows))
        for r in rows:
            self.cache.remove_token(r["token"])
            self.cache.clear_user(r["userid"])

    def get_session_by_id(self, session_id):
        extra = self._extra()
        with self.app.db.tx() as cur:
            cur.execute(_select(extra) + "WHERE id = %s", (session_id,))
            row = cur.fetchone()
        if row is None:
            return None
        try:
            return _scan_row(row, extra)
        except ScanError:
            return None

    def revoke_session(self, session_id):
        with self.app.db.tx() as cur:
            cur.execute("DELETE FROM sessions WHERE id = %s RETURNING token, userid", (session_id,))
            rows = cur.fetchall()
        self._forget(rows)

    def revoke_all_for_user(self, user_id, except_session_id=None, cur=None):
        sql = "DELETE FROM sessions WHERE userid = %s AND id <> %s RETURNING token, userid"
        args = (user_id, except_session_id or "")
        if cur is None:
            with self.app.db.tx() as c:
                c.execute(sql, args)
                rows = c.fetchall()
        else:
            cur.execute(sql, args)
            rows = cur.fetchall()
        self._forget(rows)
        self.cache.clear_user(user_id)

    def revoke_for_device(self, cur, user_id, device_id):
        cur.execute("DELETE FROM sessions WHERE userid = %s AND deviceid = %s RETURNING token, userid",
                    (user_id, device_id))
        self._forget(cur.fetchall())

    def sessions_for_user(self, user_id):
        extra = self._extra()
        with self.app.db.tx() as cur:
            cur.execute(_select(extra) + "WHERE userid = %s ORDER BY lastactivityat DESC", (user_id,))
            rows = cur.fetchall()
        out = []
        for row in rows:
            try:
                out.append(_scan_row(row, extra))
            except ScanError:
                continue
        return out
