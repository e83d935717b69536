from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from openrd.programs.follow import (
    FollowState,
    follow_program,
    follow_state,
    followed_codes,
    unfollow_program,
)
from openrd.programs.forms import CallFilterForm
from openrd.programs.models import CallPhase, CallStatus
from openrd.programs.queries import (
    call_filter_options,
    effective_rules,
    program_overview,
    public_calls,
    public_programs,
    visible_call,
)
from openrd.programs.rules import call_phase, check_call_window, describe_rules, program_rules

# Section headings of the program page, in the plural the heading needs.
SECTION_TITLES = {
    "period": _("Periods"),
    "goal": _("Goals"),
    "target": _("Targets"),
    "theme": _("Themes"),
    "vision": _("Research and development visions"),
    "domain": _("Domains and technologies"),
    "topic": _("Topics"),
    "project": _("Projects"),
    "phase": _("Phases"),
    "viewpoint": _("Viewpoints"),
    "stage_gate": _("Stage gates"),
    "exit_strategy": _("Exit strategy"),
    "support_measure": _("Support measures"),
}


def program_list(request: HttpRequest) -> HttpResponse:
    programs = list(public_programs())
    # One query for the whole list; anonymous visitors get no control on the cards.
    followed = followed_codes(request.user) if request.user.is_authenticated else set()
    rows = [(p, FollowState(p.code, p.code in followed)) for p in programs]
    return render(request, "programs/program_list.html", {"rows": rows})


def program_detail(request: HttpRequest, code: str) -> HttpResponse:
    overview = program_overview(code)
    context = {
        "overview": overview,
        "program": overview.program,
        # Sections in the order of SECTION_TITLES: structure first, support last.
        "sections": [
            (kind, title, overview.sections[kind])
            for kind, title in SECTION_TITLES.items()
            if kind in overview.sections
        ],
        "rules_in_words": describe_rules(program_rules(overview.program.rules)),
        "follow": follow_state(request.user, overview.program),
    }
    return render(request, "programs/program_detail.html", context)


@require_POST
def program_follow(request: HttpRequest, code: str) -> HttpResponse:
    return _change_follow(request, code, follow=True)


@require_POST
def program_unfollow(request: HttpRequest, code: str) -> HttpResponse:
    return _change_follow(request, code, follow=False)


def _change_follow(request: HttpRequest, code: str, *, follow: bool) -> HttpResponse:
    """The follow button's form: htmx swaps the returned control in place; without
    JavaScript the browser goes back to the page the button was on."""
    page = reverse("programs:detail", args=[code])
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = page
    if not request.user.is_authenticated:
        # After signing in the person lands on the page, where the button is (a
        # redirect to this POST-only address would fail).
        login = redirect_to_login(back)
        if request.headers.get("HX-Request"):
            return HttpResponseClientRedirect(login.url)
        return login
    change = follow_program if follow else unfollow_program
    state = change(request.user, code)
    if request.headers.get("HX-Request"):
        compact = request.POST.get("compact") == "1"
        if compact:
            state = FollowState(state.code, state.following)
        context = {"follow": state, "next": back, "compact": compact}
        return render(request, "programs/_follow.html", context)
    return redirect(back)


def call_list(request: HttpRequest) -> HttpResponse:
    """Public calls, filtered on the server by the query string (so a filtered
    list is a plain link that can be shared or bookmarked)."""
    options = call_filter_options()
    form = CallFilterForm(
        request.GET or None,
        programs=options.programs,
        agencies=options.agencies,
        fiscal_years=options.fiscal_years,
    )
    now = timezone.now()
    calls = public_calls(form.filters(), now=now)
    rows = [
        {"call": c, "phase": CallPhase(call_phase(c.status, c.opens_at, c.closes_at, now))}
        for c in calls
    ]
    return render(request, "programs/call_list.html", {"form": form, "rows": rows})


def call_detail(request: HttpRequest, pk: int) -> HttpResponse:
    call = visible_call(request.user, pk, request=request)
    now = timezone.now()
    phase = CallPhase(call_phase(call.status, call.opens_at, call.closes_at, now))
    notices = [
        r.message
        for r in check_call_window(call.opens_at, call.closes_at, now, call_code=call.code).reasons
    ]
    if call.status == CallStatus.DRAFT:
        notices = [gettext("This call is a draft: only those who manage it can see this page.")]
    elif call.status == CallStatus.CLOSED and not notices:
        notices = [gettext("The funding agency closed this call before its deadline.")]
    criteria = list(call.criteria.all())
    context = {
        "call": call,
        "phase": phase,
        "notices": notices,
        "rules_in_words": describe_rules(effective_rules(call)),
        "documents": list(call.documents.all()),
        "criteria": criteria,
        "criteria_total": sum(c.weight for c in criteria),
        # The proposals app serves the form; the link shows only while proposals are taken.
        "can_apply": phase == CallPhase.OPEN,
    }
    return render(request, "programs/call_detail.html", context)
