import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from openrd.proposals import services
from openrd.proposals.models import Proposal, ProposalVersion
from openrd.proposals.tests.conftest import PDF

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
        "co_investigators": "",
        "budget_2026": "",
        "budget_2027": "",
    } | fields


def test_new_proposal_page_shows_the_call_and_its_deadline(client, world):
    client.force_login(world.applicant)
    page = client.get(f"/ja/proposals/new/?call={world.call.pk}").content.decode()
    assert "SBIRフェーズ1 テスト公募" in page
    assert "（日本時間）" in page


def test_save_and_submit_with_gaps_is_422_with_every_reason_and_keeps_the_text(client, editing):
    response = client.post(f"/ja/proposals/{editing.pk}/submit/", form(editing, title_ja="題名"))
    assert response.status_code == 422
    page = response.content.decode()
    for code in ("budget.missing", "effort.out_of_range", "document.missing.plan"):
        assert f'data-code="{code}"' in page
    assert 'value="題名"' in page
    assert not ProposalVersion.objects.exists()


def test_field_errors_are_shown_in_japanese_and_nothing_is_saved(client, editing):
    response = client.post(
        f"/ja/proposals/{editing.pk}/save/",
        form(editing, title_ja="新題名", budget_2026="-100", effort_percent="150"),
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "金額に負の値は入力できません。" in page
    assert 'value="新題名"' in page
    editing.refresh_from_db()
    assert editing.title_ja == ""


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


def test_autosave_returns_a_status_fragment_with_the_new_revision(client, editing):
    response = client.post(
        f"/ja/proposals/{editing.pk}/save/", form(editing, title_ja="自動"), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="autosave-status"' in body
    assert f'value="{editing.revision + 1}"' in body
    assert "<html" not in body


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
    assert (
        "他の人" in response.content.decode() or "保存されていません" in response.content.decode()
    )


def test_upload_then_submit_then_endorse_through_the_pages(client, editing, world):
    upload = SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf")
    assert (
        client.post(
            f"/ja/proposals/{editing.pk}/attach/", {"document_code": "plan", "file": upload}
        ).status_code
        == 302
    )
    response = client.post(
        f"/ja/proposals/{editing.pk}/submit/",
        form(editing, title_ja="題名", effort_percent="20", budget_2026="1,000,000"),
    )
    assert response.status_code == 302
    assert ProposalVersion.objects.get().number == 1
    client.force_login(world.officer)
    assert (
        client.post(f"/ja/proposals/{editing.pk}/endorse/", {"decision": "endorse"}).status_code
        == 302
    )
    client.force_login(world.nedo_staff)
    page = client.get(f"/ja/proposals/{editing.pk}/").content.decode()
    assert "題名" in page
    assert "所属機関承認済み" in page


def test_a_non_pdf_upload_is_refused_on_the_page(client, editing):
    upload = SimpleUploadedFile("plan.pdf", b"\x89PNG\r\n", content_type="application/pdf")
    response = client.post(
        f"/ja/proposals/{editing.pk}/attach/", {"document_code": "plan", "file": upload}
    )
    assert response.status_code == 422
    assert "添付できるのはPDFファイルのみです。" in response.content.decode()


def test_staff_read_proposals_in_the_admin_but_cannot_change_them(client, editing):
    from openrd.accounts.tests.factories import UserFactory

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get("/ja/admin/proposals/proposal/").status_code == 200
    assert client.get("/ja/admin/proposals/proposal/add/").status_code == 403
    page = client.get(f"/ja/admin/proposals/proposal/{editing.pk}/change/")
    assert page.status_code == 200
    assert 'type="submit" value="保存"' not in page.content.decode()
