"""The whole journey over the public API: an agency opens a call, a startup
discloses, pledges, applies and submits, its institution endorses, the agency sees it."""

import json
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from openrd.accounts.models import Organisation, Role
from openrd.accounts.services import assign_role, issue_api_token, upsert_organisation
from openrd.accounts.tests.factories import UserFactory
from openrd.core.fiscal import fiscal_year_of, to_tokyo
from openrd.core.tests import pdfs

pytestmark = pytest.mark.django_db

PDF = pdfs.plain("journey")


class Api:
    def __init__(self, client, user):
        self.client = client
        self.auth = {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(user, name='t')[1]}"}

    def __call__(self, method, path, body=None, **extra):
        response = getattr(self.client, method)(
            f"/api/v1{path}",
            json.dumps(body) if body is not None else None,
            content_type="application/json",
            HTTP_ACCEPT_LANGUAGE="ja",
            **self.auth,
            **extra,
        )
        return response.status_code, response.json()


def test_from_call_creation_to_endorsed_submission(client, loaded_programs, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    startup = upsert_organisation(
        code="sakura", kind="startup", name_ja="さくら量子", is_sme=True,
        founded_on=date(2015, 6, 1),
    )  # fmt: skip
    nedo_staff = UserFactory()
    assign_role(nedo_staff, Role.AGENCY_STAFF, organisation=Organisation.objects.get(code="nedo"))
    applicant = UserFactory(organisation=startup, roles=[Role.RESEARCHER])
    officer = UserFactory()
    assign_role(officer, Role.INSTITUTION_OFFICER, organisation=startup)
    agency, researcher, institution = (
        Api(client, nedo_staff),
        Api(client, applicant),
        Api(client, officer),
    )

    now = timezone.now()
    fy = fiscal_year_of(to_tokyo(now).date())
    status, call = agency("post", "/calls", {
        "program": "sbir", "topic": "phase1", "agency": "nedo", "presenting_ministry": "meti",
        "code": "sbir-journey-01", "title_ja": "SBIRフェーズ1公募（試験）",
        "opens_at": (now - timedelta(minutes=1)).isoformat(),
        "closes_at": (now + timedelta(days=30)).isoformat(),
        "fiscal_year": fy, "first_budget_year": fy, "last_budget_year": fy + 1,
        "total_budget_yen": 300_000_000, "cap_per_proposal_yen": 20_000_000,
        "eligibility": {"eligible_org_kinds": ["startup"]},
        "documents": [{"code": "plan", "name_ja": "研究計画書"}],
        "criteria": [{"code": "innovation", "name_ja": "新規性", "weight": 60},
                     {"code": "feasibility", "name_ja": "実現可能性", "weight": 40}],
    })  # fmt: skip
    assert status == 201, call
    assert agency("post", f"/calls/{call['id']}/open")[0] == 200
    assert [c["code"] for c in researcher("get", "/calls?status=open")[1]] == ["sbir-journey-01"]

    status, _ = researcher("put", "/me/disclosures", {"fundings": [], "positions": [
        {"organisation": "さくら量子", "country": "JP", "title": "代表取締役", "kind": "primary",
         "paid": True, "start": "2015-06-01"}]})  # fmt: skip
    assert status == 200

    status, draft = researcher("post", "/proposals", {
        "call_id": call["id"], "title_ja": "配管の量子センシング", "effort_percent": 50,
        "budget": [{"fiscal_year": fy, "amount_yen": 15_000_000}],
    })  # fmt: skip
    assert status == 201
    upload = client.post(
        f"/api/v1/proposals/{draft['id']}/attachments",
        {"document_code": "plan", "file": SimpleUploadedFile("plan.pdf", PDF)},
        **researcher.auth,
    )
    assert upload.status_code == 201

    status, refused = researcher("post", f"/proposals/{draft['id']}/submit")
    assert (status, [r["code"] for r in refused["reasons"]]) == (409, ["integrity.pledge_missing"])
    assert researcher("post", "/me/disclosures/pledge")[0] == 200
    status, submitted = researcher(
        "post", f"/proposals/{draft['id']}/submit", HTTP_IDEMPOTENCY_KEY="once"
    )
    assert (status, submitted["status"]) == (200, "submitted")

    assert agency("get", "/proposals")[1] == []
    status, endorsed = institution("post", f"/proposals/{draft['id']}/endorse")
    assert (status, endorsed["status"]) == (200, "endorsed")
    status, seen = agency("get", f"/proposals/{draft['id']}")
    assert (status, seen["view"], seen["title_ja"]) == (200, "agency", "配管の量子センシング")
    assert seen["versions"][0]["disclosure_version"] == 1
