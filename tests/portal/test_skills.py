"""The skills vocabulary: shipped ESCO file, CSV import, recognising typed skills, and the picker."""

from __future__ import annotations

import csv
import re

import pytest
from click.testing import CliRunner

from portal.cli import main
from portal.db.tables import Skill
from portal.opportunities.demo import demo_skill_labels
from portal.settings import PROJECT_ROOT
from portal.skills import importer, services
from portal.skills.entries import ESCO_SKILL_URI, parse_skills, skills_text
from tests.fixtures import login, post_form

TEAM = "http://data.europa.eu/esco/skill/00000000-0000-4000-8000-000000000001"
CLEAN = "http://data.europa.eu/esco/skill/00000000-0000-4000-8000-000000000002"
SORT = "http://data.europa.eu/esco/skill/00000000-0000-4000-8000-000000000003"
ENGLISH = f"""conceptUri,preferredLabel,altLabels,skillType,reuseLevel
{TEAM},work in teams,"teamwork
work as part of a team",skill/competence,transversal
{CLEAN},cleaning techniques,,knowledge,cross-sector
{SORT},sort waste,,skill/competence,cross-sector
"""
SLOVENIAN = f"""conceptUri,preferredLabel,altLabels,skillType,reuseLevel
{TEAM},delo v skupini,timsko delo,skill/competence,transversal
{CLEAN},tehnike čiščenja,,knowledge,cross-sector
"""


@pytest.fixture
async def vocabulary(db):
    """A three-concept vocabulary in English and Slovenian."""
    await importer.import_text(ENGLISH, "en")
    await importer.import_text(SLOVENIAN, "sl")


# --- text and lists -------------------------------------------------------------------------


def test_one_skill_per_line_with_optional_esco_address():
    entries, problem = parse_skills(f"Teamwork\n\n  cleaning techniques <{CLEAN}>\nteamwork\n{SORT}\n")
    assert problem is None
    assert entries == [
        {"uri": "", "label": "Teamwork"},
        {"uri": CLEAN, "label": "cleaning techniques"},
        {"uri": SORT, "label": ""},
    ]
    assert skills_text(entries[:2]) == f"Teamwork\ncleaning techniques <{CLEAN}>"


def test_bad_skill_lines_are_explained():
    assert "Line 2" in parse_skills("ok\nsomething <https://example.org/x>")[1]
    assert "Line 1" in parse_skills("x" * 201)[1]
    assert "At most 30" in parse_skills("\n".join(f"skill {n}" for n in range(31)))[1]
    assert parse_skills([{"label": "from the API", "uri": ""}]) == ([{"uri": "", "label": "from the API"}], None)


# --- shipped vocabulary and import ------------------------------------------------------------


def test_the_shipped_vocabulary_is_a_compact_copy_inside_the_project():
    path = importer.SHIPPED_VOCABULARY
    assert path.is_relative_to(PROJECT_ROOT / "portal") and path.name == "esco_skills_en.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["conceptUri", "preferredLabel", "reuseLevel"]
    # The transversal and cross-sector skills, and the sector-specific ones of activation placements.
    assert len(rows) == 4991
    assert all(ESCO_SKILL_URI.match(row["conceptUri"]) and row["preferredLabel"] for row in rows)
    assert {row["reuseLevel"] for row in rows} == {"transversal", "cross-sector", "sector-specific"}
    english = {row["conceptUri"] for row in rows}
    for language, translated in importer.SHIPPED_TRANSLATIONS.items():
        with translated.open(encoding="utf-8", newline="") as handle:
            labels = list(csv.DictReader(handle))
        assert list(labels[0]) == ["conceptUri", "preferredLabel", "altLabels", "reuseLevel"], language
        assert len(labels) >= 1500 and {row["conceptUri"] for row in labels} <= english
        assert all(row["preferredLabel"].strip() == row["preferredLabel"] != "" for row in labels)
        rows_read, problems = importer.read_esco_csv(translated.read_text(encoding="utf-8"))
        assert problems == [] and len(rows_read) == len(labels)


def test_every_demo_skill_is_in_the_shipped_vocabulary():
    with importer.SHIPPED_VOCABULARY.open(encoding="utf-8", newline="") as handle:
        labels = {row["preferredLabel"] for row in csv.DictReader(handle)}
    assert demo_skill_labels() - labels == set()


async def test_import_reports_every_bad_row_and_keeps_the_good_ones(db):
    text = (
        "conceptUri,preferredLabel,altLabels,reuseLevel\n"  # line 1
        f'{TEAM},work in teams,"teamwork\nteam work",transversal\n'  # lines 2-3
        ",no address,,transversal\n"  # line 4
        "https://example.org/x,not ESCO,,transversal\n"  # line 5
        f"{CLEAN},,,cross-sector\n"  # line 6
        f"{TEAM},work in teams again,,transversal\n"  # line 7
        f"{SORT},sort waste\n"  # line 8
        "\n"  # line 9
        f"{SORT},sort waste,,cross-sector\n"  # line 10
    )
    report = await importer.import_text(text, "en")
    assert [line for line, _ in report.problems] == [4, 5, 6, 7, 8]
    assert "repeats the concept of line 2" in report.problems[3][1]
    assert (report.read, report.added, report.updated, report.unchanged) == (7, 2, 0, 0)
    stored = {row["uri"]: row for row in await Skill.select().where(Skill.language == "en")}
    assert set(stored) == {TEAM, SORT}
    labels, forms = stored[TEAM]["search_text"].split(importer.LEMMAS)
    assert labels == "work in teams\nteamwork\nteam work"
    assert {"work", "team", "teams", "teamwork"} <= set(forms.split())
    again = await importer.import_text(text, "en")
    assert (again.added, again.updated, again.unchanged) == (0, 0, 2) and await Skill.count() == 2
    changed = await importer.import_text(f"conceptUri,preferredLabel\n{SORT},sort the waste\n", "en")
    assert changed.updated == 1 and await services.label_for(SORT, "en") == "sort the waste"


async def test_import_refuses_a_file_without_the_needed_columns(db):
    report = await importer.import_text("uri,label\nx,y\n", "sl")
    assert report.problems and report.problems[0][0] == 1 and "conceptUri" in report.problems[0][1]
    assert await Skill.count() == 0
    with pytest.raises(ValueError):
        await importer.import_text(ENGLISH, "Slovenian")


def test_skills_commands_load_and_import(command_db, tmp_path):
    runner = CliRunner()
    loaded = runner.invoke(main, ["skills", "load"])
    assert loaded.exit_code == 0, loaded.output
    assert "skills (en): 4991 rows read, 4991 added" in loaded.output
    assert "skills (sl): 2057 rows read, 2057 added" in loaded.output and "skills (hr): 2057" in loaded.output
    assert runner.invoke(main, ["skills", "load"]).output.count(" 0 added") == 3
    export = tmp_path / "skills_sl.csv"
    # An ESCO export as downloaded: a byte-order mark, Windows line ends, one row broken.
    export.write_bytes(("\ufeff" + SLOVENIAN.replace("\n", "\r\n") + "not-a-uri,napaka,,,\r\n").encode("utf-8"))
    imported = runner.invoke(main, ["skills", "import", str(export), "--language", "sl"])
    assert imported.exit_code == 1
    assert f"{export}:4: conceptUri" in imported.output
    assert "2 added" in imported.output and "1 rejected" in imported.output
    assert Skill.count().where(Skill.language == "sl").run_sync() == 2057 + 2
    assert "0 added" in runner.invoke(main, ["skills", "import", str(export), "--language", "sl"]).output
    bad_language = runner.invoke(main, ["skills", "import", str(export), "--language", "slovenščina"])
    assert bad_language.exit_code == 2


# --- recognising and suggesting ---------------------------------------------------------------


async def test_typed_skills_get_the_uri_of_a_matching_label_in_any_language(vocabulary):
    typed = [{"uri": "", "label": label} for label in ("WORK IN TEAMS", "Tehnike ciscenja", "timsko delo", "baking")]
    found = await services.recognise([*typed, {"uri": SORT, "label": ""}], "sl")
    assert [(e["uri"], e["label"]) for e in found] == [
        (TEAM, "WORK IN TEAMS"),
        (CLEAN, "Tehnike ciscenja"),
        ("", "baking"),
        (SORT, "sort waste"),
    ]


async def test_typed_skills_in_another_form_of_the_same_words_get_the_uri(vocabulary):
    typed = [
        {"uri": "", "label": label} for label in ("timskem delu", "tehnikami čiščenja", "sorting the waste", "delo")
    ]
    found = await services.recognise(typed, "sl")
    assert [e["uri"] for e in found] == [TEAM, CLEAN, SORT, ""]


async def test_concepts_for_a_filter_are_found_in_any_language_by_whole_words(vocabulary):
    assert await services.concepts_for("cleaning") == {CLEAN}
    assert await services.concepts_for("čiščenja") == {CLEAN}
    assert await services.concepts_for("timsko") == {TEAM}
    assert await services.concepts_for("ean") == set()  # inside "cleaning", not a word of it


async def test_the_shipped_vocabulary_finds_slovenian_and_croatian_words_and_their_forms(db):
    await importer.load_shipped()
    for query, language in (
        ("kuhanje", "sl"),
        ("popravilo koles", "sl"),
        ("čišćenje", "hr"),
        ("šivala", "sl"),
        ("njega starijih", "hr"),
        ("skrb za starejše", "sl"),
    ):
        found = await services.suggest(query, language)
        assert found and found[0]["language"] == language, (query, found[:3])
    assert any("kol" in s["label"] for s in await services.suggest("popravilo koles", "sl"))
    cooking, kuhanje = await services.concepts_for("cooking"), await services.concepts_for("kuhanje")
    assert cooking & kuhanje


async def test_suggestions_prefer_the_readers_language_and_labels_that_start_with_the_query(vocabulary):
    english = await services.suggest("clean", "en")
    assert [s["label"] for s in english] == ["cleaning techniques"]
    slovenian = await services.suggest("skupini", "sl")
    assert [(s["uri"], s["label"]) for s in slovenian] == [(TEAM, "delo v skupini")]
    assert [s["label"] for s in await services.suggest("team", "sl")] == ["work in teams"]
    assert await services.suggest("  ", "en") == []


# --- the picker -------------------------------------------------------------------------------


async def test_suggest_fragment_offers_add_buttons(client, vocabulary):
    response = await client.get(
        "/skills/suggest", params={"q": "clean", "field": "required_skills"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200 and "<html" not in response.text
    assert f'name="uri" value="{CLEAN}"' in response.text and 'hx-post="/skills/add"' in response.text
    assert '"field": "required_skills"' in response.text
    assert 'id="required_skills-status"' in response.text and "1 ESCO skill found" in response.text
    assert "ESCO, European Commission" in response.text


async def test_suggest_without_javascript_is_a_search_page(client, vocabulary):
    page = await client.get(
        "/skills/suggest", params={"q": "clean", "field": "required_skills", "back": "/opportunities/new"}
    )
    assert page.status_code == 200 and "<html" in page.text
    assert f"cleaning techniques &lt;{CLEAN}&gt;" in page.text
    assert 'href="/opportunities/new"' in page.text and "ESCO, European Commission" in page.text
    elsewhere = await client.get("/skills/suggest", params={"q": "clean", "back": "//evil.example.org/"})
    assert "Back to the form" not in elsewhere.text and 'href="//evil' not in elsewhere.text
    short = await client.get("/skills/suggest", params={"q": "c"})
    assert "at least two letters" in short.text


async def test_adding_a_suggestion_appends_a_line_once(client, vocabulary, make_user):
    refused = await post_form(client, "/skills/add", {"field": "required_skills", "uri": CLEAN})
    assert refused.status_code == 401
    await make_user("ent", "enterprise")
    await login(client, "ent")
    form = {"field": "required_skills", "uri": CLEAN, "required_skills": "Punctuality"}
    added = await post_form(client, "/skills/add", form, headers={"HX-Request": "true"})
    assert added.status_code == 200
    textarea = re.search(r"<textarea[^>]*>(.*?)</textarea>", added.text, re.S)
    assert textarea and textarea.group(1) == f"Punctuality\ncleaning techniques &lt;{CLEAN}&gt;"
    assert 'id="required_skills"' in added.text and 'hx-swap-oob="innerHTML"' in added.text
    assert "Added “cleaning techniques”" in added.text
    twice = await post_form(client, "/skills/add", {**form, "required_skills": "Cleaning Techniques"})
    assert "already in the list" in twice.text
    unknown = await post_form(client, "/skills/add", {**form, "uri": CLEAN[:-1] + "9"})
    assert "not in the vocabulary" in unknown.text


def test_more_specific_forms_of_a_skill_are_related_and_alike_labels_are_not():
    import matching
    from portal.matching_service.training import portal_scoring
    from portal.skills.relations import narrower_forms

    with importer.SHIPPED_VOCABULARY.open(encoding="utf-8", newline="") as handle:
        uri = {row["preferredLabel"]: row["conceptUri"] for row in csv.DictReader(handle)}
    general, specific = uri["perform laboratory tests"], uri["perform laboratory tests on footwear or leather goods"]
    assert specific in narrower_forms()[general]
    assert uri["manage time in landscaping"] in narrower_forms()[uri["manage time"]]
    scoring = portal_scoring(matching.DEFAULT_WEIGHTS)
    place = matching.Opportunity(1, required_skills=[matching.Skill(specific, "perform laboratory tests on footwear")])
    related = matching.score_pair(
        matching.Person(1, skills=[matching.Skill(general, "perform laboratory tests")]), place, scoring
    )
    assert related.skills[0].kind == "related" and related.components["skill"] == scoring.related_credit
    # "textile industry" and "textile industry machinery products" only look alike: no relation, no credit.
    assert uri["textile industry machinery products"] not in narrower_forms().get(uri["textile industry"], ())
    alike = matching.Opportunity(2, required_skills=[matching.Skill(uri["textile industry machinery products"], "x")])
    person = matching.Person(2, skills=[matching.Skill(uri["textile industry"], "textile industry")])
    assert matching.score_pair(person, alike, scoring).components["skill"] == 0.0
