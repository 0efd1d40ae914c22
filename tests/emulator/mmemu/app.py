"""The application object: configuration (and the settings with side effects
on the schema), database, sessions, counters, faults, rate limiters, the
password-check lock, and start-up (schema + the admin bot with its personal
access token)."""
import collections
import logging
import threading

from . import api, clientconfig, models, passwords, schema, store, versions
from .config import Config, subpath
from .counters import Counters
from .db import Database
from .faults import Faults
from .httpcore import Router, serialize_cookie
from .pwlock import PasswordCheckLock
from .ratelimit import RateLimits
from .sessions import SessionService

log = logging.getLogger("mmemu")

ADMIN_BOT_USERNAME = "chat-bridge-bot"


class App:
    def __init__(self, dsn, admin_token, iterations=600000, config=None, bcrypt_cost=10):
        self.config = config or Config()
        self.db = Database(dsn)
        self.iterations = iterations
        self.bcrypt_cost = bcrypt_cost
        self.admin_token = admin_token
        self.admin_user_id = None
        self.counters = Counters()
        self.faults = Faults()
        self.rate_limits = RateLimits()
        self.password_lock = PasswordCheckLock(self.counters)
        self.sessions = SessionService(self)
        self.emails = collections.deque(maxlen=1000)
        self.emails_lock = threading.Lock()
        self.router = Router()
        api.register_all(self.router)

    # -- start-up ---------------------------------------------------------------
    def startup(self):
        with self.db.connection() as conn:
            schema.create_schema(conn)
            if self.config.emulator("SessionsExtraColumn"):
                schema.set_sessions_extra_column(conn, True)
        self.ensure_admin_bot()

    # -- settings with side effects ---------------------------------------------------
    def apply_config(self, overrides):
        """POST /__emu/config: merge settings, then make the schema follow
        SessionsExtraColumn when it changed (dropping a column another node
        still uses is left to explicit changes and resets)."""
        before = self.config.emulator("SessionsExtraColumn")
        self.config.apply(overrides)
        if self.config.emulator("SessionsExtraColumn") != before:
            self._sync_sessions_column()

    def _sync_sessions_column(self):
        with self.db.connection() as conn:
            schema.set_sessions_extra_column(conn, self.config.emulator("SessionsExtraColumn"))
        self.sessions.cache.clear()  # entries read under the other table shape

    def ensure_admin_bot(self):
        """The bridge's system-admin bot: a bots row, roles system_admin
        system_user, and a PAT whose token is the --admin-token-file contents."""
        from .ids import new_id, now_ms
        token = self.admin_token
        with self.db.tx() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (schema.SCHEMA_LOCK_KEY + 1,))
            user = store.get_user_by_username(cur, ADMIN_BOT_USERNAME)
            if user is None:
                now = now_ms()
                uid = new_id()
                store.insert_user(cur, {
                    "id": uid, "create_at": now, "update_at": now, "delete_at": 0,
                    "username": ADMIN_BOT_USERNAME, "password": "", "auth_data": None,
                    "auth_service": "", "email": ADMIN_BOT_USERNAME + "@localhost",
                    "email_verified": True, "nickname": "", "first_name": "Chat Bridge",
                    "last_name": "", "position": "", "roles": "system_admin system_user",
                    "allow_marketing": False, "props": {},
                    "notify_props": dict(models.DEFAULT_NOTIFY_PROPS),
                    "last_password_update": now, "last_picture_update": 0,
                    "failed_attempts": 0, "locale": "en",
                    "timezone": dict(models.DEFAULT_TIMEZONE), "remote_id": ""})
            else:
                uid = user["id"]
                cur.execute("UPDATE users SET roles = 'system_admin system_user', deleteat = 0 "
                            "WHERE id = %s", (uid,))
            store.insert_bot(cur, uid, "OpenTHC chat bridge (emulator admin bot)", uid)
            pat = store.get_access_token(cur, token)
            if pat is None:
                store.insert_access_token(cur, uid, token, "chat bridge admin token")
            elif pat["userid"] != uid or not pat["isactive"]:
                cur.execute("UPDATE useraccesstokens SET userid = %s, isactive = true WHERE id = %s",
                            (uid, pat["id"]))
        self.admin_user_id = uid
        self.sessions.cache.clear()

    # -- helpers used by handlers ----------------------------------------------------
    def hash_password(self, password):
        """The latest hasher of the emulated version: PBKDF2 (11.x) or bcrypt (10.x)."""
        self.counters.incr("password_hashes")
        if versions.bcrypt_only(self.config.version()):
            return passwords.hash_password_bcrypt(password, self.bcrypt_cost)
        return passwords.hash_password(password, self.iterations)

    def verify_password(self, stored, password):
        self.counters.incr("password_verifications")
        return passwords.verify_password(stored, password,
                                         bcrypt_only=versions.bcrypt_only(self.config.version()))

    def needs_rehash(self, stored):
        """§9 migratePassword (11.x only: 10.x has one hasher and never migrates)."""
        if versions.bcrypt_only(self.config.version()):
            return False
        return not passwords.is_latest(stored, self.iterations)

    def send_email(self, kind, to):
        """An email Mattermost would send (only when an SMTP server is configured)."""
        if not self.config.email("SMTPServer"):
            return
        self.counters.incr("emails_sent")
        with self.emails_lock:
            self.emails.append({"kind": kind, "to": to})

    def remove_session_cookie(self, ctx):
        """web/context.go RemoveSessionCookie (§2.2 step 6, §2.3)."""
        ctx.resp.add_header("Set-Cookie", serialize_cookie(
            "MMAUTHTOKEN", "", path=subpath(self.config.service("SiteURL")), max_age=-1,
            http_only=True))

    def version_id(self):
        """X-Version-Id: <version>.<build number>.<client config hash>.<licensed>
        (§8.2); the emulator's build number is the version itself."""
        cfg = self.config.snapshot()
        version = versions.version_string(versions.parse(cfg["EmulatorSettings"]["Version"]))
        licensed = "true" if cfg["EmulatorSettings"]["Licensed"] else "false"
        return "%s.%s.%s.%s" % (version, version, clientconfig.config_hash(cfg), licensed)

    # -- control -------------------------------------------------------------------
    def reset(self, keep_config=False):
        """POST /__emu/reset: everything but the admin bot and its token."""
        with self.db.tx() as cur:
            uid = self.admin_user_id
            cur.execute("DELETE FROM posts")
            cur.execute("DELETE FROM channelmembers")
            cur.execute("DELETE FROM channels")
            cur.execute("DELETE FROM teammembers")
            cur.execute("DELETE FROM teams")
            cur.execute("DELETE FROM sessions")
            cur.execute("DELETE FROM useraccesstokens WHERE NOT (userid = %s AND token = %s)",
                        (uid, self.admin_token))
            cur.execute("DELETE FROM bots WHERE userid <> %s", (uid,))
            cur.execute("DELETE FROM users WHERE id <> %s", (uid,))
            cur.execute("UPDATE users SET failedattempts = 0, deleteat = 0 WHERE id = %s", (uid,))
        if not keep_config:
            self.config.restore_baseline()
        self._sync_sessions_column()
        self.ensure_admin_bot()
        self.sessions.cache.clear()
        self.counters.reset()
        self.faults.clear()
        self.rate_limits.clear()
        with self.emails_lock:
            self.emails.clear()
