"""The inbox pages: the list, marking as read, the e-mail choices and what the person follows."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openrd.notifications import queries, services
from openrd.notifications.kinds import KINDS
from openrd.notifications.presenters import notification_dict
from openrd.notifications.queries import PAGE_SIZE


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    page = Paginator(queries.inbox(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    items = [notification_dict(n) for n in page.object_list]
    return render(
        request,
        "notifications/inbox.html",
        {"page": page, "items": items, "unread": queries.unread_count(request.user)},
    )


@login_required
@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    services.mark_read(queries.own_notification(request.user, pk))
    return redirect("notifications:inbox")


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    services.mark_all_read(request.user)  # type: ignore[arg-type]
    messages.success(request, _("All notifications are marked as read."))
    return redirect("notifications:inbox")


@login_required
def email_settings(request: HttpRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        chosen = request.POST.getlist("email")
        unknown = set(chosen) - set(KINDS)
        if unknown:
            choices = dict.fromkeys(KINDS, False) | dict.fromkeys(set(chosen) & set(KINDS), True)
            return render(
                request,
                "notifications/settings.html",
                {
                    "rows": _rows(choices),
                    "follows": _follows(request),
                    "error": _("Unknown kind of notification."),
                },
                status=422,
            )
        services.set_email_choices(user, by_email=chosen, actor=user)  # type: ignore[arg-type]
        messages.success(request, _("Your e-mail choices have been saved."))
        return redirect("notifications:settings")
    choices = services.email_choices(user)  # type: ignore[arg-type]
    return render(
        request,
        "notifications/settings.html",
        {"rows": _rows(choices), "follows": _follows(request)},
    )


# The settings page lists the followed programs: the one kind of topic there is.
FOLLOWED_KIND = "program"


def _follows(request: HttpRequest) -> list[queries.Followed]:
    return queries.follows(request.user, FOLLOWED_KIND)


@login_required
@require_POST
def unfollow(request: HttpRequest) -> HttpResponse:
    """Stop following one topic from the settings page. Only the person's own
    subscription is removed; a topic not followed changes nothing."""
    topic = request.POST.get("topic", "")
    followed = {f.topic: f for f in _follows(request)}
    if topic in followed:
        services.unsubscribe(request.user, topic, actor=request.user)  # type: ignore[arg-type]
        messages.success(
            request, _("You no longer follow %(name)s.") % {"name": followed[topic].label}
        )
    return redirect("notifications:settings")


def _rows(choices: dict[str, bool]) -> list[dict[str, object]]:
    return [
        {"code": code, "label": kind.label, "audience": kind.audience, "checked": choices[code]}
        for code, kind in KINDS.items()
    ]
