"""A superuser's changes in /admin/ either go through the services (and leave an
audit entry with the state before and after) or are refused."""

from html.parser import HTMLParser

import pytest

from openrd.accounts.models import ApiToken, Organisation, Role, RoleAssignment, User
from openrd.accounts.services import issue_api_token, load_organisations
from openrd.accounts.tests.factories import UserFactory
from openrd.core.models import AuditEntry
from openrd.integrity.models import DisclosureVersion
from openrd.integrity.services import save_disclosure
from openrd.programs.models import Call, Program, ProgramElement
from openrd.programs.tests.call_data import make_call

pytestmark = pytest.mark.django_db


class _FormValues(HTMLParser):
    """The values a browser would send for the admin's change form, as rendered."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in {"submit", "button", "file"}:
            if a.get("type") in {"checkbox", "radio"}:
                if "checked" in a:
                    self.data.setdefault(name, []).append(a.get("value") or "on")
            else:
                self.data.setdefault(name, []).append(a.get("value") or "")
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select].append(a.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = [""]

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] = [self.data[self._textarea][0] + data]


def _form(client, url):
    response = client.get(url)
    assert response.status_code == 200
    parser = _FormValues()
    parser.feed(response.content.decode())
    parser.data.pop("csrfmiddlewaretoken", None)
    return parser.data


@pytest.fixture
def superuser(client):
    user = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


# ---------------------------------------------------------------- users


def test_making_a_user_staff_is_audited_with_before_and_after(client, superuser):
    target = UserFactory(username="kenkyu")
    url = f"/en/admin/accounts/user/{target.pk}/change/"
    data = _form(client, url) | {"is_staff": ["on"]}
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    target.refresh_from_db()
    assert target.is_staff is True
    entry = AuditEntry.objects.get(action="accounts.user.changed", object_id=str(target.pk))
    assert entry.actor == superuser
    assert (entry.before["is_staff"], entry.after["is_staff"]) == (False, True)
    assert "password" not in entry.before
    assert "password" not in entry.after


def test_granting_a_role_in_the_admin_is_audited_in_the_same_entry(client, superuser):
    target = UserFactory(username="kenkyu")
    url = f"/en/admin/accounts/user/{target.pk}/change/"
    data = _form(client, url) | {
        "role_assignments-TOTAL_FORMS": ["1"],
        "role_assignments-0-role": [Role.COMMAND_TOWER_ADMIN.value],
        "role_assignments-0-organisation": [""],
        "role_assignments-0-user": [str(target.pk)],
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert RoleAssignment.objects.filter(user=target, role=Role.COMMAND_TOWER_ADMIN).exists()
    entry = AuditEntry.objects.get(action="accounts.user.changed", object_id=str(target.pk))
    assert (entry.before["roles"], entry.after["roles"]) == ([], ["command_tower_admin"])


def test_adding_a_user_in_the_admin_is_audited_without_the_password(client, superuser):
    url = "/en/admin/accounts/user/add/"
    data = _form(client, url) | {
        "username": ["newcomer"], "password1": ["A-new-long-passphrase-42"],
        "password2": ["A-new-long-passphrase-42"], "usable_password": ["true"],
    }  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username="newcomer")
    entry = AuditEntry.objects.get(action="accounts.user.created", object_id=str(user.pk))
    assert (entry.actor, entry.before) == (superuser, None)
    assert entry.after["is_superuser"] is False
    assert user.password not in str(entry.after)


def test_setting_a_password_in_the_admin_is_audited_without_the_hash(client, superuser):
    target = UserFactory(username="kenkyu")
    old_hash = target.password
    url = f"/en/admin/accounts/user/{target.pk}/password/"
    response = client.post(
        url, {"password1": "A-new-long-passphrase-42", "password2": "A-new-long-passphrase-42",
              "usable_password": "true"},
    )  # fmt: skip
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.password != old_hash
    entry = AuditEntry.objects.get(action="accounts.user.changed", object_id=str(target.pk))
    assert entry.after["password_changed"] is True
    assert old_hash not in str(entry.before)
    assert target.password not in str(entry.after)


def test_a_save_that_changes_nothing_writes_no_entry_and_users_are_not_deleted(client, superuser):
    target = UserFactory(username="kenkyu")
    url = f"/en/admin/accounts/user/{target.pk}/change/"
    assert client.post(url, _form(client, url)).status_code == 302
    assert not AuditEntry.objects.filter(action="accounts.user.changed").exists()
    delete = f"/en/admin/accounts/user/{target.pk}/delete/"
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert User.objects.filter(pk=target.pk).exists()


def test_affiliations_cannot_be_edited_in_the_admin(client, superuser):
    target = UserFactory(username="kenkyu")
    data = _form(client, f"/en/admin/accounts/user/{target.pk}/change/")
    assert not any(name.startswith("affiliations-0-") for name in data)


# ---------------------------------------------------------------- organisations


def test_renaming_an_organisation_goes_through_the_service(client, superuser):
    load_organisations()
    org = Organisation.objects.get(code="jst")
    url = f"/en/admin/accounts/organisation/{org.pk}/change/"
    data = _form(client, url) | {"name_en": ["Renamed Agency"]}
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    org.refresh_from_db()
    assert org.name_en == "Renamed Agency"
    entry = AuditEntry.objects.get(action="accounts.organisation.updated", object_id=str(org.pk))
    assert entry.actor == superuser
    assert entry.after["name_en"] == "Renamed Agency"
    assert entry.before["name_en"] != "Renamed Agency"


def test_an_organisation_with_an_unassigned_country_is_refused_in_the_admin(client, superuser):
    load_organisations()
    org = Organisation.objects.get(code="jst")
    url = f"/en/admin/accounts/organisation/{org.pk}/change/"
    response = client.post(url, _form(client, url) | {"country": ["ZZ"]})
    assert response.status_code == 200
    assert "Enter an ISO 3166-1 country code" in response.content.decode()
    org.refresh_from_db()
    assert org.country == "JP"
    assert not AuditEntry.objects.filter(action="accounts.organisation.updated").exists()


def test_adding_an_organisation_in_the_admin_is_audited(client, superuser):
    url = "/en/admin/accounts/organisation/add/"
    data = _form(client, url) | {
        "code": ["new-lab"], "kind": ["national_lab"], "name_ja": ["新研究所"], "country": ["JP"],
    }  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    org = Organisation.objects.get(code="new-lab")
    entry = AuditEntry.objects.get(action="accounts.organisation.created", object_id=str(org.pk))
    assert entry.actor == superuser


# ---------------------------------------------------------------- refused


def test_programs_elements_and_calls_cannot_be_changed_in_the_admin(
    client, superuser, loaded_programs
):
    call = make_call()
    program = Program.objects.get(code="moonshot")
    element = ProgramElement.objects.filter(program=program).first()
    before = (call.cap_per_proposal_yen, call.closes_at, program.name_en)
    for url in [
        f"/en/admin/programs/call/{call.pk}/change/",
        f"/en/admin/programs/program/{program.pk}/change/",
        f"/en/admin/programs/programelement/{element.pk}/change/",
    ]:
        assert client.get(url).status_code == 200  # may look
        assert client.post(url, {"cap_per_proposal_yen": "1"}).status_code == 403, url
    for url in ["/en/admin/programs/call/add/", f"/en/admin/programs/call/{call.pk}/delete/"]:
        assert client.post(url, {"post": "yes"}).status_code == 403
    call.refresh_from_db()
    program.refresh_from_db()
    assert (call.cap_per_proposal_yen, call.closes_at, program.name_en) == before
    assert Call.objects.count() == 1


def test_disclosure_versions_cannot_be_changed_in_the_admin(client, superuser):
    person = UserFactory()
    save_disclosure(person, actor=person, fundings=[], positions=[])
    version = DisclosureVersion.objects.get(person=person)
    url = f"/en/admin/integrity/disclosureversion/{version.pk}/change/"
    assert client.post(url, {"number": "9"}).status_code == 403
    version.refresh_from_db()
    assert version.number == 1


def test_tokens_cannot_be_edited_in_the_admin_but_are_revoked_through_the_service(
    client, superuser
):
    owner = UserFactory()
    token, _raw = issue_api_token(owner, name="script")
    url = f"/en/admin/accounts/apitoken/{token.pk}/change/"
    assert client.post(url, {"name": "x", "scope": "write"}).status_code == 403
    response = client.post(
        "/en/admin/accounts/apitoken/",
        {"action": "revoke", "_selected_action": [str(token.pk)], "index": "0"},
    )
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    entry = AuditEntry.objects.get(action="accounts.token.revoked")
    assert (entry.actor, entry.object_id) == (superuser, str(token.pk))
    assert ApiToken.objects.get(pk=token.pk).name == "script"
