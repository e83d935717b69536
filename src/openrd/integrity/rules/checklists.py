"""Integrity checklists: templates read from data, the version in force, whether a set
of answers completes one, and whether the applicant's institution has completed its own."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from openrd.core.decisions import Decision, Reason
from openrd.core.fiscal import fiscal_year_of, to_tokyo
from openrd.core.i18n import localized
from openrd.integrity.rules.validation import FieldError

INSTITUTION_CHECKLIST_SOURCE = (
    "研究機関における研究インテグリティの確保に係るチェックリスト（2023年6月29日改訂）"
)
TEMPLATES_PATH = Path(__file__).resolve().parent.parent / "data" / "checklists.toml"

KINDS = ("researcher", "institution")
ANSWERS = ("yes", "no", "not_applicable")
MAX_NOTE = 2000

_TEMPLATE_KEYS = {"kind", "version", "title_ja", "title_en", "source", "seed_line", "seed_text",
                  "sections"}  # fmt: skip
_SECTION_KEYS = {"code", "title_ja", "title_en", "items"}
_ITEM_KEYS = {"code", "text_ja", "text_en", "clause", "seed_line", "seed_text", "expected",
              "allow_not_applicable"}  # fmt: skip


class TemplateError(ValueError):
    """Checklist data that cannot be read; the message names where."""


@dataclass(frozen=True)
class ChecklistItem:
    code: str
    text_ja: str
    text_en: str
    clause: str
    expected: str
    allow_not_applicable: bool = False
    seed_line: int | None = None
    seed_text: str = ""

    @property
    def text(self) -> str:
        return localized(self.text_ja, self.text_en)


@dataclass(frozen=True)
class ChecklistSection:
    code: str
    title_ja: str
    title_en: str
    items: tuple[ChecklistItem, ...]

    @property
    def title(self) -> str:
        return localized(self.title_ja, self.title_en)


@dataclass(frozen=True)
class ChecklistTemplate:
    kind: str
    version: str
    in_force_from: date
    title_ja: str
    title_en: str
    source: str
    sections: tuple[ChecklistSection, ...]
    seed_line: int | None = None
    seed_text: str = ""

    @property
    def title(self) -> str:
        return localized(self.title_ja, self.title_en)

    @property
    def items(self) -> tuple[ChecklistItem, ...]:
        return tuple(item for section in self.sections for item in section.items)

    def item(self, code: str) -> ChecklistItem | None:
        return next((i for i in self.items if i.code == code), None)


# ---------- Reading the data ----------


def _text(where: str, data: dict[str, Any], key: str, *, required: bool = True) -> str:
    value = data.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise TemplateError(f"{where}: {key} must be a non-empty string")
    return value


def _keys(where: str, data: object, known: set[str]) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise TemplateError(f"{where}: expected a table")
    unknown = sorted(set(data) - known)
    if unknown:
        raise TemplateError(f"{where}: unknown key(s) {', '.join(unknown)}")
    return data


def _seed(where: str, data: dict[str, Any]) -> tuple[int | None, str]:
    line, text = data.get("seed_line"), data.get("seed_text", "")
    if line is None and not text:
        return None, ""
    if isinstance(line, bool) or not isinstance(line, int) or line < 1 or not text:
        raise TemplateError(f"{where}: give seed_line (from 1) and seed_text together")
    return line, _text(where, data, "seed_text")


def _item(where: str, data: object) -> ChecklistItem:
    item = _keys(where, data, _ITEM_KEYS)
    code = _text(where, item, "code")
    where = f"{where} {code}"
    expected = item.get("expected")
    if expected not in ("yes", "no"):
        raise TemplateError(f'{where}: expected must be "yes" or "no"')
    allow_na = item.get("allow_not_applicable", False)
    if not isinstance(allow_na, bool):
        raise TemplateError(f"{where}: allow_not_applicable must be true or false")
    seed_line, seed_text = _seed(where, item)
    return ChecklistItem(
        code=code,
        text_ja=_text(where, item, "text_ja"),
        text_en=_text(where, item, "text_en"),
        clause=_text(where, item, "clause"),
        expected=expected,
        allow_not_applicable=allow_na,
        seed_line=seed_line,
        seed_text=seed_text,
    )


def _section(where: str, data: object) -> ChecklistSection:
    section = _keys(where, data, _SECTION_KEYS)
    code = _text(where, section, "code")
    where = f"{where} {code}"
    raw_items = section.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        raise TemplateError(f"{where}: a section needs at least one item")
    return ChecklistSection(
        code=code,
        title_ja=_text(where, section, "title_ja"),
        title_en=_text(where, section, "title_en"),
        items=tuple(_item(f"{where} item {n + 1}", i) for n, i in enumerate(raw_items)),
    )


def _template(where: str, data: object) -> ChecklistTemplate:
    template = _keys(where, data, _TEMPLATE_KEYS)
    kind = template.get("kind")
    if kind not in KINDS:
        raise TemplateError(f"{where}: kind must be one of {', '.join(KINDS)}")
    version = _text(where, template, "version")
    try:
        in_force_from = date.fromisoformat(version)
    except ValueError:
        raise TemplateError(f"{where}: version must be an ISO date, not {version!r}") from None
    where = f"{kind} template {version}"
    raw_sections = template.get("sections")
    if not isinstance(raw_sections, list) or not raw_sections:
        raise TemplateError(f"{where}: a template needs at least one section")
    seed_line, seed_text = _seed(where, template)
    parsed = ChecklistTemplate(
        kind=kind,
        version=version,
        in_force_from=in_force_from,
        title_ja=_text(where, template, "title_ja"),
        title_en=_text(where, template, "title_en"),
        source=_text(where, template, "source"),
        sections=tuple(_section(f"{where} section {n + 1}", s) for n, s in enumerate(raw_sections)),
        seed_line=seed_line,
        seed_text=seed_text,
    )
    codes = [i.code for i in parsed.items] + [s.code for s in parsed.sections]
    repeated = sorted({c for c in codes if codes.count(c) > 1})
    if repeated:
        raise TemplateError(f"{where}: repeated code(s) {', '.join(repeated)}")
    return parsed


def parse_templates(text: str) -> tuple[ChecklistTemplate, ...]:
    """Every template in a TOML text; any malformed part is a ``TemplateError``."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TemplateError(f"not valid TOML: {exc}") from None
    _keys("checklists", data, {"templates"})
    raw = data.get("templates")
    if not isinstance(raw, list) or not raw:
        raise TemplateError("checklists: no [[templates]]")
    templates = tuple(_template(f"template {n + 1}", t) for n, t in enumerate(raw))
    versions = [(t.kind, t.version) for t in templates]
    if len(set(versions)) != len(versions):
        raise TemplateError("checklists: the same kind and version appear twice")
    return templates


@cache
def load_templates() -> tuple[ChecklistTemplate, ...]:
    return parse_templates(TEMPLATES_PATH.read_text(encoding="utf-8"))


def template_in_force(
    templates: tuple[ChecklistTemplate, ...], kind: str, on: date
) -> ChecklistTemplate | None:
    """The newest version of ``kind`` in force on ``on`` (None before the first)."""
    in_force = [t for t in templates if t.kind == kind and t.in_force_from <= on]
    return max(in_force, key=lambda t: t.in_force_from, default=None)


def template_version(
    templates: tuple[ChecklistTemplate, ...], kind: str, version: str
) -> ChecklistTemplate | None:
    return next((t for t in templates if t.kind == kind and t.version == version), None)


def checklist_fiscal_year(now: datetime) -> int:
    """The fiscal year a checklist filled in at ``now`` counts for: by the Tokyo calendar,
    so one completed at 23:59 on 31 March (Tokyo) counts for the year then ending."""
    return fiscal_year_of(to_tokyo(now).date())


def counts_in(completed_fiscal_year: int | None, now: datetime) -> bool:
    """Re-declaration is yearly: only a checklist completed for the current fiscal year counts."""
    return completed_fiscal_year is not None and completed_fiscal_year == checklist_fiscal_year(now)


# ---------- Answers ----------


def check_answers(
    template: ChecklistTemplate, answers: object, *, complete: bool
) -> list[FieldError]:
    """Problems with ``answers`` ({item code: {"answer", "note"}}), keyed like
    "answers.R-1.answer". A draft may leave items out; completing needs every item
    answered and a note on every answer that is not the expected one."""
    if not isinstance(answers, dict):
        return [
            FieldError("answers", "checklist.answers_invalid", _("The answers are unreadable."))
        ]
    errors: list[FieldError] = []
    for code in answers:
        if template.item(str(code)) is None:
            errors.append(
                FieldError(
                    f"answers.{code}",
                    "checklist.unknown_item",
                    _("This checklist has no item %(code)s.") % {"code": code},
                )
            )
    for item in template.items:
        entry = answers.get(item.code)
        if entry is None:
            entry = {}
        if not isinstance(entry, dict):
            errors.append(
                FieldError(f"answers.{item.code}", "checklist.answers_invalid",
                           _("The answer is unreadable."))
            )  # fmt: skip
            continue
        answer, note = entry.get("answer", ""), entry.get("note", "")
        if not isinstance(note, str):
            errors.append(FieldError(f"answers.{item.code}.note", "checklist.note_invalid",
                                     _("The note must be text.")))  # fmt: skip
            note = ""
        elif len(note) > MAX_NOTE:
            errors.append(
                FieldError(
                    f"answers.{item.code}.note",
                    "checklist.note_too_long",
                    _("Keep the note within %(max)d characters.") % {"max": MAX_NOTE},
                )
            )
        if answer in ("", None):
            if complete:
                errors.append(FieldError(f"answers.{item.code}.answer", "checklist.unanswered",
                                         _("Answer this item.")))  # fmt: skip
            continue
        allowed = ANSWERS if item.allow_not_applicable else ("yes", "no")
        if answer not in allowed:
            message = (
                _("“Not applicable” is not an answer to this item; choose yes or no.")
                if answer == "not_applicable"
                else _("Choose yes or no.")
            )
            errors.append(FieldError(f"answers.{item.code}.answer", "checklist.answer_invalid",
                                     message))  # fmt: skip
            continue
        if complete and answer != item.expected and not note.strip():
            errors.append(
                FieldError(
                    f"answers.{item.code}.note",
                    "checklist.note_required",
                    _("Explain this answer in a note: why, and what is being done about it."),
                )
            )
    return errors


def clean_answers(template: ChecklistTemplate, answers: dict[str, Any]) -> dict[str, Any]:
    """The answers as stored: only the template's items, with a trimmed note."""
    out: dict[str, Any] = {}
    for item in template.items:
        entry = answers.get(item.code) or {}
        answer, note = entry.get("answer") or "", (entry.get("note") or "").strip()
        if answer or note:
            out[item.code] = {"answer": answer, "note": note}
    return out


# ---------- The submission rule ----------


@dataclass(frozen=True)
class ChecklistFacts:
    """What the submission rule needs: whether the program requires the checklist and
    whether the institution completed it for the fiscal year of the submission."""

    required: bool
    fiscal_year: int
    completed: bool
    institution_name: str = ""


def check_institution_checklist(facts: ChecklistFacts | None) -> Decision:
    if facts is None or not facts.required or facts.completed:
        return Decision()
    return Decision.of(
        Reason(
            "integrity.institution_checklist_missing",
            _(
                "Your institution (%(institution)s) has not completed its research-integrity "
                "checklist for FY%(year)d, which this program requires."
            )
            % {"institution": facts.institution_name, "year": facts.fiscal_year},
            INSTITUTION_CHECKLIST_SOURCE,
        )
    )
