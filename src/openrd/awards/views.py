"""The public pages of awards: the list (by program) and one award, like KAKEN's records;
on the award's page, the staff of the program's agency also carry budget over (繰越)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from openrd.accounts.queries import is_active_user, signed_in_user
from openrd.awards import budget, phases
from openrd.awards.models import Award
from openrd.awards.queries import AWARD_LISTING, award_with_gates, public_awards
from openrd.awards.rules import CARRY_OVER_FIELDS
from openrd.awards.services import may_evaluate, may_manage
from openrd.core.access import deny
from openrd.core.listing import paginate, parse
from openrd.core.refusals import Refused
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
    is_staff = is_active_user(request.user) and may_manage(signed_in_user(request), award.program)
    if request.method == "POST":
        if not is_staff:
            deny(request, award)
        return _carry_over(request, award)
    return _render_award(request, award, is_staff=is_staff)


def _render_award(
    request: HttpRequest,
    award: Award,
    *,
    is_staff: bool,
    errors: dict[str, list[str]] | None = None,
    refusal: Refused | None = None,
    typed: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    lines = list(award.budget_lines.all())
    total = sum(b.amount_yen for b in lines)
    context: dict[str, Any] = {
        "award": award,
        "total": total,
        "handoff": phases.is_handoff(award),
        "is_staff": is_staff,
        "may_carry_over": is_staff,
        "may_change_status": is_staff,
        "may_evaluate_gates": is_active_user(request.user)
        and may_evaluate(signed_in_user(request), award),
    }
    if is_staff:
        rows = budget.carry_over_rows(lines)
        years = {r.fiscal_year for r in rows}
        context |= {
            "carry_over_rows": rows,
            # A year can be carried out of when the year after it has a budget line.
            "carry_over_years": [fy for fy in sorted(years) if fy + 1 in years],
            "carry_over_errors": errors or {},
            "carry_over_refusal": refusal,
            "carry_over_typed": typed or {},
        }
    return render(request, "awards/award_detail.html", context, status=status)


def _carry_over(request: HttpRequest, award: Award) -> HttpResponse:
    typed = {key: request.POST.get(key, "") for key in ("from_fiscal_year", "amount_yen", "reason")}
    try:
        budget.carry_over(
            award,
            from_fiscal_year=typed["from_fiscal_year"],
            amount_yen=typed["amount_yen"],
            reason=typed["reason"],
            actor=signed_in_user(request),
        )
    except ValidationError as error:
        return _render_award(
            request, award, is_staff=True, errors=error.message_dict, typed=typed, status=422
        )
    except Refused as refused:
        # Each reason beside the field it is about; the rest above the form.
        errors, rest = refused.by_field(CARRY_OVER_FIELDS)
        return _render_award(
            request,
            award,
            is_staff=True,
            errors=errors,
            refusal=rest,
            typed=typed,
            status=422 if errors else 409,
        )
    messages.success(request, _("The budget was carried over to the next fiscal year."))
    return redirect("awards:detail", pk=award.pk)
