"""Near-duplicate screening over a corpus kept in memory and updated in place.

Pure: no ORM. The score is the TF-IDF cosine of character 3-gram counts (``text``),
with the IDF of the corpus as it is now: ``log((1 + N) / (1 + df)) + 1``, the smooth
IDF of scikit-learn, so a brute-force sparse product gives the same numbers.

A check is exact, not approximate: candidates come from prefix filtering on both
sides (All-Pairs, Bayardo et al. 2007), then every candidate is scored exactly.
Features have one global order, rarest first. A document's *prefix* is its first
features in that order, up to where what is left has an L2 norm (of the unit
vector) below the threshold; only prefixes are indexed. If two unit vectors share
no feature in both prefixes, every shared feature lies in the suffix of the one whose
prefix ends first, so their cosine is below that suffix's norm, below the threshold
(Cauchy-Schwarz). Every pair at or above the threshold therefore meets in the index,
and the index holds the rare features only: the common 3-grams, whose postings would
be long, sit in the suffixes.

The prefixes are cut under a reference IDF, with room to spare (``_MARGIN``); as the
IDF drifts with the corpus, ``_drift`` bounds how far any suffix's share can have
grown, and the prefixes are cut again before that room is used up. The global order
is made again (rows re-sorted) when the corpus has doubled since it was made.

Documents live in blocks of CSR rows (counts, columns in the global order), merged
like a binary counter so there are O(log N) of them; the newest rows wait in a small
buffer. Removal marks a row dead; merges drop dead rows.
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
# Prefixes are cut so their suffix holds less than (threshold x margin): the IDF may
# drift until suffixes have grown by 1/margin before they must be cut again.
_MARGIN = 0.8
# Cut the prefixes a little longer than needed: covers float rounding.
_SLACK = 1e-6
# The query probes the index until what is left of it is below this share of the
# threshold (any share <= 1 finds every match).
_PROBE = 0.6
# The bounds are summed in float32; this covers their rounding.
_BOUND_SLACK = 1e-4
_BUFFER_ROWS = 256
_QUERY_CHUNK = 256
_CUT_ROWS = 65536  # rows per step when cutting prefixes: bounds the working memory


@dataclass(frozen=True)
class Match:
    key: str
    score: float  # TF-IDF cosine in [0, 1]


class _Block:
    """Sealed rows: counts by document (columns are ranks), and the prefix postings."""

    __slots__ = ("cut", "postings", "rows", "slots", "suffix", "version")

    def __init__(self, slots: np.ndarray, rows: sparse.csr_matrix) -> None:
        self.slots = slots
        self.rows = rows
        self.postings: sparse.csc_matrix | None = None
        self.cut = np.zeros(0, dtype=np.int64)  # each row's first rank not indexed
        self.suffix = np.zeros(0)  # the norm of each row's suffix (reference IDF)
        self.version = -1

    def __len__(self) -> int:
        return len(self.slots)


class Screener:
    """The corpus, by key. ``threshold``: the default cosine a check asks for, and
    the one the index is cut for; a check below it scans every document."""

    def __init__(self, *, threshold: float = 0.6) -> None:
        _check_threshold(threshold)
        self.threshold = threshold
        self._slot_of: dict[str, int] = {}
        self._key_of: list[str] = []
        self._alive = np.zeros(1024, dtype=bool)
        self._df = np.zeros(N_FEATURES, dtype=np.int32)
        self._blocks: list[_Block] = []
        self._buffer: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # ranks, counts
        self._buffer_block: _Block | None = None
        # The global order: rank of each feature, and the feature at each rank.
        self._rank = np.arange(N_FEATURES, dtype=np.int32)
        self._feature = np.arange(N_FEATURES, dtype=np.int32)
        self._n_order = 0
        self._version = 0
        self._idf_rank: np.ndarray | None = None
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
            features = counts.indices[start:end]
            slot = len(self._key_of)
            self._key_of.append(key)
            self._slot_of[key] = slot
            if slot >= len(self._alive):
                self._alive = np.concatenate([self._alive, np.zeros(len(self._alive), dtype=bool)])
            self._alive[slot] = True
            self._df[features] += 1
            self._touch(features)
            ranks = self._rank[features]
            order = np.argsort(ranks)
            self._buffer[slot] = (ranks[order], counts.data[start:end][order])
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
            ranks = self._buffer.pop(slot)[0]
            self._buffer_block = None
        else:
            at = bisect.bisect_right(self._block_starts(), slot) - 1
            block = self._blocks[at]
            local = int(np.searchsorted(block.slots, slot))
            ranks = block.rows.indices[block.rows.indptr[local] : block.rows.indptr[local + 1]]
        features = self._feature[ranks]
        self._df[features] -= 1
        self._touch(features)

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
        """``query`` for many texts, vectorised together."""
        return self._search(texts, threshold, limit, ())

    def similarity(self, a: str, b: str) -> float:
        """The cosine of two texts under the corpus's current IDF."""
        return self.similarities(a, [b])[0]

    def similarities(self, text: str, others: Sequence[str]) -> list[float]:
        """The cosine of ``text`` with each of ``others``, in one vectorisation."""
        weights = self._weigh(term_counts([text, *others]))
        dots = (weights[1:] @ weights[0].T).toarray().ravel()
        return [min(1.0, float(d)) for d in dots]

    # Internals: the search

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
        blocks = self._current_blocks()
        excluded = {self._slot_of[k] for k in exclude if k in self._slot_of}
        for start in range(0, len(texts), _QUERY_CHUNK):
            chunk = texts[start : start + _QUERY_CHUNK]
            q = self._in_rank_space(self._weigh(term_counts(chunk)))
            for qi in range(len(chunk)):
                row = q[qi]
                hits = [h for h in self._search_row(row, t, blocks) if h[1] not in excluded]
                hits.sort(key=lambda h: (-h[0], self._key_of[h[1]]))
                results.append([Match(self._key_of[slot], min(1.0, s)) for s, slot in hits[:limit]])
        return results

    def _search_row(
        self, row: sparse.csr_matrix, t: float, blocks: list[_Block]
    ) -> list[tuple[float, int]]:
        if row.nnz == 0:
            return []
        ranks, weights = row.indices, row.data  # ascending rank
        suffix = np.cumsum((weights * weights)[::-1])[::-1]
        # Probing deeper than the threshold needs makes the bounds tight enough to
        # leave out most rows that share only a rare feature or two.
        n_probe = int(np.count_nonzero(suffix >= (_PROBE * t) ** 2 * (1 - _SLACK)))
        prefix, probe = ranks[:n_probe], weights[:n_probe]
        query_suffix = np.sqrt(np.append(np.maximum(suffix, 0.0), 0.0))
        # Below the threshold the index is cut for, every document is a candidate.
        scan = t < self.threshold - _EPS
        idf = self._idf_by_rank()
        found: list[tuple[float, int]] = []
        for block in blocks:
            if scan:
                candidates = np.arange(len(block))
            else:
                candidates = self._candidates(block, prefix, probe, query_suffix, ranks, t)
            candidates = candidates[self._alive[block.slots[candidates]]]
            if len(candidates) == 0:
                continue
            docs = block.rows[candidates]
            # Exact cosine: each stored term meets the query's by binary search.
            w = docs.data * idf[docs.indices]
            at = np.minimum(np.searchsorted(ranks, docs.indices), len(ranks) - 1)
            shared = np.where(ranks[at] == docs.indices, weights[at], 0.0)
            starts = docs.indptr[:-1]
            dots = np.add.reduceat(w * shared, starts) if docs.nnz else np.zeros(len(starts))
            norms = np.sqrt(np.add.reduceat(w * w, starts)) if docs.nnz else np.ones(len(starts))
            empty = starts == docs.indptr[1:]
            scores = np.where(empty, 0.0, dots / np.where(empty, 1.0, norms))
            hit = scores >= t - _EPS
            found += zip(scores[hit].tolist(), block.slots[candidates[hit]].tolist(), strict=True)
        return found

    def _candidates(
        self,
        block: _Block,
        prefix: np.ndarray,
        probe: np.ndarray,
        query_suffix: np.ndarray,
        ranks: np.ndarray,
        t: float,
    ) -> np.ndarray:
        """The block's rows that share a feature of both prefixes with the query and
        whose upper bound reaches ``t``: the partial product over the shared prefix
        features, plus the most the rest can add (Cauchy-Schwarz over the ranks from
        where the first of the two prefixes ends)."""
        postings = block.postings
        assert postings is not None
        starts, ends = postings.indptr[prefix], postings.indptr[prefix + 1]
        lengths = ends - starts
        total = int(lengths.sum())
        if total == 0:
            return np.zeros(0, dtype=np.int64)
        at = np.arange(total) + np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
        partial = np.bincount(
            postings.indices[at],
            postings.data[at] * np.repeat(probe, lengths),
            minlength=len(block),
        )
        candidates = np.flatnonzero(partial)
        drift = self._drift()
        cut = block.cut[candidates]
        query_cut = ranks[len(prefix)] if len(prefix) < len(ranks) else N_FEATURES
        first = np.minimum(cut, query_cut)
        rest_query = query_suffix[np.searchsorted(ranks, first)]
        rest_doc = np.where(cut <= query_cut, drift * block.suffix[candidates], 1.0)
        bound = drift * partial[candidates] + rest_query * rest_doc
        return candidates[bound >= t - _BOUND_SLACK]

    def _idf_by_rank(self) -> np.ndarray:
        """The current IDF of the feature at each rank, kept until the corpus changes."""
        if self._idf_rank is None:
            self._idf_rank = self._idf(self._feature)
        return self._idf_rank

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

    def _in_rank_space(self, matrix: sparse.csr_matrix) -> sparse.csr_matrix:
        ranked = sparse.csr_matrix(
            (matrix.data, self._rank[matrix.indices], matrix.indptr), shape=matrix.shape
        )
        ranked.sort_indices()
        return ranked

    # Internals: blocks

    def _current_blocks(self) -> list[_Block]:
        if self._buffer and self._buffer_block is None:
            self._buffer_block = self._block_of_buffer()
        blocks = self._blocks + ([self._buffer_block] if self._buffer_block is not None else [])
        for block in blocks:
            if block.version != self._version:
                block.postings, block.cut, block.suffix = self._postings(block.rows)
                block.version = self._version
        return blocks

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
        rows.has_sorted_indices = True
        return _Block(slots, rows)

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
        live = self._alive[slots]
        if not live.all():
            slots, rows = slots[live], rows[live]
        rows.has_sorted_indices = True
        return _Block(slots, rows)

    def _postings(
        self, rows: sparse.csr_matrix
    ) -> tuple[sparse.csc_matrix, np.ndarray, np.ndarray]:
        """Each row's prefix under the reference IDF, as postings by rank of the unit
        row's weights; where each prefix ends, and the norm of what is left."""
        tau2 = (self.threshold * _MARGIN) ** 2 * (1 - _SLACK)
        keep = np.zeros(rows.nnz, dtype=bool)
        unit = np.zeros(rows.nnz, dtype=np.float32)
        m = rows.shape[0]
        cut = np.full(m, N_FEATURES, dtype=np.int64)
        suffix_norm = np.zeros(m)
        for first in range(0, m, _CUT_ROWS):
            last = min(m, first + _CUT_ROWS)
            lo, hi = rows.indptr[first], rows.indptr[last]
            indptr = rows.indptr[first : last + 1] - lo
            w = rows.data[lo:hi] * self._idf_ref[self._feature[rows.indices[lo:hi]]]
            w2 = w * w
            # The suffix from each position on, within its row: row total minus what
            # came before it.
            cum = np.concatenate([[0.0], np.cumsum(w2)])
            lengths = np.diff(indptr)
            row_end = np.repeat(cum[indptr[1:]], lengths)
            row_total = row_end - np.repeat(cum[indptr[:-1]], lengths)
            suffix = row_end - cum[:-1]
            kept = suffix >= tau2 * row_total
            keep[lo:hi] = kept
            unit[lo:hi] = w / np.sqrt(np.where(row_total > 0, row_total, 1.0))
            # The first position left out of each row, if any.
            n_kept = np.add.reduceat(kept, indptr[:-1]) if hi > lo else np.zeros(last - first)
            n_kept = np.where(lengths > 0, n_kept, 0).astype(np.int64)
            has_rest = n_kept < lengths
            at = indptr[:-1] + n_kept
            cut[first:last][has_rest] = rows.indices[lo:hi][at[has_rest]]
            totals = cum[indptr[1:]] - cum[indptr[:-1]]
            rest = np.where(has_rest, cum[indptr[1:]] - cum[np.minimum(at, hi - lo)], 0.0)
            suffix_norm[first:last] = np.sqrt(rest / np.where(totals > 0, totals, 1.0))
        kept_at = np.concatenate([[0], np.cumsum(keep, dtype=np.int64)])[rows.indptr]
        prefixes = sparse.csr_matrix((unit[keep], rows.indices[keep], kept_at), shape=rows.shape)
        return prefixes.tocsc(), cut, suffix_norm

    # Internals: the reference IDF and the global order

    def _reset_reference(self) -> None:
        self._n_ref = len(self._slot_of)
        self._idf_ref = self._idf(np.arange(N_FEATURES))
        self._touched = np.zeros(N_FEATURES, dtype=bool)
        self._touched_parts: list[np.ndarray] = []
        self._drift_cache: float | None = None
        self._version += 1

    def _touch(self, features: np.ndarray) -> None:
        fresh = features[~self._touched[features]]
        self._touched[fresh] = True
        self._touched_parts.append(fresh)
        self._drift_cache = None
        self._idf_rank = None

    def _drift(self) -> float:
        """An upper bound of how much any row's suffix share (suffix norm over row
        norm) can have grown since the reference: max / min of idf now / idf then."""
        if self._drift_cache is not None:
            return self._drift_cache
        n = len(self._slot_of)
        a_now, a_ref = math.log(1.0 + n) + 1.0, math.log(1.0 + self._n_ref) + 1.0
        # Untouched features keep their df, so idf now - idf then = a_now - a_ref for
        # all of them; the ratio is furthest from 1 for the commonest one.
        top = math.log(1.0 + min(n, self._n_ref))
        extreme = (a_now - top) / (a_ref - top)
        low, high = min(1.0, extreme), max(1.0, extreme)
        if self._touched_parts:
            touched = np.concatenate(self._touched_parts)
            self._touched_parts = [touched]
            if len(touched):
                ratios = self._idf(touched) / self._idf_ref[touched]
                low, high = min(low, float(ratios.min())), max(high, float(ratios.max()))
        self._drift_cache = high / low
        return self._drift_cache

    def _maybe_refresh(self) -> None:
        if self._drift() * _MARGIN <= 1.0:
            return
        if len(self) > 2 * self._n_order:
            self._reorder()
        self._reset_reference()

    def _reorder(self) -> None:
        """Rarest features first, by the df now; every stored row follows."""
        feature = np.argsort(self._df, kind="stable").astype(np.int32)
        rank = np.empty(N_FEATURES, dtype=np.int32)
        rank[feature] = np.arange(N_FEATURES, dtype=np.int32)
        remap = rank[self._feature]  # old rank -> new rank
        for block in self._blocks:
            block.rows = sparse.csr_matrix(
                (block.rows.data, remap[block.rows.indices], block.rows.indptr),
                shape=block.rows.shape,
            )
            block.rows.sort_indices()
        for slot, (ranks, counts) in list(self._buffer.items()):
            new = remap[ranks]
            order = np.argsort(new)
            self._buffer[slot] = (new[order], counts[order])
        self._buffer_block = None
        self._rank, self._feature = rank, feature
        self._n_order = len(self)
        self._idf_rank = None


def _check_threshold(threshold: float) -> None:
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0, 1], not {threshold!r}")
