"""Channels and posts: what the web app needs to open a channel and post
(§7), plus channel creation / membership for operator tools."""
import psycopg2

from .. import models, perms, store, validation
from ..errors import AppError, invalid_body_param, invalid_url_param, missing_account
from ..ids import is_valid_id
from ..jsonbody import BodyError, decode_struct

CHANNEL_FIELDS = {"id": "str", "team_id": "str", "name": "str", "display_name": "str",
                  "type": "str", "purpose": "str", "header": "str", "creator_id": "str"}
POST_FIELDS = {"id": "str", "channel_id": "str", "message": "str", "root_id": "str",
               "type": "str", "props": "any", "file_ids": "strlist", "pending_post_id": "str",
               "user_id": "str", "create_at": "int"}


def register(router):
    r = router
    r.add("GET", "/api/v4/teams/name/{team_name}/channels/name/{channel_name}",
          session_required=True)(get_channel_by_team_name)
    r.add("GET", "/api/v4/teams/{team_id}/channels/name/{channel_name}",
          session_required=True)(get_channel_by_team_id)
    r.add("POST", "/api/v4/channels", session_required=True)(create_channel)
    r.add("GET", "/api/v4/channels/{channel_id}", session_required=True)(get_channel)
    r.add("POST", "/api/v4/channels/{channel_id}/members", session_required=True)(add_channel_member)
    r.add("GET", "/api/v4/channels/{channel_id}/members/{user_id}",
          session_required=True)(get_channel_member)
    r.add("POST", "/api/v4/posts", session_required=True)(create_post)


def _check_read(ctx, channel):
    """getChannelByName…: open channels need read_public_channel on the team or
    read_channel; private ones need read_channel (membership)."""
    with ctx.app.db.tx() as cur:
        member = store.get_channel_member(cur, channel["id"], ctx.session_user_id)
    channel_ok = perms.has_channel_permission(ctx.session, member, channel["teamid"], "read_channel") \
        if member is not None or ctx.is_admin else False
    if channel["type"] == "O":
        team_ok = perms.has_team_permission(ctx.session, channel["teamid"], "read_public_channel")
        if not team_ok and not channel_ok:
            raise ctx.permission_error("read_public_channel")
    elif not channel_ok:
        raise ctx.permission_error("read_channel")


def _find_channel(ctx, team, channel_name):
    if team is None:
        raise AppError("app.team.get_by_name.missing.app_error", 404)
    include_deleted = ctx.req.query_get("include_deleted") == "true"
    with ctx.app.db.tx() as cur:
        channel = store.get_channel_by_name(cur, team["id"], channel_name)
    if channel is None or (channel["deleteat"] and not include_deleted):
        raise AppError("app.channel.get_by_name.missing.app_error", 404)
    _check_read(ctx, channel)
    return 200, models.channel_json(channel)


def get_channel_by_team_name(ctx):
    team_name, channel_name = ctx.params["team_name"], ctx.params["channel_name"]
    if not validation.is_valid_team_name(team_name):
        raise invalid_url_param("team_name")
    if not validation.is_valid_channel_name(channel_name):
        raise invalid_url_param("channel_name")
    with ctx.app.db.tx() as cur:
        team = store.get_team_by_name(cur, team_name)
    return _find_channel(ctx, team, channel_name)


def get_channel_by_team_id(ctx):
    team_id = ctx.require_id("team_id")
    channel_name = ctx.params["channel_name"]
    if not validation.is_valid_channel_name(channel_name):
        raise invalid_url_param("channel_name")
    with ctx.app.db.tx() as cur:
        team = store.get_team(cur, team_id)
    if team is None:
        raise AppError("app.team.get.find.app_error", 404)
    return _find_channel(ctx, team, channel_name)


def get_channel(ctx):
    channel_id = ctx.require_id("channel_id")
    with ctx.app.db.tx() as cur:
        channel = store.get_channel(cur, channel_id)
    if channel is None:
        raise AppError("app.channel.get.existing.app_error", 404)
    _check_read(ctx, channel)
    return 200, models.channel_json(channel)


def create_channel(ctx):
    try:
        c = decode_struct(ctx.req.body, CHANNEL_FIELDS)
    except BodyError as exc:
        raise invalid_body_param("channel", str(exc))
    if not is_valid_id(c["team_id"]):
        raise invalid_body_param("team_id")
    perm = "create_public_channel" if c["type"] == "O" else "create_private_channel"
    if not perms.has_team_permission(ctx.session, c["team_id"], perm):
        raise ctx.permission_error(perm)
    if not validation.is_valid_channel_name(c["name"]):
        raise AppError("model.channel.is_valid.2_or_more.app_error", 400)
    if not 0 < len(c["display_name"]) <= 64:
        raise AppError("model.channel.is_valid.display_name.app_error", 400)
    if c["type"] not in ("O", "P"):
        raise AppError("model.channel.is_valid.type.app_error", 400)
    with ctx.app.db.tx() as cur:
        team = store.get_team(cur, c["team_id"])
    if team is None:
        raise AppError("app.team.get.find.app_error", 404)
    try:
        with ctx.app.db.tx() as cur:
            row = store.insert_channel(cur, c["team_id"], c["name"], c["display_name"], c["type"],
                                       ctx.session_user_id, c["purpose"], c["header"])
            store.insert_channel_member(cur, row["id"], ctx.session_user_id, scheme_admin=True)
    except psycopg2.IntegrityError:
        raise AppError("store.sql_channel.save_channel.exists.app_error", 400) from None
    return 201, models.channel_json(row)


def add_channel_member(ctx):
    channel_id = ctx.require_id("channel_id")
    try:
        body = decode_struct(ctx.req.body, {"user_id": "str", "post_root_id": "str"})
    except BodyError as exc:
        raise invalid_body_param("channel_member", str(exc))
    if not is_valid_id(body["user_id"]):
        raise invalid_body_param("user_id")
    app = ctx.app
    with app.db.tx() as cur:
        channel = store.get_channel(cur, channel_id)
        if channel is None:
            raise AppError("app.channel.get.existing.app_error", 404)
        caller_member = store.get_channel_member(cur, channel_id, ctx.session_user_id)
        if body["user_id"] == ctx.session_user_id and channel["type"] == "O":
            allowed = perms.has_team_permission(ctx.session, channel["teamid"], "join_public_channels")
        else:
            perm = ("manage_public_channel_members" if channel["type"] == "O"
                    else "manage_private_channel_members")
            allowed = perms.has_channel_permission(ctx.session, caller_member, channel["teamid"], perm)
        if not allowed:
            raise ctx.permission_error("manage_channel_members")
        user = store.get_user(cur, body["user_id"])
        if user is None:
            raise missing_account()
        team_member = store.get_team_member(cur, channel["teamid"], user["id"])
        if team_member is None:
            raise AppError("app.team.get_member.missing.app_error", 404)
        if team_member["deleteat"]:
            raise AppError("api.channel.add_user.to.channel.failed.deleted.app_error", 403)
        member = store.insert_channel_member(cur, channel_id, user["id"])  # idempotent
    return 201, models.channel_member_json(member)


def get_channel_member(ctx):
    channel_id = ctx.require_id("channel_id")
    user_id = ctx.require_user_id()
    with ctx.app.db.tx() as cur:
        channel = store.get_channel(cur, channel_id)
        if channel is None:
            raise AppError("app.channel.get.existing.app_error", 404)
        caller = store.get_channel_member(cur, channel_id, ctx.session_user_id)
        if not perms.has_channel_permission(ctx.session, caller, channel["teamid"], "read_channel") \
                and not (channel["type"] == "O" and perms.has_team_permission(
                    ctx.session, channel["teamid"], "read_public_channel")):
            raise ctx.permission_error("read_channel")
        member = store.get_channel_member(cur, channel_id, user_id)
    if member is None:
        raise AppError("app.channel.get_member.missing.app_error", 404)
    return 200, models.channel_member_json(member)


def create_post(ctx):
    """POST /posts: session required (cookie sessions are CSRF-checked, §2.3);
    the caller must be a member of the channel (system admins may post anywhere)."""
    try:
        p = decode_struct(ctx.req.body, POST_FIELDS)
    except BodyError as exc:
        raise invalid_body_param("post", str(exc))
    if not is_valid_id(p["channel_id"]):
        raise invalid_body_param("channel_id")
    if p["props"] is not None and not isinstance(p["props"], dict):
        raise invalid_body_param("post")
    with ctx.app.db.tx() as cur:
        channel = store.get_channel(cur, p["channel_id"])
        member = store.get_channel_member(cur, p["channel_id"], ctx.session_user_id)
        if member is None and not ctx.is_admin:
            raise ctx.permission_error("create_post")
        if channel is None:
            raise AppError("app.channel.get.existing.app_error", 404)
        if len(p["message"]) > 16383:
            raise AppError("model.post.is_valid.msg.app_error", 400)
        row = store.insert_post(cur, p["channel_id"], ctx.session_user_id, p["message"],
                                "", p["props"] or {}, p["root_id"])
    return 201, models.post_json(row)
