"""Award reports: the schedule, submit / accept / return, the reminders, the pages and
the dashboard tasks of the PI and of the agency's staff."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from openrd.accounts.models import Organisation, Role
from openrd.accounts.services import assign_role
from openrd.accounts.tests.factories import UserFactory
from openrd.awards import reports, services
from openrd.awards.models import AwardReport, AwardStatus, ReportStatus
from openrd.awards.my_tasks_reports import TO_REVIEW, TO_SUBMIT
from openrd.core.fiscal import TOKYO
from openrd.core.models import AuditEntry
from openrd.core.my_tasks import count_for, tasks_for, total
from openrd.core.refusals import Refused
from openrd.notifications.delivery import render
from openrd.notifications.models import Notification
from openrd.programs.models import Program

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(loaded_programs):
    person = UserFactory(username="jst-staff")
    assign_role(person, Role.AGENCY_STAFF, organisation=Organisation.objects.get(code="jst"))
    return person


@pytest.fixture
def pi():
    return UserFactory(username="pi", roles=[Role.RESEARCHER], email="pi@example.org")


@pytest.fixture
def award(staff, pi):
    return services.create_award(
        actor=staff,
        program=Program.objects.get(code="moonshot"),
        grant_number="MS6-PM1",
        title_ja="超伝導量子回路の集積化技術の開発",
        title_en="Development of integration technologies for superconducting quantum circuits",
        pi_name_ja="山本 剛",
        pi_name_en="Tsuyoshi Yamamoto",
        institution=Organisation.objects.get(code="jst"),
        starts_on=date(2020, 12, 1),
        ends_on=date(2030, 11, 30),
        pi=pi,
    )


@pytest.fixture
def scheduled(award, staff):
    reports.schedule_reports(award, actor=staff)
    return award


def report_of(award, fiscal_year):
    return AwardReport.objects.get(award=award, kind="progress", fiscal_year=fiscal_year)


def test_the_schedule_is_made_with_the_award_and_once(award, staff):
    # create_award scheduled them: asking again makes nothing more.
    assert reports.schedule_reports(award, actor=staff) == []
    rows = list(award.reports.order_by("due_on"))
    assert [(r.kind, r.fiscal_year, r.due_on) for r in rows] == [
        *[("progress", fy, date(fy + 1, 5, 31)) for fy in range(2020, 2030)],
        ("final", None, date(2031, 1, 30)),
    ]
    assert all(r.status == ReportStatus.DUE for r in rows)
    award.reports.filter(kind="final").delete()
    (made,) = reports.schedule_reports(award, actor=staff)
    assert (made.kind, made.due_on) == ("final", date(2031, 1, 30))
    assert award.reports.count() == 11
    # One entry with the award's schedule, one for the report made again.
    assert AuditEntry.objects.filter(action="awards.reports.scheduled").count() == 2


def test_only_the_agencys_staff_schedule_reports(award, pi):
    award.reports.all().delete()
    with pytest.raises(PermissionDenied):
        reports.schedule_reports(award, actor=pi)
    assert not award.reports.exists()


def test_submit_accept(scheduled, pi, staff):
    report = report_of(scheduled, 2020)
    reports.submit_report(report, actor=pi, body="  量子ビットの集積化を実証した。 ")
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert report.body == "量子ビットの集積化を実証した。"
    assert report.submitted_by == pi
    assert report.submitted_at is not None
    reports.accept_report(report, actor=staff)
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED
    assert report.reviewed_by == staff
    actions = list(
        AuditEntry.objects.filter(action__startswith="awards.report.")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["awards.report.submitted", "awards.report.accepted"]


def test_return_tells_the_pi_and_the_report_is_submitted_again(scheduled, pi, staff):
    report = report_of(scheduled, 2020)
    reports.submit_report(report, actor=pi, body="初版")
    reports.return_report(report, actor=staff, comment="成果の図を追加してください。")
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED
    assert report.return_comment == "成果の図を追加してください。"
    sent = Notification.objects.get(recipient=pi, kind="award.report_returned")
    subject, text, html = render(sent, "ja")
    assert "超伝導量子回路" in subject
    assert "成果の図を追加してください。" in text
    assert "成果の図を追加してください。" in html
    subject_en, text_en, _html = render(sent, "en")
    assert "Report returned" in subject_en
    assert "progress report for FY2020" in text_en
    reports.submit_report(report, actor=pi, body="第2版")
    reports.accept_report(report, actor=staff)
    report.refresh_from_db()
    assert (report.status, report.body) == (ReportStatus.ACCEPTED, "第2版")


def test_refusals_write_nothing(scheduled, pi, staff):
    report = report_of(scheduled, 2020)
    before = AuditEntry.objects.count()
    with pytest.raises(Refused) as refused:
        reports.submit_report(report, actor=pi, body="   ")
    assert refused.value.decision.codes() == ["award.report_empty"]
    with pytest.raises(PermissionDenied):
        reports.submit_report(report, actor=staff, body="成果")  # not the PI
    with pytest.raises(Refused):
        reports.accept_report(report, actor=staff)  # not submitted
    reports.submit_report(report, actor=pi, body="成果")
    with pytest.raises(PermissionDenied):
        reports.accept_report(report, actor=pi)  # the PI does not accept their own
    with pytest.raises(Refused) as refused:
        reports.return_report(report, actor=staff, comment=" ")
    assert refused.value.decision.codes() == ["award.report_comment_missing"]
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert AuditEntry.objects.count() == before + 1  # the submission only
    assert not Notification.objects.filter(kind="award.report_returned").exists()


def test_reminders_once_a_week_until_submitted(scheduled, pi):
    # FY2020's report is due on 31 May 2021; Thursday 20 May 2021 is 11 days before.
    thursday = datetime(2021, 5, 20, 9, 45, tzinfo=TOKYO)
    assert reports.remind_due_reports(thursday) == 1
    assert reports.remind_due_reports(thursday.replace(day=21)) == 0  # the same week
    assert Notification.objects.filter(recipient=pi, kind="award.report_due").count() == 1
    assert reports.remind_due_reports(thursday.replace(day=27)) == 1  # the next week
    sent = Notification.objects.filter(kind="award.report_due").first()
    subject, text, _html = render(sent, "ja")
    assert "超伝導量子回路" in subject
    assert "令和3年5月31日" in text
    reports.submit_report(report_of(scheduled, 2020), actor=pi, body="成果")
    assert reports.remind_due_reports(datetime(2021, 6, 3, 9, 45, tzinfo=TOKYO)) == 0


def test_an_overdue_report_is_reminded_too(scheduled, pi):
    assert reports.remind_due_reports(datetime(2021, 7, 1, 9, 45, tzinfo=TOKYO)) == 1
    sent = Notification.objects.get(kind="award.report_due")
    assert "has not been submitted yet" in render(sent, "en")[1]


def test_the_pi_writes_and_submits_on_the_page_and_a_refusal_keeps_the_text(
    client, scheduled, pi, staff
):
    report = report_of(scheduled, 2020)
    url = f"/ja/awards/reports/{report.pk}/"
    client.force_login(pi)
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="body"' in page.content.decode()
    services.change_award_status(scheduled, AwardStatus.SUSPENDED, actor=staff, reason="理由")
    refused = client.post(url, {"action": "submit", "body": "書きかけの成果報告"})
    assert refused.status_code == 422
    text = refused.content.decode()
    assert 'data-code="award.report_award_not_reporting"' in text
    assert "書きかけの成果報告" in text
    services.change_award_status(scheduled, AwardStatus.ACTIVE, actor=staff, reason="理由")
    empty = client.post(url, {"action": "submit", "body": ""})
    assert empty.status_code == 422
    assert 'data-code="award.report_empty"' in empty.content.decode()
    done = client.post(url, {"action": "submit", "body": "成果報告"})
    assert done.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert client.post(url, {"action": "accept"}).status_code == 403  # not the PI's step


def test_the_staff_accept_or_return_on_the_page(client, scheduled, pi, staff):
    report = report_of(scheduled, 2020)
    reports.submit_report(report, actor=pi, body="成果報告")
    url = f"/en/awards/reports/{report.pk}/"
    client.force_login(staff)
    page = client.get(url).content.decode()
    assert 'value="accept"' in page
    assert "成果報告" in page
    refused = client.post(url, {"action": "return", "comment": ""})
    assert refused.status_code == 422
    assert 'data-code="award.report_comment_missing"' in refused.content.decode()
    assert client.post(url, {"action": "return", "comment": "Add the figures."}).status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED


def test_a_stranger_gets_a_404_and_an_audit_entry(client, scheduled):
    report = report_of(scheduled, 2020)
    stranger = UserFactory(roles=[Role.RESEARCHER])
    client.force_login(stranger)
    assert client.get(f"/ja/awards/reports/{report.pk}/").status_code == 404
    assert (
        client.post(
            f"/ja/awards/reports/{report.pk}/", {"action": "submit", "body": "x"}
        ).status_code
        == 404
    )
    assert AuditEntry.objects.filter(action="access.denied", actor=stranger).exists()
    other_staff = UserFactory()
    assign_role(other_staff, Role.AGENCY_STAFF, organisation=Organisation.objects.get(code="jsps"))
    client.force_login(other_staff)
    assert client.get(f"/ja/awards/reports/{report.pk}/").status_code == 404
    report.refresh_from_db()
    assert report.status == ReportStatus.DUE


def test_the_overdue_list_is_the_agencys(client, scheduled, pi, staff):
    today = timezone.localdate()
    overdue = [r for r in scheduled.reports.all() if r.due_on < today]
    submitted = report_of(scheduled, 2020)
    reports.submit_report(submitted, actor=pi, body="成果")
    client.force_login(staff)
    page = client.get("/ja/awards/reports/overdue/")
    assert page.status_code == 200
    text = page.content.decode()
    for r in overdue:
        assert f'data-report="{r.pk}"' in text
    assert f"/ja/awards/reports/{submitted.pk}/" in text  # awaiting review
    later = [r for r in scheduled.reports.all() if r.due_on > today]
    assert later
    for r in later:
        assert f'data-report="{r.pk}"' not in text
    for person in (pi, UserFactory(roles=[Role.RESEARCHER])):
        client.force_login(person)
        assert client.get("/ja/awards/reports/overdue/").status_code == 404
    other_staff = UserFactory()
    assign_role(other_staff, Role.AGENCY_STAFF, organisation=Organisation.objects.get(code="jsps"))
    client.force_login(other_staff)
    assert "MS6-PM1" not in client.get("/ja/awards/reports/overdue/").content.decode()


def test_dashboard_tasks_of_the_pi_and_the_staff(scheduled, pi, staff):
    now = datetime(2021, 5, 10, 9, 0, tzinfo=TOKYO)  # FY2020's report due within 30 days
    tasks = [t for t in tasks_for(pi, now) if t.kind == TO_SUBMIT]
    first = report_of(scheduled, 2020)
    assert [t.url for t in tasks] == [f"/ja/awards/reports/{first.pk}/"]
    assert "FY2020" in str(tasks[0].detail) or "令和2年度" in str(tasks[0].detail)
    assert count_for(pi, now) == total(tasks_for(pi, now))
    assert not [t for t in tasks_for(staff, now) if t.kind == TO_REVIEW]

    reports.submit_report(first, actor=pi, body="成果")
    assert not [t for t in tasks_for(pi, now) if t.kind == TO_SUBMIT]
    review = [t for t in tasks_for(staff, now) if t.kind == TO_REVIEW]
    assert [t.url for t in review] == [f"/ja/awards/reports/{first.pk}/"]
    assert count_for(staff, now) == total(tasks_for(staff, now))
    assert not [
        t
        for t in tasks_for(UserFactory(roles=[Role.RESEARCHER]), now)
        if t.kind in (TO_SUBMIT, TO_REVIEW)
    ]

    reports.return_report(first, actor=staff, comment="図を追加")
    later = datetime(2022, 1, 10, 9, 0, tzinfo=TOKYO)  # a returned report waits, however late
    assert [t.url for t in tasks_for(pi, later) if t.kind == TO_SUBMIT] == [
        f"/ja/awards/reports/{first.pk}/"
    ]
    assert count_for(pi, later) == total(tasks_for(pi, later))
    assert not [t for t in tasks_for(staff, later) if t.kind == TO_REVIEW]


def test_the_dashboard_counts_match_today(scheduled, pi, staff):
    reports.submit_report(report_of(scheduled, 2021), actor=pi, body="成果")
    for person in (pi, staff):
        assert count_for(person) == total(tasks_for(person))
    today = timezone.localdate()
    owed = scheduled.reports.filter(status="due", due_on__lte=today.replace(year=today.year + 1))
    assert len([t for t in tasks_for(pi) if t.kind == TO_SUBMIT]) <= owed.count()


def test_a_project_recorded_after_the_fact_owes_only_the_reports_due_from_then(staff):
    recorded = services.create_award(
        actor=staff,
        program=Program.objects.get(code="moonshot"),
        grant_number="MS6-PM2",
        title_ja="誤り耐性量子計算の研究",
        pi_name_ja="山本 剛",
        institution=Organisation.objects.get(code="jst"),
        starts_on=date(2020, 12, 1),
        ends_on=date(2030, 11, 30),
        reports_due_from=date(2026, 6, 1),
    )
    due = [(r.kind, r.fiscal_year) for r in recorded.reports.order_by("due_on")]
    # FY2025's report was due on 31 May 2026, the day before: not owed here.
    assert due[0] == ("progress", 2026)
    assert due[-1] == ("final", None)
    assert len(due) == 5
