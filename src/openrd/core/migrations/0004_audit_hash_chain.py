"""Chain the audit log: a sequence number and a SHA-256 hash on every entry.

Existing entries are numbered in the order they were written and hashed here.
The append-only triggers are dropped for the duration (the hashing is an
UPDATE) and recreated, for DELETE too, by 0005.
"""

import django.utils.timezone
from django.db import migrations, models

from openrd.core.audit_chain import GENESIS, entry_hash

BATCH = 1000

DROP_POSTGRESQL = "DROP TRIGGER IF EXISTS core_auditentry_append_only ON core_auditentry;"
DROP_SQLITE = [
    "DROP TRIGGER IF EXISTS core_auditentry_no_update;",
    "DROP TRIGGER IF EXISTS core_auditentry_no_delete;",
]


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_POSTGRESQL)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in DROP_SQLITE:
            schema_editor.execute(statement)


def restore_0002_triggers(apps, schema_editor):
    # Going back: the log is again guarded as 0002 left it.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE TRIGGER core_auditentry_append_only BEFORE UPDATE OR DELETE ON core_auditentry "
            "FOR EACH ROW EXECUTE FUNCTION core_auditentry_append_only();"
        )
    elif schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            "CREATE TRIGGER core_auditentry_no_update BEFORE UPDATE ON core_auditentry "
            "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
        )


def hash_existing_entries(apps, schema_editor):
    AuditEntry = apps.get_model("core", "AuditEntry")
    prev_hash, seq, last = GENESIS, 0, None
    while True:
        # Keyset pages in writing order, so memory stays bounded on a long log.
        page = AuditEntry.objects.order_by("at", "id")
        if last is not None:
            page = page.filter(models.Q(at__gt=last[0]) | models.Q(at=last[0], id__gt=last[1]))
        rows = list(page[:BATCH])
        if not rows:
            return
        for row in rows:
            seq += 1
            fields = {
                "seq": seq, "at": row.at, "actor_id": row.actor_id,
                "actor_label": row.actor_label, "action": row.action,
                "object_type": row.object_type, "object_id": row.object_id,
                "object_repr": row.object_repr, "before": row.before, "after": row.after,
                "ip_address": row.ip_address,
            }
            digest = entry_hash(fields, prev_hash)
            AuditEntry.objects.filter(pk=row.pk).update(seq=seq, prev_hash=prev_hash, hash=digest)
            prev_hash = digest
        last = (rows[-1].at, rows[-1].id)


class Migration(migrations.Migration):
    dependencies = [("core", "0003_stored_file")]

    operations = [
        migrations.RunPython(drop_triggers, restore_0002_triggers),
        migrations.AddField(
            model_name="auditentry",
            name="seq",
            field=models.PositiveBigIntegerField(null=True, verbose_name="sequence number"),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="prev_hash",
            field=models.CharField(default="", max_length=64, verbose_name="previous hash"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditentry",
            name="hash",
            field=models.CharField(default="", max_length=64, verbose_name="hash"),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="at",
            field=models.DateTimeField(
                db_index=True, default=django.utils.timezone.now, editable=False,
                verbose_name="when",
            ),
        ),
        migrations.RunPython(hash_existing_entries, migrations.RunPython.noop),
    ]
