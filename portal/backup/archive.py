"""The backup file: gzip-compressed JSON lines, optionally encrypted, checked by a SHA-256 in its manifest.

Lines, in order: a header (format, portal version, engine, created_at, applied migrations, each
table's columns with portable types); for each table ``{"kind": "table"}``, its rows as JSON arrays
(one per line, in id order) and ``{"kind": "end", "rows": n}``; last, the manifest: the header's
fields plus the row counts and the SHA-256 of every line before it. ``zcat FILE | tail -1`` shows the
manifest of an unencrypted file. Values are portable between SQLite and PostgreSQL: timestamps as
ISO 8601 in UTC, dates as ISO dates, booleans as JSON booleans, numbers and text as they are.
"""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import hashlib
import json
import os
import zlib
from collections.abc import Generator
from pathlib import Path
from typing import Any, BinaryIO

from portal.backup.crypto import MAGIC, CryptoError, DecryptingReader, EncryptingWriter

FORMAT = "portal-backup"
FORMAT_VERSION = 1
# Rows read back are handed on in batches of at most this many bytes of JSON.
BATCH_BYTES = 8 << 20
BATCH_ROWS = 5000


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


def portable_type(declared: str) -> str:
    """The portable type of a column from its declared type on either engine."""
    name = declared.strip().lower()
    if name in ("timestamptz", "timestamp with time zone"):
        return "timestamptz"
    if name.startswith("timestamp"):
        return "timestamp"
    if name in ("date", "boolean"):
        return name
    if name in ("double precision", "real", "float", "double") or name.startswith("float"):
        return "double"
    if name in ("integer", "bigint", "smallint", "serial", "bigserial") or name.startswith("integer"):
        return "integer"
    if name == "text" or name.startswith(("varchar", "character varying")):
        return "text"
    if name in ("bytea", "blob"):
        return "bytes"
    return name or "text"


def _json_default(value: Any) -> Any:
    """Timestamps and dates in their JSON form; the JSON encoder asks only for what JSON lacks."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):  # uploaded files (training materials)
        return base64.b64encode(bytes(value)).decode("ascii")
    raise BackupError(f"cannot write a value of type {type(value).__name__}")


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_json_default)


def _timestamptz(value: str) -> dt.datetime:
    parsed = dt.datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


# What turns a JSON value back into what both engines' drivers take; other types arrive ready
# (text, integers, booleans as JSON has them).
_DECODERS = {
    "timestamptz": _timestamptz,
    "timestamp": dt.datetime.fromisoformat,
    "date": dt.date.fromisoformat,
    "double": float,
    "bytes": base64.b64decode,
}


def decoders(columns: list[list[str]]) -> list[tuple[int, Any]]:
    """``(position, function)`` for each column whose JSON value needs turning back into a Python one."""
    return [(position, _DECODERS[kind]) for position, (_, kind) in enumerate(columns) if kind in _DECODERS]


def _line(obj: Any) -> bytes:
    return _ENCODER.encode(obj).encode() + b"\n"


class ArchiveWriter:
    """Writes a backup to ``path`` by way of ``path.partial``, renamed into place only when complete."""

    def __init__(self, path: Path, key: str = "") -> None:
        self.path = path
        self.partial = path.with_name(path.name + ".partial")
        # The file holds personal data: readable by its owner only, from the first byte.
        descriptor = os.open(self.partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(descriptor, 0o600)  # also when a left-over partial file had other permissions
        self._raw: BinaryIO = os.fdopen(descriptor, "wb")
        self._encrypter = EncryptingWriter(self._raw, key) if key else None
        self._gzip = gzip.GzipFile(
            filename="", mode="wb", fileobj=self._encrypter or self._raw, compresslevel=6, mtime=0
        )
        self._hash = hashlib.sha256()

    def write(self, obj: Any) -> None:
        self._put(_line(obj))

    def write_rows(self, rows: list[tuple[Any, ...]]) -> int:
        """Write rows (one JSON array per line) in one go; return the bytes they came to."""
        if not rows:
            return 0
        data = ("\n".join(map(_ENCODER.encode, rows)) + "\n").encode()
        self._put(data)
        return len(data)

    def _put(self, data: bytes) -> None:
        self._hash.update(data)
        self._gzip.write(data)

    def finish(self, manifest: dict[str, Any]) -> dict[str, Any]:
        manifest = {**manifest, "kind": "manifest", "sha256": self._hash.hexdigest()}
        self._gzip.write(_line(manifest))
        self._gzip.close()
        if self._encrypter:
            self._encrypter.close()
        self._raw.flush()
        os.fsync(self._raw.fileno())
        self._raw.close()
        os.replace(self.partial, self.path)
        return manifest

    def abort(self) -> None:
        self._raw.close()
        self.partial.unlink(missing_ok=True)


def _open(path: Path, key: str) -> Any:
    raw = open(path, "rb")  # noqa: SIM115 (closed by the caller, through the gzip stream or on error)
    try:
        start = raw.read(len(MAGIC))
        raw.seek(0)
        if start.startswith(MAGIC):
            if not key:
                raise BackupError("this backup is encrypted: set PORTAL_BACKUP_KEY to the key it was made with")
            # typeshed asks for seek() too; gzip reading forward never seeks, and a restore only reads forward.
            return raw, gzip.GzipFile(fileobj=DecryptingReader(raw, key), mode="rb")  # type: ignore[call-overload]
        if start.startswith(b"\x1f\x8b"):
            return raw, gzip.GzipFile(fileobj=raw, mode="rb")
        raise BackupError(f"{path} is not a portal backup")
    except CryptoError as exc:
        raw.close()
        raise BackupError(str(exc)) from None
    except BaseException:
        raw.close()
        raise


def _parse(lines: list[bytes], table: str, columns: list[list[str]], convert: list[tuple[int, Any]]) -> list[list[Any]]:
    """Rows from their lines, parsed in one call (a JSON array of them), then typed."""
    rows = json.loads(b"[" + b",".join(lines) + b"]")
    for row in rows:
        if not isinstance(row, list) or len(row) != len(columns):
            raise BackupError(f"table {table}: a row does not have the table's {len(columns)} columns")
        for position, function in convert:
            if row[position] is not None:
                row[position] = function(row[position])
    return rows


def read_archive(path: Path, key: str = "", rows: bool = True) -> Generator[tuple[str, Any]]:
    """Yield ``("header", dict)``, then per table ``("table", (name, columns))`` and ``("rows", [row, ...])``
    in batches, and last ``("manifest", dict)`` once the checksum and every count have been checked.
    Raises :class:`BackupError` for a wrong key, a damaged, cut-short or altered file. With
    ``rows=False`` rows are counted and checksummed but not parsed (the checksum vouches for them).
    """
    raw, stream = _open(path, key)
    digest = hashlib.sha256()
    header: dict[str, Any] | None = None
    columns: dict[str, list[list[str]]] = {}
    convert: list[tuple[int, Any]] = []
    counts: dict[str, int] = {}
    table: str | None = None
    batch: list[bytes] = []
    batch_bytes = 0
    try:
        for number, data in enumerate(stream, start=1):
            if not data.endswith(b"\n"):
                raise BackupError("the file is cut short (its last line is incomplete)")
            if data.startswith(b"["):
                if table is None:
                    raise BackupError(f"line {number}: a row outside any table")
                digest.update(data)
                counts[table] += 1
                if not rows:
                    continue
                batch.append(data)
                batch_bytes += len(data)
                # Batches of 5,000 rows, fewer when rows are big (a network snapshot is megabytes).
                if len(batch) >= BATCH_ROWS or batch_bytes >= BATCH_BYTES:
                    yield "rows", _parse(batch, table, columns[table], convert)
                    batch, batch_bytes = [], 0
                continue
            record = json.loads(data)
            kind = record.get("kind")
            if kind == "manifest":
                if header is None or stream.read(1):
                    raise BackupError("the manifest is not the last line")
                if record.pop("sha256", None) != digest.hexdigest():
                    raise BackupError("the checksum does not match: the file is damaged or was altered")
                if any(record.get(name) != value for name, value in header.items() if name != "kind"):
                    raise BackupError("the manifest does not match the file's header")
                if record.get("row_counts") != counts:
                    raise BackupError("the row counts in the manifest do not match the rows in the file")
                yield "manifest", record
                return
            digest.update(data)
            if kind == "header":
                if record.get("format") != FORMAT or header is not None:
                    raise BackupError("not a portal backup (no header)")
                if record.get("format_version") != FORMAT_VERSION:
                    raise BackupError(f"backup format {record.get('format_version')} is not known to this portal")
                header = record
                columns = {entry["name"]: entry["columns"] for entry in record["tables"]}
                yield "header", record
            elif kind == "table" and header is not None and table is None and record["name"] in columns:
                table = record["name"]
                counts[table] = 0
                convert = decoders(columns[table])
                yield "table", (table, columns[table])
            elif kind == "end" and table is not None and table == record.get("name"):
                if batch:
                    yield "rows", _parse(batch, table, columns[table], convert)
                    batch, batch_bytes = [], 0
                if record.get("rows") != counts[table]:
                    raise BackupError(f"table {table}: {counts[table]} rows where the file says {record.get('rows')}")
                table = None
            else:
                raise BackupError(f"line {number}: unexpected {kind!r} record")
        raise BackupError("the file is cut short (no manifest at its end)")
    except (EOFError, OSError, zlib.error, gzip.BadGzipFile) as exc:
        raise BackupError(f"the file is damaged or cut short ({exc})") from None
    except (UnicodeDecodeError, KeyError, TypeError, ValueError) as exc:  # JSON and value errors are ValueErrors
        raise BackupError(f"the file is damaged ({exc.__class__.__name__}: {exc})") from None
    except CryptoError as exc:
        raise BackupError(str(exc)) from None
    finally:
        stream.close()
        raw.close()


def verify(path: Path, key: str = "") -> dict[str, Any]:
    """Read the whole file, check it, and return its manifest."""
    for kind, value in read_archive(path, key, rows=False):
        if kind == "manifest":
            return value
    raise BackupError("the file has no manifest")  # read_archive raises first; kept for the type checker
