"""Use cases of accounts and sign-in, one module per verb.

``signin`` (password and second factor, token pairs, refresh with reuse detection, sign-out
everywhere), ``credentials`` (password change, second factor set-up, replacement and
removal, all re-authenticated), ``throttle`` (sign-in limits), ``factors`` (TOTP and
recovery codes), ``sessions`` (ending every session), ``accounts`` (creation, the platform
admin's bootstrap, lists, lookups for other domains), ``reset`` (password reset by e-mail
link).
"""

from app.auth.service.accounts import (
    bootstrap_admin,
    create_user,
    list_users,
    user_by_email,
    user_row,
    user_rows,
)
from app.auth.service.credentials import (
    begin_totp,
    change_password,
    confirm_totp,
    recovery_codes_left,
    remove_totp,
)
from app.auth.service.reset import check_reset_link, request_reset, reset_password
from app.auth.service.signin import (
    InvalidCredentials,
    authenticate,
    issue_pair,
    login,
    logout,
    refresh,
)

__all__ = ["InvalidCredentials", "authenticate", "begin_totp", "bootstrap_admin",
           "change_password", "check_reset_link", "confirm_totp", "create_user", "issue_pair",
           "list_users", "login", "logout", "recovery_codes_left", "refresh", "remove_totp",
           "request_reset", "reset_password", "user_by_email", "user_row", "user_rows"]
