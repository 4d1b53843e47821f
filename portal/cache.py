"""Answers of read-mostly queries kept in this process for a few seconds (filter options and the like)."""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

__all__ = ["FILTER_OPTIONS_SECONDS", "forget_all", "kept_for"]

# Filter choices (regions, municipalities) come from scanning a table: kept this long per process.
FILTER_OPTIONS_SECONDS = 30

T = TypeVar("T")
_forgetters: list[Callable[[], None]] = []


def kept_for(seconds: float) -> Callable[[Callable[[], Awaitable[T]]], Callable[[], Awaitable[T]]]:
    """Keep a no-argument coroutine function's answer for ``seconds``, then ask again.

    For lists every page shows and that change rarely (the regions that hold organisations):
    at a country's scale each is a scan of a large table, and a few seconds' delay before a new
    region appears in a filter harms nobody. Each worker process keeps its own copy.
    """

    def wrap(compute: Callable[[], Awaitable[T]]) -> Callable[[], Awaitable[T]]:
        state: dict[str, Any] = {"value": None, "at": -math.inf}

        @functools.wraps(compute)
        async def cached() -> T:
            now = time.monotonic()
            if now - state["at"] > seconds:
                state["value"], state["at"] = await compute(), now
            return state["value"]

        _forgetters.append(lambda: state.update(value=None, at=-math.inf))
        return cached

    return wrap


def also_forget(forget: Callable[[], None]) -> None:
    """Have ``forget_all`` clear a cache kept elsewhere too (one keyed by arguments, which ``kept_for`` is not)."""
    _forgetters.append(forget)


def forget_all() -> None:
    """Drop every kept answer (tests that change the data and read it back at once)."""
    for forget in _forgetters:
        forget()
