"""The capacity race across processes: 120 accepts at once through two `portal serve` workers on PostgreSQL."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pytest

from portal.db.tables import Opportunity, Participant, Referral
from tests.conftest import ENGINE
from tests.factories import make_opportunity

pytestmark = pytest.mark.skipif(ENGINE != "postgres", reason="two worker processes share one PostgreSQL")
ROOT = Path(__file__).resolve().parents[2]
PORTAL = str(Path(sys.executable).parent / "portal")
CAPACITY, ATTEMPTS = 5, 120


async def _race_setting(make_user, make_org) -> list[int]:
    """A host with one opportunity of CAPACITY places and ATTEMPTS referrals to it waiting for an answer."""
    now = dt.datetime.now(dt.UTC)
    centre = await make_org(name="Centre", kind="social_work_centre")
    host = await make_org(name="Host")
    lead = await make_user("ana", "counsellor", organisation_id=centre)
    host_user = await make_user("host", "enterprise", organisation_id=host)
    opportunity = await make_opportunity(
        host, host_user, capacity=CAPACITY, title="Sorting", description="", support_offered="", search_text="sorting"
    )
    people = await Participant.insert(
        *[
            Participant(
                code=f"P-W{n:05d}",
                first_name="T",
                last_name=str(n),
                birth_year=1980,
                organisation=centre,
                lead_counsellor=lead,
                region="Podravska",
                municipality="Ptuj",
                languages="sl",
                education_level="primary",
                skills="[]",
                stage="activation",
                created_at=now,
                updated_at=now,
            )
            for n in range(ATTEMPTS)
        ]
    )
    referrals = await Referral.insert(
        *[
            Referral(
                participant=p["id"],
                opportunity=opportunity,
                referred_by=lead,
                status="sent",
                created_at=now,
                updated_at=now,
            )
            for p in people
        ]
    )
    return [r["id"] for r in referrals]


async def test_two_workers_never_overbook_and_answer_no_5xx(make_user, make_org):
    referrals = await _race_setting(make_user, make_org)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "PORTAL_DATA_DIR": tempfile.mkdtemp(prefix="portal-workers-")}
    env.pop("PICCOLO_CONF", None)
    log = Path(env["PORTAL_DATA_DIR"]) / "server.log"
    server = subprocess.Popen(
        [PORTAL, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"],
        env=env,
        cwd=ROOT,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base, timeout=120) as client:
            deadline = time.monotonic() + 120
            while True:
                assert server.poll() is None, log.read_text()
                try:
                    if (await client.get("/health")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, "the workers did not start"
                await asyncio.sleep(0.3)
            form = await client.get("/login")
            token = re.search(r'name="_csrf_token" value="([^"]+)"', form.text).group(1)
            logged_in = await client.post(
                "/login", data={"username": "host", "password": "secret-pass-123", "_csrf_token": token}
            )
            assert logged_in.status_code == 303
            inbox = await client.get("/referrals/inbox")
            token = re.search(r'name="_csrf_token" value="([^"]+)"', inbox.text).group(1)
            answers = await asyncio.gather(
                *(client.post(f"/referrals/{r}/step", data={"to": "accepted", "_csrf_token": token}) for r in referrals)
            )
        statuses = {a.status_code for a in answers}
        assert statuses == {303}, statuses
        full = [a for a in answers if a.headers["location"].endswith("notice=full")]
        assert len(full) == ATTEMPTS - CAPACITY
        assert await Referral.count().where(Referral.status == "accepted") == CAPACITY
        assert await Referral.count().where(Referral.holds_place.eq(True)) == CAPACITY
        assert (await Opportunity.select(Opportunity.places_taken).order_by(Opportunity.id).first())[
            "places_taken"
        ] == CAPACITY
        # Both worker processes answered (uvicorn logs each worker's start).
        assert len(set(re.findall(r"Started server process \[(\d+)\]", log.read_text()))) == 2
    finally:
        server.terminate()
        server.wait(timeout=20)
