import hashlib
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from openrd.accounts.models import Affiliation, ApiToken, Organisation, Role
from openrd.accounts.services import (
    add_affiliation,
    assign_role,
    authenticate_token,
    create_user,
    issue_api_token,
    load_organisations,
    revoke_api_token,
    update_profile,
    upsert_organisation,
)
from openrd.accounts.tests.factories import OrganisationFactory, UserFactory
from openrd.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_upsert_organisation_creates_and_audits_with_before_and_after():
    org = upsert_organisation(code="acme", kind="startup", name_ja="アクメ", is_sme=True)
    upsert_organisation(code="acme", kind="startup", name_ja="アクメ株式会社", is_sme=True)
    entries = list(AuditEntry.objects.filter(object_id=str(org.pk)).order_by("id"))
    assert [e.action for e in entries] == [
        "accounts.organisation.created",
        "accounts.organisation.updated",
    ]
    assert entries[1].before["name_ja"] == "アクメ"
    assert entries[1].after["name_ja"] == "アクメ株式会社"


def test_upsert_organisation_unchanged_writes_no_audit_entry():
    upsert_organisation(code="acme", kind="startup", name_ja="アクメ")
    upsert_organisation(code="acme", kind="startup", name_ja="アクメ")
    assert AuditEntry.objects.filter(action__startswith="accounts.organisation").count() == 1


def test_upsert_organisation_with_bad_corporate_number_saves_nothing():
    with pytest.raises(ValidationError) as exc:
        upsert_organisation(
            code="bad", kind="company", name_ja="誤り", corporate_number="4010001234568"
        )
    assert "corporate_number" in exc.value.message_dict
    assert not Organisation.objects.filter(code="bad").exists()
    assert not AuditEntry.objects.exists()


def test_load_organisations_links_parents_and_is_idempotent():
    load_organisations()
    load_organisations()
    assert Organisation.objects.get(code="csti").parent == Organisation.objects.get(code="cao")
    assert Organisation.objects.get(code="jst").kind == "funding_agency"
    assert AuditEntry.objects.filter(action="accounts.organisation.created").count() == (
        Organisation.objects.count()
    )


def test_create_user_hashes_password_with_argon2_and_grants_roles(settings):
    from openrd import settings as production

    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS
    org = OrganisationFactory()
    user = create_user(
        username="kenkyu", password="s3cret-pass", organisation=org,
        roles=[(Role.RESEARCHER, None), (Role.REVIEWER, None)],
    )  # fmt: skip
    assert user.password.startswith("argon2$")
    assert user.check_password("s3cret-pass")
    assert user.role_codes() == {"researcher", "reviewer"}
    assert AuditEntry.objects.filter(action="accounts.role.assigned").count() == 2


def test_create_user_with_bad_orcid_saves_nothing():
    with pytest.raises(ValidationError) as exc:
        create_user(username="x", password="pw-pw-pw-pw", orcid="0000-0002-1825-0098")
    assert "orcid" in exc.value.message_dict
    assert not AuditEntry.objects.exists()


def test_assign_role_rejects_unknown_role():
    user = UserFactory()
    with pytest.raises(ValueError, match="wizard"):
        assign_role(user, "wizard")


def test_affiliation_records_concurrent_foreign_unpaid_positions():
    person = UserFactory()
    foreign = OrganisationFactory(country="US")
    aff = add_affiliation(person, foreign, kind="concurrent", is_paid=False,
                          start_date=date(2022, 4, 1))  # fmt: skip
    assert aff.is_foreign is True
    assert aff.is_paid is False
    assert person.affiliations.get().kind == "concurrent"


def test_affiliation_ending_before_it_starts_is_refused():
    with pytest.raises(ValidationError) as exc:
        add_affiliation(UserFactory(), OrganisationFactory(),
                        start_date=date(2023, 4, 1), end_date=date(2023, 3, 31))  # fmt: skip
    assert "affiliation_ends_after_start" in str(exc.value.message_dict["__all__"])
    assert not Affiliation.objects.exists()


def test_api_token_authenticates_until_revoked():
    user = UserFactory()
    token, raw = issue_api_token(user, name="script")
    assert authenticate_token(raw) == user
    assert raw not in {token.digest, token.prefix}
    revoke_api_token(token, actor=user)
    assert authenticate_token(raw) is None


def test_expired_or_unknown_api_token_authenticates_nobody():
    user = UserFactory()
    token, raw = issue_api_token(user, name="old", expires_at=timezone.now() + timedelta(days=1))
    assert authenticate_token(raw) == user
    # A day later:
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert authenticate_token(raw) is None
    assert authenticate_token("ord_not-a-real-token") is None
    assert authenticate_token("Bearer something") is None
    assert ApiToken.objects.count() == 1


def test_a_token_with_an_expiry_in_the_past_is_refused_and_not_stored():
    with pytest.raises(ValidationError) as exc:
        issue_api_token(UserFactory(), name="old", expires_at=timezone.now() - timedelta(seconds=1))
    assert list(exc.value.message_dict) == ["expires_at"]
    assert not ApiToken.objects.exists()


def test_an_unknown_scope_or_a_blank_name_is_a_field_error():
    user = UserFactory()
    with pytest.raises(ValidationError) as exc:
        issue_api_token(user, name="ok", scope="admin")
    assert list(exc.value.message_dict) == ["scope"]
    with pytest.raises(ValidationError) as exc:
        issue_api_token(user, name="   ")
    assert list(exc.value.message_dict) == ["name"]
    assert not ApiToken.objects.exists()


def test_issuing_and_revoking_are_audited_and_only_the_digest_is_stored():
    user = UserFactory()
    token, raw = issue_api_token(user, name="ci", scope="read", actor=user)
    token.refresh_from_db()
    assert token.digest == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in str(list(ApiToken.objects.values()))
    issued = AuditEntry.objects.get(action="accounts.token.issued")
    assert issued.after["scope"] == "read"
    assert raw not in str(issued.after)
    revoke_api_token(token, actor=user)
    revoke_api_token(token, actor=user)  # again: nothing new happens
    revoked = AuditEntry.objects.get(action="accounts.token.revoked")
    assert (revoked.before["revoked_at"], revoked.after["revoked_at"] is not None) == (None, True)
    assert revoked.actor == user


def test_country_codes_are_normalised_and_unassigned_ones_refused():
    org = upsert_organisation(code="abroad", kind="university", name_ja="海外大学", country="ｕｓ")
    assert org.country == "US"
    with pytest.raises(ValidationError) as exc:
        upsert_organisation(code="nowhere", kind="university", name_ja="架空", country="ZZ")
    assert list(exc.value.message_dict) == ["country"]
    assert not Organisation.objects.filter(code="nowhere").exists()


@pytest.mark.parametrize("name", ["\u202eakanaT", "田中\u200b太郎", "Tanaka\u2066"])
def test_names_with_bidi_or_invisible_characters_are_refused(name):
    user = UserFactory(name_en="Before")
    with pytest.raises(ValidationError) as exc:
        update_profile(user, actor=user, name_en=name)
    assert list(exc.value.message_dict) == ["name_en"]
    user.refresh_from_db()
    assert user.name_en == "Before"
    with pytest.raises(ValidationError) as exc:
        upsert_organisation(code="spoof", kind="company", name_ja=name)
    assert list(exc.value.message_dict) == ["name_ja"]
