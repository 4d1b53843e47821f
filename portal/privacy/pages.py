"""Pages for data-protection rights: a participant's export and erasure, the retention report, records of processing.

Export and erasure are for the case's lead counsellor and for administrators. Coordinators may
not: they run allocation rounds on pseudonymous codes and read no one's personal record, and an
export holds every personal and special-category field; a person's request goes through their
lead counsellor, or an administrator when the lead is away.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import QueryParameter
from litestar.response import Redirect, Template

from portal.audit import services as audit
from portal.auth import reset
from portal.auth.current_user import CurrentUser
from portal.auth.guards import admin_only, network_manager, roles_allowed, signed_in_user
from portal.auth.roles import ADMIN, COUNSELLOR
from portal.cases import services as cases
from portal.cases.profiling import CRITERIA
from portal.cases.view import vocabularies
from portal.clock import utc_now
from portal.db.rows import existing
from portal.db.tables import Participant
from portal.downloads import exports as download_exports
from portal.employers.introductions import STATUSES as INTRODUCTION_STATUSES
from portal.i18n import LANGUAGES, current_language
from portal.i18n import gettext as _
from portal.i18n.core import set_language
from portal.organisations.params import RecordId
from portal.placements import attendance, responses
from portal.privacy import erasure, export, processing, retention
from portal.referrals.flow import STATUSES as REFERRAL_STATUSES
from portal.service_errors import Refused
from portal.settings import get_settings
from portal.vocab import STAGES
from portal.web.client import client_address
from portal.web.context import own_keys
from portal.web.templating import render

RECORD = "participant"
LanguageChoice = Annotated[str, QueryParameter(max_length=5)]
CodeQuery = Annotated[str, QueryParameter(max_length=20)]
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


async def _lead_or_admin(request: Request, participant_id: int) -> CurrentUser:
    """The reader, if they lead the case or are an administrator; else 404 (not on the case) or 403 (on its team)."""
    user = signed_in_user(request)
    if user.role == ADMIN:
        if not await Participant.exists().where(Participant.id == participant_id):
            raise NotFoundException()
        return user
    access = await cases.access_for(user, participant_id)
    if access is None:
        raise NotFoundException()  # whether a case exists is itself personal
    if not access.is_lead:
        raise PermissionDeniedException("only the lead counsellor or an administrator may do this")
    return user


def _labels() -> dict[str, Any]:
    """The case pages' vocabularies, with the criteria by code, and the names the export document adds."""
    return {
        **vocabularies(),
        "criteria": {c.code: c for c in CRITERIA},
        "referral_statuses": REFERRAL_STATUSES,
        "introduction_statuses": INTRODUCTION_STATUSES,
        "languages": LANGUAGES,
        "attendance_statuses": attendance.STATUSES,
        "response_steps": responses.STEPS,
    }


def _erase_context(case: dict[str, Any], form: dict[str, str], errors: dict[str, str], **extra: Any) -> dict[str, Any]:
    return {
        "case": case,
        "form": form,
        "errors": errors,
        "reasons": erasure.REASONS,
        "reason_label": erasure.reason_label,
        "stages": STAGES,
        **extra,
    }


async def _case_for_erasure(participant_id: int) -> dict[str, Any]:
    """The case's row; `_lead_or_admin` has found the case already."""
    return await existing(
        Participant.select(
            Participant.id,
            Participant.code,
            Participant.first_name,
            Participant.last_name,
            Participant.stage,
            Participant.pseudonymised_at,
            Participant.pseudonymised_reason,
            Participant.lead_counsellor,
        )
        .where(Participant.id == participant_id)
        .first()
    )


def _clean_erasure(form: dict[str, str], code: str) -> tuple[str, dict[str, str]]:
    errors: dict[str, str] = {}
    reason = form.get("reason", "")
    other = form.get("other_reason", "").strip()
    if reason not in erasure.REASONS:
        errors["reason"] = _("Choose the legal reason.")
    elif reason == "other" and not other:
        errors["other_reason"] = _("Say what the reason is.")
    elif reason == "other" and (len(other) > erasure.OTHER_MAX or _CONTROL.search(other)):
        errors["other_reason"] = _("Write the reason on one line of at most %(n)s characters.") % {
            "n": erasure.OTHER_MAX
        }
    if form.get("confirm_code", "").strip().upper() != code:
        errors["confirm_code"] = _("Type the case code %(code)s to confirm.") % {"code": code}
    return erasure.stored_reason(reason, other), errors


class CasePrivacyPages(Controller):
    path = "/cases/{participant_id:int}"
    include_in_schema = False
    guards = [roles_allowed(ADMIN, COUNSELLOR)]

    @get("/export.json", name="privacy:export_json")
    async def export_json(self, request: Request, participant_id: RecordId) -> Response:
        user = await _lead_or_admin(request, participant_id)
        document = await export.subject_access(participant_id)
        await audit.record(
            user, client_address(request), "export", RECORD, participant_id, "subject access export (JSON)"
        )
        return Response(
            content=export.as_json(document),
            media_type="application/json",
            headers={
                "Content-Disposition": f'attachment; filename="{export.filename(document)}"',
                "Cache-Control": "no-store",
            },
        )

    @get("/export", name="privacy:export")
    async def export_page(self, request: Request, participant_id: RecordId, language: LanguageChoice = "") -> Template:
        """The same export as a page to read or print, in the person's language unless the reader picks another."""
        user = await _lead_or_admin(request, participant_id)
        document = await export.gather(participant_id)
        await audit.record(
            user, client_address(request), "export", RECORD, participant_id, "subject access export (page)"
        )
        chosen = (
            language
            if language in LANGUAGES
            else export.export_language(document["participant"]["languages"], current_language())
        )
        set_language(chosen)  # the whole page, navigation included, for the rest of this request
        own_keys(request.scope)["portal_language"] = chosen
        context = {"d": document, "participant_id": participant_id, "reason_label": erasure.reason_label, **_labels()}
        return render(request, "privacy/export.html", context)

    @get("/erase", name="privacy:erase")
    async def erase_form(self, request: Request, participant_id: RecordId) -> Template:
        user = await _lead_or_admin(request, participant_id)
        case = await _case_for_erasure(participant_id)
        if not case["pseudonymised_at"]:
            await audit.record(user, client_address(request), "read", RECORD, participant_id, "erasure form")
        return render(request, "privacy/erase.html", _erase_context(case, {}, {}))

    @post("/erase", status_code=303)
    async def erase(self, request: Request, participant_id: RecordId) -> Template | Redirect:
        user = await _lead_or_admin(request, participant_id)
        case = await _case_for_erasure(participant_id)
        if case["pseudonymised_at"]:
            return render(request, "privacy/erase.html", _erase_context(case, {}, {}), status_code=409)
        raw = await request.form()
        form = {key: str(raw.get(key) or "") for key in ("reason", "other_reason", "confirm_code")}
        reason, errors = _clean_erasure(form, case["code"])
        if errors:
            await audit.record(user, client_address(request), "read", RECORD, participant_id, "erasure form again")
            return render(request, "privacy/erase.html", _erase_context(case, form, errors), status_code=422)
        try:
            await erasure.pseudonymise(participant_id, reason, erasure.Actor.of(user, client_address(request)))
        except Refused:  # someone else pseudonymised it a moment ago
            case = await _case_for_erasure(participant_id)
            return render(request, "privacy/erase.html", _erase_context(case, {}, {}), status_code=409)
        if case["lead_counsellor"] == user.id:
            return Redirect(path=f"/cases/{participant_id}", status_code=303)
        return Redirect(path=f"/cases/{participant_id}/erase", status_code=303)


class PrivacyAdminPages(Controller):
    path = "/admin"
    include_in_schema = False

    @get("/retention", name="privacy:retention", guards=[admin_only])
    async def retention_report(self, request: Request, code: CodeQuery = "") -> Template:
        """The dry run of the retention job, what comes due next, the settings, and a case finder for requests."""
        now = utc_now()
        report = await retention.run_retention(now, dry_run=True)
        upcoming, upcoming_total = await retention.upcoming_cases(now)
        found = None
        code = code.strip().upper()
        if code:
            found = (
                await Participant.select(
                    Participant.id, Participant.code, Participant.stage, Participant.pseudonymised_at
                )
                .where(Participant.code == code)
                .first()
            )
        context = {
            "report": report,
            "upcoming": upcoming,
            "upcoming_total": upcoming_total,
            "settings": get_settings(),
            "closed_stages": [STAGES[s] for s in retention.CLOSED_STAGES],
            "limits": {
                "login_attempts": retention.LOGIN_ATTEMPTS_KEPT.days,
                "expired_sessions": 0,
                "read_notifications": retention.READ_NOTIFICATIONS_KEPT.days,
                "account_tokens": retention.ACCOUNT_TOKENS_KEPT.days,
                "password_reset_hours": int(reset.ACCOUNT_WINDOW.total_seconds() // 3600),
                "training_signup_attempts": retention.SIGNUP_ATTEMPTS_KEPT.days,
                "export_hours": int(download_exports.KEPT.total_seconds() // 3600),
            },
            "code": code,
            "found": found,
            "stages": STAGES,
            "shown": 100,
        }
        return render(request, "privacy/retention.html", context)

    @get("/processing", name="privacy:processing", guards=[network_manager])
    async def records_of_processing(self, request: Request) -> Template:
        context = {"tables": processing.records(), "missing": processing.missing_entries(), "settings": get_settings()}
        return render(request, "privacy/processing.html", context)
