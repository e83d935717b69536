"""The public pages of awards: the list (by program) and one award, like KAKEN's records."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from openrd.awards import phases
from openrd.awards.queries import AWARD_LISTING, award_with_gates, public_awards
from openrd.core.listing import paginate, parse
from openrd.programs.models import Program


def award_list(request: HttpRequest) -> HttpResponse:
    params = parse(AWARD_LISTING, request.GET)
    program = params.filters.get("program", "")
    rows = public_awards(program, params.q)
    page = paginate(rows, AWARD_LISTING, params, request.GET)
    return render(
        request,
        "awards/award_list.html",
        {
            "page": page,
            "params": params,
            "program": Program.objects.filter(code=program).first() if program else None,
        },
    )


def award_detail(request: HttpRequest, pk: int) -> HttpResponse:
    award = (
        award_with_gates(pk)
        .select_related("element__parent", "call", "previous_award__call")
        .prefetch_related("next_phases")
        .first()
    )
    if award is None:
        raise Http404
    total = sum(b.amount_yen for b in award.budget_lines.all())
    context = {"award": award, "total": total, "handoff": phases.is_handoff(award)}
    return render(request, "awards/award_detail.html", context)
