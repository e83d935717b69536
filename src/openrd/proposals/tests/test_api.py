import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from openrd.accounts.services import issue_api_token
from openrd.proposals.models import ProposalMember, ProposalVersion
from openrd.proposals.tests.conftest import PDF

pytestmark = pytest.mark.django_db


def auth(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(user, name='t')[1]}"}


def call_json(client, method, path, user, body=None, lang="ja", **extra):
    return getattr(client, method)(
        path,
        json.dumps(body) if body is not None else None,
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE=lang,
        **auth(user),
        **extra,
    )


DRAFT = {
    "title_ja": "量子センサの実証",
    "effort_percent": 40,
    "budget": [{"fiscal_year": 2026, "amount_yen": 10_000_000}],
}


def create(client, world, body=DRAFT):
    response = call_json(
        client, "post", "/api/v1/proposals", world.applicant, {"call_id": world.call.pk, **body}
    )
    assert response.status_code == 201, response.content
    return response.json()


def attach(client, world, pk, content=PDF, code="plan"):
    return client.post(
        f"/api/v1/proposals/{pk}/attachments",
        {"document_code": code, "file": SimpleUploadedFile("plan.pdf", content)},
        HTTP_ACCEPT_LANGUAGE="ja",
        **auth(world.applicant),
    )


def test_create_returns_the_working_copy_with_its_revision(client, world):
    body = create(client, world)
    assert (body["view"], body["status"], body["revision"]) == ("owner", "draft", 1)
    assert body["budget"] == [{"fiscal_year": 2026, "amount_yen": 10_000_000}]


def test_patch_with_a_stale_revision_is_409_and_returns_the_editors_text(client, world):
    body = create(client, world)
    pk, loaded = body["id"], body["revision"]
    ok = call_json(
        client,
        "patch",
        f"/api/v1/proposals/{pk}",
        world.applicant,
        {"revision": loaded, "title_ja": "先の編集"},
    )
    assert ok.status_code == 200
    stale = call_json(
        client,
        "patch",
        f"/api/v1/proposals/{pk}",
        world.applicant,
        {"revision": loaded, "abstract_ja": "後の編集者の長い文章"},
    )
    assert stale.status_code == 409
    assert stale.json()["yours"] == {"revision": loaded, "abstract_ja": "後の編集者の長い文章"}
    assert stale.json()["current"]["title_ja"] == "先の編集"
    assert stale.json()["current"]["abstract_ja"] == ""


def test_patch_with_unknown_field_negative_yen_or_bad_effort_is_422(client, world):
    pk, rev = (b := create(client, world))["id"], b["revision"]
    for patch, field in [
        ({"colour": "red"}, "colour"),
        ({"budget": [{"fiscal_year": 2026, "amount_yen": -1}]}, "budget.0.amount_yen"),
        ({"budget": [{"fiscal_year": 2026, "amount_yen": 1.5}]}, "budget.0.amount_yen"),
        ({"effort_percent": 120}, "effort_percent"),
    ]:
        response = call_json(
            client, "patch", f"/api/v1/proposals/{pk}", world.applicant, {"revision": rev, **patch}
        )
        assert response.status_code == 422, patch
        assert [e["field"] for e in response.json()["errors"]] == [field]


def test_submit_refusal_is_409_with_coded_reasons_and_sources(client, world):
    pk = create(client, world)["id"]
    response = call_json(client, "post", f"/api/v1/proposals/{pk}/submit", world.applicant)
    assert response.status_code == 409
    assert response.json()["detail"] == "この提案はまだ提出できません。"
    reasons = response.json()["reasons"]
    assert [r["code"] for r in reasons] == ["document.missing.plan"]
    assert reasons[0]["message"] == "必要書類が添付されていません：研究計画書。"
    assert reasons[0]["source"] == "公募要領"


def test_submit_with_the_same_idempotency_key_twice_gives_one_submission(client, world):
    pk = create(client, world)["id"]
    assert attach(client, world, pk).status_code == 201
    first = call_json(
        client,
        "post",
        f"/api/v1/proposals/{pk}/submit",
        world.applicant,
        HTTP_IDEMPOTENCY_KEY="abc",
    )
    second = call_json(
        client,
        "post",
        f"/api/v1/proposals/{pk}/submit",
        world.applicant,
        HTTP_IDEMPOTENCY_KEY="abc",
    )
    assert (first.status_code, second.status_code) == (200, 200)
    assert first.json()["versions"] == second.json()["versions"]
    assert ProposalVersion.objects.count() == 1
    assert first.json()["status"] == "submitted"


def test_endorse_by_the_institution_officer_only(client, world):
    pk = create(client, world)["id"]
    attach(client, world, pk)
    call_json(client, "post", f"/api/v1/proposals/{pk}/submit", world.applicant)
    denied = call_json(client, "post", f"/api/v1/proposals/{pk}/endorse", world.applicant)
    assert denied.status_code == 404
    ok = call_json(client, "post", f"/api/v1/proposals/{pk}/endorse", world.officer)
    assert ok.status_code == 200
    assert ok.json()["versions"][0]["endorsement"] == "endorsed"
    seen = call_json(client, "get", f"/api/v1/proposals/{pk}", world.nedo_staff)
    assert (seen.status_code, seen.json()["view"]) == (200, "agency")


def test_attachment_that_is_not_a_pdf_or_too_big_is_a_field_error(client, world, settings):
    pk = create(client, world)["id"]
    not_pdf = attach(client, world, pk, content=b"PK\x03\x04 zip")
    assert not_pdf.status_code == 422
    assert not_pdf.json()["errors"][0] == {
        "loc": ["body", "file"],
        "field": "file",
        "type": "value_error",
        "msg": "添付できるのはPDFファイルのみです。",
    }
    settings.OPENRD_MAX_UPLOAD_BYTES = 100
    too_big = attach(client, world, pk, content=PDF + b"0" * 100)
    assert too_big.status_code == 422
    assert too_big.json()["errors"][0]["field"] == "file"


def test_the_public_and_strangers_cannot_create_or_read(client, world):
    pk = create(client, world)["id"]
    assert client.get(f"/api/v1/proposals/{pk}").status_code == 401
    assert call_json(client, "get", f"/api/v1/proposals/{pk}", world.stranger).status_code == 404
    assert (
        call_json(
            client, "post", "/api/v1/proposals", world.officer, {"call_id": world.call.pk}
        ).status_code
        == 404
    )


def test_proposal_list_costs_the_same_queries_for_one_or_three(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        with CaptureQueriesContext(connection) as ctx:
            response = call_json(client, "get", "/api/v1/proposals", world.applicant)
        assert response.status_code == 200
        return len(ctx), len(response.json())

    create(client, world)
    one = count()
    create(client, world)
    create(client, world)
    three = count()
    assert (one[1], three[1]) == (1, 3)
    assert one[0] == three[0]


def patch_title(client, world, pk, title):
    rev = call_json(client, "get", f"/api/v1/proposals/{pk}", world.applicant).json()["revision"]
    return call_json(
        client, "patch", f"/api/v1/proposals/{pk}", world.applicant,
        {"revision": rev, "title_ja": title},
    )  # fmt: skip


def test_proposal_list_shows_the_officer_the_submitted_title_not_the_draft(client, world):
    pk = create(client, world)["id"]
    attach(client, world, pk)
    call_json(client, "post", f"/api/v1/proposals/{pk}/submit", world.applicant)
    assert patch_title(client, world, pk, "提出中の変更").status_code == 409
    call_json(client, "post", f"/api/v1/proposals/{pk}/return", world.officer, {"comment": "再考"})
    assert patch_title(client, world, pk, "差し戻し後の下書き").status_code == 200
    items = call_json(client, "get", "/api/v1/proposals", world.officer).json()
    assert [(i["view"], i["title_ja"], i["latest_version"]) for i in items] == [
        ("institution", "量子センサの実証", 1)
    ]
    mine = call_json(client, "get", "/api/v1/proposals", world.applicant).json()
    assert [i["title_ja"] for i in mine] == ["差し戻し後の下書き"]


def submitted(client, world):
    pk = create(client, world)["id"]
    assert attach(client, world, pk).status_code == 201
    status = call_json(client, "post", f"/api/v1/proposals/{pk}/submit", world.applicant)
    assert status.status_code == 200
    return pk


def test_return_needs_a_reason_and_hands_the_proposal_back_editable(client, world):
    pk = submitted(client, world)
    blank = call_json(client, "post", f"/api/v1/proposals/{pk}/return", world.officer, {})
    assert (blank.status_code, blank.json()["errors"][0]["field"]) == (422, "comment")
    by_applicant = call_json(
        client, "post", f"/api/v1/proposals/{pk}/return", world.applicant, {"comment": "x"}
    )
    assert by_applicant.status_code == 404
    done = call_json(
        client, "post", f"/api/v1/proposals/{pk}/return", world.officer, {"comment": "根拠を追記"}
    )
    assert done.status_code == 200
    body = done.json()
    assert (body["status"], body["view"]) == ("returned", "institution")
    assert body["versions"][0]["return_comment"] == "根拠を追記"
    again = call_json(
        client, "post", f"/api/v1/proposals/{pk}/return", world.officer, {"comment": "再度"}
    )
    assert again.status_code == 409
    assert [r["code"] for r in again.json()["reasons"]] == ["proposal.transition_not_allowed"]


def test_withdraw_then_endorse_is_409_and_the_agency_never_sees_it(client, world):
    pk = submitted(client, world)
    stranger = call_json(client, "post", f"/api/v1/proposals/{pk}/withdraw", world.officer)
    assert stranger.status_code == 404
    gone = call_json(client, "post", f"/api/v1/proposals/{pk}/withdraw", world.applicant)
    assert (gone.status_code, gone.json()["status"]) == (200, "withdrawn")
    endorse = call_json(client, "post", f"/api/v1/proposals/{pk}/endorse", world.officer)
    assert endorse.status_code == 409
    assert [r["code"] for r in endorse.json()["reasons"]] == ["proposal.transition_not_allowed"]
    seen = call_json(client, "get", f"/api/v1/proposals/{pk}", world.nedo_staff)
    assert seen.status_code == 404
    twice = call_json(client, "post", f"/api/v1/proposals/{pk}/withdraw", world.applicant)
    assert twice.status_code == 409


def test_create_with_a_bad_budget_is_422_and_leaves_no_draft_and_no_audit(client, world):
    from openrd.core.models import AuditEntry
    from openrd.proposals.models import Proposal

    response = call_json(
        client,
        "post",
        "/api/v1/proposals",
        world.applicant,
        {
            "call_id": world.call.pk,
            "title_ja": "題名",
            "budget": [{"fiscal_year": 2026, "amount_yen": -1}],
        },
    )
    assert response.status_code == 422
    assert not Proposal.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="proposals.").exists()


def test_create_before_the_call_opens_is_409_and_creates_nothing(client, world):
    from datetime import timedelta

    from django.utils import timezone

    from openrd.programs.models import Call
    from openrd.proposals.models import Proposal

    Call.objects.filter(pk=world.call.pk).update(opens_at=timezone.now() + timedelta(days=1))
    response = call_json(
        client, "post", "/api/v1/proposals", world.applicant, {"call_id": world.call.pk}
    )
    assert response.status_code == 409
    assert [r["code"] for r in response.json()["reasons"]] == ["call.not_open"]
    assert not Proposal.objects.exists()


def test_an_attachment_has_the_same_url_in_the_upload_answer_and_in_the_proposal(client, world):
    pk = create(client, world)["id"]
    uploaded = attach(client, world, pk).json()
    listed = call_json(client, "get", f"/api/v1/proposals/{pk}", world.applicant).json()
    assert listed["attachments"][0]["url"] == uploaded["url"]
    assert uploaded["url"] == f"/api/v1/proposals/{pk}/files/{uploaded['sha256']}"
    download = client.get(uploaded["url"], **auth(world.applicant))
    assert download.status_code == 200


def test_an_over_long_idempotency_key_is_422_and_a_reused_one_with_new_content_409(client, world):
    pk = create(client, world)["id"]
    attach(client, world, pk)
    path = f"/api/v1/proposals/{pk}/submit"
    long = call_json(client, "post", path, world.applicant, HTTP_IDEMPOTENCY_KEY="k" * 101)
    assert (long.status_code, long.json()["errors"][0]["field"]) == (422, "idempotency_key")
    assert (
        call_json(client, "post", path, world.applicant, HTTP_IDEMPOTENCY_KEY="k1").status_code
        == 200
    )
    call_json(
        client, "post", f"/api/v1/proposals/{pk}/return", world.officer, {"comment": "再提出を"}
    )
    assert patch_title(client, world, pk, "改").status_code == 200
    reused = call_json(client, "post", path, world.applicant, HTTP_IDEMPOTENCY_KEY="k1")
    assert reused.status_code == 409
    assert [r["code"] for r in reused.json()["reasons"]] == ["submission.key_reused"]
    assert ProposalVersion.objects.count() == 1


def test_a_draft_no_longer_takes_co_investigators_they_are_invited(client, world):
    pk, rev = (b := create(client, world))["id"], b["revision"]
    response = call_json(
        client, "patch", f"/api/v1/proposals/{pk}", world.applicant,
        {"revision": rev, "co_investigators": ["33334444"]},
    )  # fmt: skip
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "co_investigators"
    assert not ProposalMember.objects.exists()


def test_an_oversized_or_malformed_body_is_a_json_error_not_an_html_page(client, world):
    pk = create(client, world)["id"]
    token = auth(world.applicant)
    huge = client.post(
        "/api/v1/proposals",
        json.dumps({"call_id": world.call.pk, "title_ja": "x" * 3_000_000}),
        content_type="application/json",
        **token,
    )
    assert (huge.status_code, huge["Content-Type"]) == (413, "application/json; charset=utf-8")
    assert "MB" in huge.json()["detail"]
    broken = client.post(
        f"/api/v1/proposals/{pk}/attachments", b"junk", content_type="multipart/form-data", **token
    )
    assert (broken.status_code, broken["Content-Type"]) == (422, "application/json; charset=utf-8")
    assert broken.json()["errors"][0]["type"] == "multipart_invalid"


@pytest.mark.parametrize(
    "path", ["/api/v1/proposals", "/api/v1/proposals/1/submit", "/api/v1/me/tokens"]
)
def test_an_anonymous_write_is_401_as_documented_not_a_csrf_403(client, path):
    strict = client.__class__(enforce_csrf_checks=True)
    response = strict.post(path, "{}", content_type="application/json")
    assert (response.status_code, response.json()) == (401, {"detail": "認証が必要です。"})
