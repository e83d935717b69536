"""The admin reads in Japanese on /ja/admin/: the index (every app's name and its
models), for each model its list and its add form (titles, filters, column
headings and the label of every field), and django-rq's queues overview."""

from __future__ import annotations

import re
from collections.abc import Collection
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django_rq import stats_views
from lxml import html

from openrd.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# Latin words a Japanese page keeps: names of products, systems and keys. A word
# in capitals (PDF, ORCID, SAML) is taken as an acronym; a dotted code (an audit
# action such as accounts.login) and "<unknown>" (what axes records for a missing
# header) as data.
KEPT = {
    "OpenRD", "e-Rad", "Crossref", "WebAuthn", "ePPN", "Redis", "Django-RQ", "Control", "Command",
    "Mac",
}  # fmt: skip
WORD = re.compile(r"(?<![\w.<])[A-Za-z][A-Za-z-]{2,}(?![\w.>])")


def english_words(page: bytes, data: Collection[str] = ()) -> list[str]:
    """The Latin words of the page's content, but for those kept and the words of
    ``data`` (values the page shows, such as the names of the RQ queues)."""
    tree = html.fromstring(page.decode())
    # A textarea holds a field's value (the "null" of an empty JSON field), not words.
    for node in tree.xpath("//script|//style|//code|//pre|//textarea|//*[@lang='en']"):
        node.drop_tree()
    content = tree.xpath("//*[@id='content']") or [tree]
    text = " ".join(content[0].itertext())
    kept = KEPT | {w for value in data for w in WORD.findall(value)}
    return sorted({w for w in WORD.findall(text) if w not in kept and not w.isupper()})


def rq_home() -> str:
    return reverse("admin:django_rq_home")


def checked_pages() -> list[str]:
    urls = ["/ja/admin/"]
    for model in admin.site._registry:
        meta = model._meta
        for view in ("changelist", "add"):
            try:
                urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}"))
            except NoReverseMatch:
                continue
    urls.append(rq_home())  # django-rq's dashboard: its queues, schedulers and cron schedulers
    return list(dict.fromkeys(urls))


def queue_statistics(*, busy: bool) -> dict[str, object]:
    """What django-rq reads from Redis for its overview, for each configured queue."""
    queues = [
        {
            "name": name, "index": index, "jobs": 2, "oldest_job_timestamp": "-",
            "connection_kwargs": {"host": "127.0.0.1", "port": 6379, "db": 0},
            "scheduler_pid": 4242 if busy else None, "workers": 1 if busy else 0,
            "finished_jobs": 3, "started_jobs": 1, "deferred_jobs": 0, "failed_jobs": 1,
            "scheduled_jobs": 0,
        }
        for index, name in enumerate(settings.RQ_QUEUES)
    ]  # fmt: skip
    connection = SimpleNamespace(
        connection_pool=SimpleNamespace(
            connection_kwargs={"host": "127.0.0.1", "port": 6379, "db": 0}
        )
    )
    cron = SimpleNamespace(connection_index=0, name="app1:4242:3f9a1c", connection=connection)
    return {
        "queues": queues,
        "schedulers": {"127.0.0.1:6379/0": {"count": 1, "index": 0}} if busy else {},
        "cron_schedulers": [cron] if busy else [],
    }


@pytest.fixture
def rq_queues(monkeypatch: pytest.MonkeyPatch):
    """The queues overview shown without Redis: django-rq's readers return this."""

    def use(*, busy: bool) -> None:
        data = queue_statistics(busy=busy)
        monkeypatch.setattr(
            stats_views, "get_statistics", lambda **kwargs: {"queues": data["queues"]}
        )
        monkeypatch.setattr(
            stats_views, "get_scheduler_statistics", lambda: {"schedulers": data["schedulers"]}
        )
        monkeypatch.setattr(stats_views, "get_cron_schedulers", lambda: data["cron_schedulers"])

    use(busy=True)
    return use


@pytest.fixture
def superuser_client(client):
    client.force_login(
        UserFactory(is_staff=True, is_superuser=True, name_ja="管理 太郎", name_en="")
    )
    return client


def test_the_checker_finds_english():
    assert english_words(b"<div id='content'><h1>Select scheduled run</h1></div>") == [
        "Select", "run", "scheduled",
    ]  # fmt: skip
    page = "<div id='content'>PDF と accounts.login と OpenRD の 公募</div>".encode()
    assert english_words(page) == []
    queue = b"<div id='content'><a href='/q/0/'>default</a> Workers</div>"
    assert english_words(queue, data={"default"}) == ["Workers"]


def test_every_admin_page_reads_in_japanese(superuser_client, rq_queues):
    pages = checked_pages()
    assert len(pages) > 30  # every model of OpenRD's apps, list and form
    # allauth's and django-rq's pages are among them.
    assert {
        reverse("admin:mfa_authenticator_changelist"),
        reverse("admin:usersessions_usersession_add"),
        reverse("admin:socialaccount_socialtoken_changelist"),
        rq_home(),
    } <= set(pages)
    english = {}
    for url in pages:
        response = superuser_client.get(url)
        assert response.status_code in {200, 403}, url  # 403: an admin that never adds
        data = settings.RQ_QUEUES if url == rq_home() else ()
        if response.status_code == 200 and (words := english_words(response.content, data)):
            english[url] = words
    assert english == {}, english


@pytest.mark.parametrize("busy", [True, False], ids=["busy", "idle"])
def test_the_queues_overview_reads_in_japanese(superuser_client, rq_queues, busy):
    rq_queues(busy=busy)
    response = superuser_client.get(rq_home())
    assert response.status_code == 200
    assert response.templates[0].origin.name.endswith("openrd/templates/django_rq/stats.html")
    page = response.content.decode()
    # The queues are listed, each with its links, under Japanese headings.
    assert "待機中のジョブ" in page
    assert reverse("admin:django_rq_queue_details", args=[0]) in page
    assert reverse("admin:django_rq_failed_jobs", args=[0]) in page
    assert ("Redis 接続" in page) is busy  # rq-scheduler's table, when it has a scheduler
    assert ("実行中の定期実行スケジューラーはありません" in page) is not busy
    assert english_words(response.content, settings.RQ_QUEUES) == []
