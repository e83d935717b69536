"""The SBIR pages of the ecosystem: every call's topic (type, mode, program
manager, designated or not) with the form to describe it for those who run the
call; the year's awards per ministry and phase; the Phase 3 projects with their
roadmaps, each kept by the project's company or its agency."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from openrd.accounts.models import Organisation, OrganisationKind
from openrd.awards.models import Award
from openrd.core.access import deny
from openrd.core.fiscal import fiscal_year_of, requested_fiscal_year, to_tokyo
from openrd.core.forms import add_service_errors
from openrd.ecosystem import sbir
from openrd.ecosystem.forms import MilestoneFormSet, TopicForm
from openrd.ecosystem.models import SbirTopic
from openrd.programs.models import Call


def _year(request: HttpRequest) -> int:
    return requested_fiscal_year(request.GET.get("fy"), today=to_tokyo(timezone.now()).date())


def overview(request: HttpRequest) -> HttpResponse:
    fiscal_year = _year(request)
    projects = [(a, sbir.progress(list(a.roadmap.all()))) for a in sbir.phase3_projects()[:200]]
    this_year = fiscal_year_of(to_tokyo(timezone.now()).date())
    return render(request, "ecosystem/sbir.html", {
        "fiscal_year": fiscal_year,
        "years": list(range(this_year - 5, this_year + 2)),
        "topics": list(sbir.topics()[:500]),
        "untopiced": _to_describe(request),
        "totals": sbir.phase_totals(fiscal_year),
        "projects": projects,
    })  # fmt: skip


def _to_describe(request: HttpRequest) -> list[Call]:
    """The SBIR calls without a topic that this user may describe."""
    if not request.user.is_authenticated:
        return []
    calls = (
        Call.objects.filter(program__code=sbir.SBIR, sbir_topic__isnull=True)
        .select_related("presenting_ministry", "program")
        .order_by("-opens_at")[:100]
    )
    return [c for c in calls if request.user.has_perm("ecosystem.define_topic", c)]


def _ministries() -> list[Organisation]:
    return list(Organisation.objects.filter(kind=OrganisationKind.MINISTRY).order_by("code"))


def _topic_initial(topic: SbirTopic | None) -> dict[str, Any]:
    if topic is None:
        return {"designated": True}
    names = ["topic_type", "designated", "mode", "pm_name_ja", "goal_ja", "goal_en"]
    initial = {name: getattr(topic, name) for name in names}
    initial["hand_off_to"] = topic.hand_off_to.code if topic.hand_off_to else ""
    return initial


@login_required
def topic_edit(request: HttpRequest, pk: int) -> HttpResponse:
    call = get_object_or_404(Call.objects.select_related("program", "presenting_ministry"), pk=pk)
    if not request.user.has_perm("ecosystem.define_topic", call):
        deny(request, call)
    topic = SbirTopic.objects.filter(call=call).first()
    ministries = _ministries()
    form = TopicForm(request.POST or None, ministries=ministries, initial=_topic_initial(topic))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            hand_off = next((m for m in ministries if m.code == data["hand_off_to"]), None)
            try:
                sbir.define_topic(
                    call, actor=request.user, topic_type=data["topic_type"],
                    designated=data["designated"], mode=data["mode"], hand_off_to=hand_off,
                    pm_name_ja=data["pm_name_ja"], goal_ja=data["goal_ja"],
                    goal_en=data["goal_en"],
                )  # fmt: skip
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The topic has been saved."))
                return redirect("ecosystem:sbir")
        status = 422
    return render(request, "ecosystem/sbir_topic.html", {"call": call, "form": form},
                  status=status)  # fmt: skip


def _milestones(formset: Any) -> list[sbir.MilestoneInput]:
    rows = []
    for form in formset.forms:
        if form.is_blank():
            continue
        data = form.cleaned_data
        rows.append(sbir.MilestoneInput(
            kind=data["kind"], title_ja=data["title_ja"], fiscal_year=data["fiscal_year"],
            status=data["status"] or "planned", achieved_on=data["achieved_on"],
        ))  # fmt: skip
    return rows


def _formset_errors(formset: Any, exc: ValidationError) -> None:
    """The service's ``milestones-<n>-<field>`` errors onto the rows that were kept."""
    kept = [form for form in formset.forms if not form.is_blank()]
    for key, errors in exc.message_dict.items():
        parts = key.split("-")
        if len(parts) == 3 and parts[0] == "milestones" and int(parts[1]) < len(kept):
            form = kept[int(parts[1])]
            form.add_error(parts[2] if parts[2] in form.fields else None, errors)
        else:
            formset._non_form_errors = formset.error_class(errors)


def roadmap(request: HttpRequest, pk: int) -> HttpResponse:
    award = get_object_or_404(
        Award.objects.select_related("program", "element", "institution", "call"), pk=pk,
        program__code=sbir.SBIR, element__code=sbir.PHASE3,
    )  # fmt: skip
    may_edit = request.user.has_perm("ecosystem.keep_roadmap", award)
    milestones = list(award.roadmap.order_by("order"))
    status = 200
    formset = None
    if request.method == "POST":
        if not may_edit:
            deny(request, award)
        formset = MilestoneFormSet(request.POST, prefix="m")
        if formset.is_valid():
            try:
                sbir.save_roadmap(award, actor=request.user, milestones=_milestones(formset),
                                  today=to_tokyo(timezone.now()).date())  # fmt: skip
            except PermissionDenied:
                deny(request, award)
            except ValidationError as exc:
                _formset_errors(formset, exc)
            else:
                messages.success(request, _("The roadmap has been saved."))
                return redirect("ecosystem:roadmap", pk)
        status = 422
    elif may_edit:
        names = ["kind", "title_ja", "fiscal_year", "status", "achieved_on"]
        initial = [{name: getattr(m, name) for name in names} for m in milestones]
        formset = MilestoneFormSet(initial=initial, prefix="m")
    return render(request, "ecosystem/roadmap.html", {
        "award": award, "milestones": milestones, "progress": sbir.progress(milestones),
        "formset": formset,
    }, status=status)  # fmt: skip
