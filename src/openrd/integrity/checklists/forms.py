"""The checklist form: one yes / no / not-applicable choice and a note per item, read
back from what was typed so that nothing is lost when an answer is refused."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.translation import gettext as _

from openrd.integrity.rules.checklists import ChecklistTemplate


def answer_labels() -> dict[str, str]:
    return {"yes": _("Yes"), "no": _("No"), "not_applicable": _("Not applicable")}


@dataclass
class ItemRow:
    code: str
    text: str
    clause: str
    expected: str
    choices: list[tuple[str, str]]
    answer: str = ""
    note: str = ""
    answer_errors: list[str] = field(default_factory=list)
    note_errors: list[str] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"item-{self.code}"

    @property
    def answer_label(self) -> str:
        return answer_labels().get(self.answer, "")


@dataclass
class SectionRows:
    code: str
    title: str
    items: list[ItemRow]


def rows(template: ChecklistTemplate, answers: dict[str, Any]) -> list[SectionRows]:
    labels = answer_labels()
    out = []
    for section in template.sections:
        items = []
        for item in section.items:
            codes = ("yes", "no", "not_applicable") if item.allow_not_applicable else ("yes", "no")
            entry = answers.get(item.code) or {}
            items.append(
                ItemRow(
                    code=item.code,
                    text=item.text,
                    clause=item.clause,
                    expected=labels[item.expected],
                    choices=[(c, labels[c]) for c in codes],
                    answer=str(entry.get("answer") or ""),
                    note=str(entry.get("note") or ""),
                )
            )
        out.append(SectionRows(section.code, section.title, items))
    return out


def answers_from_post(template: ChecklistTemplate, post: QueryDict) -> dict[str, Any]:
    """Every item's typed answer and note, as the services read them."""
    return {
        item.code: {
            "answer": post.get(f"answer-{item.code}", ""),
            "note": post.get(f"note-{item.code}", ""),
        }
        for item in template.items
        if post.get(f"answer-{item.code}") or post.get(f"note-{item.code}", "").strip()
    }


def attach_errors(exc: ValidationError, sections: list[SectionRows]) -> list[str]:
    """Put each message beside its item; return those that belong to no item."""
    by_code = {item.code: item for s in sections for item in s.items}
    stray: list[str] = []
    for key, errors in exc.message_dict.items():
        parts = key.split(".")
        item = by_code.get(parts[1]) if len(parts) >= 2 else None
        if item is None:
            stray.extend(errors)
        elif len(parts) == 3 and parts[2] == "note":
            item.note_errors.extend(errors)
        else:
            item.answer_errors.extend(errors)
    return stray


def error_summary(sections: list[SectionRows]) -> list[dict[str, str]]:
    return [
        {"anchor": item.anchor, "label": item.code, "msg": msg}
        for s in sections
        for item in s.items
        for msg in item.answer_errors + item.note_errors
    ]
