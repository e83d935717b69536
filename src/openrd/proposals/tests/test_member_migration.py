"""Migration 0006: the members from before invitations become accepted co-investigators."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("proposals", "0005_proposal_latest_versions")]
AFTER = [("proposals", "0006_co_investigator_invitations")]


@pytest.mark.django_db(transaction=True)
def test_existing_members_become_accepted_co_investigators():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    user = old.get_model("accounts", "User")
    pi = user.objects.create(username="pi", name_ja="代表 者", erad_researcher_number="11112222")
    co = user.objects.create(username="co", name_ja="分担 者", erad_researcher_number="33334444")
    org = old.get_model("accounts", "Organisation").objects.create(
        code="org", kind="startup", name_ja="組織"
    )
    now = timezone.now()
    call = old.get_model("programs", "Call").objects.create(
        program=old.get_model("programs", "Program").objects.create(code="p", name_ja="P"),
        agency=org,
        code="c",
        title_ja="公募",
        opens_at=now,
        closes_at=now + timedelta(days=1),
        fiscal_year=2026,
        first_budget_year=2026,
        last_budget_year=2026,
        total_budget_yen=1,
        cap_per_proposal_yen=1,
    )
    proposal = old.get_model("proposals", "Proposal").objects.create(
        call=call, applicant=pi, institution=org
    )
    old.get_model("proposals", "ProposalMember").objects.create(proposal=proposal, person=co)

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    (member,) = new.get_model("proposals", "ProposalMember").objects.all()
    assert (member.status, member.role, member.person_id) == ("accepted", "co_investigator", co.pk)
    assert (member.invited_name, member.invited_erad_number) == ("分担 者", "33334444")
    assert (member.invited_by_id, member.token_digest) == (pi.pk, None)
    assert member.invited_at == member.answered_at == proposal.created_at
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
