"""The client configuration Mattermost publishes (GET /api/v4/config/client
?format=old, correction 1) and the hash of it in X-Version-Id (§8.2).

Mattermost's config.GenerateLimitedClientConfig renders settings as a map of
strings ("true"/"false" for booleans) for callers without a session; the
login page reads EnableSignInWithEmail, EnableSignInWithUsername and
EnableMultifactorAuthentication from it.  Only the keys whose settings the
emulator models, the build identification and the licence-gated SSO switches
("false" without a licence) are rendered.  The full map for logged-in users
has many more keys; the emulator answers everyone with the limited one.
"""
import hashlib
import json

from . import versions


def _b(value):
    return "true" if value else "false"


def client_config(cfg):
    """Settings snapshot (Config.snapshot()) -> the limited client config."""
    svc, team, email = cfg["ServiceSettings"], cfg["TeamSettings"], cfg["EmailSettings"]
    pw, emu = cfg["PasswordSettings"], cfg["EmulatorSettings"]
    version = versions.version_string(versions.parse(emu["Version"]))
    licensed = emu["Licensed"]
    out = {
        "Version": version,
        "BuildNumber": version,
        "BuildDate": "",
        "BuildHash": "mmemu",
        "BuildHashEnterprise": "none",
        "BuildEnterpriseReady": "false",
        "SiteURL": svc["SiteURL"].rstrip("/"),
        "SiteName": team["SiteName"],
        "EnableUserCreation": _b(team["EnableUserCreation"]),
        "EnableOpenServer": _b(team["EnableOpenServer"]),
        "EnableSignUpWithEmail": _b(email["EnableSignUpWithEmail"]),
        "EnableSignInWithEmail": _b(email["EnableSignInWithEmail"]),
        "EnableSignInWithUsername": _b(email["EnableSignInWithUsername"]),
        "EnableSignUpWithGitLab": _b(cfg["GitLabSettings"]["Enable"]),
        # licence-gated: "false" unless licensed
        "EnableSignUpWithGoogle": _b(licensed and cfg["GoogleSettings"]["Enable"]),
        "EnableSignUpWithOffice365": _b(licensed and cfg["Office365Settings"]["Enable"]),
        "EnableSignUpWithOpenId": _b(licensed and cfg["OpenIdSettings"]["Enable"]),
        "EnableSaml": _b(licensed and cfg["SamlSettings"]["Enable"]),
        "EnableLdap": "false",
        "EnableMultifactorAuthentication": _b(svc["EnableMultifactorAuthentication"]),
        "EnforceMultifactorAuthentication": "false",
        "EnableGuestAccounts": _b(cfg["GuestAccountsSettings"]["Enable"]),
        "PasswordMinimumLength": str(pw["MinimumLength"]),
        "PasswordRequireLowercase": _b(pw["Lowercase"]),
        "PasswordRequireUppercase": _b(pw["Uppercase"]),
        "PasswordRequireNumber": _b(pw["Number"]),
        "PasswordRequireSymbol": _b(pw["Symbol"]),
        "DefaultClientLocale": "en",
        "DiagnosticsEnabled": "false",
    }
    return dict(sorted(out.items()))  # Go's encoding/json writes map keys sorted


def config_hash(cfg):
    """ClientConfigHash: MD5 (hex) of the client config's JSON."""
    return hashlib.md5(json.dumps(client_config(cfg), separators=(",", ":")).encode()).hexdigest()
