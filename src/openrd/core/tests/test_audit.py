import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory

from openrd.accounts.models import Organisation
from openrd.accounts.tests.factories import OrganisationFactory, UserFactory
from openrd.core import audit
from openrd.core.audit import chain_links
from openrd.core.audit_chain import GENESIS, entry_hash, verify
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


def test_database_refuses_to_delete_an_audit_entry_even_in_raw_sql():
    # On SQLite as well as PostgreSQL (migration 0005).
    entry = audit.record("test.created")
    for sql in ["DELETE FROM core_auditentry WHERE id = %s", "DELETE FROM core_auditentry"]:
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk] if "%s" in sql else [])
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_entries_form_a_hash_chain_in_writing_order():
    first = audit.record("test.one", after={"n": 1})
    second = audit.record("test.two", before={"n": 1}, after={"n": 2.0})
    third = audit.record("test.three")
    assert [e.seq for e in (first, second, third)] == [1, 2, 3]
    assert first.prev_hash == GENESIS
    assert (second.prev_hash, third.prev_hash) == (first.hash, second.hash)
    assert first.at <= second.at <= third.at
    assert verify(chain_links(batch=2)) is None


def test_stored_entry_hashes_to_its_recorded_hash():
    # What the database hands back (normalised IPv6, JSON, UTC time) must hash
    # exactly as the entry did when it was written.
    request = RequestFactory().get("/", REMOTE_ADDR="2001:DB8:0:0::1")
    entry = audit.record(
        "test.changed", actor=UserFactory(username="kanri"), request=request,
        before={"name": "組織", "big": 1e16, "nested": {"b": [1, 2], "a": None}},
    )  # fmt: skip
    [link] = list(chain_links())
    assert link.fields["ip_address"] == "2001:db8::1"
    assert (link.hash, entry_hash(link.fields, GENESIS)) == (entry.hash, entry.hash)


def test_a_time_that_steps_back_does_not_back_date_the_next_entry(monkeypatch):
    first = audit.record("test.one")
    monkeypatch.setattr(audit.timezone, "now", lambda: first.at - dt.timedelta(hours=1))
    second = audit.record("test.two")
    assert second.at == first.at
    assert verify(chain_links()) is None


def test_verify_audit_command_reports_an_intact_log_and_exports_its_head(tmp_path):
    audit.record("test.one")
    last = audit.record("test.two")
    out = io.StringIO()
    call_command("verify_audit", export_checkpoint=tmp_path / "head.json", stdout=out)
    assert "audit log intact: 2 entries" in out.getvalue()
    saved = json.loads((tmp_path / "head.json").read_text())
    assert (saved["seq"], saved["hash"]) == (2, last.hash)
    call_command("verify_audit", checkpoint=tmp_path / "head.json", stdout=io.StringIO())


def test_verify_audit_command_refuses_an_unreadable_checkpoint(tmp_path):
    (tmp_path / "bad.json").write_text("not json")
    with pytest.raises(CommandError, match="cannot read checkpoint") as caught:
        call_command("verify_audit", checkpoint=tmp_path / "bad.json")
    assert caught.value.returncode == 2


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
