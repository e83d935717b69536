"""One date style per language on every page people read, and in the e-mails.

Japanese pages write a calendar date in the era calendar ("令和8年12月1日") and a
moment in Japan time with its zone said in words ("令和8年12月1日 09:30（日本時間）");
English pages write "1 December 2026 (Reiwa 8)" and "1 December 2026 09:30 JST".
Those are what the ``wareki`` and ``tokyo`` filters (core.fiscal) produce. The
test reads the visible text of real pages in both languages, finds every
date-like string in it and refuses any other shape: ISO or slashed dates, English
month names on a Japanese page, 年月日 on an English one (outside lang="ja"), a
clock without its zone, "3 days ago".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser

import pytest
from django.db.models import QuerySet
from django.template import Context, Template
from django.utils import timezone, translation

from openrd.accounts.models import ApiToken
from openrd.accounts.services import issue_api_token
from openrd.accounts.tests.factories import UserFactory
from openrd.core.audit import record
from openrd.core.fiscal import format_tokyo_datetime, format_wareki_date, tokyo_datetime
from openrd.notifications.delivery import render
from openrd.notifications.models import Notification
from openrd.proposals import services
from openrd.proposals.documents.content import submitted_moment
from openrd.proposals.models import Proposal
from openrd.proposals.tests.conftest import (
    World,
    make_call,
)
from openrd.proposals.tests.test_receipts import COMPLETE, submit, submitted_draft

# --- the extractor and its classifier ------------------------------------------------

_ERA_JA = "令和|平成|昭和|大正|明治"
_ERA_EN = "Reiwa|Heisei|Showa|Taisho|Meiji"
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_MONTHS_SHORT = "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
_CLOCK = r"\d{1,2}:\d{2}(?::\d{2})?"
_ERA_DAY = rf"(?:{_ERA_JA})(?:元|\d+)年\d{{1,2}}月\d{{1,2}}日"
_EN_DAY = rf"\d{{1,2}} (?:{_MONTHS}) \d{{4}}"
_EN_ERA = rf"\((?:{_ERA_EN}) \d+\)"

# Tried in this order at each position, so the longer shape wins.
_SHAPES: tuple[tuple[str, str], ...] = (
    ("ja-moment", rf"{_ERA_DAY} {_CLOCK}（日本時間）"),
    ("ja-moment-without-zone", rf"{_ERA_DAY}\s*{_CLOCK}"),
    ("ja-date", _ERA_DAY),
    ("ja-gregorian", rf"\d{{4}}年\d{{1,2}}月\d{{1,2}}日(?:\s*{_CLOCK})?"),
    ("en-moment", rf"{_EN_DAY} {_CLOCK} JST"),
    ("en-moment-with-era-inside", rf"{_EN_DAY} {_EN_ERA} {_CLOCK}"),
    ("en-moment-without-zone", rf"{_EN_DAY}\s*{_CLOCK}"),
    ("en-date", rf"{_EN_DAY} {_EN_ERA}"),
    ("en-date-without-era", _EN_DAY),
    ("en-month-first", rf"(?:{_MONTHS}|{_MONTHS_SHORT})\.? \d{{1,2}}(?:st|nd|rd|th)?,? \d{{4}}"),
    ("en-abbreviated", rf"\d{{1,2}} (?:{_MONTHS_SHORT})\.? \d{{4}}"),
    ("iso", rf"\d{{4}}-\d{{1,2}}-\d{{1,2}}(?:[T ]{_CLOCK})?"),
    ("slashed", r"\d{4}/\d{1,2}/\d{1,2}|\d{1,2}/\d{1,2}/\d{4}"),
    ("dotted", r"\d{4}\.\d{1,2}\.\d{1,2}"),
    ("relative", r"\d+\s?(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?) ago"),
    ("relative", r"\d+\s?(?:秒|分|時間|日|週間|か月|ヶ月|年)前"),
    # Last: an English month name anywhere (wrong on a Japanese page). "May" is
    # also a verb, so it counts only next to a number.
    ("en-month-name", rf"\b(?:{_MONTHS.replace('May|', '')})\b|\bMay \d|\d May\b"),
)
_DATE_LIKE = re.compile(
    "|".join(f"(?P<s{i}>{pattern})" for i, (_name, pattern) in enumerate(_SHAPES)),
)
_PAGE_STYLES = {
    "ja": frozenset({"ja-date", "ja-moment"}),
    "en": frozenset({"en-date", "en-moment"}),
}
# A month name alone (in a sentence) is no date on an English page.
_HARMLESS = {"en": frozenset({"en-month-name"}), "ja": frozenset()}


@dataclass(frozen=True)
class Found:
    lang: str  # of the element the text is in: "ja" or "en"
    shape: str
    text: str


class _VisibleText(HTMLParser):
    """Text a reader sees, each piece with the language of its element. Attributes
    (``<time datetime>``), scripts, styles and ``<code>`` (tokens, action codes)
    are machine-readable and skipped."""

    _VOID = frozenset(
        {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
         "track", "wbr"}
    )  # fmt: skip
    _HIDDEN = frozenset({"script", "style", "code", "template", "noscript"})

    def __init__(self, lang: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str, bool]] = [("", lang, False)]
        self.pieces: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._VOID:
            return
        _tag, lang, hidden = self.stack[-1]
        own = dict(attrs).get("lang")
        self.stack.append((tag, (own or lang).split("-")[0].lower(), hidden or tag in self._HIDDEN))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        pass

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        _tag, lang, hidden = self.stack[-1]
        if not hidden and data.strip():
            self.pieces.append((lang, " ".join(data.split())))


def dates_in_html(html: str, lang: str) -> list[Found]:
    """Every date-like string in the visible text of ``html`` (a page in ``lang``)."""
    parser = _VisibleText(lang)
    parser.feed(html)
    parser.close()
    return [
        Found(piece_lang, _SHAPES[int(match.lastgroup[1:])][0], match.group())  # type: ignore[index]
        for piece_lang, text in parser.pieces
        for match in _DATE_LIKE.finditer(text)
    ]


def dates_in_text(text: str, lang: str) -> list[Found]:
    """Every date-like string in a plain text (an e-mail's text part or subject)."""
    return [
        Found(lang, _SHAPES[int(match.lastgroup[1:])][0], match.group())  # type: ignore[index]
        for match in _DATE_LIKE.finditer(" ".join(text.split()))
    ]


def dates(found: list[Found]) -> list[Found]:
    """The real dates among ``found`` (not a month named in a sentence)."""
    return [f for f in found if f.shape not in _HARMLESS.get(f.lang, frozenset())]


def wrong_styles(found: list[Found]) -> list[Found]:
    """The dates written in a style that is not their language's."""
    return [f for f in dates(found) if f.shape not in _PAGE_STYLES.get(f.lang, frozenset())]


# --- the classifier itself: it must see a wrong style -----------------------------


@pytest.mark.parametrize(
    ("html", "lang", "shape"),
    [
        ("<p>作成 2026-12-01 09:30</p>", "ja", "iso"),
        ("<td>2026/12/01</td>", "ja", "slashed"),
        ("<td>12/01/2026</td>", "en", "slashed"),
        ("<p>作成 1 December 2026 09:30 JST</p>", "ja", "en-moment"),
        ("<p>締切 December 1, 2026</p>", "ja", "en-month-first"),
        ("<p>Created Dec. 1, 2026</p>", "en", "en-month-first"),
        ("<p>Created 1 Dec 2026</p>", "en", "en-abbreviated"),
        ("<p>12月 December</p>", "ja", "en-month-name"),
        ("<p>締切 2026年12月4日 12:00</p>", "ja", "ja-gregorian"),
        ("<p>締切 令和8年12月4日 12:00</p>", "ja", "ja-moment-without-zone"),
        ("<p>Deadline 令和8年12月4日</p>", "en", "ja-date"),
        ("<p>Deadline 1 December 2026 09:30</p>", "en", "en-moment-without-zone"),
        ("<p>Sent 1 December 2026 (Reiwa 8) 09:30 JST</p>", "en", "en-moment-with-era-inside"),
        ("<p>Signed 1 December 2026</p>", "en", "en-date-without-era"),
        ("<p>Last seen 3 days ago</p>", "en", "relative"),
        ("<p>最終 3分前</p>", "ja", "relative"),
        ("<p>2026.12.01</p>", "ja", "dotted"),
    ],
)
def test_the_classifier_flags_a_wrong_style(html, lang, shape):
    found = dates_in_html(html, lang)
    assert [f.shape for f in wrong_styles(found)] == [shape], found


def test_the_classifier_accepts_what_the_filters_write_in_each_language():
    moment = datetime(2026, 12, 1, 0, 5, 7, tzinfo=UTC)  # 09:05:07 in Tokyo
    written = [
        ("ja", format_tokyo_datetime(moment, "ja"), "ja-moment"),
        ("ja", format_tokyo_datetime(tokyo_datetime(2019, 5, 1, 9), "ja"), "ja-moment"),
        ("ja", format_wareki_date(date(2019, 5, 1), "ja"), "ja-date"),  # 令和元年
        ("ja", submitted_moment(moment, "ja"), "ja-moment"),
        ("en", format_tokyo_datetime(moment, "en"), "en-moment"),
        ("en", format_wareki_date(date(2023, 9, 14), "en"), "en-date"),
        ("en", submitted_moment(moment, "en"), "en-moment"),
    ]
    for lang, text, shape in written:
        found = dates_in_html(f"<p>{text}</p>", lang)
        assert [f.shape for f in found] == [shape], text
        assert wrong_styles(found) == []
    for lang in ("ja", "en"):
        with translation.override(lang):
            out = Template("{{ m|tokyo }} / {{ d|wareki }} / {{ m|wareki }}").render(
                Context({"m": moment, "d": date(2026, 12, 1)})
            )
        found = dates_in_html(out, lang)
        assert len(found) == 3
        assert wrong_styles(found) == []


def test_the_extractor_reads_only_visible_text_in_the_language_of_its_element():
    html = (
        '<html lang="en"><head><title>1 December 2026 09:30 JST</title>'
        '<script>var at = "2026-12-01";</script></head><body>'
        '<time datetime="2026-12-01T09:30:00+09:00">1 December 2026 09:30 JST</time>'
        '<p lang="ja">令和8年12月1日 09:30（日本時間）<br>受付</p>'
        "<code>2026-12-01</code><p>Opens in May 2027.</p>"
        "<p>令和8年12月1日</p></body></html>"
    )
    found = dates_in_html(html, "en")
    assert [(f.lang, f.shape) for f in dates(found)] == [
        ("en", "en-moment"),
        ("en", "en-moment"),
        ("ja", "ja-moment"),
        ("en", "ja-date"),  # outside lang="ja": the wrong style on an English page
    ]
    assert [f.text for f in wrong_styles(found)] == ["令和8年12月1日"]


# --- real pages, both languages ----------------------------------------------------


def _style_problem(label: str, found: list[Found], lang: str) -> str:
    # The page really shows a date in its language, so the check is not empty.
    if not any(f.lang == lang for f in dates(found)):
        return f"{label}: no date found"
    if wrong := wrong_styles(found):
        return f"{label}: {sorted({(f.shape, f.text) for f in wrong})}"
    return ""


def _page(client, url: str, lang: str, method: str = "get", data: dict | None = None) -> str:
    response = getattr(client, method)(url, data or {})
    assert response.status_code == 200, (url, response.status_code)
    html = response.content.decode()
    assert f'<html lang="{lang}"' in html
    return html


@pytest.fixture
def scene(world: World) -> World:
    """A submitted proposal (with its notifications), a used API token with an
    expiry, a session, and audit entries."""
    version = submit(world, submitted_draft(world))
    assert version.submitted_at is not None
    token, _raw = issue_api_token(
        world.applicant, name="export", expires_at=timezone.now() + timedelta(days=30)
    )
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    record("call.opened", actor=world.officer, object_repr="監査記録")
    # A draft still to finish, so the dashboard lists a deadline.
    services.create_proposal(
        actor=world.applicant, call=make_call(code="sbir-second"), changes=COMPLETE
    )
    return world


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_page_uses_its_languages_date_style(client, scene, lang):
    world = scene
    proposal = Proposal.objects.get(call=world.call)
    call_pk = world.call.pk
    pages: dict[str, str] = {}

    pages["home"] = _page(client, f"/{lang}/", lang)
    pages["call detail"] = _page(client, f"/{lang}/calls/{call_pk}/", lang)

    client.force_login(world.applicant)
    pages["dashboard"] = _page(client, f"/{lang}/dashboard/", lang)
    pages["profile with an API token"] = _page(client, f"/{lang}/accounts/me/", lang)
    pages["sessions"] = _page(client, f"/{lang}/accounts/me/sessions/", lang)
    pages["token issued"] = _page(
        client,
        f"/{lang}/accounts/me/tokens/",
        lang,
        "post",
        {"name": "nightly", "scope": "read", "expires_in_days": "30"},
    )
    pages["disclosure"] = _page(client, f"/{lang}/disclosures/", lang)
    pages["proposal (applicant)"] = _page(client, f"/{lang}/proposals/{proposal.pk}/", lang)
    draft = Proposal.objects.get(call__code="sbir-second")
    pages["draft editor"] = _page(client, f"/{lang}/proposals/{draft.pk}/", lang)
    pages["submitted version"] = _page(client, f"/{lang}/proposals/{proposal.pk}/versions/1/", lang)
    pages["inbox"] = _page(client, f"/{lang}/notifications/", lang)

    client.force_login(world.officer)
    pages["proposal (institution)"] = _page(client, f"/{lang}/proposals/{proposal.pk}/", lang)

    client.force_login(UserFactory(username="auditor", is_staff=True))
    pages["audit log"] = _page(client, f"/{lang}/audit/", lang)

    problems = [
        problem
        for label, html in pages.items()
        if (problem := _style_problem(f"/{lang}/ {label}", dates_in_html(html, lang), lang))
    ]
    assert problems == [], "\n".join(problems)


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_email_uses_its_languages_date_style(scene, lang):
    notifications: QuerySet[Notification] = Notification.objects.all()
    kinds = set(notifications.values_list("kind", flat=True))
    assert {"proposal.submitted", "proposal.endorsement_requested"} <= kinds
    for notification in notifications:
        subject, text, html = render(notification, lang)
        found = dates_in_text(subject, lang) + dates_in_text(text, lang) + dates_in_html(html, lang)
        if notification.kind in {"proposal.submitted", "proposal.endorsement_requested"}:
            assert dates(found), notification.kind  # the receipt states its moment
        assert wrong_styles(found) == [], (notification.kind, wrong_styles(found))
