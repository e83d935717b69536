"""Reads of program data. Programs are public: every visitor may see them."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from openrd.programs.models import Program, ProgramElement, ProgramFigure


def public_programs() -> QuerySet[Program]:
    return Program.objects.select_related("owner").prefetch_related("agencies")


@dataclass
class ElementNode:
    element: ProgramElement
    children: list[ElementNode] = field(default_factory=list)


@dataclass
class ProgramOverview:
    program: Program
    elements: list[ProgramElement]
    figures: list[ProgramFigure]
    # Top-level elements grouped by kind, each with its subtree, in preset order.
    sections: dict[str, list[ElementNode]]

    def of_kind(self, kind: str) -> list[ProgramElement]:
        return [e for e in self.elements if e.kind == kind]


def program_overview(code: str) -> ProgramOverview:
    """The program with its whole structure in three queries, or Http404."""
    program = (
        public_programs()
        .prefetch_related(
            Prefetch("elements", queryset=ProgramElement.objects.order_by("order", "id")),
            Prefetch("figures", queryset=ProgramFigure.objects.order_by("fiscal_year", "id")),
        )
        .filter(code=code)
        .first()
    )
    if program is None:
        raise Http404
    elements = list(program.elements.all())
    nodes = {e.pk: ElementNode(e) for e in elements}
    sections: dict[str, list[ElementNode]] = defaultdict(list)
    for e in elements:
        if e.parent_id is None:
            sections[e.kind].append(nodes[e.pk])
        else:
            nodes[e.parent_id].children.append(nodes[e.pk])
    return ProgramOverview(program, elements, list(program.figures.all()), dict(sections))
