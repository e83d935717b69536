"""The reports an award owes over the API: its PI and the program's agency staff read
them; anyone else gets the 404 of a missing award, a visitor the 401 of every private
endpoint."""

from __future__ import annotations

from datetime import date

import pytest

from openrd.accounts.models import Organisation, Role
from openrd.accounts.services import assign_role, issue_api_token
from openrd.accounts.tests.factories import UserFactory
from openrd.awards import reports, services
from openrd.core.models import AuditEntry
from openrd.programs.models import Program

pytestmark = pytest.mark.django_db

REPORT_FIELDS = {
    "id", "award_id", "grant_number", "kind", "fiscal_year", "due_on", "status",
    "submitted_at", "reviewed_at",
}  # fmt: skip


@pytest.fixture
def award(loaded_programs):
    staff = UserFactory(username="jst-staff")
    assign_role(staff, Role.AGENCY_STAFF, organisation=Organisation.objects.get(code="jst"))
    pi = UserFactory(username="pi", roles=[Role.RESEARCHER])
    made = services.create_award(
        actor=staff,
        program=Program.objects.get(code="moonshot"),
        grant_number="MS6-PM1",
        title_ja="超伝導量子回路の集積化技術の開発",
        pi_name_ja="山本 剛",
        institution=Organisation.objects.get(code="jst"),
        starts_on=date(2024, 4, 1),
        ends_on=date(2026, 3, 31),
        pi=pi,
    )
    reports.schedule_reports(made, actor=staff)
    made.staff = staff  # type: ignore[attr-defined]
    return made


def test_the_pi_and_staff_read_an_awards_reports_a_stranger_gets_404_a_visitor_401(client, award):
    url = f"/api/v1/awards/{award.pk}/reports"
    assert client.get(url).status_code == 401
    client.force_login(award.pi)
    mine = client.get(url)
    assert mine.status_code == 200
    rows = mine.json()
    assert [(r["kind"], r["fiscal_year"]) for r in rows] == [
        ("progress", 2024),
        ("final", None),
    ]
    assert set(rows[0]) == REPORT_FIELDS  # never the report's text
    client.force_login(award.staff)
    assert client.get(url).json() == rows
    stranger = UserFactory(username="stranger", roles=[Role.RESEARCHER])
    client.force_login(stranger)
    assert client.get(url).status_code == 404
    assert AuditEntry.objects.filter(action="access.denied", actor=stranger).exists()
    _token, secret = issue_api_token(stranger, name="read", scope="read")
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 404
    assert client.get("/api/v1/awards/999999/reports").status_code == 404


def test_me_reports_lists_the_signed_in_pis_reports_across_awards(client, award):
    assert client.get("/api/v1/me/reports").status_code == 401
    other = services.create_award(
        actor=award.staff,
        program=award.program,
        grant_number="MS6-PM2",
        title_ja="別の課題",
        pi_name_ja="山本 剛",
        institution=award.institution,
        starts_on=date(2025, 4, 1),
        ends_on=date(2026, 3, 31),
        pi=award.pi,
    )
    reports.schedule_reports(other, actor=award.staff)
    client.force_login(award.pi)
    rows = client.get("/api/v1/me/reports").json()
    assert {r["grant_number"] for r in rows} == {"MS6-PM1", "MS6-PM2"}
    assert [r["due_on"] for r in rows] == sorted(r["due_on"] for r in rows)
    client.force_login(award.staff)  # staff are no PI: their list is empty
    assert client.get("/api/v1/me/reports").json() == []
