"""The review and awards pages pass axe-core (WCAG 2.x A/AA and best practices) in
Japanese and in English: the reviewer's list and assignment, the staff's rounds, a
round and its panel, the awards list and an award, the reports pages and a
portfolio. One browser session and one data set for all of them."""

from __future__ import annotations

from datetime import date

import pytest

from openrd.awards import reports
from openrd.awards import services as awards
from openrd.portal.tests.test_accessibility_browser import Checker, sign_in_as
from openrd.programs.models import Program
from openrd.review import services
from openrd.review.models import ReviewAssignment
from openrd.review.tests.conftest import reviewing  # noqa: F401  (a fixture, offered by name)

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_review_and_awards_pages_pass_axe(page, site, reviewing, lang):  # noqa: F811
    world, rnd = reviewing.world, reviewing.round
    staff = world.nedo_staff
    # The fixture's proposals share their English title: the pages must still name
    # each proposal's section uniquely (axe landmark-unique).
    services.auto_assign(rnd, actor=staff)
    services.open_round(rnd, actor=staff)
    a = ReviewAssignment.objects.order_by("id").first()
    services.accept_assignment(
        a, actor=a.reviewer, confirmed_no_conflict=True, accepted_confidentiality=True
    )
    moonshot = Program.objects.get(code="moonshot")
    element = moonshot.elements.order_by("order").first()
    award = awards.create_award(
        actor=world.jst_staff, program=moonshot, element=element, grant_number="MS-A11Y-1",
        title_ja="量子の研究", title_en="Quantum research", pi_name_ja="研究 太郎",
        pi=world.applicant, institution=world.startup, starts_on=date(2024, 4, 1),
        ends_on=date(2026, 3, 31), budget=[(2024, 100_000_000), (2025, 90_000_000)],
        gates=[("中間評価", "Interim review", date(2025, 3, 31))],
    )  # fmt: skip
    reports.schedule_reports(award, actor=world.jst_staff)
    report = award.reports.order_by("due_on").first()

    base = f"{site.url}/{lang}"
    journeys = [
        (a.reviewer, [("review assignments", "/reviews/"),
                      ("an accepted assignment", f"/reviews/{a.pk}/")]),
        (staff, [("review rounds", "/reviews/rounds/"), ("a round", f"/reviews/rounds/{rnd.pk}/"),
                 ("the reviewer pool", "/reviews/pool/"),
                 ("the panel", f"/reviews/rounds/{rnd.pk}/panel/")]),
        (None, [("awards", "/awards/"), ("an award", f"/awards/{award.pk}/")]),
        (world.applicant, [("a report to write", f"/awards/reports/{report.pk}/")]),
        (world.jst_staff, [("overdue reports", "/awards/reports/overdue/"),
                           ("a report (agency)", f"/awards/reports/{report.pk}/"),
                           ("a stage gate", f"/awards/gates/{award.stage_gates.get().pk}/"),
                           ("the award's status", f"/awards/{award.pk}/status/"),
                           ("a portfolio",
                            f"/awards/portfolio/moonshot/{element.code}/")]),
    ]  # fmt: skip
    axe = Checker(page)
    for user, pages in journeys:
        sign_in_as(page, site, user)
        for label, path in pages:
            axe.visit(base + path, label)
    axe.assert_clean()
