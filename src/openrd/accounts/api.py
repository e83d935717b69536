from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict

from openrd.accounts.api_auth import api_auth
from openrd.accounts.models import Organisation, OrganisationKind
from openrd.accounts.services import update_profile, upsert_organisation
from openrd.core.access import deny
from openrd.core.api_schemas import ErrorOut, ValidationErrorOut

router = Router(tags=["accounts"])


class RoleOut(Schema):
    role: str
    organisation: str | None


class MeOut(Schema):
    username: str
    name_ja: str
    name_en: str
    organisation: str | None
    roles: list[RoleOut]


@router.get("/me", response=MeOut, auth=api_auth, summary="The signed-in user")
def me(request: HttpRequest) -> MeOut:
    user = request.user
    return MeOut(
        username=user.get_username(),
        name_ja=user.name_ja,  # type: ignore[union-attr]
        name_en=user.name_en,  # type: ignore[union-attr]
        organisation=user.organisation.code if user.organisation else None,  # type: ignore[union-attr]
        roles=[
            RoleOut(role=r.role, organisation=r.organisation.code if r.organisation else None)
            for r in user.role_assignments.select_related("organisation")  # type: ignore[union-attr]
        ],
    )


class ProfileIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name_ja: str | None = None
    name_en: str | None = None
    name_kana: str | None = None
    orcid: str | None = Field(None, description="ORCID iD; URL form and full-width digits accepted")
    erad_researcher_number: str | None = Field(
        None, description="e-Rad researcher number (8 digits)"
    )


@router.patch(
    "/me",
    response={200: MeOut, 401: ErrorOut, 422: ValidationErrorOut},
    auth=api_auth,
    summary="Change the signed-in user's profile",
)
def update_me(request: HttpRequest, payload: ProfileIn) -> MeOut:
    fields = payload.model_dump(exclude_unset=True)
    update_profile(request.user, actor=request.user, **fields)  # type: ignore[arg-type]
    return me(request)


class OrganisationIn(Schema):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,63}$")
    kind: OrganisationKind
    name_ja: str = Field(min_length=1, max_length=200)
    name_en: str = Field("", max_length=200)
    name_kana: str = Field("", max_length=200)
    corporate_number: str | None = Field(None, description="法人番号: 13 digits with check digit")
    ror_id: str = ""
    country: str = Field("JP", pattern=r"^[A-Z]{2}$")
    founded_on: date | None = None
    is_sme: bool | None = None


class OrganisationOut(Schema):
    code: str
    kind: str
    name_ja: str
    name_en: str
    corporate_number: str | None
    ror_id: str
    country: str
    founded_on: date | None
    is_sme: bool | None


@router.post(
    "/organisations",
    response={201: OrganisationOut, 401: ErrorOut, 404: ErrorOut, 409: ErrorOut,
              422: ValidationErrorOut},
    auth=api_auth,
    summary="Register an organisation (command tower)",
)  # fmt: skip
def create_organisation(request: HttpRequest, payload: OrganisationIn) -> Status:
    if not request.user.has_perm("accounts.manage_organisations"):
        deny(request, what=f"organisation {payload.code}")
    if Organisation.objects.filter(code=payload.code).exists():
        return Status(409, {"detail": _("An organisation with this code already exists.")})
    fields = payload.model_dump()
    org = upsert_organisation(actor=request.user, **fields)  # type: ignore[arg-type]
    return Status(201, OrganisationOut.from_orm(org))
