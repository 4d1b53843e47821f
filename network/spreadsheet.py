"""Spreadsheet import and export in the two-sheet form network-mapping tools (Kumu) use: Elements and Connections."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from network.records import DEFAULT_STRENGTH, ORGANISATION_KINDS, RELATIONSHIP_KINDS

__all__ = ["CONNECTION_COLUMNS", "ELEMENT_COLUMNS", "read_spreadsheet", "write_spreadsheet"]

# Column -> record field. Other columns travel as text fields named like the column
# ("Registry id" <-> "registry_id").
ELEMENT_COLUMNS = {
    "Label": "name",
    "Type": "kind",
    "Country": "country",
    "Region": "region",
    "Municipality": "municipality",
    "Latitude": "latitude",
    "Longitude": "longitude",
    "ID": "id",
}
CONNECTION_COLUMNS = {
    "From": "source",
    "To": "target",
    "Type": "kind",
    "Since": "since",
    "Until": "until",
    "Strength": "strength",
    "ID": "id",
}
_REQUIRED = {"Elements": ("Label", "Type", "Country"), "Connections": ("From", "To", "Type")}
_FILES = {"Elements": "elements.csv", "Connections": "connections.csv"}
# Excel runs a CSV cell starting with one of these as a formula; a leading apostrophe stops it
# (and text that starts with an apostrophe gets one more, so reading back is unambiguous).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_ESCAPED_START = (*_FORMULA_START, "'")
_LOCAL_DATE = re.compile(r"(\d{1,2})\.\s*(\d{1,2})\.\s*(\d{4})")

Source = str | Path | IO[bytes] | tuple[str | Path, str | Path]
_Rows = list[Sequence[Any]]
_Labels = dict[str, tuple[int, dict[str, Any]]]  # folded label -> (row number, record) of its first row
_Shared = dict[str, list[int]]  # folded label -> the rows of elements that share it (each with an ID)
_Problems = list[tuple[str, str]]  # (column, message) for one row


def read_spreadsheet(source: Source) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Organisations and relationships from an Elements sheet and a Connections sheet.

    Parameters
    ----------
    source : path, binary file or (elements.csv, connections.csv)
        An XLSX workbook with sheets "Elements" and "Connections"; a folder or zip holding
        ``elements.csv`` and ``connections.csv``; or the two CSV paths. CSV may be comma-,
        semicolon- or tab-separated, UTF-8 with or without a byte-order mark.

    Returns
    -------
    (organisations, relationships, errors)
        Records as `build_graph` reads them. Elements: ``Label`` (unique, compared without
        case), ``Type`` (an organisation kind, e.g. ``social_enterprise`` or "Social
        enterprise"), ``Country`` (two letters) are required; ``Region``, ``Municipality``,
        ``Latitude`` and ``Longitude`` (decimal degrees, both or neither) and ``ID`` are
        optional; rows without an ID get the next free one. Elements with IDs may share a
        label (two offices of the same name). Connections: ``From`` and ``To`` name element
        labels, or element IDs (needed for a shared label); ``Type`` is a relationship kind;
        ``Since`` and ``Until`` are dates (YYYY-MM-DD or D.M.YYYY); ``Strength`` is 1-5 (3 when empty). Any other
        column becomes a text field. ``errors`` has one ``{"sheet", "row", "column",
        "message"}`` per problem, with the row number the spreadsheet shows (the header is
        row 1; ``row`` is None for a missing sheet). A row with any problem is left out;
        every other row is kept, and a connection is left out only for its own problems or
        because an element it names was.

    Raises
    ------
    ValueError
        If the source is not a workbook, folder, zip or pair of CSV files.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "elements.csv").write_text("Label;Type;Country\\nCSD Ptuj;social_work_centre;SI\\n")
    >>> _ = (folder / "connections.csv").write_text("From;To;Type\\nCSD Ptuj;Nobody;cooperation\\n")
    >>> organisations, relationships, errors = read_spreadsheet(folder)
    >>> organisations[0]["name"], relationships, errors[0]["row"], errors[0]["column"]
    ('CSD Ptuj', [], 2, 'To')
    """
    sheets, escaped = _load(source)
    elements, connections = sheets.get("Elements"), sheets.get("Connections")
    errors: list[dict[str, Any]] = []
    organisations: list[dict[str, Any]] = []
    relationships: list[dict[str, Any]] = []
    for name in ("Elements", "Connections"):
        if sheets.get(name) is None:
            errors.append({"sheet": name, "row": None, "column": None, "message": f"the {name} sheet is missing"})
    labels: _Labels = {}
    shared: _Shared = {}
    given_ids: set[int] = set()
    bad_labels: dict[str, int] = {}
    if elements is not None:
        organisations = _read_elements(elements, escaped, labels, shared, given_ids, bad_labels, errors)
    if connections is not None:
        # Only IDs the sheet gives: one filled in by row order is nothing a person could have meant.
        by_id = {organisation["id"]: organisation for organisation in organisations if organisation["id"] in given_ids}
        relationships = _read_connections(connections, escaped, labels, shared, by_id, bad_labels, errors)
    return organisations, relationships, errors


def write_spreadsheet(
    organisations: Iterable[Mapping[str, Any]],
    relationships: Iterable[Mapping[str, Any]],
    path: str | Path | IO[bytes],
    format: str = "xlsx",
) -> None:
    """Write records as an Elements and a Connections sheet that `read_spreadsheet` reads back the same.

    Parameters
    ----------
    organisations, relationships : iterables of mappings
        Records as `build_graph` reads them; fields other than the standard ones are
        written as text columns (None values are left empty).
    path : path or binary file
        ``format="xlsx"``: the workbook. ``format="csv"``: a zip when ``path`` ends in
        ``.zip`` or is a file object, otherwise a folder (created) for ``elements.csv`` and
        ``connections.csv`` (UTF-8 with a byte-order mark, which Excel needs).
    format : {"xlsx", "csv"}
        XLSX keeps numbers to 16 significant digits (Excel shows 15), far finer than a
        coordinate needs; CSV keeps them exactly.

    Raises
    ------
    ValueError
        For an unknown format, or a relationship naming an unknown organisation.

    Notes
    -----
    Connections name their ends by label, as Kumu does; an organisation whose name another
    shares (compared without case) is named by its ID instead, which `read_spreadsheet`
    also reads. An ID that reads as another organisation's label cannot be told apart
    from it and is refused (ValueError).

    Examples
    --------
    >>> import io
    >>> buffer = io.BytesIO()
    >>> orgs = [{"id": 1, "name": "CSD Ptuj", "kind": "social_work_centre", "country": "SI"},
    ...         {"id": 2, "name": "CPU", "kind": "social_enterprise", "country": "SI"}]
    >>> write_spreadsheet(orgs, [{"id": 5, "source": 1, "target": 2, "kind": "cooperation"}], buffer)
    >>> _ = buffer.seek(0)
    >>> read_spreadsheet(buffer)[1]
    [{'id': 5, 'source': 1, 'target': 2, 'kind': 'cooperation', 'since': None, 'until': None, 'strength': 3}]
    """
    if format not in ("xlsx", "csv"):
        raise ValueError(f'format must be "xlsx" or "csv", not {format!r}')
    organisations, relationships = list(organisations), list(relationships)
    # How a connection names each end: the label, or the ID when several organisations share the label.
    sharing: dict[str, int] = {}
    for organisation in organisations:
        key = _label_key(organisation["name"])
        sharing[key] = sharing.get(key, 0) + 1
    names: dict[Any, Any] = {
        organisation["id"]: (
            str(organisation["name"]) if sharing[_label_key(organisation["name"])] == 1 else organisation["id"]
        )
        for organisation in organisations
    }
    for relationship in relationships:
        for end in ("source", "target"):
            if relationship[end] not in names:
                raise ValueError(
                    f"relationship {relationship.get('id')} names unknown organisation {relationship[end]!r}"
                )
            reference = names[relationship[end]]
            if not isinstance(reference, str) and _label_key(reference) in sharing:
                raise ValueError(
                    f"organisation {reference!r} shares its name with another, and its ID {reference!r} is also "
                    "an organisation's label: a connection could not tell them apart"
                )
    tables = {
        "Elements": _table(organisations, ELEMENT_COLUMNS, {}),
        "Connections": _table(relationships, CONNECTION_COLUMNS, {"source": names, "target": names}),
    }
    if format == "xlsx":
        _write_xlsx(tables, path)
    else:
        _write_csv(tables, path)


# --- reading ------------------------------------------------------------------------------------


def _load(source: Source) -> tuple[dict[str, _Rows | None], bool]:
    """Rows per sheet (None when the sheet is missing), and whether cells may carry CSV escapes."""
    if isinstance(source, (tuple, list)):
        elements, connections = source
        return {
            "Elements": _csv_rows(Path(elements).read_bytes()),
            "Connections": _csv_rows(Path(connections).read_bytes()),
        }, True
    if isinstance(source, (str, Path)) and Path(source).is_dir():
        files = {path.name.casefold(): path for path in Path(source).iterdir()}
        return {
            sheet: _csv_rows(files[name].read_bytes()) if name in files else None for sheet, name in _FILES.items()
        }, True
    if not zipfile.is_zipfile(source):
        raise ValueError(
            "expected an .xlsx workbook, a folder or .zip with elements.csv and connections.csv, or both CSV paths"
        )
    if not isinstance(source, (str, Path)):
        source.seek(0)
    with zipfile.ZipFile(source) as archive:
        members = {Path(name).name.casefold(): name for name in archive.namelist() if not name.endswith("/")}
        if "xl/workbook.xml" not in archive.namelist():
            return {
                sheet: _csv_rows(archive.read(members[name])) if name in members else None
                for sheet, name in _FILES.items()
            }, True
    if not isinstance(source, (str, Path)):
        source.seek(0)
    # Imported when a spreadsheet is first read or written: openpyxl is 8 MB a web worker would hold from its start.
    import openpyxl

    workbook = openpyxl.load_workbook(source, read_only=True, data_only=True)
    try:
        by_name = {title.casefold(): title for title in workbook.sheetnames}
        return {
            sheet: (
                list(workbook[by_name[sheet.casefold()]].iter_rows(values_only=True))
                if sheet.casefold() in by_name
                else None
            )
            for sheet in _FILES
        }, False
    finally:
        workbook.close()


def _csv_rows(data: bytes) -> _Rows:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel's "CSV" in Slovenian and Croatian locales is Windows-1250.
        text = data.decode("cp1250", errors="replace")
    header = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=header.count)
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def _label_key(value: Any) -> str:
    """A label as `read_spreadsheet` compares them: trimmed, without case."""
    return str(value).strip().casefold()


def _read_elements(
    rows: _Rows,
    escaped: bool,
    labels: _Labels,
    shared: _Shared,
    given_ids: set[int],
    bad_labels: dict[str, int],
    errors: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    columns, extras = _header(rows, "Elements", ELEMENT_COLUMNS, errors)
    if columns is None:
        return []
    records: list[dict[str, Any]] = []
    ids: set[int] = set()
    for number, row, cell in _rows(rows, columns, escaped):
        problems: _Problems = []
        label = _text(cell("Label"))
        # Elements may share a label when their IDs tell them apart (connections then name them by ID).
        same = labels.get(label.casefold()) if label is not None else None
        if label is None:
            problems.append(("Label", "Label is required"))
        elif same is not None and (_text(cell("ID")) is None or same[1]["id"] is None):
            problems.append(("Label", f"the label {label!r} is already used on row {same[0]}"))
        kind = _kind(cell("Type"), ORGANISATION_KINDS, "Type", problems)
        country = _text(cell("Country"))
        if country is None or not re.fullmatch(r"[A-Za-z]{2}", country):
            problems.append(
                ("Country", f"Country must be a two-letter code such as SI or HR, not {country or 'empty'!r}")
            )
        latitude = _number(cell("Latitude"), "Latitude", -90, 90, problems)
        longitude = _number(cell("Longitude"), "Longitude", -180, 180, problems)
        if (latitude is None) != (longitude is None):
            missing = "Longitude" if longitude is None else "Latitude"
            if not any(column == missing for column, _ in problems):
                problems.append((missing, "give both Latitude and Longitude, or neither"))
        identifier = _identifier(cell("ID"), ids, problems)
        # A missing label or country is one of the problems.
        if problems or label is None or country is None:
            errors.extend({"sheet": "Elements", "row": number, "column": c, "message": m} for c, m in problems)
            if label:
                bad_labels.setdefault(label.casefold(), number)
            continue
        record = {
            **_extra_fields(extras, row),  # first, so a stray "Name" column cannot replace the label
            "id": identifier,
            "name": label,
            "kind": kind,
            "country": country.upper(),
            "region": _text(cell("Region")),
            "municipality": _text(cell("Municipality")),
            "latitude": latitude,
            "longitude": longitude,
        }
        if same is None:
            labels[label.casefold()] = (number, record)
        else:
            shared.setdefault(label.casefold(), [same[0]]).append(number)
        records.append(record)
    given_ids.update(ids)
    _fill_ids(records, ids)  # in place, so connections read below see the final ids
    return records


def _read_connections(
    rows: _Rows,
    escaped: bool,
    labels: _Labels,
    shared: _Shared,
    by_id: dict[Any, dict[str, Any]],
    bad_labels: dict[str, int],
    errors: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    columns, extras = _header(rows, "Connections", CONNECTION_COLUMNS, errors)
    if columns is None:
        return []
    records: list[dict[str, Any]] = []
    ids: set[int] = set()
    for number, row, cell in _rows(rows, columns, escaped):
        problems: _Problems = []
        ends = {}
        for column in ("From", "To"):
            label = _text(cell(column))
            if label is None:
                problems.append((column, f"{column} is required"))
            elif label.casefold() in shared:
                rows_of = ", ".join(map(str, shared[label.casefold()]))
                problems.append((column, f"the label {label!r} is on rows {rows_of}: name the element by its ID"))
            elif label.casefold() in labels:
                ends[column] = labels[label.casefold()][1]["id"]
            elif _whole(label) in by_id:  # an element's ID (how a shared label is named)
                ends[column] = by_id[_whole(label)]["id"]
            elif label.casefold() in bad_labels:
                problems.append((column, f"the element {label!r} on row {bad_labels[label.casefold()]} has errors"))
            else:
                problems.append((column, f"no element is labelled {label!r}"))
        if len(ends) == 2 and ends["From"] == ends["To"]:
            problems.append(("To", "a connection needs two different elements"))
        kind = _kind(cell("Type"), RELATIONSHIP_KINDS, "Type", problems)
        since = _date(cell("Since"), "Since", problems)
        until = _date(cell("Until"), "Until", problems)
        if since and until and since > until:
            problems.append(("Until", f"Until ({until}) is before Since ({since})"))
        strength = _strength(cell("Strength"), problems)
        identifier = _identifier(cell("ID"), ids, problems)
        if problems:
            errors.extend({"sheet": "Connections", "row": number, "column": c, "message": m} for c, m in problems)
            continue
        records.append(
            {
                **_extra_fields(extras, row),
                "id": identifier,
                "source": ends["From"],
                "target": ends["To"],
                "kind": kind,
                "since": since,
                "until": until,
                "strength": strength,
            }
        )
    _fill_ids(records, ids)
    return records


def _header(
    rows: _Rows, sheet: str, known: dict[str, str], errors: list[dict[str, Any]]
) -> tuple[dict[str, int] | None, dict[str, int]]:
    """Known column -> index, and extra field -> index; None when a required column is missing."""
    header = [_text(value) for value in rows[0]] if rows else []
    by_name = {column.casefold(): column for column in known}
    columns: dict[str, int] = {}
    extras: dict[str, int] = {}
    for index, title in enumerate(header):
        if title is None:
            continue
        if title.casefold() in by_name:
            columns.setdefault(by_name[title.casefold()], index)
        else:
            extras.setdefault(_field_name(title), index)
    missing = [column for column in _REQUIRED[sheet] if column not in columns]
    for column in missing:
        errors.append({"sheet": sheet, "row": 1, "column": column, "message": f"the {column} column is missing"})
    return (None if missing else columns), extras


def _rows(rows: _Rows, columns: dict[str, int], escaped: bool) -> Iterator[tuple[int, list[Any], Callable[[str], Any]]]:
    """(row number, cells, cell getter) for each non-blank data row."""
    for number, row in enumerate(rows[1:], start=2):
        if all(_text(value) is None for value in row):
            continue
        cells = [_unescape(value) if escaped else value for value in row]

        def cell(column: str, cells: list[Any] = cells) -> Any:
            index = columns.get(column)
            return cells[index] if index is not None and index < len(cells) else None

        yield number, cells, cell


def _extra_fields(extras: dict[str, int], row: Sequence[Any]) -> dict[str, str]:
    values = {field: _text(row[index]) if index < len(row) else None for field, index in extras.items()}
    return {field: value for field, value in values.items() if value is not None}


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def _unescape(value: Any) -> Any:
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(_ESCAPED_START):
        return value[1:]
    return value


def _kind(value: Any, allowed: Sequence[str], column: str, problems: _Problems) -> str | None:
    text = _text(value)
    key = re.sub(r"[\s\-]+", "_", text.casefold()) if text else None
    if key in allowed:
        return key
    problems.append((column, f"{column} must be one of {', '.join(allowed)}, not {text or 'empty'!r}"))
    return None


def _number(value: Any, column: str, low: float, high: float, problems: _Problems) -> float | None:
    text = _text(value)
    if text is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
    else:
        try:
            number = float(text.replace(",", ".")) if text.count(",") == 1 and "." not in text else float(text)
        except ValueError:
            problems.append((column, f"{column} must be a number in decimal degrees, not {text!r}"))
            return None
    if not low <= number <= high:
        problems.append((column, f"{column} must be between {low:g} and {high:g}, not {text}"))
        return None
    return number


def _date(value: Any, column: str, problems: _Problems) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if text is None:
        return None
    try:
        local = _LOCAL_DATE.fullmatch(text)
        return date(int(local[3]), int(local[2]), int(local[1])) if local else date.fromisoformat(text)
    except ValueError:
        problems.append((column, f"{column} must be a date such as 2024-03-31 or 31.3.2024, not {text!r}"))
        return None


def _whole(value: Any) -> int | None:
    """A whole number from an int, an integral float or digits; None if it is none of those."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, int):
        return value
    text = _text(value)
    return int(text) if text and re.fullmatch(r"-?\d+", text) else None


def _strength(value: Any, problems: _Problems) -> int | None:
    if _text(value) is None:
        return DEFAULT_STRENGTH
    strength = _whole(value)
    if strength is None or not 1 <= strength <= 5:
        problems.append(("Strength", f"Strength must be a whole number from 1 to 5, not {_text(value)!r}"))
    return strength


def _identifier(value: Any, used: set[int], problems: _Problems) -> int | None:
    if _text(value) is None:
        return None
    identifier = _whole(value)
    if identifier is None:
        problems.append(("ID", f"ID must be a whole number, not {_text(value)!r}"))
    elif identifier in used:
        problems.append(("ID", f"the ID {identifier} is already used"))
    elif not problems:
        used.add(identifier)
    return identifier


def _fill_ids(records: list[dict[str, Any]], used: set[int]) -> None:
    """Rows without an ID get the next free ones, in row order."""
    following = max(used, default=0) + 1
    for record in records:
        if record["id"] is None:
            record["id"] = following
            used.add(following)
            following += 1


def _field_name(column: str) -> str:
    return re.sub(r"\s+", "_", column.strip().casefold())


# --- writing ------------------------------------------------------------------------------------


def _table(
    records: list[Mapping[str, Any]], columns: dict[str, str], lookups: dict[str, dict[Any, Any]]
) -> list[list[Any]]:
    fields = set(columns.values())
    extras = sorted(
        {key for record in records for key, value in record.items() if key not in fields and value is not None}
    )
    header = list(columns) + [_column_title(field) for field in extras]
    rows: list[list[Any]] = [header]
    for record in records:
        row = []
        for field in [*columns.values(), *extras]:
            value = record.get(field)
            if field in lookups:
                value = lookups[field][value]
            elif field == "strength" and value is None:
                value = DEFAULT_STRENGTH
            elif field in extras and value is not None:
                value = str(value)
            row.append(value)
        rows.append(row)
    return rows


def _column_title(field: str) -> str:
    return field.replace("_", " ").capitalize()


def _write_xlsx(tables: dict[str, list[list[Any]]], path: str | Path | IO[bytes]) -> None:
    import openpyxl  # (when first used: see _load)

    workbook = openpyxl.Workbook()
    empty = workbook.active  # a new workbook comes with one empty sheet
    if empty is not None:
        workbook.remove(empty)
    for title, rows in tables.items():
        sheet = workbook.create_sheet(title)
        for row_number, row in enumerate(rows, start=1):
            for column_number, value in enumerate(row, start=1):
                cell = sheet.cell(row=row_number, column=column_number, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"  # never a formula, whatever the text starts with
                elif isinstance(value, date):
                    cell.number_format = "yyyy-mm-dd"
    workbook.save(path)


def _write_csv(tables: dict[str, list[list[Any]]], path: str | Path | IO[bytes]) -> None:
    files = {}
    for title, rows in tables.items():
        text = io.StringIO(newline="")
        writer = csv.writer(text)
        for row in rows:
            writer.writerow([_csv_cell(value) for value in row])
        files[_FILES[title]] = text.getvalue().encode("utf-8-sig")
    if isinstance(path, (str, Path)) and not str(path).casefold().endswith(".zip"):
        Path(path).mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            (Path(path) / name).write_bytes(data)
        return
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    if isinstance(value, str) and text.startswith(_ESCAPED_START):
        return "'" + text
    return text
