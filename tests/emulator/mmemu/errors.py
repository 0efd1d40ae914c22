"""AppError and its JSON form (§8.1: model/utils.go AppError).

Messages are short English texts in the spirit of server/i18n/en.json; where
the document quotes a message it is used verbatim.  Clients must not depend on
message texts (they are translated by Mattermost); ids and statuses are exact.
"""

MESSAGES = {
    # api4 context
    "api.context.session_expired.app_error": "Invalid or expired session, please login again.",
    "api.context.invalid_body_param.app_error": "Invalid or missing {name} in request body.",
    "api.context.invalid_url_param.app_error": "Invalid or missing {name} parameter in request URL.",
    "api.context.permissions.app_error": "You do not have the appropriate permissions.",
    "api.context.404.app_error": "Sorry, we could not find the page.",
    "api.context.token_provided.app_error": "Session is not OAuth but token was provided in the query string.",
    "api.context.invalid_token.error": "Invalid session token={token}, err={error}",
    # config (correction 1)
    "api.config.client.old_format.app_error": "New format for the client configuration is not supported yet. Please specify format=old in the query string.",
    # login §1.4
    "api.user.login.invalid_credentials_email_username": "Enter a valid email or username and/or password.",
    "api.user.login.invalid_credentials_email": "Enter a valid email and/or password.",
    "api.user.login.invalid_credentials_username": "Enter a valid username and/or password.",
    "api.user.login.invalid_credentials_sso": "Enter a valid email or username and/or password, or sign in using another method.",
    "api.user.login.blank_pwd.app_error": "Password field must not be blank.",
    "api.user.login.inactive.app_error": "Login failed because your account has been deactivated. Please contact an administrator.",
    "api.user.check_user_login_attempts.too_many.app_error": "Your account is locked because of too many failed password attempts. Please reset your password.",
    "api.user.login.bot_login_forbidden.app_error": "Bot login is forbidden.",
    "api.user.login.not_verified.app_error": "Login failed because email address has not been verified.",
    "api.user.check_user_password.invalid.app_error": "Login failed because of invalid password.",
    "api.user.login.use_auth_service.app_error": "Please sign in using {auth_service}.",
    "api.user.login.guest_accounts.license.error": "Guest accounts are disabled.",
    "api.user.login.guest_accounts.disabled.error": "Guest accounts are disabled.",
    "api.user.login.remote_users.login.error": "Login failed because remote users are not allowed to log in.",
    "store.sql_user.get_for_login.app_error": "We couldn't find an existing account matching your credentials.",
    # users §5
    "app.user.missing_account.const": "Unable to find the user.",
    "app.user.get_by_username.app_error": "Unable to find an existing account matching your username for this team.",
    "app.user.save.email_exists.app_error": "An account with that email already exists.",
    "app.user.save.username_exists.app_error": "An account with that username already exists.",
    "app.user.save.existing.app_error": "Must call update for existing user.",
    "model.user.is_valid.username.app_error": "Username must begin with a letter, and contain between 3 to 22 lowercase characters made up of numbers, letters, and the symbols \".\", \"-\", and \"_\".",
    "model.user.is_valid.email.app_error": "Invalid email.",
    "api.user.create_user.user_limits.exceeded": "Can't create user. Server exceeds maximum supported user count.",
    "api.user.create_user.no_open_server": "This server does not allow open signups. Please speak with your Administrator to receive an invitation.",
    "api.user.create_user.signup_email_disabled.app_error": "User sign-up with email is disabled.",
    "api.user.update_user.accepted_domain.app_error": "The email you provided does not belong to an accepted domain.",
    "api.user.create_user.accepted_domain.app_error": "The email you provided does not belong to an accepted domain.",
    "api.user.get_user_by_email.permissions.app_error": "Unable to get user by email.",
    "api.user.update_password.context.app_error": "Update password failed because context user_id did not match props user_id.",
    "api.user.update_password.user_and_hashed.app_error": "Only system administrators can set already-hashed passwords.",
    "api.user.update_password.incorrect.app_error": "The \"Current Password\" you entered is incorrect.",
    "api.user.update_password.oauth.app_error": "Update password failed because the user is logged in through an OAuth service.",
    "api.user.update_password.failed.app_error": "Update password failed.",
    "api.user.update_active.permissions.app_error": "You do not have the appropriate permissions.",
    "api.user.update_active.not_enable.app_error": "You cannot deactivate yourself because this feature is not enabled.",
    "app.user.update_active.user_limit.exceeded": "Can't activate user. Server exceeds maximum supported user count.",
    "app.user_access_token.disabled": "Personal access tokens are disabled on this server.",
    "app.user_access_token.invalid_or_missing": "Invalid or missing token.",
    "app.session.get.app_error": "We encountered an error finding the session.",
    # teams §6
    "app.team.get_by_name.missing.app_error": "Unable to find the existing team.",
    "api.user.delete_team.not_enabled.app_error": "Permanent team deletion feature is not enabled. Please contact your System Administrator.",
    "app.team.get.find.app_error": "Unable to find the existing team.",
    "app.team.get_member.missing.app_error": "No team member found for that user ID and team ID.",
    "api.team.is_team_creation_allowed.disabled.app_error": "Team creation has been disabled.",
    "model.team.is_valid.characters.app_error": "Name must be 2 or more lowercase alphanumeric characters.",
    "model.team.is_valid.reserved.app_error": "This URL is unavailable. Please try another.",
    "model.team.is_valid.type.app_error": "Invalid type.",
    "model.team.is_valid.display_name.app_error": "Invalid name.",
    "model.team.is_valid.name.app_error": "Invalid URL Identifier.",
    "model.team.is_valid.description.app_error": "Invalid description.",
    "model.team.is_valid.email.app_error": "Invalid email.",
    "store.sql_team.save_team.existing.app_error": "A team with that name already exists.",
    "app.team.join_user_to_team.max_accounts.app_error": "This team has reached the maximum number of allowed accounts. Contact your System Administrator to set a higher limit.",
    "app.team.join_user_to_team.save_member.max_accounts.app_error": "This team has reached the maximum number of allowed accounts. Contact your System Administrator to set a higher limit.",
    "app.team.join_user_to_team.save_member.conflict.app_error": "Unable to save the team member because it already exists.",
    # channels / posts
    "app.channel.get_by_name.missing.app_error": "Channel does not exist.",
    "app.channel.get.existing.app_error": "Unable to find the existing channel.",
    "app.channel.get_member.missing.app_error": "No channel member found for that user ID and channel ID.",
    "store.sql_channel.save_channel.exists.app_error": "A channel with that name already exists on the same team.",
    "model.channel.is_valid.2_or_more.app_error": "Name must be 2 or more lowercase alphanumeric characters.",
    "model.channel.is_valid.display_name.app_error": "Invalid display name.",
    "model.channel.is_valid.type.app_error": "Invalid type.",
    "api.channel.add_user.to.channel.failed.deleted.app_error": "Failed to add user to channel because they have been removed from the team.",
    "model.post.is_valid.msg.app_error": "Invalid Message.",
    # emulator-only
    "api.emu.fault_injected.app_error": "Injected fault: the server answered with an error on purpose.",
    "api.emu.internal.app_error": "Internal server error.",
}

PASSWORD_MESSAGES = {
    "min_length": "Your password must contain at least {min} characters.",
    "max_length": "Your password must contain no more than 72 characters.",
}


def message_for(err_id, params=None):
    params = params or {}
    if err_id.startswith("model.user.is_valid.pwd"):
        if "min_length" in err_id:
            return PASSWORD_MESSAGES["min_length"].format(min=params.get("min", 8))
        if "max_length" in err_id:
            return PASSWORD_MESSAGES["max_length"]
        return "Your password must meet the password requirements."
    if err_id.startswith("model.user.is_valid.") and err_id not in MESSAGES:
        return "Invalid user field."
    text = MESSAGES.get(err_id, err_id)
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError):
        return text


class AppError(Exception):
    """model.AppError: id, status, detailed error (only shown with EnableDeveloper)."""

    def __init__(self, err_id, status, params=None, detailed="", where=""):
        super().__init__(err_id)
        self.id = err_id
        self.status = status
        self.params = params or {}
        self.detailed = detailed
        self.where = where

    def to_json(self, request_id="", developer=False, hardened=False):
        # §8.1: fields in Go struct order; request_id/status_code omitted when empty.
        if hardened and self.status >= 500:
            body = {"id": "", "message": "Internal Server Error", "detailed_error": ""}
        else:
            body = {
                "id": self.id,
                "message": message_for(self.id, self.params),
                "detailed_error": self.detailed if developer else "",
            }
        if request_id:
            body["request_id"] = request_id
        if self.status:
            body["status_code"] = self.status
        return body


# Frequently used constructors ---------------------------------------------

def invalid_body_param(name, detailed=""):
    return AppError("api.context.invalid_body_param.app_error", 400, {"name": name}, detailed)


def invalid_url_param(name):
    return AppError("api.context.invalid_url_param.app_error", 400, {"name": name})


def permission_error(detailed=""):
    return AppError("api.context.permissions.app_error", 403, detailed=detailed)


def session_expired(detailed=""):
    return AppError("api.context.session_expired.app_error", 401, detailed=detailed)


def missing_account():
    return AppError("app.user.missing_account.const", 404)


def not_found_route():
    return AppError("api.context.404.app_error", 404)
