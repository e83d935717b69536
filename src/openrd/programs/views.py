from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from openrd.programs.queries import program_overview, public_programs
from openrd.programs.rules import describe_rules, program_rules

# Section headings of the program page, in the plural the heading needs.
SECTION_TITLES = {
    "period": _("Periods"),
    "goal": _("Goals"),
    "target": _("Targets"),
    "theme": _("Themes"),
    "vision": _("Research and development visions"),
    "domain": _("Domains and technologies"),
    "topic": _("Topics"),
    "project": _("Projects"),
    "phase": _("Phases"),
    "viewpoint": _("Viewpoints"),
    "stage_gate": _("Stage gates"),
    "exit_strategy": _("Exit strategy"),
    "support_measure": _("Support measures"),
}


def program_list(request: HttpRequest) -> HttpResponse:
    return render(request, "programs/program_list.html", {"programs": public_programs()})


def program_detail(request: HttpRequest, code: str) -> HttpResponse:
    overview = program_overview(code)
    context = {
        "overview": overview,
        "program": overview.program,
        # Sections in the order of SECTION_TITLES: structure first, support last.
        "sections": [
            (kind, title, overview.sections[kind])
            for kind, title in SECTION_TITLES.items()
            if kind in overview.sections
        ],
        "rules_in_words": describe_rules(program_rules(overview.program.rules)),
    }
    return render(request, "programs/program_detail.html", context)
