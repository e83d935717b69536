from __future__ import annotations

from datetime import date, datetime

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from pydantic import AwareDatetime, ConfigDict

from openrd.accounts.api_auth import api_auth, session_auth
from openrd.accounts.models import ApiToken, Organisation, OrganisationKind, TokenScope
from openrd.accounts.queries import tokens_of
from openrd.accounts.services import (
    issue_api_token,
    revoke_api_token,
    update_profile,
    upsert_organisation,
)
from openrd.core.access import deny
from openrd.core.api_schemas import WRITE_ERRORS, ErrorOut

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
    response={200: MeOut, **WRITE_ERRORS},
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
    country: str = Field(
        "JP", max_length=8, description="ISO 3166-1 alpha-2 code; lower case is accepted"
    )
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
    response={201: OrganisationOut, **WRITE_ERRORS, 409: ErrorOut},
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


class TokenIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100, description="What the token is for")
    scope: TokenScope = Field(TokenScope.READ, description="read: GET only; write: everything")
    expires_at: AwareDatetime | None = Field(None, description="None: until revoked")


class TokenOut(Schema):
    id: int
    name: str
    prefix: str = Field(description="The secret's first characters, to recognise it")
    scope: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None


class IssuedTokenOut(Schema):
    token: TokenOut
    secret: str = Field(description="Shown this once; only its SHA-256 digest is kept")


@router.get(
    "/me/tokens",
    response={200: list[TokenOut], 401: ErrorOut, 403: ErrorOut},
    auth=session_auth,
    summary="The signed-in user's API tokens (not revoked); a session only, not a token",
)
def list_tokens(request: HttpRequest) -> list[ApiToken]:
    return list(tokens_of(request.user))  # type: ignore[arg-type]


@router.post(
    "/me/tokens",
    response={201: IssuedTokenOut, **WRITE_ERRORS},
    auth=session_auth,
    summary="Issue an API token; the secret is in this response only",
)
def post_token(request: HttpRequest, payload: TokenIn, response: HttpResponse) -> Status:
    token, secret = issue_api_token(
        request.user,  # type: ignore[arg-type]
        name=payload.name,
        scope=payload.scope,
        expires_at=payload.expires_at,
        actor=request.user,  # type: ignore[arg-type]
    )
    response["Cache-Control"] = "no-store"
    return Status(201, {"token": TokenOut.from_orm(token), "secret": secret})


@router.delete(
    "/me/tokens/{id}",
    response={204: None, **WRITE_ERRORS},
    auth=session_auth,
    summary="Revoke one of the signed-in user's API tokens",
)
def delete_token(request: HttpRequest, id: int) -> Status:
    # Someone else's token is answered exactly like a missing one.
    token = get_object_or_404(ApiToken, pk=id, user=request.user)
    revoke_api_token(token, actor=request.user)  # type: ignore[arg-type]
    return Status(204, None)
