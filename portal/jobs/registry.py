"""Every background job by name: its function, the key that makes a second enqueue of the same work a no-op, and its limits."""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from portal.i18n import lazy_gettext as _l

__all__ = ["KINDS", "JobKind", "kind"]


@dataclass(frozen=True)
class JobKind:
    """One kind of job. ``target`` is "module:function", imported when the job runs (the services import
    this package to enqueue, so the registry must not import them)."""

    name: str
    target: str
    label: Any
    key: Callable[[Mapping[str, Any]], str]
    timeout: int  # seconds a run may take before it is stopped (and retried)
    retries: int = 3  # attempts in all, on the queue; a wait of 5 s, 10 s, 20 s … (at most a minute) between them
    # Without Redis: await the job in the caller (True) or run it as a task of the web process.
    awaited_in_process: bool = False
    cron: str = ""  # on `portal worker`: when it runs by itself (UTC)

    def function(self) -> Callable[..., Awaitable[Any]]:
        module, name = self.target.split(":")
        return getattr(importlib.import_module(module), name)


def _fixed(key: str) -> Callable[[Mapping[str, Any]], str]:
    return lambda kwargs: key


def _by(prefix: str, field: str) -> Callable[[Mapping[str, Any]], str]:
    return lambda kwargs: f"{prefix}:{kwargs[field]}"


KINDS: dict[str, JobKind] = {
    kind.name: kind
    for kind in (
        # One recompute at a time: a change made while one waits is read by it; one made while it runs
        # is found by the next network_check (it compares the data's last change with the run's start).
        JobKind(
            "network_recompute", "portal.jobs.functions:network_recompute", _l("Network recompute"),
            _fixed("network-recompute"), timeout=1800,
        ),
        JobKind(
            "network_check", "portal.jobs.functions:network_check", _l("Network staleness check"),
            _fixed("cron:network_check"), timeout=60, retries=1, cron="* * * * *",
        ),
        JobKind(
            "network_plan", "portal.network.plan_runs:job", _l("What-if network plan"),
            _by("network-plan", "plan_id"), timeout=1800,
        ),
        JobKind(
            "round_run", "portal.jobs.functions:round_run", _l("Allocation round"),
            _by("round-run", "round_id"), timeout=1800,
        ),
        # Today's Send waits for the referrals without Redis; with it, a job worker makes them.
        JobKind(
            "round_deliver", "portal.jobs.functions:round_deliver", _l("Sending an allocation round"),
            _by("round-deliver", "round_id"), timeout=1800, retries=5, awaited_in_process=True,
        ),
        # The exporter writes its row at the end; a retry after a crash builds the file afresh.
        JobKind(
            "export_file", "portal.downloads.exports:job", _l("Export for download"),
            _by("export", "export_id"), timeout=900,
        ),
        # The public directory copy: built when there is none, and again after 03:15 each night
        # (portal.downloads.exports.NIGHTLY); it only asks for an export_file job, so it is quick.
        JobKind(
            "public_hsds", "portal.downloads.exports:public_job", _l("Public directory copy (when missing, nightly)"),
            _fixed("cron:public_hsds"), timeout=60, retries=1, cron="*/10 * * * *",
        ),
        JobKind(
            "model_training", "portal.jobs.functions:model_training", _l("Outcome model training"),
            _by("model-training", "model_id"), timeout=1800,
        ),
        JobKind(
            "retention", "portal.jobs.functions:retention", _l("Retention (daily)"),
            _fixed("cron:retention"), timeout=3600, cron="30 2 * * *",
        ),
        JobKind(
            "cleanup", "portal.jobs.functions:cleanup", _l("Clean-up (hourly)"),
            _fixed("cron:cleanup"), timeout=600, cron="7 * * * *",
        ),
        # Each place is claimed in the database before it is reminded, so overlapping runs send nothing twice.
        JobKind(
            "training_reminders", "portal.training.reminders:run", _l("Training reminders (every 15 minutes)"),
            _fixed("cron:training_reminders"), timeout=600, retries=1, cron="*/15 * * * *",
        ),
        # Rebuilds the indicators' monthly summary in one transaction, only when it is stale, behind this
        # month or a day old (a nightly rebuild); the page reads live figures meanwhile.
        JobKind(
            "indicator_summary", "portal.indicators.monthly:job", _l("Indicators' monthly summary (when stale)"),
            _fixed("cron:indicator_summary"), timeout=1800, retries=1, cron="*/10 * * * *",
        ),
    )
}  # fmt: skip


def kind(name: str) -> JobKind:
    """The registered job ``name``; a KeyError names the unknown job."""
    return KINDS[name]
