"""The panel of a review round and its exports (CSV, Excel), read-only.

The call's agency staff read it as they run the round: the page names each
reviewer except one with a stored conflict with the proposal, who is only a
label (R1, R2…). The program directors and managers of an agency that runs the
call's program read the same page with every reviewer a label, and without the
round's controls. Who may read comes from ``queries.panel_rounds`` alone;
everyone else gets a 404 with an audit entry. The exports name no reviewer at
all (``panel_export``).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from openrd.accounts.models import Role
from openrd.accounts.queries import role_organisation_ids, signed_in_user
from openrd.core.access import get_visible_or_404
from openrd.review import panel, panel_export, queries
from openrd.review.models import AssignmentStatus, ReviewRound
from openrd.review.rules import scoring

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _round(request: HttpRequest, pk: int) -> ReviewRound:
    return get_visible_or_404(queries.panel_rounds(request.user), request=request, pk=pk)


def runs_round(request: HttpRequest, review_round: ReviewRound) -> bool:
    """Whether the user is staff of the call's agency (and so runs the round)."""
    return review_round.call.agency_id in role_organisation_ids(
        signed_in_user(request), Role.AGENCY_STAFF
    )


@login_required
def round_panel(request: HttpRequest, pk: int) -> HttpResponse:
    review_round = _round(request, pk)
    staff = runs_round(request, review_round)
    criteria = panel.panel_criteria(review_round)
    rows = panel.panel_rows(review_round, criteria, reviewer_names=staff)
    return render(
        request,
        "review/staff/panel.html",
        {
            "round": review_round,
            "criteria": criteria,
            "rows": rows,
            "runs_round": staff,
            "disagreement_at": scoring.display_score(panel.DISAGREEMENT_AT, 0),
            "submitted_state": AssignmentStatus.SUBMITTED,
        },
    )


def _table(review_round: ReviewRound) -> tuple[list[str], list[list[panel_export.Cell]]]:
    criteria = panel.panel_criteria(review_round)
    return panel_export.panel_table(criteria, panel.panel_rows(review_round, criteria))


def _attachment(body: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def round_panel_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """The ranked list for a spreadsheet, without any reviewer."""
    header, body = _table(_round(request, pk))
    return _attachment(
        panel_export.panel_csv(header, body),
        "text/csv; charset=utf-8",
        f"review-round-{pk}-panel.csv",
    )


@login_required
def round_panel_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """The same ranked list as an Excel workbook: the CSV's rows and columns."""
    header, body = _table(_round(request, pk))
    return _attachment(
        panel_export.panel_xlsx(header, body, sheet_title=_("Ranking of the proposals")),
        XLSX,
        f"review-round-{pk}-panel.xlsx",
    )
