"""Text as the screening engine sees it: normalised, then hashed features.

Japanese (and any script without spaces) as character 3-grams: Japanese has no
word boundaries, 3-grams are rare enough to point at shared phrasing and short
enough to survive small edits. Latin-script text as character 5-grams: its 3-grams
are few and common (an alphabet of 26), so they would say little and make every
English abstract a candidate for every other; 5-grams are as specific as Japanese
3-grams and still survive a changed letter. A proposal that mixes
the two gets both. Hashing keeps the vocabulary stateless, so the corpus can grow and
shrink without refitting anything.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer

N_FEATURES = 2**21
NGRAM = 3

_SPACES = re.compile(r"\s+")
LATIN_NGRAM = 5
# After NFKC and lower case: Latin words (letters, digits, inner ' - .) and the
# single spaces between them.
_LATIN = re.compile(r"[a-z0-9]+(?:['.\-][a-z0-9]+)*(?: [a-z0-9]+(?:['.\-][a-z0-9]+)*)*")


def normalise(text: str) -> str:
    """NFKC (full-width Latin and half-width kana fold together), lower case, one space."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text).lower()).strip()


def features(text: str) -> list[str]:
    """The features of one text: character 5-grams of each stretch of Latin words
    (spaces included), character 3-grams of every other run (a shorter run whole)."""
    out: list[str] = []
    for run, latin in _runs(normalise(text)):
        n = LATIN_NGRAM if latin else NGRAM
        if len(run) < n:
            out.append(run)
        else:
            out.extend(run[i : i + n] for i in range(len(run) - n + 1))
    return out


def _runs(text: str) -> Iterable[tuple[str, bool]]:
    at = 0
    for found in _LATIN.finditer(text):
        yield from ((run, False) for run in text[at : found.start()].split())
        yield found.group(), True
        at = found.end()
    yield from ((run, False) for run in text[at:].split())


_VECTORISER = HashingVectorizer(
    analyzer=features,
    n_features=N_FEATURES,
    alternate_sign=False,
    norm=None,
    dtype=np.float32,
)


def term_counts(texts: Iterable[str]) -> sparse.csr_matrix:
    """One row of feature counts per text (float32, columns are hashed features)."""
    matrix = _VECTORISER.transform(list(texts))
    matrix.sum_duplicates()
    return sparse.csr_matrix(matrix, dtype=np.float32)
