"""/api/v4/teams…: §6 (team lookup, creation, soft deletion, idempotent
membership with MaxUsersPerTeam, default channels) and GET /users/{user_id}/teams."""
import psycopg2
import psycopg2.errors

from .. import models, perms, store, validation
from ..errors import AppError, invalid_body_param, invalid_url_param, missing_account
from ..ids import is_valid_id, new_id, now_ms
from ..jsonbody import BodyError, decode_struct

TEAM_FIELDS = {
    "id": "str", "create_at": "int", "update_at": "int", "delete_at": "int",
    "display_name": "str", "name": "str", "description": "str", "email": "str", "type": "str",
    "company_name": "str", "allowed_domains": "str", "invite_id": "str",
    "allow_open_invite": "bool", "scheme_id": "str", "group_constrained": "bool",
    "policy_id": "str", "last_team_icon_update": "int", "cloud_limits_archived": "bool",
}
TEAM_MEMBER_FIELDS = {
    "team_id": "str", "user_id": "str", "roles": "str", "delete_at": "int",
    "scheme_user": "bool", "scheme_admin": "bool", "scheme_guest": "bool",
    "explicit_roles": "str", "create_at": "int",
}
DEFAULT_DISPLAY_NAMES = {"town-square": "Town Square", "off-topic": "Off-Topic"}


def register(router):
    r = router
    r.add("POST", "/api/v4/teams", session_required=True)(create_team)
    r.add("GET", "/api/v4/teams/name/{team_name}", session_required=True)(get_team_by_name)
    r.add("GET", "/api/v4/teams/{team_id}", session_required=True)(get_team)
    r.add("DELETE", "/api/v4/teams/{team_id}", session_required=True)(delete_team)
    r.add("POST", "/api/v4/teams/{team_id}/members", session_required=True)(add_team_member)
    r.add("GET", "/api/v4/teams/{team_id}/members/{user_id}", session_required=True)(get_team_member)
    r.add("GET", "/api/v4/users/me/teams", session_required=True)(get_teams_for_user)
    r.add("GET", "/api/v4/users/{user_id}/teams", session_required=True)(get_teams_for_user)


# ---------------------------------------------------------------------------
# Services shared with the control API

def default_channel_names(app):
    """app/channel.go DefaultChannelNames (§6): town-square first, then
    ExperimentalDefaultChannels (deduplicated) or off-topic."""
    extra = app.config.team("ExperimentalDefaultChannels") or ["off-topic"]
    names = ["town-square"]
    for name in extra:
        if name not in names:
            names.append(name)
    return names


def create_default_channels(app, cur, team_id, creator_id):
    for name in default_channel_names(app):
        if not validation.is_valid_channel_name(name):
            continue  # e.g. "[drift] alt": Mattermost could not create it either
        if store.get_channel_by_name(cur, team_id, name) is None:
            store.insert_channel(cur, team_id, name, DEFAULT_DISPLAY_NAMES.get(name, name), "O",
                                 creator_id)


def _team_validation_error(t):
    """model.Team.IsValid order (§6)."""
    def bad(field):
        return AppError("model.team.is_valid.%s.app_error" % field, 400)
    if len(t["email"]) > 128 or (t["email"] and not validation.is_valid_email(t["email"])):
        return bad("email")
    if not 0 < len(t["display_name"]) <= 64:
        return bad("display_name")
    if len(t["name"]) > 64:
        return bad("name")
    if len(t["description"]) > 255:
        return bad("description")
    if validation.is_reserved_team_name(t["name"]):
        return bad("reserved")
    if not validation.is_valid_team_name(t["name"]):
        return bad("characters")
    if t["type"] not in ("O", "I"):
        return bad("type")
    if len(t["company_name"]) > 64:
        return bad("company_name")
    if len(t["allowed_domains"]) > 1000:
        return bad("allowed_domains")
    return None


def create_team_record(app, t, creator=None):
    """app.CreateTeam(+WithUser): validate, save, default channels, join creator."""
    now = now_ms()
    team = {
        "id": new_id(), "create_at": now, "update_at": now,
        "display_name": validation.sanitize_unicode(t.get("display_name") or ""),
        "name": validation.sanitize_unicode(t.get("name") or ""),
        "description": t.get("description") or "", "email": (t.get("email") or "").lower(),
        "type": t.get("type") or "", "company_name": t.get("company_name") or "",
        "allowed_domains": t.get("allowed_domains") or "", "invite_id": new_id(),
        "allow_open_invite": bool(t.get("allow_open_invite")),
    }
    err = _team_validation_error(team)
    if err:
        raise err
    try:
        with app.db.tx() as cur:
            store.insert_team(cur, team)
            create_default_channels(app, cur, team["id"], creator["id"] if creator else "")
    except psycopg2.IntegrityError:
        raise AppError("store.sql_team.save_team.existing.app_error", 400) from None
    with app.db.tx() as cur:
        saved = store.get_team(cur, team["id"])
    if creator is not None:
        join_user_to_team(app, saved, creator)
    return saved


def _allowed_domain(team, user):
    domains = [d.strip().lstrip("@").lower()
               for d in team["allowed_domains"].replace(",", " ").split() if d.strip()]
    if not domains or user["is_bot"]:
        return True
    return user["email"].rsplit("@", 1)[-1] in domains


def join_user_to_team(app, team, user):
    """app.JoinUserToTeam / teams.TeamService.JoinUserToTeam (§6).
    Returns the member row.  Idempotent for active memberships (returned
    unchanged, no side effects); re-activates removed ones; new ones are limited
    by MaxUsersPerTeam.  A concurrent duplicate insert fails with the conflict
    error, as in Mattermost."""
    if not _allowed_domain(team, user):
        raise AppError("api.team.join_user_to_team.allowed_domains.app_error", 400)
    guest = models.has_role(user["roles"], "system_guest")
    scheme_admin = team["email"] != "" and team["email"] == user["email"]
    limit = app.config.team("MaxUsersPerTeam")
    try:
        with app.db.tx() as cur:
            existing = store.get_team_member(cur, team["id"], user["id"])
            if existing is not None and not existing["deleteat"]:
                return existing  # already added: nothing else happens
            if existing is None:
                if store.count_active_team_members(cur, team["id"]) >= limit:
                    raise AppError("app.team.join_user_to_team.save_member.max_accounts.app_error", 400)
                member = store.insert_team_member(cur, team["id"], user["id"], scheme_admin, guest)
            else:
                if store.count_active_team_members(cur, team["id"]) >= limit:
                    raise AppError("app.team.join_user_to_team.max_accounts.app_error", 400)
                member = store.reactivate_team_member(cur, team["id"], user["id"], scheme_admin, guest)
            # Side effects of a new / re-activated membership.
            if not guest:
                for name in default_channel_names(app):
                    channel = store.get_channel_by_name(cur, team["id"], name)
                    if channel is not None and channel["type"] == "O" and not channel["deleteat"]:
                        store.insert_channel_member(cur, channel["id"], user["id"])
            town = store.get_channel_by_name(cur, team["id"], "town-square")
            if town is not None:
                store.insert_post(cur, town["id"], user["id"], "%s joined the team." % user["username"],
                                  "system_join_team", {"username": user["username"]})
    except psycopg2.errors.UniqueViolation:
        raise AppError("app.team.join_user_to_team.save_member.conflict.app_error", 400) from None
    app.sessions.cache.clear_user(user["id"])
    app.counters.incr("members_added")
    return member


# ---------------------------------------------------------------------------
# Handlers

def _team_out(ctx, team):
    sanitized = not perms.has_team_permission(ctx.session, team["id"], "manage_team")
    return models.team_json(team, sanitized)


def create_team(ctx):
    try:
        t = decode_struct(ctx.req.body, TEAM_FIELDS)
    except BodyError as exc:
        raise invalid_body_param("team", str(exc))
    if not ctx.has_permission("create_team"):
        raise AppError("api.team.is_team_creation_allowed.disabled.app_error", 403)
    with ctx.app.db.tx() as cur:
        creator = store.get_user(cur, ctx.session_user_id)
    if creator is None:
        raise missing_account()
    t["email"] = creator["email"]  # CreateTeamWithUser: team.Email = user.Email
    team = create_team_record(ctx.app, t, creator)
    return 201, models.team_json(team, False)


def get_team_by_name(ctx):
    name = ctx.params["team_name"]
    if not validation.is_valid_team_name(name):
        raise invalid_url_param("team_name")
    with ctx.app.db.tx() as cur:
        team = store.get_team_by_name(cur, name)
    if team is None:
        raise AppError("app.team.get_by_name.missing.app_error", 404)
    if ((not team["allow_open_invite"] or team["type"] != "O")
            and not perms.has_team_permission(ctx.session, team["id"], "view_team")):
        raise ctx.permission_error("view_team")
    return 200, _team_out(ctx, team)


def get_team(ctx):
    team_id = ctx.require_id("team_id")
    with ctx.app.db.tx() as cur:
        team = store.get_team(cur, team_id)
    if team is None:
        raise AppError("app.team.get.find.app_error", 404)
    if ((not team["allow_open_invite"] or team["type"] != "O")
            and not perms.has_team_permission(ctx.session, team_id, "view_team")):
        raise ctx.permission_error("view_team")
    return 200, _team_out(ctx, team)


def delete_team(ctx):
    """deleteTeam: manage_team; soft delete (app.SoftDeleteTeam sets delete_at
    and update_at).  An archived team stays visible by name and joinable
    (correction 5).  permanent=true needs ServiceSettings.EnableAPITeamDeletion,
    which the emulator does not have (false, as by default)."""
    team_id = ctx.require_id("team_id")
    if not perms.has_team_permission(ctx.session, team_id, "manage_team"):
        raise ctx.permission_error("manage_team")
    if ctx.req.query_get("permanent") == "true":
        raise AppError("api.user.delete_team.not_enabled.app_error", 401)
    with ctx.app.db.tx() as cur:
        if store.get_team(cur, team_id) is None:
            raise AppError("app.team.get.find.app_error", 404)
        store.set_team_delete_at(cur, team_id, now_ms())
    return 200, {"status": "OK"}


def add_team_member(ctx):
    team_id = ctx.require_id("team_id")
    try:
        body = decode_struct(ctx.req.body, TEAM_MEMBER_FIELDS)
    except BodyError as exc:
        raise invalid_body_param("team_member", str(exc))
    if body["team_id"] != team_id:
        raise invalid_body_param("team_id")
    if not is_valid_id(body["user_id"]):
        raise invalid_body_param("user_id")
    app = ctx.app
    with app.db.tx() as cur:
        team = store.get_team(cur, team_id)
    if body["user_id"] == ctx.session_user_id:
        # joining oneself: join_public_teams / join_private_teams
        if team is not None:
            perm = "join_public_teams" if team["allow_open_invite"] else "join_private_teams"
            if not ctx.has_permission(perm):
                raise ctx.permission_error(perm)
    elif not perms.has_team_permission(ctx.session, team_id, "add_user_to_team"):
        raise ctx.permission_error("add_user_to_team")
    if team is None:
        raise AppError("app.team.get.find.app_error", 404)
    with app.db.tx() as cur:
        user = store.get_user(cur, body["user_id"])
    if user is None:
        raise missing_account()
    member = join_user_to_team(app, team, user)
    return 201, models.team_member_json(member)  # always 201 (§6)


def get_team_member(ctx):
    team_id = ctx.require_id("team_id")
    user_id = ctx.require_user_id()
    if not perms.has_team_permission(ctx.session, team_id, "view_team"):
        raise ctx.permission_error("view_team")
    with ctx.app.db.tx() as cur:
        member = store.get_team_member(cur, team_id, user_id)
    if member is None:
        raise AppError("app.team.get_member.missing.app_error", 404)
    return 200, models.team_member_json(member)


def get_teams_for_user(ctx):
    user_id = ctx.require_user_id()
    if user_id != ctx.session_user_id and not ctx.is_admin:
        raise ctx.permission_error("manage_system")
    with ctx.app.db.tx() as cur:
        teams = store.teams_for_user(cur, user_id)
    return 200, [_team_out(ctx, t) for t in teams]
