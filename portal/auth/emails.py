"""The account e-mails (invitation, password reset, password changed), written in the recipient's language."""

from __future__ import annotations

from portal.auth import tokens
from portal.i18n import gettext as _
from portal.i18n import use_language
from portal.mail.sender import Mail
from portal.settings import get_settings


def _hours(purpose: str) -> int:
    return int(tokens.LIFETIMES[purpose].total_seconds() // 3600)


def invitation_mail(to: str, language: str, token: str, display_name: str, inviter: str) -> Mail:
    """The link that lets an invited user set their first password."""
    link = f"{get_settings().public_url}/invitation/{token}"
    with use_language(language):
        body = "\n\n".join(
            [
                _("Hello %(name)s,") % {"name": display_name},
                _("%(inviter)s has opened an account for you on the activation portal.") % {"inviter": inviter},
                _("Choose your password here (the link works once, for %(days)s days):")
                % {"days": _hours(tokens.INVITATION) // 24},
                link,
                _("If you did not expect this, ignore this message."),
            ]
        )
        return Mail(to=to, subject=_("Your account on the activation portal"), body=body + "\n")


def reset_mail(to: str, language: str, token: str, display_name: str, username: str = "") -> Mail:
    """The link that lets a user choose a new password (and lifts a lock after failed logins).

    It names the username: one address may belong to several accounts, each mailed its own link.
    """
    link = f"{get_settings().public_url}/password/reset/{token}"
    with use_language(language):
        body = "\n\n".join(
            [
                _("Hello %(name)s,") % {"name": display_name},
                _("Someone asked to reset the password of your account on the activation portal.")
                + " "
                + _("Choose a new password here (the link works once, for %(hours)s hour):")
                % {"hours": _hours(tokens.RESET)},
                link,
                *([_("Your username: %(username)s") % {"username": username}] if username else []),
                _("If it was not you, ignore this message: your password stays as it is."),
            ]
        )
        return Mail(to=to, subject=_("Reset your password"), body=body + "\n")


def password_changed_mail(to: str, language: str, display_name: str) -> Mail:
    """A notice after every password change, so a stolen account does not change hands silently."""
    with use_language(language):
        body = "\n\n".join(
            [
                _("Hello %(name)s,") % {"name": display_name},
                _("The password of your account on the activation portal was just changed.")
                + " "
                + _("If it was not you, tell your administrator at once."),
            ]
        )
        return Mail(to=to, subject=_("Your password was changed"), body=body + "\n")
