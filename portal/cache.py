"""Answers of read-mostly queries kept in this process for a few seconds (filter options and the like)."""

from __future__ import annotations

import asyncio
import contextvars
import functools
import logging
import math
import time
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar, cast

__all__ = ["FILTER_OPTIONS_SECONDS", "forget_all", "kept_for"]

# Filter choices (regions, municipalities) come from scanning a table: kept this long per process.
FILTER_OPTIONS_SECONDS = 30

T = TypeVar("T")
_forgetters: list[Callable[[], None]] = []


def kept_for(seconds: float) -> Callable[[Callable[[], Awaitable[T]]], Callable[[], Awaitable[T]]]:
    """Keep a no-argument coroutine function's answer for ``seconds``, then ask again, once.

    For lists every page shows and that change rarely (the regions that hold organisations):
    at a country's scale each is a scan of a large table, and a few seconds' delay before a new
    region appears in a filter harms nobody. Each worker process keeps its own copy.

    One question at a time: requests that find the answer out of date get the kept one while a
    single new question is asked (only the first ever waits for it, all of them on the same
    one). Asked by every request at once, the open opportunities' regions (200 ms at a country's
    scale) held sixteen connections' pages up to 700 ms every half minute.
    """

    def wrap(compute: Callable[[], Awaitable[T]]) -> Callable[[], Awaitable[T]]:
        kept = _Kept(compute, seconds)
        _forgetters.append(kept.forget)

        @functools.wraps(compute)
        async def cached() -> T:
            return await kept.get()

        return cached

    return wrap


class _Kept(Generic[T]):
    """One kept answer, when it was asked, and the question under way."""

    def __init__(self, compute: Callable[[], Awaitable[T]], seconds: float) -> None:
        self.compute, self.seconds = compute, seconds
        self.value: Any = None
        self.at = -math.inf
        self.asking: asyncio.Task[T] | None = None
        self.generation = 0  # forget() moves it on: an answer asked before then is not kept

    async def get(self) -> T:
        if time.monotonic() - self.at <= self.seconds:
            return cast(T, self.value)
        asking = self._ask()
        if self.at == -math.inf:
            # Nothing to give meanwhile: wait, without cancelling the others' question if this request goes.
            return await asyncio.shield(asking)
        return cast(T, self.value)

    def _ask(self) -> asyncio.Task[T]:
        loop = asyncio.get_running_loop()
        if self.asking is None or self.asking.get_loop() is not loop:  # (a command's loop that has ended)
            # In a context of its own: not the first caller's (its transaction, say), which it outlives.
            self.asking = loop.create_task(self._answer(self.generation), context=contextvars.Context())
            self.asking.add_done_callback(_log_failure)
        return self.asking

    async def _answer(self, generation: int) -> T:
        try:
            value = await self.compute()
        finally:
            if generation == self.generation:
                self.asking = None
        if generation == self.generation:
            self.value, self.at = value, time.monotonic()
        return value

    def forget(self) -> None:
        self.value, self.at, self.asking = None, -math.inf, None
        self.generation += 1


def _log_failure(task: asyncio.Task[Any]) -> None:
    # Those given the kept answer meanwhile never see this failure: logged here; the next request asks again.
    if not task.cancelled() and task.exception() is not None:
        logging.getLogger(__name__).error("could not renew a kept answer", exc_info=task.exception())


def also_forget(forget: Callable[[], None]) -> None:
    """Have ``forget_all`` clear a cache kept elsewhere too (one keyed by arguments, which ``kept_for`` is not)."""
    _forgetters.append(forget)


def forget_all() -> None:
    """Drop every kept answer (tests that change the data and read it back at once)."""
    for forget in _forgetters:
        forget()
