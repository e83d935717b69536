"""Every proposal now has its agency (filled by the migration before): required
from here on; and the indexes of the institution's and the agency's lists."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("proposals", "0007_list_columns"),
    ]

    operations = [
        migrations.AlterField(
            model_name="proposal",
            name="agency",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.organisation",
                verbose_name="funding agency",
            ),
        ),
        migrations.AddIndex(
            model_name="proposal",
            index=models.Index(
                fields=["institution", "-latest_submitted_at", "-id"],
                name="proposal_list_inst_submitted",
            ),
        ),
        migrations.AddIndex(
            model_name="proposal",
            index=models.Index(
                fields=["agency", "-endorsed_submitted_at", "-id"], name="proposal_list_agency"
            ),
        ),
    ]
