"""The shared vocabularies in portal.vocab agree with the flows that use them."""

from __future__ import annotations

from portal.referrals import flow
from portal.vocab import LIVE_REFERRAL_STATUSES


def test_live_referral_statuses_are_referral_statuses_before_the_end():
    assert set(LIVE_REFERRAL_STATUSES) <= set(flow.STATUSES)
    # A live referral can still move on; the statuses it ends in release or never held a turn.
    moves_on = {before for before, _ in flow.TRANSITIONS}
    assert set(LIVE_REFERRAL_STATUSES) <= moves_on
    assert not set(LIVE_REFERRAL_STATUSES) & (flow.RELEASES_PLACE | flow.NEEDS_REASON | {"hired"})
