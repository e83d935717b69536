"""The research-integrity hub: one page that leads each person to what they may use."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from openrd.accounts.models import Role
from openrd.accounts.queries import role_organisation_ids, signed_in_user


@login_required
def hub(request: HttpRequest) -> HttpResponse:
    me = signed_in_user(request)
    staff = bool(role_organisation_ids(me, Role.AGENCY_STAFF))
    officer = bool(role_organisation_ids(me, Role.INTEGRITY_OFFICER))
    return render(
        request,
        "integrity/hub.html",
        {
            "agency": staff or officer,
            "integrity_officer": officer,
            "institution_officer": bool(role_organisation_ids(me, Role.INSTITUTION_OFFICER)),
        },
    )
