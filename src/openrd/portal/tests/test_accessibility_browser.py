"""Every page of the main journeys passes axe-core (WCAG 2.x A/AA and best
practices) in Japanese and in English, including pages with field errors, a
flash message, a 404 and the API documentation; lists stay readable on a phone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from django.conf import settings
from django.test import Client

from openrd.accounts.models import Organisation, Role, User
from openrd.accounts.services import assign_role, upsert_organisation
from openrd.accounts.tests.factories import UserFactory
from openrd.core.testing.axe import assert_accessible
from openrd.integrity.services import pledge, save_disclosure
from openrd.proposals import services
from openrd.proposals.models import Proposal
from openrd.proposals.tests.conftest import PDF, make_call

pytestmark = pytest.mark.browser

POSITION = {
    "organisation": "さくら量子株式会社",
    "country": "JP",
    "title": "代表取締役",
    "kind": "primary",
    "paid": True,
    "start": "2015-06-01",
}
FUNDING = {
    "status": "current",
    "program": "科学研究費助成事業 基盤研究(B)",
    "title": "量子センサの雑音抑制に関する研究",
    "funder": "日本学術振興会",
    "country": "JP",
    "start": "2022-04-01",
    "end": "2026-03-31",
    "amount_yen": 12_000_000,
    "effort_percent": 30,
}


def complete(title: str) -> services.DraftChanges:
    return services.DraftChanges(
        fields={
            "title_ja": title,
            "title_en": "Quantum sensing of pipes",
            "abstract_ja": "配管の劣化を量子センサで診断します。",
            "effort_percent": 40,
        },
        budget=[(2026, 10_000_000), (2027, 8_000_000)],
    )


@dataclass
class Demo:
    applicant: User
    officer: User
    agency: User
    admin: User
    call_pk: int
    submitted: Proposal
    draft: Proposal


def build_demo() -> Demo:
    """The demo's roles around an open SBIR call: a startup researcher with a
    submitted proposal (whose disclosure gained an entry since its first
    version) and a complete draft, its institution's officer, the agency and an
    administrator."""
    startup = upsert_organisation(
        code="sakura", kind="startup", name_ja="さくら量子", name_en="Sakura Quantum",
        is_sme=True, founded_on=date(2015, 6, 1),
    )  # fmt: skip
    applicant = UserFactory(
        username="startup", organisation=startup, roles=[Role.RESEARCHER],
        erad_researcher_number="87654321",
    )  # fmt: skip
    officer = UserFactory(username="startup-officer")
    assign_role(officer, Role.INSTITUTION_OFFICER, organisation=startup)
    agency = UserFactory(username="nedo")
    assign_role(agency, Role.AGENCY_STAFF, organisation=Organisation.objects.get(code="nedo"))
    admin = UserFactory(username="admin", is_staff=True, is_superuser=True)
    save_disclosure(applicant, actor=applicant, fundings=[], positions=[POSITION])
    save_disclosure(applicant, actor=applicant, fundings=[FUNDING], positions=[POSITION])
    pledge(applicant, actor=applicant)

    call = make_call()
    submitted = services.create_proposal(
        actor=applicant, call=call, changes=complete("量子センサによる配管診断")
    )
    services.attach_document(
        submitted, actor=applicant, document_code="plan", upload=PDF, filename="plan.pdf"
    )
    services.submit_proposal(submitted, actor=applicant, idempotency_key="a11y-1")
    second = make_call(code="sbir-test-02", title_ja="SBIRフェーズ1 第2回公募")
    draft = services.create_proposal(
        actor=applicant, call=second, changes=complete("配管診断の第2提案")
    )
    services.attach_document(
        draft, actor=applicant, document_code="plan", upload=PDF, filename="plan.pdf"
    )
    return Demo(applicant, officer, agency, admin, call.pk, submitted, draft)


def sign_in_as(page, site, user: User | None) -> None:
    """The browser carries a finished sign-in (password and second factor) of ``user``."""
    page.context.clear_cookies()
    if user is None:
        return
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": site.url}]
    )


class Checker:
    """Runs axe on page after page and reports every failing page at the end."""

    def __init__(self, page) -> None:
        self.page = page
        self.failures: list[str] = []
        self.checked = 0

    def here(self, label: str) -> None:
        self.checked += 1
        try:
            assert_accessible(self.page, label=label)
        except AssertionError as failure:
            self.failures.append(str(failure))

    def visit(self, url: str, label: str) -> None:
        response = self.page.goto(url)
        assert response is not None
        self.page.wait_for_load_state("load")
        self.here(f"{label} ({url}, HTTP {response.status})")

    def assert_clean(self) -> None:
        assert not self.failures, (
            f"{len(self.failures)} of {self.checked} pages fail axe:\n\n"
            + "\n\n".join(self.failures)
        )


@pytest.fixture
def demo(loaded_programs, settings, tmp_path) -> Demo:
    settings.MEDIA_ROOT = tmp_path
    return build_demo()


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_page_of_the_journeys_passes_axe(page, site, demo, browser_errors, lang):
    base = f"{site.url}/{lang}"
    call, submitted, draft = demo.call_pk, demo.submitted.pk, demo.draft.pk
    journeys: list[tuple[User | None, list[tuple[str, str]]]] = [
        (None, [
            ("home", "/"),
            ("programs", "/programs/"),
            ("a program (Moonshot)", "/programs/moonshot/"),
            ("a program (SBIR)", "/programs/sbir/"),
            ("calls", "/calls/"),
            ("a call", f"/calls/{call}/"),
            ("sign-in", "/accounts/login/"),
            ("organisations", "/organisations/"),
        ]),
        (demo.applicant, [
            ("dashboard", "/dashboard/"),
            ("proposals", "/proposals/"),
            ("proposal editor", f"/proposals/{draft}/"),
            ("submitted proposal", f"/proposals/{submitted}/"),
            ("submitted version", f"/proposals/{submitted}/versions/1/"),
            ("disclosures", "/disclosures/"),
            ("disclosure history", "/disclosures/history/"),
        ]),
        (demo.officer, [
            ("proposal to endorse", f"/proposals/{submitted}/"),
            ("proposals (institution)", "/proposals/"),
        ]),
        (demo.agency, [
            ("calls (agency)", "/calls/"),
            ("call form", "/calls/new/"),
            ("call edit form", f"/calls/{call}/edit/"),
            ("call statistics", f"/proposals/calls/{call}/stats/"),
        ]),
        (demo.admin, [
            ("audit log", "/audit/"),
            ("admin index", "/admin/"),
            ("admin calls", "/admin/programs/call/"),
            ("admin call change", f"/admin/programs/call/{call}/change/"),
        ]),
    ]  # fmt: skip
    axe = Checker(page)
    for user, pages in journeys:
        sign_in_as(page, site, user)
        for label, path in pages:
            axe.visit(base + path, label)

    # The administration is OpenRD's, in the page's language.
    page.goto(f"{base}/admin/")
    assert "OpenRD" in page.locator("#site-name").inner_text()
    assert page.locator("html").get_attribute("lang") == lang

    # The disclosure diff on the institution's page speaks the page's language.
    sign_in_as(page, site, demo.officer)
    page.goto(f"{base}/proposals/{submitted}/")
    badge = page.locator('.badge[data-kind="added"]').first
    assert badge.inner_text() == {"ja": "追加", "en": "added"}[lang]

    # The API documentation follows the language of the visitor's choice.
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": lang, "url": site.url}]
    )
    page.goto(f"{site.url}/api/v1/docs")
    page.locator(".opblock").first.wait_for()
    page.locator("section.models .json-schema-2020-12").first.wait_for()
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator(f'a[href="/{lang}/"]').count() >= 1
    axe.here("API documentation")
    # One operation opened: its parameters, request body and responses.
    page.locator(".opblock-post .opblock-summary-control").first.click()
    page.locator(".opblock-post .opblock-body .responses-wrapper").first.wait_for()
    axe.here("API documentation, an operation opened")

    # A page that does not exist (its 404 is expected here).
    axe.visit(f"{base}/no-such-page/", "404")

    # Field errors: the call form sent empty, the sign-in with a wrong password.
    sign_in_as(page, site, demo.agency)
    page.goto(f"{base}/calls/new/?program=sbir")
    page.locator('button[name="save"]').click()
    page.wait_for_load_state("load")
    assert page.locator(".errorlist, [aria-invalid='true']").count() > 0
    axe.here("call form with errors")

    sign_in_as(page, site, None)
    page.goto(f"{base}/accounts/login/")
    page.locator("#id_username").fill("startup")
    page.locator("#id_password").fill("wrong-password")
    page.locator('form button[type="submit"]').last.click()
    page.wait_for_load_state("load")
    axe.here("sign-in with errors")

    # A flash message: the complete draft submitted from the editor.
    sign_in_as(page, site, demo.applicant)
    page.goto(f"{base}/proposals/{draft}/")
    page.locator('button[formaction$="/submit/"]').click()
    page.locator(".messages").wait_for()
    axe.here("flash message after submitting")
    # The one expected failure: the 404 page (its response and its console line).
    missing = f"404 {base}/no-such-page/"
    assert missing in browser_errors
    browser_errors.remove(missing)
    console = "Failed to load resource: the server responded with a status of 404 (Not Found)"
    if console in browser_errors:
        browser_errors.remove(console)
    axe.assert_clean()


def test_lists_stay_readable_on_a_390px_phone(page, site, demo):
    page.set_viewport_size({"width": 390, "height": 844})
    for user, path in [
        (demo.applicant, "/ja/proposals/"),
        (demo.agency, "/ja/calls/"),
        (demo.applicant, "/ja/organisations/"),
    ]:
        sign_in_as(page, site, user)
        page.goto(site.url + path)
        page.wait_for_load_state("load")
        # The page itself never scrolls sideways ...
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
        # ... and no cell of a list is squeezed to a few characters: a table's
        # rows become cards whose cells take the width of the screen.
        widths = page.evaluate(
            """() => [...document.querySelectorAll('main tbody th, main tbody td')]
                .map((cell) => cell.getBoundingClientRect().width)
                .filter((width) => width > 0)"""
        )
        if path == "/ja/calls/":
            assert page.locator("main .card-list li").count() >= 2
        else:
            assert widths, f"{path}: no table"
        assert min(widths, default=390) >= 240, f"{path}: a cell is {min(widths)}px wide"
