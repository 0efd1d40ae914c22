"""REST handlers under /api/v4.  Handlers take a Ctx and return
(status, json_object) or raise AppError."""
from . import channels, system, teams, users


def register_all(router):
    # Order matters where templates overlap (first match wins).
    users.register(router)
    teams.register(router)
    channels.register(router)
    system.register(router)
