"""Matching startups and procurement needs, explained.

A match between one need (a challenge) and one company is scored from four
components, each between 0 and 1 and each with the words that say why:

* **topic** — how well the company's profile and funded work cover the need:
  the share of the need's keywords found in the company's text, blended with
  the overlap of the two texts' character bigrams (which reads Japanese
  without a word splitter);
* **phase** — how far the company has come in Japanese SBIR (Phase 1, 2, 3
  reached: a third each);
* **region** — the same prefecture as the need (1), the same region (0.5),
  elsewhere (0); a nationwide need is everyone's (1);
* **eligibility** — the company's current SME / SBIR assessment: eligible (1),
  not yet determined (0.5), not eligible (0).

The score is the components' weighted sum (``Weights``, an operating setting).
Rankings sort by score, then by name, so equal scores read in a fixed order.
The module is pure: the caller gathers the facts.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# The eight regions (地方区分) by prefecture, for the region component.
REGIONS: dict[str, tuple[str, ...]] = {
    "hokkaido": ("北海道",),
    "tohoku": ("青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県"),
    "kanto": ("茨城県", "栃木県", "群馬県", "埼玉県", "千葉県", "東京都", "神奈川県"),
    "chubu": ("新潟県", "富山県", "石川県", "福井県", "山梨県", "長野県", "岐阜県", "静岡県",
              "愛知県"),
    "kinki": ("三重県", "滋賀県", "京都府", "大阪府", "兵庫県", "奈良県", "和歌山県"),
    "chugoku": ("鳥取県", "島根県", "岡山県", "広島県", "山口県"),
    "shikoku": ("徳島県", "香川県", "愛媛県", "高知県"),
    "kyushu": ("福岡県", "佐賀県", "長崎県", "熊本県", "大分県", "宮崎県", "鹿児島県",
               "沖縄県"),
}  # fmt: skip
REGION_OF = {pref: region for region, prefs in REGIONS.items() for pref in prefs}
PHASES = 3
# Topic: how much the keywords weigh against the texts' bigram overlap.
KEYWORD_SHARE = Decimal("0.7")
ELIGIBLE, UNDETERMINED, NOT_ELIGIBLE = "yes", "undetermined", "no"


@dataclass(frozen=True)
class Weights:
    version: str
    topic: Decimal
    phase: Decimal
    region: Decimal
    eligibility: Decimal
    source: str  # the citation of the setting

    def __post_init__(self) -> None:
        parts = (self.topic, self.phase, self.region, self.eligibility)
        if any(w < 0 for w in parts) or sum(parts) != 1:
            raise ValueError("matching weights are non-negative and sum to 1")


@dataclass(frozen=True)
class Need:
    key: str  # the challenge's code
    name: str
    keywords: tuple[str, ...]
    text: str
    prefecture: str  # "" for a nationwide need


@dataclass(frozen=True)
class Candidate:
    key: str  # the company's corporate number, or its id
    name: str
    keywords: tuple[str, ...]
    text: str  # its profile and the titles of its funded work
    prefecture: str
    phase_reached: int  # 0 to 3
    eligibility: str  # yes / no / undetermined (the current assessment)


@dataclass(frozen=True)
class Component:
    code: str  # topic, phase, region, eligibility
    value: Decimal  # 0 to 1
    weight: Decimal
    because: str

    @property
    def contribution(self) -> Decimal:
        return _round(self.value * self.weight)


@dataclass(frozen=True)
class Match:
    need: Need
    candidate: Candidate
    components: tuple[Component, ...]
    version: str
    source: str

    @property
    def score(self) -> Decimal:
        return _round(sum((c.value * c.weight for c in self.components), Decimal(0)))

    def explanation(self) -> str:
        return " ".join(c.because for c in self.components)


def _round(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)


def normalise(text: str) -> str:
    """Width, case and spacing folded (ＡＩ and ai match; 量子 and 量子 match)."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip().lower()


def bigrams(text: str) -> set[str]:
    """The character bigrams of each run of letters (punctuation and spaces split)."""
    runs = re.findall(r"\w+", normalise(text))
    return {run[i : i + 2] for run in runs for i in range(len(run) - 1)} | {
        run for run in runs if len(run) == 1
    }


def dice(a: set[str], b: set[str]) -> Decimal:
    if not a or not b:
        return Decimal(0)
    return Decimal(2 * len(a & b)) / Decimal(len(a) + len(b))


def _topic(need: Need, candidate: Candidate, weight: Decimal) -> Component:
    haystack = normalise(" ".join((candidate.text, *candidate.keywords)))
    wanted = [k for k in dict.fromkeys(normalise(k) for k in need.keywords) if k]
    found = [k for k in wanted if k in haystack]
    overlap = dice(bigrams(" ".join((need.text, *need.keywords))), bigrams(haystack))
    if wanted:
        value = KEYWORD_SHARE * Decimal(len(found)) / len(wanted) + (1 - KEYWORD_SHARE) * overlap
        if found:
            because = ngettext(
                "Covers %(found)d of the need's %(wanted)d keyword (%(keywords)s).",
                "Covers %(found)d of the need's %(wanted)d keywords (%(keywords)s).",
                len(wanted),
            ) % {"found": len(found), "wanted": len(wanted), "keywords": "、".join(found)}
        else:
            because = ngettext(
                "Covers none of the need's %(wanted)d keyword.",
                "Covers none of the need's %(wanted)d keywords.",
                len(wanted),
            ) % {"wanted": len(wanted)}
    else:
        value = overlap
        because = _("The need names no keywords; its text is compared with the company's.")
    return Component("topic", _round(min(value, Decimal(1))), weight, because)


def _phase(candidate: Candidate, weight: Decimal) -> Component:
    reached = max(0, min(PHASES, candidate.phase_reached))
    if reached:
        because = _("Has reached SBIR Phase %(phase)d.") % {"phase": reached}
    else:
        because = _("No SBIR phase reached on record.")
    return Component("phase", _round(Decimal(reached) / PHASES), weight, because)


def _region(need: Need, candidate: Candidate, weight: Decimal) -> Component:
    if not need.prefecture:
        return Component("region", Decimal(1), weight, _("The need is nationwide."))
    if candidate.prefecture == need.prefecture:
        because = _("Based in %(prefecture)s, where the need is.") % {"prefecture": need.prefecture}
        return Component("region", Decimal(1), weight, because)
    region = REGION_OF.get(need.prefecture)
    if region is not None and REGION_OF.get(candidate.prefecture) == region:
        because = _("Based in %(prefecture)s, in the same region as the need.") % {
            "prefecture": candidate.prefecture
        }
        return Component("region", Decimal("0.5"), weight, because)
    because = _("Based outside the need's region (%(prefecture)s).") % {
        "prefecture": candidate.prefecture or _("no address on record")
    }
    return Component("region", Decimal(0), weight, because)


def _eligibility(candidate: Candidate, weight: Decimal) -> Component:
    if candidate.eligibility == ELIGIBLE:
        value, because = (
            Decimal(1),
            _("Eligible as a startup or SME under the current assessment."),
        )
    elif candidate.eligibility == NOT_ELIGIBLE:
        value, because = (
            Decimal(0),
            _("Not eligible as a startup or SME under the current assessment."),
        )
    else:
        value, because = Decimal("0.5"), _("Eligibility not yet determined: facts are missing.")
    return Component("eligibility", value, weight, because)


def match(need: Need, candidate: Candidate, weights: Weights) -> Match:
    components = (
        _topic(need, candidate, weights.topic),
        _phase(candidate, weights.phase),
        _region(need, candidate, weights.region),
        _eligibility(candidate, weights.eligibility),
    )
    return Match(need, candidate, components, weights.version, weights.source)


def rank_candidates(need: Need, candidates: Iterable[Candidate], weights: Weights
                    ) -> list[Match]:  # fmt: skip
    """The companies for a need, best first."""
    found = [match(need, c, weights) for c in candidates]
    return sorted(found, key=lambda m: (-m.score, m.candidate.name, m.candidate.key))


def rank_needs(candidate: Candidate, needs: Sequence[Need], weights: Weights) -> list[Match]:
    """The needs for a company, best first."""
    found = [match(n, candidate, weights) for n in needs]
    return sorted(found, key=lambda m: (-m.score, m.need.name, m.need.key))
