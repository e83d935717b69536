"""The hub cities from ``data/hubs.toml``, loaded idempotently, and which
companies and awards belong to each: a company is in a consortium when its
address lies in one of the consortium's member municipalities or prefectures
(the slide's members; its "等" means there may be more)."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet

from openrd.awards.models import Award
from openrd.core import audit
from openrd.ecosystem.models import Company, HubConsortium, HubKind, HubMember, MemberKind

PATH = Path(__file__).resolve().parent / "data" / "hubs.toml"


class HubFileError(ValueError):
    pass


def read_hubs(text: str | None = None) -> dict[str, Any]:
    data = tomllib.loads(text if text is not None else PATH.read_text(encoding="utf-8"))
    if not isinstance(data.get("selected_on"), date):
        raise HubFileError("selected_on must be a date")
    codes = [h.get("code") for h in data.get("hubs", [])]
    if len(set(codes)) != len(codes) or not all(isinstance(c, str) and c for c in codes):
        raise HubFileError("each hub needs a code of its own")
    for h in data["hubs"]:
        if h.get("kind") not in HubKind.values:
            raise HubFileError(f"{h['code']}: kind must be global or promotion")
        for m in h.get("members", []):
            if m.get("kind") not in (MemberKind.PREFECTURE, MemberKind.MUNICIPALITY):
                raise HubFileError(f"{h['code']}: a member is a prefecture or a municipality")
            if m["kind"] == MemberKind.MUNICIPALITY and not m.get("prefecture"):
                raise HubFileError(f"{h['code']}: {m.get('name_ja')} needs its prefecture")
    return data


def _sources(h: dict[str, Any]) -> dict[str, Any]:
    return {k: {"seed_line": h[f"{k}_seed_line"], "seed_text": h[f"{k}_seed_text"]}
            for k in ("members", "universities") if f"{k}_seed_line" in h}  # fmt: skip


@transaction.atomic
def load_hubs(*, actor: Any = None) -> list[HubConsortium]:
    """Create or bring in line every consortium of the file, by its code."""
    data = read_hubs()
    loaded = []
    for h in data["hubs"]:
        hub, created = HubConsortium.objects.update_or_create(
            code=h["code"],
            defaults={
                "kind": h["kind"], "order": h.get("order", 0), "name_ja": h["name_ja"],
                "name_en": h.get("name_en", ""), "summary_ja": h.get("summary_ja", ""),
                "summary_en": h.get("summary_en", ""), "landmark": h.get("landmark", ""),
                "selected_on": data["selected_on"], "seed_line": h["seed_line"],
                "seed_text": h["seed_text"], "sources": _sources(h),
            },
        )  # fmt: skip
        hub.members.all().delete()
        HubMember.objects.bulk_create(
            [HubMember(consortium=hub, kind=m["kind"], name_ja=m["name_ja"],
                       prefecture=m.get("prefecture", ""), order=n)
             for n, m in enumerate(h.get("members", []))]
            + [HubMember(consortium=hub, kind=MemberKind.UNIVERSITY, name_ja=u["name_ja"], order=n)
               for n, u in enumerate(h.get("universities", []))]
        )  # fmt: skip
        if created:
            audit.record("ecosystem.hub.loaded", actor=actor, obj=hub, after={"code": hub.code})
        loaded.append(hub)
    return loaded


def _area(hub: HubConsortium) -> Q:
    """The addresses inside the consortium's member prefectures and municipalities."""
    area = Q(pk__in=[])
    for m in hub.members.all():
        if m.kind == MemberKind.PREFECTURE:
            area |= Q(prefecture=m.name_ja)
        elif m.kind == MemberKind.MUNICIPALITY:
            area |= Q(prefecture=m.prefecture, city=m.name_ja)
    return area


def companies_of(hub: HubConsortium) -> QuerySet[Company]:
    return Company.objects.filter(_area(hub)).order_by("name_kana", "name_ja", "pk")


def awards_of(hub: HubConsortium) -> QuerySet[Award]:
    """The awards to the consortium's companies (through their platform organisations)."""
    orgs = companies_of(hub).exclude(organisation=None).values("organisation")
    return (
        Award.objects.filter(institution__in=orgs)
        .select_related("program", "institution")
        .order_by("-starts_on", "grant_number")
    )


def hubs_of(company: Company) -> list[HubConsortium]:
    """The consortia whose area holds the company's address."""
    hubs = HubConsortium.objects.prefetch_related("members")
    return [h for h in hubs if Company.objects.filter(_area(h), pk=company.pk).exists()]
