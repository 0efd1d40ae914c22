"""GET /api/v4/system/ping and GET /api/v4/config/client (api4/system.go,
api4/config.go)."""
from .. import clientconfig
from ..errors import AppError, invalid_body_param


def register(router):
    router.add("GET", "/api/v4/system/ping")(ping)
    router.add("GET", "/api/v4/config/client")(get_client_config)


def ping(ctx):
    return 200, {"ActiveSearchBackend": "database", "AndroidLatestVersion": "",
                 "AndroidMinVersion": "", "IosLatestVersion": "", "IosMinVersion": "",
                 "status": "OK"}


def get_client_config(ctx):
    """getClientConfig: no format -> 501; a format other than "old" -> 400
    (SetInvalidParam); else the client config with the computed NoAccounts
    ("true" while the users table holds no non-bot user)."""
    fmt = ctx.req.query_get("format")
    if fmt == "":
        raise AppError("api.config.client.old_format.app_error", 501)
    if fmt != "old":
        raise invalid_body_param("format")
    out = clientconfig.client_config(ctx.app.config.snapshot())
    with ctx.app.db.tx() as cur:
        cur.execute("""SELECT count(*) AS n FROM users u LEFT JOIN bots b ON b.userid = u.id
                        WHERE b.userid IS NULL""")
        out["NoAccounts"] = "true" if cur.fetchone()["n"] == 0 else "false"
    return 200, dict(sorted(out.items()))
