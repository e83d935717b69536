import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from openrd.accounts.services import issue_api_token
from openrd.proposals.models import ProposalVersion
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
    assert (body["view"], body["status"], body["revision"]) == ("owner", "draft", 2)
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


def test_submit_refusal_is_422_with_coded_reasons_and_sources(client, world):
    pk = create(client, world)["id"]
    response = call_json(client, "post", f"/api/v1/proposals/{pk}/submit", world.applicant)
    assert response.status_code == 422
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


def test_proposal_list_shows_the_officer_the_submitted_title_not_the_draft(client, world):
    pk = create(client, world)["id"]
    attach(client, world, pk)
    call_json(client, "post", f"/api/v1/proposals/{pk}/submit", world.applicant)
    rev = call_json(client, "get", f"/api/v1/proposals/{pk}", world.applicant).json()["revision"]
    call_json(
        client,
        "patch",
        f"/api/v1/proposals/{pk}",
        world.applicant,
        {"revision": rev, "title_ja": "提出後の下書き"},
    )
    items = call_json(client, "get", "/api/v1/proposals", world.officer).json()
    assert [(i["view"], i["title_ja"], i["latest_version"]) for i in items] == [
        ("institution", "量子センサの実証", 1)
    ]
