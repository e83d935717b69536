from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from openrd.accounts.models import Organisation
from openrd.core.access import deny
from openrd.core.listing import paginate, parse, query_string
from openrd.core.refusals import Refused
from openrd.programs.follow import (
    FollowState,
    follow_program,
    follow_state,
    followed_codes,
    unfollow_program,
)
from openrd.programs.forms import (
    CALL_TERM_FIELDS,
    CALL_TEXT_FIELDS,
    CRITERIA_PREFIX,
    DOCUMENTS_PREFIX,
    CallFilterForm,
    CallForm,
    CriterionFormSet,
    DeadlineForm,
    DocumentFormSet,
    kept_rows,
)
from openrd.programs.models import Call, CallPhase, CallStatus, Program
from openrd.programs.permissions import staff_agency_ids
from openrd.programs.queries import (
    CALL_LISTING,
    PROGRAM_LISTING,
    call_filter_options,
    effective_rules,
    is_call_agency_staff,
    listed_calls,
    listed_programs,
    may_see_call_statistics,
    own_agency_calls,
    program_call_rows,
    program_overview,
    programs_for_new_call,
    rules_in_words,
    visible_call,
)
from openrd.programs.rules import (
    SEED_SOURCE,
    call_phase,
    check_call_editable,
    check_call_window,
    program_rules,
)
from openrd.programs.rules.call_terms import choices_from_eligibility
from openrd.programs.services.calls import (
    close_call,
    create_call,
    extend_call_deadline,
    open_call,
    update_call,
)

# The orders the call list offers, as links above the cards.
CALL_SORT_LABELS = (
    ("deadline", _("Deadline, soonest first")),
    ("-deadline", _("Deadline, latest first")),
    ("-opens", _("Newest first")),
    ("title", _("Title")),
    ("-budget", _("Largest budget first")),
)

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
    params = parse(PROGRAM_LISTING, request.GET)
    page = paginate(listed_programs(params.q), PROGRAM_LISTING, params, request.GET)
    # One query for the whole list; anonymous visitors get no control on the cards.
    followed = followed_codes(request.user) if request.user.is_authenticated else set()
    rows = [(p, FollowState(p.code, p.code in followed)) for p in page.items]
    context = {"rows": rows, "page": page, "params": params}
    return render(request, "programs/program_list.html", context)


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
        "rules_in_words": rules_in_words(program_rules(overview.program.rules)),
        "follow": follow_state(request.user, overview.program),
        "call_rows": program_call_rows(overview.program),
        # The one name of the seed every citation on the page refers to.
        "seed_source": SEED_SOURCE,
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
    data = request.GET.copy()
    # Open calls unless the visitor chose otherwise ("Any status" sends status=).
    data.setdefault("status", CallPhase.OPEN.value)
    form = CallFilterForm(
        data,
        programs=options.programs,
        agencies=options.agencies,
        fiscal_years=options.fiscal_years,
    )
    now = timezone.now()
    params = parse(CALL_LISTING, request.GET)
    calls = listed_calls(form.filters(), params.q, now=now)
    page = paginate(calls, CALL_LISTING, params, request.GET)
    rows = [
        {"call": c, "phase": CallPhase(call_phase(c.status, c.opens_at, c.closes_at, now))}
        for c in page.items
    ]
    sorts = [
        (name, label, query_string(request.GET, sort=name, page=None), params.sort == name)
        for name, label in CALL_SORT_LABELS
    ]
    context = {"form": form, "rows": rows, "page": page, "params": params, "sorts": sorts}
    context |= _own_calls_section(request, now)
    return render(request, "programs/call_list.html", context)


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
        "rules_in_words": rules_in_words(effective_rules(call)),
        "documents": list(call.documents.all()),
        "criteria": criteria,
        "criteria_total": sum(c.weight for c in criteria),
        # The proposals app serves the form; the link shows only while proposals are taken.
        "can_apply": phase == CallPhase.OPEN,
    }
    context |= _call_management(request, call)
    return render(request, "programs/call_detail.html", context)


# ---------------------------------------------------------------- agencies running their calls


def _managed_call(request: HttpRequest, pk: int) -> Call:
    """The call if the user is staff of the agency running it; otherwise 404 (audited)."""
    call = visible_call(request.user, pk, request=request)
    if not is_call_agency_staff(request.user, call):
        deny(request, call)
    return call


def _staff_agencies(request: HttpRequest, program: Program) -> list[Organisation]:
    return list(program.agencies.filter(pk__in=staff_agency_ids(request.user)).order_by("code"))


def _formsets(data: Any, call: Call | None = None) -> tuple[forms.BaseFormSet, forms.BaseFormSet]:
    """The documents and criteria rows; a POST naming ``add_<rows>`` gets one more row."""
    initial_docs = initial_crits = None
    if call is not None:
        initial_docs = [
            {f: getattr(d, f) for f in ("code", "name_ja", "name_en", "required")}
            for d in call.documents.order_by("order", "id")
        ]
        initial_crits = [
            {f: getattr(c, f) for f in ("code", "name_ja", "name_en", "weight")}
            for c in call.criteria.order_by("order", "id")
        ]
    if data is not None:
        data = data.copy()
        for prefix in (DOCUMENTS_PREFIX, CRITERIA_PREFIX):
            if f"add_{prefix}" in data:
                total = f"{prefix}-TOTAL_FORMS"
                data[total] = str(int(data.get(total) or 0) + 1)
    return (
        DocumentFormSet(data, prefix=DOCUMENTS_PREFIX, initial=initial_docs),
        CriterionFormSet(data, prefix=CRITERIA_PREFIX, initial=initial_crits),
    )


def _add_service_errors(
    exc: ValidationError,
    form: CallForm,
    documents: forms.BaseFormSet,
    criteria: forms.BaseFormSet,
    doc_rows: list[int],
    crit_rows: list[int],
) -> list[str]:
    """Put each service error on its field or row; returns those that belong to no field
    (the eligibility as a whole, the sum of the weights)."""
    loose: list[str] = []
    for key, errors in exc.message_dict.items():
        head, _dot, rest = key.partition(".")
        if head in (DOCUMENTS_PREFIX, CRITERIA_PREFIX) and rest:
            formset, positions = (
                (documents, doc_rows) if head == DOCUMENTS_PREFIX else (criteria, crit_rows)
            )
            index, _dot, name = rest.partition(".")
            row = formset.forms[positions[int(index)]]
            for message in errors:
                row.add_error(name if name in row.fields else None, message)
        elif key in form.fields and key != "eligibility":
            for message in errors:
                form.add_error(key, message)
        else:
            loose.extend(errors)
    return loose


def _render_call_form(
    request: HttpRequest, context: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    form = context["form"]
    context |= {
        "text_fields": form.bound(("agency", *CALL_TEXT_FIELDS)),
        "term_fields": form.bound(CALL_TERM_FIELDS),
        "eligibility_fields": form.bound(form.eligibility_field_names()),
        "program_rules_in_words": rules_in_words(form.rules),
    }
    return render(request, "programs/call_form.html", context, status=status)


def _save_call_form(
    request: HttpRequest, program: Program, agencies: list[Organisation], call: Call | None
) -> HttpResponse:
    form = CallForm(request.POST, program=program, agencies=agencies)
    documents, criteria = _formsets(request.POST)
    context: dict[str, Any] = {
        "form": form,
        "documents": documents,
        "criteria": criteria,
        "program": program,
        "call": call,
    }
    if any(f"add_{p}" in request.POST for p in (DOCUMENTS_PREFIX, CRITERIA_PREFIX)):
        # Adding a row saves nothing: the page comes back with the new row to fill in.
        return _render_call_form(request, context)
    if not (form.is_valid() & documents.is_valid() & criteria.is_valid()):
        return _render_call_form(request, context, status=422)
    docs, crits = kept_rows(documents), kept_rows(criteria)
    doc_values = [row | {"order": n} for n, (_i, row) in enumerate(docs)]
    crit_values = [row | {"order": n} for n, (_i, row) in enumerate(crits)]
    agency = next(a for a in agencies if a.code == form.cleaned_data["agency"])
    try:
        if call is None:
            call = create_call(
                actor=request.user,
                program=program,
                agency=agency,
                documents=doc_values,
                criteria=crit_values,
                **form.call_fields(),
            )
        else:
            call = update_call(
                call,
                actor=request.user,
                agency=agency,
                documents=doc_values,
                criteria=crit_values,
                **form.call_fields(),
            )
    except ValidationError as exc:
        context["loose_errors"] = _add_service_errors(
            exc, form, documents, criteria, [i for i, _r in docs], [i for i, _r in crits]
        )
        return _render_call_form(request, context, status=422)
    return redirect("calls:detail", call.pk)


def call_new(request: HttpRequest) -> HttpResponse:
    """Draft a call: first the program (its rules shape the form), then the call."""
    programs = list(programs_for_new_call(request.user))
    if not programs:
        deny(request, what="calls:new")
    code = request.GET.get("program", "")
    program = next((p for p in programs if p.code == code), None)
    if program is None:
        context = {"programs": programs, "unknown": bool(code)}
        return render(
            request, "programs/call_choose_program.html", context, status=422 if code else 200
        )
    agencies = _staff_agencies(request, program)
    if request.method == "POST":
        return _save_call_form(request, program, agencies, None)
    form = CallForm(program=program, agencies=agencies)
    documents, criteria = _formsets(None)
    context = {"form": form, "documents": documents, "criteria": criteria, "program": program}
    return _render_call_form(request, context | {"call": None})


def call_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """A draft changes in full; an open call only takes a later closing time."""
    call = _managed_call(request, pk)
    if call.status == CallStatus.OPEN:
        return _extend_deadline(request, call)
    decision = check_call_editable(call.status, call_code=call.code)
    if not decision.allowed:
        raise Refused(decision)
    program = call.program
    agencies = _staff_agencies(request, program)
    if request.method == "POST":
        return _save_call_form(request, program, agencies, call)
    initial = {n: getattr(call, n) for n in (*CALL_TEXT_FIELDS, *CALL_TERM_FIELDS)}
    initial |= {"agency": call.agency.code, "topic": call.topic.code if call.topic else ""}
    initial |= choices_from_eligibility(program_rules(program.rules), call.eligibility)
    form = CallForm(program=program, agencies=agencies, initial=initial)
    documents, criteria = _formsets(None, call)
    context = {
        "form": form,
        "documents": documents,
        "criteria": criteria,
        "program": program,
        "call": call,
    }
    return _render_call_form(request, context)


def _extend_deadline(request: HttpRequest, call: Call) -> HttpResponse:
    form = DeadlineForm(request.POST or None, initial={"closes_at": call.closes_at})
    context = {"form": form, "call": call}
    if request.method != "POST":
        return render(request, "programs/call_deadline.html", context)
    if not form.is_valid():
        return render(request, "programs/call_deadline.html", context, status=422)
    extend_call_deadline(call, actor=request.user, closes_at=form.cleaned_data["closes_at"])
    return redirect("calls:detail", call.pk)


def _confirm_move(request: HttpRequest, pk: int, *, target: str) -> HttpResponse:
    """GET asks for confirmation, POST (with its CSRF token) makes the change."""
    call = _managed_call(request, pk)
    if request.method == "POST":
        move = open_call if target == CallStatus.OPEN else close_call
        move(call, actor=request.user)
        return redirect("calls:detail", call.pk)
    context = {"call": call, "target": target}
    return render(request, "programs/call_confirm.html", context)


def call_open(request: HttpRequest, pk: int) -> HttpResponse:
    return _confirm_move(request, pk, target=CallStatus.OPEN)


def call_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _confirm_move(request, pk, target=CallStatus.CLOSED)


def _own_calls_section(request: HttpRequest, now: Any) -> dict[str, Any]:
    """The agency's own calls, drafts included, above the public list (staff only)."""
    own = [
        {"call": c, "phase": CallPhase(call_phase(c.status, c.opens_at, c.closes_at, now))}
        for c in own_agency_calls(request.user)
    ]
    return {
        "own_rows": own,
        "may_draft_call": programs_for_new_call(request.user).exists(),
    }


def _call_management(request: HttpRequest, call: Call) -> dict[str, Any]:
    """What the call page offers its agency: edit, open, close, the statistics."""
    manages = is_call_agency_staff(request.user, call)
    return {
        "manages_call": manages,
        "may_open_call": manages and call.status == CallStatus.DRAFT,
        "may_close_call": manages and call.status == CallStatus.OPEN,
        "may_edit_call": manages and call.status in (CallStatus.DRAFT, CallStatus.OPEN),
        # Served by the proposals app (it reads the proposals); linked by URL name only.
        "may_see_statistics": call.status != CallStatus.DRAFT
        and may_see_call_statistics(request.user, call),
    }
