"""An agency drafts a call in a real browser, in Japanese, opens it and finds it
in the list, without JavaScript doing any of the work."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext

from openrd.core.fiscal import fiscal_year_of, to_tokyo
from openrd.programs.models import Call, CallStatus
from openrd.programs.tests.call_data import agency_staff

pytestmark = pytest.mark.browser


def signed_in(page, site, user):
    """The browser carries a finished sign-in (password and second factor)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": site.url}]
    )


def test_agency_staff_create_a_call_open_it_and_see_it_in_the_list(page, site, loaded_programs):
    signed_in(page, site, agency_staff("nedo"))
    page.goto(f"{site.url}/ja/calls/")
    page.locator('a[href="/ja/calls/new/"]').click()
    page.locator("#id_program").select_option("sbir")
    page.locator('form.form button[type="submit"]').click()

    opens = to_tokyo(timezone.now()) - timedelta(hours=1)
    fy = fiscal_year_of(opens)
    page.locator("#id_code").fill("sbir-browser-01")
    page.locator("#id_title_ja").fill("ブラウザで作ったSBIR公募")
    page.locator("#id_fiscal_year").fill(str(fy))
    page.locator("#id_opens_at").fill(opens.strftime("%Y-%m-%dT%H:%M"))
    page.locator("#id_closes_at").fill((opens + timedelta(days=20)).strftime("%Y-%m-%dT%H:%M"))
    page.locator("#id_first_budget_year").fill(str(fy))
    page.locator("#id_last_budget_year").fill(str(fy))
    page.locator("#id_total_budget_yen").fill("100,000,000")
    page.locator("#id_cap_per_proposal_yen").fill("１０，０００，０００")
    page.locator("#id_documents-0-code").fill("plan")
    page.locator("#id_documents-0-name_ja").fill("研究計画書")
    # A second criterion row, added by the server.
    page.locator('button[name="add_criteria"]').click()
    page.locator("#id_criteria-0-code").fill("novelty")
    page.locator("#id_criteria-0-name_ja").fill("新規性")
    page.locator("#id_criteria-0-weight").fill("50")
    page.locator("#id_criteria-1-code").fill("team")
    page.locator("#id_criteria-1-name_ja").fill("実施体制")
    page.locator("#id_criteria-1-weight").fill("50")
    page.locator('button[name="save"]').click()

    call = Call.objects.get(code="sbir-browser-01")
    assert page.url.endswith(f"/ja/calls/{call.pk}/")
    assert page.locator("h1").inner_text() == "ブラウザで作ったSBIR公募"
    page.locator(f'a[href="/ja/calls/{call.pk}/open/"]').click()
    page.locator('form.form button[type="submit"]').click()
    call.refresh_from_db()
    assert call.status == CallStatus.OPEN
    assert call.cap_per_proposal_yen == 10_000_000

    page.goto(f"{site.url}/ja/calls/")
    with translation.override("ja"):
        heading = gettext("Your agency's calls (drafts included)")
    own = page.locator("section", has=page.get_by_role("heading", name=heading))
    assert "ブラウザで作ったSBIR公募" in own.inner_text()
    assert "ブラウザで作ったSBIR公募" in page.locator(".card-list").last.inner_text()

    # The statistics page: a chart drawn on the server, inline, under the page's CSP
    # (the page fixture fails the test on any console error, a CSP violation included).
    page.goto(f"{site.url}/ja/calls/{call.pk}/")
    page.locator(f'a[href="/ja/proposals/calls/{call.pk}/stats/"]').click()
    page.wait_for_url(f"**/calls/{call.pk}/stats/")
    chart = page.locator('svg[role="img"]#chart-status')
    chart.wait_for(state="visible")  # is_visible() does not wait for the page to load
    assert chart.is_visible()
    assert chart.locator("title").count() == 1
