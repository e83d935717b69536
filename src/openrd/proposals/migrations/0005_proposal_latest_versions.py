"""Each proposal points at the latest version each audience may read, so the
lists join one row instead of probing the versions of every proposal.

The services keep the pointers (proposals.services.common.refresh_latest_versions,
in the transaction that writes a version); the fill below sets them for the rows
already there, with the same query in SQL.
"""

import django.db.models.deletion
from django.db import migrations, models

# The three pointers of the proposals ``{where}`` selects, from their versions:
# the latest version, the latest endorsed one, and when the first was submitted.
_REFRESH = """
UPDATE proposals_proposal SET
    latest_version_id = (
        SELECT v.id FROM proposals_proposalversion v
        WHERE v.proposal_id = proposals_proposal.id ORDER BY v.number DESC LIMIT 1),
    latest_endorsed_version_id = (
        SELECT v.id FROM proposals_proposalversion v
        WHERE v.proposal_id = proposals_proposal.id AND v.endorsement = 'endorsed'
        ORDER BY v.number DESC LIMIT 1),
    first_submitted_at = (
        SELECT v.submitted_at FROM proposals_proposalversion v
        WHERE v.proposal_id = proposals_proposal.id ORDER BY v.number ASC LIMIT 1)
WHERE {where}
"""
def fill(apps, schema_editor):
    """Every existing proposal's pointers, in one statement."""
    schema_editor.execute(_REFRESH.format(where="1 = 1"))


class Migration(migrations.Migration):
    dependencies = [
        ("proposals", "0004_list_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="proposal",
            name="first_submitted_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="first submitted"),
        ),
        migrations.AddField(
            model_name="proposal",
            name="latest_endorsed_version",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="proposals.proposalversion",
                verbose_name="latest endorsed version",
            ),
        ),
        migrations.AddField(
            model_name="proposal",
            name="latest_version",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="proposals.proposalversion",
                verbose_name="latest submitted version",
            ),
        ),
        # Back: the columns go with the AddFields, nothing to undo.
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
