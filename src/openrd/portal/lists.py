"""Two public-facing lists of the portal: the organisations (public) and the
audit log (staff and superusers only, read-only)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from openrd.accounts.models import Organisation, OrganisationKind
from openrd.core.access import deny
from openrd.core.listing import Listing, paginate, parse, search_q, sort_headers
from openrd.core.models import AuditEntry

ORGANISATION_LISTING = Listing(
    # Japanese names sort by their reading (kana), the way a Japanese index does.
    sorts={
        "name": ("name_kana", "name_ja"),
        "name_en": ("name_en",),
        "kind": ("kind", "name_kana"),
        "country": ("country", "name_kana"),
    },
    default_sort="name",
    filters=("kind", "country"),
    per_page=50,
)
ORGANISATION_SORT_LABELS = (
    ("name", gettext_lazy("Name")),
    ("name_en", gettext_lazy("Name (English)")),
    ("kind", gettext_lazy("Kind")),
    ("country", gettext_lazy("Country")),
)

AUDIT_LISTING = Listing(
    # Newest first, the only order: the log is read backwards from now.
    sorts={"seq": ("seq",)},
    default_sort="-seq",
    filters=("action", "actor"),
    per_page=50,
)


def listed_organisations(
    q: str = "", *, kind: str = "", country: str = ""
) -> QuerySet[Organisation]:
    rows = Organisation.objects.all()
    if kind:
        rows = rows.filter(kind=kind)
    if country:
        rows = rows.filter(country=country.upper())
    if q:
        rows = rows.filter(search_q(q, ("name_ja", "name_en", "name_kana", "code")))
    return rows


@require_GET
def organisation_list(request: HttpRequest) -> HttpResponse:
    params = parse(ORGANISATION_LISTING, request.GET)
    kind = params.filters.get("kind", "")
    errors: dict[str, str] = {}
    if kind and kind not in OrganisationKind.values:
        kind, errors["kind"] = "", _("Choose a kind from the list.")
    country = params.filters.get("country", "")
    if country and not (len(country) == 2 and country.isascii() and country.isalpha()):
        country, errors["country"] = "", _("Enter a two-letter country code, e.g. JP.")
    rows = listed_organisations(params.q, kind=kind, country=country)
    page = paginate(rows, ORGANISATION_LISTING, params, request.GET)
    context = {
        "page": page,
        "params": params,
        "kind": kind,
        "country": country,
        "errors": errors,
        "kinds": OrganisationKind.choices,
        "headers": sort_headers(ORGANISATION_SORT_LABELS, params.sort, request.GET),
    }
    return render(request, "portal/organisation_list.html", context)


def may_read_audit_log(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and (user.is_staff or user.is_superuser))


def listed_audit_entries(*, action: str = "", actor: str = "") -> QuerySet[AuditEntry]:
    """Entries whose action starts with ``action`` (``proposal.`` for every proposal
    action) and whose actor has that user name or was recorded under that name."""
    rows = AuditEntry.objects.select_related("actor")
    if action:
        rows = rows.filter(action__startswith=action)
    if actor:
        rows = rows.filter(Q(actor__username=actor) | Q(actor_label=actor))
    return rows


@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    """The audit log, newest first. Only GET exists: nothing here writes."""
    if not may_read_audit_log(request.user):
        deny(request, what="audit log")
    params = parse(AUDIT_LISTING, request.GET)
    rows = listed_audit_entries(
        action=params.filters.get("action", "")[:80], actor=params.filters.get("actor", "")[:200]
    )
    page = paginate(rows, AUDIT_LISTING, params, request.GET)
    return render(request, "portal/audit_log.html", {"page": page, "params": params})
