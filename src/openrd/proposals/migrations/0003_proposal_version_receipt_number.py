"""Receipt numbers on submitted versions, given to the versions already made.

The format is copied here rather than imported, so this migration keeps
producing what it produced even if the application's format changes later.
"""

from datetime import timedelta, timezone

from django.db import migrations, models

_TOKYO = timezone(timedelta(hours=9))


def _fiscal_year(moment):
    local = moment.astimezone(_TOKYO)
    return local.year if local.month >= 4 else local.year - 1


def backfill(apps, schema_editor):
    ProposalVersion = apps.get_model("proposals", "ProposalVersion")
    sequences = {}  # proposal id -> its sequence in its call
    next_in_call = {}
    versions = ProposalVersion.objects.select_related("proposal__call").order_by(
        "submitted_at", "id"
    )
    for version in versions:
        call = version.proposal.call
        if version.proposal_id not in sequences:
            next_in_call[call.pk] = next_in_call.get(call.pk, 0) + 1
            sequences[version.proposal_id] = next_in_call[call.pk]
        sequence = sequences[version.proposal_id]
        version.receipt_sequence = sequence
        version.receipt_number = (
            f"{_fiscal_year(version.submitted_at)}-{call.code.upper()}-"
            f"{sequence:06d}-v{version.number}"
        )
        version.save(update_fields=["receipt_sequence", "receipt_number"])


class Migration(migrations.Migration):
    dependencies = [
        ("proposals", "0002_plain_text_proposal_titles"),
        ("programs", "0003_plain_text_call_titles"),
    ]

    operations = [
        migrations.AddField(
            model_name="proposalversion",
            name="receipt_sequence",
            field=models.PositiveIntegerField(null=True, verbose_name="receipt sequence"),
        ),
        migrations.AddField(
            model_name="proposalversion",
            name="receipt_number",
            field=models.CharField(max_length=100, null=True, verbose_name="receipt number"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="proposalversion",
            name="receipt_sequence",
            field=models.PositiveIntegerField(verbose_name="receipt sequence"),
        ),
        migrations.AlterField(
            model_name="proposalversion",
            name="receipt_number",
            field=models.CharField(max_length=100, unique=True, verbose_name="receipt number"),
        ),
    ]
