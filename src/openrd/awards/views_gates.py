"""The PD's and PM's page for a stage gate evaluation, and the agency staff's page
for an award's state (suspend, resume, complete, terminate). Anyone else gets a
404 with an audit entry; a refused step keeps what was typed and says why,
beside the field it is about."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from openrd.accounts.queries import signed_in_user
from openrd.awards import services
from openrd.awards.models import Award, AwardStatus, GateOutcome, StageGate
from openrd.awards.rules import AWARD_TRANSITIONS
from openrd.core.access import deny
from openrd.core.refusals import Refused

# Which field of the form each refusal is about; the others go above the form.
GATE_FIELDS = {
    "award.gate_outcome_unknown": "outcome",
    "award.gate_reasons_missing": "reasons",
    "award.gate_changes_missing": "changes",
}
GATE_CHOICES = [c for c in GateOutcome if c != GateOutcome.PENDING]


@login_required
def gate_evaluate(request: HttpRequest, pk: int) -> HttpResponse:
    gate = get_object_or_404(
        StageGate.objects.select_related("award__program", "award__institution", "award__pm"),
        pk=pk,
    )
    award = gate.award
    if not services.may_evaluate(signed_in_user(request), award):
        deny(request, gate)
    typed = {k: request.POST.get(k, "") for k in ("outcome", "reasons", "changes")}
    errors: dict[str, list[str]] = {}
    refusal: Refused | None = None
    status = 200
    if request.method == "POST":
        try:
            services.evaluate_gate(
                gate,
                typed["outcome"],
                actor=signed_in_user(request),
                reasons=typed["reasons"],
                changes=typed["changes"],
            )
        except PermissionDenied:
            deny(request, gate)
        except Refused as refused:
            errors, refusal = refused.by_field(GATE_FIELDS)
            status = 422 if errors and refusal is None else 409
        else:
            messages.success(request, _("The evaluation was recorded."))
            return redirect("awards:detail", pk=award.pk)
    context: dict[str, Any] = {
        "gate": gate,
        "award": award,
        "gates": list(award.stage_gates.all()),
        "choices": GATE_CHOICES,
        "typed": typed,
        "errors": errors,
        "refusal": refusal,
        "may_evaluate": gate.status == GateOutcome.PENDING and award.status == AwardStatus.ACTIVE,
    }
    return render(request, "awards/gate_evaluate.html", context, status=status)


@login_required
def award_status(request: HttpRequest, pk: int) -> HttpResponse:
    award = get_object_or_404(Award.objects.select_related("program"), pk=pk)
    me = signed_in_user(request)
    if not services.may_manage(me, award.program):
        deny(request, award)
    targets = [AwardStatus(t) for t in AWARD_TRANSITIONS[award.status]]
    # Spinning out is a gate's outcome, decided by the PD/PM with the gate's reasons.
    targets = sorted((t for t in targets if t != AwardStatus.SPUN_OUT), key=list(AwardStatus).index)
    typed = {k: request.POST.get(k, "") for k in ("target", "reason")}
    errors: dict[str, list[str]] = {}
    refusal: Refused | None = None
    status = 200
    if request.method == "POST":
        if typed["target"] not in targets:
            errors["target"] = [_("Choose a step from the list.")]
        if errors:
            status = 422
        else:
            try:
                services.change_award_status(
                    award, typed["target"], actor=me, reason=typed["reason"]
                )
            except Refused as refused:
                refusal, status = refused, 409
            except ValidationError as error:
                errors, status = error.message_dict, 422
            else:
                messages.success(request, _("The award's status was changed."))
                return redirect("awards:detail", pk=award.pk)
    context = {
        "award": award,
        "targets": targets,
        "typed": typed,
        "errors": errors,
        "refusal": refusal,
    }
    return render(request, "awards/award_status.html", context, status=status)
