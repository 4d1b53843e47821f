"""One check of every text a request carries (query, form, JSON): control characters and deep JSON are refused
with the field named, before any handler or database sees them (PostgreSQL cannot store a NUL byte)."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qsl

from litestar.enums import ScopeType
from litestar.exceptions import ClientException, HTTPException
from litestar.types import ASGIApp, HTTPRequestEvent, Receive, ReceiveMessage, Scope, Send

# C0 controls and DEL, but tab, line feed and carriage return, which forms and notes legitimately carry.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_JSON_DEPTH = 32
# As Litestar's own default for request bodies: the guard reads the body before Litestar does.
MAX_BODY_BYTES = 10 * 1024 * 1024
FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"
# The charset a multipart part's own Content-Type header names.
CHARSET = re.compile(r"^content-type:[^\r\n]*charset\s*=\s*\"?([\w.:-]+)", re.IGNORECASE | re.MULTILINE)


class InputRefused(ClientException):
    """A field holds a character the portal does not store, or a JSON body nests too deeply."""


def _refuse_control(field: str) -> InputRefused:
    return InputRefused(
        detail=f"{field}: contains a control character (such as a NUL byte) that cannot be stored",
        extra={"field": field, "problem": "control_character"},
    )


def check_pairs(pairs: list[tuple[str, str]]) -> None:
    """Refuse the first name or value with a control character."""
    for name, value in pairs:
        if CONTROL.search(name) or CONTROL.search(value):
            raise _refuse_control(CONTROL.sub("?", name))


def json_depth(text: str) -> int:
    """How deep arrays and objects nest in ``text``, counted without parsing it (parsing deep input recurses)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def check_json(body: bytes) -> None:
    """Refuse JSON nested deeper than :data:`MAX_JSON_DEPTH` or with a control character in a key or string."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputRefused(detail="body: not UTF-8 JSON", extra={"field": "body", "problem": "encoding"}) from exc
    if json_depth(text) > MAX_JSON_DEPTH:
        raise InputRefused(
            detail=f"body: JSON nests deeper than {MAX_JSON_DEPTH} levels",
            extra={"field": "body", "problem": "too_deep"},
        )
    try:
        document = json.loads(text)
    except ValueError as exc:
        # Not JSON to Python (or beyond its limits, such as 5,000-digit numbers, which other decoders take):
        # refused here rather than trusted unchecked.
        raise InputRefused(detail="body: not valid JSON", extra={"field": "body", "problem": "not_json"}) from exc
    _check_value(document, "body")


def _check_value(value: object, path: str) -> None:
    if isinstance(value, str):
        if CONTROL.search(value):
            raise _refuse_control(path)
    elif isinstance(value, dict):
        for key, item in value.items():
            if CONTROL.search(key):
                raise _refuse_control(path)
            _check_value(item, key if path == "body" else f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_value(item, f"{path}[{index}]")


def _text(body: bytes, encoding: str) -> str:
    try:
        return body.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputRefused(detail=f"body: not {encoding} text", extra={"field": "body", "problem": "encoding"}) from exc


def _content_type(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            return value.decode("latin-1").split(";")[0].strip().lower()
    return ""


async def _read_body(receive: Receive) -> tuple[bytes, list[ReceiveMessage]]:
    chunks: list[bytes] = []
    size = 0
    messages: list[ReceiveMessage] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise HTTPException(status_code=413, detail="body: larger than the portal accepts")
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks), messages


# The only routes that take files: an event's materials (portal.training.feed_pages).
UPLOAD_PATHS = re.compile(r"^/training/events/[0-9]{1,10}/materials$")
_BOUNDARY = re.compile(r"boundary=\"?([^\";]{1,200})\"?", re.IGNORECASE)
_FILE_PART = re.compile(rb"^content-disposition:[^\r\n]*;\s*filename\*?=", re.IGNORECASE | re.MULTILINE)


def _check_multipart_text(data: bytes) -> None:
    text = _text(data, "utf-8")
    if any(charset.lower() not in ("utf-8", "utf8", "us-ascii") for charset in CHARSET.findall(text)):
        raise InputRefused(
            detail="body: a part in another charset than UTF-8", extra={"field": "body", "problem": "encoding"}
        )
    if CONTROL.search(text):
        raise _refuse_control("body")


def _boundary(scope: Scope) -> bytes:
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            match = _BOUNDARY.search(value.decode("latin-1"))
            if match:
                return match.group(1).encode("latin-1")
    raise InputRefused(detail="body: multipart without a boundary", extra={"field": "body", "problem": "encoding"})


def _text_parts(body: bytes, boundary: bytes) -> list[bytes]:
    """The parts of a multipart body that are not files (headers and content), for the text checks."""
    parts = []
    for part in body.split(b"--" + boundary):
        head, _, _content = part.partition(b"\r\n\r\n")
        # A file part's headers are still text and checked; its content is left to the upload's own checks.
        parts.append(head if _FILE_PART.search(head) else part)
    return parts


def input_guard_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        query = scope.get("query_string", b"").decode("latin-1")
        if query:
            check_pairs(parse_qsl(query, keep_blank_values=True))
        kind = _content_type(scope)
        if scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await app(scope, receive, send)
            return
        body, messages = await _read_body(receive)
        if kind == FORM:
            check_pairs(parse_qsl(_text(body, "ascii"), keep_blank_values=True))  # as Litestar decodes it
        elif kind == MULTIPART and UPLOAD_PATHS.match(scope["path"]):
            # An upload route: its file parts are binary (the handler checks their size and content);
            # every other part is checked as text, as below.
            for part in _text_parts(body, _boundary(scope)):
                _check_multipart_text(part)
        elif kind == MULTIPART:
            # Litestar parses these into the same form fields, each part in the charset it names. Outside the
            # upload routes (UPLOAD_PATHS) every part must be UTF-8 text without control characters.
            _check_multipart_text(body)
        elif body.strip():
            # Whatever the content type says: handlers decode JSON bodies without asking it.
            check_json(body)
        first: HTTPRequestEvent = {"type": "http.request", "body": body, "more_body": False}
        replay: list[ReceiveMessage] = [first, *(m for m in messages if m["type"] != "http.request")]

        async def replayed() -> ReceiveMessage:
            return replay.pop(0) if replay else await receive()

        await app(scope, replayed, send)

    return middleware
