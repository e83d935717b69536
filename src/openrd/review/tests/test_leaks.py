"""Nothing of a proposal a reviewer is in conflict with, or is not assigned to, reaches
them through any endpoint they can reach: pages, files, PDFs, the API, the dashboard,
the proposals pages, exports, notifications.

A canary string is planted in the title, the abstract, the attached file and the
applicant's disclosure of the conflicted proposal, and in another proposal of the
round not assigned to the reviewer. The reviewer's own (non-conflicted) proposal
carries a control string that must show, so the test can fail.
"""

from __future__ import annotations

import dataclasses
import io
import json
from datetime import date, timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from openrd.accounts.models import Affiliation, Role
from openrd.accounts.services import assign_role, issue_api_token, upsert_organisation
from openrd.accounts.tests.factories import UserFactory
from openrd.core.tests import pdfs
from openrd.integrity.services import pledge, save_disclosure
from openrd.proposals import services as proposals
from openrd.proposals.models import Proposal
from openrd.proposals.tests.conftest import world  # noqa: F401  (a fixture, offered by name)
from openrd.proposals.tests.test_receipts import COMPLETE, submit, submitted_draft
from openrd.review import services
from openrd.review.models import AssignmentStatus, ReviewAssignment

pytestmark = pytest.mark.django_db

CANARY = "CANARY-7f3a"
CONTROL = "CONTROL-9b2e"
# Searched for: part of the canary, so a page that echoes the query does not look like a leak.
PROBE = "7f3a"


def _proposal(on, title: str, abstract: str, pdf_text: str, key: str, officer) -> Proposal:
    changes = proposals.DraftChanges(
        fields=COMPLETE.fields | {"title_ja": title, "title_en": title, "abstract_ja": abstract},
        budget=COMPLETE.budget,
    )
    p = submitted_draft(on, changes=changes, pdf=pdfs.plain(pdf_text))
    submit(on, p, key=key)
    proposals.endorse_proposal(p, actor=officer)
    return Proposal.objects.get(pk=p.pk)


@dataclasses.dataclass
class Leaky:
    reviewer: object
    own: ReviewAssignment  # assigned, accepted, no conflict: its text must show
    conflicted: ReviewAssignment  # accepted before the conflict was found
    unassigned: ReviewAssignment  # another reviewer's, on the other canary proposal
    proposals: list[Proposal]
    round_pk: int


@pytest.fixture
def leaky(world) -> Leaky:  # noqa: F811  (the fixture imported above)
    staff = world.nedo_staff
    # The conflicted proposal's applicant discloses a funding named by the canary.
    save_disclosure(
        world.applicant, actor=world.applicant,
        fundings=[{"status": "current", "program": f"基盤研究(B) {CANARY}",
                   "title": f"{CANARY} 量子センサの雑音", "funder": "日本学術振興会",
                   "country": "JP", "start": "2022-04-01", "end": "2027-03-31",
                   "amount_yen": 12_000_000, "effort_percent": 30}],
        positions=[{"organisation": "さくら量子株式会社", "country": "JP", "title": "代表取締役",
                    "kind": "primary", "paid": True, "start": "2015-06-01", "end": None}],
    )  # fmt: skip
    pledge(world.applicant, actor=world.applicant)
    conflicted_p = _proposal(
        world, f"量子センサ {CANARY}", f"{CANARY} の概要", f"plan {CANARY}", "k1", world.officer
    )
    # Another company: its proposals share nothing with the reviewer.
    other = upsert_organisation(code="momiji", kind="startup", name_ja="もみじ計測",
                                is_sme=True, founded_on=date(2016, 4, 1))  # fmt: skip
    applicant2 = UserFactory(username="applicant2", organisation=other, roles=[Role.RESEARCHER],
                             erad_researcher_number="55556666")  # fmt: skip
    officer2 = UserFactory(username="officer2")
    assign_role(officer2, Role.INSTITUTION_OFFICER, organisation=other)
    # Their own position (the shared helper's is at the first company, a conflict).
    save_disclosure(applicant2, actor=applicant2, fundings=[], positions=[
        {"organisation": "もみじ計測株式会社", "country": "JP", "title": "代表取締役",
         "kind": "primary", "paid": True, "start": "2016-04-01", "end": None}])  # fmt: skip
    pledge(applicant2, actor=applicant2)
    world2 = dataclasses.replace(world, applicant=applicant2)
    unassigned_p = _proposal(
        world2, f"配管診断 {CANARY}", f"{CANARY} 別の概要", f"plan {CANARY}", "k2", officer2
    )
    own_p = _proposal(
        world2, f"量子計測 {CONTROL}", f"{CONTROL} の概要", f"plan {CONTROL}", "k3", officer2
    )
    for code in ("novelty", "feasibility"):
        world.call.criteria.create(code=code, name_ja=code, name_en=code, weight=50)
    reviewer = UserFactory(username="colleague", roles=[Role.REVIEWER])
    other_reviewer = UserFactory(username="reviewer0", roles=[Role.REVIEWER])
    for person in (reviewer, other_reviewer):
        services.save_reviewer(person, actor=staff, research_fields=["量子工学"],
                               keywords=["量子"], max_load=3)  # fmt: skip
    rnd = services.create_round(world.call, actor=staff, name_ja="書面審査",
                                due_at=timezone.now() + timedelta(days=14),
                                reviewers_per_proposal=1)  # fmt: skip
    # Accepted before the reviewer joined the applicant's company.
    conflicted = ReviewAssignment.objects.create(
        round=rnd, proposal=conflicted_p, reviewer=reviewer, status=AssignmentStatus.ACCEPTED
    )
    services.assign_by_hand(rnd, own_p, reviewer, actor=staff)
    services.assign_by_hand(rnd, unassigned_p, other_reviewer, actor=staff)
    Affiliation.objects.create(person=reviewer, organisation=world.startup, kind="concurrent",
                               start_date=date(2020, 4, 1))  # fmt: skip
    assert services.compute_conflicts(rnd, actor=staff)
    services.open_round(rnd, actor=staff)
    own = ReviewAssignment.objects.get(round=rnd, proposal=own_p)
    services.accept_assignment(own, actor=reviewer, confirmed_no_conflict=True,
                               accepted_confidentiality=True)  # fmt: skip
    unassigned = ReviewAssignment.objects.get(round=rnd, proposal=unassigned_p)
    return Leaky(reviewer, own, conflicted, unassigned,
                 [conflicted_p, unassigned_p, own_p], rnd.pk)  # fmt: skip


def _sha(p: Proposal) -> str:
    return p.latest_endorsed_version.content["attachments"][0]["sha256"]


def _body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def _text(response) -> str:
    """The response as text; a PDF's extracted text as well as its bytes."""
    raw = _body(response)
    text = raw.decode("utf-8", "replace")
    if raw.startswith(b"%PDF"):
        reader = PdfReader(io.BytesIO(raw))
        text += "\n".join(page.extract_text() or "" for page in reader.pages)
    return text


def test_nothing_of_a_conflicted_or_unassigned_proposal_reaches_the_reviewer(client, leaky):
    conflicted_p, unassigned_p, own_p = leaky.proposals
    own, c, u = leaky.own.pk, leaky.conflicted.pk, leaky.unassigned.pk
    client.force_login(leaky.reviewer)
    seen: dict[str, str] = {}

    def get(url: str, expect: int | None = None) -> str:
        response = client.get(url)
        if expect is not None:
            assert response.status_code == expect, (url, response.status_code)
        seen[url] = _text(response)
        return seen[url]

    def post(url: str, data: dict, expect: int | None = None) -> str:
        response = client.post(url, data)
        if expect is not None:
            assert response.status_code == expect, (url, response.status_code)
        seen[f"POST {url}"] = _text(response)
        return seen[f"POST {url}"]

    for lang in ("ja", "en"):
        get(f"/{lang}/reviews/", 200)
        for query in (f"q={PROBE}", "status=accepted", "status=invited", "sort=-due", "page=2"):
            get(f"/{lang}/reviews/?{query}")
        get(f"/{lang}/reviews/{own}/", 200)
        get(f"/{lang}/dashboard/")
        get(f"/{lang}/proposals/")
        get(f"/{lang}/proposals/?q={PROBE}")
        get(f"/{lang}/notifications/")
    get(f"/ja/reviews/{own}/files/{_sha(own_p)}/", 200)
    get(f"/ja/reviews/{own}/pdf")
    post(f"/ja/reviews/{own}/save/", {"score_novelty": "4", "comment": "良い"})
    # The guessed addresses of what is not theirs: all 404.
    for pk, p in ((c, conflicted_p), (u, unassigned_p)):
        for suffix in ("", "pdf", f"files/{_sha(p)}/", f"files/{_sha(own_p)}/"):
            get(f"/ja/reviews/{pk}/{suffix}", 404)
        post(f"/ja/reviews/{pk}/answer/", {"decision": "accept", "no_conflict": "on",
                                           "confidentiality": "on"}, 404)  # fmt: skip
        post(f"/ja/reviews/{pk}/save/", {"score_novelty": "4"}, 404)
    own_file = f"/ja/reviews/{own}/files/{_sha(conflicted_p)}/"
    get(own_file, 404)  # another proposal's file through their own assignment
    for p in (conflicted_p, unassigned_p):
        for suffix in ("", "versions/1/", "versions/1/pdf", f"files/{_sha(p)}/", "members/"):
            response = client.get(f"/ja/proposals/{p.pk}/{suffix}")
            assert response.status_code in (302, 404), (p.pk, suffix, response.status_code)
            seen[f"/ja/proposals/{p.pk}/{suffix}"] = _text(response)
    # Staff pages and exports: not theirs.
    for url in ("/ja/reviews/rounds/", f"/ja/reviews/rounds/{leaky.round_pk}/",
                f"/ja/reviews/rounds/{leaky.round_pk}/panel/",
                f"/ja/reviews/rounds/{leaky.round_pk}/panel.csv",
                f"/ja/proposals/calls/{conflicted_p.call_id}/stats.csv"):  # fmt: skip
        get(url, 404)
    get(f"/ja/awards/?q={PROBE}")

    token = issue_api_token(leaky.reviewer, name="t")[1]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    api = [
        ("get", "/api/v1/me/reviews", None), ("get", "/api/v1/me/tasks", None),
        ("get", "/api/v1/proposals", None), ("get", f"/api/v1/proposals/{conflicted_p.pk}", None),
        ("get", f"/api/v1/proposals/{unassigned_p.pk}", None),
        ("get", f"/api/v1/proposals/{conflicted_p.pk}/files/{_sha(conflicted_p)}", None),
        ("post", f"/api/v1/me/reviews/{c}/accept", {"no_conflict": True, "confidentiality": True}),
        ("post", f"/api/v1/me/reviews/{c}/decline", {"reason": ""}),
        ("put", f"/api/v1/me/reviews/{c}/review", {"scores": {"novelty": 4}}),
        ("put", f"/api/v1/me/reviews/{u}/review", {"scores": {"novelty": 4}}),
        ("get", "/api/v1/reviews/rounds", None),
        ("get", f"/api/v1/awards?q={PROBE}", None),
    ]  # fmt: skip

    for method, url, body in api:
        response = getattr(client, method)(
            url, json.dumps(body) if body is not None else None,
            content_type="application/json", **auth,
        )  # fmt: skip
        if "/reviews/" in url and url.rsplit("/", 2)[-2] in (str(c), str(u)):
            assert response.status_code == 404, (url, response.status_code)
        seen[f"API {method} {url}"] = _text(response)

    leaks = sorted(url for url, text in seen.items() if CANARY in text)
    assert leaks == [], f"the canary shows at: {leaks}"
    # The reviewer's own proposal shows: its page, its file and the API list.
    assert CONTROL in seen[f"/ja/reviews/{own}/"]
    assert CONTROL in seen[f"/ja/reviews/{own}/files/{_sha(own_p)}/"]
    assert CONTROL in seen["API get /api/v1/me/reviews"]
    assert ReviewAssignment.objects.get(pk=c).status == AssignmentStatus.ACCEPTED  # untouched
