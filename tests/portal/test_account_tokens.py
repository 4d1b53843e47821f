"""Invitation and reset tokens: single use, expiring, bound to their purpose."""

from __future__ import annotations

import asyncio
import datetime as dt

from portal.auth import tokens
from portal.db.tables import AccountToken


async def test_a_token_works_once_and_only_for_its_purpose(make_user):
    user_id = await make_user("ana", "counsellor")
    token = await tokens.issue(user_id, tokens.RESET)
    assert await tokens.peek(token, tokens.INVITATION) is None
    assert await tokens.peek(token, tokens.RESET) == user_id
    assert await tokens.redeem(token, tokens.RESET) == user_id
    assert await tokens.redeem(token, tokens.RESET) is None
    assert await tokens.peek(token, tokens.RESET) is None
    stored = await AccountToken.select(AccountToken.token_hash).order_by(AccountToken.id).first()
    assert token not in stored["token_hash"]


async def test_an_expired_token_and_a_superseded_one_do_not_work(make_user):
    user_id = await make_user("ana", "counsellor")
    old = await tokens.issue(user_id, tokens.RESET)
    new = await tokens.issue(user_id, tokens.RESET)
    assert await tokens.redeem(old, tokens.RESET) is None
    await AccountToken.update({AccountToken.expires_at: dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)}).where(
        AccountToken.user == user_id
    )
    assert await tokens.redeem(new, tokens.RESET) is None
    assert await tokens.purge(dt.datetime.now(dt.UTC)) == 1


async def test_two_racing_redemptions_of_one_token_give_one_winner(make_user):
    user_id = await make_user("ana", "counsellor")
    token = await tokens.issue(user_id, tokens.INVITATION)
    results = await asyncio.gather(*(tokens.redeem(token, tokens.INVITATION) for _ in range(5)))
    assert sorted(results, key=lambda r: r is None) == [user_id] + [None] * 4
