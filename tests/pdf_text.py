"""Reading the text back out of the PDFs the portal writes (fpdf2, Type0 fonts with ToUnicode maps), for tests.

Enough of PDF for fpdf2's own output: objects, Flate streams, ``/Fn size Tf`` and ``(...) Tj``; it
fails loudly (KeyError, zlib.error) on anything else, so a test can never pass on a PDF it did not read.
"""

from __future__ import annotations

import re
import zlib

_OBJECT = re.compile(rb"(\d+) 0 obj\s*(<<.*?>>)\s*(?:stream\r?\n(.*?)\r?\nendstream)?\s*endobj", re.S)
_ESCAPES = {ord("n"): 10, ord("r"): 13, ord("t"): 9, ord("b"): 8, ord("f"): 12}


def _objects(pdf: bytes) -> dict[int, tuple[bytes, bytes | None]]:
    found = {}
    for match in _OBJECT.finditer(pdf):
        head, stream = match.group(2), match.group(3)
        if stream is not None and b"/FlateDecode" in head:
            stream = zlib.decompress(stream)
        found[int(match.group(1))] = (head, stream)
    return found


def _unescape(raw: bytes) -> bytes:
    out = bytearray()
    i = 0
    while i < len(raw):
        byte = raw[i]
        if byte == ord("\\"):
            i += 1
            nxt = raw[i]
            if ord("0") <= nxt <= ord("7"):
                digits = re.match(rb"[0-7]{1,3}", raw[i : i + 3]).group(0)
                out.append(int(digits, 8))
                i += len(digits)
                continue
            out.append(_ESCAPES.get(nxt, nxt))
        else:
            out.append(byte)
        i += 1
    return bytes(out)


def _cmap(stream: bytes) -> dict[int, str]:
    mapping = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", stream, re.S):
        for code, text in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            mapping[int(code, 16)] = bytes.fromhex(text.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", stream, re.S):
        for low, high, start in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            first = int(start, 16)
            for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                mapping[code] = chr(first + offset)
    return mapping


def pdf_text(pdf: bytes) -> list[str]:
    """Each string the pages show, in order, decoded through its font's ToUnicode map."""
    assert pdf.startswith(b"%PDF-"), "not a PDF"
    objects = _objects(pdf)
    fonts: dict[bytes, dict[int, str]] = {}
    for head, _ in objects.values():
        for name, ref in re.findall(rb"/(F\d+) (\d+) 0 R", head):
            font_head = objects[int(ref)][0]
            to_unicode = int(re.search(rb"/ToUnicode (\d+) 0 R", font_head).group(1))
            fonts[name] = _cmap(objects[to_unicode][1])
    lines: list[str] = []
    for _head, stream in objects.values():
        if stream is None or b" Tj" not in stream:
            continue
        font = None
        for match in re.finditer(rb"/(F\d+) [\d.]+ Tf|\(((?:\\.|[^\\)])*)\) Tj", stream, re.S):
            if match.group(1):
                font = fonts[match.group(1)]
                continue
            raw = _unescape(match.group(2))
            lines.append("".join(font[int.from_bytes(raw[i : i + 2], "big")] for i in range(0, len(raw), 2)))
    return lines


def embedded_fonts(pdf: bytes) -> list[str]:
    """The base names of the fonts the PDF embeds (a FontFile2 stream each)."""
    objects = _objects(pdf)
    return sorted(
        re.search(rb"/FontName /(\S+)", head).group(1).decode() for head, _ in objects.values() if b"/FontFile2" in head
    )
