"""Co-investigators by invitation: a member is invited, then accepts (or not);
each co-investigator has a budget share per fiscal year. Existing members were
added by their e-Rad number and become accepted co-investigators."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import openrd.core.validators


def members_become_accepted(apps, schema_editor):
    ProposalMember = apps.get_model("proposals", "ProposalMember")
    for member in ProposalMember.objects.select_related("proposal", "person"):
        person = member.person
        member.status = "accepted"
        member.role = "co_investigator"
        member.invited_name = (person.name_ja or person.name_en or "")[:200]
        member.invited_erad_number = person.erad_researcher_number or ""
        member.invited_by_id = member.proposal.applicant_id
        member.invited_at = member.proposal.created_at
        member.answered_at = member.proposal.created_at
        member.save()


class Migration(migrations.Migration):
    dependencies = [
        ("proposals", "0005_proposal_latest_versions"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="proposalmember", name="unique_proposal_member"),
        migrations.AlterField(
            model_name="proposalmember",
            name="person",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="proposal_memberships",
                to=settings.AUTH_USER_MODEL,
                verbose_name="co-investigator",
            ),
        ),
        migrations.AddField(
            model_name="proposalmember",
            name="invited_name",
            field=models.CharField(
                blank=True,
                max_length=200,
                validators=[openrd.core.validators.validate_plain_text],
                verbose_name="name",
            ),
        ),
        migrations.AddField(
            model_name="proposalmember",
            name="invited_email",
            field=models.EmailField(blank=True, max_length=254, verbose_name="e-mail"),
        ),
        migrations.AddField(
            model_name="proposalmember",
            name="invited_erad_number",
            field=models.CharField(
                blank=True, max_length=8, verbose_name="e-Rad researcher number"
            ),
        ),
        migrations.AddField(
            model_name="proposalmember",
            name="role",
            field=models.CharField(
                choices=[
                    ("co_investigator", "Co-investigator (with a budget share)"),
                    ("collaborator", "Collaborator (without a budget share)"),
                ],
                default="co_investigator",
                max_length=16,
                verbose_name="role",
            ),
        ),
        migrations.AddField(
            model_name="proposalmember",
            name="status",
            field=models.CharField(
                choices=[
                    ("invited", "Awaiting an answer"),
                    ("accepted", "Accepted"),
                    ("declined", "Declined"),
                    ("withdrawn", "Withdrawn"),
                ],
                default="invited",
                max_length=16,
                verbose_name="status",
            ),
        ),
        migrations.AddField(
            model_name="proposalmember",
            name="invited_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="invited by",
            ),
        ),
        migrations.AddField(
            model_name="proposalmember",
            name="invited_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="invited"),
        ),
        migrations.AddField(
            model_name="proposalmember",
            name="answered_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="answered"),
        ),
        migrations.AddField(
            model_name="proposalmember",
            name="token_digest",
            # NULL for the members from before invitations, who never had a link.
            field=models.CharField(
                blank=True, max_length=64, null=True, unique=True, verbose_name="token digest"
            ),
        ),
        migrations.AlterModelOptions(
            name="proposalmember",
            options={
                "ordering": ["proposal", "id"],
                "verbose_name": "co-investigator",
                "verbose_name_plural": "co-investigators",
            },
        ),
        migrations.AddIndex(
            model_name="proposalmember",
            index=models.Index(
                fields=["invited_erad_number", "status"], name="member_invited_erad"
            ),
        ),
        migrations.AddIndex(
            model_name="proposalmember",
            index=models.Index(fields=["invited_email", "status"], name="member_invited_email"),
        ),
        migrations.AddConstraint(
            model_name="proposalmember",
            constraint=models.UniqueConstraint(
                condition=models.Q(status="accepted"),
                fields=("proposal", "person"),
                name="unique_proposal_member",
            ),
        ),
        migrations.AddConstraint(
            model_name="proposalmember",
            constraint=models.CheckConstraint(
                condition=models.Q(("status", "accepted"), _negated=True)
                | models.Q(person__isnull=False),
                name="accepted_member_has_person",
            ),
        ),
        migrations.CreateModel(
            name="MemberShare",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("fiscal_year", models.PositiveSmallIntegerField(verbose_name="fiscal year")),
                ("amount_yen", models.BigIntegerField(verbose_name="amount (yen)")),
                (
                    "member",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="shares",
                        to="proposals.proposalmember",
                    ),
                ),
            ],
            options={
                "verbose_name": "budget share",
                "verbose_name_plural": "budget shares",
                "ordering": ["member", "fiscal_year"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("member", "fiscal_year"), name="unique_share_year"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(amount_yen__gte=0), name="share_not_negative"
                    ),
                ],
            },
        ),
        # Last: data changes before a schema change would leave PostgreSQL with
        # pending trigger events in the same transaction.
        migrations.RunPython(members_become_accepted, migrations.RunPython.noop),
    ]
