"""Search that ignores letter case and diacritics in the database, on PostgreSQL and SQLite alike."""

from __future__ import annotations

import re

from piccolo.columns.combination import WhereRaw
from piccolo.engine.postgres import PostgresEngine

from portal.db.tables import PortalUser
from portal.text import fold

# Every Latin letter with a diacritic (Latin-1 and Latin Extended-A: č, ć, š, ž, đ, á, ö, ő, ...) in
# both cases, and the plain letter it folds to. SQLite's lower() knows only ASCII, and PostgreSQL's
# depends on the database's locale, so neither is relied on for these.
_ACCENTED = "".join(
    letter
    for letter in map(chr, range(0xC0, 0x180))
    if letter.isalpha() and len(fold(letter)) == 1 and "a" <= fold(letter) <= "z" and fold(letter) != letter
)
_PLAIN = "".join(fold(letter) for letter in _ACCENTED)
_VARIANTS: dict[str, str] = {}
for _letter, _plain in zip(_ACCENTED, _PLAIN, strict=True):
    _VARIANTS[_plain] = _VARIANTS.get(_plain, "") + _letter


def search_words(query: str) -> list[str]:
    """Lower-case, diacritic-free words of ``query`` (letters a-z and digits): 'Čakovec' finds 'cakovec'."""
    return [word for word in re.split(r"[^0-9a-z]+", fold(query)) if word][:8]


def folded_contains(column_sql: str, word: str) -> WhereRaw:
    """``column_sql`` (a trusted column reference) holds ``word``, a word of :func:`search_words`,
    in any letter case and with or without diacritics; "dj" and "đ" alike (``fold(word, dj_as_d=True)``)."""
    word = fold(word, dj_as_d=True)
    if isinstance(PortalUser._meta.db, PostgresEngine):
        folded = f"replace(lower(translate({column_sql}, '{_ACCENTED}', '{_PLAIN}')), 'dj', 'd')"
        return WhereRaw(f"{folded} LIKE {{}}", f"%{word}%")
    # SQLite has no translate(), and a replace() per letter nests too deep for its parser: a GLOB
    # pattern with a class of every form of each letter matches the same, in one flat expression
    # (three replace() calls first make "dj" in any case one "d").
    classes = "".join(f"[{c}{c.upper()}{_VARIANTS.get(c, '')}]" if c.isalpha() else c for c in word)
    column = f"replace(replace(replace({column_sql}, 'dj', 'd'), 'Dj', 'D'), 'DJ', 'D')"
    return WhereRaw(f"{column} GLOB {{}}", f"*{classes}*")
