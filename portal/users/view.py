"""The user pages' data in one call each: the list of users a manager may manage, the invitation form, a user's page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from portal.audit import services as audit
from portal.auth import tokens
from portal.auth.current_user import CurrentUser
from portal.auth.roles import COUNSELLOR, ROLE_LABELS
from portal.i18n import LANGUAGES
from portal.i18n import gettext as _
from portal.organisations import services as organisation_services
from portal.organisations.params import is_record_id
from portal.pagination import Page
from portal.users import services

RECORD = "user"
INVITATION_DAYS = tokens.LIFETIMES[tokens.INVITATION].days


def notices() -> dict[str, str]:
    """What the user page says after a change (``?notice=``); failures first say what went wrong."""
    return {
        "invited": _("The user is invited: the invitation link was sent by e-mail."),
        "invite_mail_failed": _(
            "The user is invited, but the invitation e-mail could not be sent. Check the address and send the "
            "invitation again."
        ),
        "invitation_sent": _("The invitation was sent again. Earlier links no longer work."),
        "invitation_mail_failed": _("The invitation e-mail could not be sent. Check the address and try again."),
        "saved": _("The changes are saved."),
        "unchanged": _("Nothing was changed."),
        "deactivated": _("The user is deactivated and was signed out everywhere."),
        "reactivated": _("The user is active again and can log in."),
        "unlocked": _("The failed logins are forgotten: the user can log in again at once."),
        "reset_sent": _("A password reset link was sent to the user's e-mail address."),
        "reset_mail_failed": _("The password reset e-mail could not be sent. Check the address and try again."),
        "two_factor_reset": _(
            "Two-factor sign-in is off for this user and their sessions ended. They set it up again at the next "
            "login if their role requires it."
        ),
        "self_deactivate": _("You cannot deactivate your own account: ask another administrator."),
        "already_accepted": _("The user has already accepted the invitation."),
        "not_accepted": _("The user has not accepted the invitation yet: send the invitation again instead."),
        "inactive": _("The user is deactivated: reactivate them first."),
        "no_email": _("The user has no e-mail address: add one first."),
    }


def _roles(scope: services.Scope) -> dict[str, Any]:
    """The roles ``scope`` may give, by their (lazily translated) names."""
    return {role: ROLE_LABELS[role] for role in scope.roles}


@dataclass(frozen=True)
class UserList:
    """One page of the users a manager may manage, with the filters as understood."""

    filters: services.UserFilters
    results: Page
    roles: dict[str, Any]

    def template_context(self) -> dict[str, Any]:
        """The names ``users/list.html`` reads."""
        return {"filters": self.filters, "results": self.results, "roles": self.roles}


async def users_view(manager: CurrentUser, q: str, role: str, active: str, invited: str, page: int) -> UserList:
    """The users ``manager`` may manage matching the filters; a role outside their scope or an unknown value is dropped."""
    scope = await services.scope_of(manager)
    filters = services.UserFilters(
        q=q.strip(),
        role=role if role in scope.roles else "",
        active=active if active in ("yes", "no") else "",
        invited=invited == "1",
    )
    return UserList(filters, await services.list_users(scope, filters, page), _roles(scope))


@dataclass(frozen=True)
class UserForm:
    """A user's form (to invite, or to change one): what it holds, its errors, and the choices it offers."""

    form: dict[str, Any]
    errors: dict[str, str]
    scope: services.Scope
    organisations: list[dict[str, Any]]
    more_organisations: bool
    org_q: str

    def template_context(self) -> dict[str, Any]:
        """The names ``users/new.html`` reads (and the form of ``users/detail.html``)."""
        return {
            "form": self.form,
            "errors": self.errors,
            "roles": _roles(self.scope),
            "languages": {"": _("The browser's language"), **LANGUAGES},
            "organisations": self.organisations,
            "more_organisations": self.more_organisations,
            "org_q": self.org_q,
            "scope": self.scope,
            "invitation_days": INVITATION_DAYS,
        }


async def user_form(scope: services.Scope, form: dict[str, Any], errors: dict[str, str], org_q: str) -> UserForm:
    """The form with the organisations to choose from: those ``org_q`` finds, and the one chosen."""
    chosen = str(form.get("organisation_id") or "")
    organisations, more = await organisation_services.organisation_choices(
        org_q, int(chosen) if is_record_id(chosen) else None
    )
    return UserForm(form, errors, scope, organisations, more, org_q)


async def new_user_view(manager: CurrentUser, org_q: str = "") -> UserForm:
    """The empty invitation form; most invitations are for counsellors."""
    scope = await services.scope_of(manager)
    return await user_form(scope, {"role": COUNSELLOR, "language": ""}, {}, org_q)


@dataclass(frozen=True)
class UserPage:
    """One user's page: who they are, the notice of the last change, and the form to change them."""

    user: dict[str, Any]  # the row of portal.users.services.get_user
    form: UserForm
    notice_code: str = ""
    status_code: int = 200

    @property
    def is_self(self) -> bool:
        return bool(self.user["id"] == self.form.scope.manager.id)

    def template_context(self) -> dict[str, Any]:
        """The names ``users/detail.html`` reads."""
        return {
            **self.form.template_context(),
            "user": self.user,
            "notice": notices().get(self.notice_code, ""),
            "notice_code": self.notice_code,
            "is_self": self.is_self,
        }


def editable(user: dict[str, Any]) -> dict[str, Any]:
    """The fields of ``user`` the form changes, as the form starts."""
    return {key: user[key] for key in ("display_name", "email", "role", "organisation_id")}


async def user_page(
    scope: services.Scope,
    user: dict[str, Any],
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    org_q: str = "",
    notice: str = "",
    status_code: int = 200,
) -> UserPage:
    """The page of ``user``, found in ``scope`` by the caller (who audits the read if it is one)."""
    return UserPage(user, await user_form(scope, form or editable(user), errors or {}, org_q), notice, status_code)


async def user_view(manager: CurrentUser, address: str, user_id: int, notice: str = "", org_q: str = "") -> UserPage:
    """The page of the user ``user_id`` if ``manager`` may manage them (:class:`services.NotFound` otherwise); audited."""
    scope = await services.scope_of(manager)
    user = await services.get_user(scope, user_id)
    await audit.record(manager, address, "read", RECORD, user_id, "user page")
    return await user_page(scope, user, org_q=org_q, notice=notice)
