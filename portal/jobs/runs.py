"""One lifecycle for a background run kept on its own row: running with progress, then done or failed.

The network snapshot, allocation rounds, outcome models and what-if plans each keep their runs in
their own table with the columns ``status``, ``started_at``, ``finished_at``, ``error`` (and
``progress`` where a page shows a bar). A run whose process died stays ``running``: past its
area's ``stale_after`` the pages read it as failed, and the hourly clean-up
(:func:`portal.jobs.functions.cleanup`) writes that down.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any

from piccolo.columns import Column
from piccolo.table import Table

from portal.clock import utc_now
from portal.db.engine import as_utc

__all__ = ["DONE", "FAILED", "RUNNING", "Runs", "failure"]

RUNNING, DONE, FAILED = "running", "done", "failed"
ERROR_LIMIT = 2000  # characters of a failure's reason kept


def failure(exc: BaseException) -> str:
    """How a run's failure is recorded: the exception's type and message."""
    return f"{type(exc).__name__}: {exc}"


@dataclass(frozen=True)
class Runs:
    """The runs kept in ``table``; ``finished`` is the status of a run that completed ("ready" for a
    round waiting for review); ``started`` names the column holding when it started (an export's
    run starts when it is asked for: ``created_at``)."""

    table: type[Table]
    stale_after: dt.timedelta
    finished: str = DONE
    started: str = "started_at"

    def _column(self, name: str) -> Column:
        return self.table._meta.get_column_by_name(name)

    @property
    def _id(self) -> Column:
        return self.table._meta.primary_key

    def _has_progress(self) -> bool:
        return any(column._meta.name == "progress" for column in self.table._meta.columns)

    def _starting(self) -> dict[str, Any]:
        """The columns a run starts with, by name."""
        values: dict[str, Any] = {"status": RUNNING, self.started: utc_now()}
        if self._has_progress():
            values["progress"] = 0
        return values

    async def start(self, **values: Any) -> int:
        """A new run from now, at progress 0 and without an error, with the row's other ``values``; its id."""
        rows = await self.table.insert(self.table(**{"error": "", **values, **self._starting()}))
        return rows[0]["id"]

    async def restart(self, run_id: int) -> bool:
        """Run the existing row ``run_id`` again from now, unless a live run of it is under way; whether it starts."""
        started_at, status = self._column(self.started), self._column("status")
        idle = (status != RUNNING) | (started_at < utc_now() - self.stale_after)
        changes: dict[Column | str, Any] = {"error": ""}
        changes.update({self._column(name): value for name, value in self._starting().items()})
        started = await self.table.update(changes).where((self._id == run_id) & idle).returning(self._id)
        return bool(started)

    async def status_of(self, run_id: int) -> str | None:
        """The stored status of run ``run_id``, None when there is no such row: a job runs only a
        ``running`` one (an earlier attempt of the same job may have finished it)."""
        status = self._column("status")
        row = await self.table.select(status).where(self._id == run_id).first()
        return None if row is None else row["status"]

    async def progress(self, run_id: int, percent: int) -> None:
        """How far the run is, 0 to 100, for the progress bar that polls its row."""
        await self.table.update({self._column("progress"): percent}).where(self._id == run_id)

    async def finish(self, run_id: int, **values: Any) -> None:
        """The run completed: its ``finished`` status, progress 100, the time, and its results ``values``."""
        done: dict[Column | str, Any] = {self._column("status"): self.finished, self._column("finished_at"): utc_now()}
        if self._has_progress():
            done[self._column("progress")] = 100
        done.update({self._column(name): value for name, value in values.items()})
        await self.table.update(done).where(self._id == run_id)

    async def fail(self, run_id: int, reason: str) -> None:
        """The run failed: the time and why (see :func:`failure`); its earlier results stay."""
        await self.table.update(
            {
                self._column("status"): FAILED,
                self._column("finished_at"): utc_now(),
                self._column("error"): reason[:ERROR_LIMIT],
            }
        ).where(self._id == run_id)

    @contextlib.asynccontextmanager
    async def recorded(self, run_id: int, logger: logging.Logger, what: str) -> AsyncIterator[None]:
        """The body of run ``run_id``: an exception in it is logged and recorded as the run's failure,
        never raised (the run's page says what went wrong); else how long it took is logged."""
        started = time.perf_counter()
        try:
            yield
        except Exception as exc:  # reported on the run's page, not raised
            logger.exception("%s %s failed", what, run_id)
            await self.fail(run_id, failure(exc))
        else:
            logger.info("%s %s took %.2f s", what, run_id, time.perf_counter() - started)

    def is_stale(self, row: Mapping[str, Any], now: dt.datetime | None = None) -> bool:
        """``row`` (with its status and start) is still ``running`` though its process must have ended."""
        started_at = row[self.started]
        if row["status"] != RUNNING or started_at is None:
            return False
        return (now or utc_now()) - as_utc(started_at) >= self.stale_after

    def is_running(self, row: Mapping[str, Any], now: dt.datetime | None = None) -> bool:
        """``row`` is a run under way: ``running`` and not stale."""
        return row["status"] == RUNNING and not self.is_stale(row, now)

    def shown_status(self, row: Mapping[str, Any]) -> str:
        """The status a page shows: a stale run as failed."""
        return FAILED if self.is_stale(row) else row["status"]

    async def newest_running(self) -> dict[str, Any] | None:
        """The newest run under way (``id`` and its start), None when there is none or it is stale."""
        status, started_at = self._column("status"), self._column(self.started)
        row = (
            await self.table.select(self._id, started_at)
            .where(status == RUNNING)
            .order_by(self._id, ascending=False)
            .first()
        )
        return row if row is not None and self.is_running({"status": RUNNING, **row}) else None

    async def fail_stale(self, reason: str, now: dt.datetime) -> int:
        """Record as failed, with ``reason``, every run still ``running`` past ``stale_after``; how many."""
        status, started_at = self._column("status"), self._column(self.started)
        stopped = (
            await self.table.update({status: FAILED, self._column("error"): reason, self._column("finished_at"): now})
            .where((status == RUNNING) & (started_at < now - self.stale_after))
            .returning(self._id)
        )
        return len(stopped)
