"""Access requests for restricted files: the request form (signed in), the
curators' list with grant / refuse, and the granted file for the person who
asked, while the grant lasts. Everything else is a 404 with an audit entry."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _

from openrd.accounts.queries import signed_in_user
from openrd.core.access import deny
from openrd.core.refusals import Refused
from openrd.repository import access_requests, queries
from openrd.repository.access import file_may_be_requested
from openrd.repository.models import AccessRequest, OutputFile


def _requestable(request: HttpRequest, key: UUID) -> OutputFile:
    found = OutputFile.objects.select_related("output").filter(key=key).first()
    if found is None:
        raise Http404
    if not file_may_be_requested(found.output.status, found.access):
        deny(request, found.output, what=f"file {key}")
    return found


@login_required
def request_form(request: HttpRequest, key: UUID) -> HttpResponse:
    file = _requestable(request, key)
    purpose = request.POST.get("purpose", "")
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            access_requests.request_access(file, requester=signed_in_user(request), purpose=purpose)
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            messages.success(request, _("Your request is sent to the repository's curators."))
            return redirect("repository:output", file.output_id)
    return render(
        request,
        "repository/access/request.html",
        {"file": file, "output": file.output, "purpose": purpose, "errors": errors},
        status=422 if errors else 200,
    )


@login_required
def curator_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if not queries.curator_institution_ids(user):
        raise Http404
    refusal: Refused | None = None
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        pending = access_requests.pending_for(user)
        req = pending.filter(pk=request.POST.get("request", "0") or 0).first()
        if req is None:
            deny(request, None, what="access request")
        try:
            access_requests.decide(
                req,
                actor=user,
                grant=request.POST.get("decision") == "grant",
                note=request.POST.get("note", ""),
            )
        except ValidationError as exc:
            errors = exc.message_dict
        except Refused as refused:
            refusal = refused
        else:
            messages.success(request, _("The answer is sent."))
            return redirect("repository:access_requests")
    return render(
        request,
        "repository/access/curator_list.html",
        {
            "rows": access_requests.pending_for(user).order_by("created_at")[:200],
            "errors": errors,
            "refusal": refusal,
        },
        status=422 if errors else (409 if refusal else 200),
    )


@login_required
def granted_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    from openrd.repository.views_public import serve_file

    found = access_requests.granted(pk, signed_in_user(request))
    if found is None:
        hidden = AccessRequest.objects.filter(pk=pk).first()
        deny(request, hidden.file.output if hidden else None, what=f"access request {pk}")
    return serve_file(request, found.file, private=True)


urlpatterns: list[URLPattern] = [
    path("files/<uuid:key>/request/", request_form, name="access_request"),
    path("access-requests/", curator_list, name="access_requests"),
    path("access/<int:pk>/", granted_file, name="granted_file"),
]
