"""Tests for network.spreadsheet: the Elements + Connections form, CSV and XLSX."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from network import read_spreadsheet, write_spreadsheet
from tests.network.strategies import names, networks

ELEMENTS = """Label,Type,Country,Region,Municipality,Latitude,Longitude
CSD Ptuj,social_work_centre,SI,Podravska,Ptuj,46.42,15.87
,ngo,SI,Podravska,Ptuj,,
CPU,Social enterprise,SI,Savinjska,Celje,46.23,15.26
csd ptuj,ngo,SI,,,,
Bad Lat,ngo,HR,,,95,16
Humana Nova,social_enterprise,hr,Međimurska županija,Čakovec,46.39,16.43
,,,,,,
"""
CONNECTIONS = """From,To,Type,Since,Until,Strength
CSD Ptuj,CPU,cooperation,2020-01-01,,4
CSD Ptuj,Nowhere,cooperation,,,
CPU,Humana Nova,funding,2020-02-30,,
Humana Nova,CSD Ptuj,project_partner,,,9
CSD Ptuj,Bad Lat,cooperation,,,
Humana Nova,CPU,Referral agreement,1.3.2021,31.12.2022,2
"""
EXPECTED_ERRORS = [
    ("Elements", 3, "Label"),
    ("Elements", 5, "Label"),
    ("Elements", 6, "Latitude"),
    ("Connections", 3, "To"),
    ("Connections", 4, "Since"),
    ("Connections", 5, "Strength"),
    ("Connections", 6, "To"),
]
GOOD_ORGANISATIONS = [
    {
        "id": 1,
        "name": "CSD Ptuj",
        "kind": "social_work_centre",
        "country": "SI",
        "region": "Podravska",
        "municipality": "Ptuj",
        "latitude": 46.42,
        "longitude": 15.87,
    },
    {
        "id": 2,
        "name": "CPU",
        "kind": "social_enterprise",
        "country": "SI",
        "region": "Savinjska",
        "municipality": "Celje",
        "latitude": 46.23,
        "longitude": 15.26,
    },
    {
        "id": 3,
        "name": "Humana Nova",
        "kind": "social_enterprise",
        "country": "HR",
        "region": "Međimurska županija",
        "municipality": "Čakovec",
        "latitude": 46.39,
        "longitude": 16.43,
    },
]
GOOD_RELATIONSHIPS = [
    {"id": 1, "source": 1, "target": 2, "kind": "cooperation", "since": date(2020, 1, 1), "until": None, "strength": 4},
    {
        "id": 2,
        "source": 3,
        "target": 2,
        "kind": "referral_agreement",
        "since": date(2021, 3, 1),
        "until": date(2022, 12, 31),
        "strength": 2,
    },
]


def csv_folder(tmp_path, elements: str, connections: str | None, encoding: str = "utf-8"):
    (tmp_path / "elements.csv").write_bytes(elements.encode(encoding))
    if connections is not None:
        (tmp_path / "connections.csv").write_bytes(connections.encode(encoding))
    return tmp_path


def workbook_from_csv(path, **sheets: str) -> None:
    """The same rows as an XLSX workbook, with numbers and dates as Excel would store them."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, text in sheets.items():
        sheet = workbook.create_sheet(title)
        for line in text.splitlines():
            cells = []
            for cell in line.split(","):
                try:
                    cells.append(float(cell) if "." in cell else int(cell))
                except ValueError:
                    cells.append(datetime.fromisoformat(cell) if cell.startswith("2020-01") else cell or None)
            sheet.append(cells)
    workbook.save(path)


def where(errors):
    return [(error["sheet"], error["row"], error["column"]) for error in errors]


class TestReadSpreadsheet:
    def test_csv_reports_every_bad_row_and_keeps_every_good_one(self, tmp_path):
        organisations, relationships, errors = read_spreadsheet(csv_folder(tmp_path, ELEMENTS, CONNECTIONS))
        assert where(errors) == EXPECTED_ERRORS
        assert organisations == GOOD_ORGANISATIONS
        assert relationships == GOOD_RELATIONSHIPS

    def test_messages_say_what_is_wrong(self, tmp_path):
        _, _, errors = read_spreadsheet(csv_folder(tmp_path, ELEMENTS, CONNECTIONS))
        messages = [error["message"] for error in errors]
        assert messages[0] == "Label is required"
        assert messages[1] == "the label 'csd ptuj' is already used on row 2"
        assert messages[2] == "Latitude must be between -90 and 90, not 95"
        assert messages[3] == "no element is labelled 'Nowhere'"
        assert "'2020-02-30'" in messages[4]
        assert messages[5] == "Strength must be a whole number from 1 to 5, not '9'"
        assert messages[6] == "the element 'Bad Lat' on row 6 has errors"

    def test_xlsx_reports_the_same(self, tmp_path):
        workbook_from_csv(tmp_path / "network.xlsx", Elements=ELEMENTS, Connections=CONNECTIONS)
        organisations, relationships, errors = read_spreadsheet(tmp_path / "network.xlsx")
        assert where(errors) == EXPECTED_ERRORS
        assert (organisations, relationships) == (GOOD_ORGANISATIONS, GOOD_RELATIONSHIPS)

    def test_zip_pair_and_buffer_sources(self, tmp_path):
        archive = io.BytesIO()
        with zipfile.ZipFile(archive, "w") as zipped:
            zipped.writestr("export/Elements.csv", ELEMENTS)
            zipped.writestr("export/Connections.csv", CONNECTIONS)
        (tmp_path / "network.zip").write_bytes(archive.getvalue())
        (tmp_path / "csv").mkdir()
        folder = csv_folder(tmp_path / "csv", ELEMENTS, CONNECTIONS)
        for source in (
            archive,
            tmp_path / "network.zip",
            str(tmp_path / "network.zip"),
            (folder / "elements.csv", folder / "connections.csv"),
        ):
            organisations, relationships, errors = read_spreadsheet(source)
            assert where(errors) == EXPECTED_ERRORS and len(organisations) == 3 and len(relationships) == 2

    def test_local_spreadsheet_habits(self, tmp_path):
        elements = (
            "\ufeffLABEL;type;Country;Region;Latitude;Longitude;Description;ID\n"
            "Humana Nova;Social Enterprise;HR;Međimurska;46,39;16,43;Zadruga;7\n"
            "CZSS Čakovec;social-work-centre;HR;Međimurska;;;;\n"
        )
        connections = "From;To;Type;Note\nCZSS Čakovec;humana nova;cooperation;od 2018\n"
        organisations, relationships, errors = read_spreadsheet(csv_folder(tmp_path, elements, connections))
        assert errors == []
        assert organisations[0] == {
            "id": 7,
            "name": "Humana Nova",
            "kind": "social_enterprise",
            "country": "HR",
            "region": "Međimurska",
            "municipality": None,
            "latitude": 46.39,
            "longitude": 16.43,
            "description": "Zadruga",
        }
        assert organisations[1]["id"] == 8 and organisations[1]["kind"] == "social_work_centre"
        assert relationships == [
            {
                "id": 1,
                "source": 8,
                "target": 7,
                "kind": "cooperation",
                "since": None,
                "until": None,
                "strength": 3,
                "note": "od 2018",
            }
        ]

    def test_windows_1250_csv(self, tmp_path):
        elements = "Label;Type;Country\nCZSS Čakovec;social_work_centre;HR\n"
        organisations, _, errors = read_spreadsheet(csv_folder(tmp_path, elements, "From;To;Type\n", encoding="cp1250"))
        assert errors == [] and organisations[0]["name"] == "CZSS Čakovec"

    def test_more_bad_cells(self, tmp_path):
        elements = "Label,Type,Country,Latitude,Longitude,ID\nA,bakery,Slovenia,46.1,,x\nB,ngo,SI,,,\nC,ngo,SI,,,\n"
        connections = (
            "From,To,Type,Since,Until,ID\nB,B,cooperation,,,\nB,C,friends,2021-01-01,2020-01-01,\n"
            "B,C,funding,,,4\nC,B,funding,,,4\n"
        )
        organisations, relationships, errors = read_spreadsheet(csv_folder(tmp_path, elements, connections))
        assert where(errors) == [
            ("Elements", 2, "Type"),
            ("Elements", 2, "Country"),
            ("Elements", 2, "Longitude"),
            ("Elements", 2, "ID"),
            ("Connections", 2, "To"),
            ("Connections", 3, "Type"),
            ("Connections", 3, "Until"),
            ("Connections", 5, "ID"),
        ]
        assert [o["name"] for o in organisations] == ["B", "C"] and [r["id"] for r in relationships] == [4]

    def test_missing_sheet_and_missing_columns(self, tmp_path):
        workbook = openpyxl.Workbook()
        workbook.active.title = "elements"
        workbook.active.append(["Label", "Country"])
        workbook.active.append(["A", "SI"])
        workbook.save(tmp_path / "bad.xlsx")
        organisations, relationships, errors = read_spreadsheet(tmp_path / "bad.xlsx")
        assert (organisations, relationships) == ([], [])
        assert where(errors) == [("Connections", None, None), ("Elements", 1, "Type")]
        assert errors[0]["message"] == "the Connections sheet is missing"

    def test_not_a_spreadsheet(self, tmp_path):
        (tmp_path / "notes.txt").write_text("hello")
        for source in (tmp_path / "notes.txt", tmp_path / "missing.xlsx", io.BytesIO(b"hello")):
            with pytest.raises(ValueError, match="expected an .xlsx workbook"):
                read_spreadsheet(source)


class TestWriteSpreadsheet:
    @pytest.mark.parametrize("target", ["network.xlsx", "csv-folder", "network.zip"])
    def test_round_trip_files(self, organisations, relationships, tmp_path, target):
        organisations[0]["description"] = "Center za socialno delo"
        relationships[0]["note"] = "2SoKroG"
        write_spreadsheet(
            organisations, relationships, tmp_path / target, format="xlsx" if target.endswith("x") else "csv"
        )
        assert read_spreadsheet(tmp_path / target) == (organisations, relationships, [])

    def test_xlsx_layout(self, organisations, relationships, tmp_path):
        write_spreadsheet(organisations, relationships, tmp_path / "network.xlsx")
        workbook = openpyxl.load_workbook(tmp_path / "network.xlsx")
        assert workbook.sheetnames == ["Elements", "Connections"]
        assert [c.value for c in workbook["Elements"][1]] == [
            "Label",
            "Type",
            "Country",
            "Region",
            "Municipality",
            "Latitude",
            "Longitude",
            "ID",
        ]
        assert [c.value for c in workbook["Connections"][1]] == [
            "From",
            "To",
            "Type",
            "Since",
            "Until",
            "Strength",
            "ID",
        ]
        assert [c.value for c in workbook["Connections"][2]][:3] == ["ZRS Bistra Ptuj", "CSD Ptuj", "project_partner"]

    def test_formula_like_text_stays_text(self, tmp_path):
        organisations = [
            {"id": 1, "name": '=HYPERLINK("x")', "kind": "ngo", "country": "SI"},
            {"id": 2, "name": "-minus", "kind": "ngo", "country": "SI", "region": "'quoted"},
        ]
        expected = [
            {"region": None, "municipality": None, "latitude": None, "longitude": None, **o} for o in organisations
        ]
        write_spreadsheet(organisations, [], tmp_path / "network.xlsx")
        assert openpyxl.load_workbook(tmp_path / "network.xlsx")["Elements"]["A2"].data_type == "s"
        write_spreadsheet(organisations, [], tmp_path / "csv", format="csv")
        assert "'=HYPERLINK" in (tmp_path / "csv" / "elements.csv").read_text("utf-8-sig")
        for source in (tmp_path / "network.xlsx", tmp_path / "csv"):
            assert read_spreadsheet(source) == (expected, [], [])

    @pytest.mark.parametrize("format", ["xlsx", "csv"])
    def test_organisations_sharing_a_name_are_connected_by_id(self, format):
        """Two centres called the same (common in real registers): the ties name them by ID and read back."""
        organisations = [
            {"id": 295, "name": "Centar za socijalnu skrb Split", "kind": "social_work_centre", "country": "HR"},
            {"id": 597, "name": "centar za socijalnu skrb split ", "kind": "social_work_centre", "country": "HR"},
            {"id": 7, "name": "CPU", "kind": "social_enterprise", "country": "SI"},
        ]
        relationships = [
            {"id": 1, "source": 295, "target": 7, "kind": "cooperation"},
            {"id": 2, "source": 7, "target": 597, "kind": "funding"},
        ]
        buffer = io.BytesIO()
        write_spreadsheet(organisations, relationships, buffer, format=format)
        read_organisations, read_relationships, errors = read_spreadsheet(buffer)
        assert errors == []
        assert [(o["id"], o["name"]) for o in read_organisations] == [
            (295, "Centar za socijalnu skrb Split"),
            (597, "centar za socijalnu skrb split"),
            (7, "CPU"),
        ]
        assert [(r["source"], r["target"]) for r in read_relationships] == [(295, 7), (7, 597)]
        if format == "xlsx":
            buffer.seek(0)
            sheet = openpyxl.load_workbook(buffer)["Connections"]
            assert [c.value for c in sheet[2]][:2] == [295, "CPU"]  # a unique name stays a label

    def test_a_shared_label_needs_ids_and_is_named_by_id(self, tmp_path):
        elements = "Label,Type,Country,ID\nCSD Split,ngo,HR,5\ncsd split,ngo,HR,6\nCPU,ngo,SI,\ncpu,ngo,SI,\n"
        connections = "From,To,Type\nCSD Split,CPU,cooperation\n6,CPU,funding\n6,7,funding\n"
        organisations, relationships, errors = read_spreadsheet(csv_folder(tmp_path, elements, connections))
        assert [o["id"] for o in organisations] == [5, 6, 7]
        assert [(e["sheet"], e["row"], e["column"], e["message"]) for e in errors] == [
            ("Elements", 5, "Label", "the label 'cpu' is already used on row 4"),
            ("Connections", 2, "From", "the label 'CSD Split' is on rows 2, 3: name the element by its ID"),
            ("Connections", 4, "To", "no element is labelled '7'"),  # 7 is CPU's ID by row order, not the sheet's
        ]
        assert [(r["source"], r["target"]) for r in relationships] == [(6, 7)]

    def test_refuses_what_cannot_be_read_back(self, organisations, relationships, tmp_path):
        with pytest.raises(ValueError, match="its ID 99 is also an organisation's label"):
            write_spreadsheet(
                [
                    {"id": 98, "name": "99", "kind": "ngo", "country": "SI"},
                    {"id": 99, "name": "Same", "kind": "ngo", "country": "SI"},
                    {"id": 100, "name": "same", "kind": "ngo", "country": "SI"},
                ],
                [{"id": 1, "source": 98, "target": 99, "kind": "funding"}],
                tmp_path / "x.xlsx",
            )
        with pytest.raises(ValueError, match="relationship 9 names unknown organisation 42"):
            write_spreadsheet(
                organisations, [{"id": 9, "source": 1, "target": 42, "kind": "funding"}], tmp_path / "x.xlsx"
            )
        with pytest.raises(ValueError, match="format"):
            write_spreadsheet(organisations, relationships, tmp_path / "x.ods", format="ods")

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(networks(), st.sampled_from(["xlsx", "csv"]))
    def test_round_trip_keeps_records(self, records, format):
        organisations, relationships = records
        buffer = io.BytesIO()
        write_spreadsheet(organisations, relationships, buffer, format=format)
        assert read_spreadsheet(buffer) == (organisations, relationships, [])

    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        networks(), st.lists(names.filter(lambda n: not re.fullmatch(r"-?\d+", n)), min_size=1, max_size=3), st.data()
    )
    def test_round_trip_with_shared_names(self, records, pool, data):
        organisations, relationships = records
        for organisation in organisations:
            organisation["name"] = data.draw(st.sampled_from(pool))
        buffer = io.BytesIO()
        write_spreadsheet(organisations, relationships, buffer, format=data.draw(st.sampled_from(["xlsx", "csv"])))
        assert read_spreadsheet(buffer) == (organisations, relationships, [])
