"""The mandate on the outputs on record: per-output status, the roll-ups per
award, institution, program and agency, the researcher's task, the page and
its CSV / Excel files, and who may see them."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from openrd.accounts.models import Role
from openrd.accounts.tests.factories import UserFactory
from openrd.awards.models import Award
from openrd.awards.services import create_award
from openrd.core.fiscal import TOKYO
from openrd.core.my_tasks import tasks_for
from openrd.programs.models import Program
from openrd.repository import compliance, compliance_store, services
from openrd.repository.models import Output
from openrd.repository.rules import ComplianceStatus

pytestmark = pytest.mark.django_db
TODAY = date(2026, 6, 1)


def _old_award(repo):
    """An award recorded without a call, started before FY2025: not mandated."""
    return create_award(
        actor=repo.staff,
        program=Program.objects.get(code="moonshot"),
        grant_number="TEST-MS6-OLD",
        title_ja="旧課題",
        pi_name_ja="山田 花子",
        pi=repo.pi,
        institution=repo.university,
        starts_on=date(2020, 12, 1),
        ends_on=date(2025, 11, 30),
        gates=[],
    )


def _statuses(repo):
    rows = compliance.counted_outputs().order_by("pk")
    return {o.title_en: compliance.compliance_of(o, today=TODAY).status for o in rows}


def test_each_output_gets_its_status(repo):
    repo.deposit(title_en="open")
    repo.deposit(title_en="embargoed", access_rights="embargoed", embargo_until=date(2099, 1, 1),
                 files=[("a.pdf", _pdf(), "embargoed")])  # fmt: skip
    repo.deposit(title_en="in curation", publish=False, published_on=date(2026, 5, 20))
    late = repo.deposit(
        title_en="late draft",
        publish=False,
        published_on=date(2026, 1, 5),
        accepted_on=date(2025, 12, 1),
    )
    excused = repo.deposit(
        title_en="excused",
        publish=False,
        published_on=date(2026, 1, 5),
        accepted_on=date(2025, 12, 1),
    )
    services.report_oa_exception(excused, actor=repo.pi, reason="apc_unaffordable")
    old = _old_award(repo)
    services.create_output(actor=repo.pi, award=old, kind="article", title_en="old award",
                           peer_reviewed=True)  # fmt: skip
    assert late.pk
    assert _statuses(repo) == {
        "open": ComplianceStatus.COMPLIANT,
        # Published 2026-04-10, due 30 days later, still embargoed on 2026-06-01.
        "embargoed": ComplianceStatus.NON_COMPLIANT,
        "in curation": ComplianceStatus.PENDING,
        "late draft": ComplianceStatus.NON_COMPLIANT,
        "excused": ComplianceStatus.EXCEPTION,
        "old award": ComplianceStatus.NOT_MANDATED,
    }


def _pdf():
    from openrd.repository.tests.conftest import PDF

    return PDF


def test_roll_ups_count_per_group_and_only_latest_versions(repo):
    first = repo.deposit(title_en="v1")
    services.new_version(first, actor=repo.pi)  # a draft v2: the work counts once
    repo.deposit(
        title_en="late", publish=False, published_on=date(2026, 1, 5), accepted_on=date(2025, 12, 1)
    )
    services.create_output(actor=repo.pi, award=_old_award(repo), kind="article",
                           title_en="old")  # fmt: skip
    everything = Output.objects.all()
    assert compliance.counted(everything).count() == 3

    def roll_up(by):
        return compliance_store.roll_up(everything, by, today=TODAY)

    by_award = {g.code: compliance.summary_row(g.summary) for g in roll_up("award")}
    assert by_award["TEST-MS6-01"]["mandated"] == 2
    assert by_award["TEST-MS6-01"]["compliant"] == 1
    assert by_award["TEST-MS6-01"]["non_compliant"] == 1
    assert by_award["TEST-MS6-01"]["compliant_share"] == 0.5
    assert by_award["TEST-MS6-OLD"]["mandated"] == 0
    assert by_award["TEST-MS6-OLD"]["compliant_share"] is None
    (institution,) = roll_up("institution")
    assert institution.code == "tsukuba-demo"
    assert institution.summary.total == 3
    agencies = {g.code: g.summary for g in roll_up("agency")}
    assert agencies["jst"].mandated == 2
    total = compliance.total(roll_up("program"))
    assert (total.total, total.mandated, total.compliant) == (3, 2, 1)


def test_the_researcher_sees_a_task_for_each_mandated_output_not_open(repo):
    repo.deposit(title_en="open")
    pending = repo.deposit(title_en="to open", publish=False, published_on=date(2026, 5, 25))
    services.create_output(actor=repo.pi, award=_old_award(repo), kind="article",
                           title_en="old")  # fmt: skip
    now = datetime(2026, 6, 1, 9, 0, tzinfo=TOKYO)
    tasks = [t for t in tasks_for(repo.pi, now) if t.kind == "repository.to_open"]
    assert [t.url for t in tasks] == [f"/ja/outputs/deposits/{pending.pk}/"]
    assert tasks[0].due_at == datetime(2026, 6, 24, 23, 59, 59, tzinfo=TOKYO)
    assert [t for t in tasks_for(repo.stranger, now) if t.kind.startswith("repository")] == []


def test_the_curator_sees_the_deposits_awaiting_curation(repo):
    output = repo.deposit(publish=False)
    services.submit(output, actor=repo.pi)
    tasks = [t for t in tasks_for(repo.curator, timezone.now()) if t.kind == "repository.to_curate"]
    assert len(tasks) == 1
    assert tasks[0].count == 1


def test_the_page_and_its_files_for_agency_staff(repo, client):
    repo.deposit(title_en="open")
    repo.deposit(
        title_en="late", publish=False, published_on=date(2026, 1, 5), accepted_on=date(2025, 12, 1)
    )
    client.force_login(repo.staff)
    page = client.get("/en/outputs/compliance/?by=agency")
    assert page.status_code == 200
    assert "Japan Science and Technology Agency" in page.content.decode()
    csv = client.get("/en/outputs/compliance/?by=award&format=csv")
    text = csv.content.decode("utf-8-sig")
    assert "TEST-MS6-01" in text
    assert csv["Content-Type"].startswith("text/csv")
    xlsx = client.get("/ja/outputs/compliance/?by=institution&format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][1] == "tsukuba-demo"
    assert rows[1][3] == 2


def test_someone_outside_every_audience_gets_404(repo, client):
    repo.deposit()
    nobody = UserFactory(username="nobody")
    client.force_login(nobody)
    assert client.get("/ja/outputs/compliance/").status_code == 404
    assert client.get("/ja/outputs/apc/").status_code == 404


def test_staff_of_another_agency_see_none_of_these_outputs(repo, client):
    repo.deposit()
    other = UserFactory(username="nedostaff")
    from openrd.accounts.models import Organisation
    from openrd.accounts.services import assign_role

    assign_role(other, Role.AGENCY_STAFF, organisation=Organisation.objects.get(code="nedo"))
    client.force_login(other)
    page = client.get("/en/outputs/compliance/")
    assert page.status_code == 200
    assert "TEST-MS6-01" not in page.content.decode()
    assert Award.objects.count() == 1
