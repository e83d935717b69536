"""Addresses already on record when allauth arrived are taken as verified.

They were entered by the agency, an institution or the person themselves
under the old sign-in; asking everyone to verify again would lock out people
mid-call. New addresses (sign-up, a change) are verified as usual.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")
    known = set(EmailAddress.objects.values_list("user_id", flat=True))
    taken: set[str] = set(e.lower() for e in EmailAddress.objects.values_list("email", flat=True))
    rows = []
    for user_id, email in User.objects.exclude(email="").values_list("id", "email"):
        if user_id in known or email.lower() in taken:
            continue  # one address per person here, and no address twice
        taken.add(email.lower())
        rows.append(EmailAddress(user_id=user_id, email=email, verified=True, primary=True))
    EmailAddress.objects.bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_token_scopes_and_plain_text_names"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
