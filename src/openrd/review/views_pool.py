"""The reviewer pool's pages for agency staff: the list (searchable, by state,
paged), adding a registered person, and editing what the pool says of them.

The pool serves every agency's rounds, so the staff of any agency reach it;
anyone else gets a 404 with an audit entry, as on the rounds pages. Every change
is ``services.save_reviewer``; bad input is shown next to its field (422) and
nothing is saved.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from openrd.accounts.models import Role, User
from openrd.accounts.queries import role_organisation_ids, signed_in_user
from openrd.core.access import deny, get_visible_or_404
from openrd.core.listing import Listing, paginate, parse, search_q
from openrd.review import services
from openrd.review.models import (
    LIVE_ASSIGNMENT_STATES,
    ReviewAssignment,
    ReviewerProfile,
    RoundStatus,
)

POOL_LISTING = Listing(
    sorts={"name": ("person__name_kana", "person__username"), "load": ("max_load",)},
    default_sort="name",
    filters=("active",),
)
ACTIVE, INACTIVE = "active", "inactive"
# Terms are typed in one box, separated by commas (half- or full-width), 、 or lines.
TERM_SEPARATORS = re.compile(r"[,，、\n\r]+")


def _require_staff(request: HttpRequest) -> User:
    me = signed_in_user(request)
    if not role_organisation_ids(me, Role.AGENCY_STAFF):
        # The pool is agency staff's: for anyone else the page does not exist.
        deny(request, what="review:pool")
    return me


def split_terms(text: str) -> list[str]:
    """「量子, センサ、光学」 → ["量子", "センサ", "光学"]; the service trims and dedupes."""
    return [t for t in TERM_SEPARATORS.split(text or "") if t.strip()]


def join_terms(terms: list[str]) -> str:
    return ", ".join(terms)


# ------------------------------------------------------------------ the list


def pool_rows(words: str, active: str) -> QuerySet[ReviewerProfile]:
    """The pool, by state; ``words``: every word in the name, the username, the
    fields or the keywords (compared in ``services.search_form``)."""
    rows = ReviewerProfile.objects.select_related("person__organisation")
    if active == ACTIVE:
        rows = rows.filter(is_active=True)
    elif active == INACTIVE:
        rows = rows.filter(is_active=False)
    if words:
        rows = rows.filter(
            search_q(
                services.search_form(words),
                ["person__name_ja", "person__name_en", "person__username", "search_text"],
            )
        )
    return rows


def current_loads(people: list[int]) -> dict[int, int]:
    """Each person's live assignments in rounds not closed yet: one query for a page."""
    rows = (
        ReviewAssignment.objects.filter(
            reviewer_id__in=people,
            status__in=LIVE_ASSIGNMENT_STATES,
            round__status__in=[RoundStatus.DRAFT, RoundStatus.OPEN],
        )
        .order_by()
        .values("reviewer_id")
        .annotate(n=Count("pk"))
    )
    return {row["reviewer_id"]: row["n"] for row in rows}


@login_required
def pool_list(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    params = parse(POOL_LISTING, request.GET)
    active = params.filters.get("active", "")
    if active not in (ACTIVE, INACTIVE):
        active = ""
    page = paginate(pool_rows(params.q, active), POOL_LISTING, params, request.GET)
    loads = current_loads([p.person_id for p in page.items])
    for profile in page.items:
        profile.current_load = loads.get(profile.person_id, 0)
    return render(
        request,
        "review/pool.html",
        {"page": page, "params": params, "active": active, "choices": _active_choices()},
    )


def _active_choices() -> list[tuple[str, str]]:
    return [
        ("", pgettext("reviewer", "All")),
        (ACTIVE, pgettext("reviewer", "Active")),
        (INACTIVE, pgettext("reviewer", "Inactive")),
    ]


# ------------------------------------------------------------------ the forms


class ProfileForm(forms.Form):
    """Parses what was typed; the rules on the values are ``services.save_reviewer``'s."""

    research_fields = forms.CharField(
        label=gettext_lazy("Research fields"),
        help_text=gettext_lazy("Separate entries with commas or 、."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    keywords = forms.CharField(
        label=gettext_lazy("Expertise keywords"),
        help_text=gettext_lazy("Separate entries with commas or 、."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    max_load = forms.IntegerField(
        label=gettext_lazy("Proposals per round at most"), initial=10, min_value=1, max_value=100
    )
    is_active = forms.BooleanField(
        label=gettext_lazy("Active (may be assigned to proposals)"), required=False, initial=True
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            if isinstance(f, forms.BooleanField):
                continue  # drawn by the template as the design system's check
            textarea = isinstance(f.widget, forms.Textarea)
            f.widget.attrs.setdefault("class", "textarea" if textarea else "input")
            if isinstance(f, forms.IntegerField):
                f.widget.attrs.setdefault("inputmode", "numeric")


class AddForm(ProfileForm):
    person = forms.CharField(
        label=gettext_lazy("Username or e-mail address"),
        help_text=gettext_lazy("The person must already have an account."),
        max_length=254,
    )
    field_order = ["person", "research_fields", "keywords", "max_load", "is_active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].widget.attrs.update({"class": "input", "autocomplete": "off"})

    def clean_person(self) -> User:
        typed = self.cleaned_data["person"].strip()
        found = list(
            User.objects.filter(is_active=True)
            .filter(Q(username=typed) | Q(email__iexact=typed))
            .order_by("pk")[:2]
        )
        by_name = [u for u in found if u.username == typed]
        if by_name:
            return by_name[0]
        if not found:
            raise ValidationError(_("No registered person has this username or e-mail address."))
        if len(found) > 1:
            raise ValidationError(
                _("More than one person uses this e-mail address: enter the username.")
            )
        return found[0]


def _save(
    request: HttpRequest, form: ProfileForm, person: User, *, new: bool
) -> ReviewerProfile | None:
    """Save through the service; its errors go next to their fields (None then)."""
    data = form.cleaned_data
    try:
        return services.save_reviewer(
            person,
            actor=signed_in_user(request),
            research_fields=split_terms(data["research_fields"]),
            keywords=split_terms(data["keywords"]),
            max_load=data["max_load"],
            is_active=data["is_active"],
            new=new,
        )
    except ValidationError as error:
        for name, texts in error.message_dict.items():
            form.add_error(name if name in form.fields else NON_FIELD_ERRORS, texts)
        return None


# ------------------------------------------------------------------ add and edit


@login_required
def pool_add(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    if request.method != "POST":
        return render(request, "review/pool_form.html", {"form": AddForm(), "profile": None})
    form = AddForm(request.POST)
    if form.is_valid():
        saved = _save(request, form, form.cleaned_data["person"], new=True)
        if saved is not None:
            messages.success(
                request,
                _("%(person)s was added to the reviewer pool.")
                % {"person": saved.person.display_name},
            )
            return redirect("review:pool_edit", pk=saved.pk)
    return render(request, "review/pool_form.html", {"form": form, "profile": None}, status=422)


@login_required
def pool_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_staff(request)
    profile = get_visible_or_404(
        ReviewerProfile.objects.select_related("person"), request=request, pk=pk
    )
    if request.method != "POST":
        form = ProfileForm(
            initial={
                "research_fields": join_terms(profile.research_fields),
                "keywords": join_terms(profile.keywords),
                "max_load": profile.max_load,
                "is_active": profile.is_active,
            }
        )
        return render(request, "review/pool_form.html", {"form": form, "profile": profile})
    form = ProfileForm(request.POST)
    if form.is_valid() and _save(request, form, profile.person, new=False) is not None:
        messages.success(request, _("The reviewer's profile was saved."))
        return redirect("review:pool_edit", pk=pk)
    return render(request, "review/pool_form.html", {"form": form, "profile": profile}, status=422)
