"""SQL data access (the SqlStore layer).  Every function takes a cursor from
Database.tx() so callers decide the transaction boundaries."""
import json

from . import models
from .ids import new_id, now_ms

USER_SELECT = """
    SELECT u.*, b.userid IS NOT NULL AS isbot, b.description AS botdescription,
           b.lasticonupdate AS botlasticonupdate
      FROM users u LEFT JOIN bots b ON b.userid = u.id
"""


def _one_user(cur, where, args):
    cur.execute(USER_SELECT + " WHERE " + where, args)
    row = cur.fetchone()
    return models.user_from_row(row) if row else None


# Users ----------------------------------------------------------------------

def get_user(cur, user_id):
    return _one_user(cur, "u.id = %s", (user_id,))


def get_user_by_email(cur, email):
    # SqlUserStore.GetByEmail: Email = lower(?)  (§5.2 case-insensitive)
    return _one_user(cur, "u.email = lower(%s)", (email,))


def get_user_by_username(cur, username):
    return _one_user(cur, "u.username = %s", (username,))


def get_for_login(cur, login_id, by_username, by_email):
    """SqlUserStore.GetForLogin (§1.1): lower(login_id) against username and/or
    email; returns the list of matches (callers treat != 1 as not found)."""
    if by_username and by_email:
        where, args = "u.username = lower(%s) OR u.email = lower(%s)", (login_id, login_id)
    elif by_username:
        where, args = "u.username = lower(%s)", (login_id,)
    elif by_email:
        where, args = "u.email = lower(%s)", (login_id,)
    else:
        return []
    cur.execute(USER_SELECT + " WHERE " + where, args)
    return [models.user_from_row(r) for r in cur.fetchall()]


def insert_user(cur, u):
    cur.execute(
        """INSERT INTO users (id, createat, updateat, deleteat, username, password, authdata,
               authservice, email, emailverified, nickname, firstname, lastname, position, roles,
               allowmarketing, props, notifyprops, lastpasswordupdate, lastpictureupdate,
               failedattempts, locale, timezone, mfaactive, mfasecret, remoteid, lastlogin,
               mfausedtimestamps)
           VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)""",
        (u["id"], u["create_at"], u["update_at"], u["delete_at"], u["username"], u["password"],
         u["auth_data"] or None, u["auth_service"], u["email"], u["email_verified"], u["nickname"],
         u["first_name"], u["last_name"], u["position"], u["roles"], u["allow_marketing"],
         json.dumps(u["props"]), json.dumps(u["notify_props"]), u["last_password_update"],
         u["last_picture_update"], u["failed_attempts"], u["locale"], json.dumps(u["timezone"]),
         bool(u.get("mfa_active")), u.get("mfa_secret") or "", u.get("remote_id") or None, 0,
         json.dumps([])))


def insert_bot(cur, user_id, description, owner_id):
    now = now_ms()
    cur.execute("""INSERT INTO bots (userid, description, ownerid, createat, updateat, deleteat,
                       lasticonupdate) VALUES (%s,%s,%s,%s,%s,0,0) ON CONFLICT (userid) DO NOTHING""",
                (user_id, description, owner_id, now, now))


def update_failed_attempts(cur, user_id, attempts):
    # SqlUserStore.UpdateFailedPasswordAttempts sets an absolute value (§1.4)
    cur.execute("UPDATE users SET failedattempts = %s WHERE id = %s", (attempts, user_id))


def update_password(cur, user_id, hashed):
    """SqlUserStore.UpdatePassword (§4.3): also clears AuthData/AuthService and
    FailedAttempts, sets LastPasswordUpdate = UpdateAt = now."""
    now = now_ms()
    cur.execute("""UPDATE users SET password = %s, lastpasswordupdate = %s, updateat = %s,
                       authdata = NULL, authservice = '', failedattempts = 0 WHERE id = %s""",
                (hashed, now, now, user_id))


def update_user_profile(cur, u):
    """SqlUserStore.Update for the fields a patch may change; UpdateAt = now."""
    cur.execute("""UPDATE users SET username = %s, email = %s, emailverified = %s, nickname = %s,
                       firstname = %s, lastname = %s, position = %s, updateat = %s
                    WHERE id = %s""",
                (u["username"], u["email"], u["email_verified"], u["nickname"], u["first_name"],
                 u["last_name"], u["position"], now_ms(), u["id"]))


def update_mfa_used_timestamps(cur, user_id, steps):
    """SqlUserStore.StoreMfaUsedTimestamps: the TOTP steps already used."""
    cur.execute("UPDATE users SET mfausedtimestamps = %s WHERE id = %s", (json.dumps(steps), user_id))


def migrate_password_hash(cur, user_id, hashed):
    """§9: re-hash with the latest hasher after a successful login."""
    cur.execute("UPDATE users SET password = %s WHERE id = %s", (hashed, user_id))


def update_last_login(cur, user_id, when):
    cur.execute("UPDATE users SET lastlogin = %s WHERE id = %s", (when, user_id))


def set_delete_at(cur, user_id, delete_at):
    cur.execute("UPDATE users SET deleteat = %s, updateat = %s WHERE id = %s",
                (delete_at, now_ms(), user_id))


def count_active_non_bot_users(cur):
    cur.execute("""SELECT count(*) AS n FROM users u LEFT JOIN bots b ON b.userid = u.id
                    WHERE u.deleteat = 0 AND b.userid IS NULL""")
    return cur.fetchone()["n"]


def count_users(cur):
    cur.execute("SELECT count(*) AS n FROM users")
    return cur.fetchone()["n"]


# Teams ----------------------------------------------------------------------

def get_team(cur, team_id):
    cur.execute("SELECT * FROM teams WHERE id = %s", (team_id,))
    row = cur.fetchone()
    return models.team_from_row(row) if row else None


def get_team_by_name(cur, name):
    cur.execute("SELECT * FROM teams WHERE name = %s", (name,))
    row = cur.fetchone()
    return models.team_from_row(row) if row else None


def insert_team(cur, t):
    cur.execute(
        """INSERT INTO teams (id, createat, updateat, deleteat, displayname, name, description,
               email, type, companyname, alloweddomains, inviteid, schemeid, allowopeninvite,
               lastteamiconupdate, groupconstrained, cloudlimitsarchived)
           VALUES (%s,%s,%s,0,%s,%s,%s,%s,%s,%s,%s,%s,NULL,%s,0,false,false)""",
        (t["id"], t["create_at"], t["update_at"], t["display_name"], t["name"], t["description"],
         t["email"], t["type"], t["company_name"], t["allowed_domains"], t["invite_id"],
         t["allow_open_invite"]))


def set_team_delete_at(cur, team_id, delete_at):
    """SoftDeleteTeam (delete_at = now) or a seeded archived team."""
    cur.execute("UPDATE teams SET deleteat = %s, updateat = %s WHERE id = %s",
                (delete_at, now_ms(), team_id))


def teams_for_user(cur, user_id):
    cur.execute("""SELECT t.* FROM teams t JOIN teammembers m ON m.teamid = t.id
                    WHERE m.userid = %s AND m.deleteat = 0 AND t.deleteat = 0
                    ORDER BY t.displayname, t.name""", (user_id,))
    return [models.team_from_row(r) for r in cur.fetchall()]


def get_team_member(cur, team_id, user_id):
    cur.execute("SELECT * FROM teammembers WHERE teamid = %s AND userid = %s", (team_id, user_id))
    return cur.fetchone()


def active_team_members_of_user(cur, user_id):
    """Non-deleted memberships: loaded into session.TeamMembers (§2.2)."""
    cur.execute("SELECT * FROM teammembers WHERE userid = %s AND deleteat = 0", (user_id,))
    return [models.team_member_json(r) for r in cur.fetchall()]


def count_active_team_members(cur, team_id):
    """SaveMember / GetActiveMemberCount: active memberships of non-deactivated users."""
    cur.execute("""SELECT count(*) AS n FROM teammembers m JOIN users u ON u.id = m.userid
                    WHERE m.teamid = %s AND m.deleteat = 0 AND u.deleteat = 0""", (team_id,))
    return cur.fetchone()["n"]


def insert_team_member(cur, team_id, user_id, scheme_admin, scheme_guest=False):
    cur.execute("""INSERT INTO teammembers (teamid, userid, roles, deleteat, schemeuser,
                       schemeadmin, schemeguest, createat)
                   VALUES (%s,%s,'',0,%s,%s,%s,%s) RETURNING *""",
                (team_id, user_id, not scheme_guest, scheme_admin, scheme_guest, now_ms()))
    return cur.fetchone()


def reactivate_team_member(cur, team_id, user_id, scheme_admin, scheme_guest=False):
    cur.execute("""UPDATE teammembers SET deleteat = 0, schemeuser = %s, schemeadmin = %s,
                       schemeguest = %s WHERE teamid = %s AND userid = %s RETURNING *""",
                (not scheme_guest, scheme_admin, scheme_guest, team_id, user_id))
    return cur.fetchone()


# Channels and posts ---------------------------------------------------------

def get_channel(cur, channel_id):
    cur.execute("SELECT * FROM channels WHERE id = %s", (channel_id,))
    return cur.fetchone()


def get_channel_by_name(cur, team_id, name):
    cur.execute("SELECT * FROM channels WHERE teamid = %s AND name = %s", (team_id, name))
    return cur.fetchone()


def insert_channel(cur, team_id, name, display_name, ctype, creator_id, purpose="", header=""):
    now = now_ms()
    cur.execute(
        """INSERT INTO channels (id, createat, updateat, deleteat, teamid, type, displayname, name,
               header, purpose, lastpostat, totalmsgcount, extraupdateat, creatorid, schemeid,
               groupconstrained, shared, totalmsgcountroot, lastrootpostat)
           VALUES (%s,%s,%s,0,%s,%s,%s,%s,%s,%s,%s,0,0,%s,NULL,NULL,NULL,0,%s) RETURNING *""",
        (new_id(), now, now, team_id, ctype, display_name, name, header, purpose, now,
         creator_id, now))
    return cur.fetchone()


def get_channel_member(cur, channel_id, user_id):
    cur.execute("SELECT * FROM channelmembers WHERE channelid = %s AND userid = %s",
                (channel_id, user_id))
    return cur.fetchone()


def insert_channel_member(cur, channel_id, user_id, scheme_admin=False):
    """Insert if missing (ON CONFLICT DO NOTHING) and return the row."""
    now = now_ms()
    cur.execute(
        """INSERT INTO channelmembers (channelid, userid, roles, lastviewedat, msgcount,
               mentioncount, notifyprops, lastupdateat, schemeuser, schemeadmin, schemeguest,
               mentioncountroot, msgcountroot, urgentmentioncount)
           VALUES (%s,%s,'',0,0,0,%s,%s,true,%s,false,0,0,0)
           ON CONFLICT (channelid, userid) DO NOTHING""",
        (channel_id, user_id, json.dumps(models.DEFAULT_CHANNEL_NOTIFY_PROPS), now, scheme_admin))
    return get_channel_member(cur, channel_id, user_id)


def insert_post(cur, channel_id, user_id, message, ptype="", props=None, root_id=""):
    now = now_ms()
    cur.execute(
        """INSERT INTO posts (id, createat, updateat, editat, deleteat, ispinned, userid, channelid,
               rootid, originalid, message, type, props, hashtags, filenames, fileids,
               hasreactions, remoteid)
           VALUES (%s,%s,%s,0,0,false,%s,%s,%s,'',%s,%s,%s,'','[]','[]',false,NULL) RETURNING *""",
        (new_id(), now, now, user_id, channel_id, root_id, message, ptype,
         json.dumps(props or {})))
    row = cur.fetchone()
    cur.execute("""UPDATE channels SET lastpostat = %s, lastrootpostat = %s,
                       totalmsgcount = totalmsgcount + 1, totalmsgcountroot = totalmsgcountroot + 1
                    WHERE id = %s""", (now, now, channel_id))
    return row


# Personal access tokens -------------------------------------------------------

def get_access_token(cur, token):
    cur.execute("SELECT * FROM useraccesstokens WHERE token = %s", (token,))
    return cur.fetchone()


def insert_access_token(cur, user_id, token, description):
    cur.execute("""INSERT INTO useraccesstokens (id, token, userid, description, isactive)
                   VALUES (%s,%s,%s,%s,true) RETURNING *""", (new_id(), token, user_id, description))
    return cur.fetchone()
