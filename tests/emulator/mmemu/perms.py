"""A small model of Mattermost's default permission scheme.

As in app/authorization.go, roles come from the *session* (session.Roles and
session.TeamMembers, §2.2), not from the users table.  system_admin holds
every permission; the other role sets below are the defaults that matter for
the emulated endpoints (model/role.go).
"""

SYSTEM_USER = {
    "create_team", "join_public_teams", "list_public_teams", "view_members",
    "create_direct_channel", "create_group_channel",
}
TEAM_USER = {
    "view_team", "add_user_to_team", "invite_user", "list_team_channels",
    "join_public_channels", "read_public_channel", "create_public_channel",
    "create_private_channel",
}
TEAM_ADMIN = TEAM_USER | {"manage_team", "remove_user_from_team", "manage_team_roles",
                          "manage_public_channel_members", "manage_private_channel_members"}
CHANNEL_USER = {"read_channel", "create_post", "manage_public_channel_members",
                "manage_private_channel_members", "read_channel_content"}


def roles_of(session):
    return (session or {}).get("roles", "").split()


def is_system_admin(session):
    return "system_admin" in roles_of(session)


def has_permission(session, perm):
    """SessionHasPermissionTo."""
    if not session:
        return False
    if is_system_admin(session):
        return True
    return "system_user" in roles_of(session) and perm in SYSTEM_USER


def team_member_of(session, team_id):
    for m in (session or {}).get("team_members") or []:
        if m["team_id"] == team_id and not m.get("delete_at"):
            return m
    return None


def has_team_permission(session, team_id, perm):
    """SessionHasPermissionToTeam: system permission first, then team roles."""
    if has_permission(session, perm):
        return True
    member = team_member_of(session, team_id)
    if member is None:
        return False
    roles = member["roles"].split()
    if "team_admin" in roles and perm in TEAM_ADMIN:
        return True
    return "team_user" in roles and perm in TEAM_USER


def has_channel_permission(session, channel_member_row, team_id, perm):
    """SessionHasPermissionToChannel with the caller's channel membership row
    (or None): channel roles, else the team's permissions."""
    if has_permission(session, perm):
        return True
    if channel_member_row is not None and perm in CHANNEL_USER:
        return True
    return has_team_permission(session, team_id, perm)
