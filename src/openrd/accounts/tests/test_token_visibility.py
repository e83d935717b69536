"""A token and a session of the same person see the same objects, public
endpoints included (they honour a bearer token too)."""

import pytest

from openrd.accounts.models import Role
from openrd.accounts.services import issue_api_token, upsert_organisation
from openrd.accounts.tests.factories import UserFactory
from openrd.programs.services import open_call
from openrd.programs.tests.call_data import agency_staff, make_call
from openrd.proposals.services import create_proposal

pytestmark = pytest.mark.django_db


def _as_token(client, user, url, scope="read"):
    client.logout()
    raw = issue_api_token(user, name="t", scope=scope)[1]
    return client.get(url, HTTP_AUTHORIZATION=f"Bearer {raw}")


def _as_session(client, user, url):
    client.force_login(user)
    response = client.get(url)
    client.logout()
    return response


def test_a_draft_call_is_the_same_for_a_token_and_a_session(client, loaded_programs):
    draft = make_call(code="ms-draft")
    url = f"/api/v1/calls/{draft.pk}"
    manager = agency_staff("jst")
    by_session = _as_session(client, manager, url)
    by_token = _as_token(client, manager, url)
    assert (by_session.status_code, by_token.status_code) == (200, 200)
    assert by_session.json() == by_token.json()
    assert by_token.json()["status"] == "draft"
    outsider = agency_staff("nedo")
    assert _as_session(client, outsider, url).status_code == 404
    assert _as_token(client, outsider, url).status_code == 404
    assert client.get(url).status_code == 404  # the public


def test_a_proposal_is_the_same_for_a_token_and_a_session(client, loaded_programs):
    call = make_call(code="ms-open")
    open_call(call, actor=None)
    startup = upsert_organisation(code="sakura", kind="startup", name_ja="さくら量子")
    applicant = UserFactory(organisation=startup, roles=[Role.RESEARCHER])
    proposal = create_proposal(actor=applicant, call=call)
    url = f"/api/v1/proposals/{proposal.pk}"
    by_session = _as_session(client, applicant, url)
    by_token = _as_token(client, applicant, url)
    assert (by_session.status_code, by_token.status_code) == (200, 200)
    assert by_session.json() == by_token.json()
    listed = "/api/v1/proposals"
    assert (
        _as_session(client, applicant, listed).json() == _as_token(client, applicant, listed).json()
    )
    stranger = UserFactory(roles=[Role.RESEARCHER])
    assert _as_session(client, stranger, url).status_code == 404
    assert _as_token(client, stranger, url).status_code == 404
