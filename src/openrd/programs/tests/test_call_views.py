import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from openrd.core.fiscal import tokyo_datetime
from openrd.core.models import AuditEntry
from openrd.programs.models import Call
from openrd.programs.services import close_call, open_call
from openrd.programs.tests.call_data import agency_staff, make_call

pytestmark = pytest.mark.django_db


def _open(**overrides):
    call = make_call(**overrides)
    open_call(call, actor=None)
    return call


def _page(client, path):
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def test_list_shows_public_calls_with_status_badges(client, loaded_programs):
    _open(code="ms-open", title_ja="受付中の公募")
    closed = _open(code="ms-closed", title_ja="終了した公募")
    close_call(closed, actor=None)
    _open(code="ms-soon", title_ja="これからの公募", opens_at=timezone.now() + timedelta(days=3))
    make_call(code="ms-draft", title_ja="準備中の公募")
    # "Any status" (status=) lists every public call; without it, the open ones.
    page = _page(client, "/ja/calls/?status=")
    assert "受付中の公募" in page
    assert "終了した公募" in page
    assert "これからの公募" in page
    assert "準備中の公募" not in page
    badge = (
        '<span class="badge badge--{}"><span class="badge__icon" aria-hidden="true">{}</span> {}'
    )
    assert badge.format("open", "●", "受付中") in page
    assert badge.format("closed", "■", "受付終了") in page
    assert badge.format("upcoming", "◔", "受付開始前") in page


def test_list_filters_on_the_server_with_labelled_fields(client, loaded_programs):
    _open(code="ms-open", title_ja="受付中の公募")
    closed = _open(code="ms-closed", title_ja="終了した公募")
    close_call(closed, actor=None)
    page = _page(client, "/ja/calls/?status=closed")
    assert "終了した公募" in page
    assert "受付中の公募" not in page
    for name in ("program", "agency", "status", "fiscal_year"):
        assert f'<label class="field__label" for="id_{name}">' in page
        assert f'id="id_{name}"' in page
    # The chosen value stays selected so the filter can be read back.
    assert '<option value="closed" selected>受付終了</option>' in page
    assert "受付中の公募" not in _page(client, "/ja/calls/?program=sip")
    assert "受付中の公募" not in _page(client, "/ja/calls/?agency=nedo")
    assert "受付中の公募" in _page(client, "/ja/calls/?agency=jst&program=moonshot")


def test_a_fiscal_year_filter_lists_the_years_of_public_calls(client, loaded_programs):
    call = _open(code="ms-open", title_ja="今年度の公募")
    fy = call.fiscal_year + 1
    _open(code="ms-next", title_ja="来年度の公募", fiscal_year=fy, first_budget_year=fy,
          last_budget_year=fy)  # fmt: skip
    page = _page(client, f"/ja/calls/?fiscal_year={call.fiscal_year}")
    assert "今年度の公募" in page
    assert "来年度の公募" not in page
    assert f'<option value="{call.fiscal_year}" selected>' in page
    page = _page(client, f"/ja/calls/?fiscal_year={fy}")
    assert "来年度の公募" in page
    assert "今年度の公募" not in page


def test_an_invalid_filter_is_reported_on_its_field_and_ignored(client, loaded_programs):
    _open(code="ms-open", title_ja="受付中の公募")
    page = _page(client, "/ja/calls/?fiscal_year=abc&status=draft")
    assert "受付中の公募" in page
    assert page.count('class="field field--error"') == 2
    assert 'aria-invalid="true"' in page


def test_list_query_count_is_constant(client, loaded_programs):
    _open(code="one")
    with CaptureQueriesContext(connection) as one:
        client.get("/ja/calls/")
    _open(code="two")
    _open(code="three")
    with CaptureQueriesContext(connection) as three:
        page = client.get("/ja/calls/").content.decode()
    assert page.count('class="card"') == 3
    assert len(three) == len(one)


def test_detail_page_in_japanese(client, loaded_programs):
    call = make_call(
        code="ms-2023",
        opens_at=tokyo_datetime(2023, 9, 1, 10),
        closes_at=tokyo_datetime(2023, 10, 25, 12),
        fiscal_year=2023,
        first_budget_year=2023,
        last_budget_year=2027,
    )
    open_call(call, actor=None, now=tokyo_datetime(2023, 9, 1, 10))
    page = _page(client, f"/ja/calls/{call.pk}/")
    assert "令和5年10月25日 12:00（日本時間）" in page
    assert "令和5年9月1日 10:00（日本時間）" in page
    assert "令和5年度（2023年度）" in page
    assert "令和9年度（2027年度）" in page
    assert "120億円" in page  # total budget
    assert "30億円" in page  # cap per proposal
    assert '<a href="/ja/programs/moonshot/">ムーンショット型研究開発制度</a>' in page
    assert 'href="/ja/programs/moonshot/#el-goal-6"' in page
    assert "科学技術振興機構" in page
    assert "支援期間は最長5年間です。" in page
    assert "公募要領（ms-2023）" in page
    assert "研究計画書" in page
    assert "支援表明書" in page
    assert re.search(r"新規性</td><td class=\"num\">60</td>", page)
    # Past its deadline: no way to apply, and the page says when it closed.
    assert "/proposals/new/" not in page
    assert "この公募は令和5年10月25日 12:00（日本時間）に締め切られました。" in page


def test_an_open_call_links_to_the_proposal_form_in_the_pages_language(client, loaded_programs):
    from openrd.accounts.models import Role
    from openrd.accounts.tests.factories import UserFactory

    client.force_login(UserFactory(roles=[Role.RESEARCHER]))  # someone who may apply
    call = _open(code="ms-open", presenting_ministry=None)
    assert f'href="/ja/proposals/new/?call={call.pk}"' in _page(client, f"/ja/calls/{call.pk}/")
    assert f'href="/en/proposals/new/?call={call.pk}"' in _page(client, f"/en/calls/{call.pk}/")


def test_an_upcoming_or_closed_call_has_no_apply_link(client, loaded_programs):
    soon = _open(code="ms-soon", opens_at=timezone.now() + timedelta(days=3))
    closed = _open(code="ms-closed")
    close_call(closed, actor=None)
    for call in (soon, closed):
        assert "/proposals/new/" not in _page(client, f"/ja/calls/{call.pk}/")


def test_detail_page_in_english(client, loaded_programs):
    call = _open(code="ms-open")
    page = _page(client, f"/en/calls/{call.pk}/")
    assert '<html lang="en">' in page
    assert "Moonshot Goal 6 call" in page
    assert "¥12 billion" in page
    assert "JST" in page


def test_a_draft_detail_page_is_404_for_the_public_and_audited(client, loaded_programs):
    draft = make_call(code="ms-draft")
    assert client.get(f"/ja/calls/{draft.pk}/").status_code == 404
    assert AuditEntry.objects.filter(action="access.denied", object_id=str(draft.pk)).exists()
    client.force_login(agency_staff("jst"))
    page = _page(client, f"/ja/calls/{draft.pk}/")
    assert "準備中" in page
    assert "/proposals/new/" not in page


def test_unknown_call_page_is_404(client, loaded_programs):
    assert client.get("/ja/calls/999999/").status_code == 404
    assert not Call.objects.exists()
