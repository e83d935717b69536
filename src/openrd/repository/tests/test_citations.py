"""BibTeX, RIS and the formatted reference, from records built in memory (no
database): what each format needs, escaped and in order."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from openrd.repository.citations import bibtex, citation_key, formatted, latex_escape, ris
from openrd.repository.records import Creator, Funding, Name, Record


def _creator(family_en: str, given_en: str, family_ja: str = "", given_ja: str = "") -> Creator:
    return Creator(
        name=Name(" ".join(p for p in (family_ja, given_ja) if p),
                  " ".join(p for p in (given_en, family_en) if p)),
        family=Name(family_ja, family_en),
        given=Name(given_ja, given_en),
        erad_researcher_number="",
        orcid="",
        affiliation=Name("", ""),
        affiliation_ror="",
        role="author",
    )  # fmt: skip


def make(**changes: Any) -> Record:
    fields: dict[str, Any] = {
        "pk": 7,
        "identifier": "https://repo.example/en/outputs/7/",
        "concept_identifier": "https://repo.example/en/outputs/c/7/",
        "version_number": 1,
        "is_latest": True,
        "deleted": False,
        "datestamp": datetime(2026, 5, 1, tzinfo=UTC),
        "title": Name("量子誤り訂正の実証", "Demonstrating quantum error correction"),
        "abstract": Name("要旨", "We show\nsurface codes work."),
        "creators": (_creator("Yamada", "Hanako", "山田", "花子"), _creator("Sato", "Jiro Ken")),
        "kind": "article",
        "resource_type": "journal_article",
        "resource_type_uri": "http://purl.org/coar/resource_type/c_6501",
        "resource_type_label": "journal article",
        "dc_type": "article",
        "text_version": "AM",
        "text_version_uri": "",
        "access_rights": "open",
        "access_rights_uri": "",
        "access_rights_label": "open access",
        "embargo_until": None,
        "licence": "CC-BY-4.0",
        "licence_uri": "https://creativecommons.org/licenses/by/4.0/",
        "licence_label": "CC BY 4.0",
        "language": "eng",
        "language_tag": "en",
        "keywords": ("quantum", "error correction"),
        "doi": "10.1103/PhysRevResearch.1.000001",
        "journal_title": "Physical Review Research",
        "issn": "",
        "volume": "8",
        "issue": "2",
        "page_start": "10",
        "page_end": "20",
        "publisher": "",
        "published_on": date(2026, 4, 10),
        "accepted_on": None,
        "available_on": date(2026, 4, 10),
        "peer_reviewed": True,
        "institution": Name("つくば量子大学", "Tsukuba Quantum University"),
        "institution_code": "tsukuba",
        "program_code": "moonshot",
        "funding": (
            Funding(Name("JST", "JST"), "", "", Name("", ""), "JPMJMS2561", True, "", Name("", "")),
        ),
        "files": (),
        "withdrawal_reason": "",
    }
    return Record(**(fields | changes))


def parse_bibtex(text: str) -> tuple[str, str, dict[str, str]]:
    """A tiny BibTeX reader: entry type, key and fields with balanced braces."""
    m = re.match(r"@(\w+)\{([^,]+),\n", text)
    assert m, text
    fields: dict[str, str] = {}
    pos = m.end()
    while True:
        f = re.compile(r"\s*(\w+) = \{").match(text, pos)
        if not f:
            break
        depth, i = 1, f.end()
        while depth:
            if text[i] == "\\":
                i += 2
                continue
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        fields[f.group(1)] = text[f.end() : i - 1]
        pos = i + 1 if text[i : i + 1] == "," else i
    assert text[pos:].strip() == "}", text[pos:]
    return m.group(1), m.group(2), fields


def test_citation_key_is_family_year_word():
    assert citation_key(make()) == "yamada2026demonstrating"
    assert citation_key(make(title=Name("", "The art of codes"))) == "yamada2026art"


def test_citation_key_of_a_japanese_only_author_is_ascii():
    record = make(creators=(_creator("", "", "山田", "花子"),), title=Name("量子", ""))
    assert citation_key(record) == "openrd20267"


def test_bibtex_article_parses_back():
    kind, key, fields = parse_bibtex(bibtex(make()))
    assert (kind, key) == ("article", "yamada2026demonstrating")
    assert fields == {
        "author": "Yamada, Hanako and Sato, Jiro Ken",
        "title": "Demonstrating quantum error correction",
        "journal": "Physical Review Research",
        "volume": "8",
        "number": "2",
        "pages": "10--20",
        "year": "2026",
        "doi": "10.1103/PhysRevResearch.1.000001",
        "url": "https://doi.org/10.1103/PhysRevResearch.1.000001",
        "keywords": "quantum, error correction",
    }


def test_bibtex_dataset_and_misc():
    kind, _key, fields = parse_bibtex(bibtex(make(kind="dataset", journal_title="", doi="")))
    assert kind == "dataset"
    assert fields["url"] == "https://repo.example/en/outputs/7/"
    assert fields["publisher"] == "Tsukuba Quantum University"
    assert fields["version"] == "1"
    assert parse_bibtex(bibtex(make(kind="other", journal_title="")))[0] == "misc"


def test_bibtex_escapes_latex_specials():
    record = make(title=Name("", "50% of {codes} & $x_1$ #1 ~ ^ \\"))
    _kind, _key, fields = parse_bibtex(bibtex(record))
    assert fields["title"] == (
        r"50\% of \{codes\} \& \$x\_1\$ \#1 \textasciitilde{} \textasciicircum{} "
        r"\textbackslash{}"
    )
    assert latex_escape("a  b\nc") == "a b c"


def test_ris_tags_in_order_with_crlf_and_er():
    text = ris(make())
    assert text.endswith("ER  - \r\n")
    lines = text.split("\r\n")
    assert lines[-1] == ""
    assert all(re.fullmatch(r"[A-Z][A-Z0-9]  - .*", line) for line in lines[:-1])
    tags = [line[:2] for line in lines[:-1]]
    assert tags == ["TY", "AU", "AU", "TI", "T2", "PY", "DA", "VL", "IS", "SP", "EP", "DO", "UR",
                    "KW", "KW", "AB", "ER"]  # fmt: skip
    assert lines[0] == "TY  - JOUR"
    assert lines[1] == "AU  - Yamada, Hanako"
    assert "DA  - 2026/04/10" in lines
    assert "AB  - We show surface codes work." in lines  # one line: RIS has no continuation


def test_ris_types():
    assert ris(make(kind="dataset", journal_title="")).startswith("TY  - DATA\r\n")
    assert ris(make(kind="other", journal_title="")).startswith("TY  - GEN\r\n")
    assert "\nT2  -" not in ris(make(kind="dataset", journal_title=""))


def test_formatted_in_english_and_japanese():
    assert formatted(make(), "en") == (
        "Yamada, H., Sato, J. K. (2026). Demonstrating quantum error correction. "
        "Physical Review Research, 8(2), 10–20. https://doi.org/10.1103/PhysRevResearch.1.000001"
    )
    ja = formatted(make(), "ja")
    assert ja.startswith("山田 花子、Jiro Ken Sato (2026). 量子誤り訂正の実証.")


def test_formatted_dataset_without_doi_cites_the_landing_page():
    text = formatted(make(kind="dataset", journal_title="", doi=""), "en")
    assert "[Dataset]. Tsukuba Quantum University." in text
    assert text.endswith("https://repo.example/en/outputs/7/")
