"""The passages two texts share, with offsets into the texts as written, for showing
a flag's evidence side by side."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher

# Matching runs this close together are one passage: a changed character or two inside
# a copied sentence should not split it into fragments.
_MAX_GAP = 3


@dataclass(frozen=True)
class Passage:
    """One shared passage: ``a[a_start:a_end]`` matches ``b[b_start:b_end]``."""

    a_start: int
    a_end: int
    b_start: int
    b_end: int
    a_text: str
    b_text: str


def _folded(text: str) -> tuple[str, list[int]]:
    """The text folded like ``normalise`` (per character), and for each folded character
    the index of the original character it came from."""
    out: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        if ch.isspace():
            if out and out[-1] != " ":
                out.append(" ")
                origin.append(i)
            continue
        for folded in unicodedata.normalize("NFKC", ch).lower():
            out.append(folded)
            origin.append(i)
    return "".join(out), origin


def side_by_side(a: str, b: str, *, min_chars: int = 12) -> list[Passage]:
    """The passages of at least ``min_chars`` (folded) characters that ``a`` and ``b``
    share, in the order of ``a``; offsets index the original strings."""
    fa, oa = _folded(a)
    fb, ob = _folded(b)
    if not fa or not fb:
        return []
    blocks = [
        m for m in SequenceMatcher(None, fa, fb, autojunk=False).get_matching_blocks() if m.size
    ]
    runs: list[list[int]] = []  # [a_start, a_end, b_start, b_end, matched chars] in folded text
    for m in blocks:
        if runs:
            last = runs[-1]
            gap_a, gap_b = m.a - last[1], m.b - last[3]
            if 0 <= gap_a <= _MAX_GAP and 0 <= gap_b <= _MAX_GAP:
                last[1], last[3], last[4] = m.a + m.size, m.b + m.size, last[4] + m.size
                continue
        runs.append([m.a, m.a + m.size, m.b, m.b + m.size, m.size])
    passages = []
    for a0, a1, b0, b1, matched in runs:
        if matched < min_chars:
            continue
        sa, ea = _trim(a, oa[a0], oa[a1 - 1] + 1)
        sb, eb = _trim(b, ob[b0], ob[b1 - 1] + 1)
        passages.append(Passage(sa, ea, sb, eb, a[sa:ea], b[sb:eb]))
    return passages


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
