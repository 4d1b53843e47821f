"""The skill text model the portal scores with: fitted once on the shipped skills catalogue, cached on disk.

The corpus is the whole ESCO skills pillar in English (preferred and alternative labels and
descriptions, ``portal/data/esco_skills_all_en.csv``) and the project's Slovenian and Croatian
labels (``portal/data/esco_skills_{sl,hr}.csv``). Fitting takes seconds; the result is written
to ``<PORTAL_CACHE_DIR or var/cache>/skill-text-<digest>.npz``, named by a digest of those files
and the analyser, so every process (web workers, job workers, the command line) loads the same
model instead of fitting it again, and a changed catalogue makes a new one.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import matching
from matching.text import ANALYSER_VERSION

__all__ = ["CATALOGUE", "LABEL_FILES", "cache_path", "corpus", "shared_text"]

logger = logging.getLogger(__name__)

DATA = Path(__file__).resolve().parent.parent / "data"
CATALOGUE = DATA / "esco_skills_all_en.csv"
LABEL_FILES = (DATA / "esco_skills_en.csv", DATA / "esco_skills_sl.csv", DATA / "esco_skills_hr.csv")


def _files() -> list[Path]:
    return [path for path in (CATALOGUE, *LABEL_FILES) if path.exists()]


def corpus() -> Iterator[str]:
    """Every text of the catalogue: one per English concept (labels and description), one per sl/hr concept (labels)."""
    with CATALOGUE.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            yield row["labelsAndDescription"]
    for path in LABEL_FILES[1:]:
        if path.exists():
            with path.open(newline="", encoding="utf-8") as f:
                for row in csv.DictReader(f):
                    yield " ".join([row["preferredLabel"], *(row.get("altLabels") or "").splitlines()])


def cache_path() -> Path:
    """Where the fitted model of the current catalogue is kept."""
    digest = hashlib.sha256(str(ANALYSER_VERSION).encode())
    for path in _files():
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    folder = Path(os.environ.get("PORTAL_CACHE_DIR") or Path(__file__).resolve().parents[2] / "var" / "cache")
    return folder / f"skill-text-{digest.hexdigest()[:16]}.npz"


@functools.cache
def shared_text() -> matching.SkillText:
    """The fitted text model: loaded from the cache, or fitted and written there (atomically) first."""
    path = cache_path()
    if path.exists():
        try:
            return matching.SkillText.load(path)
        except (OSError, ValueError, KeyError) as exc:  # a damaged or foreign file: fit again
            logger.warning("cannot read the skill text model %s (%s); fitting it again", path, exc)
    text = matching.SkillText().fit(corpus())
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    text.save(partial)
    os.replace(partial, path)  # another process fitting at once writes the same bytes
    return text
