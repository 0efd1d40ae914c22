"""Per-request context handed to API handlers (web/context.go Context)."""
from . import perms
from .errors import invalid_url_param, AppError
from .ids import is_valid_id


class Ctx:
    def __init__(self, app, req, resp, route, params, request_id):
        self.app = app
        self.req = req
        self.resp = resp
        self.route = route
        self.params = params
        self.request_id = request_id
        self.session = None          # the session dict, or None (anonymous)
        self.token = ""
        self.token_location = ""

    # -- session helpers -------------------------------------------------------
    @property
    def session_user_id(self):
        return self.session["user_id"] if self.session else ""

    @property
    def is_admin(self):
        return perms.is_system_admin(self.session)

    def has_permission(self, perm):
        return perms.has_permission(self.session, perm)

    # -- parameter helpers (web/context.go Require*) --------------------------
    def require_user_id(self):
        """RequireUserId: "me" is the session user; else a valid id (400)."""
        uid = self.params.get("user_id", "me")  # /users/me… routes
        if uid == "me":
            uid = self.session_user_id
        if not is_valid_id(uid):
            raise invalid_url_param("user_id")
        return uid

    def require_id(self, name):
        value = self.params.get(name, "")
        if not is_valid_id(value):
            raise invalid_url_param(name)
        return value

    def permission_error(self, perm=""):
        return AppError("api.context.permissions.app_error", 403,
                        detailed="userId=%s, permission=%s" % (self.session_user_id, perm))
