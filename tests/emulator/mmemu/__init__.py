"""Mattermost emulator for the OpenTHC Chat Bridge integration tests.

Every behaviour here follows ../../../shared/reference/mattermost-behaviour.md
("the document"); comments cite its sections as §N.N.  Module map:

  ids         NewId(), millisecond clock                       (§3.2)
  versions    the Mattermost version imitated and what it changes (corrections)
  config      Mattermost settings with their defaults           (§0, §1.3, …)
  clientconfig the published client config, X-Version-Id hash  (correction 1, §8.2)
  errors      AppError and its JSON form                        (§8.1)
  jsonbody    Go encoding/json decoding quirks for bodies       (§1.1)
  passwords   PBKDF2 PHC / bcrypt hashing and password policy   (§5.1, §9, correction 7)
  mfa         TOTP codes for the login                          (correction 9)
  pwlock      the per-process password-check lock              (correction 3)
  ratelimit   global and login rate limiters                    (§8.3, correction 2)
  validation  username, email, team and channel name rules      (§5.1, §6)
  useragent   platform/os/browser session props, mobile check   (§1.1, §3.2)
  schema, db  PostgreSQL tables with Mattermost's names         (§3.1)
  store       SQL data access
  models      rows -> Mattermost JSON, user sanitising          (§1.2, §5.2)
  perms       default permission scheme, roles from the session (§2.2)
  sessions    session cache, lookup, creation, PAT sessions     (§2.2, §2.4, §3)
  httpcore    request/response objects, Go-style cookies, router
  context     per-request context for handlers
  app         application object, start-up (schema, admin bot)
  main        command line
  server      HTTP server, per-request pipeline (auth, CSRF)     (§2.1–2.3, §8.2)
  api/*       REST handlers under /api/v4
  control     /__emu/ test control API (not Mattermost)
  webpage     the tiny web app page                              (§7)
  faults      fault injection (down/slow/status)                 (§8.3)
  counters    work counters
"""
