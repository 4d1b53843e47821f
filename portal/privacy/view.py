"""The privacy pages' data in one call each: a participant's export (page or JSON) and erasure, the retention report."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from portal.audit import services as audit
from portal.auth import reset
from portal.auth.current_user import CurrentUser
from portal.auth.roles import ADMIN
from portal.cases import services as cases
from portal.cases.profiling import CRITERIA
from portal.cases.view import vocabularies
from portal.clock import utc_now
from portal.downloads import exports as download_exports
from portal.employers.introductions import STATUSES as INTRODUCTION_STATUSES
from portal.i18n import LANGUAGES, current_language
from portal.i18n import gettext as _
from portal.placements import attendance, responses
from portal.privacy import erasure, export, processing, retention
from portal.referrals.flow import STATUSES as REFERRAL_STATUSES
from portal.service_errors import NotFound, Refused
from portal.settings import Settings, get_settings
from portal.vocab import STAGES

RECORD = "participant"
LEAD_ONLY = "lead_only"  # the code of the Refused raised to a case team member who does not lead the case
RETENTION_SHOWN = 100  # the due cases the retention page lists
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


async def check_lead_or_admin(user: CurrentUser, participant_id: int) -> None:
    """Pass when ``user`` leads the case or is an administrator.

    :class:`NotFound` when the case does not exist or ``user`` is not on it (whether a case exists is
    itself personal), ``Refused(LEAD_ONLY)`` when they are on its team without leading it."""
    if user.role == ADMIN:
        if not await erasure.case_exists(participant_id):
            raise NotFound()
        return
    access = await cases.access_for(user, participant_id)
    if access is None:
        raise NotFound()
    if not access.is_lead:
        raise Refused(LEAD_ONLY)


# --- the export ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class JsonExport:
    """The subject access export as a JSON file to download."""

    content: bytes
    filename: str


async def export_json_view(user: CurrentUser, address: str, participant_id: int) -> JsonExport:
    """The export as JSON for the case's lead or an administrator (see :func:`check_lead_or_admin`); audited."""
    await check_lead_or_admin(user, participant_id)
    document = await export.subject_access(participant_id)
    await audit.record(user, address, "export", RECORD, participant_id, "subject access export (JSON)")
    return JsonExport(export.as_json(document), export.filename(document))


def export_labels() -> dict[str, Any]:
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


@dataclass(frozen=True)
class ExportPage:
    """The export as a page to read or print, and the language it is to be shown in (the whole page's)."""

    document: dict[str, Any]  # the document of portal.privacy.export.gather, as the JSON export holds it
    participant_id: int
    language: str

    def template_context(self) -> dict[str, Any]:
        """The names ``privacy/export.html`` reads."""
        return {
            "d": self.document,
            "participant_id": self.participant_id,
            "reason_label": erasure.reason_label,
            **export_labels(),
        }


async def export_page_view(user: CurrentUser, address: str, participant_id: int, language: str = "") -> ExportPage:
    """The export page, in ``language`` when it is one of the portal's, else in the person's (or the reader's)."""
    await check_lead_or_admin(user, participant_id)
    document = await export.gather(participant_id)
    await audit.record(user, address, "export", RECORD, participant_id, "subject access export (page)")
    chosen = (
        language
        if language in LANGUAGES
        else export.export_language(document["participant"]["languages"], current_language())
    )
    return ExportPage(document, participant_id, chosen)


# --- erasure ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ErasePage:
    """The erasure form for one case (or, once pseudonymised, when and why), with a refused form's input."""

    case: erasure.ErasureCase
    form: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    status_code: int = 200

    def template_context(self) -> dict[str, Any]:
        """The names ``privacy/erase.html`` reads."""
        return {
            "case": self.case,
            "form": self.form,
            "errors": self.errors,
            "reasons": erasure.REASONS,
            "reason_label": erasure.reason_label,
            "stages": STAGES,
        }


@dataclass(frozen=True)
class ErasureOutcome:
    """After an erasure form is sent: where to go when the case was pseudonymised, else the form again."""

    redirect: str = ""
    page: ErasePage | None = None


async def _case(participant_id: int) -> erasure.ErasureCase:
    case = await erasure.case_for_erasure(participant_id)
    if case is None:  # deleted since the access check
        raise NotFound()
    return case


async def erase_view(user: CurrentUser, address: str, participant_id: int) -> ErasePage:
    """The erasure form; reading the case's name is audited unless it is already pseudonymised."""
    await check_lead_or_admin(user, participant_id)
    case = await _case(participant_id)
    if not case.pseudonymised_at:
        await audit.record(user, address, "read", RECORD, participant_id, "erasure form")
    return ErasePage(case)


def clean_erasure(form: dict[str, str], code: str) -> tuple[str, dict[str, str]]:
    """The reason to store, and the errors of the form (the reason, and the case code typed to confirm)."""
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


async def erase(user: CurrentUser, address: str, participant_id: int, form: dict[str, str]) -> ErasureOutcome:
    """Pseudonymise the case from the erasure ``form``, or say why not (409 already done, 422 bad input)."""
    await check_lead_or_admin(user, participant_id)
    case = await _case(participant_id)
    if case.pseudonymised_at:
        return ErasureOutcome(page=ErasePage(case, status_code=409))
    reason, errors = clean_erasure(form, case.code)
    if errors:
        await audit.record(user, address, "read", RECORD, participant_id, "erasure form again")
        return ErasureOutcome(page=ErasePage(case, form, errors, status_code=422))
    try:
        await erasure.pseudonymise(participant_id, reason, erasure.Actor.of(user, address))
    except Refused:  # someone else pseudonymised it a moment ago
        return ErasureOutcome(page=ErasePage(await _case(participant_id), status_code=409))
    # The lead goes back to the (now pseudonymised) case; an administrator to the form, which says it is done.
    if case.lead_counsellor == user.id:
        return ErasureOutcome(redirect=f"/cases/{participant_id}")
    return ErasureOutcome(redirect=f"/cases/{participant_id}/erase")


# --- the administrators' pages ---------------------------------------------------------------------


@dataclass(frozen=True)
class RetentionPage:
    """The retention job's dry run, the cases due next, the limits and settings, and a case found by its code."""

    report: retention.RetentionReport
    upcoming: list[dict[str, Any]]
    upcoming_total: int
    settings: Settings
    code: str
    found: retention.FoundCase | None

    def template_context(self) -> dict[str, Any]:
        """The names ``privacy/retention.html`` reads."""
        return {
            "report": self.report,
            "upcoming": self.upcoming,
            "upcoming_total": self.upcoming_total,
            "settings": self.settings,
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
            "code": self.code,
            "found": self.found,
            "stages": STAGES,
            "shown": RETENTION_SHOWN,
        }


async def retention_view(code: str = "", now: dt.datetime | None = None) -> RetentionPage:
    """The retention page at ``now``; ``code`` (as typed) finds a case for a person's request."""
    now = now or utc_now()
    report = await retention.run_retention(now, dry_run=True)
    upcoming, upcoming_total = await retention.upcoming_cases(now)
    code = code.strip().upper()
    found = await retention.find_case(code) if code else None
    return RetentionPage(report, upcoming, upcoming_total, get_settings(), code, found)


@dataclass(frozen=True)
class ProcessingPage:
    """The records of processing (GDPR Art. 30), the tables still without one, and the settings they quote."""

    tables: list[processing.TableRecord]
    missing: list[str]
    settings: Settings

    def template_context(self) -> dict[str, Any]:
        """The names ``privacy/processing.html`` reads."""
        return {"tables": self.tables, "missing": self.missing, "settings": self.settings}


def processing_view() -> ProcessingPage:
    return ProcessingPage(processing.records(), processing.missing_entries(), get_settings())
