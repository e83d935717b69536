import unicodedata

from django.db import migrations, models


def fill_search_text(apps, schema_editor):
    # The same form as services.pool_search_text, for the profiles saved before it.
    profiles = apps.get_model("review", "ReviewerProfile")
    for profile in profiles.objects.all():
        terms = [*profile.research_fields, *profile.keywords]
        profile.search_text = "\n".join(
            unicodedata.normalize("NFKC", str(t)).casefold() for t in terms
        )
        profile.save(update_fields=["search_text"])


class Migration(migrations.Migration):
    dependencies = [
        ("review", "0002_selections"),
    ]

    operations = [
        migrations.AddField(
            model_name="reviewerprofile",
            name="search_text",
            field=models.TextField(
                blank=True, default="", editable=False, verbose_name="search text"
            ),
        ),
        migrations.RunPython(fill_search_text, migrations.RunPython.noop),
    ]
