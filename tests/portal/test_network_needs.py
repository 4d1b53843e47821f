"""Needs-aware gaps on /network/: the page's counts against counts worked out here, pair by pair."""

from __future__ import annotations

import re

import pytest

import matching
from portal.db.tables import Participant
from portal.network import jobs, needs, needs_text, services
from tests.fixtures import login
from tests.network_worlds import ORMOZ, PTUJ

# Each test starts with no network run left over from another.
pytestmark = pytest.mark.usefixtures("no_leftover_runs")


async def _independent_counts() -> dict[str, int]:
    """People without a feasible place per municipality, by trying every pair with the engine's check."""
    from portal.db.tables import Opportunity

    people = await Participant.select().where(Participant.stage == "activation")
    places = await Opportunity.select()
    opportunities = [
        matching.Opportunity(
            o["id"],
            languages=[c for c in o["languages"].split(",") if c],
            location=(o["latitude"], o["longitude"]),
            support_offered=[c for c in o["support_offered"].split(",") if c],
            capacity=o["capacity"],
            places_taken=o["places_taken"],
            status=o["status"],
        )
        for o in places
    ]
    without: dict[str, int] = {}
    for p in people:
        person = matching.Person(
            p["id"],
            languages=[c for c in p["languages"].split(",") if c],
            location=(p["latitude"], p["longitude"]),
            travel_radius_km=p["travel_km"],
            support_needs=[c for c in p["support_needs"].split(",") if c],
        )
        if not any(matching.is_feasible(person, o) for o in opportunities):
            without[p["municipality"]] = without.get(p["municipality"], 0) + 1
    return without


async def test_the_page_counts_people_without_a_feasible_place_and_what_would_close_it(client, thin_spot):
    await login(client, "coord")
    await jobs.run()
    page = await client.get("/network/")
    assert page.status_code == 200
    expected = await _independent_counts()
    assert expected == {"Ormož": 7, "Ptuj": 8}
    table = page.text.split('id="needs-areas"')[1].split("</table>")[0]
    shown = dict(
        re.findall(
            r"<td>(\w+) <span class=\"muted\">\(Podravska\)</span></td>\s*<td>[^<]*</td>\s*<td data-without=\"(\d*)\"",
            table,
        )
    )
    assert {name: int(n) for name, n in shown.items()} == expected
    assert "Without a feasible place: 15 of 32 participants." in page.text
    regions = page.text.split('id="needs-regions"')[1].split("</table>")[0]
    assert "<td>Podravska</td>\n        <td>32</td>\n        <td>15</td>" in regions
    # Reasons, the small one suppressed.
    assert "no open place within their travel distance: 7" in table
    assert "no place within reach offers Transport: 6" in table
    assert "every place within reach asks for a language they do not speak: <abbr" in table
    # What would close them: a place with transport and childcare hours near Ormož, and who could offer it.
    changes = page.text.split('id="needs-changes"')[1].split("</ol>")[0]
    ormoz = re.search(
        r"<li>(7 more places offering Childcare-compatible hours and Transport within [^<]*)Could offer them: (.*?)</li>",
        changes,
        re.S,
    )
    assert ormoz is not None, changes
    assert "km of Ormož would serve 7 people who have none. All of them speak Slovenian." in ormoz[1]
    assert f'href="/organisations/{thin_spot["near"]}"' in ormoz[2]
    # In Ptuj, one place with transport and no language asked serves those needing transport and the Croatian speakers.
    assert "8 more places offering Transport within 20 km of Ptuj would serve 8 people who have none." in changes


async def test_counts_below_five_are_never_shown(client, thin_spot):
    await login(client, "coord")
    await Participant.delete().where(Participant.municipality == "Ormož")
    await jobs.run()
    page = await client.get("/network/")
    table = page.text.split('id="needs-areas"')[1].split("</table>")[0]
    assert 'data-without="8"' in table and "Ormož" not in table
    snapshot = await services.latest_snapshot()
    needs = snapshot.gaps["needs"]
    assert needs["municipalities"][0]["reasons"]["languages"] is None
    for change in needs["changes"]:
        assert change["people"] is None or change["people"] >= 5


async def test_a_bridge_is_shown_with_the_partnership_that_would_remove_it(client, thin_spot):
    from portal.db.tables import Organisation
    from portal.organisations import services as organisations

    tie = {"kind": "cooperation", "since": None, "until": None, "strength": 3, "note": ""}
    csd = (
        await Organisation.select(Organisation.id)
        .where(Organisation.name == "CSD Ormož")
        .order_by(Organisation.id)
        .first()
    )["id"]
    await organisations.create_relationship(csd, thin_spot["near"], tie)
    await organisations.create_relationship(thin_spot["near"], thin_spot["host"], tie)
    await login(client, "coord")
    await jobs.run()
    page = await client.get("/network/")
    weak = page.text.split('id="weak-points"')[1].split("</section>")[0]
    assert "A partnership between CSD Ormož and Zadruga Ptuj." in weak
    assert "Both already work with Društvo Ormož; a tie between them would leave a second way round." in weak
    assert "Try changes in a what-if plan" in page.text


async def test_the_api_gives_the_same_counts_with_codes(client, thin_spot):
    await login(client, "coord")
    await jobs.run()
    needs = (await client.get("/api/v1/network/gaps")).json()["needs"]
    by_area = {row["municipality"]: row for row in needs["municipalities"]}
    assert by_area["Ormož"]["without_place"] == 7 and by_area["Ptuj"]["without_place"] == 8
    assert by_area["Ptuj"]["reasons"] == {"languages": None, "support:transport": 6}
    assert needs["changes"][0]["code"] == "add_places"
    assert all(change["people"] is None or change["people"] >= 1 for change in needs["changes"])


def _unplaced_person(number: int, municipality: str, languages: str) -> dict:
    where = ORMOZ if municipality == "Ormož" else PTUJ
    return {
        "id": number,
        "region": "Podravska",
        "municipality": municipality,
        "latitude": where[0],
        "longitude": where[1],
        "travel_km": 10,
        "languages": languages,
        "support_needs": "transport",
        "available_from": None,
    }


def test_a_change_for_fewer_than_five_people_does_not_say_which_language_they_speak():
    # Three Arabic speakers in Ormož (which language a few people speak points at them: every logged-in
    # user, employers too, reads the network page) and seven Slovene speakers in Ptuj, none with a place.
    people = [_unplaced_person(n, "Ormož", "ar") for n in range(3)] + [
        _unplaced_person(n, "Ptuj", "sl") for n in range(3, 10)
    ]
    found = needs.compute(needs.NeedsInput(people=people, places=[], offered={}), [])
    by_area = {change["municipality"]: change for change in found["changes"]}
    assert by_area["Ormož"]["people"] is None and by_area["Ormož"]["languages"] == []
    assert by_area["Ptuj"]["people"] == 7 and by_area["Ptuj"]["languages"] == ["sl"]
    assert "speak" not in needs_text.change_text(by_area["Ormož"])
    assert "All of them speak" in needs_text.change_text(by_area["Ptuj"])
