"""The writers of a program itself: its preset, loaded into the database, and
the figures recorded beside it."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from openrd.accounts.models import Organisation
from openrd.core import audit
from openrd.programs.models import Call, Program, ProgramElement, ProgramFigure
from openrd.programs.preset_files import ProgramSpec, read_presets
from openrd.programs.rules import program_rules


class UnknownOrganisation(ValueError):
    pass


class PresetConflict(ValueError):
    """A preset change that would pull a topic out from under an existing call."""


def _organisation(code: str) -> Organisation:
    org = Organisation.objects.filter(code=code).first()
    if org is None:
        raise UnknownOrganisation(f"preset names unknown organisation {code!r}")
    return org


@transaction.atomic
def load_preset(spec: ProgramSpec, *, actor: Any = None) -> tuple[Program, bool]:
    """Create or replace one program from its preset; returns (program, changed).

    A preset whose digest is already loaded is left alone, so reloading on every
    start is cheap and leaves no audit noise. On change the program's elements
    and figures are brought in line with the file, which is their only source;
    a change that would remove an element a call is opened under is refused.
    """
    program_rules(spec.rules)  # refuse unknown rule keys before touching the database
    program = Program.objects.filter(code=spec.code).first()
    if program is not None and program.preset_digest == spec.digest:
        return program, False
    if program is not None:
        dropped = sorted(
            Call.objects.filter(program=program, topic__isnull=False)
            .exclude(topic__code__in=[e.code for e in spec.elements])
            .values_list("topic__code", flat=True)
            .distinct()
        )
        if dropped:
            raise PresetConflict(
                f"preset {spec.code!r} drops element(s) {', '.join(dropped)} "
                "that calls are opened under"
            )
    before = audit.snapshot(program)
    if program is None:
        program = Program(code=spec.code)
    program.kind = spec.kind
    program.name_ja, program.name_en = spec.name_ja, spec.name_en
    program.short_name_ja, program.short_name_en = spec.short_name_ja, spec.short_name_en
    program.summary_ja, program.summary_en = spec.summary_ja, spec.summary_en
    program.seed_line, program.seed_text = spec.seed_line, spec.seed_text
    program.owner = _organisation(spec.owner) if spec.owner else None
    program.rules = spec.rules
    program.preset_digest = spec.digest
    program.full_clean(exclude=["agencies"])
    program.save()
    program.agencies.set([_organisation(code) for code in spec.agencies])

    # Elements are updated in place by code rather than rebuilt, so calls opened
    # under a topic keep pointing at it across preset changes.
    existing = {e.code: e for e in program.elements.all()}
    by_code: dict[str, ProgramElement] = {}
    # Parents first: a preset may list a child before its parent.
    pending = list(spec.elements)
    while pending:
        ready = [e for e in pending if e.parent is None or e.parent in by_code]
        for e in ready:
            element = existing.get(e.code) or ProgramElement(program=program, code=e.code)
            element.kind = e.kind
            element.parent = by_code[e.parent] if e.parent else None
            element.order = e.order
            element.title_ja, element.title_en = e.title_ja, e.title_en
            element.body_ja, element.body_en = e.body_ja, e.body_en
            element.attrs = e.attrs
            element.seed_line, element.seed_text = e.seed_line, e.seed_text
            element.save()
            by_code[e.code] = element
        pending = [e for e in pending if e.code not in by_code]
    program.elements.exclude(code__in=by_code).delete()
    program.figures.filter(from_preset=True).delete()
    ProgramFigure.objects.bulk_create(
        ProgramFigure(
            program=program,
            kind=f.kind,
            label_ja=f.label_ja,
            label_en=f.label_en,
            fiscal_year=f.fiscal_year,
            amount_yen=f.amount_yen,
            supplementary=f.supplementary,
            seed_line=f.seed_line,
            seed_text=f.seed_text,
        )
        for f in spec.figures
    )
    audit.record(
        "programs.preset.loaded",
        actor=actor,
        obj=program,
        before=before,
        after=(audit.snapshot(program) or {})
        | {
            "elements": len(spec.elements),
            "figures": len(spec.figures),
        },
    )
    return program, True


def load_presets(*, actor: Any = None) -> list[tuple[Program, bool]]:
    """Load every preset file shipped with the programs app."""
    return [load_preset(spec, actor=actor) for spec in read_presets()]


@transaction.atomic
def record_figure(program: Program, *, actor: Any, **fields: Any) -> ProgramFigure:
    """Record a figure the preset does not hold (a later year's budget, say)."""
    figure = ProgramFigure(program=program, from_preset=False, **fields)
    figure.full_clean()
    figure.save()
    audit.record("programs.figure.recorded", actor=actor, obj=figure,
                 after=audit.snapshot(figure))  # fmt: skip
    return figure
