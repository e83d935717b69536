from __future__ import annotations

from datetime import timedelta
from http import HTTPStatus
from typing import Any

from allauth.account import views as allauth_views
from allauth.usersessions.models import UserSession
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openrd.accounts.decorators import sensitive
from openrd.accounts.forms import ProfileForm, TokenForm
from openrd.accounts.models import ApiToken
from openrd.accounts.queries import tokens_of
from openrd.accounts.services import (
    PROFILE_FIELDS,
    end_session,
    issue_api_token,
    revoke_api_token,
    update_profile,
)


class LoginView(allauth_views.LoginView):
    """allauth's sign-in (MFA, e-mail verification) at the site's own address."""


class PasswordResetFromKeyView(allauth_views.PasswordResetFromKeyView):
    """allauth's page, answering a wrong, used or expired reset link with 400
    (allauth says so on a page served as 200)."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = super().dispatch(request, *args, **kwargs)
        if getattr(response, "context_data", None) and response.context_data.get("token_fail"):
            response.status_code = HTTPStatus.BAD_REQUEST
        return response


class ConfirmEmailView(allauth_views.ConfirmEmailView):
    """allauth's page, answering an unknown or expired confirmation link with 404."""

    def get(self, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().get(*args, **kwargs)
        if self.object is None and response.status_code == HTTPStatus.OK:
            response.status_code = HTTPStatus.NOT_FOUND
        return response


class LogoutView(allauth_views.LogoutView):
    pass


@login_required
def profile(
    request: HttpRequest, token_form: TokenForm | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    context = {
        "roles": user.role_assignments.select_related("organisation"),  # type: ignore[union-attr]
        "affiliations": user.affiliations.select_related("organisation"),  # type: ignore[union-attr]
        "tokens": tokens_of(user),  # type: ignore[arg-type]
        "token_form": token_form or TokenForm(),
        "now": timezone.now(),
    }
    return render(request, "accounts/profile.html", context, status=status)


def _add_service_errors(form: Form, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error)


@login_required
@require_POST
# A token acts for its owner without a second factor, so issuing one asks again.
@sensitive
def token_create(request: HttpRequest) -> HttpResponse:
    """Issue a token and show its secret on this one page, which is never cached."""
    form = TokenForm(request.POST)
    if form.is_valid():
        days = form.cleaned_data["expires_in_days"]
        try:
            token, secret = issue_api_token(
                request.user,  # type: ignore[arg-type]
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                expires_at=timezone.now() + timedelta(days=days) if days else None,
                actor=request.user,  # type: ignore[arg-type]
            )
        except ValidationError as exc:
            _add_service_errors(form, exc)
        else:
            response = render(
                request, "accounts/token_issued.html", {"token": token, "secret": secret}
            )
            response["Cache-Control"] = "no-store"
            return response
    return profile(request, token_form=form, status=422)


@login_required
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask first (GET), revoke on confirmation (POST). Another person's token is a 404."""
    token = get_object_or_404(ApiToken, pk=pk, user=request.user, revoked_at__isnull=True)
    if request.method == "POST":
        revoke_api_token(token, actor=request.user)  # type: ignore[arg-type]
        messages.success(
            request, _("The token “%(name)s” has been revoked.") % {"name": token.name}
        )
        return redirect("accounts:profile")
    return render(request, "accounts/token_revoke.html", {"token": token})


@login_required
def profile_edit(request: HttpRequest) -> HttpResponse:
    """Edit one's own profile; on an error every typed value is shown back."""
    user = request.user
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            try:
                update_profile(user, actor=user, **form.cleaned_data)  # type: ignore[arg-type]
            except ValidationError as exc:
                _add_service_errors(form, exc)
            else:
                messages.success(request, _("Your profile has been saved."))
                return redirect("accounts:profile")
        status = 422 if form.errors else 200
        return render(request, "accounts/profile_edit.html", {"form": form}, status=status)
    form = ProfileForm(initial={f: getattr(user, f) or "" for f in PROFILE_FIELDS})
    return render(request, "accounts/profile_edit.html", {"form": form})


@login_required
def sessions(request: HttpRequest) -> HttpResponse:
    """Where and from what device the account is signed in; any of them can be ended."""
    listed = sorted(
        UserSession.objects.purge_and_list(request.user),
        key=lambda s: s.last_seen_at,
        reverse=True,
    )
    current = request.session.session_key
    return render(request, "accounts/sessions.html", {"sessions": listed, "current": current})


@login_required
@require_POST
def session_end(request: HttpRequest, pk: int) -> HttpResponse:
    """End one session; another person's is a 404. Ending this one signs out here."""
    session = get_object_or_404(UserSession, pk=pk, user=request.user)
    here = session.session_key == request.session.session_key
    end_session(session, actor=request.user)  # type: ignore[arg-type]
    if here:
        return redirect("portal:home")
    messages.success(request, _("The session has been signed out."))
    return redirect("accounts:sessions")
