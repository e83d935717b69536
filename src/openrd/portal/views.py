from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from openrd.accounts.models import Role
from openrd.core.my_tasks import groups_for, tasks_for, total
from openrd.portal.context_processors import remember_task_count
from openrd.programs.queries import open_call_rows, public_programs


def home(request: HttpRequest) -> HttpResponse:
    context = {"programs": public_programs(), "open_calls": open_call_rows()}
    return render(request, "portal/home.html", context)


def _next_steps(user: object) -> list[dict[str, str]]:
    """The pages each of the person's roles starts from, for a dashboard with nothing on it."""
    roles = user.role_codes()  # type: ignore[attr-defined]
    steps: list[tuple[str, str]] = []
    if Role.RESEARCHER.value in roles:
        steps += [
            (_("Find an open call to apply to"), reverse("calls:list") + "?status=open"),
            (_("Keep your research-integrity disclosure up to date"), reverse("integrity:edit")),
        ]
    if roles & {Role.INSTITUTION_OFFICER.value, Role.AGENCY_STAFF.value}:
        steps.append((_("See the proposals you handle"), reverse("proposals:list")))
    if Role.AGENCY_STAFF.value in roles:
        steps.append((_("See the calls for proposals"), reverse("calls:list")))
    steps.append((_("Follow programs to hear when their calls open"), reverse("programs:list")))
    return [{"text": text, "url": url} for text, url in steps]


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """What awaits the person, across every role they hold (core.my_tasks)."""
    now = timezone.now()
    tasks = tasks_for(request.user, now)
    count = total(tasks)
    remember_task_count(request, count)  # the header shows this count without asking again
    context = {
        "groups": groups_for(request.user, tasks, now),
        "total": count,
        "next_steps": [] if count else _next_steps(request.user),
    }
    return render(request, "portal/dashboard.html", context)
