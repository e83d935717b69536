"""The editor's guidance as the pages render it: markers, banner, limits, totals, links."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone, translation

from openrd.core.deadlines import time_left
from openrd.proposals.models import Proposal
from openrd.proposals.rules.guidance import deadline_text
from openrd.proposals.tests.test_views import form, pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def editing(client, world):
    client.force_login(world.applicant)
    assert client.post("/ja/proposals/new/", {"call": world.call.pk}).status_code == 302
    return Proposal.objects.get()


def editor(client, proposal):
    response = client.get(f"/ja/proposals/{proposal.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def label(page, field):
    return re.search(rf'<label class="field__label" for="id_{field}">(.*?)</label>', page).group(1)


def input_tag(page, field):
    return re.search(rf'<(?:input|textarea)[^>]*id="id_{field}"[^>]*>', page).group(0)


def test_the_fields_the_rules_require_are_marked_in_words_and_for_screen_readers(client, editing):
    page = editor(client, editing)
    assert '<span class="field__required">必須</span>' in label(page, "effort_percent")
    assert 'aria-required="true"' in input_tag(page, "effort_percent")
    assert 'aria-required="true"' in input_tag(page, "file_plan")  # the call requires it
    assert "必須" not in label(page, "file_letter")  # optional under this call
    assert "aria-required" not in input_tag(page, "file_letter")
    # Either title will do: said in words, and neither input claims to be required alone.
    assert "いずれか必須" in label(page, "title_ja")
    assert "aria-required" not in input_tag(page, "title_ja")
    assert "必須" not in label(page, "abstract_ja")
    legend = re.search(
        r'<fieldset class="fieldset" id="budget">\s*<legend[^>]*>(.*?)</legend>', page
    )
    assert "必須" in legend.group(1)


def test_a_document_the_call_stops_requiring_loses_its_marker(client, editing, world):
    world.call.documents.filter(code="plan").update(required=False)
    page = editor(client, editing)
    assert "必須" not in label(page, "file_plan")
    assert "aria-required" not in input_tag(page, "file_plan")


def test_the_deadline_banner_counts_down_in_japan_time(client, editing, world):
    closes = (timezone.now() + timedelta(days=3, hours=2)).replace(second=0, microsecond=0)
    world.call.__class__.objects.filter(pk=world.call.pk).update(closes_at=closes)
    page = editor(client, editing)
    banner = re.search(
        r'<div id="deadline-banner"[^>]*data-deadline="open"[^>]*>(.*?)</div>', page, re.S
    )
    assert banner, page[:3000]
    with translation.override("ja"):
        when = deadline_text(closes, "ja")
    # Tokyo calendar days (core.deadlines): 3 or 4 by the time of day.
    days = time_left(closes, timezone.now()).days
    assert days in (3, 4)
    assert f"締切まであと{days}日。締切は{when}です。" in banner.group(1)


def test_the_banner_turns_urgent_on_the_last_day(client, editing, world):
    closes = timezone.now() + timedelta(hours=5, minutes=30)
    world.call.__class__.objects.filter(pk=world.call.pk).update(closes_at=closes)
    page = editor(client, editing)
    assert 'data-deadline="urgent"' in page
    assert "まもなく締切:" in page
    assert "締切まであと5時間" in page


def test_after_the_deadline_the_banner_says_so_plainly(client, editing, world):
    closes = timezone.now() - timedelta(minutes=1)
    world.call.__class__.objects.filter(pk=world.call.pk).update(
        closes_at=closes, opens_at=closes - timedelta(days=5)
    )
    page = editor(client, editing)
    assert 'data-deadline="closed"' in page
    assert "締め切られました" in page
    assert "提案の保存・提出はできません" in page


def test_upload_limits_are_stated_beside_each_file_input(client, editing, settings):
    settings.OPENRD_MAX_UPLOAD_BYTES = 20 * 2**20
    page = editor(client, editing)
    limits = (
        '<p class="field__help" id="id_file_plan_limits">'
        "添付できるのはPDFのみ、1ファイル20 MBまでです。</p>"
    )
    assert limits in page
    assert "id_file_letter_limits" in page
    assert 'aria-describedby="id_file_plan_limits"' in input_tag(page, "file_plan")


def test_an_upload_error_names_the_document_in_the_summary(client, editing):
    response = client.post(
        f"/ja/proposals/{editing.pk}/save/",
        form(editing, file_plan=pdf(content=b"\x89PNG\r\n"), upload="plan"),
    )
    assert response.status_code == 422
    summary = re.search(r'<div class="error-summary".*?</div>', response.content.decode(), re.S)
    assert (
        '<a href="#id_file_plan">研究計画書: 添付できるのはPDFファイルのみです。</a>'
        in summary.group(0)
    )


def test_text_fields_count_characters_instead_of_cutting_them(client, editing):
    page = editor(client, editing)
    assert "maxlength" not in page
    assert (
        '<p class="field__counter" id="id_abstract_ja_counter" '
        'data-counter-for="id_abstract_ja">0 / 4000 文字</p>' in page
    )
    too_long = client.post(f"/ja/proposals/{editing.pk}/save/", form(editing, title_ja="題" * 301))
    assert too_long.status_code == 422
    body = too_long.content.decode()
    assert f'value="{"題" * 301}"' in body  # kept whole, not cut
    assert "301 / 300 文字（1 文字超過）" in body
    editing.refresh_from_db()
    assert editing.title_ja == ""


def test_each_autosave_answers_with_the_budget_total_against_the_cap(client, editing):
    response = client.post(
        f"/ja/proposals/{editing.pk}/save/",
        form(editing, budget_2026="3,000,000", budget_2027="2,000,000"),
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    body = response.content.decode()
    total = re.search(r'<div id="budget-total"[^>]*hx-swap-oob="true"[^>]*>(.*?)</div>', body, re.S)
    assert total, body
    assert "予算合計: 500万円" in total.group(1)
    assert "上限まで残り1,500万円" in total.group(1)
    assert 'id="autosave-status"' in body
    over = client.post(
        f"/ja/proposals/{editing.pk}/save/",
        form(Proposal.objects.get(), budget_2026="25,000,000"),
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "上限を500万円超えています" in over
    assert "budget-total--over" in over


def test_the_page_shows_the_saved_total_and_its_cap(client, editing, world):
    client.post(f"/ja/proposals/{editing.pk}/save/", form(editing, budget_2026="1,000,000"))
    page = editor(client, editing)
    assert 'data-cap="20000000"' in page
    assert "上限まで残り1,900万円" in page
    assert "1件あたりの上限: 2,000万円" in page


def test_a_refused_submission_lists_reasons_linking_to_their_fields_first(client, editing):
    response = client.post(f"/ja/proposals/{editing.pk}/submit/", form(editing, title_ja="題"))
    assert response.status_code == 409
    page = response.content.decode()
    summary = re.search(
        r'<div class="error-summary" role="alert" tabindex="-1" id="refusal"[^>]*>.*?</div>',
        page,
        re.S,
    )
    assert summary
    links = re.findall(r'<li data-code="([^"]+)"><a href="([^"]+)">', summary.group(0))
    assert links == [
        ("budget.missing", "#id_budget_2026"),
        ("effort.out_of_range", "#id_effort_percent"),
        ("document.missing.plan", "#id_file_plan"),
    ]
    for _code, href in links:
        assert f'id="{href[1:]}"' in page
    # Read first without JavaScript: the summary comes before the form.
    assert page.index('id="refusal"') < page.index('id="proposal-form"')


def test_the_page_reads_fields_then_budget_then_documents_then_submit(client, editing):
    page = editor(client, editing)
    order = [
        page.index('id="id_effort_percent"'),
        page.index('id="budget-total"'),
        page.index('id="id_file_plan"'),
        page.index("保存して提出"),
    ]
    assert order == sorted(order)
