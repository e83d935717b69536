"""The depositor's and the curator's pages: my deposits, a new deposit, the
deposit's page (metadata, authors, files, the workflow, the OA mandate and its
exceptions, APC payments), the curation queue, the compliance tracker and the
APC ledger. A deposit the person may not see is a 404 with an audit entry; a
refused step keeps what was typed and says why."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _

from openrd.accounts.queries import signed_in_user
from openrd.awards.models import Award
from openrd.core.access import deny, get_visible_or_404
from openrd.core.downloads import table_download
from openrd.core.fiscal import format_fiscal_year, to_tokyo
from openrd.core.forms import add_service_errors
from openrd.core.i18n import current_lang
from openrd.core.refusals import Refused
from openrd.core.spreadsheet import Cell
from openrd.repository import apc, compliance, compliance_store, queries, services
from openrd.repository.forms import (
    ApcForm,
    CreatorFormSet,
    ExceptionForm,
    FileForm,
    MetadataForm,
    NewDepositForm,
    NoteForm,
)
from openrd.repository.models import ApcPayment, DepositStatus, Output, PublisherPolicy
from openrd.repository.rules import (
    ComplianceStatus,
    PublisherPolicyFacts,
    is_oa_mandated,
    publisher_policy_hint,
)
from openrd.repository.rules.lifecycle import DEPOSIT_TRANSITIONS, check_editable

S = DepositStatus


def _awards_of(user: Any) -> list[tuple[int, str]]:
    rows = Award.objects.filter(pi=user) | Award.objects.filter(members__person=user)
    return [(a.pk, f"{a.grant_number} {a.title}") for a in rows.distinct().order_by("grant_number")]


@login_required
def my_deposits(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    awards = _awards_of(user)
    form = NewDepositForm(request.POST or None, awards=awards)
    if request.method == "POST" and form.is_valid():
        award = Award.objects.filter(pk=form.cleaned_data["award"]).first()
        if award is None or award.pk not in {pk for pk, _label in awards}:
            deny(request, award, what="award")
        try:
            output = services.create_output(
                actor=user,
                award=award,
                kind=form.cleaned_data["kind"],
                title_ja=form.cleaned_data["title_ja"],
                title_en=form.cleaned_data["title_en"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("repository:deposit", output.pk)
    rows = (
        queries.own_outputs(user)
        .select_related("award")
        .order_by("-updated_at", "-id")
        .distinct()[:200]
    )
    today = to_tokyo(timezone.now()).date()
    listed = [(o, compliance.compliance_of(o, today=today)) for o in rows]
    return render(
        request,
        "repository/deposit/my_deposits.html",
        {"rows": listed, "form": form, "has_awards": bool(awards)},
        status=422 if form.errors else 200,
    )


def _deposit(request: HttpRequest, pk: int) -> Output:
    user = signed_in_user(request)
    return get_visible_or_404(
        queries.deposits_visible_to(user).select_related(
            "award__call", "program", "institution", "funder"
        ),
        request=request,
        pk=pk,
    )


def _roles(request: HttpRequest, output: Output) -> tuple[bool, bool]:
    user = signed_in_user(request)
    return queries.is_depositor(user, output), queries.is_curator(user, output)


def _hint(output: Output) -> Any:
    policy = PublisherPolicy.objects.filter(issn=output.issn).first() if output.issn else None
    facts = (
        PublisherPolicyFacts(
            am_allowed=policy.am_allowed,
            am_embargo_months=policy.am_embargo_months,
            licence=policy.licence,
        )
        if policy
        else None
    )
    mandate = is_oa_mandated(compliance.mandate_facts(output))
    return publisher_policy_hint(facts, mandated=mandate.mandated), mandate, policy


# The workflow buttons: (action, target state, who, service).
ACTIONS: dict[str, tuple[str, str]] = {
    "submit": (S.SUBMITTED, "depositor"),
    "return": (S.DRAFT, "curator"),
    "curate": (S.CURATED, "curator"),
    "publish": (S.PUBLISHED, "curator"),
    "withdraw": (S.WITHDRAWN, "curator"),
}


def _possible_actions(output: Output, depositor: bool, curator: bool) -> list[str]:
    allowed = DEPOSIT_TRANSITIONS[output.status]
    return [
        name
        for name, (target, who) in ACTIONS.items()
        if target in allowed
        and (curator if who == "curator" else depositor)
        and not (name == "return" and output.status == S.DRAFT)
    ]


@login_required
def deposit_page(request: HttpRequest, pk: int) -> HttpResponse:
    output = _deposit(request, pk)
    user = signed_in_user(request)
    depositor, curator = _roles(request, output)
    may_edit = (depositor and check_editable(output.status, as_curator=False).allowed) or (
        curator and check_editable(output.status, as_curator=True).allowed
    )
    as_curator = curator and not (depositor and output.status == S.DRAFT)
    form = MetadataForm(instance=output)
    creators = CreatorFormSet(prefix="creators", initial=[
        {f: getattr(c, f) for f in CreatorFormSet.form.base_fields} for c in output.creators.all()
    ])  # fmt: skip
    file_form = FileForm()
    exception_form = ExceptionForm(initial={"reason": output.oa_exception,
                                            "note": output.oa_exception_note})  # fmt: skip
    apc_form = ApcForm()
    note_form = NoteForm()
    refusal: Refused | None = None
    status = 200
    if request.method == "POST":
        step = request.POST.get("step", "")
        try:
            if step == "metadata" and may_edit:
                form = MetadataForm(request.POST, instance=Output.objects.get(pk=output.pk))
                creators = CreatorFormSet(request.POST, prefix="creators")
                if form.is_valid() and creators.is_valid():
                    fields = {k: form.cleaned_data[k] for k in MetadataForm.Meta.fields}
                    services.save_output(output, actor=user, as_curator=as_curator, **fields)
                    rows = [f.cleaned_data for f in creators.forms
                            if f.cleaned_data and not f.is_blank()]  # fmt: skip
                    services.set_creators(output, rows, actor=user, as_curator=as_curator)
                    messages.success(request, _("Saved."))
                    return redirect("repository:deposit", output.pk)
                status = 422
            elif step == "file" and may_edit:
                file_form = FileForm(request.POST, request.FILES)
                if file_form.is_valid():
                    upload = file_form.cleaned_data["file"]
                    services.attach_file(
                        output, upload, actor=user, name=upload.name,
                        access=file_form.cleaned_data["access"],
                        text_version=file_form.cleaned_data["text_version"],
                        label=file_form.cleaned_data["label"], as_curator=as_curator,
                    )  # fmt: skip
                    messages.success(request, _("The file is attached."))
                    return redirect("repository:deposit", output.pk)
                status = 422
            elif step == "exception" and (depositor or curator):
                exception_form = ExceptionForm(request.POST)
                if exception_form.is_valid():
                    services.report_oa_exception(
                        output, actor=user, reason=exception_form.cleaned_data["reason"],
                        note=exception_form.cleaned_data["note"],
                    )  # fmt: skip
                    messages.success(request, _("The reason is recorded."))
                    return redirect("repository:deposit", output.pk)
                status = 422
            elif step == "apc" and (depositor or curator):
                apc_form = ApcForm(request.POST)
                if apc_form.is_valid():
                    apc.record_apc(output, actor=user, **apc_form.cleaned_data)
                    messages.success(request, _("The payment is recorded."))
                    return redirect("repository:deposit", output.pk)
                status = 422
            elif step in ACTIONS and step in _possible_actions(output, depositor, curator):
                note_form = NoteForm(request.POST)
                note_form.is_valid()
                note = note_form.cleaned_data.get("note", "")
                _run(step, output, user, note)
                messages.success(request, _("Done."))
                return redirect("repository:deposit", output.pk)
            else:
                deny(request, output)
        except ValidationError as exc:
            target = {"file": file_form, "exception": exception_form, "apc": apc_form,
                      "metadata": form}.get(step, note_form)  # fmt: skip
            add_service_errors(target, exc)
            status = 422
        except Refused as refused:
            refusal = refused
            status = 409
    today = to_tokyo(timezone.now()).date()
    hint, mandate, policy = _hint(output)
    return render(
        request,
        "repository/deposit/deposit.html",
        {
            "output": output,
            "form": form,
            "creators": creators,
            "file_form": file_form,
            "exception_form": exception_form,
            "apc_form": apc_form,
            "note_form": note_form,
            "files": output.files.select_related("stored").order_by("order", "id"),
            "payments": output.apc_payments.order_by("-paid_on"),
            "may_edit": may_edit,
            "is_curator": curator,
            "is_depositor": depositor,
            "actions": _possible_actions(output, depositor, curator),
            "compliance": compliance.compliance_of(output, today=today),
            "mandate": mandate,
            "hint": hint,
            "policy": policy,
            "refusal": refusal,
        },
        status=status,
    )


def _run(step: str, output: Output, user: Any, note: str) -> None:
    runners: dict[str, Callable[[], Output]] = {
        "submit": lambda: services.submit(output, actor=user),
        "return": lambda: services.return_to_depositor(output, actor=user, note=note),
        "curate": lambda: services.curate(output, actor=user),
        "publish": lambda: services.publish(output, actor=user),
        "withdraw": lambda: services.withdraw(output, actor=user, reason=note),
    }
    runners[step]()


@login_required
def new_version(request: HttpRequest, pk: int) -> HttpResponse:
    output = _deposit(request, pk)
    depositor, curator = _roles(request, output)
    if request.method != "POST" or not (depositor or curator):
        deny(request, output)
    try:
        copy = services.new_version(output, actor=signed_in_user(request))
    except ValidationError as exc:
        messages.error(request, " ".join(m for ms in exc.message_dict.values() for m in ms))
        return redirect("repository:deposit", output.pk)
    return redirect("repository:deposit", copy.pk)


@login_required
def curation(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if not queries.curator_institution_ids(user):
        raise Http404
    rows = queries.to_curate(user).select_related("award", "institution").order_by(
        "submitted_at", "id")[:500]  # fmt: skip
    return render(request, "repository/deposit/curation.html", {"rows": rows})


# --- compliance ----------------------------------------------------------------------


def _share_text(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.1f}%"


def compliance_table(groups: list[compliance.Group], by: str) -> tuple[list[str], list[list[Cell]]]:
    header = [
        {
            "award": _("Award"),
            "institution": _("Institution"),
            "program": _("Program"),
            "agency": _("Funding agency"),
        }[by],
        _("Code"),
        _("Outputs"),
        _("Mandated"),
        _("Compliant"),
        _("Pending"),
        _("Exception reported"),
        _("Non-compliant"),
        _("Compliant share (%)"),
    ]
    body: list[list[Cell]] = []
    for group in groups:
        row = compliance.summary_row(group.summary)
        share = row["compliant_share"]
        body.append([
            group.label, group.code, row["total"], row["mandated"], row["compliant"],
            row["pending"], row["exception"], row["non_compliant"],
            None if share is None else round(share * 100, 1),
        ])  # fmt: skip
    return header, body


@login_required
def compliance_page(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    scope = queries.compliance_scope(user)
    if scope is None:
        raise Http404
    by = request.GET.get("by", "award")
    if by not in compliance.GROUPINGS:
        by = "award"
    today = to_tokyo(timezone.now()).date()
    groups = compliance_store.roll_up(scope, by, today=today)  # type: ignore[arg-type]
    fmt = request.GET.get("format", "")
    if fmt in {"csv", "xlsx"}:
        header, body = compliance_table(groups, by)
        name = f"oa-compliance-{by}-{today:%Y%m%d}"
        return table_download(header, body, name=name, ext="csv" if fmt == "csv" else "xlsx",
                              sheet_title=_("OA compliance"))  # fmt: skip
    late_rows = compliance.counted(scope).filter(
        compliance_store.in_status(ComplianceStatus.NON_COMPLIANT, today)
    )
    late = compliance.assess(compliance.with_facts(late_rows).order_by("pk")[:200], today=today)
    total = compliance.total(groups)
    return render(
        request,
        "repository/deposit/compliance.html",
        {
            "groups": [(g, compliance.summary_row(g.summary)) for g in groups],
            "total": compliance.summary_row(total),
            "total_share": _share_text(compliance.summary_row(total)["compliant_share"]),
            "by": by,
            "groupings": compliance.GROUPINGS,
            "late": late,
        },
    )


@login_required
def apc_ledger(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    scope = queries.compliance_scope(user)
    if scope is None:
        raise Http404
    rows = ApcPayment.objects.filter(output__in=scope.values("pk"))
    sums = apc.totals(rows)
    lang = current_lang()
    return render(
        request,
        "repository/deposit/apc.html",
        {
            "totals": [(t, format_fiscal_year(t.fiscal_year, lang)) for t in sums],
            "payments": rows.select_related("output", "institution").order_by("-paid_on")[:200],
        },
    )


urlpatterns: list[URLPattern] = [
    path("deposits/", my_deposits, name="my_deposits"),
    path("deposits/<int:pk>/", deposit_page, name="deposit"),
    path("deposits/<int:pk>/new-version/", new_version, name="new_version"),
    path("curation/", curation, name="curation"),
    path("compliance/", compliance_page, name="compliance"),
    path("apc/", apc_ledger, name="apc"),
]
