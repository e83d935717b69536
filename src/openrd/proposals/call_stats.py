"""A call's statistics for the agency running it: proposals by status, how many
were endorsed and the amounts requested per fiscal year.

It lives here, not in ``programs``: programs sits below proposals in the layers
(``lint-imports``) and may not read proposals. Who may see the figures is a
question about the call, so it is asked of ``programs.queries``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.db.models import Count, Sum

from openrd.programs.models import Call
from openrd.proposals.models import (
    Endorsement,
    Proposal,
    ProposalBudget,
    ProposalStatus,
    ProposalVersion,
)

# The proposals whose budgets count as "requested": sent to the institution at
# least once and not withdrawn. Drafts are still being written.
REQUESTING_STATUSES = (ProposalStatus.SUBMITTED, ProposalStatus.RETURNED, ProposalStatus.ENDORSED)


@dataclass(frozen=True)
class CallStatistics:
    call: Call
    by_status: list[tuple[str, str, int]]  # (status, label, count), every status in order
    total: int
    endorsed: int  # proposals with at least one endorsed version
    requested_by_year: list[tuple[int, int]]  # (fiscal year, yen), oldest first

    @property
    def requested_total(self) -> int:
        return sum(amount for _year, amount in self.requested_by_year)


def call_statistics(call: Call) -> CallStatistics:
    """The figures of one call in three queries (no proposal is read one by one)."""
    counts = dict(
        Proposal.objects.filter(call=call)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    by_status = [(s.value, str(s.label), counts.get(s.value, 0)) for s in ProposalStatus]
    endorsed = (
        ProposalVersion.objects.filter(proposal__call=call, endorsement=Endorsement.ENDORSED)
        .values("proposal")
        .distinct()
        .count()
    )
    requested = (
        ProposalBudget.objects.filter(proposal__call=call, proposal__status__in=REQUESTING_STATUSES)
        .values("fiscal_year")
        .annotate(total=Sum("amount_yen"))
        .order_by("fiscal_year")
        .values_list("fiscal_year", "total")
    )
    return CallStatistics(
        call=call,
        by_status=by_status,
        total=sum(counts.values()),
        endorsed=endorsed,
        requested_by_year=[(fy, int(total or 0)) for fy, total in requested],
    )


def statistics_csv(rows: list[tuple[str, str, int | str]], header: tuple[str, str, str]) -> bytes:
    """The figures as CSV for a spreadsheet: UTF-8 with a byte-order mark, so
    Excel opens the Japanese text without garbling it."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")
