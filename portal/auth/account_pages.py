"""Self-service pages: one's own profile, password and sessions; the forgotten-password links."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.background_tasks import BackgroundTask
from litestar.exceptions import NotFoundException
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from portal.audit import services as audit
from portal.auth import browsers, reset, self_service, sessions
from portal.auth.accounts import MIN_PASSWORD_LENGTH
from portal.auth.guards import login_required, signed_in_user
from portal.auth.link_params import TOKEN_PAGE_HEADERS, Token
from portal.auth.pages import session_cookie
from portal.i18n import LANGUAGES
from portal.i18n import gettext as _
from portal.organisations.params import RecordId
from portal.web.client import client_address
from portal.web.templating import render

RECORD = "user"


def _notices() -> dict[str, str]:
    return {
        "saved": _("Your profile was saved."),
        "password_changed": _("Your password was changed. Your other sessions were ended."),
        "ended": _("The session was ended."),
        "others_ended": _("All your other sessions were ended."),
    }


async def _form(request: Request) -> dict[str, Any]:
    form = await request.form()
    return {key: str(form.get(key) or "")[:1000] for key in form.keys()}


def _language_options() -> dict[str, str]:
    return {"": _("The browser's language"), **LANGUAGES}


class AccountPages(Controller):
    path = "/account"
    include_in_schema = False
    guards = [login_required]

    @get("/", name="account:profile")
    async def profile(self, request: Request, notice: FromQuery[str] = "") -> Template:
        profile = await self_service.profile_of(signed_in_user(request).id)
        return self._profile_page(request, profile, {}, notice=_notices().get(notice, ""))

    @post("/", status_code=303)
    async def save_profile(self, request: Request) -> Redirect | Template:
        user = signed_in_user(request)
        data = await _form(request)
        values, errors = self_service.clean_profile(data)
        stored = await self_service.profile_of(user.id)
        verdict = self_service.OK
        # The e-mail address decides where reset links go: whoever holds a stolen session must not redirect them.
        if not errors and values["email"] != stored["email"]:
            verdict = await self_service.check_password(
                user.username, data.get("current_password", ""), client_address(request)
            )
            if verdict != self_service.OK:
                wrong = _("To change the e-mail address, enter your current password.")
                errors["current_password"] = _password_message(verdict, wrong)
        if errors:
            status = 429 if verdict == self_service.THROTTLED else 422
            return self._profile_page(request, {**stored, **values}, errors, status_code=status)
        changed = await self_service.update_profile(user.id, values)
        if changed:
            await audit.record(
                user, client_address(request), "update", RECORD, user.id, "own profile: " + ", ".join(changed)
            )
        return Redirect(path="/account?notice=saved", status_code=303)

    def _profile_page(
        self, request: Request, profile: dict, errors: dict, notice: str = "", status_code: int = 200
    ) -> Template:
        context = {"profile": profile, "errors": errors, "notice": notice, "languages": _language_options()}
        return render(request, "account/profile.html", context, status_code=status_code)

    @get("/password", name="account:password")
    async def password_form(self, request: Request) -> Template:
        return render(request, "account/password.html", {"errors": {}, "min_length": MIN_PASSWORD_LENGTH})

    @post("/password", status_code=303)
    async def change_password(self, request: Request) -> Redirect | Template:
        user = signed_in_user(request)
        data = await _form(request)
        # Checked (and counted) first, whatever else is wrong: the form must not be a free password oracle.
        verdict = await self_service.check_password(
            user.username, data.get("current_password", ""), client_address(request)
        )
        errors = {}
        if verdict != self_service.OK:
            errors["current_password"] = _password_message(verdict, _("This is not your current password."))
        errors.update(
            self_service.new_password_errors(
                data.get("new_password", ""), data.get("new_password_again", ""), user.username
            )
        )
        if errors:
            status = 429 if verdict == self_service.THROTTLED else 422
            return render(
                request,
                "account/password.html",
                {"errors": errors, "min_length": MIN_PASSWORD_LENGTH},
                status_code=status,
            )
        await self_service.set_password(user.id, data["new_password"])
        ended = await sessions.end_other_sessions(user.id, request.cookies.get(sessions.COOKIE_NAME))
        await audit.record(
            user,
            client_address(request),
            "update",
            RECORD,
            user.id,
            f"own password changed; {ended} other sessions ended",
        )
        await self_service.notify_password_changed(user.id)
        return Redirect(path="/account?notice=password_changed", status_code=303)

    @get("/sessions", name="account:sessions")
    async def session_list(self, request: Request, notice: FromQuery[str] = "") -> Template:
        user = signed_in_user(request)
        rows = await sessions.sessions_of(user.id, request.cookies.get(sessions.COOKIE_NAME))
        for row in rows:
            row["browser"], row["system"] = browsers.describe(row["user_agent"])
        context = {"sessions": rows, "notice": _notices().get(notice, "")}
        return render(request, "account/sessions.html", context)

    @post("/sessions/{session_id:int}/end", status_code=303, raises=[NotFoundException])
    async def end_one(self, request: Request, session_id: RecordId) -> Redirect:
        user = signed_in_user(request)
        current = request.cookies.get(sessions.COOKIE_NAME)
        was_current = any(
            row["id"] == session_id and row["current"] for row in await sessions.sessions_of(user.id, current)
        )
        # Only the user's own: another user's session id is "not found", never ended.
        if not await sessions.end_session_of(user.id, session_id):
            raise NotFoundException()
        await audit.record(user, client_address(request), "update", RECORD, user.id, f"own session {session_id} ended")
        if was_current:
            return Redirect(path="/login", status_code=303, cookies=[session_cookie("", 0)])
        return Redirect(path="/account/sessions?notice=ended", status_code=303)

    @post("/sessions/end-others", status_code=303)
    async def end_others(self, request: Request) -> Redirect:
        user = signed_in_user(request)
        ended = await sessions.end_other_sessions(user.id, request.cookies.get(sessions.COOKIE_NAME))
        await audit.record(
            user, client_address(request), "update", RECORD, user.id, f"{ended} other own sessions ended"
        )
        return Redirect(path="/account/sessions?notice=others_ended", status_code=303)


def _throttled_message() -> str:
    return _("Too many failed attempts. Wait 15 minutes and try again.")


def _password_message(verdict: str, wrong: str) -> str:
    return _throttled_message() if verdict == self_service.THROTTLED else wrong


class PasswordResetPages(Controller):
    path = "/password"
    include_in_schema = False

    @get("/forgot", name="password:forgot", opt={"access": "public"})
    async def forgot_form(self, request: Request) -> Template:
        return render(request, "password/forgot.html", {"sent": False, "identifier": ""})

    @post("/forgot", opt={"access": "public"}, status_code=200)
    async def forgot(self, request: Request) -> Template:
        data = await _form(request)
        identifier = data.get("identifier", "").strip()[:254]
        address = client_address(request)
        if not await reset.note_request(address):
            context = {"sent": False, "identifier": identifier, "error": _too_many_requests()}
            return render(request, "password/forgot.html", context, status_code=429)
        # The same answer, at the same speed, whether or not an account matches: the mail goes out after it.
        page = render(request, "password/forgot.html", {"sent": True, "identifier": ""})
        page.background = BackgroundTask(reset.send_reset_links, identifier, address)
        return page

    @get("/reset/{token:str}", name="password:reset", opt={"access": "public"})
    async def reset_form(self, request: Request, token: Token) -> Template:
        if await reset.username_for_token(token) is None:
            return _dead_link(request)
        return _reset_page(request, token, {})

    @post("/reset/{token:str}", opt={"access": "public"}, status_code=303)
    async def reset(self, request: Request, token: Token) -> Redirect | Template:
        username = await reset.username_for_token(token)
        if username is None:
            return _dead_link(request)
        data = await _form(request)
        errors = self_service.new_password_errors(
            data.get("new_password", ""), data.get("new_password_again", ""), username
        )
        if errors:
            return _reset_page(request, token, errors, status_code=422)  # the link stays usable
        user_id = await reset.reset_password(token, data["new_password"])
        if user_id is None:  # used by a parallel request a moment ago
            return _dead_link(request)
        await audit.record(
            None,
            client_address(request),
            "update",
            RECORD,
            user_id,
            "password reset by e-mail link; all sessions ended",
        )
        await self_service.notify_password_changed(user_id)
        return Redirect(path="/login?notice=password_reset", status_code=303, cookies=[session_cookie("", 0)])


def _too_many_requests() -> str:
    return _("Too many requests from your address. Wait 15 minutes and try again.")


def _reset_page(request: Request, token: str, errors: dict, status_code: int = 200) -> Template:
    page = render(
        request,
        "password/reset.html",
        {"token": token, "errors": errors, "min_length": MIN_PASSWORD_LENGTH},
        status_code=status_code,
    )
    page.headers.update(TOKEN_PAGE_HEADERS)
    return page


def _dead_link(request: Request) -> Template:
    """410 Gone: the link will never work again. Unknown, used, expired and other-purpose links all look
    the same, so the page tells nothing about which accounts or links exist."""
    page = render(request, "password/reset_gone.html", {}, status_code=410)
    page.headers.update(TOKEN_PAGE_HEADERS)
    return page
