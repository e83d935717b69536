from dataclasses import replace
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import translation

from openrd.accounts.models import Organisation
from openrd.core.models import AuditEntry
from openrd.core.refusals import Refused
from openrd.programs.models import Call, CallCriterion, CallDocument, Program, ProgramElement
from openrd.programs.preset_files import read_presets
from openrd.programs.queries import CallFilters, public_calls, visible_call
from openrd.programs.services import (
    PresetConflict,
    close_call,
    create_call,
    load_preset,
    open_call,
    update_call,
)
from openrd.programs.tests.call_data import (
    CRITERIA,
    agency_staff,
    call_fields,
    command_tower_admin,
    make_call,
)

pytestmark = pytest.mark.django_db


def _errors(excinfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


def test_create_call_saves_a_draft_with_documents_criteria_and_an_audit_entry(loaded_programs):
    staff = agency_staff("jst")
    call = make_call(actor=staff)
    assert call.status == "draft"
    assert [d.code for d in call.documents.order_by("order")] == [
        "research-plan",
        "budget-sheet",
        "letter",
    ]
    assert call.documents.get(code="letter").required is False
    assert sum(c.weight for c in call.criteria.all()) == 100
    entry = AuditEntry.objects.get(action="programs.call.created")
    assert (entry.actor, entry.object_id) == (staff, str(call.pk))
    assert entry.after["code"] == "ms-goal-6-test"
    assert [c["weight"] for c in entry.after["criteria"]] == [60, 40]


def _refused(**overrides):
    with pytest.raises(ValidationError) as excinfo:
        make_call(**overrides)
    assert not Call.objects.exists()
    assert not CallDocument.objects.exists()
    assert not CallCriterion.objects.exists()
    assert not AuditEntry.objects.filter(action="programs.call.created").exists()
    return _errors(excinfo)


def test_criteria_weights_not_adding_up_to_100_save_nothing(loaded_programs):
    criteria = [CRITERIA[0], CRITERIA[1] | {"weight": 39}]
    with translation.override("en"):
        errors = _refused(criteria=criteria)
    assert errors == {
        "criteria": ["The weights of the review criteria must add up to 100 (now 99)."]
    }


def test_no_criteria_at_all_is_refused(loaded_programs):
    assert "criteria" in _refused(criteria=[])


def test_closing_before_or_at_the_opening_is_a_field_error(loaded_programs):
    opens_at = call_fields()["opens_at"]
    assert set(_refused(closes_at=opens_at)) == {"closes_at"}
    assert set(_refused(closes_at=opens_at - timedelta(seconds=1))) == {"closes_at"}


def test_a_naive_datetime_is_a_field_error(loaded_programs):
    naive = call_fields()["opens_at"].replace(tzinfo=None)
    with translation.override("en"):
        errors = _refused(opens_at=naive)
    assert errors == {"opens_at": ["Enter a date and time with its time zone."]}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"cap_per_proposal_yen": -1}, "cap_per_proposal_yen"),
        ({"total_budget_yen": -1, "cap_per_proposal_yen": 0}, "total_budget_yen"),
        ({"cap_per_proposal_yen": 12_000_000_001}, "cap_per_proposal_yen"),
        ({"fiscal_year": 1800}, "fiscal_year"),
        ({"title_ja": "公募\u202e名"}, "title_ja"),
        ({"title_en": "Call\u200b name"}, "title_en"),
    ],
)
def test_amounts_and_years_are_checked_per_field(loaded_programs, overrides, field):
    assert field in _refused(**overrides)


def test_budget_years_must_be_in_order_and_not_before_the_calls_year(loaded_programs):
    fy = call_fields()["fiscal_year"]
    assert set(_refused(first_budget_year=fy + 2, last_budget_year=fy + 1)) == {"last_budget_year"}
    assert set(_refused(first_budget_year=fy - 1)) == {"first_budget_year"}


def test_budget_years_beyond_the_calls_duration_limit_are_refused(loaded_programs):
    fy = call_fields()["fiscal_year"]
    # The call allows 5 years (fy .. fy+4): a sixth budget year is one too many.
    with translation.override("en"):
        errors = _refused(last_budget_year=fy + 5)
    assert errors == {"last_budget_year": ["Support lasts at most 5 years."]}


def test_eligibility_that_loosens_the_program_is_a_field_error_naming_the_rule(loaded_programs):
    errors = _refused(eligibility={"max_duration_years": 11})
    assert list(errors) == ["eligibility"]
    assert "max_duration_years" in errors["eligibility"][0]


def test_agency_must_run_the_program_and_topic_must_belong_to_it(loaded_programs):
    nedo_sbir = ProgramElement.objects.get(program__code="sbir", code="phase1")
    errors = _refused(agency=Organisation.objects.get(code="jsps"), topic=nedo_sbir)
    assert set(errors) == {"agency", "topic"}


def test_a_topic_must_be_a_goal_theme_topic_or_phase(loaded_programs):
    measure = ProgramElement.objects.get(program__code="moonshot", code="stage-gate")
    assert set(_refused(topic=measure)) == {"topic"}


def test_presenting_ministry_must_be_a_ministry(loaded_programs):
    assert set(_refused(presenting_ministry=Organisation.objects.get(code="jst"))) == {
        "presenting_ministry"
    }
    assert make_call(presenting_ministry=Organisation.objects.get(code="mext")).pk


def test_document_errors_name_the_position_and_repeated_codes_are_refused(loaded_programs):
    documents = [
        {"code": "plan", "name_ja": "計画書"},
        {"code": "plan", "name_ja": ""},
        {"code": "x", "name_ja": "x", "colour": "red"},
    ]
    errors = _refused(documents=documents)
    assert set(errors) == {"documents.1.code", "documents.1.name_ja", "documents.2.colour"}


def test_unknown_fields_are_refused(loaded_programs):
    assert set(_refused(status="open")) == {"status"}


def test_a_duplicate_code_is_a_field_error(loaded_programs):
    make_call()
    with pytest.raises(ValidationError) as excinfo:
        make_call()
    assert set(_errors(excinfo)) == {"code"}
    assert Call.objects.count() == 1


def test_the_database_refuses_a_cap_over_the_total_even_without_the_service(loaded_programs):
    call = make_call()
    with pytest.raises(IntegrityError), transaction.atomic():
        Call.objects.filter(pk=call.pk).update(cap_per_proposal_yen=call.total_budget_yen + 1)


def test_the_database_refuses_closing_before_opening(loaded_programs):
    call = make_call()
    with pytest.raises(IntegrityError), transaction.atomic():
        Call.objects.filter(pk=call.pk).update(closes_at=call.opens_at)


# ---------------------------------------------------------------- transitions


def test_open_then_close_is_audited_with_the_state_before_and_after(loaded_programs):
    staff = agency_staff("jst")
    call = make_call()
    open_call(call, actor=staff)
    close_call(call, actor=staff)
    call.refresh_from_db()
    assert call.status == "closed"
    opened = AuditEntry.objects.get(action="programs.call.opened")
    closed = AuditEntry.objects.get(action="programs.call.closed")
    assert (opened.before["status"], opened.after["status"]) == ("draft", "open")
    assert (closed.before["status"], closed.after["status"]) == ("open", "closed")
    assert closed.actor == staff


def test_a_closed_call_cannot_be_opened_again(loaded_programs):
    call = make_call()
    open_call(call, actor=None)
    close_call(call, actor=None)
    with pytest.raises(Refused) as excinfo:
        open_call(call, actor=None)
    assert excinfo.value.decision.codes() == ["call.transition_not_allowed"]
    assert Call.objects.get().status == "closed"
    assert AuditEntry.objects.filter(action="programs.call.opened").count() == 1


def test_a_draft_cannot_be_closed_and_an_open_call_not_opened_twice(loaded_programs):
    call = make_call()
    with pytest.raises(Refused):
        close_call(call, actor=None)
    open_call(call, actor=None)
    with pytest.raises(Refused):
        open_call(call, actor=None)


def test_a_draft_past_its_closing_time_cannot_be_opened(loaded_programs):
    call = make_call()
    with pytest.raises(Refused) as excinfo:
        open_call(call, actor=None, now=call.closes_at + timedelta(seconds=1))
    assert excinfo.value.decision.codes() == ["call.closing_time_passed"]


def test_a_stale_copy_cannot_reopen_a_call_closed_meanwhile(loaded_programs):
    call = make_call()
    open_call(call, actor=None)
    stale = Call.objects.get(pk=call.pk)
    close_call(call, actor=None)
    with pytest.raises(Refused):
        close_call(stale, actor=None)


# ---------------------------------------------------------------- editing


def test_a_draft_can_be_edited_and_the_change_is_audited(loaded_programs):
    call = make_call()
    criteria = [{"code": "all", "name_ja": "総合評価", "weight": 100}]
    updated = update_call(call, actor=None, title_ja="新しい題名", criteria=criteria)
    assert updated.title_ja == "新しい題名"
    assert list(updated.criteria.values_list("code", flat=True)) == ["all"]
    # Documents were not given, so they are kept.
    assert updated.documents.count() == 3
    entry = AuditEntry.objects.get(action="programs.call.updated")
    assert (entry.before["title_ja"], entry.after["title_ja"]) == (
        "ムーンショット目標6 公募",
        "新しい題名",
    )


def test_an_open_call_cannot_be_edited(loaded_programs):
    call = make_call()
    open_call(call, actor=None)
    with pytest.raises(Refused) as excinfo:
        update_call(call, actor=None, title_ja="変更")
    assert excinfo.value.decision.codes() == ["call.not_editable"]
    assert Call.objects.get().title_ja == "ムーンショット目標6 公募"
    assert not AuditEntry.objects.filter(action="programs.call.updated").exists()


def test_an_invalid_edit_changes_nothing(loaded_programs):
    call = make_call()
    with pytest.raises(ValidationError) as excinfo:
        update_call(call, actor=None, title_ja="変更", criteria=[CRITERIA[0]])
    assert set(_errors(excinfo)) == {"criteria"}
    call.refresh_from_db()
    assert call.title_ja == "ムーンショット目標6 公募"
    assert call.criteria.count() == 2


# ---------------------------------------------------------------- presets and calls


def test_a_preset_change_keeps_the_topic_of_existing_calls(loaded_programs):
    call = make_call()
    topic_pk = call.topic.pk
    spec = next(s for s in read_presets() if s.code == "moonshot")
    Program.objects.filter(code="moonshot").update(preset_digest="stale")
    _program, changed = load_preset(spec)
    assert changed is True
    call.refresh_from_db()
    assert call.topic_id == topic_pk
    assert call.topic.code == "goal-6"


def test_a_preset_that_drops_a_called_topic_is_refused(loaded_programs):
    make_call()
    spec = next(s for s in read_presets() if s.code == "moonshot")
    without_goal_6 = [e for e in spec.elements if e.code != "goal-6" and e.parent != "goal-6"]
    shrunk = replace(spec, elements=without_goal_6, digest="changed")
    with pytest.raises(PresetConflict, match="goal-6"):
        load_preset(shrunk)
    assert ProgramElement.objects.filter(program__code="moonshot", code="goal-6").exists()


def test_create_call_validates_the_tightening_against_the_programs_rules(loaded_programs):
    # SBIR limits founding to 15 years; a call may say 10 but not 20.
    sbir = ProgramElement.objects.get(program__code="sbir", code="phase1")
    base = {
        "program": sbir.program,
        "topic": sbir,
        "agency": Organisation.objects.get(code="nedo"),
        "code": "sbir-test",
        "eligibility": {"max_years_since_founding": 10, "eligible_org_kinds": ["startup"]},
    }
    fields = call_fields(**base)
    fields["last_budget_year"] = fields["first_budget_year"]
    assert create_call(actor=None, **fields).eligibility["max_years_since_founding"] == 10
    fields = call_fields(**base | {"code": "sbir-test-2"})
    fields["eligibility"] = {"max_years_since_founding": 20}
    with pytest.raises(ValidationError) as excinfo:
        create_call(actor=None, **fields)
    assert list(_errors(excinfo)) == ["eligibility"]


# ---------------------------------------------------------------- reading


def test_public_calls_filter_by_the_window_to_the_second(loaded_programs):
    call = make_call()
    open_call(call, actor=None)
    deadline = call.closes_at

    def listed(status, now):
        return list(public_calls(CallFilters(status=status), now=now))

    assert listed("open", deadline + timedelta(microseconds=999_999)) == [call]
    assert listed("closed", deadline + timedelta(microseconds=999_999)) == []
    assert listed("open", deadline + timedelta(seconds=1)) == []
    assert listed("closed", deadline + timedelta(seconds=1)) == [call]
    assert listed("upcoming", call.opens_at - timedelta(seconds=1)) == [call]
    assert listed("open", call.opens_at) == [call]


def test_drafts_are_visible_only_to_those_who_manage_them(loaded_programs):
    draft = make_call()
    assert list(public_calls()) == []
    assert visible_call(agency_staff("jst"), draft.pk) == draft
    assert visible_call(command_tower_admin(), draft.pk) == draft
    with pytest.raises(Http404):
        visible_call(agency_staff("nedo"), draft.pk)
    with pytest.raises(Http404):
        visible_call(AnonymousUser(), draft.pk)
    assert AuditEntry.objects.filter(action="access.denied").count() == 2


def test_manage_call_permission(loaded_programs):
    call = make_call()
    jst, nedo, admin = agency_staff("jst"), agency_staff("nedo"), command_tower_admin()
    assert jst.has_perm("programs.manage_call", call)
    assert admin.has_perm("programs.manage_call", call)
    # NEDO runs Moonshot too, but this call is JST's.
    assert not nedo.has_perm("programs.manage_call", call)
    assert nedo.has_perm("programs.manage_call", call.program)
    assert not agency_staff("jsps").has_perm("programs.manage_call", call.program)
    assert not AnonymousUser().has_perm("programs.manage_call", call)
    jst.is_active = False
    assert not jst.has_perm("programs.manage_call", call)


def test_view_call_permission(loaded_programs):
    call = make_call()
    assert not AnonymousUser().has_perm("programs.view_call", call)
    assert agency_staff("jst").has_perm("programs.view_call", call)
    open_call(call, actor=None)
    assert AnonymousUser().has_perm("programs.view_call", call)
