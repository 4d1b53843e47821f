"""Loading the skills vocabulary: the shipped English ESCO skills, or an official ESCO CSV export.

An import reports every bad row with its line number and still stores every good one; running it
again changes nothing (one row per concept URI and language).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from matching.text import word_forms
from portal.db.tables import Skill
from portal.text import fold

__all__ = [
    "LEMMAS",
    "SHIPPED_TRANSLATIONS",
    "SHIPPED_VOCABULARY",
    "ImportReport",
    "SkillRow",
    "import_file",
    "import_text",
    "load_shipped",
    "read_esco_csv",
]

_DATA = Path(__file__).resolve().parent.parent / "data"
SHIPPED_VOCABULARY = _DATA / "esco_skills_en.csv"
# The project's own Slovenian and Croatian labels, in ESCO's CSV layout (an official export replaces them).
SHIPPED_TRANSLATIONS = {"sl": _DATA / "esco_skills_sl.csv", "hr": _DATA / "esco_skills_hr.csv"}
# Separates the labels of ``search_text`` from their word forms and lemmas.
LEMMAS = "\n\n"
ESCO_CONCEPT = re.compile(r"^http://data\.europa\.eu/esco/[A-Za-z0-9][A-Za-z0-9/._-]*$")
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")
_LIMITS = {"uri": 200, "label": 300, "reuse_level": 30}
_CHUNK = 50  # rows per INSERT: far below SQLite's bound-parameter limit


@dataclass(frozen=True)
class SkillRow:
    line: int
    uri: str
    label: str
    alternatives: tuple[str, ...]
    reuse_level: str

    @property
    def search_text(self) -> str:
        """Folded labels, one per line, the preferred label first; then, after an empty line, every
        word form and sl/hr/en lemma of those labels (see ``services.labels_of`` and ``services.suggest``)."""
        labels: list[str] = []
        for label in (self.label, *self.alternatives):
            folded = fold(label)
            if folded and folded not in labels:
                labels.append(folded)
        forms = dict.fromkeys(form for label in (self.label, *self.alternatives) for form in word_forms(label).split())
        return "\n".join(labels) + LEMMAS + " ".join(forms)


@dataclass
class ImportReport:
    language: str
    read: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"skills ({self.language}): {self.read} rows read, {self.added} added, {self.updated} updated, "
            f"{self.unchanged} unchanged, {len(self.problems)} rejected"
        )


def _row_problem(uri: str, label: str, reuse_level: str) -> str | None:
    if not uri:
        return "no conceptUri"
    if len(uri) > _LIMITS["uri"] or not ESCO_CONCEPT.match(uri):
        return f"conceptUri {uri[:80]!r} is not an ESCO concept address (http://data.europa.eu/esco/...)"
    if not label:
        return "no preferredLabel"
    if len(label) > _LIMITS["label"]:
        return f"preferredLabel is longer than {_LIMITS['label']} characters"
    if len(reuse_level) > _LIMITS["reuse_level"]:
        return f"reuseLevel/skillType is longer than {_LIMITS['reuse_level']} characters"
    if "\ufffd" in uri + label:
        return "the row is not valid UTF-8"
    return None


def read_esco_csv(text: str) -> tuple[list[SkillRow], list[tuple[int, str]]]:
    """Good rows and (line, problem) for each bad one, from an ESCO skills CSV.

    Needed columns: ``conceptUri`` and ``preferredLabel``; ``altLabels`` (one per line inside the
    cell, as ESCO exports them) and ``reuseLevel`` or else ``skillType`` are used when present.
    """
    reader = csv.reader(io.StringIO(text))
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration:
        return [], [(1, "the file is empty")]
    except csv.Error as exc:
        return [], [(1, f"the header cannot be read: {exc}")]
    missing = [name for name in ("conceptUri", "preferredLabel") if name not in header]
    if missing:
        return [], [(1, f"the header has no {' or '.join(missing)} column (found: {', '.join(header)[:200]})")]
    column = {name: index for index, name in enumerate(header)}
    rows: list[SkillRow] = []
    problems: list[tuple[int, str]] = []
    first_line: dict[str, int] = {}
    while True:
        line = reader.line_num + 1  # a quoted cell may span lines: report where the record starts
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append((line, f"cannot be read: {exc}"))
            break
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(header):
            problems.append((line, f"has {len(record)} fields where the header has {len(header)}"))
            continue

        def cell(name: str, record: list[str] = record) -> str:
            return record[column[name]].strip() if name in column else ""

        uri, label = cell("conceptUri"), " ".join(cell("preferredLabel").split())
        reuse_level = cell("reuseLevel") or cell("skillType")
        problem = _row_problem(uri, label, reuse_level)
        if problem is None and uri in first_line:
            problem = f"repeats the concept of line {first_line[uri]}"
        if problem:
            problems.append((line, problem))
            continue
        first_line[uri] = line
        alternatives = tuple(
            alt for alt in (" ".join(a.split()) for a in cell("altLabels").splitlines()) if alt and len(alt) <= 300
        )
        rows.append(SkillRow(line=line, uri=uri, label=label, alternatives=alternatives, reuse_level=reuse_level))
    return rows, problems


async def _store(rows: list[SkillRow], report: ImportReport) -> None:
    """Insert new (uri, language) rows and update changed ones, all or nothing."""
    from portal.db.piccolo_conf import DB

    language = report.language
    async with DB.transaction():
        stored = {
            row["uri"]: row
            for row in await Skill.select(Skill.id, Skill.uri, Skill.label, Skill.reuse_level, Skill.search_text).where(
                Skill.language == language
            )
        }
        new: list[Skill] = []
        for row in rows:
            current = stored.get(row.uri)
            if current is None:
                new.append(
                    Skill(
                        uri=row.uri,
                        language=language,
                        label=row.label,
                        reuse_level=row.reuse_level,
                        search_text=row.search_text,
                    )
                )
            elif (current["label"], current["reuse_level"], current["search_text"]) != (
                row.label,
                row.reuse_level,
                row.search_text,
            ):
                await Skill.update(
                    {Skill.label: row.label, Skill.reuse_level: row.reuse_level, Skill.search_text: row.search_text}
                ).where(Skill.id == current["id"])
                report.updated += 1
            else:
                report.unchanged += 1
        for start in range(0, len(new), _CHUNK):
            await Skill.insert(*new[start : start + _CHUNK])
        report.added = len(new)


async def import_text(text: str, language: str) -> ImportReport:
    """Import an ESCO skills CSV given as text, its labels being in ``language``."""
    if not LANGUAGE_CODE.match(language):
        raise ValueError(f"language must be a two- or three-letter code such as sl, not {language!r}")
    report = ImportReport(language=language)
    rows, report.problems = read_esco_csv(text)
    report.read = len(rows) + len(report.problems)
    if rows:
        await _store(rows, report)
    return report


async def import_file(path: Path | str, language: str) -> ImportReport:
    """Import an ESCO skills CSV file (UTF-8, with or without a byte-order mark)."""
    # Undecodable bytes become U+FFFD, so only the rows holding them are refused.
    text = Path(path).read_bytes().decode("utf-8-sig", errors="replace")
    return await import_text(text, language)


async def load_shipped() -> list[ImportReport]:
    """Load the ESCO skills that ship with the portal, in English, Slovenian and Croatian (idempotent)."""
    reports = [await import_file(SHIPPED_VOCABULARY, "en")]
    for language, path in SHIPPED_TRANSLATIONS.items():
        if path.exists():
            reports.append(await import_file(path, language))
    return reports
