"""The program's own rules: the preset's [rules] table, read into a typed value,
and the pure checks and descriptions of it."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from openrd.accounts.models import OrganisationKind
from openrd.core.decisions import Decision, Reason
from openrd.core.i18n import current_lang, localized

SEED_SOURCE = "「統合イノベーション戦略2023」について（内閣府、令和5年9月14日）"

RULE_KEYS = {
    "max_duration_years", "eligible_org_kinds", "sme_required", "max_years_since_founding",
    "founding_limit_in_principle", "matching_funds_required", "phases", "stage_gates",
    "exit_strategy_required", "requires_institution_checklist", "sources",
}  # fmt: skip
# How OpenRD runs the program where the seed says nothing (ADR 0025): read like the
# rules, cited as settings, and not something a call can narrow.
SETTING_KEYS = frozenset(
    {
        "conflict_years",
        "stage_gate_years",
        "stage_gate_at_end",
        "matching_funds_ratio",
        # Whether the immediate-OA mandate covers the program, over the policy's
        # list (openrd.repository.rules.policy.covered); absent: the list decides.
        "oa_mandate",
    }
)
DEFAULT_CONFLICT_YEARS = 3


@dataclass(frozen=True)
class RuleSource:
    seed_line: int
    seed_text: str

    def cite(self) -> str:
        return _("%(document)s, line %(line)d: “%(excerpt)s”") % {
            "document": SEED_SOURCE,
            "line": self.seed_line,
            "excerpt": self.seed_text,
        }


@dataclass(frozen=True)
class CallTermsSource:
    """A rule a call sets itself: its source is the call's own terms (公募要領),
    not the seed that describes the program."""

    call_code: str = ""

    def cite(self) -> str:
        if self.call_code:
            return _("Call guidelines of %(code)s") % {"code": self.call_code}
        return _("Call guidelines")


@dataclass(frozen=True)
class OperatingSetting:
    """A value the seed does not state and OpenRD sets to run the program: the
    source says so, with the note on why this value."""

    setting_ja: str
    setting_en: str = ""

    def cite(self) -> str:
        # No date in the words: the briefing's Japanese title would put a Japanese date
        # on English pages outside lang="ja".
        return _(
            "Operating setting of this program in OpenRD, not stated in the Cabinet Office "
            "briefing the program's facts cite: %(note)s"
        ) % {"note": localized(self.setting_ja, self.setting_en)}


Source = RuleSource | CallTermsSource | OperatingSetting


@dataclass(frozen=True)
class ProgramRules:
    max_duration_years: int | None = None
    eligible_org_kinds: tuple[str, ...] = ()
    sme_required: bool = False
    max_years_since_founding: int | None = None
    founding_limit_in_principle: bool = False
    matching_funds_required: bool = False
    phases: tuple[str, ...] = ()
    stage_gates: bool = False
    exit_strategy_required: bool = False
    # The applicant's institution must have completed this fiscal year's research-integrity
    # checklist (研究機関における研究インテグリティの確保に係るチェックリスト, rev. 2023-06-29).
    requires_institution_checklist: bool = False
    # Operating settings (SETTING_KEYS).
    conflict_years: int = DEFAULT_CONFLICT_YEARS
    stage_gate_years: tuple[int, ...] = ()
    stage_gate_at_end: bool = False
    matching_funds_ratio: float | None = None
    oa_mandate: bool | None = None
    sources: dict[str, Source] = field(default_factory=dict)

    def cite(self, key: str) -> str:
        source = self.sources.get(key)
        return source.cite() if source else SEED_SOURCE


def _source(key: str, given: object) -> Source:
    if isinstance(given, dict) and set(given) == {"seed_line", "seed_text"}:
        return RuleSource(seed_line=int(given["seed_line"]), seed_text=str(given["seed_text"]))
    if (
        isinstance(given, dict)
        and "setting_ja" in given
        and set(given) <= {"setting_ja", "setting_en"}
    ):
        return OperatingSetting(str(given["setting_ja"]), str(given.get("setting_en", "")))
    raise ValueError(
        f"source of {key}: give {{ seed_line, seed_text }} or {{ setting_ja, setting_en }}"
    )


def _whole(key: str, value: object, *, least: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise ValueError(f"{key}: expected a whole number of at least {least}")
    return value


def _gate_years(value: object) -> tuple[int, ...]:
    if not isinstance(value, list | tuple):
        raise ValueError("stage_gate_years: expected a list of project years")
    years = tuple(_whole("stage_gate_years", v, least=1) for v in value)
    if list(years) != sorted(set(years)):
        raise ValueError("stage_gate_years: expected increasing years without repeats")
    return years


def _flag(key: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{key}: expected true or false")
    return value


def _ratio(value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ValueError("matching_funds_ratio: expected a number above 0")
    return float(value)


def _optional_flag(key: str, value: Any) -> bool | None:
    return None if value is None else _flag(key, value)


def program_rules(data: dict[str, Any]) -> ProgramRules:
    """Read a preset's [rules] table; unknown keys are an error, not ignored."""
    known = RULE_KEYS | SETTING_KEYS
    unknown = sorted(set(data) - known)
    if unknown:
        raise ValueError(f"unknown rule key(s): {', '.join(unknown)}")
    given_sources = data.get("sources", {})
    unknown_sources = sorted(set(given_sources) - known)
    if unknown_sources:
        raise ValueError(f"source given for unknown rule(s): {', '.join(unknown_sources)}")
    sources = {key: _source(key, s) for key, s in given_sources.items()}
    stage_gates = bool(data.get("stage_gates", False))
    gate_years = _gate_years(data.get("stage_gate_years", ()))
    gate_at_end = data.get("stage_gate_at_end", False)
    if not isinstance(gate_at_end, bool):
        raise ValueError("stage_gate_at_end: expected true or false")
    if (gate_years or gate_at_end) and not stage_gates:
        # A gate schedule in a program without gates would make gates nobody may evaluate.
        raise ValueError("stage_gate_years / stage_gate_at_end need stage_gates = true")
    return ProgramRules(
        max_duration_years=data.get("max_duration_years"),
        eligible_org_kinds=tuple(data.get("eligible_org_kinds", ())),
        sme_required=bool(data.get("sme_required", False)),
        max_years_since_founding=data.get("max_years_since_founding"),
        founding_limit_in_principle=bool(data.get("founding_limit_in_principle", False)),
        matching_funds_required=bool(data.get("matching_funds_required", False)),
        phases=tuple(data.get("phases", ())),
        stage_gates=stage_gates,
        exit_strategy_required=bool(data.get("exit_strategy_required", False)),
        requires_institution_checklist=_flag(
            "requires_institution_checklist", data.get("requires_institution_checklist", False)
        ),
        conflict_years=_whole(
            "conflict_years", data.get("conflict_years", DEFAULT_CONFLICT_YEARS), least=0
        ),
        stage_gate_years=gate_years,
        stage_gate_at_end=gate_at_end,
        matching_funds_ratio=_ratio(data.get("matching_funds_ratio")),
        oa_mandate=_optional_flag("oa_mandate", data.get("oa_mandate")),
        sources=sources,
    )


@dataclass(frozen=True)
class ApplicantFacts:
    """What the rules need to know about the applying organisation."""

    org_kind: str
    is_sme: bool | None = None
    founded_on: date | None = None


def add_years(d: date, years: int) -> date:
    """Same month and day ``years`` later; 29 February becomes 28 February."""
    year = d.year + years
    day = min(d.day, calendar.monthrange(year, d.month)[1])
    return d.replace(year=year, day=day)


def check_applicant(rules: ProgramRules, applicant: ApplicantFacts, *, on: date) -> Decision:
    """Every applicant rule of the program, evaluated on the day ``on``
    (the day the call opens): all failing reasons at once."""
    reasons: list[Reason | None] = []
    if rules.eligible_org_kinds and applicant.org_kind not in rules.eligible_org_kinds:
        reasons.append(
            Reason(
                "program.org_kind_not_eligible",
                _("Organisations of this kind cannot apply to this program."),
                rules.cite("eligible_org_kinds"),
            )
        )
    if rules.sme_required and applicant.is_sme is not True:
        reasons.append(
            Reason(
                "sbir.not_sme",
                _("Only small and medium-sized enterprises can apply."),
                rules.cite("sme_required"),
            )
        )
    limit = rules.max_years_since_founding
    if limit is not None:
        if applicant.founded_on is None:
            reasons.append(
                Reason(
                    "sbir.founding_date_missing",
                    _("The organisation's founding date is required."),
                    rules.cite("max_years_since_founding"),
                )
            )
        elif on > add_years(applicant.founded_on, limit):
            reasons.append(
                Reason(
                    "sbir.founded_over_15_years" if limit == 15 else "program.founded_too_long_ago",
                    _(
                        "The organisation was founded more than %(years)d years before the call "
                        "opened."
                    )
                    % {"years": limit},
                    rules.cite("max_years_since_founding"),
                )
            )
    return Decision.of(*reasons)


def check_duration(rules: ProgramRules, years: int) -> Decision:
    if rules.max_duration_years is not None and years > rules.max_duration_years:
        return Decision.of(
            Reason(
                "program.duration_too_long",
                _("Support lasts at most %(years)d years.") % {"years": rules.max_duration_years},
                rules.cite("max_duration_years"),
            )
        )
    return Decision()


def describe_rules(rules: ProgramRules) -> list[tuple[str, str]]:
    """The rules in plain words for the program page, each with its source."""
    lines: list[tuple[str, str]] = []
    if rules.eligible_org_kinds:
        separator = ", " if current_lang() == "en" else "、"
        kinds = separator.join(str(OrganisationKind(k).label) for k in rules.eligible_org_kinds)
        lines.append((_("Who can apply: %(kinds)s.") % {"kinds": kinds},
                      rules.cite("eligible_org_kinds")))  # fmt: skip
    if rules.max_duration_years is not None:
        lines.append(
            (
                _("Support lasts up to %(years)d years.") % {"years": rules.max_duration_years},
                rules.cite("max_duration_years"),
            )
        )
    if rules.sme_required:
        lines.append(
            (
                _("Applicants must be small and medium-sized enterprises."),
                rules.cite("sme_required"),
            )
        )
    if rules.max_years_since_founding is not None:
        text = _("Applicants must have been founded within %(years)d years.") % {
            "years": rules.max_years_since_founding
        }
        if rules.founding_limit_in_principle:
            text += " " + _("(In principle; exceptions are set per call.)")
        lines.append((text, rules.cite("max_years_since_founding")))
    if rules.matching_funds_required:
        lines.append(
            (_("Industry contributes matching funds."), rules.cite("matching_funds_required"))
        )
    if rules.matching_funds_ratio is not None:
        text = _(
            "Each fiscal year, industry provides matching funds of at least %(percent)s of "
            "the public budget."
        ) % {"percent": f"{rules.matching_funds_ratio * 100:g}%"}
        lines.append((text, rules.cite("matching_funds_ratio")))
    if rules.phases:
        lines.append(
            (
                _("Selection is staged in %(count)d phases.") % {"count": len(rules.phases)},
                rules.cite("phases"),
            )
        )
    if rules.stage_gates:
        lines.append(
            (_("Projects pass stage-gate evaluations to continue."), rules.cite("stage_gates"))
        )
    if rules.stage_gate_years:
        separator = ", " if current_lang() == "en" else "、"
        years = separator.join(str(n) for n in rules.stage_gate_years)
        lines.append(
            (
                _("Stage gates fall at the end of project years %(years)s.") % {"years": years},
                rules.cite("stage_gate_years"),
            )
        )
    if rules.stage_gate_at_end:
        lines.append(
            (_("A phase gate falls at the end of each award."), rules.cite("stage_gate_at_end"))
        )
    if rules.exit_strategy_required:
        lines.append(
            (
                _("Each project sets an exit strategy for after the program."),
                rules.cite("exit_strategy_required"),
            )
        )
    if rules.requires_institution_checklist:
        lines.append(
            (
                _(
                    "The applicant's institution must have completed this fiscal year's "
                    "research-integrity checklist."
                ),
                rules.cite("requires_institution_checklist"),
            )
        )
    if "conflict_years" in rules.sources:
        # The default applies without a word; a program that sets it shows it with its source.
        lines.append(
            (
                _(
                    "A reviewer is in conflict with an institution they belong to or belonged "
                    "to within the last %(years)d years."
                )
                % {"years": rules.conflict_years},
                rules.cite("conflict_years"),
            )
        )
    return lines
