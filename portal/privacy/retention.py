"""The retention job: closed cases pseudonymised after the retention period, and short limits on operational data.

A plain async function: the job queue runs it daily (``retention`` in portal.jobs.registry), the
CLI by hand, and /admin/retention as a dry run.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from portal.auth import reset, tokens
from portal.db.tables import (
    AccountToken,
    ExportFile,
    LoginAttempt,
    Notification,
    Participant,
    PasswordResetRequest,
    TrainingEvent,
    TrainingRegistration,
    TrainingSignupAttempt,
    UserSession,
)
from portal.privacy import erasure
from portal.service_errors import Refused
from portal.settings import get_settings

logger = logging.getLogger(__name__)

# A case is closed at one of these stages; it closed when it last changed stage (portal.vocab.STAGES).
CLOSED_STAGES = ("exit", "employment")
LOGIN_ATTEMPTS_KEPT = dt.timedelta(days=1)  # throttling looks back 15 minutes
READ_NOTIFICATIONS_KEPT = dt.timedelta(days=180)
ACCOUNT_TOKENS_KEPT = dt.timedelta(days=30)  # after they were used or expired
SIGNUP_ATTEMPTS_KEPT = dt.timedelta(days=1)  # the public training form looks back an hour
REASON = "retention"

_CLOSED = (
    "SELECT participant.id AS id, participant.code AS code, participant.stage AS stage,"
    " COALESCE((SELECT MAX(stage_change.changed_at) FROM stage_change"
    " WHERE stage_change.participant = participant.id), participant.updated_at) AS closed_at"
    " FROM participant WHERE participant.stage IN ({stages}) AND participant.pseudonymised_at IS NULL"
).format(stages=", ".join(f"'{stage}'" for stage in CLOSED_STAGES))


def _moment(value: Any) -> dt.datetime:
    """A timestamp from a raw query: PostgreSQL gives datetimes, SQLite the stored text."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _period() -> dt.timedelta:
    return dt.timedelta(days=get_settings().retention_days)


def _cases(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    period = _period()
    cases = []
    for row in rows:
        closed_at = _moment(row["closed_at"])
        cases.append({**row, "closed_at": closed_at, "due_at": closed_at + period})
    return cases


async def due_cases(now: dt.datetime) -> list[dict[str, Any]]:
    """Closed, not yet pseudonymised cases whose closing is older than the retention period, oldest first."""
    rows = await Participant.raw(
        f"SELECT id, code, stage, closed_at FROM ({_CLOSED}) AS closed WHERE closed_at < {{}} ORDER BY closed_at, id",
        now - _period(),
    )
    return _cases(rows)


async def due_count(now: dt.datetime, cap: int) -> int:
    """How many cases :func:`due_cases` would list, counted up to ``cap`` (the admin's home page)."""
    rows = await Participant.raw(
        f"SELECT COUNT(*) AS n FROM (SELECT id FROM ({_CLOSED}) AS closed WHERE closed_at < {{}} LIMIT {{}}) AS due",
        now - _period(),
        cap,
    )
    return rows[0]["n"]


async def upcoming_cases(now: dt.datetime, limit: int = 50) -> tuple[list[dict[str, Any]], int]:
    """The closed cases that come due next (each with ``due_at``), at most ``limit``, and how many there are."""
    cutoff = now - _period()
    rows = await Participant.raw(
        f"SELECT id, code, stage, closed_at FROM ({_CLOSED}) AS closed WHERE closed_at >= {{}}"
        " ORDER BY closed_at, id LIMIT {}",
        cutoff,
        limit,
    )
    total = await Participant.raw(f"SELECT COUNT(*) AS n FROM ({_CLOSED}) AS closed WHERE closed_at >= {{}}", cutoff)
    return _cases(rows), total[0]["n"]


@dataclass(frozen=True)
class FoundCase:
    """A case found by its code for a person's request: no name, only what leads to its export or erasure."""

    id: int
    code: str
    stage: str
    pseudonymised_at: dt.datetime | None


async def find_case(code: str) -> FoundCase | None:
    """The case with exactly this code (codes are stored in capitals), or None."""
    row = (
        await Participant.select(Participant.id, Participant.code, Participant.stage, Participant.pseudonymised_at)
        .where(Participant.code == code)
        .first()
    )
    return None if row is None else FoundCase(**row)


def _limits(now: dt.datetime) -> dict[str, tuple[Any, Any]]:
    """Each short-lived kind of record: its table and the condition of the rows past their limit."""
    token_cutoff = now - ACCOUNT_TOKENS_KEPT
    return {
        "login_attempts": (LoginAttempt, LoginAttempt.attempted_at < now - LOGIN_ATTEMPTS_KEPT),
        "expired_sessions": (UserSession, UserSession.expires_at < now),
        "read_notifications": (
            Notification,
            Notification.read.eq(True) & (Notification.created_at < now - READ_NOTIFICATIONS_KEPT),
        ),
        "account_tokens": (
            AccountToken,
            (AccountToken.expires_at < token_cutoff) | (AccountToken.used_at < token_cutoff),
        ),
        "password_reset_requests": (
            PasswordResetRequest,
            PasswordResetRequest.requested_at < now - reset.ACCOUNT_WINDOW,
        ),
        "training_signup_attempts": (
            TrainingSignupAttempt,
            TrainingSignupAttempt.attempted_at < now - SIGNUP_ATTEMPTS_KEPT,
        ),
        # Big downloads kept for their asker (portal.downloads.exports): the pages hide them once expired.
        "expired_exports": (ExportFile, ExportFile.expires_at < now),
    }


def _external_registrations_due(now: dt.datetime) -> Any:
    """Registrations of people without an account (the public form) whose event ended a retention period ago
    and that still hold a name or an address. The row stays, so the event's figures do not change."""
    ended = TrainingEvent.select(TrainingEvent.id).where(TrainingEvent.ends_at < now - _period())
    return (
        TrainingRegistration.user.is_null()
        & TrainingRegistration.event.is_in(ended)
        & ((TrainingRegistration.name != "") | (TrainingRegistration.email != ""))
    )


@dataclass
class RetentionReport:
    """What one run found (a dry run) or did."""

    now: dt.datetime
    dry_run: bool
    retention_days: int
    cases: list[dict[str, Any]] = field(default_factory=list)  # due (dry run) or pseudonymised now
    failed: list[str] = field(default_factory=list)  # codes whose pseudonymisation failed; tried again next run
    limits: dict[str, int] = field(default_factory=dict)  # records past their limit: found or removed

    @property
    def cutoff(self) -> dt.datetime:
        return self.now - dt.timedelta(days=self.retention_days)

    def lines(self) -> list[str]:
        """The report as plain lines for the command line and the log."""
        verb = "would be pseudonymised" if self.dry_run else "pseudonymised"
        out = [f"retention {self.retention_days} days: cases closed before {self.cutoff:%Y-%m-%d %H:%M} UTC"]
        out += [f"  {c['code']} ({c['stage']}, closed {c['closed_at']:%Y-%m-%d}) {verb}" for c in self.cases]
        out.append(f"{len(self.cases)} case(s) {verb}")
        out += [f"{code} could not be pseudonymised; it is tried again on the next run" for code in self.failed]
        gone = "would be removed" if self.dry_run else "removed"
        out += [f"{name.replace('_', ' ')}: {count} {gone}" for name, count in self.limits.items()]
        return out


async def run_retention(now: dt.datetime, dry_run: bool) -> RetentionReport:
    """Pseudonymise the cases past retention and drop operational records past their limits (or only count them)."""
    report = RetentionReport(now=now, dry_run=dry_run, retention_days=get_settings().retention_days)
    due = await due_cases(now)
    if dry_run:
        report.cases = due
    else:
        for case in due:
            try:
                await erasure.pseudonymise(case["id"], REASON, erasure.RETENTION, now=now)
            except Refused:
                continue  # pseudonymised by someone else since it was listed
            except Exception:  # one case's failure must not stop the rest; its transaction rolled back
                logger.exception("retention: could not pseudonymise %s", case["code"])
                report.failed.append(case["code"])
                continue
            report.cases.append(case)
    for name, (table, condition) in _limits(now).items():
        if dry_run:
            report.limits[name] = await table.count().where(condition)
        elif name == "account_tokens":
            report.limits[name] = await tokens.purge(now - ACCOUNT_TOKENS_KEPT)
        else:
            report.limits[name] = len(await table.delete().where(condition).returning(table.id))
    due_registrations = _external_registrations_due(now)
    if dry_run:
        report.limits["external_training_registrations"] = await TrainingRegistration.count().where(due_registrations)
    else:
        cleared = TrainingRegistration.update(
            {TrainingRegistration.name: "", TrainingRegistration.email: "", TrainingRegistration.organisation_name: ""}
        )
        report.limits["external_training_registrations"] = len(
            await cleared.where(due_registrations).returning(TrainingRegistration.id)
        )
    return report
