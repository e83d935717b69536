"""Agencies drafting, changing, opening and closing their calls on the web:
the form's validation, the rows, Japan time, permissions and the audit trail."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext

from openrd.accounts.models import Role
from openrd.accounts.tests.factories import UserFactory
from openrd.core.fiscal import fiscal_year_of, to_tokyo
from openrd.core.models import AuditEntry
from openrd.programs.models import Call, CallStatus
from openrd.programs.services.calls import open_call
from openrd.programs.tests.call_data import agency_staff, make_call

pytestmark = pytest.mark.django_db

NEW = "/ja/calls/new/?program=sbir"


def ja(msgid):
    with translation.override("ja"):
        return gettext(msgid)


def form_data(**overrides):
    """A complete SBIR call as the form posts it: one document, two criteria."""
    opens = to_tokyo(timezone.now()) + timedelta(days=1)
    fy = fiscal_year_of(opens)
    data = {
        "agency": "nedo",
        "code": "sbir-web-01",
        "title_ja": "SBIR ウェブ公募",
        "title_en": "SBIR web call",
        "summary_ja": "",
        "summary_en": "",
        "topic": "",
        "fiscal_year": str(fy),
        "opens_at": opens.strftime("%Y-%m-%dT10:00"),
        "closes_at": (opens + timedelta(days=30)).strftime("%Y-%m-%dT12:00:00"),
        "first_budget_year": str(fy),
        "last_budget_year": str(fy + 1),
        "total_budget_yen": "300,000,000",
        "cap_per_proposal_yen": "20000000",
        "eligible_org_kinds": ["startup", "company"],
        "phases": ["phase1", "phase2", "phase3"],
        "max_duration_years": "",
        "max_years_since_founding": "15",
        "founding_limit_in_principle": "on",
        "documents-TOTAL_FORMS": "1",
        "documents-INITIAL_FORMS": "0",
        "documents-0-code": "plan",
        "documents-0-name_ja": "研究計画書",
        "documents-0-name_en": "Research plan",
        "documents-0-required": "on",
        "criteria-TOTAL_FORMS": "2",
        "criteria-INITIAL_FORMS": "0",
        "criteria-0-code": "novelty",
        "criteria-0-name_ja": "新規性",
        "criteria-0-weight": "70",
        "criteria-1-code": "team",
        "criteria-1-name_ja": "実施体制",
        "criteria-1-weight": "30",
    }
    for key, value in overrides.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


@pytest.fixture
def nedo(client, loaded_programs):
    client.force_login(agency_staff("nedo"))
    return client


def test_staff_create_a_draft_with_its_rows_and_an_audit_entry(nedo):
    response = nedo.post(NEW, form_data())
    call = Call.objects.get(code="sbir-web-01")
    assert response.status_code == 302
    assert response["Location"] == f"/ja/calls/{call.pk}/"
    assert call.status == CallStatus.DRAFT
    assert call.agency.code == "nedo"
    assert call.program.code == "sbir"
    assert call.total_budget_yen == 300_000_000
    assert [d.code for d in call.documents.all()] == ["plan"]
    assert [(c.code, c.weight) for c in call.criteria.order_by("order")] == [
        ("novelty", 70),
        ("team", 30),
    ]
    assert call.eligibility == {}  # the program's own rules, nothing narrowed
    entry = AuditEntry.objects.get(action="programs.call.created", object_id=str(call.pk))
    assert entry.after["criteria"][0]["code"] == "novelty"


def test_the_window_is_typed_in_japan_time_stored_in_utc_and_shown_back(nedo):
    data = form_data(
        opens_at="2030-04-01T09:00",
        closes_at="2030-05-31T23:59:59",
        fiscal_year="2030",
        first_budget_year="2030",
        last_budget_year="2031",
    )
    assert nedo.post(NEW, data).status_code == 302
    call = Call.objects.get(code="sbir-web-01")
    assert call.opens_at.isoformat() == "2030-04-01T00:00:00+00:00"
    assert call.closes_at.isoformat() == "2030-05-31T14:59:59+00:00"
    page = nedo.get(f"/ja/calls/{call.pk}/edit/").content.decode()
    assert 'value="2030-04-01T09:00"' in page
    assert 'value="2030-05-31T23:59:59"' in page


def test_tightened_eligibility_is_stored_and_read_back(nedo):
    data = form_data(
        eligible_org_kinds=["startup"],
        phases=["phase1"],
        max_years_since_founding="10",
        founding_limit_in_principle=None,
    )
    assert nedo.post(NEW, data).status_code == 302
    call = Call.objects.get(code="sbir-web-01")
    assert call.eligibility == {
        "eligible_org_kinds": ["startup"],
        "phases": ["phase1"],
        "max_years_since_founding": 10,
        "founding_limit_in_principle": False,
    }
    page = nedo.get(f"/ja/calls/{call.pk}/edit/").content.decode()
    assert 'value="startup" id="id_eligible_org_kinds_0" checked' in page
    assert 'value="company" id="id_eligible_org_kinds_1" checked' not in page


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("eligible_org_kinds", ["startup", "university"]),
        ("phases", ["phase1", "phase9"]),
        ("max_years_since_founding", "20"),
    ],
)
def test_a_looser_eligibility_is_refused_on_its_field_and_nothing_saved(nedo, field, value):
    response = nedo.post(NEW, form_data(**{field: value}))
    assert response.status_code == 422
    assert field in response.context["form"].errors
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not Call.objects.exists()
    assert not AuditEntry.objects.filter(action="programs.call.created").exists()


def test_a_requirement_the_program_sets_cannot_be_lifted_by_leaving_it_unticked(nedo):
    # sme_required and stage_gates are shown ticked and disabled: the posted value is ignored.
    assert nedo.post(NEW, form_data()).status_code == 302
    page = nedo.get(f"/ja/calls/{Call.objects.get().pk}/edit/").content.decode()
    box = re.search(r'<input type="checkbox" name="sme_required"[^>]*>', page).group(0)
    assert " disabled" in box
    assert " checked" in box


def test_the_message_is_in_the_users_language(nedo):
    data = form_data(max_years_since_founding="20")
    ja_error = nedo.post(NEW, data).context["form"].errors["max_years_since_founding"][0]
    en_error = (
        nedo.post(NEW.replace("/ja/", "/en/"), data)
        .context["form"]
        .errors["max_years_since_founding"][0]
    )
    assert en_error == "A call can only lower this limit; the program allows at most 15."
    with translation.override("ja"):
        expected = gettext(
            "A call can only lower this limit; the program allows at most %(limit)d."
        ) % {"limit": 15}
    assert ja_error == expected


def test_service_rules_land_on_their_fields_and_rows(nedo):
    data = form_data(
        cap_per_proposal_yen="400000000",
        **{"criteria-1-weight": "20", "documents-0-code": "Bad Code"},
    )
    response = nedo.post(NEW, data)
    assert response.status_code == 422
    assert "documents-0-code" in response.content.decode()
    assert response.context["documents"].forms[0].errors["code"]
    data = form_data(cap_per_proposal_yen="400000000", **{"criteria-1-weight": "20"})
    response = nedo.post(NEW, data)
    assert response.status_code == 422
    assert "cap_per_proposal_yen" in response.context["form"].errors
    assert any("100" in e for e in response.context["loose_errors"])
    assert not Call.objects.exists()


def test_a_row_is_added_without_saving_and_removed_by_its_checkbox(nedo):
    response = nedo.post(NEW, form_data(add_documents="1"))
    assert response.status_code == 200
    assert len(response.context["documents"].forms) == 2
    assert 'name="documents-1-code"' in response.content.decode()
    assert not Call.objects.exists()
    data = form_data(
        **{
            "documents-TOTAL_FORMS": "2",
            "documents-1-code": "letter",
            "documents-1-name_ja": "支援表明書",
            "documents-0-DELETE": "on",
        }
    )
    assert nedo.post(NEW, data).status_code == 302
    assert [d.code for d in Call.objects.get().documents.all()] == ["letter"]


def test_a_draft_is_edited_with_before_and_after_in_the_audit(nedo):
    nedo.post(NEW, form_data())
    call = Call.objects.get()
    data = form_data(
        title_ja="改題した公募",
        **{"criteria-TOTAL_FORMS": "1", "criteria-0-weight": "100", "criteria-1-code": None},
    )
    assert nedo.post(f"/ja/calls/{call.pk}/edit/", data).status_code == 302
    call.refresh_from_db()
    assert call.title_ja == "改題した公募"
    assert [c.code for c in call.criteria.all()] == ["novelty"]
    entry = AuditEntry.objects.get(action="programs.call.updated", object_id=str(call.pk))
    assert entry.before["title_ja"] == "SBIR ウェブ公募"
    assert entry.after["title_ja"] == "改題した公募"


def test_the_program_must_be_one_the_agency_runs(nedo):
    response = nedo.get("/ja/calls/new/?program=moonshot-unknown")
    assert response.status_code == 422
    assert nedo.get("/ja/calls/new/").status_code == 200


@pytest.mark.parametrize("who", ["other_agency", "researcher", "visitor"])
def test_others_get_404_and_the_attempt_is_audited(client, loaded_programs, who):
    call = make_call(code="ms-draft")  # a JST call
    public = make_call(code="ms-open")
    open_call(public, actor=None)
    if who == "other_agency":
        client.force_login(agency_staff("nedo"))
    elif who == "researcher":
        client.force_login(UserFactory(roles=[Role.RESEARCHER]))
    for target in (call, public):
        for action in ("edit", "open", "close"):
            assert client.get(f"/ja/calls/{target.pk}/{action}/").status_code == 404
            assert client.post(f"/ja/calls/{target.pk}/{action}/").status_code == 404
        assert AuditEntry.objects.filter(action="access.denied", object_id=str(target.pk)).exists()
    if who != "other_agency":  # NEDO runs Moonshot calls of its own
        assert client.get("/ja/calls/new/?program=moonshot").status_code == 404
    assert Call.objects.get(pk=call.pk).status == CallStatus.DRAFT


def test_open_then_close_through_the_page_with_confirmation_and_audit(client, loaded_programs):
    staff = agency_staff("jst")
    client.force_login(staff)
    call = make_call(code="ms-web", closes_at=timezone.now() + timedelta(days=5))
    detail = client.get(f"/ja/calls/{call.pk}/").content.decode()
    assert f'href="/ja/calls/{call.pk}/open/"' in detail
    confirm = client.get(f"/ja/calls/{call.pk}/open/")
    assert confirm.status_code == 200
    assert 'name="csrfmiddlewaretoken"' in confirm.content.decode()
    call.refresh_from_db()
    assert call.status == CallStatus.DRAFT  # asking is not doing
    assert client.post(f"/ja/calls/{call.pk}/open/").status_code == 302
    call.refresh_from_db()
    assert call.status == CallStatus.OPEN
    detail = client.get(f"/ja/calls/{call.pk}/").content.decode()
    assert f'href="/ja/calls/{call.pk}/close/"' in detail
    assert client.post(f"/ja/calls/{call.pk}/close/").status_code == 302
    call.refresh_from_db()
    assert call.status == CallStatus.CLOSED
    actions = list(
        AuditEntry.objects.filter(object_id=str(call.pk), action__startswith="programs.call.")
        .order_by("id")
        .values_list("action", "actor_id")
    )
    assert actions == [
        ("programs.call.created", None),
        ("programs.call.opened", staff.pk),
        ("programs.call.closed", staff.pk),
    ]
    # Closed is final: opening again is refused with the reason (409), nothing written.
    assert client.post(f"/ja/calls/{call.pk}/open/").status_code == 409


def test_the_open_form_needs_its_csrf_token(loaded_programs):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(agency_staff("jst"))
    call = make_call(code="ms-csrf")
    assert client.post(f"/ja/calls/{call.pk}/open/").status_code == 403
    call.refresh_from_db()
    assert call.status == CallStatus.DRAFT


def test_an_open_call_only_takes_a_later_closing_time(client, loaded_programs):
    client.force_login(agency_staff("jst"))
    call = make_call(code="ms-open")
    open_call(call, actor=None)
    page = client.get(f"/ja/calls/{call.pk}/edit/")
    assert page.status_code == 200
    assert 'name="title_ja"' not in page.content.decode()
    later = to_tokyo(call.closes_at + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M:%S")
    assert client.post(f"/ja/calls/{call.pk}/edit/", {"closes_at": later}).status_code == 302
    extended = Call.objects.get(pk=call.pk)
    assert extended.closes_at == call.closes_at + timedelta(days=7)
    entry = AuditEntry.objects.get(action="programs.call.deadline_extended")
    assert entry.before["closes_at"] != entry.after["closes_at"]
    earlier = to_tokyo(call.closes_at - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S")
    assert client.post(f"/ja/calls/{call.pk}/edit/", {"closes_at": earlier}).status_code == 409
    assert Call.objects.get(pk=call.pk).closes_at == extended.closes_at


def test_the_list_shows_own_drafts_to_staff_and_never_to_the_public(client, loaded_programs):
    make_call(code="ms-draft", title_ja="準備中の自機関公募")
    heading = ja("Your agency's calls (drafts included)")
    assert "準備中の自機関公募" not in client.get("/ja/calls/").content.decode()
    client.force_login(agency_staff("nedo"))
    page = client.get("/ja/calls/").content.decode()
    assert "準備中の自機関公募" not in page
    assert heading in page  # nedo may draft calls of its own
    client.force_login(agency_staff("jst"))
    page = client.get("/ja/calls/").content.decode()
    assert heading in page
    section = page.split(heading, 1)[1].split("end of the agency", 1)[0]
    assert "準備中の自機関公募" in section
    client.force_login(UserFactory(roles=[Role.RESEARCHER]))
    page = client.get("/ja/calls/").content.decode()
    assert "準備中の自機関公募" not in page
    assert heading not in page
