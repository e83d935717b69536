"""The whole journey in a real browser, in Japanese and in English, as three people
who each sign in through the sign-in page: agency staff create a call with the
form and open it; an applicant finds it, applies, fills the editor, uploads the
plan, reads the explained check, submits and downloads the application PDF; the
institution officer finds the task, reads the same PDF and endorses; the task goes
and the agency reads the PDF. Every page on the way is checked with axe-core."""

from __future__ import annotations

import io
import time
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.utils import timezone
from pypdf import PdfReader

from openrd.accounts.models import Organisation, Role, User
from openrd.accounts.services import assign_role, set_up_totp, upsert_organisation
from openrd.accounts.tests.factories import UserFactory
from openrd.core.fiscal import fiscal_year_of, to_tokyo
from openrd.core.testing.axe import assert_accessible
from openrd.core.testing.browser import watch_errors
from openrd.core.tests import pdfs
from openrd.programs.models import Call, CallStatus
from openrd.proposals.models import Proposal, ProposalStatus
from openrd.proposals.tests.conftest import disclose_and_pledge

pytestmark = pytest.mark.browser

PASSWORD = "correct-horse-battery"  # the factories' password
PLAN_TEXT = "JOURNEY-PLAN-PAGE"

# What each page says, typed out in both languages: a missing translation shows
# up as English on a Japanese page and fails the Japanese journey.
TEXT = {
    "ja": {
        "log_in": "ログイン",
        "my_tasks": "やること",
        "calls": "公募一覧",
        "new_call": "新しい公募を作成",
        "continue": "次へ",
        "save_call": "下書きを保存",
        "open_call": "公募を開始…",
        "open_now": "今すぐ公募を開始する",
        "apply": "この公募に応募する",
        "start_draft": "下書きを作成",
        "drafts": "作成中の下書き",
        "no_drafts": "作成中の下書きはありません。",
        "upload": "アップロード",
        "submit": "保存して提出",
        "missing_document": "必要書類が添付されていません",
        "submitted": "第1版を所属機関に提出しました",
        "receipt": "受付番号",
        "awaiting": "機関承認を待っている提案書",
        "none_awaiting": "機関承認を待っている提案書はありません。",
        "endorse": "承認する",
        "endorsed_message": "承認し",
        "endorsed": "承認済み",
        "locked": "所属機関がこの提案を承認し、資金配分機関に送付しました。",
        "agency_reads": "第1版",
        "proposals": "提案",
        "pdf_link": "申請書PDF",
    },
    "en": {
        "log_in": "Log in",
        "my_tasks": "My tasks",
        "calls": "Calls for proposals",
        "new_call": "New call for proposals",
        "continue": "Continue",
        "save_call": "Save the draft",
        "open_call": "Open the call…",
        "open_now": "Open the call now",
        "apply": "Apply to this call",
        "start_draft": "Start a draft",
        "drafts": "Drafts to finish",
        "no_drafts": "You have no drafts in progress.",
        "upload": "Upload",
        "submit": "Save and submit",
        "missing_document": "A required document is missing",
        "submitted": "Version 1 has been submitted to your institution",
        "receipt": "Receipt number",
        "awaiting": "Awaiting your endorsement",
        "none_awaiting": "No proposal awaits your institution's endorsement.",
        "endorse": "Endorse",
        "endorsed_message": "endorsed and sent to the agency",
        "endorsed": "Endorsed",
        "locked": "Your institution has endorsed this proposal and sent it to the funding agency.",
        "agency_reads": "version 1",
        "proposals": "Proposals",
        "pdf_link": "Application PDF",
    },
}


@dataclass
class People:
    applicant: User
    officer: User
    agency: User
    secrets: dict[str, str]


@pytest.fixture
def people(loaded_programs: None, settings: Any, tmp_path: Any) -> People:
    settings.MEDIA_ROOT = tmp_path
    startup = upsert_organisation(
        code="sakura", kind="startup", name_ja="さくら量子", name_en="Sakura Quantum",
        is_sme=True, founded_on=date(2015, 6, 1),
    )  # fmt: skip
    applicant = UserFactory(
        username="applicant", organisation=startup, roles=[Role.RESEARCHER],
        erad_researcher_number="11112222",
    )  # fmt: skip
    disclose_and_pledge(applicant)
    officer = UserFactory(username="officer")
    assign_role(officer, Role.INSTITUTION_OFFICER, organisation=startup)
    agency = UserFactory(username="nedo-staff")
    assign_role(agency, Role.AGENCY_STAFF, organisation=Organisation.objects.get(code="nedo"))
    # Privileged roles sign in with a second factor: an authenticator app's code.
    secrets = {
        "officer": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
        "nedo-staff": "KRSXG5CTMVRXEZLUKN2XAZLSKNSXG5DF",
    }
    # A code read just before a 30-second step ends still counts once typed (a loaded
    # machine takes a moment between reading and sending it).
    settings.MFA_TOTP_TOLERANCE = 1
    set_up_totp(officer, secret=secrets["officer"])
    set_up_totp(agency, secret=secrets["nedo-staff"])
    return People(applicant, officer, agency, secrets)


def new_person(page: Any, browser_errors: list[str]) -> Any:
    """A second browser (its own cookies) watched like the fixture's page."""
    context = page.context.browser.new_context(locale="ja-JP")
    other = context.new_page()
    return watch_errors(other, browser_errors)


def checked(page: Any, lang: str, what: str) -> None:
    """The page is fully loaded, in the journey's language, and passes axe."""
    page.wait_for_load_state("load")
    assert page.locator("html").get_attribute("lang") == lang, what
    assert_accessible(page, label=f"{what} ({lang})")


def sign_in(page: Any, base: str, lang: str, username: str, secret: str | None = None) -> None:
    t = TEXT[lang]
    page.goto(f"{base}/{lang}/accounts/login/")
    checked(page, lang, "sign-in")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#main").get_by_role("button", name=t["log_in"]).click()
    if secret is not None:
        page.wait_for_url("**/accounts/2fa/authenticate/")
        checked(page, lang, "second factor")
        code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
        page.locator("#id_code").fill(code)
        page.locator('#main form button[type="submit"]').first.click()
    page.wait_for_url(f"**/{lang}/dashboard/")
    assert page.locator("h1").inner_text() == t["my_tasks"]


def pdf_texts(body: bytes) -> list[str]:
    assert body.startswith(b"%PDF-")
    return [p.extract_text() for p in PdfReader(io.BytesIO(body)).pages]


def assert_application_pdf(body: bytes, *, receipt: str, title: dict[str, str]) -> None:
    pages = pdf_texts(body)
    total = len(pages)
    assert total >= 2  # the form, then the plan's page
    assert title["ja"] in pages[0]
    assert title["en"] in pages[0]
    assert PLAN_TEXT in pages[-1]
    for n, text in enumerate(pages, start=1):
        assert receipt in text, n
        assert f"{n} / {total}" in text, n


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_call_application_endorsement_and_pdf_end_to_end(
    page, site, people, browser_errors, tmp_path, lang
):
    t = TEXT[lang]
    base = site.url
    title = {"ja": "量子センサによる配管診断の実証", "en": "Pipe diagnosis with quantum sensors"}
    call_title = {"ja": "SBIRフェーズ1 旅程公募", "en": "SBIR Phase 1 journey call"}

    # ------------------------------------------------------------ agency: the call
    agency = page
    sign_in(agency, base, lang, "nedo-staff", people.secrets["nedo-staff"])
    checked(agency, lang, "agency dashboard")
    agency.goto(f"{base}/{lang}/calls/")
    checked(agency, lang, "calls (agency)")
    agency.locator(f'a[href="/{lang}/calls/new/"]').click()
    assert agency.locator("h1").inner_text() == t["new_call"]
    checked(agency, lang, "choose program")
    agency.locator("#id_program").select_option("sbir")
    agency.get_by_role("button", name=t["continue"]).click()
    agency.locator("#id_code").wait_for()
    checked(agency, lang, "call form")

    opens = to_tokyo(timezone.now()).replace(second=0, microsecond=0) - timedelta(hours=1)
    closes = opens + timedelta(days=20)
    fy = fiscal_year_of(opens)
    agency.locator("#id_code").fill(f"sbir-journey-{lang}")
    agency.locator("#id_title_ja").fill(call_title["ja"])
    agency.locator("#id_title_en").fill(call_title["en"])
    agency.locator("#id_fiscal_year").fill(str(fy))
    agency.locator("#id_opens_at").fill(opens.strftime("%Y-%m-%dT%H:%M"))
    agency.locator("#id_closes_at").fill(closes.strftime("%Y-%m-%dT%H:%M"))
    agency.locator("#id_first_budget_year").fill(str(fy))
    agency.locator("#id_last_budget_year").fill(str(fy))
    agency.locator("#id_total_budget_yen").fill("100,000,000")
    agency.locator("#id_cap_per_proposal_yen").fill("20,000,000")
    # Eligibility: startups only, narrower than the program (which admits more kinds).
    kinds = agency.locator('input[name="eligible_org_kinds"]')
    assert kinds.count() > 1
    for i in range(kinds.count()):
        kinds.nth(i).set_checked(kinds.nth(i).get_attribute("value") == "startup")
    agency.locator("#id_documents-0-code").fill("plan")
    agency.locator("#id_documents-0-name_ja").fill("研究計画書")
    agency.locator("#id_documents-0-name_en").fill("Research plan")
    agency.locator("#id_criteria-0-code").fill("novelty")
    agency.locator("#id_criteria-0-name_ja").fill("新規性")
    agency.locator("#id_criteria-0-name_en").fill("Novelty")
    agency.locator("#id_criteria-0-weight").fill("100")
    agency.get_by_role("button", name=t["save_call"]).click()

    agency.wait_for_url(f"**/{lang}/calls/*/")
    call = Call.objects.get(code=f"sbir-journey-{lang}")
    assert agency.locator("h1").inner_text() == call_title[lang]
    # The window was typed in Japan time and is kept to the minute.
    assert to_tokyo(call.opens_at) == opens
    assert to_tokyo(call.closes_at) == closes
    assert call.eligibility["eligible_org_kinds"] == ["startup"]
    assert list(call.documents.values_list("code", flat=True)) == ["plan"]
    assert list(call.criteria.values_list("code", "weight")) == [("novelty", 100)]
    checked(agency, lang, "draft call")
    agency.get_by_role("link", name=t["open_call"]).click()
    checked(agency, lang, "open the call")
    agency.get_by_role("button", name=t["open_now"]).click()
    agency.wait_for_url(f"**/{lang}/calls/{call.pk}/")
    call.refresh_from_db()
    assert call.status == CallStatus.OPEN
    checked(agency, lang, "open call")

    # ------------------------------------------------------------ applicant: apply
    applicant = new_person(page, browser_errors)
    sign_in(applicant, base, lang, "applicant")
    assert t["no_drafts"] in applicant.locator("#main").inner_text()
    checked(applicant, lang, "applicant dashboard (empty)")
    applicant.goto(f"{base}/{lang}/calls/")
    assert applicant.locator("h1").inner_text() == t["calls"]
    checked(applicant, lang, "calls (applicant)")
    applicant.get_by_role("link", name=call_title[lang]).first.click()
    applicant.wait_for_url(f"**/{lang}/calls/{call.pk}/")
    assert applicant.locator("h1").inner_text() == call_title[lang]
    checked(applicant, lang, "call page")
    applicant.get_by_role("link", name=t["apply"]).click()
    checked(applicant, lang, "start a draft")
    applicant.get_by_role("button", name=t["start_draft"]).click()
    applicant.wait_for_url(f"**/{lang}/proposals/*/")
    applicant.wait_for_function("window.htmx !== undefined")
    proposal = Proposal.objects.get(call=call)
    checked(applicant, lang, "editor (new)")

    applicant.locator("#id_title_ja").fill(title["ja"])
    applicant.locator("#id_title_en").fill(title["en"])
    applicant.locator("#id_abstract_ja").fill("既設配管の腐食を量子センサで非破壊に診断します。")
    applicant.locator("#id_abstract_en").fill("Non-destructive diagnosis of pipe corrosion.")
    applicant.locator("#id_effort_percent").fill("40")
    # The explained check: what is missing, each reason in the page's language.
    applicant.get_by_role("button", name=t["submit"]).click()
    refusal = applicant.locator("#refusal")
    refusal.wait_for()
    codes = refusal.locator("li").evaluate_all("items => items.map(i => i.dataset.code)")
    assert codes == ["budget.missing", "document.missing.plan"]
    assert t["missing_document"] in refusal.inner_text()
    checked(applicant, lang, "editor (reasons)")
    # Nothing typed was lost to the refusal.
    assert applicant.locator("#id_title_ja").input_value() == title["ja"]

    plan = tmp_path / "plan.pdf"
    plan.write_bytes(pdfs.plain(PLAN_TEXT))
    applicant.locator("#id_file_plan").set_input_files(str(plan))
    applicant.get_by_role("button", name=t["upload"]).click()
    applicant.locator('[data-attached="plan"]').wait_for()

    # The unfinished draft is a task on the dashboard, under its title.
    applicant.goto(f"{base}/{lang}/dashboard/")
    drafts = applicant.locator("section", has=applicant.get_by_role("heading", name=t["drafts"]))
    assert drafts.get_by_role("link", name=title[lang]).count() == 1
    checked(applicant, lang, "applicant dashboard (draft)")
    drafts.get_by_role("link", name=title[lang]).click()
    applicant.wait_for_url(f"**/{lang}/proposals/{proposal.pk}/")
    applicant.wait_for_function("window.htmx !== undefined")
    applicant.locator(f"#id_budget_{fy}").fill("15,000,000")
    applicant.get_by_role("button", name=t["submit"]).click()
    messages = applicant.locator(".messages")
    messages.wait_for()
    assert t["submitted"] in messages.inner_text()
    receipt = applicant.locator("[data-receipt-number]").first.inner_text().strip()
    assert receipt
    assert receipt in messages.inner_text()
    assert t["receipt"] in applicant.locator("#versions-heading + ul").inner_text()
    checked(applicant, lang, "submitted")

    with applicant.expect_download() as download:
        applicant.locator("#versions-heading + ul a[download]").click()
    body = download.value.path().read_bytes()
    assert_application_pdf(body, receipt=receipt, title=title)

    applicant.goto(f"{base}/{lang}/dashboard/")
    assert t["no_drafts"] in applicant.locator("#main").inner_text()  # the task is gone
    checked(applicant, lang, "applicant dashboard (submitted)")

    # ------------------------------------------------------------ officer: endorse
    officer = new_person(page, browser_errors)
    sign_in(officer, base, lang, "officer", people.secrets["officer"])
    awaiting = officer.locator("section", has=officer.get_by_role("heading", name=t["awaiting"]))
    task = awaiting.get_by_role("link", name=title[lang])
    assert task.count() == 1, officer.locator("#main").inner_text()
    checked(officer, lang, "officer dashboard (task)")
    task.click()
    officer.wait_for_url(f"**/{lang}/proposals/{proposal.pk}/")
    assert officer.locator("[data-receipt-number]").first.inner_text().strip() == receipt
    checked(officer, lang, "officer reads the proposal")
    pdf_link = officer.get_by_role("link", name=t["pdf_link"]).first
    response = officer.request.get(base + pdf_link.get_attribute("href"))
    assert response.status == 200
    assert pdf_texts(response.body()) == pdf_texts(body)
    officer.get_by_role("button", name=t["endorse"]).click()
    # Signed in with both factors moments ago: no second "confirm your password".
    officer.wait_for_url(f"**/{lang}/proposals/{proposal.pk}/")
    officer.locator(".messages").wait_for()
    assert t["endorsed_message"] in officer.locator(".messages").inner_text()
    checked(officer, lang, "endorsed (officer)")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.ENDORSED

    officer.goto(f"{base}/{lang}/dashboard/")
    assert t["none_awaiting"] in officer.locator("#main").inner_text()  # the task is gone
    assert officer.get_by_role("link", name=title[lang]).count() == 0
    checked(officer, lang, "officer dashboard (done)")

    # The applicant sees the state: endorsed, locked, read by the agency.
    applicant.goto(f"{base}/{lang}/dashboard/")
    assert t["no_drafts"] in applicant.locator("#main").inner_text()
    checked(applicant, lang, "applicant dashboard (endorsed)")
    applicant.goto(f"{base}/{lang}/proposals/")
    row = applicant.locator("tr", has=applicant.get_by_role("link", name=title[lang]))
    assert t["endorsed"] in row.inner_text()
    checked(applicant, lang, "applicant's proposals")
    row.get_by_role("link", name=title[lang]).click()
    applicant.wait_for_url(f"**/{lang}/proposals/{proposal.pk}/")
    assert t["locked"] in applicant.locator('[data-editor="locked"]').inner_text()
    assert applicant.locator('[data-seen-by="agency"]').inner_text() == t["agency_reads"]
    checked(applicant, lang, "endorsed (applicant)")

    # ------------------------------------------------------------ agency: read it
    agency.goto(f"{base}/{lang}/proposals/")
    assert agency.locator("h1").inner_text() == t["proposals"]
    checked(agency, lang, "agency's proposals")
    agency.get_by_role("link", name=title[lang]).click()
    agency.wait_for_url(f"**/{lang}/proposals/{proposal.pk}/")
    assert agency.locator("[data-receipt-number]").first.inner_text().strip() == receipt
    checked(agency, lang, "agency reads the proposal")
    with agency.expect_download() as download:
        agency.get_by_role("link", name=t["pdf_link"]).first.click()
    assert_application_pdf(download.value.path().read_bytes(), receipt=receipt, title=title)
