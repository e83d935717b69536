"""The public side of programs and calls: a program's calls in order, the programs'
order, citations with their source's title and excerpt, and who sees the apply button."""

import re
from datetime import timedelta

import pytest
from django.template.loader import render_to_string
from django.utils import timezone, translation

from openrd.accounts.models import Role
from openrd.accounts.tests.factories import UserFactory
from openrd.core.fiscal import tokyo_datetime
from openrd.programs.models import CallPhase
from openrd.programs.queries import (
    PROGRAM_ORDER,
    SEED_SOURCE,
    call_row,
    program_call_rows,
    public_programs,
    rules_in_words,
)
from openrd.programs.rules import program_rules
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


# ---------------------------------------------------------------- a program's calls


def test_program_page_lists_open_then_upcoming_then_closed_calls_and_never_drafts(
    client, loaded_programs
):
    now = timezone.now()
    _open(code="ms-open-late", title_en="Open late", closes_at=now + timedelta(days=30))
    _open(code="ms-open-early", title_en="Open early", closes_at=now + timedelta(days=10))
    _open(code="ms-soon", title_en="Upcoming", opens_at=now + timedelta(days=5))
    for code, days in (("ms-closed-early", 20), ("ms-closed-late", 50)):
        close_call(
            _open(code=code, title_en=code, closes_at=now + timedelta(days=days)), actor=None
        )
    make_call(code="ms-draft", title_en="Draft call")

    page = _page(client, "/en/programs/moonshot/")
    section = page.split('id="calls-heading"')[1].split("</section>")[0]
    titles = re.findall(r'<h3 class="card__title"><a href="[^"]+">([^<]+)</a>', section)
    assert titles == ["Open early", "Open late", "Upcoming", "ms-closed-late", "ms-closed-early"]
    assert "Draft call" not in page
    assert '<span class="badge badge--upcoming">' in section
    assert "?program=moonshot" in section
    # Another program's page does not list them.
    assert "Open early" not in _page(client, "/en/programs/sip/")


def test_program_without_public_calls_says_so(client, loaded_programs):
    make_call(code="ms-draft", title_en="Draft call")
    page = _page(client, "/en/programs/moonshot/")
    assert "This program has no public call for proposals yet." in page


def test_countdown_in_days_then_in_hours_only_in_the_last_week(loaded_programs):
    call = _open(code="ms-open")
    call.closes_at = closes = tokyo_datetime(2026, 12, 8, 12)
    call.opens_at = tokyo_datetime(2026, 11, 1)
    assert call_row(call, closes - timedelta(days=8)).days_left is None
    # Tokyo calendar days, as the dashboard counts: all through 1 December the
    # call closing on 8 December at noon is 7 days away.
    row = call_row(call, tokyo_datetime(2026, 12, 1, 13))
    assert (row.phase, row.days_left, row.hours_left) == (CallPhase.OPEN, 7, None)
    row = call_row(call, tokyo_datetime(2026, 12, 7, 12, 0, 1))  # a second under a day
    assert (row.days_left, row.hours_left) == (None, 23)
    row = call_row(call, closes - timedelta(hours=4, minutes=10))
    assert (row.days_left, row.hours_left) == (None, 4)
    assert call_row(call, closes - timedelta(minutes=10)).hours_left == 1  # never "0 hours"
    assert call_row(call, closes + timedelta(seconds=1)).phase == CallPhase.CLOSED
    assert call_row(call, closes + timedelta(seconds=1)).hours_left is None
    assert [r.call for r in program_call_rows(call.program, now=closes - timedelta(days=1))] == [
        call
    ]


# ---------------------------------------------------------------- program order


def test_programs_are_ordered_national_programs_first_everywhere(client, loaded_programs):
    expected = list(PROGRAM_ORDER)
    assert expected[:4] == ["sip", "moonshot", "k_program", "sbir"]
    assert [p.code for p in public_programs()] == expected
    page = _page(client, "/en/programs/")
    assert (
        re.findall(r'<h2 class="card__title"><a href="/en/programs/([a-z_]+)/"', page) == expected
    )


# ---------------------------------------------------------------- citations


def test_citation_partial_shows_title_and_excerpt_in_japanese_with_the_line_as_detail():
    with translation.override("en"):
        html = render_to_string(
            "_citation.html", {"document": SEED_SOURCE, "excerpt": "1,000億円", "line": 854}
        )
    assert f'<cite lang="ja">{SEED_SOURCE}</cite>' in html
    assert '<blockquote class="citation__excerpt" lang="ja"><p>1,000億円</p></blockquote>' in html
    assert "<details" in html
    assert html.index("<summary>") < html.index("</summary>") < html.index("Line 854")


def test_program_page_in_english_cites_the_seed_by_title_and_excerpt(client, loaded_programs):
    page = _page(client, "/en/programs/moonshot/")
    assert "Source: line" not in page
    assert not re.search(r">line \d+<", page)
    assert f'<cite lang="ja">{SEED_SOURCE}</cite>' in page
    # The program's own source, an element's, a figure's and a rule's, each with its excerpt.
    excerpts = re.findall(r'<blockquote class="citation__excerpt" lang="ja"><p>([^<]+)</p>', page)
    assert excerpts[0] == "野心的な目標(ムーンショット目標)"
    assert any("億円" in e for e in excerpts)
    assert len(excerpts) > 20


def test_rules_in_words_cite_the_seed_line_of_each_rule(loaded_programs):
    from openrd.programs.models import Program

    rules = program_rules(Program.objects.get(code="sip").rules)
    with translation.override("en"):
        lines = rules_in_words(rules)
    by_line = {r.citation.line: r.citation.excerpt for r in lines if r.citation}
    assert by_line[833] == "令和5年度から令和9年度まで5年間"
    assert all(r.citation.document == SEED_SOURCE for r in lines if r.citation)


# ---------------------------------------------------------------- who sees "apply"

APPLY = "Apply to this call"


def test_anonymous_visitor_is_asked_to_sign_in_to_apply(client, loaded_programs):
    call = _open(code="ms-open")
    page = _page(client, f"/en/calls/{call.pk}/")
    assert APPLY not in page
    assert f'href="/en/accounts/login/?next=/en/calls/{call.pk}/"' in page
    assert "Sign in to apply" in page


def test_researcher_sees_apply_and_roles_that_cannot_apply_do_not(client, loaded_programs):
    call = _open(code="ms-open")
    researcher = UserFactory(roles=[Role.RESEARCHER])
    client.force_login(researcher)
    assert f'href="/en/proposals/new/?call={call.pk}"' in _page(client, f"/en/calls/{call.pk}/")
    assert researcher.has_perm("proposals.create_proposal")
    for user in (agency_staff("jst"), UserFactory(roles=[Role.INSTITUTION_OFFICER])):
        assert not user.has_perm("proposals.create_proposal")
        client.force_login(user)
        page = _page(client, f"/en/calls/{call.pk}/")
        assert APPLY not in page
        assert "/proposals/new/" not in page
        assert "Sign in to apply" not in page
        assert "your account has no researcher role" in page


def test_nobody_sees_apply_on_a_call_that_does_not_take_proposals(client, loaded_programs):
    call = _open(code="ms-soon", opens_at=timezone.now() + timedelta(days=2))
    client.force_login(UserFactory(roles=[Role.RESEARCHER]))
    page = _page(client, f"/en/calls/{call.pk}/")
    assert APPLY not in page
    client.logout()
    assert "Sign in to apply" not in _page(client, f"/en/calls/{call.pk}/")
