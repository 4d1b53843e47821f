"""Records of processing: every table has a purpose, legal basis and retention, and the page shows them all."""

from __future__ import annotations

from portal.db.piccolo_app import APP_CONFIG
from portal.db.processing import PROCESSING
from portal.privacy import processing
from tests.fixtures import login


def test_every_table_says_why_it_exists_on_what_basis_and_for_how_long():
    names = {table._meta.tablename for table in APP_CONFIG.table_classes}
    assert processing.missing_entries() == [], "add the new table to portal/db/processing.py"
    assert set(PROCESSING) <= names, "an entry for a table that no longer exists"
    for name, entry in PROCESSING.items():
        assert str(entry.purpose) and str(entry.legal_basis) and str(entry.retention), name
    for record in processing.records():
        assert record.description, f"{record.name} has no docstring"


def test_the_retention_setting_is_written_into_the_texts(monkeypatch):
    import dataclasses

    from portal.settings import get_settings

    monkeypatch.setattr(processing, "get_settings", lambda: dataclasses.replace(get_settings(), retention_days=400))
    participant = next(r for r in processing.records() if r.name == "participant")
    assert "400 days" in participant.retention and "%(" not in participant.retention


async def test_admins_and_coordinators_read_the_records_generated_from_the_tables(client, make_user):
    await make_user("root", "admin")
    await make_user("coord", "coordinator", language="hr")
    await login(client, "root")
    page = await client.get("/admin/processing")
    assert page.status_code == 200
    for table in APP_CONFIG.table_classes:
        assert f'id="t-{table._meta.tablename}"' in page.text
    # The tables' own words: a docstring and a column's help text.
    assert "A person in an activation programme" in page.text and "Pseudonymous code shown everywhere." in page.text
    assert "personal data" in page.text and "1825 days after the case closes" in page.text
    client.cookies.clear()
    await login(client, "coord")
    page = await client.get("/admin/processing")
    assert page.status_code == 200 and '<html lang="hr">' in page.text
