"""Kept answers: asked once within their time, again after it or after forget_all."""

from __future__ import annotations

from portal import cache


async def test_an_answer_is_kept_for_its_time_then_asked_again(monkeypatch):
    clock = [100.0]
    monkeypatch.setattr(cache.time, "monotonic", lambda: clock[0])
    asked = []

    @cache.kept_for(30)
    async def regions() -> list[str]:
        asked.append(1)
        return [f"answer {len(asked)}"]

    assert await regions() == ["answer 1"]
    clock[0] += 29
    assert await regions() == ["answer 1"] and len(asked) == 1
    clock[0] += 2
    assert await regions() == ["answer 2"]
    cache.forget_all()
    assert await regions() == ["answer 3"]
