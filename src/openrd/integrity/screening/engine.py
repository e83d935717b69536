"""Near-duplicate screening over a corpus kept in memory and updated in place.

Pure: no ORM. The score is the TF-IDF cosine of character 3-gram counts (``text``),
with the IDF of the corpus as it is now: ``log((1 + N) / (1 + df)) + 1``, the smooth
IDF of scikit-learn, so a brute-force sparse product gives the same numbers.

A check is exact, not approximate. Candidates come from a prefix filter: the query's
features sorted by weight, the shortest prefix whose remainder has an L2 norm below the
threshold. A document sharing none of the prefix scores at most that remainder
(Cauchy-Schwarz), so every document at or above the threshold shares one, and the
prefix is mostly rare 3-grams with short postings. Each candidate's partial score over
the prefix, divided by a lower bound of its norm, plus the remainder, bounds its cosine
from above; only candidates whose bound reaches the threshold are verified against
their stored counts with the current IDF.

Documents live in blocks of CSR rows (counts) with their transposes (postings), merged
like a binary counter so there are O(log N) of them; the newest rows wait in a small
buffer. Removal marks a row dead; merges drop dead rows. Each row's norm is cached
under a reference IDF; as the IDF drifts with the corpus, ``_ratio`` bounds how far
any norm can have moved, and the cache is refreshed when that bound gets loose.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from openrd.integrity.screening.passages import Passage, side_by_side
from openrd.integrity.screening.text import N_FEATURES, normalise, term_counts

__all__ = ["Match", "Passage", "Screener", "normalise", "side_by_side"]

_EPS = 1e-9
# The prefix filter needs a remainder below t; asking for less costs longer postings
# but makes each candidate's bound (partial + remainder) tight enough to skip most.
_PREFIX_REMAINDER = 0.7
# The partial scores are summed in float32; this covers their rounding.
_BOUND_SLACK = 1e-4
_BUFFER_ROWS = 256
_QUERY_CHUNK = 512
# Refresh the cached norms when they may be this far below the truth, or when this
# many features have changed frequency since the last refresh.
_MIN_RATIO = 0.85
_MAX_TOUCHED = N_FEATURES // 4
_MAX_DRIFT = 0.05


@dataclass(frozen=True)
class Match:
    key: str
    score: float  # TF-IDF cosine in [0, 1]


class _Block:
    """Sealed rows: counts by document, postings by feature, cached norms."""

    __slots__ = ("norm_ref", "postings", "rows", "slots")

    def __init__(self, slots: np.ndarray, rows: sparse.csr_matrix, norm_ref: np.ndarray) -> None:
        self.slots = slots
        self.rows = rows
        self.postings = sparse.csr_matrix(rows.T)
        self.norm_ref = norm_ref

    def __len__(self) -> int:
        return len(self.slots)


class Screener:
    """The corpus, by key. ``threshold`` is the default cosine a match must reach."""

    def __init__(self, *, threshold: float = 0.6) -> None:
        _check_threshold(threshold)
        self.threshold = threshold
        self._slot_of: dict[str, int] = {}
        self._key_of: list[str] = []
        self._alive = np.zeros(1024, dtype=bool)
        self._df = np.zeros(N_FEATURES, dtype=np.int32)
        self._blocks: list[_Block] = []
        self._buffer: dict[int, tuple[np.ndarray, np.ndarray, float]] = {}
        self._buffer_block: _Block | None = None
        self._reset_reference()

    # The corpus

    def __len__(self) -> int:
        return len(self._slot_of)

    def __contains__(self, key: object) -> bool:
        return key in self._slot_of

    def upsert(self, key: str, text: str) -> None:
        """Add ``key``, or replace its text."""
        self.upsert_many([(key, text)])

    def upsert_many(self, items: Iterable[tuple[str, str]]) -> None:
        """Add or replace many at once (one vectorisation for all)."""
        pairs = list(dict(items).items())
        if not pairs:
            return
        counts = term_counts(text for _, text in pairs)
        for (key, _), start, end in zip(pairs, counts.indptr[:-1], counts.indptr[1:], strict=True):
            self.remove(key)
            indices = counts.indices[start:end].astype(np.int32)
            data = counts.data[start:end]
            slot = len(self._key_of)
            self._key_of.append(key)
            self._slot_of[key] = slot
            if slot >= len(self._alive):
                self._alive = np.concatenate([self._alive, np.zeros(len(self._alive), dtype=bool)])
            self._alive[slot] = True
            self._df[indices] += 1
            self._touch(indices)
            norm = float(np.sqrt(np.sum((data.astype(np.float64) * self._idf_ref[indices]) ** 2)))
            self._buffer[slot] = (indices, data, norm)
            self._buffer_block = None
            if len(self._buffer) >= _BUFFER_ROWS:
                self._seal()

    def remove(self, key: str) -> None:
        """Retire ``key``; nothing happens if it is not there."""
        slot = self._slot_of.pop(key, None)
        if slot is None:
            return
        self._alive[slot] = False
        if slot in self._buffer:
            indices = self._buffer.pop(slot)[0]
            self._buffer_block = None
        else:
            at = bisect.bisect_right(self._block_starts(), slot) - 1
            block = self._blocks[at]
            local = int(np.searchsorted(block.slots, slot))
            indices = block.rows.indices[block.rows.indptr[local] : block.rows.indptr[local + 1]]
        self._df[indices] -= 1
        self._touch(indices)

    # Checks

    def query(
        self,
        text: str,
        *,
        threshold: float | None = None,
        limit: int = 20,
        exclude: Collection[str] = (),
    ) -> list[Match]:
        """The documents whose cosine with ``text`` is at least the threshold, best first."""
        return self._search([text], threshold, limit, exclude)[0]

    def query_batch(
        self, texts: Sequence[str], *, threshold: float | None = None, limit: int = 20
    ) -> list[list[Match]]:
        """``query`` for many texts, verified together in sparse products."""
        return self._search(texts, threshold, limit, ())

    def similarity(self, a: str, b: str) -> float:
        """The cosine of two texts under the corpus's current IDF."""
        counts = term_counts([a, b])
        weights = self._weigh(counts)
        return min(1.0, float(weights[0].multiply(weights[1]).sum()))

    # Internals

    def _search(
        self,
        texts: Sequence[str],
        threshold: float | None,
        limit: int,
        exclude: Collection[str],
    ) -> list[list[Match]]:
        t = self.threshold if threshold is None else threshold
        _check_threshold(t)
        results: list[list[Match]] = []
        if not texts:
            return results
        self._maybe_refresh()
        excluded = {self._slot_of[k] for k in exclude if k in self._slot_of}
        for start in range(0, len(texts), _QUERY_CHUNK):
            chunk = texts[start : start + _QUERY_CHUNK]
            found = self._search_chunk(term_counts(chunk), t)
            for qi in range(len(chunk)):
                hits = [(s, slot) for s, slot in found.get(qi, ()) if slot not in excluded]
                hits.sort(key=lambda h: (-h[0], self._key_of[h[1]]))
                results.append([Match(self._key_of[slot], min(1.0, s)) for s, slot in hits[:limit]])
        return results

    def _search_chunk(
        self, counts: sparse.csr_matrix, t: float
    ) -> dict[int, list[tuple[float, int]]]:
        m = counts.shape[0]
        q = self._weigh(counts)
        if q.nnz == 0:
            return {}
        idf_q = self._idf(q.indices)
        # Sort each row's weights descending; keep the prefix whose remainder is >= t.
        rows = np.repeat(np.arange(m), np.diff(q.indptr))
        order = np.lexsort((-q.data, rows))
        w = q.data[order].astype(np.float64)
        r = rows[order]
        sq = w * w
        cum = np.cumsum(sq)
        row_start = q.indptr[:-1]
        before_row = np.where(row_start > 0, cum[np.maximum(row_start - 1, 0)], 0.0)
        total = np.bincount(r, sq, minlength=m)
        cum_before = cum - sq - before_row[r]
        in_prefix = (total[r] - cum_before) >= (_PREFIX_REMAINDER * t) ** 2
        kept = np.bincount(r[in_prefix], sq[in_prefix], minlength=m)
        remainder = np.sqrt(np.maximum(total - kept, 0.0))
        prefix = sparse.csr_matrix(
            (w[in_prefix] * idf_q[order][in_prefix], (r[in_prefix], q.indices[order][in_prefix])),
            shape=(m, N_FEATURES),
            dtype=np.float32,  # as the postings: no upcast copy of a block per product
        )
        ratio = self._ratio()
        found: dict[int, list[tuple[float, int]]] = {}
        for block in self._all_blocks():
            partial = (prefix @ block.postings).tocoo()
            if partial.nnz == 0:
                continue
            qi, di = partial.row, partial.col
            bound = partial.data / (ratio * block.norm_ref[di]) + remainder[qi]
            keep = (bound >= t - _BOUND_SLACK) & self._alive[block.slots[di]]
            qi, di = qi[keep], di[keep]
            if len(qi) == 0:
                continue
            docs = block.rows[di]
            docs.data = docs.data * self._idf(docs.indices)
            norms = np.sqrt(np.asarray(docs.multiply(docs).sum(axis=1)).ravel())
            dots = np.asarray(docs.multiply(q[qi]).sum(axis=1)).ravel()
            scores = dots / norms
            hit = scores >= t - _EPS
            for a, s, slot in zip(qi[hit], scores[hit], block.slots[di[hit]], strict=True):
                found.setdefault(int(a), []).append((float(s), int(slot)))
        return found

    def _idf(self, features: np.ndarray) -> np.ndarray:
        n = len(self._slot_of)
        return np.log((1.0 + n) / (1.0 + self._df[features])) + 1.0

    def _weigh(self, counts: sparse.csr_matrix) -> sparse.csr_matrix:
        """TF-IDF rows with the current IDF, each of unit length (empty rows stay empty)."""
        weights = sparse.csr_matrix(counts, dtype=np.float64, copy=True)
        weights.data *= self._idf(weights.indices)
        norms = np.sqrt(np.asarray(weights.multiply(weights).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        weights.data /= np.repeat(norms, np.diff(weights.indptr))
        return weights

    def _all_blocks(self) -> list[_Block]:
        if self._buffer and self._buffer_block is None:
            self._buffer_block = self._block_of_buffer()
        return self._blocks + ([self._buffer_block] if self._buffer_block is not None else [])

    def _block_of_buffer(self) -> _Block:
        slots = np.fromiter(self._buffer, dtype=np.int64, count=len(self._buffer))
        entries = [self._buffer[int(s)] for s in slots]
        indptr = np.concatenate([[0], np.cumsum([len(e[0]) for e in entries])])
        rows = sparse.csr_matrix(
            (
                np.concatenate([e[1] for e in entries]),
                np.concatenate([e[0] for e in entries]),
                indptr,
            ),
            shape=(len(slots), N_FEATURES),
        )
        return _Block(slots, rows, np.array([e[2] for e in entries]))

    def _block_starts(self) -> list[int]:
        return [int(b.slots[0]) for b in self._blocks]

    def _seal(self) -> None:
        self._blocks.append(self._block_of_buffer())
        self._buffer.clear()
        self._buffer_block = None
        while len(self._blocks) >= 2 and len(self._blocks[-2]) <= 2 * len(self._blocks[-1]):
            newer = self._blocks.pop()
            older = self._blocks.pop()
            self._blocks.append(self._merge(older, newer))

    def _merge(self, older: _Block, newer: _Block) -> _Block:
        slots = np.concatenate([older.slots, newer.slots])
        rows = sparse.csr_matrix(sparse.vstack([older.rows, newer.rows], format="csr"))
        norms = np.concatenate([older.norm_ref, newer.norm_ref])
        live = self._alive[slots]
        if not live.all():
            slots, rows, norms = slots[live], rows[live], norms[live]
        return _Block(slots, rows, norms)

    # The cached norms' reference IDF

    def _reset_reference(self) -> None:
        self._n_ref = len(self._slot_of)
        self._idf_ref = self._idf(np.arange(N_FEATURES))
        self._touched = np.zeros(N_FEATURES, dtype=bool)
        self._touched_parts: list[np.ndarray] = []
        self._touched_count = 0
        self._ratio_cache: float | None = None

    def _touch(self, features: np.ndarray) -> None:
        fresh = features[~self._touched[features]]
        self._touched[fresh] = True
        self._touched_parts.append(fresh)
        self._touched_count += len(fresh)
        self._ratio_cache = None

    def _ratio(self) -> float:
        """A lower bound of (norm under the current IDF) / (cached norm), for any row."""
        if self._ratio_cache is not None:
            return self._ratio_cache
        n = len(self._slot_of)
        a_now, a_ref = math.log(1.0 + n) + 1.0, math.log(1.0 + self._n_ref) + 1.0
        # Untouched features keep their df, so their IDF moves only with N: up when N
        # grew, and when it shrank at most as much as that of the commonest feature.
        if a_now >= a_ref:
            ratio = 1.0
        else:
            top = math.log(1.0 + min(n, self._n_ref))
            ratio = (a_now - top) / (a_ref - top)
        if self._touched_parts:
            touched = np.concatenate(self._touched_parts)
            self._touched_parts = [touched]
            if len(touched):
                ratio = min(ratio, float(np.min(self._idf(touched) / self._idf_ref[touched])))
        self._ratio_cache = ratio
        return ratio

    def _maybe_refresh(self) -> None:
        # A corpus that grew or shrank much since the reference has norms far from
        # the cached ones even when the bound still holds: the bound gets loose.
        drift = abs(len(self._slot_of) - self._n_ref) > _MAX_DRIFT * max(self._n_ref, 1)
        if not drift and self._ratio() >= _MIN_RATIO and self._touched_count <= _MAX_TOUCHED:
            return
        self._reset_reference()
        for block in self._blocks:
            block.norm_ref = self._norms(block.rows)
        for slot, (indices, data, _) in list(self._buffer.items()):
            self._buffer[slot] = (
                indices,
                data,
                float(np.sqrt(np.sum((data * self._idf_ref[indices]) ** 2))),
            )
        self._buffer_block = None

    def _norms(self, rows: sparse.csr_matrix) -> np.ndarray:
        weighted = sparse.csr_matrix(rows, dtype=np.float64, copy=True)
        weighted.data = (weighted.data * self._idf_ref[weighted.indices]) ** 2
        return np.sqrt(np.asarray(weighted.sum(axis=1)).ravel())


def _check_threshold(threshold: float) -> None:
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0, 1], not {threshold!r}")
