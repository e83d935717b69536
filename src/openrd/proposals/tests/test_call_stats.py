"""A call's statistics page: the figures against a small fixture, who may see them,
the chart's text alternative and the CSV for a spreadsheet."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext

from openrd.accounts.models import Organisation, Role
from openrd.accounts.services import assign_role
from openrd.accounts.tests.factories import UserFactory
from openrd.core.models import AuditEntry
from openrd.proposals.call_stats import call_statistics
from openrd.proposals.models import (
    Endorsement,
    Proposal,
    ProposalBudget,
    ProposalStatus,
    ProposalVersion,
)
from openrd.proposals.services.common import refresh_latest_versions

pytestmark = pytest.mark.django_db


def _proposal(world, status, budget=(), endorsed=False):
    p = Proposal.objects.create(
        call=world.call,
        agency=world.call.agency,
        applicant=world.applicant,
        institution=world.startup,
        status=status,
    )
    for year, amount in budget:
        ProposalBudget.objects.create(proposal=p, fiscal_year=year, amount_yen=amount)
    if status != ProposalStatus.DRAFT:
        ProposalVersion.objects.create(
            proposal=p,
            number=1,
            submitted_at=timezone.now(),
            submitted_by=world.applicant,
            idempotency_key=f"k{p.pk}",
            receipt_sequence=p.pk,
            receipt_number=f"STATS-{p.pk}-v1",
            content={},
            disclosure=world.applicant.disclosure_versions.latest("number"),
            endorsement=Endorsement.ENDORSED if endorsed else Endorsement.PENDING,
        )
        refresh_latest_versions(p.pk)
    return p


@pytest.fixture
def figures(world):
    """Five proposals: a draft, two submitted, one endorsed, one withdrawn."""
    _proposal(world, ProposalStatus.DRAFT, [(2026, 99_000_000)])
    _proposal(world, ProposalStatus.SUBMITTED, [(2026, 10_000_000), (2027, 8_000_000)])
    _proposal(world, ProposalStatus.SUBMITTED, [(2026, 5_000_000)])
    _proposal(world, ProposalStatus.ENDORSED, [(2027, 120_000_000)], endorsed=True)
    _proposal(world, ProposalStatus.WITHDRAWN, [(2026, 77_000_000)])
    return world


def ja(msgid):
    """The Japanese the page shows for ``msgid`` (from the catalog, so the test
    follows a reworded translation)."""
    with translation.override("ja"):
        return gettext(msgid)


SUBMITTED = "Submitted, awaiting endorsement"


def _person(role, org_code):
    user = UserFactory()
    assign_role(user, role, organisation=Organisation.objects.get(code=org_code))
    return user


def test_the_figures_count_by_status_endorsed_and_requested_per_year(figures):
    stats = call_statistics(figures.call)
    by_status = {code: n for code, _label, n in stats.by_status}
    assert by_status == {
        "draft": 1,
        "submitted": 2,
        "returned": 0,
        "endorsed": 1,
        "withdrawn": 1,
    }
    assert stats.total == 5
    assert stats.endorsed == 1
    # Drafts and withdrawn proposals request nothing.
    assert stats.requested_by_year == [(2026, 15_000_000), (2027, 128_000_000)]
    assert stats.requested_total == 143_000_000


def test_the_page_shows_a_chart_with_text_and_a_title_and_the_numbers_as_a_table(client, figures):
    client.force_login(figures.nedo_staff)
    response = client.get(f"/ja/proposals/calls/{figures.call.pk}/stats/")
    assert response.status_code == 200
    page = response.content.decode()
    svg = re.search(r'<svg[^>]*id="chart-status".*?</svg>', page, re.S)
    assert svg is not None
    chart = svg.group(0)
    assert 'role="img"' in chart
    assert 'aria-labelledby="chart-status-title chart-status-desc"' in chart
    assert f'<title id="chart-status-title">{ja("Proposals by status")}</title>' in chart
    # The description lists every figure.
    assert ja("%(label)s: %(count)d") % {"label": ja(SUBMITTED), "count": 2} in chart
    # Labels stay text (not paths) and name the Japanese font first.
    assert re.search(rf"<text[^>]*>{ja('Draft')}</text>", chart)
    assert "Noto Sans CJK JP" in chart
    # No style element or attribute: the page's CSP forbids inline styles.
    assert "<style" not in page
    assert "style=" not in chart
    # The amounts by fiscal year, in 億円/万円, as a table too.
    assert "令和8年度" in page
    assert "1,500万円" in page
    assert "1.28億円" in page
    assert f'<th scope="row">{ja(SUBMITTED)}</th><td class="num">2</td>' in page


def test_the_csv_is_utf8_with_a_bom_and_a_header_in_the_page_language(client, figures):
    client.force_login(figures.nedo_staff)
    response = client.get(f"/ja/proposals/calls/{figures.call.pk}/stats.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == [ja("Section"), ja("Item"), ja("Value")]
    assert [ja("Proposals by status"), ja(SUBMITTED), "2"] in rows
    assert [ja("Endorsement"), ja("Endorsed proposals"), "1"] in rows
    assert [ja("Requested amounts (yen)"), "令和9年度（2027年度）", "128000000"] in rows
    english = client.get(f"/en/proposals/calls/{figures.call.pk}/stats.csv")
    assert english.content.decode("utf-8-sig").splitlines()[0] == "Section,Item,Value"


@pytest.mark.parametrize(
    ("role", "org", "status"),
    [
        (Role.AGENCY_STAFF, "nedo", 200),
        (Role.PROGRAM_DIRECTOR, "nedo", 200),
        (Role.PROGRAM_MANAGER, "nedo", 200),
        (Role.AGENCY_STAFF, "jst", 404),
        (Role.PROGRAM_DIRECTOR, "jst", 404),
        (Role.INSTITUTION_OFFICER, "sakura", 404),
    ],
)
def test_only_the_calls_agency_and_its_pd_and_pm_see_the_figures(
    client, figures, role, org, status
):
    client.force_login(_person(role, org))
    for suffix in ("stats/", "stats.csv"):
        response = client.get(f"/ja/proposals/calls/{figures.call.pk}/{suffix}")
        assert response.status_code == status


def test_a_researcher_and_a_visitor_get_404_and_the_attempt_is_audited(client, figures):
    url = f"/ja/proposals/calls/{figures.call.pk}/stats/"
    assert client.get(url).status_code == 404
    client.force_login(figures.stranger)
    assert client.get(url).status_code == 404
    denied = AuditEntry.objects.filter(action="access.denied", object_id=str(figures.call.pk))
    assert denied.filter(actor=figures.stranger).exists()


def test_the_call_page_links_the_statistics_for_its_agency_only(client, figures):
    page_url = f"/ja/calls/{figures.call.pk}/"
    link = f'href="/ja/proposals/calls/{figures.call.pk}/stats/"'
    client.force_login(figures.nedo_staff)
    assert link in client.get(page_url).content.decode()
    client.force_login(figures.applicant)
    assert link not in client.get(page_url).content.decode()
