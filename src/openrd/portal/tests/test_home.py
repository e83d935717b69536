"""The home page: the calls open now with their deadlines, the programs, and
only what works today."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from openrd.core.deadlines import time_left
from openrd.programs.queries import PROGRAM_ORDER
from openrd.programs.services import close_call, open_call
from openrd.programs.tests.call_data import make_call

pytestmark = pytest.mark.django_db


def _open(**overrides):
    call = make_call(**overrides)
    open_call(call, actor=None)
    return call


def _page(client, path):
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def test_home_lists_open_calls_first_to_close_first_with_japan_time_deadlines(
    client, loaded_programs
):
    now = timezone.now()
    later = _open(code="ms-later", title_en="Later call", closes_at=now + timedelta(days=40))
    soon = _open(code="ms-soon", title_en="Soon call", closes_at=now + timedelta(days=3, hours=2))
    closed = _open(code="ms-closed", title_en="Closed call")
    close_call(closed, actor=None)
    _open(code="ms-upcoming", title_en="Upcoming call", opens_at=now + timedelta(days=2))
    make_call(code="ms-draft", title_en="Draft call")

    page = _page(client, "/en/")
    section = page.split('id="open-calls-heading"')[1].split("</section>")[0]
    assert section.index("Soon call") < section.index("Later call")
    for hidden in ("Closed call", "Upcoming call", "Draft call"):
        assert hidden not in section
    assert f'href="/en/calls/{soon.pk}/"' in section
    assert f'href="/en/calls/{later.pk}/"' in section
    # Deadlines in Japan time, and a countdown only for the one closing within 7 days.
    assert len(re.findall(r"</time>", section)) == 2
    assert len(re.findall(r"\d{2}:\d{2}(?::\d{2})? JST</time>", section)) == 2
    # Counted in Tokyo calendar days (core.deadlines): 3 or 4 by the time of day.
    days = time_left(soon.closes_at, timezone.now()).days
    assert days in (3, 4)
    assert f"{days} days left" in section
    assert section.count("left</strong>") == 1


def test_home_in_japanese_shows_the_deadline_in_japan_time(client, loaded_programs):
    _open(code="ms-open", title_ja="受付中の公募")
    page = _page(client, "/ja/")
    assert "受付中の公募" in page
    assert "（日本時間）" in page


def test_home_without_open_calls_says_so(client, loaded_programs):
    make_call(code="ms-draft", title_en="Draft call")
    page = _page(client, "/en/")
    assert "No call is taking proposals right now." in page
    assert "Draft call" not in page


def test_home_lists_programs_in_the_display_order(client, loaded_programs):
    page = _page(client, "/en/")
    section = page.split('id="programs-heading"')[1].split("</section>")[0]
    codes = re.findall(r'href="/en/programs/([a-z_]+)/"', section)
    assert codes == list(PROGRAM_ORDER)


@pytest.mark.parametrize("path", ["/ja/", "/en/"])
def test_home_makes_no_claim_of_what_is_not_built(client, loaded_programs, path):
    page = _page(client, path)
    for stale in (
        "open-access paper",
        "オープンアクセス論文の公開まで",
        "runs Japan's science, technology and innovation system as software",
        "仕組みをソフトウェアとして運用",
    ):
        assert stale not in page
    if path == "/en/":
        assert "Not built yet: peer review and selection, awards" in page
        assert "start a proposal to an open call" in page
