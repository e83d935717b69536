"""COUNTER R5 usage: robots dropped, sessions without addresses, double clicks,
unique and total metrics, idempotent months (openrd.repository.usage)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.test import RequestFactory

from openrd.repository import usage
from openrd.repository.models import Output, UsageEvent, UsageMonth

BROWSER = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36"
)
T0 = datetime(2026, 5, 10, 3, 0, tzinfo=UTC)
MAY = date(2026, 5, 1)
TIV, UIV = "total_item_investigations", "unique_item_investigations"
TIR, UIR = "total_item_requests", "unique_item_requests"


def request(user_agent: str = BROWSER, address: str = "192.0.2.10") -> Any:
    return RequestFactory().get("/ja/outputs/1/", HTTP_USER_AGENT=user_agent, REMOTE_ADDR=address)


def at(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> None:
    monkeypatch.setattr(usage.timezone, "now", lambda: moment)


@pytest.fixture
def published(repo: Any) -> Output:
    return repo.deposit()


# --- robots (pure) ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "agent",
    [
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "curl/8.5.0",
        "Wget/1.21.4",
        "python-requests/2.32.3",
        "Mozilla/5.0 (compatible; YandexBot/3.0)",
        "Baiduspider+(+http://www.baidu.com/search/spider.htm)",
        "OAI-PMH Harvester 1.0",
        "PKP harvester",
        "JAIRO Cloud harvester",
        "Go-http-client/1.1",
        "Scrapy/2.11",
        "facebookexternalhit/1.1",
        "GPTBot/1.0",
        "",
        "Mozilla/5.0",
    ],
)
def test_robots_are_recognised(agent: str) -> None:
    assert usage.is_robot(agent)


@pytest.mark.parametrize(
    "agent",
    [
        BROWSER,
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.4 Safari/605.1.15",
        "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/124.0.0.0 Mobile Safari/537.36",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0",
    ],
)
def test_browsers_are_not_robots(agent: str) -> None:
    assert not usage.is_robot(agent)


def test_the_session_is_a_digest_per_client_and_hour_without_address_or_agent() -> None:
    one = usage.session_id("192.0.2.10", BROWSER, T0)
    assert len(one) == 64
    assert "192.0.2.10" not in one
    assert usage.session_id("192.0.2.10", BROWSER, T0 + timedelta(minutes=59)) == one
    assert usage.session_id("192.0.2.10", BROWSER, T0 + timedelta(hours=1)) != one
    assert usage.session_id("192.0.2.11", BROWSER, T0) != one
    assert usage.session_id("192.0.2.10", BROWSER + " x", T0) != one


def test_double_clicks_within_30_seconds_count_once() -> None:
    clicks = [T0, T0 + timedelta(seconds=10), T0 + timedelta(seconds=30)]
    assert usage._after_double_clicks(clicks) == 1
    assert usage._after_double_clicks([T0, T0 + timedelta(seconds=31)]) == 2


# --- recording ---------------------------------------------------------------------------


def test_a_view_and_a_download_are_recorded_without_address_or_agent(
    published: Output, monkeypatch: pytest.MonkeyPatch
) -> None:
    at(monkeypatch, T0)
    usage.record_usage(request(), published)
    usage.record_usage(request(), published, published.files.get())
    view, download = UsageEvent.objects.order_by("is_request")
    assert (view.is_request, view.file_id) == (False, None)
    assert (download.is_request, download.file) == (True, published.files.get())
    assert view.session == download.session == usage.session_id("192.0.2.10", BROWSER, T0)
    stored = {str(v) for e in UsageEvent.objects.values() for v in e.values()}
    assert not any("192.0.2.10" in v or "Chrome" in v for v in stored)


def test_robots_are_not_recorded(published: Output) -> None:
    usage.record_usage(request("Mozilla/5.0 (compatible; Googlebot/2.1)"), published)
    usage.record_usage(request("curl/8.5.0"), published, published.files.get())
    assert not UsageEvent.objects.exists()


def test_nothing_is_recorded_for_a_draft(repo: Any) -> None:
    draft = repo.deposit(publish=False)
    usage.record_usage(request(), draft)
    usage.record_usage(request(), draft, draft.files.get())
    assert not UsageEvent.objects.exists()


def test_nothing_is_recorded_for_a_tombstone(repo: Any, published: Output) -> None:
    from openrd.repository import services

    withdrawn = services.withdraw(published, actor=repo.curator, reason="duplicate")
    usage.record_usage(request(), withdrawn)
    assert not UsageEvent.objects.exists()


# --- counting ------------------------------------------------------------------------------


def clicks(monkeypatch: pytest.MonkeyPatch, output: Output, *events: tuple[int, str, bool]) -> None:
    """(seconds after T0, client address, is a download) for each event."""
    file = output.files.get()
    for seconds, address, download in events:
        at(monkeypatch, T0 + timedelta(seconds=seconds))
        usage.record_usage(request(address=address), output, file if download else None)


def test_double_clicks_are_filtered_when_a_month_is_counted(
    published: Output, monkeypatch: pytest.MonkeyPatch
) -> None:
    clicks(monkeypatch, published, (0, "192.0.2.1", False), (20, "192.0.2.1", False),
           (100, "192.0.2.1", False), (131, "192.0.2.1", False))  # fmt: skip
    usage.aggregate_month(MAY)
    assert usage.usage_for(published)[MAY][TIV] == 3


def test_unique_counts_sessions_and_total_counts_clicks(
    published: Output, monkeypatch: pytest.MonkeyPatch
) -> None:
    clicks(monkeypatch, published, (0, "192.0.2.1", False), (60, "192.0.2.1", False),
           (0, "192.0.2.2", False), (4000, "192.0.2.2", False))  # fmt: skip
    usage.aggregate_month(MAY)
    counts = usage.usage_for(published)[MAY]
    # The second client's last view is in the next hour: a new user-session.
    assert (counts[TIV], counts[UIV]) == (4, 3)
    assert (counts[TIR], counts[UIR]) == (0, 0)


def test_downloads_count_as_investigations_and_requests(
    published: Output, monkeypatch: pytest.MonkeyPatch
) -> None:
    clicks(monkeypatch, published, (0, "192.0.2.1", False), (5, "192.0.2.1", True),
           (10, "192.0.2.1", True), (50, "192.0.2.1", True), (0, "192.0.2.2", True))  # fmt: skip
    usage.aggregate_month(MAY)
    counts = usage.usage_for(published)[MAY]
    assert counts[TIR] == 3  # 5 s and 10 s are one request
    assert counts[UIR] == 2
    assert counts[TIV] == 1 + 3
    assert counts[UIV] == 2


def test_re_aggregating_a_month_replaces_its_counts(
    published: Output, monkeypatch: pytest.MonkeyPatch
) -> None:
    clicks(monkeypatch, published, (0, "192.0.2.1", False))
    first = usage.aggregate_month(MAY)
    assert usage.aggregate_month(MAY) == first
    assert UsageMonth.objects.filter(month=MAY, metric=TIV).get().count == 1
    clicks(monkeypatch, published, (100, "192.0.2.9", False))
    usage.aggregate_month(MAY)
    assert UsageMonth.objects.filter(month=MAY, metric=TIV).get().count == 2
    assert UsageMonth.objects.count() == 2  # total and unique investigations


def test_months_are_tokyo_months(published: Output, monkeypatch: pytest.MonkeyPatch) -> None:
    # 30 April 16:00 UTC is 1 May 01:00 in Tokyo.
    at(monkeypatch, datetime(2026, 4, 30, 16, 0, tzinfo=UTC))
    usage.record_usage(request(), published)
    assert usage.aggregate_month(date(2026, 4, 1)) == 0
    assert usage.aggregate_month(MAY) == 2


def test_the_counter_report_lists_each_item_metric_and_month(
    published: Output, monkeypatch: pytest.MonkeyPatch
) -> None:
    clicks(monkeypatch, published, (0, "192.0.2.1", True))
    usage.aggregate_month(MAY)
    rows = usage.counter_report(date(2026, 4, 1), date(2026, 6, 1))
    assert [r["metric"] for r in rows] == [
        "Total_Item_Investigations", "Unique_Item_Investigations",
        "Total_Item_Requests", "Unique_Item_Requests",
    ]  # fmt: skip
    row = rows[2]
    assert row["item_id"] == published.pk
    assert row["title"] == published.title
    assert row["months"] == {date(2026, 4, 1): 0, MAY: 1, date(2026, 6, 1): 0}
    assert row["total"] == 1


def test_the_task_counts_this_and_last_month_and_purges_old_events(
    published: Output, monkeypatch: pytest.MonkeyPatch
) -> None:
    from openrd.repository.tasks import aggregate_usage

    at(monkeypatch, datetime(2025, 12, 1, 3, tzinfo=UTC))
    usage.record_usage(request(), published)
    at(monkeypatch, T0)
    usage.record_usage(request(), published)
    result = aggregate_usage.call()
    assert result == {"rows": 2, "purged": 1}
    assert set(UsageMonth.objects.values_list("month", flat=True)) == {MAY}
