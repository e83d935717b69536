"""The registry's pages: the public list, the agencies' register, an officer's decision.

The public sees published decisions in force; the staff and integrity officers of
every agency see the whole register (sharing it across agencies is the point);
a person sees their own. Anyone else asking for a record gets a 404, audited.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openrd.accounts.models import Organisation, Role, User
from openrd.accounts.queries import role_organisation_ids, signed_in_user
from openrd.core.access import deny, get_visible_or_404
from openrd.core.listing import Listing, paginate, parse
from openrd.core.refusals import Refused
from openrd.integrity.models import Sanction
from openrd.integrity.rules.sanctions import table_for
from openrd.integrity.sanctions import queries, services
from openrd.integrity.sanctions.forms import LiftForm, SanctionForm

LISTING = Listing(
    sorts={"decided": ("decided_on",), "end": ("last_fiscal_year",)},
    default_sort="-decided",
    filters=("fiscal_year",),
)


def _shares_register(user: Any) -> bool:
    return bool(
        role_organisation_ids(user, Role.INTEGRITY_OFFICER)
        | role_organisation_ids(user, Role.AGENCY_STAFF)
    )


def visible_sanctions(user: Any) -> QuerySet[Sanction]:
    """The whole register for agencies; one's own for a person; nothing for others."""
    rows = Sanction.objects.select_related("agency")
    if not getattr(user, "is_authenticated", False):
        return rows.none()
    if _shares_register(user):
        return rows
    return rows.filter(person=user)


def _fiscal_year(raw: str) -> int | None:
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else None


def public_list(request: HttpRequest) -> HttpResponse:
    """Published decisions not lifted, optionally those in force in a fiscal year."""
    params = parse(LISTING, request.GET)
    year = _fiscal_year(params.filters.get("fiscal_year", ""))
    rows = queries.published_sanctions()
    if year is not None:
        rows = rows.filter(queries.in_force(year))
    page = paginate(rows, LISTING, params, request.GET)
    return render(
        request, "integrity/sanctions/public.html", {"page": page, "params": params, "year": year}
    )


@login_required
def register(request: HttpRequest) -> HttpResponse:
    me = signed_in_user(request)
    if not _shares_register(me):
        deny(request, what="integrity:sanctions-register")
    params = parse(LISTING, request.GET)
    page = paginate(visible_sanctions(me), LISTING, params, request.GET)
    return render(
        request,
        "integrity/sanctions/register.html",
        {"page": page, "params": params, "may_record": bool(_officer_agencies(me))},
    )


def _officer_agencies(user: User) -> list[Organisation]:
    ids = role_organisation_ids(user, Role.INTEGRITY_OFFICER)
    return list(Organisation.objects.filter(pk__in=ids).order_by("code"))


@login_required
def new(request: HttpRequest) -> HttpResponse:
    """Prepare a decision: the table's proposal first, then record it."""
    me = signed_in_user(request)
    agencies = _officer_agencies(me)
    if not agencies:
        deny(request, what="integrity:sanctions-new")
    agency = next((a for a in agencies if a.code == request.POST.get("agency")), agencies[0])
    table = table_for(agency.code, on=timezone.localdate())
    form = SanctionForm(request.POST or None, table=table)
    proposal = refusal = None
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        row = data["row"]
        args: dict[str, Any] = {
            "offence": row.offence,
            "role": row.role,
            "severity": row.severity,
            "decided_on": data["decided_on"],
            "years": data["years"],
            "agency": agency,
            "call_fiscal_year": data["call_fiscal_year"],
        }
        if "record" not in request.POST:
            proposal = services.preview(**args)
        else:
            try:
                sanction = services.record_sanction(
                    actor=me,
                    person=data["person"],
                    reasons=data["reasons"],
                    measures=data["measures"],
                    refund_yen=data["refund_yen"],
                    published=data["published"],
                    program_code=data["program_code"],
                    program_name_ja=data["program_name_ja"],
                    program_name_en=data["program_name_en"],
                    **args,
                )
            except ValidationError as e:
                for field, errors in e.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            except Refused as e:
                refusal = e
                status = 409
            else:
                messages.success(request, _("The sanction is recorded in the shared registry."))
                return redirect("integrity-sanctions:detail", sanction.pk)
    if form.errors:
        status = 422
    return render(
        request,
        "integrity/sanctions/new.html",
        {
            "form": form,
            "agency": agency,
            "agencies": agencies,
            "table": table,
            "proposal": proposal,
            "refusal": refusal,
        },
        status=status,
    )


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    me = signed_in_user(request)
    sanction = get_visible_or_404(visible_sanctions(me), request=request, pk=pk)
    may_lift = sanction.lifted_at is None and services.may_decide(me, sanction.agency)
    return render(
        request,
        "integrity/sanctions/detail.html",
        {"sanction": sanction, "may_lift": may_lift, "lift_form": LiftForm()},
    )


@login_required
@require_POST
def lift(request: HttpRequest, pk: int) -> HttpResponse:
    me = signed_in_user(request)
    sanction = get_visible_or_404(visible_sanctions(me), request=request, pk=pk)
    form = LiftForm(request.POST)
    if form.is_valid():
        try:
            services.lift_sanction(sanction, actor=me, reason=form.cleaned_data["reason"])
        except PermissionDenied:
            deny(request, sanction)
        except Refused as e:
            messages.error(request, e.headline())
        else:
            messages.success(request, _("The sanction is lifted."))
            return redirect("integrity-sanctions:detail", sanction.pk)
    return render(
        request,
        "integrity/sanctions/detail.html",
        {"sanction": sanction, "may_lift": True, "lift_form": form},
        status=422,
    )
