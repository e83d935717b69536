"""A conflict found after a review was submitted: the review stays on the panel under
its label, marked, and counts for nothing in the proposal's statistics."""

from __future__ import annotations

from datetime import date

import pytest

from openrd.accounts.models import Affiliation
from openrd.review import panel, services
from openrd.review.tests.test_staff_views import live, review_all

pytestmark = pytest.mark.django_db

# Proposal 0 is scored 100 and 0 by its two reviewers (see test_staff_views.SHEETS).
SHEETS = [[(5, 5, 5), (1, 1, 1)], [(4, 4, 4), (3, 4, 4)]]


def test_a_review_by_a_reviewer_later_found_in_conflict_is_listed_but_not_counted(reviewing):
    review_all(reviewing, SHEETS)
    staff = reviewing.world.nedo_staff
    target = reviewing.proposals[0]
    low = live(reviewing.round).filter(proposal=target).order_by("reviewer__username")[1]
    Affiliation.objects.create(
        person=low.reviewer, organisation=target.institution, kind="visiting",
        start_date=date(2024, 4, 1),
    )  # fmt: skip
    before = {r.proposal.pk: r for r in panel.panel_rows(reviewing.round, reviewer_names=True)}
    assert before[target.pk].stats.mean == pytest.approx(50.0)
    services.compute_conflicts(reviewing.round, actor=staff)
    rows = {r.proposal.pk: r for r in panel.panel_rows(reviewing.round, reviewer_names=True)}
    row = rows[target.pk]
    assert row.stats.reviews == 1
    assert row.stats.mean == pytest.approx(100.0)
    excluded = [line for line in row.lines if line.excluded]
    assert len(excluded) == 1
    # Never named, even to the staff who may see the other reviewers' names.
    assert excluded[0].reviewer == excluded[0].label
    assert low.reviewer.display_name not in {line.reviewer for line in row.lines}


def test_a_rounds_conflict_window_defaults_to_the_programs_setting(world, client):
    from datetime import timedelta

    from django.utils import timezone

    from openrd.programs.rules import program_rules

    staff = world.nedo_staff
    program = world.call.program
    # Another N than the default of 3, so the test tells the setting from the default.
    program.rules = {**program.rules, "conflict_years": 5}
    program.save(update_fields=["rules"])
    world.call.refresh_from_db()
    setting = program_rules(world.call.program.rules).conflict_years
    assert setting == 5
    made = services.create_round(
        world.call, actor=staff, name_ja="書面審査", due_at=timezone.now() + timedelta(days=7)
    )
    assert made.institution_years == setting
    client.force_login(staff)
    form = client.get(f"/ja/reviews/rounds/new/?call={world.call.pk}").content.decode()
    assert f'name="institution_years" value="{setting}"' in form
