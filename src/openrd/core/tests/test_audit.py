import pytest
from django.db import DatabaseError, connection, transaction

from openrd.accounts.models import Organisation
from openrd.accounts.tests.factories import OrganisationFactory, UserFactory
from openrd.core import audit
from openrd.core.models import AuditEntry, AuditLogIsAppendOnly

pytestmark = pytest.mark.django_db


def test_record_keeps_who_what_before_and_after():
    user = UserFactory(username="kanri")
    org = OrganisationFactory(code="acme")
    entry = audit.record("test.changed", actor=user, obj=org, before={"a": 1}, after={"a": 2})
    entry.refresh_from_db()
    assert (entry.actor, entry.actor_label, entry.action) == (user, "kanri", "test.changed")
    assert (entry.object_type, entry.object_id) == ("accounts.organisation", str(org.pk))
    assert (entry.before, entry.after) == ({"a": 1}, {"a": 2})


def test_snapshot_is_json_safe():
    org = OrganisationFactory(founded_on="2015-06-01")
    org.refresh_from_db()
    assert audit.snapshot(org)["founded_on"] == "2015-06-01"


def test_audit_entries_cannot_be_changed_or_deleted_through_the_orm():
    entry = audit.record("test.created")
    entry.action = "test.forged"
    with pytest.raises(AuditLogIsAppendOnly):
        entry.save()
    with pytest.raises(AuditLogIsAppendOnly):
        entry.delete()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEntry.objects.all().update(action="test.forged")
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEntry.objects.all().delete()


def test_database_refuses_to_rewrite_an_audit_entry_even_in_raw_sql():
    entry = audit.record("test.created")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditentry SET action = 'test.forged' WHERE id = %s",
                       [entry.pk])  # fmt: skip
    assert AuditEntry.objects.get(pk=entry.pk).action == "test.created"


def test_anonymous_actor_is_recorded_as_nobody():
    from django.contrib.auth.models import AnonymousUser

    entry = audit.record("test.viewed", actor=AnonymousUser())
    assert (entry.actor, entry.actor_label) == (None, "")


def test_organisation_service_changes_are_audited_with_the_actor():
    from openrd.accounts.services import upsert_organisation

    admin = UserFactory()
    upsert_organisation(code="acme", kind="startup", name_ja="アクメ", actor=admin)
    entry = AuditEntry.objects.get(action="accounts.organisation.created")
    assert entry.actor == admin
    assert entry.after["name_ja"] == "アクメ"
    assert Organisation.objects.get(code="acme").name_ja == "アクメ"
