"""Rows -> Mattermost JSON objects (field names, order and omitempty rules of
the Go structs in server/public/model), and user sanitising (§1.2, §5.2)."""

DEFAULT_NOTIFY_PROPS = {
    "channel": "true", "comments": "never", "desktop": "mention", "desktop_sound": "true",
    "desktop_threads": "all", "email": "true", "email_threads": "all", "first_name": "false",
    "mention_keys": "", "push": "mention", "push_status": "online", "push_threads": "all",
}
DEFAULT_TIMEZONE = {"automaticTimezone": "", "manualTimezone": "", "useAutomaticTimezone": "true"}
DEFAULT_CHANNEL_NOTIFY_PROPS = {"desktop": "default", "email": "default", "ignore_channel_mentions": "default",
                                "mark_unread": "all", "push": "default"}

# model.User json tags in struct order: (tag, omitempty)
_USER_FIELDS = [
    ("id", False), ("create_at", True), ("update_at", True), ("delete_at", False),
    ("username", False), ("password", True), ("auth_data", True), ("auth_service", False),
    ("email", False), ("email_verified", True), ("nickname", False), ("first_name", False),
    ("last_name", False), ("position", False), ("roles", False), ("allow_marketing", True),
    ("props", True), ("notify_props", True), ("last_password_update", True),
    ("last_picture_update", True), ("failed_attempts", True), ("locale", False),
    ("timezone", False), ("mfa_active", True), ("mfa_secret", True), ("remote_id", True),
    ("is_bot", True), ("bot_description", True), ("bot_last_icon_update", True),
    ("disable_welcome_email", True), ("last_login", True),
]


def _empty(v):
    """Go's omitempty: false, 0, "", nil, empty map/slice."""
    if v is None or v is False:
        return True
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return v == 0
    if isinstance(v, (str, dict, list)):
        return len(v) == 0
    return False


def user_from_row(row):
    """Internal user dict (json tag names) from a users LEFT JOIN bots row."""
    return {
        "id": row["id"],
        "create_at": row["createat"] or 0,
        "update_at": row["updateat"] or 0,
        "delete_at": row["deleteat"] or 0,
        "username": row["username"] or "",
        "password": row["password"] or "",
        # AuthData is a *string in Go: NULL -> nil pointer
        "auth_data": row["authdata"],
        "auth_service": row["authservice"] or "",
        "email": row["email"] or "",
        "email_verified": bool(row["emailverified"]),
        "nickname": row["nickname"] or "",
        "first_name": row["firstname"] or "",
        "last_name": row["lastname"] or "",
        "position": row["position"] or "",
        "roles": row["roles"] or "",
        "allow_marketing": bool(row["allowmarketing"]),
        "props": row["props"] or {},
        "notify_props": row["notifyprops"] or {},
        "last_password_update": row["lastpasswordupdate"] or 0,
        "last_picture_update": row["lastpictureupdate"] or 0,
        "failed_attempts": row["failedattempts"] or 0,
        "locale": row["locale"] or "",
        "timezone": row["timezone"] or {},
        "mfa_active": bool(row["mfaactive"]),
        "mfa_secret": row["mfasecret"] or "",
        "mfa_used_timestamps": row["mfausedtimestamps"] or [],
        "remote_id": row["remoteid"] or "",
        "is_bot": bool(row.get("isbot")),
        "bot_description": row.get("botdescription") or "",
        "bot_last_icon_update": row.get("botlasticonupdate") or 0,
        "last_login": row["lastlogin"] or 0,
    }


def has_role(roles: str, role: str) -> bool:
    return role in (roles or "").split()


def sanitize(user, options=None):
    """model.User.Sanitize(options): never password/mfa_secret/last_login;
    auth_data becomes "" (a pointer to an empty string is still serialised)."""
    u = dict(user)
    u["password"] = ""
    u["auth_data"] = ""
    u["mfa_secret"] = ""
    u["last_login"] = 0
    if options:
        if not options.get("email"):
            u["email"] = ""
        if not options.get("fullname"):
            u["first_name"] = ""
            u["last_name"] = ""
        if not options.get("passwordupdate"):
            u["last_password_update"] = 0
        if not options.get("authservice"):
            u["auth_service"] = ""
    return u


def sanitize_profile(user, as_admin, privacy):
    """app.SanitizeProfile (§5.2): non-profile fields cleared; admins keep email,
    auth_service, failed_attempts and notify_props; others see email/full name
    per PrivacySettings."""
    u = dict(user)
    u["email_verified"] = False
    u["allow_marketing"] = False
    u["last_password_update"] = 0
    if not as_admin:
        u["failed_attempts"] = 0
        u["notify_props"] = {}
    options = {"email": privacy["ShowEmailAddress"], "fullname": privacy["ShowFullName"],
               "authservice": False, "passwordupdate": False}
    if as_admin:
        options.update(email=True, fullname=True, authservice=True)
    return sanitize(u, options)


def user_json(user):
    out = {}
    for tag, omitempty in _USER_FIELDS:
        if tag not in user:
            continue
        value = user[tag]
        if tag == "auth_data":
            if value is None:
                continue  # nil pointer is omitted
            out[tag] = value
            continue
        if omitempty and _empty(value):
            continue
        out[tag] = value
    return out


def team_from_row(row):
    return {
        "id": row["id"], "create_at": row["createat"] or 0, "update_at": row["updateat"] or 0,
        "delete_at": row["deleteat"] or 0, "display_name": row["displayname"] or "",
        "name": row["name"] or "", "description": row["description"] or "",
        "email": row["email"] or "", "type": row["type"] or "",
        "company_name": row["companyname"] or "", "allowed_domains": row["alloweddomains"] or "",
        "invite_id": row["inviteid"] or "", "allow_open_invite": bool(row["allowopeninvite"]),
        "last_team_icon_update": row["lastteamiconupdate"] or 0,
        "scheme_id": row["schemeid"] or "", "group_constrained": bool(row["groupconstrained"]),
        "policy_id": None, "cloud_limits_archived": bool(row["cloudlimitsarchived"]),
    }


def team_json(team, sanitized):
    t = dict(team)
    if sanitized:  # model.Team.Sanitize
        t["email"] = ""
        t["invite_id"] = ""
    if not t["last_team_icon_update"]:
        del t["last_team_icon_update"]
    return t


def _scheme_roles(explicit, guest, user, admin, prefix):
    roles = [r for r in (explicit or "").split() if r]
    if guest:
        roles.append(prefix + "_guest")
    if user:
        roles.append(prefix + "_user")
    if admin:
        roles.append(prefix + "_admin")
    return " ".join(roles)


def team_member_json(row):
    """model.TeamMember: roles = explicit roles + scheme roles."""
    return {
        "team_id": row["teamid"], "user_id": row["userid"],
        "roles": _scheme_roles(row["roles"], row["schemeguest"], row["schemeuser"],
                               row["schemeadmin"], "team"),
        "delete_at": row["deleteat"] or 0,
        "scheme_guest": bool(row["schemeguest"]), "scheme_user": bool(row["schemeuser"]),
        "scheme_admin": bool(row["schemeadmin"]), "explicit_roles": row["roles"] or "",
        "create_at": row["createat"] or 0,
    }


def channel_json(row):
    return {
        "id": row["id"], "create_at": row["createat"] or 0, "update_at": row["updateat"] or 0,
        "delete_at": row["deleteat"] or 0, "team_id": row["teamid"] or "", "type": row["type"] or "",
        "display_name": row["displayname"] or "", "name": row["name"] or "",
        "header": row["header"] or "", "purpose": row["purpose"] or "",
        "last_post_at": row["lastpostat"] or 0, "total_msg_count": row["totalmsgcount"] or 0,
        "extra_update_at": row["extraupdateat"] or 0, "creator_id": row["creatorid"] or "",
        "scheme_id": None, "group_constrained": None, "shared": None,
        "total_msg_count_root": row["totalmsgcountroot"] or 0, "policy_id": None,
        "last_root_post_at": row["lastrootpostat"] or 0,
    }


def channel_member_json(row):
    return {
        "channel_id": row["channelid"], "user_id": row["userid"],
        "roles": _scheme_roles(row["roles"], row["schemeguest"], row["schemeuser"],
                               row["schemeadmin"], "channel"),
        "last_viewed_at": row["lastviewedat"] or 0, "msg_count": row["msgcount"] or 0,
        "mention_count": row["mentioncount"] or 0, "mention_count_root": row["mentioncountroot"] or 0,
        "urgent_mention_count": row["urgentmentioncount"] or 0, "msg_count_root": row["msgcountroot"] or 0,
        "notify_props": row["notifyprops"] or {}, "last_update_at": row["lastupdateat"] or 0,
        "scheme_guest": bool(row["schemeguest"]), "scheme_user": bool(row["schemeuser"]),
        "scheme_admin": bool(row["schemeadmin"]), "explicit_roles": row["roles"] or "",
    }


def post_json(row):
    return {
        "id": row["id"], "create_at": row["createat"], "update_at": row["updateat"],
        "edit_at": row["editat"] or 0, "delete_at": row["deleteat"] or 0,
        "is_pinned": bool(row["ispinned"]), "user_id": row["userid"], "channel_id": row["channelid"],
        "root_id": row["rootid"] or "", "original_id": row["originalid"] or "",
        "message": row["message"] or "", "type": row["type"] or "", "props": row["props"] or {},
        "hashtags": row["hashtags"] or "", "pending_post_id": "", "reply_count": 0,
        "last_reply_at": 0, "participants": None, "metadata": {},
    }


def session_json(s, sanitize_token=True):
    """model.Session (§4.1: Sanitize blanks only the token)."""
    out = {
        "id": s["id"], "token": "" if sanitize_token else s["token"],
        "create_at": s["create_at"], "expires_at": s["expires_at"],
        "last_activity_at": s["last_activity_at"], "user_id": s["user_id"],
        "device_id": s["device_id"], "roles": s["roles"], "is_oauth": s["is_oauth"],
        "expired_notify": s["expired_notify"], "props": s["props"], "local": False,
    }
    if s.get("team_members"):
        out["team_members"] = s["team_members"]
    return out
