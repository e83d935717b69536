import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from openrd.core.models import AuditEntry
from openrd.proposals import services
from openrd.proposals.models import Proposal, ProposalStatus, ProposalVersion
from openrd.proposals.tests.conftest import PDF, disclose_and_pledge

pytestmark = pytest.mark.django_db


@pytest.fixture
def editing(client, world):
    client.force_login(world.applicant)
    response = client.post("/ja/proposals/new/", {"call": world.call.pk})
    assert response.status_code == 302
    return Proposal.objects.get()


def form(p, **fields):
    return {
        "revision": p.revision,
        "submission_key": "k",
        "title_ja": "",
        "title_en": "",
        "abstract_ja": "",
        "abstract_en": "",
        "effort_percent": "",
        "budget_2026": "",
        "budget_2027": "",
    } | fields


def pdf(name="plan.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_new_proposal_page_shows_the_call_and_its_deadline(client, world):
    client.force_login(world.applicant)
    page = client.get(f"/ja/proposals/new/?call={world.call.pk}").content.decode()
    assert "SBIRフェーズ1 テスト公募" in page
    assert "（日本時間）" in page


@pytest.mark.parametrize("raw", ["²", "①", "١", "1e3", "-1", "", "9" * 30])
def test_a_call_number_that_is_not_ascii_digits_is_404_not_a_crash(client, world, raw):
    client.force_login(world.applicant)
    assert client.get("/ja/proposals/new/", {"call": raw}).status_code == 404


def test_pressing_apply_twice_offers_the_existing_draft_instead_of_a_second(client, editing, world):
    page = client.get(f"/ja/proposals/new/?call={world.call.pk}").content.decode()
    assert f'href="/ja/proposals/{editing.pk}/"' in page
    again = client.post("/ja/proposals/new/", {"call": world.call.pk})
    assert again.status_code == 302
    assert again["Location"] == f"/ja/proposals/{editing.pk}/"
    assert Proposal.objects.count() == 1
    another = client.post("/ja/proposals/new/", {"call": world.call.pk, "another": "1"})
    assert another.status_code == 302
    assert Proposal.objects.count() == 2


def test_save_and_submit_with_gaps_is_409_with_every_reason_and_keeps_the_text(client, editing):
    response = client.post(f"/ja/proposals/{editing.pk}/submit/", form(editing, title_ja="新題名"))
    assert response.status_code == 409
    page = response.content.decode()
    for code in ("budget.missing", "effort.out_of_range", "document.missing.plan"):
        assert f'data-code="{code}"' in page
    assert 'value="新題名"' in page
    editing.refresh_from_db()
    assert editing.title_ja == "新題名"
    assert not ProposalVersion.objects.exists()


def test_one_bad_field_keeps_the_rest_saved_and_marks_the_bad_one(client, editing):
    response = client.post(
        f"/ja/proposals/{editing.pk}/save/",
        form(editing, title_ja="新題名", budget_2026="-100", effort_percent="150"),
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert (
        '<p class="field__error" id="id_budget_2026_error">金額に負の値は入力できません。' in page
    )
    assert 'aria-describedby="id_budget_2026_error"' in page
    assert 'aria-invalid="true"' in page
    assert 'value="-100"' in page  # the typo stays as typed
    editing.refresh_from_db()
    assert (editing.title_ja, editing.effort_percent) == ("新題名", None)
    # The form goes on from the revision just saved: the next save is no conflict.
    assert f'name="revision" value="{editing.revision}"' in page


def test_every_aria_describedby_points_at_an_element_that_exists(client, editing):
    import re

    page = client.post(
        f"/ja/proposals/{editing.pk}/save/",
        form(editing, budget_2027="1.5", effort_percent="abc", title_ja="x" * 301),
    ).content.decode()
    ids = set(re.findall(r'id="([^"]+)"', page))
    described = [t for v in re.findall(r'aria-describedby="([^"]+)"', page) for t in v.split()]
    assert described, "the bad fields must be described by their errors"
    assert [t for t in described if t not in ids] == []


def test_autosave_saves_the_valid_fields_and_names_the_bad_ones_for_the_script(client, editing):
    response = client.post(
        f"/ja/proposals/{editing.pk}/save/",
        form(editing, title_ja="自動", budget_2026="-1"),
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "<html" not in body
    assert 'id="autosave-status"' in body
    assert "金額に負の値は入力できません。" in body  # read out by the live status region
    errors = json.loads(response["HX-Trigger"])["openrd:field-errors"]
    assert list(errors) == ["id_budget_2026"]
    editing.refresh_from_db()
    assert editing.title_ja == "自動"
    assert f'value="{editing.revision}"' in body


def test_autosave_returns_a_status_fragment_with_the_new_revision(client, editing):
    response = client.post(
        f"/ja/proposals/{editing.pk}/save/", form(editing, title_ja="自動"), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="autosave-status"' in body
    assert f'value="{editing.revision + 1}"' in body
    assert json.loads(response["HX-Trigger"]) == {"openrd:field-errors": {}}


def test_stale_save_shows_both_texts_and_loses_nothing(client, editing, world):
    loaded = editing.revision
    services.save_draft(
        editing,
        actor=world.applicant,
        revision=loaded,
        changes=services.DraftChanges(fields={"title_ja": "別タブの保存"}),
    )
    response = client.post(
        f"/ja/proposals/{editing.pk}/save/",
        form(editing, revision=loaded, title_ja="この画面の入力"),
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "別タブの保存" in page
    assert 'value="この画面の入力"' in page


def test_autosave_conflict_fragment_is_409(client, editing, world):
    loaded = editing.revision
    services.save_draft(
        editing,
        actor=world.applicant,
        revision=loaded,
        changes=services.DraftChanges(fields={"title_ja": "先"}),
    )
    response = client.post(
        f"/ja/proposals/{editing.pk}/save/",
        form(editing, revision=loaded, title_ja="後"),
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 409
    assert "その間に他の利用者がこの提案を保存しました" in response.content.decode()


def test_upload_saves_what_was_typed_and_stays_in_the_editor(client, editing):
    response = client.post(
        f"/ja/proposals/{editing.pk}/save/",
        form(editing, title_ja="アップロード直前の入力", file_plan=pdf(), upload="plan"),
    )
    assert response.status_code == 302
    assert response["Location"] == f"/ja/proposals/{editing.pk}/"
    editing.refresh_from_db()
    assert editing.title_ja == "アップロード直前の入力"
    assert editing.attachments.get().document_code == "plan"


def test_a_non_pdf_upload_is_refused_on_the_field_and_the_text_is_kept(client, editing):
    response = client.post(
        f"/ja/proposals/{editing.pk}/save/",
        form(editing, title_ja="残る題名", file_plan=pdf(content=b"\x89PNG\r\n"), upload="plan"),
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert (
        '<p class="field__error" id="id_file_plan_error">添付できるのはPDFファイルのみです。'
        in page
    )
    assert 'value="残る題名"' in page
    editing.refresh_from_db()
    assert editing.title_ja == "残る題名"
    assert not editing.attachments.exists()


def submit_complete(client, editing):
    response = client.post(
        f"/ja/proposals/{editing.pk}/submit/",
        form(
            editing,
            title_ja="量子センサの実証",
            effort_percent="20",
            budget_2026="1,000,000",
            file_plan=pdf(),
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    editing.refresh_from_db()


def test_upload_then_submit_then_endorse_through_the_pages(client, editing, world):
    submit_complete(client, editing)
    assert ProposalVersion.objects.get().number == 1
    client.force_login(world.officer)
    response = client.post(f"/ja/proposals/{editing.pk}/endorse/", {"decision": "endorse"})
    assert response.status_code == 302
    client.force_login(world.nedo_staff)
    page = client.get(f"/ja/proposals/{editing.pk}/").content.decode()
    assert "<h1>量子センサの実証</h1>" in page
    assert "所属機関承認済み" in page


def test_after_submission_the_editor_is_read_only_and_says_what_each_party_reads(client, editing):
    submit_complete(client, editing)
    page = client.get(f"/ja/proposals/{editing.pk}/").content.decode()
    assert 'id="proposal-form"' not in page
    assert 'data-editor="locked"' in page
    assert '<dd data-seen-by="institution">第1版</dd>' in page
    late = client.post(f"/ja/proposals/{editing.pk}/save/", form(editing, title_ja="後から変更"))
    assert late.status_code == 409
    assert 'data-code="proposal.not_editable"' in late.content.decode()
    editing.refresh_from_db()
    assert editing.title_ja == "量子センサの実証"


def test_withdrawal_asks_for_confirmation_and_then_locks_the_editor(client, editing):
    confirm = client.get(f"/ja/proposals/{editing.pk}/withdraw/")
    assert confirm.status_code == 200
    assert "元に戻せません" in confirm.content.decode()
    unconfirmed = client.post(f"/ja/proposals/{editing.pk}/withdraw/", {})
    assert unconfirmed.status_code == 422
    editing.refresh_from_db()
    assert editing.status == ProposalStatus.DRAFT
    done = client.post(f"/ja/proposals/{editing.pk}/withdraw/", {"confirm": "on"})
    assert done.status_code == 302
    editing.refresh_from_db()
    assert editing.status == ProposalStatus.WITHDRAWN
    page = client.get(f"/ja/proposals/{editing.pk}/").content.decode()
    assert 'id="proposal-form"' not in page
    assert "取り下げられました" in page


def test_a_missing_decision_is_a_field_error_and_does_not_endorse(client, editing, world):
    submit_complete(client, editing)
    client.force_login(world.officer)
    response = client.post(f"/ja/proposals/{editing.pk}/endorse/", {})
    assert response.status_code == 422
    assert "承認するか差し戻すかを選んでください。" in response.content.decode()
    assert ProposalVersion.objects.get().endorsement == "pending"


def test_a_return_reason_typed_before_pressing_endorse_is_kept(client, editing, world):
    submit_complete(client, editing)
    client.force_login(world.officer)
    response = client.post(
        f"/ja/proposals/{editing.pk}/endorse/",
        {"decision": "endorse", "comment": "予算の内訳を追記してください"},
    )
    assert response.status_code == 422
    assert "予算の内訳を追記してください</textarea>" in response.content.decode()
    assert ProposalVersion.objects.get().endorsement == "pending"
    returned = client.post(
        f"/ja/proposals/{editing.pk}/endorse/",
        {"decision": "return", "comment": "予算の内訳を追記してください"},
    )
    assert returned.status_code == 302
    assert ProposalVersion.objects.get().return_comment == "予算の内訳を追記してください"


def test_endorsing_a_withdrawn_proposal_on_the_page_is_refused_with_the_reason(
    client, editing, world
):
    submit_complete(client, editing)
    services.withdraw_proposal(editing, actor=world.applicant)
    client.force_login(world.officer)
    response = client.post(f"/ja/proposals/{editing.pk}/endorse/", {"decision": "endorse"})
    assert response.status_code == 409
    assert 'data-code="proposal.transition_not_allowed"' in response.content.decode()
    assert ProposalVersion.objects.get().endorsement == "pending"


def test_anonymous_file_requests_go_to_login_and_write_no_audit_entry(client, editing):
    client.logout()
    sha = "0" * 64
    response = client.get(f"/ja/proposals/{editing.pk}/files/{sha}/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert not AuditEntry.objects.filter(action="access.denied").exists()


def test_staff_read_proposals_in_the_admin_but_cannot_change_them(client, editing):
    from openrd.accounts.tests.factories import UserFactory

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get("/ja/admin/proposals/proposal/").status_code == 200
    assert client.get("/ja/admin/proposals/proposal/add/").status_code == 403
    page = client.get(f"/ja/admin/proposals/proposal/{editing.pk}/change/")
    assert page.status_code == 200
    assert 'type="submit" value="保存"' not in page.content.decode()


def test_the_officer_reads_an_emptied_disclosure_field_as_none_never_as_python_none(
    client, editing, world
):
    disclose_and_pledge(world.applicant, end="2030-03-31")
    submit_complete(client, editing)
    client.force_login(world.officer)
    page = client.get(f"/ja/proposals/{editing.pk}/").content.decode()
    assert "（なし） → " in page
    assert "None" not in page
    api = client.get(f"/api/v1/proposals/{editing.pk}").json()
    changes = {c["kind"]: c for c in api["versions"][0]["disclosure_changes"]}
    (end,) = [f for f in changes["added"]["fields"] if f["field"] == "end"]
    assert (end["old"], end["new"]) == ("", "令和12年3月31日")


def test_an_oversized_upload_is_refused_on_its_field_and_the_text_is_saved(
    client, editing, settings
):
    settings.OPENRD_MAX_UPLOAD_BYTES = 1024
    big = pdf(content=PDF + b"%" + b"0" * 4096)
    response = client.post(
        f"/ja/proposals/{editing.pk}/save/", form(editing, title_ja="大きすぎる添付", file_plan=big)
    )
    assert response.status_code == 422
    assert '<p class="field__error" id="id_file_plan_error">' in response.content.decode()
    editing.refresh_from_db()
    assert editing.title_ja == "大きすぎる添付"
    assert not editing.attachments.exists()
