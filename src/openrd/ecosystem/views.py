"""The public ecosystem pages: the hub cities, global and promotion, and each
consortium with its members, universities, startups and their awards; the
list of procurement challenges (each challenge's page: ``views_challenges``)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from openrd.ecosystem.challenges import public_challenges
from openrd.ecosystem.hubs import awards_of, companies_of
from openrd.ecosystem.models import HubConsortium, HubKind, MemberKind


def hub_list(request: HttpRequest) -> HttpResponse:
    hubs = list(HubConsortium.objects.prefetch_related("members"))
    context = {
        "global_hubs": [h for h in hubs if h.kind == HubKind.GLOBAL],
        "promotion_hubs": [h for h in hubs if h.kind == HubKind.PROMOTION],
        "selected_on": hubs[0].selected_on if hubs else None,
    }
    return render(request, "ecosystem/hub_list.html", context)


def hub_detail(request: HttpRequest, code: str) -> HttpResponse:
    hub = get_object_or_404(HubConsortium.objects.prefetch_related("members"), code=code)
    members = list(hub.members.all())
    context = {
        "hub": hub,
        "areas": [m for m in members if m.kind != MemberKind.UNIVERSITY],
        "universities": [m for m in members if m.kind == MemberKind.UNIVERSITY],
        "companies": list(companies_of(hub)[:200]),
        "awards": list(awards_of(hub)[:200]),
    }
    return render(request, "ecosystem/hub_detail.html", context)


def challenge_list(request: HttpRequest) -> HttpResponse:
    rows = list(public_challenges().order_by("status", "-opens_on", "code")[:500])
    return render(request, "ecosystem/challenge_list.html", {"challenges": rows})
