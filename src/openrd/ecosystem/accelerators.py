"""Acceleration programs and support organisations.

The program and its budgets come from ``data/accelerators.toml`` (the seed's
figures, each citing its line), loaded idempotently with the hub cities. Its
cohorts — the startups taken in, the overseas accelerator running the round,
the hub city served — and the support organisations (taking part in the Plus
platform or not) are records entered on the platform by the command tower or a
ministry: each writer checks every field and is audited.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from openrd.core import audit
from openrd.ecosystem.models import (
    AcceleratorBudget,
    AcceleratorProgram,
    BudgetKind,
    Cohort,
    Company,
    HubConsortium,
    SupportKind,
    SupportOrganisation,
)

PATH = Path(__file__).resolve().parent / "data" / "accelerators.toml"
CODE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
MAX_COHORT = 200


class AcceleratorFileError(ValueError):
    pass


def read_accelerators(text: str | None = None) -> dict[str, Any]:
    data = tomllib.loads(text if text is not None else PATH.read_text(encoding="utf-8"))
    codes = [p.get("code") for p in data.get("programs", [])]
    if len(set(codes)) != len(codes) or not all(isinstance(c, str) and c for c in codes):
        raise AcceleratorFileError("each program needs a code of its own")
    for p in data["programs"]:
        for b in p.get("budgets", []):
            if b.get("kind") not in BudgetKind.values:
                raise AcceleratorFileError(f"{p['code']}: a budget is initial or supplementary")
            if not isinstance(b.get("amount_yen"), int) or b["amount_yen"] <= 0:
                raise AcceleratorFileError(f"{p['code']}: amount_yen must be a positive integer")
    if not isinstance(data.get("platform", {}).get("seed_line"), int):
        raise AcceleratorFileError("platform: seed_line must be an integer")
    return data


def platform() -> dict[str, Any]:
    """The support organisations' platform (Plus) as the file names and cites it."""
    return dict(read_accelerators()["platform"])


@transaction.atomic
def load_accelerators(*, actor: Any = None) -> list[AcceleratorProgram]:
    """Create or bring in line every program of the file and its budgets, by code."""
    loaded = []
    for p in read_accelerators()["programs"]:
        program, created = AcceleratorProgram.objects.update_or_create(
            code=p["code"],
            defaults={k: p.get(k, "") for k in ("name_ja", "name_en", "summary_ja", "summary_en",
                                                 "seed_line", "seed_text")},
        )  # fmt: skip
        program.budgets.all().delete()
        AcceleratorBudget.objects.bulk_create(
            AcceleratorBudget(program=program, **b) for b in p.get("budgets", [])
        )
        if created:
            audit.record("ecosystem.accelerator.loaded", actor=actor, obj=program,
                         after={"code": program.code})  # fmt: skip
        loaded.append(program)
    return loaded


def total_budget(program: AcceleratorProgram) -> int:
    return int(program.budgets.aggregate(total=Sum("amount_yen"))["total"] or 0)


COHORT_FIELDS = ["name_ja", "name_en", "fiscal_year", "accelerator", "hub_id", "starts_on",
                 "ends_on"]  # fmt: skip


@transaction.atomic
def save_cohort(
    *,
    actor: Any,
    program: AcceleratorProgram,
    code: str,
    name_ja: str,
    fiscal_year: int | None,
    accelerator: str,
    starts_on: date | None,
    ends_on: date | None,
    companies: list[Company],
    hub: HubConsortium | None = None,
    name_en: str = "",
) -> Cohort:
    """Create or rewrite a cohort with its startups."""
    if not actor.has_perm("ecosystem.manage_accelerators"):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if not CODE.match(code or ""):
        errors["code"] = [_("Use lower-case letters, digits and hyphens.")]
    if not name_ja.strip():
        errors["name_ja"] = [_("Give the cohort a name.")]
    if fiscal_year is None or not 2000 <= fiscal_year <= 2100:
        errors["fiscal_year"] = [_("Enter the fiscal year as four digits.")]
    if not accelerator.strip():
        errors["accelerator"] = [_("Name the accelerator that runs it.")]
    if starts_on is None:
        errors["starts_on"] = [_("Enter the date as YYYY-MM-DD.")]
    if ends_on is None:
        errors["ends_on"] = [_("Enter the date as YYYY-MM-DD.")]
    elif starts_on is not None and ends_on < starts_on:
        errors["ends_on"] = [_("The cohort ends after it starts.")]
    if len(companies) > MAX_COHORT:
        errors["companies"] = [_("At most %(n)d startups.") % {"n": MAX_COHORT}]
    if errors or fiscal_year is None or starts_on is None or ends_on is None:
        raise ValidationError(errors)
    cohort = Cohort.objects.select_for_update().filter(code=code).first()
    before = audit.snapshot(cohort, COHORT_FIELDS)
    before_members = sorted(cohort.companies.values_list("pk", flat=True)) if cohort else []
    cohort = cohort or Cohort(code=code, program=program)
    cohort.name_ja, cohort.name_en = name_ja.strip(), name_en.strip()
    cohort.fiscal_year, cohort.accelerator, cohort.hub = fiscal_year, accelerator.strip(), hub
    cohort.starts_on, cohort.ends_on = starts_on, ends_on
    cohort.full_clean(exclude=["companies"])
    cohort.save()
    cohort.companies.set(companies)
    audit.record(
        "ecosystem.cohort.saved", actor=actor, obj=cohort,
        before={**(before or {}), "companies": before_members},
        after={**audit.snapshot(cohort, COHORT_FIELDS),
               "companies": sorted(c.pk for c in companies)},
    )  # fmt: skip
    return cohort


SUPPORT_FIELDS = ["name_ja", "name_en", "kind", "hub_id", "prefecture", "in_plus", "website"]


@transaction.atomic
def save_support_organisation(
    *,
    actor: Any,
    code: str,
    name_ja: str,
    kind: str,
    in_plus: bool = False,
    hub: HubConsortium | None = None,
    prefecture: str = "",
    website: str = "",
    name_en: str = "",
) -> SupportOrganisation:
    """Create or rewrite a support organisation."""
    if not actor.has_perm("ecosystem.manage_accelerators"):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if not CODE.match(code or ""):
        errors["code"] = [_("Use lower-case letters, digits and hyphens.")]
    if not name_ja.strip():
        errors["name_ja"] = [_("Give the organisation's name.")]
    if kind not in SupportKind.values:
        errors["kind"] = [_("Choose the kind of organisation.")]
    if errors:
        raise ValidationError(errors)
    found = SupportOrganisation.objects.select_for_update().filter(code=code).first()
    before = audit.snapshot(found, SUPPORT_FIELDS)
    org = found or SupportOrganisation(code=code)
    org.name_ja, org.name_en, org.kind = name_ja.strip(), name_en.strip(), kind
    org.hub, org.prefecture, org.in_plus, org.website = hub, prefecture.strip(), in_plus, website
    org.full_clean()  # the website's URL is checked here
    org.save()
    audit.record("ecosystem.support_organisation.saved", actor=actor, obj=org, before=before,
                 after=audit.snapshot(org, SUPPORT_FIELDS))  # fmt: skip
    return org
