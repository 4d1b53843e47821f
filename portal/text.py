"""The portal's one text fold: lower case, no diacritics, single spaces, for search and matching keys."""

from __future__ import annotations

import unicodedata

__all__ = ["fold"]

# NFKD does not decompose the stroked d, so it is mapped by hand.
_UNDECOMPOSED = str.maketrans({"đ": "d", "Đ": "d"})


def fold(text: str, *, dj_as_d: bool = False) -> str:
    """Lowercase, strip diacritics and collapse whitespace, for matching and search.

    With ``dj_as_d`` (for people's names), "dj", which is how "đ" is written without diacritics,
    folds to "d" as "đ" does, so "Đurđa", "Djurdja" and "Durdja" meet. Stored folded names and the
    words searched in them use it alike.

    This is not :func:`matching.text.fold`: that one also maps ł, ø, ß, æ, œ and ı and keeps the
    spacing, and the portal's stored search columns (and the SQL translate of
    :mod:`portal.users.search`) hold this fold's output.
    """
    decomposed = unicodedata.normalize("NFKD", text.translate(_UNDECOMPOSED))
    bare = " ".join("".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower().split())
    return bare.replace("dj", "d") if dj_as_d else bare
