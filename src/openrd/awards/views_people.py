"""The staff's pages for an award's members and matching funds. The award page shows
both to everyone (public records); editing them is for the staff of an agency that
runs the program, and anyone else gets a 404 with an audit entry. A form with errors
is shown again with what was typed and every error beside its field; nothing is
saved then."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from openrd.accounts.queries import signed_in_user
from openrd.awards import matching, members
from openrd.awards.models import Award, MatchingFund, MemberRole
from openrd.awards.reports import staff_program_ids
from openrd.core.access import deny, get_visible_or_404
from openrd.core.fiscal import fiscal_year_of

MAX_ROWS = 50  # far more people than any award has; bounds what a POST can make us read
BLANK_ROWS = 2
ROW_FIELDS = ("name_ja", "name_en", "institution_name", "role", "share_percent")


def manageable_awards(user: Any) -> QuerySet[Award]:
    """The awards of the programs run by an agency where the user is staff."""
    return Award.objects.filter(program__in=staff_program_ids(user)).select_related("program")


def _award(request: HttpRequest, pk: int) -> Award:
    return get_visible_or_404(manageable_awards(request.user), request=request, pk=pk)


# ---------------------------------------------------------------- members


def initial_rows(award: Award) -> list[dict[str, Any]]:
    """The form's rows: the stored members and room for more."""
    return _stored_rows(award) + [_blank_row() for _i in range(BLANK_ROWS)]


def _stored_rows(award: Award) -> list[dict[str, Any]]:
    stored = [
        {
            "member": str(m.pk),
            "name_ja": m.name_ja,
            "name_en": m.name_en,
            "institution_name": m.institution_label,
            "role": m.role,
            "share_percent": str(m.share_percent),
        }
        for m in award.members.select_related("institution")
    ]
    if not stored:  # an award recorded before its members were: start from its PI
        stored = [
            {
                "member": "",
                "name_ja": award.pi_name_ja,
                "name_en": award.pi_name_en,
                "institution_name": award.institution.name_ja,
                "role": MemberRole.PI,
                "share_percent": "100",
            }
        ]
    return stored


def _blank_row() -> dict[str, Any]:
    return {"member": "", "role": MemberRole.CO_INVESTIGATOR} | {
        f: "" for f in ROW_FIELDS if f != "role"
    }


def _posted_rows(request: HttpRequest) -> list[dict[str, Any]]:
    rows = []
    for i in range(MAX_ROWS):
        if f"m-{i}-name_ja" not in request.POST:
            continue
        row: dict[str, Any] = {
            f: request.POST.get(f"m-{i}-{f}", "") for f in (*ROW_FIELDS, "member")
        }
        row["remove"] = request.POST.get(f"m-{i}-remove") == "on"
        rows.append(row)
    return rows


def _is_blank(row: dict[str, Any]) -> bool:
    return not any(str(row.get(f, "")).strip() for f in ROW_FIELDS if f != "role")


def _render_members(
    request: HttpRequest,
    award: Award,
    rows: list[dict[str, Any]],
    *,
    whole_errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "award": award,
        "rows": rows,
        "roles": MemberRole.choices,
        "whole_errors": whole_errors or [],
    }
    return render(request, "awards/members_edit.html", context, status=status)


@login_required
def edit_members(request: HttpRequest, pk: int) -> HttpResponse:
    award = _award(request, pk)
    if request.method != "POST":
        return _render_members(request, award, initial_rows(award))
    posted = _posted_rows(request)
    # A row carries the member it was (their account and organisation stay linked);
    # only this award's members can be named so.
    existing = {str(m.pk): m for m in award.members.select_related("person", "institution")}
    given: list[members.MemberIn] = []
    kept: list[dict[str, Any]] = []  # the form rows behind ``given``, in order
    for row in posted:
        if row["remove"] or _is_blank(row):
            continue
        was = existing.get(row["member"])
        given.append(
            members.MemberIn(
                name_ja=row["name_ja"],
                name_en=row["name_en"],
                institution_name=row["institution_name"],
                role=row["role"],
                share_percent=row["share_percent"],
                person=was.person if was else None,
                institution=was.institution if was else None,
            )
        )
        kept.append(row)
    try:
        members.set_members(award, given, actor=signed_in_user(request))
    except ValidationError as error:
        for row in posted:
            row["errors"] = {}
        whole: list[str] = []
        for key, found in error.message_dict.items():
            parts = key.split(".")
            if len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(kept):
                kept[int(parts[1])]["errors"][parts[2]] = found
            else:
                whole.extend(found)
        rows = [r for r in posted if not _is_blank(r) or r["remove"]]
        rows += [_blank_row() for _i in range(BLANK_ROWS)]
        return _render_members(request, award, rows, whole_errors=whole, status=422)
    messages.success(request, _("The members of the award have been saved."))
    return redirect("awards:detail", pk=award.pk)


# ---------------------------------------------------------------- matching funds


def award_years(award: Award) -> list[int]:
    """The fiscal years of the award's period, the choices of the form."""
    return list(range(fiscal_year_of(award.starts_on), fiscal_year_of(award.ends_on) + 1))


def _render_matching(
    request: HttpRequest,
    award: Award,
    *,
    errors: dict[str, list[str]] | None = None,
    typed: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    award = (
        Award.objects.filter(pk=award.pk)
        .select_related("program")
        .prefetch_related("budget_lines", Prefetch("matching_funds", MatchingFund.objects.all()))
        .get()
    )
    return render(
        request,
        "awards/matching_edit.html",
        {
            "award": award,
            "is_staff": True,  # only staff reach this page (``_award``)
            "years": award_years(award),
            "funds": list(award.matching_funds.all()),
            "errors": errors or {},
            "typed": typed or {},
        },
        status=status,
    )


@login_required
def edit_matching(request: HttpRequest, pk: int) -> HttpResponse:
    award = _award(request, pk)
    if not matching.has_matching_funds(award.program):
        deny(request, award, what=f"awards:matching {award.pk}")
    if request.method != "POST":
        return _render_matching(request, award)
    actor = signed_in_user(request)
    if request.POST.get("action") == "remove":
        fund = award.matching_funds.filter(pk=_int(request.POST.get("fund", ""))).first()
        if fund is None:
            raise Http404
        matching.remove_matching_fund(fund, actor=actor)
        messages.success(request, _("The contribution has been removed."))
        return redirect("awards:matching", pk=award.pk)
    typed = {
        f: request.POST.get(f, "") for f in ("fiscal_year", "contributor", "amount_yen", "note")
    }
    try:
        matching.record_matching_fund(
            award,
            fiscal_year=typed["fiscal_year"],
            contributor=typed["contributor"],
            amount_yen=typed["amount_yen"],
            note=typed["note"],
            actor=actor,
        )
    except ValidationError as error:
        return _render_matching(request, award, errors=error.message_dict, typed=typed, status=422)
    messages.success(request, _("The contribution has been recorded."))
    return redirect("awards:matching", pk=award.pk)


def _int(text: str) -> int:
    return int(text) if text.isdecimal() else 0
