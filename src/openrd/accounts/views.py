from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from openrd.accounts.forms import ProfileForm
from openrd.accounts.services import PROFILE_FIELDS, update_profile


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "roles": user.role_assignments.select_related("organisation"),  # type: ignore[union-attr]
        "affiliations": user.affiliations.select_related("organisation"),  # type: ignore[union-attr]
    }
    return render(request, "accounts/profile.html", context)


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
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                messages.success(request, _("Your profile has been saved."))
                return redirect("accounts:profile")
        status = 422 if form.errors else 200
        return render(request, "accounts/profile_edit.html", {"form": form}, status=status)
    form = ProfileForm(initial={f: getattr(user, f) or "" for f in PROFILE_FIELDS})
    return render(request, "accounts/profile_edit.html", {"form": form})
