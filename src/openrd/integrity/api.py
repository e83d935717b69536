"""The signed-in person's research-integrity disclosure over the API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict

from openrd.accounts.api_auth import api_auth
from openrd.core.access import deny
from openrd.core.api_schemas import WRITE_ERRORS, ErrorOut
from openrd.core.api_types import Yen
from openrd.integrity.models import DisclosureVersion
from openrd.integrity.presenters import changes_between
from openrd.integrity.queries import disclosure_history, latest_disclosure, previous_version
from openrd.integrity.rules import MAX_TEXT, diff_disclosures
from openrd.integrity.services import pledge, save_disclosure

router = Router(tags=["integrity"])

KEY_DESCRIPTION = "Stable id of the entry across versions (32 hex digits); omit for a new entry."
COUNTRY_DESCRIPTION = "ISO 3166-1 alpha-2 code, e.g. JP, US."


class FundingIn(Schema):
    model_config = ConfigDict(extra="forbid")

    key: str | None = Field(None, description=KEY_DESCRIPTION)
    status: Literal["current", "pending"] = Field(
        "current", description="current: received now; pending: applied for"
    )
    program: str = Field("", max_length=MAX_TEXT, description="Funding program or scheme")
    title: str = Field(
        "",
        max_length=MAX_TEXT,
        description="Research title; empty under a non-disclosure agreement",
    )
    funder: str = Field("", max_length=MAX_TEXT)
    country: str = Field("JP", description=COUNTRY_DESCRIPTION)
    start: date | None = None
    end: date | None = None
    amount_yen: Yen | None = Field(
        None, description="Amount in whole yen; empty under a non-disclosure agreement"
    )
    effort_percent: int = Field(ge=0, le=100, description="Share of working time, 0–100")
    nda: bool = Field(False, description="Under a non-disclosure agreement: only effort given")
    on_platform: bool = Field(False, description="Funded through this platform")


class PositionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    key: str | None = Field(None, description=KEY_DESCRIPTION)
    organisation: str = Field(max_length=MAX_TEXT)
    country: str = Field("JP", description=COUNTRY_DESCRIPTION)
    title: str = Field("", max_length=MAX_TEXT)
    kind: Literal["primary", "concurrent", "visiting", "advisory"] = "primary"
    paid: bool = True
    start: date | None = None
    end: date | None = None


class DisclosureIn(Schema):
    model_config = ConfigDict(extra="forbid")

    fundings: list[FundingIn] = Field(
        description="Every current and pending funding, including from outside the platform "
        "and from abroad"
    )
    positions: list[PositionIn] = Field(
        description="Every position: concurrent, foreign and unpaid ones included"
    )


class FundingOut(Schema):
    key: str
    status: str
    program: str
    title: str
    funder: str
    country: str
    start: date | None
    end: date | None
    amount_yen: int | None
    effort_percent: int
    nda: bool
    on_platform: bool


class PositionOut(Schema):
    key: str
    organisation: str
    country: str
    title: str
    kind: str
    paid: bool
    start: date | None
    end: date | None


FieldValue = str | int | bool | None


class FieldChangeOut(Schema):
    field: str
    old: FieldValue
    new: FieldValue


class ChangedFieldOut(Schema):
    field: str = Field(description="Field name, e.g. end")
    label: str = Field(description="Field name in the request's language")
    old: str = Field(description="Value before, as shown to people; empty string when empty")
    new: str = Field(description="Value after, as shown to people; empty string when empty")


class ChangeOut(Schema):
    section: Literal["funding", "position"]
    section_label: str
    key: str
    kind: Literal["added", "removed", "changed"]
    kind_label: str
    label: str
    fields: list[ChangedFieldOut] = Field(
        description="What changed; for an added or removed entry, every filled-in field"
    )
    field_changes: list[FieldChangeOut] = Field(
        description="The changed fields of a changed entry as stored values (ISO dates, "
        "integer yen; null when empty)"
    )


class DisclosureOut(Schema):
    number: int
    created_at: datetime
    pledged_at: datetime | None
    pledge_text_version: str
    fundings: list[FundingOut]
    positions: list[PositionOut]
    diff: list[ChangeOut] = Field(description="Changes against the previous version")


class VersionOut(Schema):
    number: int
    created_at: datetime
    pledged_at: datetime | None


def _value(value: Any) -> FieldValue:
    return value.isoformat() if isinstance(value, date) else value


def _diff_out(version: DisclosureVersion) -> list[ChangeOut]:
    previous = previous_version(version)
    raw = {
        (c.section, c.key): c.field_changes
        for c in diff_disclosures(previous.content if previous else None, version.content)
    }
    return [
        ChangeOut(
            **change,
            field_changes=[
                FieldChangeOut(field=name, old=_value(old), new=_value(new))
                for name, old, new in raw[(change["section"], change["key"])]
            ],
        )
        for change in changes_between(previous, version)
    ]


def _disclosure_out(version: DisclosureVersion) -> DisclosureOut:
    content = version.content.to_json()
    return DisclosureOut(
        number=version.number,
        created_at=version.created_at,
        pledged_at=version.pledged_at,
        pledge_text_version=version.pledge_text_version,
        fundings=[FundingOut(**f) for f in content["fundings"]],
        positions=[PositionOut(**p) for p in content["positions"]],
        diff=_diff_out(version),
    )


def _refuse_saved_dates_left_out(latest: DisclosureVersion | None, payload: DisclosureIn) -> None:
    """A saved date is removed only by an explicit null, as on the form only by its box:
    one left out of the request is a date the server did not receive. A client that
    sends back what GET returned always sends every date."""
    if latest is None:
        return
    errors: dict[str, list[ValidationError]] = {}
    sections: list[tuple[str, list[Any], list[dict[str, Any]]]] = [
        ("fundings", payload.fundings, latest.fundings),
        ("positions", payload.positions, latest.positions),
    ]
    for section, items, saved_entries in sections:
        saved = {entry["key"]: entry for entry in saved_entries}
        for index, item in enumerate(items):
            entry = saved.get(item.key or "", {})
            for name in ("start", "end"):
                if entry.get(name) and name not in item.model_fields_set:
                    errors[f"{section}.{index}.{name}"] = [
                        ValidationError(
                            _("Send the date, or null to remove it: a date left out does "
                              "not clear the saved one."),
                            code="integrity.date_left_out",
                        )
                    ]  # fmt: skip
    if errors:
        raise ValidationError(errors)


def _own(request: HttpRequest) -> Any:
    user: Any = request.user
    if not user.has_perm("integrity.edit_own_disclosure", user):
        deny(request, what="disclosure")
    return user


@router.get(
    "/me/disclosures",
    response={200: DisclosureOut, 401: ErrorOut, 404: ErrorOut},
    auth=api_auth,
    summary="The signed-in person's current disclosure, with its changes",
)
def get_my_disclosure(request: HttpRequest) -> Any:
    version = latest_disclosure(_own(request))
    if version is None:
        return Status(404, {"detail": _("You have not saved a disclosure yet.")})
    return _disclosure_out(version)


@router.put(
    "/me/disclosures",
    response={200: DisclosureOut, **WRITE_ERRORS},
    auth=api_auth,
    summary="Replace the signed-in person's disclosure (a new version when it changed)",
)
def put_my_disclosure(request: HttpRequest, payload: DisclosureIn) -> DisclosureOut:
    person = _own(request)
    _refuse_saved_dates_left_out(latest_disclosure(person), payload)
    version = save_disclosure(
        person,
        actor=person,
        fundings=[f.model_dump() for f in payload.fundings],
        positions=[p.model_dump() for p in payload.positions],
    )
    return _disclosure_out(version)


@router.post(
    "/me/disclosures/pledge",
    response={200: DisclosureOut, **WRITE_ERRORS},
    auth=api_auth,
    summary="Pledge that the current disclosure has been reported to one's institution",
)
def pledge_my_disclosure(request: HttpRequest) -> DisclosureOut:
    person = _own(request)
    return _disclosure_out(pledge(person, actor=person))


@router.get(
    "/me/disclosures/versions",
    response={200: list[VersionOut], 401: ErrorOut, 404: ErrorOut},
    auth=api_auth,
    summary="Every version of the signed-in person's disclosure, newest first",
)
def list_my_versions(request: HttpRequest) -> list[VersionOut]:
    return [
        VersionOut(number=v.number, created_at=v.created_at, pledged_at=v.pledged_at)
        for v in disclosure_history(_own(request))
    ]
