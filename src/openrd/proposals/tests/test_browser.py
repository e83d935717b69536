"""Applying in a real browser, in Japanese, as a new user would: nothing typed is
lost to a typo, an upload or a refusal; the reasons are read; the editor locks."""

import pytest

from openrd.proposals.models import Proposal, ProposalVersion
from openrd.proposals.tests.conftest import PDF

pytestmark = pytest.mark.browser


def log_in(page, site, world):
    world.applicant.set_password("applicant-pass-1")
    world.applicant.save()
    page.goto(f"{site.url}/ja/accounts/login/")
    page.get_by_label("ユーザー名").fill("applicant")
    page.get_by_label("パスワード").fill("applicant-pass-1")
    page.get_by_role("button", name="ログイン").click()


def start_draft(page, site, world):
    page.goto(f"{site.url}/ja/calls/{world.call.pk}/")
    page.get_by_role("link", name="この公募に応募する").click()
    page.get_by_role("button", name="下書きを作成").click()
    # Typing starts once the editor is live (htmx has wired the autosave), as for a person.
    page.wait_for_load_state("load")
    page.wait_for_function("window.htmx !== undefined")


def test_apply_in_japanese_see_refusal_reasons_fix_them_and_submit(page, site, world, tmp_path):
    log_in(page, site, world)
    start_draft(page, site, world)
    page.get_by_label("課題名（日本語）").fill("量子センサによる配管診断の実証")
    page.get_by_role("button", name="保存して提出").click()

    reasons = page.locator("#refusal li")
    codes = [reasons.nth(i).get_attribute("data-code") for i in range(reasons.count())]
    assert codes == ["budget.missing", "effort.out_of_range", "document.missing.plan"]
    assert "必要書類が添付されていません" in page.locator("#refusal").inner_text()

    # Typed just before uploading: saved with the upload, and the editor stays.
    page.get_by_label("本研究へのエフォート（%）").fill("40")
    pdf = tmp_path / "plan.pdf"
    pdf.write_bytes(PDF)
    page.locator("#id_file_plan").set_input_files(str(pdf))
    page.locator('button[name="upload"][value="plan"]').click()
    assert page.locator('[data-attached="plan"]').is_visible()
    assert page.get_by_label("本研究へのエフォート（%）").input_value() == "40"

    page.get_by_label("2026年度の予算（円）").fill("10,000,000")
    page.get_by_role("button", name="保存して提出").click()

    assert "第1版を所属機関に提出しました" in page.locator(".messages").inner_text()
    assert "受付番号：" in page.locator(".messages").inner_text()
    assert ProposalVersion.objects.get().content["title_ja"] == "量子センサによる配管診断の実証"
    # Submitted: the editor is gone, and the page says what the institution reads.
    assert page.locator("#proposal-form").count() == 0
    assert page.locator('[data-seen-by="institution"]').inner_text() == "第1版"


def test_a_typo_in_one_field_does_not_cost_the_title_typed_beside_it(page, site, world):
    log_in(page, site, world)
    start_draft(page, site, world)
    budget = page.get_by_label("2026年度の予算（円）")
    saved = lambda status: lambda r: r.url.endswith("/save/") and r.status == status  # noqa: E731
    # The autosave (2 s after the last keystroke) answers 422 for the budget and
    # saves the title; waiting for that answer, not for a moment, keeps this exact.
    with page.expect_response(saved(422), timeout=20_000):
        page.get_by_label("課題名（日本語）").fill("自動保存される題名")
        budget.fill("-1")
    error = page.locator("#id_budget_2026_error")
    error.wait_for(state="visible")
    assert "負の値" in error.inner_text()
    assert budget.get_attribute("aria-invalid") == "true"
    assert "id_budget_2026_error" in budget.get_attribute("aria-describedby").split()
    assert budget.input_value() == "-1"  # kept as typed
    assert "負の値" in page.locator("#autosave-status").inner_text()  # read out (role=status)

    with page.expect_response(saved(200), timeout=20_000):
        budget.fill("1,000")
    page.wait_for_function("document.getElementById('id_budget_2026_error').hidden")
    assert budget.get_attribute("aria-invalid") is None

    page.reload()
    assert page.get_by_label("課題名（日本語）").input_value() == "自動保存される題名"
    proposal = Proposal.objects.get()
    assert list(proposal.budget_lines.values_list("amount_yen", flat=True)) == [1000]


def test_withdrawal_is_confirmed_on_its_own_page(page, site, world):
    log_in(page, site, world)
    start_draft(page, site, world)
    page.get_by_role("link", name="この提案を取り下げる…").click()
    page.get_by_role("button", name="取り下げを確定する").click()
    assert page.locator("#id_confirm_error").is_visible()
    assert Proposal.objects.get().status == "draft"
    page.get_by_label("取り下げた提案は再び提出できないことを理解しました。").check()
    page.get_by_role("button", name="取り下げを確定する").click()
    assert "提案を取り下げました" in page.locator(".messages").inner_text()
    assert page.locator("#proposal-form").count() == 0
    assert Proposal.objects.get().status == "withdrawn"


def test_an_edit_typed_while_an_autosave_is_in_flight_is_saved_too(page, site, world, monkeypatch):
    import threading
    import time

    from openrd.proposals import services

    real, calls = services.save_draft, []
    first_started = threading.Event()

    def slow_first(*args, **kwargs):
        calls.append(kwargs["changes"].fields.get("title_ja"))
        if len(calls) == 1:
            first_started.set()
            time.sleep(2.5)  # a slow network or server: the next edit arrives meanwhile
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "save_draft", slow_first)
    log_in(page, site, world)
    start_draft(page, site, world)
    title = page.get_by_label("課題名（日本語）")
    title.fill("最初の題名")
    assert first_started.wait(10)
    with page.expect_response(
        lambda r: r.url.endswith("/save/") and "最終の題名" in (r.request.post_data or ""),
        timeout=20_000,
    ):
        title.fill("最終の題名")
    assert Proposal.objects.get().title_ja == "最終の題名"
