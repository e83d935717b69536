"""Canary: unique strings planted in what the public may not have (an embargoed
file's name and bytes, a restricted file's bytes and download address, a
draft's title) never appear in any public answer: the list, the landing pages
in both languages, JSON-LD, BibTeX, RIS, the Link headers, the concept
redirect's target and the file URLs.

A restricted file's *name* is shown on the landing page by design (so a reader
can ask for it), but only there, as text: it is asserted absent from every
machine-readable answer and from every link."""

from __future__ import annotations

import re
from datetime import date

import pytest

from openrd.repository.models import OutputFile

EMBARGOED_NAME = "canary-embargo-7f3a9c.csv"
RESTRICTED_NAME = "canary-restricted-51be0d.csv"
SECRET_BYTES = "canary-bytes-e2c94d"
DRAFT_TITLE = "canary-draft-title-0a8b77"
BODY = "\n<<body>>\n"
CSV = f"name,value\n{SECRET_BYTES},1\n".encode()


@pytest.fixture
def planted(repo):
    open_record = repo.deposit(
        files=[("aam.pdf", repo_pdf(), "open"), (RESTRICTED_NAME, CSV, "restricted")]
    )
    embargoed = repo.deposit(
        title_en="Embargoed dataset",
        kind="dataset",
        access_rights="embargoed",
        embargo_until=date(2027, 4, 1),
        embargo_reason="patent",
        files=[(EMBARGOED_NAME, CSV + b"2", "embargoed")],
    )
    repo.deposit(publish=False, title_en=DRAFT_TITLE, title_ja=DRAFT_TITLE)
    return open_record, embargoed


def repo_pdf() -> bytes:
    from openrd.core.tests import pdfs

    return pdfs.plain("open manuscript")


def _text(response) -> str:
    body = (
        b"".join(response.streaming_content) if response.streaming else response.content
    ).decode("utf-8", "replace")
    headers = "\n".join(f"{k}: {v}" for k, v in response.items())
    return headers + BODY + body


def _answers(client, records) -> dict[str, str]:
    out = {}
    for lang in ("ja", "en"):
        out[f"list {lang}"] = _text(client.get(f"/{lang}/outputs/"))
        out[f"search {lang}"] = _text(client.get(f"/{lang}/outputs/?q=canary"))
        for o in records:
            base = f"/{lang}/outputs/{o.pk}/"
            for suffix in ("", "metadata.json", "cite.bib", "cite.ris"):
                out[f"{base}{suffix}"] = _text(client.get(base + suffix))
            concept = client.get(f"/{lang}/outputs/c/{o.concept_id}/")
            out[f"concept {o.pk} {lang}"] = _text(concept)
            out[f"concept target {o.pk} {lang}"] = _text(client.get(concept["Location"]))
    return out


def _hidden_files(records) -> list[OutputFile]:
    return list(OutputFile.objects.filter(output__in=records).exclude(name="aam.pdf"))


@pytest.mark.parametrize("who", ["anonymous", "stranger", "pi"])
def test_canaries_never_appear(client, repo, planted, who):
    if who != "anonymous":
        client.force_login(getattr(repo, who))
    answers = _answers(client, planted)
    hidden = _hidden_files(planted)
    for f in hidden:
        for lang in ("ja", "en"):
            url = f"/{lang}/outputs/files/{f.key}/{f.name}"
            response = client.get(url)
            assert response.status_code == 404
            # The 404 page repeats the address asked for (the language switch): not a leak.
            answers[f"file {f.name} {lang}"] = _text(response).replace(url, "")
    for where, text in answers.items():
        assert EMBARGOED_NAME not in text, where
        assert SECRET_BYTES not in text, where
        assert DRAFT_TITLE not in text, where
        for f in hidden:
            assert f"/files/{f.key}/{f.name}" not in text, where
        landing = re.fullmatch(r"/(ja|en)/outputs/\d+/", where) or where.startswith(
            "concept target"
        )
        if not landing:
            assert RESTRICTED_NAME not in text, where
        else:
            # On the page the restricted file is named, never linked or described.
            for attribute in re.findall(r'(?:href|content|src)="([^"]*)"', text):
                assert RESTRICTED_NAME not in attribute, where
            assert RESTRICTED_NAME not in text.split(BODY, 1)[0], where  # headers


def test_the_canary_files_are_there_to_be_found(repo, planted):
    """The canaries are real: the hidden files exist with the planted names and bytes."""
    names = {f.name for f in _hidden_files(planted)}
    assert names == {EMBARGOED_NAME, RESTRICTED_NAME}
