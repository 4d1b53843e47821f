"""Tests for network.encounters: "met at" ties from training attendance, and how metrics and suggestions use them."""

from __future__ import annotations

import random
from datetime import date, datetime

import pytest

from network import build_graph, met_at_ties, suggest_for_each, suggest_partnerships, summary, working_ties


def attended(event: int, on: date, *organisations) -> list[dict]:
    return [{"event": event, "on": on, "organisation": org} for org in organisations]


class TestMetAtTies:
    def test_weight_is_the_number_of_shared_events(self):
        rows = [
            *attended(1, date(2026, 3, 4), 1, 2, 3),
            *attended(2, date(2026, 5, 6), 1, 2),
            *attended(3, date(2026, 9, 1), 2, 1),
        ]
        assert met_at_ties(rows) == [
            {"source": 1, "target": 2, "events": 3, "years": [2026]},
            {"source": 1, "target": 3, "events": 1, "years": [2026]},
            {"source": 2, "target": 3, "events": 1, "years": [2026]},
        ]

    def test_years_of_the_shared_events(self):
        rows = [
            *attended(1, date(2024, 11, 30), 5, 7),
            *attended(2, datetime(2026, 1, 2, 9, 30), 7, 5),
            *attended(3, "2026-02-03", 5, 7),
            *attended(4, date(2025, 6, 1), 5, 9),  # 7 was not there
        ]
        ties = {(t["source"], t["target"]): t for t in met_at_ties(rows)}
        assert ties[5, 7]["years"] == [2024, 2026]
        assert ties[5, 7]["events"] == 3
        assert ties[5, 9]["years"] == [2025]

    def test_no_self_ties_and_colleagues_count_once(self):
        # Three people of organisation 1 and two of 2 at one event: one tie of one event.
        rows = attended(1, date(2026, 3, 4), 1, 1, 1, 2, 2)
        assert met_at_ties(rows) == [{"source": 1, "target": 2, "events": 1, "years": [2026]}]
        assert met_at_ties(attended(2, date(2026, 3, 4), 4, 4, 4)) == []

    def test_an_organisation_with_one_attendee_still_meets_the_others(self):
        rows = [*attended(1, date(2026, 3, 4), 1, 1, 1, 1), *attended(1, date(2026, 3, 4), 2)]
        assert met_at_ties(rows) == [{"source": 1, "target": 2, "events": 1, "years": [2026]}]

    def test_an_event_with_one_organisation_or_one_person_ties_nobody(self):
        rows = [*attended(1, date(2026, 3, 4), 3), *attended(2, date(2026, 3, 5), 4)]
        assert met_at_ties(rows) == []

    def test_people_without_an_organisation_are_skipped(self):
        rows = attended(1, date(2026, 3, 4), 1, None, None)
        assert met_at_ties(rows) == []

    def test_deterministic_whatever_the_order(self):
        rows = [
            row
            for event in range(40)
            for row in attended(
                event, date(2020 + event % 5, 1 + event % 12, 1), *random.Random(event).sample(range(30), 6)
            )
        ]
        first = met_at_ties(rows)
        for seed in range(5):
            shuffled = list(rows)
            random.Random(seed).shuffle(shuffled)
            assert met_at_ties(shuffled) == first
        assert [(t["source"], t["target"]) for t in first] == sorted((t["source"], t["target"]) for t in first)
        assert all(t["source"] < t["target"] for t in first)

    def test_per_organisation_keeps_each_ones_strongest_ties(self):
        # Organisation 1 met 2 at three events, 3 at two, 4 and 5 at one (5 the most recently).
        rows = [
            *attended(1, date(2024, 1, 1), 1, 2, 3, 4),
            *attended(2, date(2025, 1, 1), 1, 2, 3),
            *attended(3, date(2025, 6, 1), 1, 2),
            *attended(4, date(2026, 1, 1), 1, 5),
        ]
        everything = {(t["source"], t["target"]) for t in met_at_ties(rows)}
        kept = met_at_ties(rows, per_organisation=2)
        pairs = {(t["source"], t["target"]) for t in kept}
        assert pairs < everything
        assert {(1, 2), (1, 3)} <= pairs  # 1's two strongest
        assert (1, 5) in pairs  # 5's only tie: among 5's strongest, whatever 1 thinks
        # 4 met 1, 2 and 3 once each, in 2024: it keeps the first two by id; 3 has two stronger ties.
        assert (1, 4) in pairs and (2, 4) in pairs and (3, 4) not in pairs
        assert kept == met_at_ties(list(reversed(rows)), per_organisation=2)
        with pytest.raises(ValueError, match="per_organisation"):
            met_at_ties(rows, per_organisation=0)

    def test_bad_dates_are_refused(self):
        with pytest.raises(ValueError, match="no date"):
            met_at_ties([{"event": 1, "on": None, "organisation": 1}])
        with pytest.raises(ValueError, match="two dates"):
            met_at_ties([*attended(1, date(2026, 1, 1), 1), *attended(1, date(2026, 1, 2), 2)])


def org(id: int, kind: str, lat=None, lon=None) -> dict:
    return {"id": id, "name": f"Org {id}", "kind": kind, "country": "SI", "latitude": lat, "longitude": lon}


class TestInTheGraph:
    def organisations(self) -> list[dict]:
        return [
            org(1, "social_work_centre"),
            org(2, "social_enterprise"),
            org(3, "ngo"),
            org(4, "employment_office"),
        ]

    def test_met_at_is_an_edge_attribute_apart_from_formal_ties(self):
        rels = [{"id": 1, "source": 1, "target": 3, "kind": "cooperation", "strength": 3}]
        met = [
            {"source": 1, "target": 3, "events": 2, "years": [2026]},
            {"source": 2, "target": 4, "events": 1, "years": [2025]},
        ]
        G = build_graph(self.organisations(), rels, met_at=met)
        assert G.edges[1, 3]["kinds"] == ["cooperation"]
        assert G.edges[1, 3]["ties"] == [[1, 1, 3, "cooperation"]]
        assert G.edges[1, 3]["met_at"] == 2
        assert G.edges[1, 3]["weight"] == pytest.approx(3 + 0.5 * 1.584962500721156)
        assert G.edges[2, 4]["kinds"] == [] and G.edges[2, 4]["met_at"] == 1
        assert G.edges[2, 4]["met_years"] == [2025]
        assert sorted(working_ties(G).edges) == [(1, 3)]
        assert "met_at" not in build_graph(self.organisations(), rels).edges[1, 3]

    def test_formal_counts_do_not_change(self):
        orgs = self.organisations()
        rels = [
            {"id": 1, "source": 1, "target": 3, "kind": "cooperation", "strength": 3},
            {"id": 2, "source": 3, "target": 2, "kind": "project_partner", "strength": 4},
        ]
        before = summary(build_graph(orgs, rels))
        met = [{"source": 1, "target": 4, "events": 3, "years": [2026]}]
        after = summary(build_graph(orgs, rels, met_at=met))
        for key in ("edges", "components", "density", "bridges", "articulation_points", "isolated", "weakly_tied"):
            assert after[key] == before[key], key
        rows = {row["id"]: row for row in after["organisations"]}
        assert [rows[n]["degree"] for n in (1, 2, 3, 4)] == [1, 1, 2, 0]
        assert [rows[n]["met_at_ties"] for n in (1, 2, 3, 4)] == [1, 0, 0, 1]
        assert after["met_at_edges"] == 1 and before["met_at_edges"] == 0
        # Meeting links 4 to the rest: it now lies on a path and carries weight.
        assert rows[1]["betweenness"] > {r["id"]: r for r in before["organisations"]}[1]["betweenness"]
        assert rows[4]["weighted_degree"] == pytest.approx(1.0)

    def test_met_at_survives_graphml_and_gexf(self):
        import io

        from network import from_gexf, from_graphml, to_gexf, to_graphml

        met = [{"source": 2, "target": 4, "events": 3, "years": [2025, 2026]}]
        G = build_graph(self.organisations(), [], met_at=met)
        for write, read in ((to_graphml, from_graphml), (to_gexf, from_gexf)):
            buffer = io.BytesIO()
            write(G, buffer)
            buffer.seek(0)
            edge = read(buffer).edges[2, 4]
            assert (edge["met_at"], edge["met_years"]) == (3, [2025, 2026])

    def test_bad_met_at_records_are_refused(self):
        with pytest.raises(ValueError, match="itself"):
            build_graph(self.organisations(), [], met_at=[{"source": 1, "target": 1, "events": 1}])
        with pytest.raises(ValueError, match="unknown organisation"):
            build_graph(self.organisations(), [], met_at=[{"source": 1, "target": 99, "events": 1}])
        with pytest.raises(ValueError, match="events"):
            build_graph(self.organisations(), [], met_at=[{"source": 1, "target": 2, "events": 0}])


class TestSuggestions:
    def test_pairs_that_met_are_suggested_with_the_reason(self):
        orgs = [org(1, "social_work_centre"), org(2, "social_enterprise"), org(3, "research")]
        met = [{"source": 1, "target": 2, "events": 3, "years": [2026]}]
        G = build_graph(orgs, [], met_at=met)
        [best] = suggest_partnerships(G)
        assert (best["source"], best["target"]) == (1, 2)
        assert best["reasons"][0] == {"code": "met_at", "events": 3, "years": [2026]}
        assert best["reason"] == "met at 3 training events in 2026; one refers, the other hosts"
        assert best["score"] == pytest.approx(1.0 + 1.0)  # complementary + met at three events
        [mine] = suggest_partnerships(G, node=2)
        assert (mine["source"], mine["target"], mine["reasons"][0]["code"]) == (2, 1, "met_at")

    def test_meeting_raises_a_pair_above_an_equal_one(self):
        orgs = [org(n, "ngo") for n in range(1, 6)]
        rels = [
            {"id": 1, "source": 1, "target": 5, "kind": "cooperation"},
            {"id": 2, "source": 2, "target": 5, "kind": "cooperation"},
            {"id": 3, "source": 3, "target": 5, "kind": "cooperation"},
        ]
        plain = suggest_partnerships(build_graph(orgs, rels))
        assert (plain[0]["source"], plain[0]["target"]) == (1, 2)  # ties broken by node order
        met = [{"source": 2, "target": 3, "events": 1, "years": [2025]}]
        ranked = suggest_partnerships(build_graph(orgs, rels, met_at=met))
        assert (ranked[0]["source"], ranked[0]["target"]) == (2, 3)
        assert ranked[0]["score"] == pytest.approx(plain[0]["score"] + 0.5)
        # A shared partner is a working partner, never an organisation met at an event.
        assert ranked[0]["common_partners"] == [5]

    def test_formally_tied_pairs_that_also_met_are_not_suggested(self):
        orgs = [org(1, "social_work_centre"), org(2, "social_enterprise")]
        rels = [{"id": 1, "source": 1, "target": 2, "kind": "cooperation"}]
        G = build_graph(orgs, rels, met_at=[{"source": 1, "target": 2, "events": 4, "years": [2026]}])
        assert suggest_partnerships(G) == []
        assert suggest_partnerships(G, node=1) == []

    def test_years_in_the_english_reason(self):
        orgs = [org(1, "ngo"), org(2, "ngo")]
        G = build_graph(orgs, [], met_at=[{"source": 1, "target": 2, "events": 1, "years": [2025, 2026]}])
        assert suggest_partnerships(G)[0]["reason"].startswith("met at 1 training event in 2025 and 2026")

    def test_suggest_for_each_is_suggest_partnerships_per_node(self):
        orgs = [
            org(n, kind, 46 + n / 100, 15 + n / 50)
            for n, kind in enumerate(
                ["social_work_centre", "ngo", "employer", "social_enterprise", "employment_office", "ngo"], start=1
            )
        ]
        rels = [
            {"id": 1, "source": 1, "target": 2, "kind": "cooperation"},
            {"id": 2, "source": 2, "target": 3, "kind": "funding"},
        ]
        met = [
            {"source": 1, "target": 4, "events": 2, "years": [2026]},
            {"source": 5, "target": 6, "events": 1, "years": [2025]},
        ]
        G = build_graph(orgs, rels, met_at=met)
        assert suggest_for_each(G, top=3) == {n: suggest_partnerships(G, node=n, top=3) for n in G}
