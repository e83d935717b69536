"""The public award pages, and the stage gates on the PD's and PM's dashboards."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from openrd.accounts.models import Organisation, Role
from openrd.accounts.services import assign_role
from openrd.accounts.tests.factories import UserFactory
from openrd.awards import services
from openrd.awards.my_tasks import GATE
from openrd.core.my_tasks import count_for, tasks_for
from openrd.programs.models import Program

pytestmark = pytest.mark.django_db


@pytest.fixture
def award(loaded_programs):
    jst = Organisation.objects.get(code="jst")
    staff = UserFactory(username="jst-staff")
    assign_role(staff, Role.AGENCY_STAFF, organisation=jst)
    soon = timezone.localdate() + timedelta(days=10)
    return services.create_award(
        actor=staff,
        program=Program.objects.get(code="moonshot"),
        grant_number="MS6-PM1",
        title_ja="超伝導量子回路の集積化技術の開発",
        title_en="Development of integration technologies for superconducting quantum circuits",
        pi_name_ja="山本 剛",
        pi_name_en="Tsuyoshi Yamamoto",
        institution=jst,
        starts_on=date(2020, 12, 1),
        ends_on=date(2030, 11, 30),
        budget=[(2024, 300_000_000)],
        gates=[
            ("第2回評価", "Second review", soon),
            ("第3回評価", "Third review", date(2029, 6, 1)),
        ],
    )


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_public_list_and_page_show_the_record(client, award, lang):
    listed = client.get(f"/{lang}/awards/?program=moonshot").content.decode()
    assert award.grant_number in listed
    assert f"/{lang}/awards/{award.pk}/" in listed
    page = client.get(f"/{lang}/awards/{award.pk}/").content.decode()
    assert {"ja": "超伝導量子回路", "en": "superconducting quantum circuits"}[lang] in page
    assert {"ja": "3億円", "en": "¥300 million"}[lang] in page
    assert {"ja": "第2回評価", "en": "Second review"}[lang] in page
    assert {"ja": "令和2年12月1日", "en": "1 December 2020 (Reiwa 2)"}[lang] in page


def test_another_programs_list_does_not_show_it_and_a_missing_award_is_a_404(client, award):
    assert award.grant_number not in client.get("/ja/awards/?program=sip").content.decode()
    assert client.get("/ja/awards/999999/").status_code == 404


def test_a_gate_due_soon_awaits_the_pd_and_the_awards_own_pm_only(award):
    jst = Organisation.objects.get(code="jst")
    pd, pm, researcher = UserFactory(), UserFactory(), UserFactory(roles=[Role.RESEARCHER])
    assign_role(pd, Role.PROGRAM_DIRECTOR, organisation=jst)
    assign_role(pm, Role.PROGRAM_MANAGER, organisation=Organisation.objects.get(code="nedo"))
    award.pm = pm
    award.save(update_fields=["pm"])
    for person in (pd, pm):
        tasks = [t for t in tasks_for(person) if t.kind == GATE]
        assert [t.detail for t in tasks] == ["第2回評価"]  # not the one due in 2029
        first_gate = award.stage_gates.order_by("due_on").first()
        assert tasks[0].url == f"/ja/awards/gates/{first_gate.pk}/"
        assert count_for(person) == len(tasks_for(person))
    assert not [t for t in tasks_for(researcher) if t.kind == GATE]
    other_pm = UserFactory()
    assign_role(other_pm, Role.PROGRAM_MANAGER, organisation=jst)
    assert not [t for t in tasks_for(other_pm) if t.kind == GATE]
    services.evaluate_gate(award.stage_gates.order_by("due_on").first(), "continue", actor=pd,
                           reasons="順調")  # fmt: skip
    assert not [t for t in tasks_for(pd) if t.kind == GATE]
