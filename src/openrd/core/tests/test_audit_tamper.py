"""Tampering with the audit log behind the application's back is detected.

Each case writes a short log through ``audit.record``, then changes it with
raw SQL, with the append-only triggers out of the way (as someone with the
database's owner rights could), and runs the verifier. Runs on SQLite and on
PostgreSQL alike; each case is undone by rolling back its savepoint.
"""

import io
import random

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from openrd.accounts.tests.factories import UserFactory
from openrd.core import audit
from openrd.core.audit import chain_links, current_checkpoint
from openrd.core.audit_chain import entry_hash, verify
from openrd.core.models import AuditEntry

pytestmark = pytest.mark.django_db

SHIFT = 1_000_000  # moves sequence numbers out of the way of the unique constraint


class Undo(Exception):
    pass


def _sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, list(params))


def _lift_triggers():
    # Inside the case's savepoint, so the rollback restores them.
    if connection.vendor == "postgresql":
        # What a superuser can do; undone with the savepoint like the rest.
        _sql("SET LOCAL session_replication_role = replica")
    else:
        _sql("DROP TRIGGER core_auditentry_no_update")
        _sql("DROP TRIGGER core_auditentry_no_delete")


def _write_log(rng, n):
    users = [UserFactory(), None]
    for i in range(n):
        audit.record(
            rng.choice(["test.created", "test.changed", "access.denied"]),
            actor=rng.choice(users), object_type="test.thing", object_id=str(i),
            object_repr=f"もの {i}", before={"v": i}, after={"v": i + 1, "f": rng.random()},
        )  # fmt: skip


def _ids_by_seq():
    return dict(AuditEntry.objects.values_list("seq", "id"))


def _shift_from(seq, by):
    _sql("UPDATE core_auditentry SET seq = seq + %s WHERE seq >= %s", [SHIFT, seq])
    _sql("UPDATE core_auditentry SET seq = seq - %s WHERE seq >= %s", [SHIFT - by, SHIFT + seq])


def _forged_row(seq, prev_hash, at, *, correct_hash):
    fields = {
        "seq": seq, "at": at, "actor_id": None, "actor_label": "", "action": "test.forged",
        "object_type": "test.thing", "object_id": "x", "object_repr": "偽", "before": None,
        "after": None, "ip_address": None,
    }  # fmt: skip
    digest = entry_hash(fields, prev_hash) if correct_hash else "e" * 64
    AuditEntry(**fields, prev_hash=prev_hash, hash=digest).save(force_insert=True)


def _edit(rng, n):
    seq = rng.randint(1, n)
    column, value = rng.choice(
        [("action", "test.forged"), ("object_repr", "書き換え"), ("actor_label", "someone"),
         ("object_id", "999"), ("ip_address", "198.51.100.66"), ("before", '{"v": -1}')]
    )  # fmt: skip
    _sql(f"UPDATE core_auditentry SET {column} = %s WHERE seq = %s", [value, seq])  # noqa: S608
    return seq


def _back_date(rng, n):
    seq = rng.randint(1, n)
    if connection.vendor == "postgresql":
        _sql("UPDATE core_auditentry SET at = at - interval '1 day' WHERE seq = %s", [seq])
    else:
        _sql("UPDATE core_auditentry SET at = datetime(at, '-1 day') WHERE seq = %s", [seq])
    return seq


def _delete(rng, n):
    seq = rng.randint(1, n - 1)
    _sql("DELETE FROM core_auditentry WHERE seq = %s", [seq])
    return seq


def _delete_and_renumber(rng, n):
    seq = rng.randint(1, n - 1)
    _sql("DELETE FROM core_auditentry WHERE seq = %s", [seq])
    _shift_from(seq + 1, -1)
    return seq


def _swap(rng, n):
    first, second = sorted(rng.sample(range(1, n + 1), 2))
    _sql("UPDATE core_auditentry SET seq = %s WHERE seq = %s", [SHIFT, first])
    _sql("UPDATE core_auditentry SET seq = %s WHERE seq = %s", [first, second])
    _sql("UPDATE core_auditentry SET seq = %s WHERE seq = %s", [second, SHIFT])
    return first


def _insert_in_the_middle(rng, n):
    # A forged entry with a correctly computed hash, slipped in before seq k:
    # the entry after it no longer links to its predecessor.
    seq = rng.randint(2, n)
    before = AuditEntry.objects.get(seq=seq - 1)
    _shift_from(seq, 1)
    _forged_row(seq, before.hash, before.at, correct_hash=True)
    return seq


def _insert_back_dated_at_the_end(rng, n):
    last = AuditEntry.objects.get(seq=n)
    first = AuditEntry.objects.get(seq=1)
    _forged_row(n + 1, last.hash, first.at.replace(year=first.at.year - 1), correct_hash=True)
    return n + 1


def _insert_with_a_made_up_hash(rng, n):
    last = AuditEntry.objects.get(seq=n)
    _forged_row(n + 1, last.hash, last.at, correct_hash=False)
    return n + 1


def _rewrite_and_rehash(rng, n):
    # Edit one entry and recompute every hash after it: only a checkpoint
    # kept outside the database tells this log from the real one.
    seq = rng.randint(1, n)
    _sql("UPDATE core_auditentry SET action = 'test.forged' WHERE seq = %s", [seq])
    prev = AuditEntry.objects.get(seq=seq - 1).hash if seq > 1 else "0" * 64
    for link in [link for link in chain_links() if link.seq >= seq]:
        digest = entry_hash(link.fields, prev)
        _sql("UPDATE core_auditentry SET prev_hash = %s, hash = %s WHERE id = %s",
             [prev, digest, link.id])  # fmt: skip
        prev = digest
    return seq


def _truncate_tail(rng, n):
    seq = rng.randint(1, n)
    _sql("DELETE FROM core_auditentry WHERE seq >= %s", [seq])
    return seq


TAMPERINGS = [
    _edit, _back_date, _delete, _delete_and_renumber, _swap, _insert_in_the_middle,
    _insert_back_dated_at_the_end, _insert_with_a_made_up_hash, _rewrite_and_rehash,
    _truncate_tail,
]  # fmt: skip


def _tampered(rng, tamper):
    """Write a log, checkpoint it, tamper, verify; undo everything."""
    n = rng.randint(3, 8)
    result = {}
    try:
        with transaction.atomic():
            _write_log(rng, n)
            checkpoint = current_checkpoint()
            assert verify(chain_links(), checkpoint) is None
            ids = _ids_by_seq()
            _lift_triggers()
            touched = tamper(rng, n)
            result["touched"], result["ids"] = touched, ids
            result["broken"] = verify(chain_links(batch=rng.randint(1, 4)), checkpoint)
            raise Undo
    except Undo:
        pass
    return result


def test_random_tamperings_are_all_detected_at_or_after_the_first_touched_entry():
    rng = random.Random(20260401)
    for round_ in range(60):
        tamper = TAMPERINGS[round_ % len(TAMPERINGS)] if round_ < 20 else rng.choice(TAMPERINGS)
        result = _tampered(rng, tamper)
        broken = result["broken"]
        assert broken is not None, f"{tamper.__name__} went unnoticed (round {round_})"
        # Nothing before the tampering is blamed; detection is at the touched
        # entry or the one after it (a middle insertion hashes correctly itself).
        assert result["touched"] <= broken.seq, (tamper.__name__, broken)
        if tamper not in (_rewrite_and_rehash, _truncate_tail, _insert_in_the_middle):
            assert broken.seq == result["touched"], (tamper.__name__, broken)
    assert not AuditEntry.objects.exists()


def test_an_edited_entry_is_named_by_the_command_with_a_failing_status():
    audit.record("test.one")
    audit.record("test.two")
    entry = audit.record("test.three")
    _lift_triggers()
    _sql("UPDATE core_auditentry SET action = 'test.forged' WHERE seq = 2")
    second = AuditEntry.objects.get(seq=2)
    with pytest.raises(CommandError) as caught:
        call_command("verify_audit", stdout=io.StringIO())
    assert caught.value.returncode == 1
    assert f"seq 2 (id {second.pk}): hash mismatch" in str(caught.value)
    assert entry.seq == 3


def test_a_truncated_tail_is_named_by_the_command_against_a_checkpoint(tmp_path):
    for action in ["test.one", "test.two", "test.three"]:
        audit.record(action)
    call_command("verify_audit", export_checkpoint=tmp_path / "head.json", stdout=io.StringIO())
    _lift_triggers()
    _sql("DELETE FROM core_auditentry WHERE seq = 3")
    call_command("verify_audit", stdout=io.StringIO())  # a shorter chain is still a chain
    with pytest.raises(CommandError, match=r"seq 3: missing: the log ends at seq 2") as caught:
        call_command("verify_audit", checkpoint=tmp_path / "head.json", stdout=io.StringIO())
    assert caught.value.returncode == 1
