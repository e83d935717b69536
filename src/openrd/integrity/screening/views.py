"""The screening pages for agency staff and integrity officers of the flag's agency.

Who may see what comes from ``queries`` alone; anyone else gets a 404 with an
audit entry. Every change is one ``services`` call: reviewing a flag changes the
flag and nothing else (no proposal is rejected here).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from openrd.accounts.models import Organisation
from openrd.accounts.queries import signed_in_user
from openrd.core import listing
from openrd.core.access import deny, get_visible_or_404
from openrd.integrity.models import FlagKind, FlagStatus, ScreeningFlag, ScreeningRun
from openrd.integrity.screening import queries, services
from openrd.integrity.screening.forms import ReviewForm, RunForm, ThresholdForm
from openrd.integrity.screening.presenters import flag_dict, run_dict

FLAGS = listing.Listing(sorts={"found": ("created_at",)}, default_sort="-found", per_page=50)


def _agencies_or_404(request: HttpRequest) -> frozenset[int]:
    ids = queries.screening_agency_ids(signed_in_user(request))
    if not ids:
        deny(request, what="integrity-screening")
    return ids


def _flag(request: HttpRequest, pk: int) -> ScreeningFlag:
    return get_visible_or_404(
        queries.visible_flags(request.user).select_related("agency", "person"),
        request=request, pk=pk,
    )  # fmt: skip


@login_required
def flags(request: HttpRequest) -> HttpResponse:
    _agencies_or_404(request)
    status = request.GET.get("status", "") if request.GET.get("status") in FlagStatus else ""
    kind = request.GET.get("kind", "") if request.GET.get("kind") in FlagKind else ""
    call = request.GET.get("call", "").strip()[:64]
    rows = queries.filtered_flags(request.user, status=status, kind=kind, call=call)
    page = listing.paginate(rows, FLAGS, listing.parse(FLAGS, request.GET), request.GET)
    page.items = [flag_dict(flag) for flag in page.items]
    return render(request, "integrity/screening/flags.html", {
        "page": page, "status": status, "kind": kind, "call": call,
        "statuses": FlagStatus.choices, "kinds": FlagKind.choices,
        "agencies": queries.screening_agencies(request.user),
    })  # fmt: skip


@login_required
def flag_detail(request: HttpRequest, pk: int) -> HttpResponse:
    flag = _flag(request, pk)
    return _detail(request, flag, ReviewForm())


def _detail(request: HttpRequest, flag: ScreeningFlag, form: ReviewForm, status: int = 200):
    return render(
        request, "integrity/screening/flag_detail.html",
        {"flag": flag_dict(flag), "form": form}, status=status,
    )  # fmt: skip


@login_required
@require_POST
def flag_review(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    flag = _flag(request, pk)
    form = ReviewForm(request.POST)
    if form.is_valid():
        review = services.confirm_flag if action == "confirm" else services.dismiss_flag
        try:
            review(flag, signed_in_user(request), note=form.cleaned_data["note"], request=request)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            return redirect("integrity-screening:flag", pk=flag.pk)
    return _detail(request, flag, form, status=422)


@login_required
def thresholds(request: HttpRequest, agency_pk: int) -> HttpResponse:
    if agency_pk not in _agencies_or_404(request):
        deny(request, what=f"integrity-screening:thresholds:{agency_pk}")
    agency = Organisation.objects.get(pk=agency_pk)
    row = queries.thresholds_of(agency)
    initial = {
        "max_yen_per_fiscal_year": row.max_yen_per_fiscal_year if row else None,
        "max_effort_percent": row.max_effort_percent if row else None,
        "duplicate_cosine": row.duplicate_cosine if row else 0.6,
    }
    form = ThresholdForm(request.POST if request.method == "POST" else None, initial=initial)
    saved = False
    if request.method == "POST" and form.is_valid():
        try:
            services.save_thresholds(agency, signed_in_user(request), request=request,
                                     **form.cleaned_data)  # fmt: skip
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            saved = True
    status = 422 if form.errors else 200
    return render(request, "integrity/screening/thresholds.html",
                  {"agency": agency, "form": form, "saved": saved}, status=status)  # fmt: skip


def _run_choices(ids: frozenset[int]) -> list[tuple[str, str]]:
    names = dict(Organisation.objects.filter(pk__in=ids).values_list("pk", "name_ja"))
    return [(f"{agency}:{code}", f"{code} ({names.get(agency, '')})")
            for agency, code in queries.call_codes(ids)]  # fmt: skip


@login_required
def runs(request: HttpRequest) -> HttpResponse:
    ids = _agencies_or_404(request)
    form = RunForm(request.POST or None, choices=_run_choices(ids))
    if request.method == "POST" and form.is_valid():
        agency_id, _sep, code = form.cleaned_data["target"].partition(":")
        agency = Organisation.objects.get(pk=int(agency_id))
        run = services.start_run(agency, code, signed_in_user(request), request=request)
        return redirect("integrity-screening:run", pk=run.pk)
    recent = [run_dict(run) for run in queries.visible_runs(request.user)[:20]]
    return render(request, "integrity/screening/runs.html", {
        "form": form, "runs": recent, "agencies": queries.screening_agencies(request.user),
    }, status=422 if form.errors else 200)  # fmt: skip


def _run(request: HttpRequest, pk: int) -> ScreeningRun:
    return get_visible_or_404(queries.visible_runs(request.user), request=request, pk=pk)


@login_required
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = run_dict(_run(request, pk))
    return render(request, "integrity/screening/run_detail.html", {"run": run})


@login_required
def run_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress block alone, polled by htmx until the run has finished."""
    run = run_dict(_run(request, pk))
    return render(request, "integrity/screening/_run_progress.html", {"run": run})
