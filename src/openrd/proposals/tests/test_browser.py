"""Applying in a real browser, in Japanese: refused with reasons, fixed, submitted."""

import pytest

from openrd.proposals.models import ProposalVersion
from openrd.proposals.tests.conftest import PDF

pytestmark = pytest.mark.browser


def test_apply_in_japanese_see_refusal_reasons_fix_them_and_submit(page, site, world, tmp_path):
    world.applicant.set_password("applicant-pass-1")
    world.applicant.save()
    page.goto(f"{site.url}/ja/accounts/login/")
    page.get_by_label("ユーザー名").fill("applicant")
    page.get_by_label("パスワード").fill("applicant-pass-1")
    page.get_by_role("button", name="ログイン").click()

    page.goto(f"{site.url}/ja/calls/{world.call.pk}/")
    page.get_by_role("link", name="この公募に応募する").click()
    page.get_by_role("button", name="下書きを作成").click()
    page.get_by_label("課題名（日本語）").fill("量子センサによる配管診断の実証")
    page.get_by_role("button", name="保存して提出").click()

    reasons = page.locator("#refusal li")
    codes = [reasons.nth(i).get_attribute("data-code") for i in range(reasons.count())]
    assert codes == ["budget.missing", "effort.out_of_range", "document.missing.plan"]
    assert "必要書類が添付されていません" in page.locator("#refusal").inner_text()

    pdf = tmp_path / "plan.pdf"
    pdf.write_bytes(PDF)
    page.locator("#file-plan").set_input_files(str(pdf))
    page.locator("#file-plan").locator("xpath=ancestor::form").get_by_role(
        "button", name="アップロード"
    ).click()
    page.get_by_label("本研究へのエフォート（%）").fill("40")
    page.get_by_label("2026年度の予算（円）").fill("10,000,000")
    page.get_by_role("button", name="保存して提出").click()

    assert "第1版を提出しました" in page.locator(".messages").inner_text()
    assert ProposalVersion.objects.get().content["title_ja"] == "量子センサによる配管診断の実証"
