import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_inbox_outbox_choices_subscriptions"),
    ]

    operations = [
        migrations.AlterField(
            model_name="outboxmessage",
            name="notification",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="outbox_message",
                to="notifications.notification",
            ),
        ),
        migrations.AddField(
            model_name="outboxmessage",
            name="kind",
            field=models.CharField(blank=True, max_length=64, verbose_name="kind"),
        ),
        migrations.AddField(
            model_name="outboxmessage",
            name="context",
            field=models.JSONField(blank=True, default=dict, verbose_name="context"),
        ),
    ]
