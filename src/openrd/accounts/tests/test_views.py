import pytest

from openrd.accounts.services import add_affiliation
from openrd.accounts.tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_profile_requires_login(client):
    response = client.get("/ja/accounts/me/")
    assert response.status_code == 302
    assert response["Location"].startswith("/ja/accounts/login/")


def test_profile_lists_foreign_unpaid_concurrent_positions(client):
    user = UserFactory()
    add_affiliation(user, OrganisationFactory(name_ja="海外大学", country="US"),
                    kind="concurrent", is_paid=False)  # fmt: skip
    client.force_login(user)
    page = client.get("/ja/accounts/me/").content.decode()
    assert "海外大学" in page
    assert "海外" in page
    assert "無給" in page


def test_profile_edit_shows_field_error_and_keeps_what_was_typed(client):
    user = UserFactory(orcid=None)
    client.force_login(user)
    response = client.post(
        "/ja/accounts/me/edit/",
        {"name_ja": "新しい名前", "orcid": "0000-0002-1825-0098", "erad_researcher_number": ""},
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert 'value="新しい名前"' in page
    assert 'value="0000-0002-1825-0098"' in page
    assert 'aria-invalid="true"' in page
    user.refresh_from_db()
    assert user.name_ja != "新しい名前"


def test_profile_edit_saves_full_width_input_normalised(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post("/en/accounts/me/edit/", {"erad_researcher_number": "１２３４５６７８"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.erad_researcher_number == "12345678"
