"""The records each computed metric reads: a save or delete of one marks the
metric's stored values due again (``metric_store``). The owning apps know
nothing of the strategy; the strategy listens to their models' signals.
Writes that send no signals (``bulk_create``, ``update()``) are caught by the
nightly refresh, or ``manage.py refresh_metrics`` after a bulk load."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models.signals import post_delete, post_save

from openrd.accounts.models import Organisation
from openrd.awards.models import Award, AwardBudget
from openrd.programs.models import Call
from openrd.proposals.models import Proposal
from openrd.repository.models import Output, OutputFile
from openrd.review.models import Selection
from openrd.strategy.metric_store import mark_dirty
from openrd.strategy.models import SpecifiedSubsidy

SBIR = {"sbir_spending_yen", "sbir_actuals"}
AWARD_METRICS = {
    "award_count", "award_budget_yen", "startup_sme_awards", "startup_sme_spending_yen",
    "funding_top10_share", "funding_concentration", *SBIR,
}  # fmt: skip
READS: dict[type[models.Model], set[str]] = {
    # An award's call decides whether its outputs are under the OA mandate.
    Award: AWARD_METRICS | {"oa_share_mandated"},
    AwardBudget: AWARD_METRICS - {"award_count", "startup_sme_awards"},
    # Whether an institution is a startup or an SME.
    Organisation: {"startup_sme_awards", "startup_sme_spending_yen", *SBIR},
    SpecifiedSubsidy: SBIR,
    # A call's presenting ministry is the one its awards' SBIR spending counts for.
    Call: {"proposal_count", "success_rate", "oa_share_mandated", *SBIR},
    Proposal: {"proposal_count"},
    Selection: {"success_rate"},
    Output: {"oa_share_mandated"},
    OutputFile: {"oa_share_mandated"},
}


def _changed(sender: type[models.Model], **_kwargs: Any) -> None:
    mark_dirty(READS[sender])


def connect() -> None:
    for model in READS:
        uid = f"strategy-metrics-{model._meta.label_lower}"
        post_save.connect(_changed, sender=model, dispatch_uid=uid)
        post_delete.connect(_changed, sender=model, dispatch_uid=uid)
