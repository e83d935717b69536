"""Text as the screening engine sees it: normalised, then hashed character 3-grams.

Characters rather than words, because Japanese has no spaces and a proposal often
mixes Japanese and English; 3-grams are rare enough to point at shared phrasing and
short enough to survive small edits. Hashing keeps the vocabulary stateless, so the
corpus can grow and shrink without refitting anything.
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


def normalise(text: str) -> str:
    """NFKC (full-width Latin and half-width kana fold together), lower case, one space."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text).lower()).strip()


_VECTORISER = HashingVectorizer(
    analyzer="char",
    ngram_range=(NGRAM, NGRAM),
    n_features=N_FEATURES,
    alternate_sign=False,
    norm=None,
    lowercase=False,
    preprocessor=normalise,
    dtype=np.float32,
)


def term_counts(texts: Iterable[str]) -> sparse.csr_matrix:
    """One row of 3-gram counts per text (float32, columns are hashed features)."""
    matrix = _VECTORISER.transform(list(texts))
    matrix.sum_duplicates()
    return sparse.csr_matrix(matrix, dtype=np.float32)
