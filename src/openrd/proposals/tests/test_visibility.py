"""A canary planted in a draft never reaches anyone who may not see the draft."""

import pytest

from openrd.accounts.services import issue_api_token
from openrd.core.models import AuditEntry
from openrd.core.tests import pdfs
from openrd.proposals import services
from openrd.proposals.tests.conftest import PDF, add_co_investigator

pytestmark = pytest.mark.django_db

CANARY = "CANARY-7f3a-9c21"
CANARY_PDF = pdfs.plain(CANARY)


@pytest.fixture
def planted(world, client):
    p = services.create_proposal(actor=world.applicant, call=world.call)
    services.save_draft(
        p,
        actor=world.applicant,
        revision=p.revision,
        changes=services.DraftChanges(
            fields={"title_ja": f"題名 {CANARY}", "abstract_en": CANARY},
        ),
    )
    add_co_investigator(p, world.co_investigator)
    attachment = services.attach_document(
        p, actor=world.applicant, document_code="plan", upload=CANARY_PDF, filename=f"{CANARY}.pdf"
    )
    return p, attachment.file.sha256


def pages(p, sha):
    return [
        "/ja/",
        "/en/",
        "/ja/programs/",
        "/ja/calls/",
        f"/ja/calls/{p.call_id}/",
        "/ja/proposals/",
        "/en/proposals/",
        f"/ja/proposals/{p.pk}/",
        f"/ja/proposals/{p.pk}/files/{sha}/",
        "/api/v1/calls",
        f"/api/v1/calls/{p.call_id}",
        "/api/v1/proposals",
        f"/api/v1/proposals/{p.pk}",
        f"/api/v1/proposals/{p.pk}/files/{sha}",
    ]


def body(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode(errors="replace")


@pytest.mark.parametrize("who", ["anonymous", "stranger", "officer", "nedo_staff", "jst_staff"])
def test_no_other_user_page_api_list_or_file_url_returns_the_canary(client, world, planted, who):
    p, sha = planted
    headers = {}
    if who != "anonymous":
        user = getattr(world, who)
        client.force_login(user)
        headers = {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(user, name='t')[1]}"}
    for url in pages(p, sha):
        response = client.get(url, **headers)
        assert CANARY not in body(response), (who, url)
        assert response.status_code in {200, 302, 401, 404}, (who, url, response.status_code)
    detail = client.get(f"/ja/proposals/{p.pk}/", **headers)
    assert detail.status_code in {302, 404} if who == "anonymous" else detail.status_code == 404


def test_denied_access_is_audited(client, world, planted):
    p, _sha = planted
    client.force_login(world.stranger)
    assert client.get(f"/ja/proposals/{p.pk}/").status_code == 404
    entry = AuditEntry.objects.filter(action="access.denied").latest("id")
    assert (entry.actor, entry.object_type, entry.object_id) == (
        world.stranger,
        "proposals.proposal",
        str(p.pk),
    )


def test_the_applicant_and_the_co_investigator_do_see_it(client, world, planted):
    p, sha = planted
    for user in (world.applicant, world.co_investigator):
        client.force_login(user)
        assert CANARY in client.get(f"/ja/proposals/{p.pk}/").content.decode()
        assert CANARY.encode() in b"".join(
            client.get(f"/ja/proposals/{p.pk}/files/{sha}/").streaming_content
        )


def _submit_clean(world, p):
    p.refresh_from_db()
    services.save_draft(
        p,
        actor=world.applicant,
        revision=p.revision,
        changes=services.DraftChanges(
            fields={"title_ja": "提出版", "abstract_en": "", "effort_percent": 10},
            budget=[(2026, 1_000_000)],
        ),
    )
    services.attach_document(
        p, actor=world.applicant, document_code="plan", upload=PDF, filename="plan.pdf"
    )
    services.submit_proposal(p, actor=world.applicant, idempotency_key="v1")
    p.refresh_from_db()


def test_after_a_return_the_officer_sees_the_version_not_the_edits_made_since(
    client, world, planted
):
    p, _sha = planted
    _submit_clean(world, p)
    services.return_proposal(p, actor=world.officer, comment="書き直してください")
    p.refresh_from_db()
    services.save_draft(
        p,
        actor=world.applicant,
        revision=p.revision,
        changes=services.DraftChanges(fields={"abstract_en": CANARY}),
    )
    later = services.attach_document(
        p, actor=world.applicant, document_code="letter", upload=CANARY_PDF, filename="x.pdf"
    )
    client.force_login(world.officer)
    page = client.get(f"/ja/proposals/{p.pk}/").content.decode()
    assert "提出版" in page
    assert CANARY not in page
    file_url = f"/ja/proposals/{p.pk}/files/{later.file.sha256}/"
    assert client.get(file_url).status_code == 404
    assert client.post(f"/ja/proposals/{p.pk}/save/", {"revision": p.revision}).status_code == 404


def test_institution_and_agency_never_download_a_working_copy_file_added_after_submission(
    client, world, planted
):
    from openrd.core.files import store_pdf
    from openrd.proposals.models import ProposalAttachment

    p, _sha = planted
    _submit_clean(world, p)
    services.endorse_proposal(p, actor=world.officer)
    # Planted past the services (which refuse any change now): the rule that
    # guards downloads must hold on its own.
    stored = store_pdf(pdfs.plain("LATE-" + CANARY))
    ProposalAttachment.objects.filter(proposal=p, document_code="plan").update(file=stored)
    for user in (world.officer, world.nedo_staff):
        client.force_login(user)
        token = {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(user, name='t')[1]}"}
        assert client.get(f"/ja/proposals/{p.pk}/files/{stored.sha256}/").status_code == 404
        assert (
            client.get(f"/api/v1/proposals/{p.pk}/files/{stored.sha256}", **token).status_code
            == 404
        )
    client.force_login(world.applicant)
    assert client.get(f"/ja/proposals/{p.pk}/files/{stored.sha256}/").status_code == 200
