"""GET /api/v4/system/ping (api4/system.go getSystemPing)."""


def register(router):
    router.add("GET", "/api/v4/system/ping")(ping)


def ping(ctx):
    return 200, {"ActiveSearchBackend": "database", "AndroidLatestVersion": "",
                 "AndroidMinVersion": "", "IosLatestVersion": "", "IosMinVersion": "",
                 "status": "OK"}
