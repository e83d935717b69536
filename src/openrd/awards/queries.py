"""Awards are public records: every award is listed, with its budget and gates;
nothing of the review behind it ever is."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from openrd.awards.models import Award, AwardBudget, StageGate
from openrd.core.listing import Listing

# The orders of the award lists (page and API) and the page's filter.
AWARD_LISTING = Listing(
    sorts={"grant_number": ("grant_number",), "start": ("starts_on",)},
    default_sort="grant_number",
    filters=("program",),
)


def public_awards(program: str = "", words: str = "") -> QuerySet[Award]:
    rows = Award.objects.select_related("program", "institution").prefetch_related(
        Prefetch("budget_lines", queryset=AwardBudget.objects.order_by("fiscal_year"))
    )
    if program:
        rows = rows.filter(program__code=program)
    for word in words.split():
        rows = rows.filter(title_ja__icontains=word) | rows.filter(title_en__icontains=word)
    return rows


def award_with_gates(pk: int) -> QuerySet[Award]:
    return (
        public_awards()
        .filter(pk=pk)
        .prefetch_related(
            Prefetch("stage_gates", queryset=StageGate.objects.order_by("due_on", "id"))
        )
    )
