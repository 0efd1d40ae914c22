"""Test control API under /__emu/ (not part of Mattermost).

  POST /__emu/reset                 {"keep_config": false}  delete all data but the
                                    admin bot and its token; clear cache, counters,
                                    faults, emails; restore start-up settings
  GET  /__emu/config                current settings
  POST /__emu/config                merge settings (Mattermost names)
  POST /__emu/seed/user             create a user directly (roles, remote_id, mfa_active…)
                                    -> user JSON (+ "password_hash", "mfa_secret")
  POST /__emu/seed/team             create a team with its default channels (delete_at:
                                    archived) -> team JSON
  POST /__emu/seed/member           {team_name|team_id, user_id} -> team member JSON
  POST /__emu/password-lock/hold    {"ms": N} hold the password-check lock N ms (pwlock.py)
  GET/POST /__emu/fault             current fault / set one (see faults.py)
  GET  /__emu/counters              request and work counters
  POST /__emu/counters/reset
  GET  /__emu/state[?user_id=ID]    row counts; a user's row, teams and sessions
  GET  /__emu/emails                emails Mattermost would have sent
Errors answer 400 {"error": "..."} (or Mattermost's AppError for seed validation).
"""
import json

from . import models, passwords, schema, store
from .api import teams as teams_api
from .api import users as users_api
from .config import ConfigError
from .errors import AppError
from .faults import parse_fault
from .httpcore import Response
from .jsonbody import go_json


def _json(status, obj):
    return Response(status, go_json(obj), "application/json")


def _body(req):
    if not req.body.strip():
        return {}
    try:
        value = json.loads(req.body.decode("utf-8"))
    except ValueError as exc:
        raise ValueError("invalid JSON: %s" % exc) from None
    if not isinstance(value, dict):
        raise ValueError("body must be a JSON object")
    return value


def _password_kind(stored):
    if not stored:
        return {"kind": ""}
    phc = passwords.parse_phc(stored)
    if phc and phc["id"] == "pbkdf2":
        return {"kind": "pbkdf2", "iterations": int(phc["params"].get("w", "0") or 0)}
    return {"kind": "bcrypt" if stored.startswith("$2") else "other"}


def _state(app, req):
    out = {"tables": {}}
    with app.db.tx() as cur:
        for table in schema.TABLES:
            cur.execute("SELECT count(*) AS n FROM %s" % table)
            out["tables"][table] = cur.fetchone()["n"]
        user_id = req.query_get("user_id")
        if user_id:
            user = store.get_user(cur, user_id)
            if user is None:
                out["user"] = None
            else:
                row = dict(user)
                row["password"] = _password_kind(user["password"])
                out["user"] = row
                cur.execute("SELECT m.*, t.name AS teamname FROM teammembers m "
                            "JOIN teams t ON t.id = m.teamid WHERE m.userid = %s", (user_id,))
                out["team_members"] = [dict(models.team_member_json(r), team_name=r["teamname"])
                                       for r in cur.fetchall()]
    if user_id and out.get("user") is not None:
        out["sessions"] = [models.session_json(s, sanitize_token=False)
                           for s in app.sessions.sessions_for_user(user_id)]
    out["session_cache_entries"] = len(app.sessions.cache)
    out["admin_user_id"] = app.admin_user_id
    return out


def dispatch(app, req):
    path, method = req.path.rstrip("/"), req.method
    try:
        if path == "/__emu/reset" and method == "POST":
            app.reset(keep_config=bool(_body(req).get("keep_config")))
            return _json(200, {"status": "OK"})
        if path == "/__emu/config":
            if method == "POST":
                try:
                    app.apply_config(_body(req))
                except ConfigError as exc:
                    raise ValueError(str(exc)) from None
            return _json(200, app.config.snapshot())
        if path == "/__emu/seed/user" and method == "POST":
            user = users_api.seed_user(app, _body(req))
            out = models.user_json(models.sanitize(user))
            out["password_hash"] = user["password"]
            if user["mfa_active"]:
                out["mfa_secret"] = user["mfa_secret"]
            return _json(201, out)
        if path == "/__emu/seed/team" and method == "POST":
            spec = _body(req)
            spec.setdefault("display_name", spec.get("name") or "")
            spec.setdefault("type", "O")
            spec.setdefault("allow_open_invite", spec["type"] == "O")
            delete_at = spec.get("delete_at") or 0   # an archived team (correction 5)
            if not isinstance(delete_at, int) or isinstance(delete_at, bool) or delete_at < 0:
                raise ValueError("delete_at must be a non-negative integer")
            team = teams_api.create_team_record(app, spec)
            if delete_at:
                with app.db.tx() as cur:
                    store.set_team_delete_at(cur, team["id"], delete_at)
                    team = store.get_team(cur, team["id"])
            return _json(201, models.team_json(team, False))
        if path == "/__emu/seed/member" and method == "POST":
            spec = _body(req)
            with app.db.tx() as cur:
                if spec.get("team_id"):
                    team = store.get_team(cur, spec["team_id"])
                else:
                    team = store.get_team_by_name(cur, spec.get("team_name") or "")
                user = store.get_user(cur, spec.get("user_id") or "")
            if team is None or user is None:
                raise ValueError("unknown team or user")
            member = teams_api.join_user_to_team(app, team, user)
            return _json(201, models.team_member_json(member))
        if path == "/__emu/password-lock/hold" and method == "POST":
            ms = _body(req).get("ms")
            if not isinstance(ms, int) or isinstance(ms, bool) or not 0 < ms <= 60000:
                raise ValueError("ms must be an integer from 1 to 60000")
            app.password_lock.hold(ms / 1000.0)
            return _json(200, {"status": "OK"})
        if path == "/__emu/fault":
            if method == "POST":
                app.faults.set(parse_fault(_body(req)))
            return _json(200, app.faults.current())
        if path == "/__emu/counters" and method == "GET":
            return _json(200, app.counters.snapshot())
        if path == "/__emu/counters/reset" and method == "POST":
            app.counters.reset()
            return _json(200, {"status": "OK"})
        if path == "/__emu/state" and method == "GET":
            return _json(200, _state(app, req))
        if path == "/__emu/emails" and method == "GET":
            with app.emails_lock:
                return _json(200, list(app.emails))
        return _json(404, {"error": "unknown control endpoint %s %s" % (method, path)})
    except AppError as err:
        return _json(err.status, err.to_json())
    except (ValueError, TypeError) as exc:
        return _json(400, {"error": str(exc)})
