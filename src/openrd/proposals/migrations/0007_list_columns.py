"""The lists' columns on each proposal: the funding agency of its call, and the
submission time and titles of the latest version and of the endorsed version,
so an agency's list of thousands of proposals is one index range of this table.

The services keep them (proposals.services.common.refresh_latest_versions, and
the agency when the proposal is created); the fill below sets them for the rows
already there, with the same expressions. The agency becomes required, and the
indexes are built, in the next migration: PostgreSQL does not alter a table in
the transaction that has just updated its rows' foreign keys.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import CharField, OuterRef, Subquery, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce


def fill(apps, schema_editor):
    """Every existing proposal's columns, in one statement."""
    Proposal = apps.get_model("proposals", "Proposal")
    ProposalVersion = apps.get_model("proposals", "ProposalVersion")
    Call = apps.get_model("programs", "Call")
    latest = ProposalVersion.objects.filter(proposal=OuterRef("pk")).order_by("-number")
    endorsed = latest.filter(endorsement="endorsed")

    def title(of, key):
        text = of.annotate(text=KeyTextTransform(key, "content")).values("text")[:1]
        return Coalesce(Subquery(text), Value(""), output_field=CharField())

    Proposal.objects.using(schema_editor.connection.alias).update(
        agency=Subquery(Call.objects.filter(pk=OuterRef("call_id")).values("agency_id")[:1]),
        latest_submitted_at=Subquery(latest.values("submitted_at")[:1]),
        latest_title_ja=title(latest, "title_ja"),
        latest_title_en=title(latest, "title_en"),
        endorsed_submitted_at=Subquery(endorsed.values("submitted_at")[:1]),
        endorsed_title_ja=title(endorsed, "title_ja"),
        endorsed_title_en=title(endorsed, "title_en"),
    )


def _title(name, verbose_name):
    return migrations.AddField(
        model_name="proposal",
        name=name,
        field=models.CharField(blank=True, default="", max_length=300, verbose_name=verbose_name),
    )


def _time(name, verbose_name):
    return migrations.AddField(
        model_name="proposal",
        name=name,
        field=models.DateTimeField(blank=True, null=True, verbose_name=verbose_name),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("programs", "0004_list_indexes"),
        ("proposals", "0006_co_investigator_invitations"),
    ]

    operations = [
        migrations.AddField(
            model_name="proposal",
            name="agency",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.organisation",
                verbose_name="funding agency",
            ),
        ),
        _time("latest_submitted_at", "latest version submitted"),
        _title("latest_title_ja", "title of the latest version (Japanese)"),
        _title("latest_title_en", "title of the latest version (English)"),
        _time("endorsed_submitted_at", "endorsed version submitted"),
        _title("endorsed_title_ja", "title of the endorsed version (Japanese)"),
        _title("endorsed_title_en", "title of the endorsed version (English)"),
        # Back: the columns go with the AddFields, nothing to undo.
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
