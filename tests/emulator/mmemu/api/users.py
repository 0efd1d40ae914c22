"""/api/v4/users…: login (§1, corrections 1, 3–5, 9), user creation, lookup
and patch (§5), password and activation (§4.3, §4.4), sessions (§4.1) and
personal access tokens (§4.2)."""
import psycopg2

from .. import mfa, models, store, useragent, validation, versions
from ..config import cookie_domain, subpath
from ..db import unique_violation_constraint
from ..errors import AppError, invalid_body_param, invalid_url_param, missing_account
from ..httpcore import now_epoch, serialize_cookie
from ..ids import new_id, now_ms
from ..jsonbody import (BodyError, decode_patch, decode_struct, map_from_json,
                        string_interface_from_json)
from ..passwords import policy_error_id

# §1.4: errors the login handler does not mask (api4/user.go login).
LOGIN_UNMASKED = {
    "mfa.validate_token.authenticate.app_error",
    "api.user.check_user_mfa.bad_code.app_error",
    "api.user.login.blank_pwd.app_error",
    "api.user.login.bot_login_forbidden.app_error",
    "api.user.login.client_side_cert.certificate.app_error",
    "api.user.login.inactive.app_error",
    "api.user.login.not_verified.app_error",
    "api.user.check_user_login_attempts.too_many.app_error",
    "app.team.join_user_to_team.max_accounts.app_error",
    "store.sql_user.save.max_accounts.app_error",
    "api.user.check_user_login_attempts.too_many_ldap.app_error",
}

SUPPORTED_LOCALES = {"bg", "de", "en", "en-AU", "es", "fa", "fr", "hu", "it", "ja", "ko", "nl",
                     "pl", "pt-BR", "ro", "ru", "sv", "tr", "uk", "vi", "zh-CN", "zh-TW"}

# model.User fields accepted from a request body (Go struct decoding).
USER_FIELDS = {
    "id": "str", "create_at": "int", "update_at": "int", "delete_at": "int", "username": "str",
    "password": "str", "auth_data": "str", "auth_service": "str", "email": "str",
    "email_verified": "bool", "nickname": "str", "first_name": "str", "last_name": "str",
    "position": "str", "roles": "str", "allow_marketing": "bool", "props": "strmap",
    "notify_props": "strmap", "last_password_update": "int", "last_picture_update": "int",
    "failed_attempts": "int", "locale": "str", "timezone": "strmap", "mfa_active": "bool",
    "mfa_secret": "str", "remote_id": "str", "last_activity_at": "int", "is_bot": "bool",
    "bot_description": "str", "bot_last_icon_update": "int", "terms_of_service_id": "str",
    "terms_of_service_create_at": "int", "disable_welcome_email": "bool", "last_login": "int",
}


def register(router):
    r = router
    r.add("POST", "/api/v4/users/login", rate_limit="login")(login)  # correction 2
    r.add("POST", "/api/v4/users")(create_user)
    r.add("GET", "/api/v4/users/me", session_required=True)(get_user)
    r.add("GET", "/api/v4/users/email/{email}", session_required=True)(get_user_by_email)
    r.add("GET", "/api/v4/users/username/{username}", session_required=True)(get_user_by_username)
    r.add("GET", "/api/v4/users/{user_id}", session_required=True)(get_user)
    r.add("PUT", "/api/v4/users/{user_id}/patch", session_required=True)(patch_user)
    r.add("PUT", "/api/v4/users/{user_id}/password", session_required=True)(update_password)
    r.add("PUT", "/api/v4/users/{user_id}/active", session_required=True)(update_active)
    r.add("GET", "/api/v4/users/{user_id}/sessions", session_required=True)(get_sessions)
    r.add("POST", "/api/v4/users/{user_id}/sessions/revoke", session_required=True)(revoke_session)
    r.add("POST", "/api/v4/users/{user_id}/sessions/revoke/all", session_required=True)(revoke_all_sessions)
    r.add("POST", "/api/v4/users/{user_id}/tokens", session_required=True)(create_access_token)
    r.add("POST", "/api/v4/users/logout")(logout)


# ---------------------------------------------------------------------------
# §1 POST /users/login

def _mask_login_error(app, err):
    """The deferred masking in api4/user.go login (§1.4)."""
    if err.id in LOGIN_UNMASKED:
        return err
    cfg = app.config.snapshot()
    sso = any(cfg[s]["Enable"] for s in ("SamlSettings", "GitLabSettings", "GoogleSettings",
                                         "Office365Settings", "OpenIdSettings"))
    by_username = cfg["EmailSettings"]["EnableSignInWithUsername"]
    by_email = cfg["EmailSettings"]["EnableSignInWithEmail"]
    if sso:
        masked = "api.user.login.invalid_credentials_sso"
    elif by_username and not by_email:
        masked = "api.user.login.invalid_credentials_username"
    elif by_email and not by_username:
        masked = "api.user.login.invalid_credentials_email"
    else:
        masked = "api.user.login.invalid_credentials_email_username"
    return AppError(masked, 401, detailed=err.id)


def _get_user_for_login(app, user_id, login_id):
    """app/login.go GetUserForLogin (§1.1).  From 11.3 (correction 1) neither
    `id` nor `login_id` is honoured when both sign-in flags are off."""
    by_username = app.config.email("EnableSignInWithUsername")
    by_email = app.config.email("EnableSignInWithEmail")
    if (not by_username and not by_email
            and versions.login_needs_sign_in_method(app.config.version())):
        raise AppError("store.sql_user.get_for_login.app_error", 400,
                       detailed="sign-in with email and username disabled")
    with app.db.tx() as cur:
        if user_id:
            user = store.get_user(cur, user_id)
            if user is None:
                raise AppError("app.user.missing_account.const", 400)
            return user
        matches = store.get_for_login(cur, login_id, by_username, by_email)
    if len(matches) != 1:  # none, or more than one match
        raise AppError("store.sql_user.get_for_login.app_error", 400)
    return matches[0]


def _authenticate_for_login(app, user_id, login_id, password, mfa_token=""):
    """AuthenticateUserForLogin → authenticateUser → CheckPasswordAndAllCriteria (§1.4).
    The user found by GetUserForLogin is loaded again inside the password-check
    section, which is one lock per process with SerializePasswordChecks
    (correction 3)."""
    if password == "":
        raise AppError("api.user.login.blank_pwd.app_error", 400)
    found = _get_user_for_login(app, user_id, login_id)
    if found["auth_service"]:
        raise AppError("api.user.login.use_auth_service.app_error", 400,
                       {"auth_service": found["auth_service"]})
    with app.password_lock.section(app.config.emulator("SerializePasswordChecks")):
        with app.db.tx() as cur:
            user = store.get_user(cur, found["id"])
        if user is None:
            raise AppError("app.user.missing_account.const", 400)
        _check_password_and_all_criteria(app, user, password, mfa_token)
    return user


def _check_password_and_all_criteria(app, user, password, mfa_token):
    """Preflight, password (+ migration), MFA, failed attempts, postflight."""
    # preflight: not deactivated, not a bot, not locked (all before the password)
    if user["delete_at"] > 0:
        raise AppError("api.user.login.inactive.app_error", 401)
    if user["is_bot"]:
        raise AppError("api.user.login.bot_login_forbidden.app_error", 401)
    if user["failed_attempts"] >= app.config.service("MaximumLoginAttempts"):
        raise AppError("api.user.check_user_login_attempts.too_many.app_error", 401)
    ok = app.verify_password(user["password"], password)
    with app.db.tx() as cur:
        if not ok:
            store.update_failed_attempts(cur, user["id"], user["failed_attempts"] + 1)
        elif app.needs_rehash(user["password"]):  # §9 migratePassword
            store.migrate_password_hash(cur, user["id"], app.hash_password(password))
    if not ok:
        app.sessions.cache.clear_user(user["id"])
        raise AppError("api.user.check_user_password.invalid.app_error", 401)
    mfa_error = _check_user_mfa(app, user, mfa_token)
    with app.db.tx() as cur:
        if mfa_error is not None:
            # an empty token is taken as a pre-flight question: not counted
            if mfa_token != "":
                store.update_failed_attempts(cur, user["id"], user["failed_attempts"] + 1)
        else:
            store.update_failed_attempts(cur, user["id"], 0)
    app.sessions.cache.clear_user(user["id"])
    if mfa_error is not None:
        raise mfa_error
    user["failed_attempts"] = 0
    # postflight
    if app.config.email("RequireEmailVerification") and not user["email_verified"]:
        raise AppError("api.user.login.not_verified.app_error", 401)


def _check_user_mfa(app, user, token):
    """app.CheckUserMfa (correction 9): nothing to check unless the user has
    MFA and EnableMultifactorAuthentication is on.  Returns an AppError or None."""
    if not user["mfa_active"] or not app.config.service("EnableMultifactorAuthentication"):
        return None
    try:
        ok, used = mfa.check(user["mfa_secret"], token, user["mfa_used_timestamps"])
    except mfa.MalformedCode:
        return AppError("mfa.validate_token.authenticate.app_error", 400,
                        detailed="malformed or missing MFA code")
    if not ok:
        return AppError("api.user.check_user_mfa.bad_code.app_error", 401)
    with app.db.tx() as cur:
        store.update_mfa_used_timestamps(cur, user["id"], used)
    return None


def _do_login(ctx, user, device_id):
    """app/login.go DoLogin (§1.1–1.3, §3.2)."""
    app = ctx.app
    ua = ctx.req.header("User-Agent")
    mobile = useragent.is_mobile(ua)
    props = {"isMobile": "true" if mobile else "false", "isSaml": "false",
             "isOAuthUser": "false", "csrf": new_id()}
    props.update(useragent.session_props(ua))
    props["is_guest"] = "true" if models.has_role(user["roles"], "system_guest") else "false"
    if device_id or mobile:
        hours = app.config.service("SessionLengthMobileInHours")
    else:
        hours = app.config.service("SessionLengthWebInHours")
    with app.db.tx() as cur:
        if device_id:
            app.sessions.revoke_for_device(cur, user["id"], device_id)
        session = app.sessions.create_login_session(cur, user, props, device_id, hours)
        store.update_last_login(cur, user["id"], session["create_at"])
    app.sessions.cache_session(session)
    ctx.resp.set_header("Token", session["token"])
    return session


def attach_session_cookies(ctx, session):
    """app/login.go AttachSessionCookies (§1.3): MMAUTHTOKEN (HttpOnly), MMUSERID,
    MMCSRF; Path = SiteURL path; Max-Age/Expires = web session length;
    Secure iff X-Forwarded-Proto: https; SameSite=None only if Secure and MMEMBED=1."""
    cfg = ctx.app.config
    secure = ctx.req.header("X-Forwarded-Proto") == "https"
    max_age = cfg.service("SessionLengthWebInHours") * 3600
    expires = now_epoch() + max_age
    path = subpath(cfg.service("SiteURL"))
    domain = cookie_domain(cfg)
    same_site = "None" if secure and ctx.req.cookie("MMEMBED") == "1" else ""
    for name, value, http_only in (("MMAUTHTOKEN", session["token"], True),
                                   ("MMUSERID", session["user_id"], False),
                                   ("MMCSRF", session["props"].get("csrf", ""), False)):
        ctx.resp.add_header("Set-Cookie", serialize_cookie(
            name, value, path=path, domain=domain, expires=expires, max_age=max_age,
            http_only=http_only, secure=secure, same_site=same_site))


def login(ctx):
    app = ctx.app
    props = map_from_json(ctx.req.body)
    try:
        user = _authenticate_for_login(app, props.get("id", ""), props.get("login_id", ""),
                                       props.get("password", ""), props.get("token", ""))
        if models.has_role(user["roles"], "system_guest"):  # correction 4: masked below
            if not app.config.emulator("Licensed"):
                raise AppError("api.user.login.guest_accounts.license.error", 401)
            if not app.config.get("GuestAccountsSettings", "Enable"):
                raise AppError("api.user.login.guest_accounts.disabled.error", 401)
        session = _do_login(ctx, user, props.get("device_id", ""))
    except AppError as err:
        app.counters.incr("logins_failed")
        raise _mask_login_error(app, err)
    if ctx.req.header("X-Requested-With") == "XMLHttpRequest":
        attach_session_cookies(ctx, session)
    app.counters.incr("logins_ok")
    return 200, models.user_json(models.sanitize(user))


def logout(ctx):
    """POST /users/logout: revokes the current session, removes the cookie."""
    if ctx.session:
        ctx.app.sessions.revoke_session(ctx.session["id"])
    ctx.app.remove_session_cookie(ctx)
    return 200, {"status": "OK"}


# ---------------------------------------------------------------------------
# §5.1 POST /users

def _sanitize_input(u, is_admin):
    """model.User.SanitizeInput."""
    if not is_admin:
        u["auth_data"] = ""
        u["auth_service"] = ""
        u["email_verified"] = False
    for key in ("last_password_update", "last_picture_update", "failed_attempts",
                "delete_at", "create_at", "update_at", "last_login"):
        u[key] = 0
    u["mfa_active"] = False
    u["mfa_secret"] = ""
    u["remote_id"] = ""
    u["email"] = (u["email"] or "").strip()


def _is_valid_user(u):
    """model.User.IsValid after PreSave (§5.1), in Go's order."""
    def bad(field):
        return AppError("model.user.is_valid.%s.app_error" % field, 400)
    if not validation.is_valid_username(u["username"]):
        return bad("username")
    email = u["email"]
    if len(email) > validation.EMAIL_MAX or email == "" or not validation.is_valid_email(email):
        return bad("email")
    if len(u["nickname"]) > 64:
        return bad("nickname")
    if len(u["position"]) > 128:
        return bad("position")
    if len(u["first_name"]) > 64:
        return bad("first_name")
    if len(u["last_name"]) > 64:
        return bad("last_name")
    if u["auth_data"] and len(u["auth_data"]) > 128:
        return bad("auth_data")
    if u["auth_data"] and not u["auth_service"]:
        return bad("auth_data_type")
    if u["password"] and u["auth_data"]:
        return bad("auth_data_pwd")
    return None


def create_user_record(app, u, hashed_password=None, enforce_limit=True, check_policy=True):
    """createUserOrGuest → users.CreateUser → SqlUserStore.Save (§5.1), in
    Go's order: user limit, domain, password policy, body id, PreSave, IsValid,
    unique constraints.  `u` holds decoded/sanitised body fields.  The control
    API's seeding skips the user limit and the password policy."""
    limit = app.config.get("EmulatorSettings", "MaxActiveUsers") if enforce_limit else 0
    with app.db.tx() as cur:
        if limit > 0 and store.count_active_non_bot_users(cur) >= limit:
            raise AppError("api.user.create_user.user_limits.exceeded", 400)
        first_user = store.count_users(cur) == 0
    roles = "system_admin system_user" if first_user else "system_user"
    if not u["auth_service"] and not validation.email_domain_allowed(
            validation.normalize_email(u["email"]), app.config.team("RestrictCreationToDomains")):
        raise AppError("api.user.create_user.accepted_domain.app_error", 400)
    locale = u["locale"] if u["locale"] in SUPPORTED_LOCALES else "en"
    if not u["auth_service"] and hashed_password is None and check_policy:
        settings = app.config.snapshot()["PasswordSettings"]
        err_id = policy_error_id(u["password"], settings)
        if err_id:
            raise AppError(err_id, 400, {"min": settings["MinimumLength"]})
    if u["id"]:
        raise AppError("app.user.save.existing.app_error", 400)
    # PreSave
    now = now_ms()
    username = u["username"] or "a" + new_id()
    username = validation.sanitize_unicode(username).lower()
    record = {
        "id": new_id(), "create_at": now, "update_at": now, "delete_at": u.get("delete_at", 0) or 0,
        "username": username, "password": "", "auth_data": u["auth_data"] or None,
        "auth_service": u["auth_service"] or "",
        "email": validation.normalize_email(validation.sanitize_unicode(u["email"])),
        "email_verified": bool(u["email_verified"]), "nickname": u["nickname"] or "",
        "first_name": u["first_name"] or "", "last_name": u["last_name"] or "",
        "position": u["position"] or "", "roles": u.get("force_roles") or roles,
        "allow_marketing": bool(u["allow_marketing"]), "props": u["props"] or {},
        "notify_props": u["notify_props"] or dict(models.DEFAULT_NOTIFY_PROPS),
        "last_password_update": now, "last_picture_update": 0,
        "failed_attempts": u.get("failed_attempts", 0) or 0, "locale": locale,
        "timezone": u["timezone"] or dict(models.DEFAULT_TIMEZONE),
        "remote_id": u.get("remote_id") or "",   # cleared by SanitizeInput; seeding sets it
        "mfa_active": bool(u.get("mfa_active")), "mfa_secret": u.get("mfa_secret") or "",
    }
    err = _is_valid_user(dict(record, password=u["password"] or hashed_password or ""))
    if err:
        raise err
    if hashed_password is not None:
        record["password"] = hashed_password
    elif u["password"]:
        record["password"] = app.hash_password(u["password"])
    try:
        with app.db.tx() as cur:
            store.insert_user(cur, record)
            if u.get("is_bot"):
                store.insert_bot(cur, record["id"], u.get("bot_description") or "", record["id"])
            user = store.get_user(cur, record["id"])
    except psycopg2.IntegrityError as exc:
        constraint = unique_violation_constraint(exc) or ""
        if "email" in constraint:
            raise AppError("app.user.save.email_exists.app_error", 400) from None
        if "username" in constraint:
            raise AppError("app.user.save.username_exists.app_error", 400) from None
        raise AppError("app.user.save.existing.app_error", 400) from None
    except psycopg2.DataError:
        raise AppError("app.user.save.app_error", 500) from None
    app.counters.incr("users_created")
    return user


def create_user(ctx):
    app = ctx.app
    try:
        u = decode_struct(ctx.req.body, USER_FIELDS)
    except BodyError as exc:
        raise invalid_body_param("user", str(exc))
    is_admin = ctx.is_admin
    _sanitize_input(u, is_admin)
    if not is_admin:
        # CreateUserFromSignup: sign-up switches, open server, never pre-verified
        if not app.config.email("EnableSignUpWithEmail") or not app.config.team("EnableUserCreation"):
            raise AppError("api.user.create_user.signup_email_disabled.app_error", 501)
        with app.db.tx() as cur:
            first = store.count_users(cur) == 0
        if not first and not app.config.team("EnableOpenServer"):
            raise AppError("api.user.create_user.no_open_server", 403)
        u["email_verified"] = False
    user = create_user_record(app, u)
    # Welcome / verification email (§5.1 side effects)
    if not u["disable_welcome_email"] and (app.config.email("SendEmailNotifications")
                                           or app.config.email("RequireEmailVerification")):
        app.send_email("welcome", user["email"])
    out = models.sanitize(user)
    if u["disable_welcome_email"]:
        out["disable_welcome_email"] = True
    return 201, models.user_json(out)


# ---------------------------------------------------------------------------
# §5.2 lookups

def _privacy(app):
    return app.config.snapshot()["PrivacySettings"]


def _etag(app, user):
    """model.Etag(CurrentVersion, id, update_at, ShowFullName, ShowEmailAddress)."""
    privacy = _privacy(app)
    version = versions.version_string(app.config.version())
    return "%s.%s.%s.%s.%s" % (version, user["id"], user["update_at"],
                                str(privacy["ShowFullName"]).lower(),
                                str(privacy["ShowEmailAddress"]).lower())


def _user_response(ctx, user, as_self_allowed=True):
    etag = _etag(ctx.app, user)
    if ctx.req.header("If-None-Match") == etag:
        ctx.resp.set_header("ETag", etag)
        return 304, None
    ctx.resp.set_header("ETag", etag)
    if as_self_allowed and user["id"] == ctx.session_user_id:
        return 200, models.user_json(models.sanitize(user))
    return 200, models.user_json(models.sanitize_profile(user, ctx.is_admin, _privacy(ctx.app)))


def get_user(ctx):
    user_id = ctx.require_user_id()
    with ctx.app.db.tx() as cur:
        user = store.get_user(cur, user_id)
    if user is None:
        raise missing_account()
    return _user_response(ctx, user)


def get_user_by_email(ctx):
    email = ctx.params["email"].lower()  # web/context.go SanitizeEmail
    if not validation.is_valid_email(email):
        raise invalid_url_param("email")
    if not ctx.is_admin and not _privacy(ctx.app)["ShowEmailAddress"]:
        raise AppError("api.user.get_user_by_email.permissions.app_error", 403)
    with ctx.app.db.tx() as cur:
        user = store.get_user_by_email(cur, email)
    if user is None:
        raise missing_account()
    return _user_response(ctx, user, as_self_allowed=False)


def get_user_by_username(ctx):
    username = ctx.params["username"]
    if not validation.is_valid_username(username):  # RequireUsername: before the lookup
        raise invalid_body_param("username")
    with ctx.app.db.tx() as cur:
        user = store.get_user_by_username(cur, username)
    if user is None:
        raise AppError("app.user.get_by_username.app_error", 404)
    return _user_response(ctx, user)


# ---------------------------------------------------------------------------
# PUT /users/{user_id}/patch (api4/user.go patchUser → app.PatchUser → UpdateUser)

# model.UserPatch fields the emulator applies (password only authorises a
# user's change of their own email).
PATCH_FIELDS = {"username": "str", "password": "str", "nickname": "str", "first_name": "str",
                "last_name": "str", "position": "str", "email": "str"}
OAUTH_SERVICES = {"gitlab", "google", "office365", "openid"}


def _double_check_password(app, user, password):
    """app.DoubleCheckPassword: lockout, then the password with failed-attempt counting."""
    if user["failed_attempts"] >= app.config.service("MaximumLoginAttempts"):
        raise AppError("api.user.check_user_login_attempts.too_many.app_error", 401)
    ok = app.verify_password(user["password"], password)
    with app.db.tx() as cur:
        store.update_failed_attempts(cur, user["id"], 0 if ok else user["failed_attempts"] + 1)
    if not ok:
        raise AppError("api.user.check_user_password.invalid.app_error", 401)


def patch_user(ctx):
    """Self or edit_other_users (system admins).  A user changing their own
    email must send their password.  UpdateUser: domain restriction, PreUpdate
    (lower-cased username and email), IsValid, unique email/username.  A new
    email resets email_verified; with RequireEmailVerification the address is
    not changed at all until verified (a verification email goes to the new
    one), otherwise the old address is told.  OAuth users keep their email.
    Answers 200 with the updated user (Sanitize)."""
    app = ctx.app
    user_id = ctx.require_user_id()
    try:
        patch = decode_patch(ctx.req.body, PATCH_FIELDS)
    except BodyError as exc:
        raise invalid_body_param("user", str(exc))
    is_self = user_id == ctx.session_user_id
    if not is_self and not ctx.is_admin:
        raise ctx.permission_error("edit_other_users")
    with app.db.tx() as cur:
        old = store.get_user(cur, user_id)
    if old is None:
        raise invalid_body_param("user_id")
    new = dict(old)
    for name in ("username", "nickname", "first_name", "last_name", "position", "email"):
        if name in patch:
            new[name] = patch[name]
    # PreUpdate
    new["username"] = validation.sanitize_unicode(new["username"]).lower()
    new["email"] = validation.normalize_email(validation.sanitize_unicode(new["email"]))
    email_changed = new["email"] != old["email"]
    if email_changed and is_self:
        if "password" not in patch:
            raise invalid_body_param("password")
        _double_check_password(app, old, patch["password"])
    if (email_changed and not models.has_role(old["roles"], "system_guest")
            and old["auth_service"] not in ("ldap", "saml")
            and not validation.email_domain_allowed(new["email"],
                                                    app.config.team("RestrictCreationToDomains"))):
        raise AppError("api.user.update_user.accepted_domain.app_error", 400)
    verify_first = email_changed and app.config.email("RequireEmailVerification") and not old["is_bot"]
    err = _is_valid_user(dict(new, password="", auth_data=new["auth_data"] or ""))
    if err:
        raise err
    requested_email = new["email"]
    if old["auth_service"] in OAUTH_SERVICES or verify_first:
        new["email"] = old["email"]
    if new["email"] != old["email"]:
        new["email_verified"] = False
    try:
        with app.db.tx() as cur:
            if verify_first and store.get_user_by_email(cur, requested_email) is not None:
                raise AppError("app.user.save.email_exists.app_error", 400)
            store.update_user_profile(cur, new)
            user = store.get_user(cur, user_id)
    except psycopg2.IntegrityError as exc:
        constraint = unique_violation_constraint(exc) or ""
        if "email" in constraint:
            raise AppError("app.user.save.email_exists.app_error", 400) from None
        raise AppError("app.user.save.username_exists.app_error", 400) from None
    app.counters.incr("users_patched")
    app.sessions.cache.clear_user(user_id)
    if verify_first:
        app.send_email("verify_email", requested_email)
    elif user["email"] != old["email"]:
        app.send_email("email_changed", old["email"])
    if user["username"] != old["username"]:
        app.send_email("username_changed", user["email"])
    return 200, models.user_json(models.sanitize(user))


# ---------------------------------------------------------------------------
# §4.3 PUT /users/{user_id}/password

def _can_manage(ctx, target):
    """sysconsole_write_user_management_users (or manage_system for a system
    admin target): both only held by system admins in the default scheme."""
    return ctx.is_admin


def _set_password(ctx, user, new_password, send_email):
    """app.UpdatePassword (+ email): policy, hash, SQL side effects, optional
    session termination (all but the caller's own session)."""
    app = ctx.app
    settings = app.config.snapshot()["PasswordSettings"]
    err_id = policy_error_id(new_password, settings)
    if err_id:
        raise AppError(err_id, 400, {"min": settings["MinimumLength"]})
    hashed = app.hash_password(new_password)
    with app.db.tx() as cur:
        store.update_password(cur, user["id"], hashed)
    app.counters.incr("passwords_set")
    if app.config.service("TerminateSessionsOnPasswordChange"):
        app.sessions.revoke_all_for_user(user["id"], except_session_id=ctx.session["id"])
    else:
        app.sessions.cache.clear_user(user["id"])
    if send_email:
        app.send_email("password_changed", user["email"])


def update_password(ctx):
    app = ctx.app
    user_id = ctx.require_user_id()
    props = map_from_json(ctx.req.body)
    new_password = props.get("new_password", "")
    with app.db.tx() as cur:
        target = store.get_user(cur, user_id)
    can_update = target is not None and _can_manage(ctx, target)
    is_self = user_id == ctx.session_user_id

    if props.get("already_hashed") == "true":
        if can_update:
            # UpdateHashedPasswordByUserId: stored verbatim; no policy, no email,
            # no session termination; same SQL side effects.
            try:
                with app.db.tx() as cur:
                    store.update_password(cur, user_id, new_password)
            except psycopg2.DataError:
                raise AppError("api.user.update_password.failed.app_error", 500) from None
            app.counters.incr("passwords_set")
            app.sessions.cache.clear_user(user_id)
            return 200, {"status": "OK"}
        if is_self:
            raise AppError("api.user.update_password.user_and_hashed.app_error", 401)
        raise AppError("api.user.update_password.context.app_error", 403)

    if is_self:
        current = props.get("current_password", "")
        if current == "":
            raise invalid_body_param("current_password")
        if target is None:
            raise missing_account()
        if target["auth_data"]:
            raise AppError("api.user.update_password.oauth.app_error", 400)
        # DoubleCheckPassword: lockout counting as for logins
        if target["failed_attempts"] >= app.config.service("MaximumLoginAttempts"):
            raise AppError("api.user.check_user_login_attempts.too_many.app_error", 401)
        ok = app.verify_password(target["password"], current)
        with app.db.tx() as cur:
            store.update_failed_attempts(cur, user_id, 0 if ok else target["failed_attempts"] + 1)
        if not ok:
            raise AppError("api.user.update_password.incorrect.app_error", 400)
        _set_password(ctx, target, new_password, send_email=True)
        return 200, {"status": "OK"}
    if can_update:
        _set_password(ctx, target, new_password, send_email=True)
        return 200, {"status": "OK"}
    raise AppError("api.user.update_password.context.app_error", 403)


# ---------------------------------------------------------------------------
# §4.4 PUT /users/{user_id}/active

def update_active(ctx):
    app = ctx.app
    user_id = ctx.require_user_id()
    props = string_interface_from_json(ctx.req.body)
    active = props.get("active")
    if not isinstance(active, bool):
        raise invalid_body_param("active")
    self_deactivate = not active and user_id == ctx.session_user_id
    if not self_deactivate and not ctx.is_admin:
        raise AppError("api.user.update_active.permissions.app_error", 403)
    if self_deactivate and not app.config.team("EnableUserDeactivation"):
        raise AppError("api.user.update_active.not_enable.app_error", 401)
    with app.db.tx() as cur:
        user = store.get_user(cur, user_id)
    if user is None:
        raise missing_account()
    if user["auth_service"] == "ldap":
        raise AppError("api.user.update_active.cannot_enable_sso_user.app_error", 403)
    if active:
        if user["delete_at"] > 0:
            limit = app.config.get("EmulatorSettings", "MaxActiveUsers")
            with app.db.tx() as cur:
                if (limit > 0 and not user["is_bot"]
                        and store.count_active_non_bot_users(cur) >= limit):
                    raise AppError("app.user.update_active.user_limit.exceeded", 400)
                store.set_delete_at(cur, user_id, 0)
        app.sessions.cache.clear_user(user_id)
    else:
        with app.db.tx() as cur:
            store.set_delete_at(cur, user_id, now_ms())
        app.sessions.revoke_all_for_user(user_id)
    return 200, {"status": "OK"}


# ---------------------------------------------------------------------------
# §4.1 sessions

def _require_self_or_admin(ctx, user_id):
    if user_id != ctx.session_user_id and not ctx.is_admin:
        raise ctx.permission_error("edit_other_users")


def get_sessions(ctx):
    user_id = ctx.require_user_id()
    _require_self_or_admin(ctx, user_id)
    return 200, [models.session_json(s) for s in ctx.app.sessions.sessions_for_user(user_id)]


def revoke_session(ctx):
    user_id = ctx.require_user_id()
    props = map_from_json(ctx.req.body)
    session_id = props.get("session_id", "")
    if not session_id:
        raise invalid_body_param("session_id")
    _require_self_or_admin(ctx, user_id)
    session = ctx.app.sessions.get_session_by_id(session_id)
    if session is None:
        raise AppError("app.session.get.app_error", 400)
    if session["user_id"] != user_id:
        raise invalid_url_param("user_id")
    ctx.app.sessions.revoke_session(session_id)
    return 200, {"status": "OK"}


def revoke_all_sessions(ctx):
    user_id = ctx.require_user_id()
    _require_self_or_admin(ctx, user_id)
    ctx.app.sessions.revoke_all_for_user(user_id)
    return 200, {"status": "OK"}


# ---------------------------------------------------------------------------
# §4.2 POST /users/{user_id}/tokens

def create_access_token(ctx):
    app = ctx.app
    user_id = ctx.require_user_id()
    if ctx.session.get("is_oauth"):
        raise ctx.permission_error("create_user_access_token")
    try:
        body = decode_struct(ctx.req.body, {"description": "str"})
    except BodyError as exc:
        raise invalid_body_param("user_access_token", str(exc))
    if not body["description"]:
        raise invalid_body_param("description")
    if not ctx.is_admin:
        raise ctx.permission_error("create_user_access_token")
    with app.db.tx() as cur:
        user = store.get_user(cur, user_id)
    if user is None:
        raise missing_account()
    if not app.config.service("EnableUserAccessTokens") and not user["is_bot"]:
        raise AppError("app.user_access_token.disabled", 501)
    if len(body["description"]) > 255:
        raise AppError("model.user_access_token.is_valid.description.app_error", 400)
    with app.db.tx() as cur:
        row = store.insert_access_token(cur, user_id, new_id(), body["description"])
    if not user["is_bot"]:
        app.send_email("access_token_added", user["email"])
    return 200, {"id": row["id"], "token": row["token"], "user_id": row["userid"],
                 "description": row["description"], "is_active": True}


# Used by the control API ------------------------------------------------------

def seed_user(app, spec):
    """POST /__emu/seed/user: create a user directly (no permission checks)."""
    u = {name: None for name in USER_FIELDS}
    u.update({"id": "", "username": spec.get("username") or "", "password": spec.get("password") or "",
              "auth_data": spec.get("auth_data") or "", "auth_service": spec.get("auth_service") or "",
              "email": spec.get("email") or "", "email_verified": bool(spec.get("email_verified", True)),
              "nickname": spec.get("nickname") or "", "first_name": spec.get("first_name") or "",
              "last_name": spec.get("last_name") or "", "position": spec.get("position") or "",
              "allow_marketing": False, "props": spec.get("props") or {}, "notify_props": None,
              "locale": spec.get("locale") or "en", "timezone": None,
              "delete_at": int(spec.get("delete_at") or 0),
              "failed_attempts": int(spec.get("failed_attempts") or 0),
              "is_bot": bool(spec.get("is_bot")), "bot_description": spec.get("bot_description") or "",
              "remote_id": spec.get("remote_id") or "",
              "mfa_active": bool(spec.get("mfa_active")),
              "mfa_secret": spec.get("mfa_secret") or (mfa.new_secret() if spec.get("mfa_active") else ""),
              "force_roles": spec.get("roles") or "system_user"})
    hashed = spec.get("password_hash")
    if hashed is None and not u["password"] and not u["auth_service"]:
        hashed = ""  # a user without a password (e.g. a bot)
    if hashed is not None:
        u["password"] = ""
    return create_user_record(app, u, hashed_password=hashed, enforce_limit=False,
                              check_policy=False)

