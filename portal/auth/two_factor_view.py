"""The two-factor settings pages in one call each: the page, and each form's answer (portal.auth.two_factor_forms)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from portal.auth import two_factor, two_factor_forms
from portal.auth.current_user import CurrentUser
from portal.i18n import gettext as _
from portal.outcomes import PageOutcome

PAGE = "/account/two-factor"
TEMPLATE = "account/two_factor.html"
# The new recovery codes are a page of their own, shown this once (pages of a logged-in user are never cached).
CODES_TEMPLATE = "account/recovery_codes.html"


async def settings_context(user: CurrentUser, next_path: str = "", **context: Any) -> dict[str, Any]:
    """What ``account/two_factor.html`` shows: the state, a pending secret with its QR code, and ``context``
    (the form's ``errors``, or why the change was ``refused``). ``next_path`` must be checked (``safe_next``)."""
    state = await two_factor.state(user.id)
    secret = state["secret"] if not state["enabled"] else ""
    qr = ""
    if secret:
        uri = two_factor.provisioning_uri(secret, state["username"])
        qr = two_factor.qr_svg(uri, _("QR code to add this account to an authenticator app"))
    return {
        "state": state,
        "secret": secret,
        "grouped_secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "qr": qr,
        "required": user.role in two_factor.required_roles(),
        "must_enrol": two_factor.must_enrol(user),
        "next": next_path,
        "errors": {},
        "refused": "",
        **context,
    }


def _code_refused(result: two_factor_forms.CodeForm) -> int:
    return 429 if result.throttled else 422


def _new_codes(codes: tuple[str, ...], next_path: str) -> PageOutcome:
    return PageOutcome.show({"codes": list(codes), "next": next_path}, template=CODES_TEMPLATE)


async def settings(user: CurrentUser, next_path: str = "") -> PageOutcome:
    """The settings page; ``next_path`` (checked) is where enrolment continues to."""
    return PageOutcome.show(await settings_context(user, next_path))


async def start(user: CurrentUser, address: str, next_path: str) -> PageOutcome:
    """A new secret, not yet in force; back to the page, which shows its QR code and asks for a code."""
    await two_factor_forms.start(user, address)
    return PageOutcome.go(PAGE + (f"?next={quote(next_path, safe='')}" if next_path else ""))


async def confirm(user: CurrentUser, address: str, code: str, next_path: str) -> PageOutcome:
    """Turn two-factor on: the first recovery codes (then on to ``next_path``), or the page with the error."""
    result = await two_factor_forms.confirm(user, address, code)
    if not result.ok:
        context = await settings_context(user, next_path, errors={"code": result.error})
        return PageOutcome.show(context, _code_refused(result))
    return _new_codes(result.codes, next_path or PAGE)


async def renew_codes(user: CurrentUser, address: str, code: str) -> PageOutcome:
    """New recovery codes, or the page with the error."""
    result = await two_factor_forms.renew_codes(user, address, code)
    if not result.ok:
        context = await settings_context(user, errors={"renew_code": result.error})
        return PageOutcome.show(context, _code_refused(result))
    return _new_codes(result.codes, PAGE)


async def turn_off(user: CurrentUser, address: str, password: str, code: str) -> PageOutcome:
    """Turn two-factor off: back to the page, or the page with the error (403 for a role that must use it)."""
    result = await two_factor_forms.turn_off(user, address, password, code)
    if result.refused:
        return PageOutcome.show(await settings_context(user, refused=result.refused), 403)
    if result.error:
        return PageOutcome.show(await settings_context(user, errors={"off_code": result.error}), _code_refused(result))
    return PageOutcome.go(PAGE)
