"""The panel for the programs' PDs and PMs (read-only, reviewers by label), the
names no one sees (a conflicted reviewer's, any reviewer's in an export), the
Excel export against the CSV, text that a spreadsheet would run as a formula,
and the PD's dashboard task."""

from __future__ import annotations

import csv
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from openrd.accounts.models import Organisation, Role
from openrd.accounts.services import assign_role
from openrd.accounts.tests.factories import UserFactory
from openrd.core import my_tasks
from openrd.core.models import AuditEntry
from openrd.programs.models import CallCriterion
from openrd.proposals.models import Proposal
from openrd.review import services
from openrd.review.models import ReviewConflict, RoundStatus
from openrd.review.panel_export import csv_text, looks_like_formula
from openrd.review.rules.conflicts import DECLARED
from openrd.review.tests.test_staff_views import (
    HEADER,
    SHEETS,
    body,
    ja,
    live,
    page,
    review_all,
    rounds_url,
)

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def lead(username: str, role: Role, agency: str = "nedo"):
    person = UserFactory(username=username)
    assign_role(person, role, organisation=Organisation.objects.get(code=agency))
    return person


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def xlsx_sheet(response):
    return load_workbook(io.BytesIO(response.content)).active


def xlsx_rows(response) -> list[list[object]]:
    return [list(r) for r in xlsx_sheet(response).iter_rows(values_only=True)]


@pytest.fixture
def reviewed(reviewing):
    """The round reviewed as on the staff pages' tests, then closed."""
    review_all(reviewing, SHEETS)
    services.close_round(reviewing.round, actor=reviewing.world.nedo_staff)
    return reviewing


def every_name(reviewing, *, usernames: bool = True) -> list[str]:
    people = [a.reviewer for a in live(reviewing.round)] + [reviewing.colleague]
    found = []
    for p in people:
        found += [p.username] if usernames else []
        found += [n for n in (p.name_ja, p.name_en, p.display_name) if n]
    return found


def same_cells(xlsx_row: list[object], csv_row: list[str]) -> bool:
    """The Excel row says what the CSV row says: numbers as numbers, no cell as empty."""
    if len(xlsx_row) != len(csv_row):
        return False
    for value, text in zip(xlsx_row, csv_row, strict=True):
        if value is None:
            ok = text in ("", "—")
        elif isinstance(value, int | float):
            ok = float(text) == value
        else:
            ok = csv_text(value) == text
        if not ok:
            return False
    return True


# ------------------------------------------------------------------ who reads the panel


def test_a_pd_or_pm_of_the_programs_agency_reads_the_panel_and_its_exports(client, reviewed):
    r = reviewed.round
    for person in (lead("pd", Role.PROGRAM_DIRECTOR), lead("pm", Role.PROGRAM_MANAGER)):
        for suffix in ("panel/", "panel.csv", "panel.xlsx"):
            assert page(client, person, rounds_url(r, suffix)).status_code == 200, suffix
        text = body(page(client, person, rounds_url(r, "panel/")))
        # Read-only: none of the round's controls, no way into the staff pages.
        assert "/reviews/rounds/" + str(r.pk) + "/assign/" not in text
        assert f'href="/ja/reviews/rounds/{r.pk}/"' not in text
        assert 'href="/ja/reviews/rounds/"' not in text


def test_the_pd_and_pm_get_404_on_every_staff_only_step(client, reviewed):
    r = reviewed.round
    assigned = live(r).first()
    for person in (lead("pd", Role.PROGRAM_DIRECTOR), lead("pm", Role.PROGRAM_MANAGER)):
        assert page(client, person, rounds_url(r)).status_code == 404
        assert page(client, person, "/ja/reviews/rounds/").status_code == 404
        for suffix in ("assign/", "open/", "close/", "add/", f"assignments/{assigned.pk}/remove/"):
            response = page(
                client, person, rounds_url(r, suffix), proposal=str(assigned.proposal_id)
            )
            assert response.status_code == 404, (person, suffix)
        assert AuditEntry.objects.filter(
            action="access.denied", actor=person, object_id=str(r.pk)
        ).exists()
    assert live(r).filter(pk=assigned.pk).exists()
    assert type(r).objects.get(pk=r.pk).status == RoundStatus.CLOSED


def test_a_pd_of_another_agency_and_other_people_get_404_on_the_panel(client, reviewed):
    w = reviewed.world
    r = reviewed.round
    others = [lead("jst-pd", Role.PROGRAM_DIRECTOR, "jst"), w.jst_staff, w.applicant]
    others.append(live(r).first().reviewer)
    for person in others:
        for suffix in ("panel/", "panel.csv", "panel.xlsx"):
            assert page(client, person, rounds_url(r, suffix)).status_code == 404, (person, suffix)
        assert AuditEntry.objects.filter(
            action="access.denied", actor=person, object_id=str(r.pk)
        ).exists()


# ------------------------------------------------------------------ names on the panel


def test_the_pd_sees_every_reviewer_by_label_only(client, reviewed):
    pd = lead("pd", Role.PROGRAM_DIRECTOR)
    # Names of their own, so that a name is not also a word of the test's comments.
    for i, a in enumerate(live(reviewed.round)):
        type(a.reviewer).objects.filter(pk=a.reviewer_id).update(name_ja=f"審査 委員{i}")
    text = body(page(client, pd, rounds_url(reviewed.round, "panel/")))
    for name in every_name(reviewed, usernames=False):
        assert name not in text, name
    assert text.count('data-reviewer="R1"') == 2  # one per proposal
    assert text.count('data-reviewer="R2"') == 2
    assert ">R1</th>" in text
    # The scores and the comments are the panel's to read.
    assert "70.0" in text
    assert "審査会への所見-" in text


def test_staff_see_a_conflicted_reviewer_by_label_only(client, reviewed):
    staff = reviewed.world.nedo_staff
    tainted = live(reviewed.round).order_by("id").first()
    ReviewConflict.objects.create(
        round=reviewed.round,
        proposal_id=tainted.proposal_id,
        reviewer=tainted.reviewer,
        code=DECLARED,
        source="test",
        message_ja="利害関係",
        message_en="Conflict",
        computed_at=timezone.now(),
    )
    text = body(page(client, staff, rounds_url(reviewed.round, "panel/")))
    section = text[text.index(f'data-reviews="{tainted.proposal_id}"') :]
    section = section[: section.index("</section>")]
    assert tainted.reviewer.display_name not in section
    assert 'data-reviewer="R1">R1 ' in section  # the first reviewer assigned, marked
    others = live(reviewed.round).exclude(pk=tainted.pk)
    for a in others:
        assert a.reviewer.display_name in text


# ------------------------------------------------------------------ the Excel file


def test_the_xlsx_has_the_csvs_rows_with_numbers_as_numbers(client, reviewed):
    staff = reviewed.world.nedo_staff
    as_csv = csv_rows(page(client, staff, rounds_url(reviewed.round, "panel.csv")))
    response = page(client, staff, rounds_url(reviewed.round, "panel.xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == (
        f'attachment; filename="review-round-{reviewed.round.pk}-panel.xlsx"'
    )
    rows = xlsx_rows(response)
    assert rows[0] == as_csv[0]
    assert rows[0][:11] == [ja(h) for h in HEADER]  # in the page's language
    assert len(rows) == len(as_csv)
    assert all(same_cells(x, c) for x, c in zip(rows[1:], as_csv[1:], strict=True))
    first = rows[1]
    assert isinstance(first[0], int)  # rank
    assert isinstance(first[1], int)  # proposal id
    assert first[7:10] == [70, 70, 5]  # mean, median, spread, as numbers
    assert all(isinstance(v, int | float) for v in first[7:10] + first[11:])
    assert first[11:] == [3.5, 4, 4]


def test_the_xlsx_freezes_its_header_and_sizes_its_columns(client, reviewed):
    staff = reviewed.world.nedo_staff
    sheet = xlsx_sheet(page(client, staff, rounds_url(reviewed.round, "panel.xlsx")))
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.bold
    widths = {k: d.width for k, d in sheet.column_dimensions.items()}
    assert all(8 <= w <= 60 for w in widths.values())
    assert widths["D"] > widths["A"]  # the (Japanese) title is wider than the rank
    english = xlsx_rows(page(client, staff, f"/en/reviews/rounds/{reviewed.round.pk}/panel.xlsx"))
    assert english[0][:11] == HEADER


def test_a_proposal_without_reviews_leaves_its_numbers_empty(client, reviewing):
    staff = reviewing.world.nedo_staff
    as_csv = csv_rows(page(client, staff, rounds_url(reviewing.round, "panel.csv")))
    rows = xlsx_rows(page(client, staff, rounds_url(reviewing.round, "panel.xlsx")))
    assert as_csv[1][7] == "—"
    assert rows[1][7] is None
    assert len(rows) == len(as_csv)
    assert all(same_cells(x, c) for x, c in zip(rows[1:], as_csv[1:], strict=True))


def test_no_reviewer_name_is_in_either_export(client, reviewed):
    for person in (reviewed.world.nedo_staff, lead("pd", Role.PROGRAM_DIRECTOR)):
        text = page(client, person, rounds_url(reviewed.round, "panel.csv")).content.decode()
        cells = " ".join(
            str(v)
            for row in xlsx_rows(page(client, person, rounds_url(reviewed.round, "panel.xlsx")))
            for v in row
        )
        for name in every_name(reviewed):
            assert name not in text, name
            assert name not in cells, name


# ------------------------------------------------------------------ formulas stay text


def test_the_guard_names_every_formula_start():
    for text in ("=1+1", "+81", "-2", "@SUM(A1)", "\t=1", "\r=1"):
        assert looks_like_formula(text), text
        assert csv_text(text) == "'" + text
    for value in ("量子", "1-2", "", 3, -3, 2.5, None):
        assert not looks_like_formula(value), value
    assert csv_text(-3) == "-3"  # a number is never quoted


def test_text_that_looks_like_a_formula_is_written_as_text(client, reviewed):
    staff = reviewed.world.nedo_staff
    evil = '=HYPERLINK("https://evil.example/","開く")'
    target = reviewed.proposals[0]
    Proposal.objects.filter(pk=target.pk).update(endorsed_title_ja=evil)
    CallCriterion.objects.filter(call=reviewed.world.call, code="impact").update(name_ja="-影響")
    as_csv = csv_rows(page(client, staff, rounds_url(reviewed.round, "panel.csv")))
    row = next(r for r in as_csv if r[1] == str(target.pk))
    assert row[3] == "'" + evil
    assert as_csv[0][-1].startswith("'-影響")
    sheet = xlsx_sheet(page(client, staff, rounds_url(reviewed.round, "panel.xlsx")))
    cells = [c for r in sheet.iter_rows() for c in r]
    title = next(c for c in cells if c.value == evil)
    assert title.data_type == "s"  # a string, not a formula ("f")
    assert title.quotePrefix
    assert not any(c.data_type == "f" for c in cells)
    assert next(c for c in cells if str(c.value).startswith("-影響")).data_type == "s"


# ------------------------------------------------------------------ the PD's dashboard


def panel_tasks(person):
    return [t for t in my_tasks.tasks_for(person) if t.kind == "review.panel"]


def test_the_pd_and_pm_are_linked_to_the_open_panels_of_their_programs(reviewing):
    staff = reviewing.world.nedo_staff
    pd, pm = lead("pd", Role.PROGRAM_DIRECTOR), lead("pm", Role.PROGRAM_MANAGER)
    other = lead("jst-pd", Role.PROGRAM_DIRECTOR, "jst")
    assert panel_tasks(pd) == []  # a round being prepared is nobody's panel yet
    services.auto_assign(reviewing.round, actor=staff)
    services.open_round(reviewing.round, actor=staff)
    for person in (pd, pm):
        (task,) = panel_tasks(person)
        assert task.url == f"/ja/reviews/rounds/{reviewing.round.pk}/panel/"
        assert str(task.title) == reviewing.round.name
        assert my_tasks.count_for(person) == my_tasks.total(my_tasks.tasks_for(person))
    assert panel_tasks(other) == []
    assert panel_tasks(staff) == []


def test_a_closed_round_stays_on_the_pds_dashboard_until_every_proposal_is_decided(reviewed):
    pd = lead("pd", Role.PROGRAM_DIRECTOR)
    assert len(panel_tasks(pd)) == 1  # closed, nothing decided yet
    first, second = reviewed.proposals
    services.decide(reviewed.round, first, "selected", actor=pd, reason="新規性が高い")
    assert len(panel_tasks(pd)) == 1  # one still undecided
    assert my_tasks.count_for(pd) == my_tasks.total(my_tasks.tasks_for(pd))
    services.decide(reviewed.round, second, "rejected", actor=pd, reason="実現性に課題")
    assert panel_tasks(pd) == []
    assert my_tasks.count_for(pd) == my_tasks.total(my_tasks.tasks_for(pd))
