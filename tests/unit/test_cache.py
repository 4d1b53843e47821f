"""Kept answers: asked once within their time, once again after it (the kept one given meanwhile), anew after forget_all."""

from __future__ import annotations

import asyncio

import pytest

from portal import cache


@pytest.fixture
def clock(monkeypatch):
    now = [100.0]
    monkeypatch.setattr(cache.time, "monotonic", lambda: now[0])
    return now


async def _settled() -> None:
    for _ in range(5):  # let a question under way finish (it awaits nothing slow)
        await asyncio.sleep(0)


async def test_an_answer_is_kept_for_its_time_then_asked_again_once(clock):
    asked = []

    @cache.kept_for(30)
    async def regions() -> list[str]:
        asked.append(1)
        return [f"answer {len(asked)}"]

    assert await regions() == ["answer 1"]
    clock[0] += 29
    assert await regions() == ["answer 1"] and len(asked) == 1
    clock[0] += 2
    # Out of date: the kept answer meanwhile, and one new question for all who ask.
    assert await asyncio.gather(regions(), regions(), regions()) == [["answer 1"]] * 3
    await _settled()
    assert await regions() == ["answer 2"] and len(asked) == 2
    cache.forget_all()
    assert await regions() == ["answer 3"]


async def test_the_first_requests_wait_for_one_question(clock):
    asked = []
    release = asyncio.Event()

    @cache.kept_for(30)
    async def regions() -> list[str]:
        asked.append(1)
        await release.wait()
        return ["answer"]

    waiting = [asyncio.ensure_future(regions()) for _ in range(5)]
    await _settled()
    release.set()
    assert await asyncio.gather(*waiting) == [["answer"]] * 5 and len(asked) == 1


async def test_a_failed_renewal_keeps_the_answer_and_the_next_request_asks_again(clock, caplog):
    answers: list[object] = [["answer 1"], RuntimeError("database away"), ["answer 2"]]

    @cache.kept_for(30)
    async def regions() -> list[str]:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer  # type: ignore[return-value]

    assert await regions() == ["answer 1"]
    clock[0] += 31
    assert await regions() == ["answer 1"]
    await _settled()
    assert "could not renew a kept answer" in caplog.text
    assert await regions() == ["answer 1"]  # asks again meanwhile
    await _settled()
    assert await regions() == ["answer 2"]


async def test_an_answer_asked_before_forget_all_is_not_kept(clock):
    release = asyncio.Event()
    asked = []

    @cache.kept_for(30)
    async def regions() -> list[str]:
        asked.append(1)
        answer = [f"answer {len(asked)}"]
        if len(asked) == 1:
            await release.wait()
        return answer

    first = asyncio.ensure_future(regions())
    await _settled()
    cache.forget_all()  # the data changed while the first question was under way
    assert await regions() == ["answer 2"]
    release.set()
    assert await first == ["answer 1"]  # its caller gets it, but it is not kept
    assert await regions() == ["answer 2"]
