"""The admin reads in Japanese on /ja/admin/: the index (every app's name and its
models), and for each model its list and its add form (titles, filters, column
headings and the label of every field)."""

from __future__ import annotations

import re

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from lxml import html

from openrd.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# Latin words a Japanese page keeps: names of products, systems and keys. A word
# in capitals (PDF, ORCID, SAML) is taken as an acronym; a dotted code (an audit
# action such as accounts.login) and "<unknown>" (what axes records for a missing
# header) as data.
KEPT = {"OpenRD", "e-Rad", "WebAuthn", "ePPN", "Redis", "Django-RQ", "Control", "Command", "Mac"}
WORD = re.compile(r"(?<![\w.<])[A-Za-z][A-Za-z-]{2,}(?![\w.>])")
# Apps whose model pages still show their package's English (their models carry
# no translatable names): see the index, which names them in Japanese.
NOT_YET = {"mfa", "usersessions", "socialaccount", "django_rq"}


def english_words(page: bytes) -> list[str]:
    tree = html.fromstring(page.decode())
    for node in tree.xpath("//script|//style|//code|//pre|//*[@lang='en']"):
        node.drop_tree()
    # On the index, the models of those apps (their app's name is still checked).
    for app in NOT_YET:
        for node in tree.xpath(f"//*[contains(@class, 'app-{app} ')]//tr"):
            node.drop_tree()
    content = tree.xpath("//*[@id='content']") or [tree]
    text = " ".join(content[0].itertext())
    return sorted({w for w in WORD.findall(text) if w not in KEPT and not w.isupper()})


def checked_pages() -> list[str]:
    urls = ["/ja/admin/"]
    for model in admin.site._registry:
        meta = model._meta
        if meta.app_label in NOT_YET:
            continue
        for view in ("changelist", "add"):
            try:
                urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}"))
            except NoReverseMatch:
                continue
    return urls


def test_the_checker_finds_english():
    assert english_words(b"<div id='content'><h1>Select scheduled run</h1></div>") == [
        "Select", "run", "scheduled",
    ]  # fmt: skip
    page = "<div id='content'>PDF と accounts.login と OpenRD の 公募</div>".encode()
    assert english_words(page) == []


def test_every_admin_page_reads_in_japanese(client):
    client.force_login(
        UserFactory(is_staff=True, is_superuser=True, name_ja="管理 太郎", name_en="")
    )
    pages = checked_pages()
    assert len(pages) > 30  # every model of OpenRD's apps, list and form
    english = {}
    for url in pages:
        response = client.get(url)
        assert response.status_code in {200, 403}, url  # 403: an admin that never adds
        if response.status_code == 200 and (words := english_words(response.content)):
            english[url] = words
    assert english == {}, english
