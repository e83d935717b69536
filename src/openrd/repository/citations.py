"""How to cite a public record: BibTeX, RIS and a formatted reference.

All three read ``records.Record`` only, so they can show nothing the public
record does not hold (no restricted file, no curator's note). Names and titles
are the English ones where the record has them (reference managers and
journals abroad expect them), the Japanese ones otherwise; the formatted
reference follows the page's language.
"""

from __future__ import annotations

import re
import unicodedata

from django.utils.translation import gettext, override

from openrd.repository.records import Creator, Name, Record

# Characters LaTeX reads as commands, and how to write them as text.
_LATEX = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "%": r"\%",
    "#": r"\#",
    "_": r"\_",
    "^": r"\textasciicircum{}",
    "~": r"\textasciitilde{}",
}
_LATEX_RE = re.compile("|".join(re.escape(c) for c in _LATEX))
# Words a citation key skips, as Google Scholar's and Zotero's keys do.
_STOP_WORDS = frozenset(
    {"a", "an", "the", "of", "on", "in", "for", "and", "to", "with", "from", "by", "at", "as",
     "is", "are", "its", "via"}
)  # fmt: skip
ARTICLE_KINDS = frozenset({"article"})


def latex_escape(text: str) -> str:
    return _LATEX_RE.sub(lambda m: _LATEX[m.group(0)], " ".join(text.split()))


def _pick(name: Name, *, english: bool = True) -> str:
    if english:
        return name.en or name.ja
    return name.ja or name.en


def _family_given(creator: Creator, *, english: bool = True) -> tuple[str, str]:
    """(family, given) in one script: both English or both Japanese, never mixed."""
    if english and creator.family.en:
        return creator.family.en, creator.given.en
    if creator.family.ja:
        return creator.family.ja, creator.given.ja
    return creator.family.en, creator.given.en


def year(record: Record) -> str:
    """The year the work appeared: the journal's date, else when it was opened here."""
    day = record.published_on or record.available_on
    return str(day.year) if day else str(record.datestamp.year)


def _ascii_word(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", folded.lower())


def citation_key(record: Record) -> str:
    """``yamada2026demonstrating``: first author's family name, year, first
    significant word of the title; ``openrd<pk>`` parts when a name has no
    Latin letters (a key must be ASCII for BibTeX)."""
    family = _ascii_word(_family_given(record.creators[0])[0]) if record.creators else ""
    words = [_ascii_word(w) for w in _pick(record.title).split()]
    word = next((w for w in words if w and w not in _STOP_WORDS), "")
    return f"{family or 'openrd'}{year(record)}{word or record.pk}"


def doi_url(doi: str) -> str:
    return f"https://doi.org/{doi}" if doi else ""


def _pages(record: Record) -> str:
    if record.page_start and record.page_end:
        return f"{record.page_start}--{record.page_end}"
    return record.page_start


def _is_article(record: Record) -> bool:
    return record.kind in ARTICLE_KINDS and bool(record.journal_title)


def bibtex(record: Record) -> str:
    """One BibTeX entry: @article for a journal article, @dataset for a dataset
    (biblatex; BibTeX styles treat an unknown type as @misc), @misc otherwise."""
    entry = "article" if _is_article(record) else "dataset" if record.kind == "dataset" else "misc"
    authors = " and ".join(
        "{}, {}".format(*_family_given(c)) if _family_given(c)[1] else _family_given(c)[0]
        for c in record.creators
    )
    fields: list[tuple[str, str]] = [
        ("author", authors),
        ("title", _pick(record.title)),
    ]
    if entry == "article":
        fields += [
            ("journal", record.journal_title),
            ("volume", record.volume),
            ("number", record.issue),
            ("pages", _pages(record)),
        ]
    else:
        fields += [("publisher", record.publisher or _pick(record.institution))]
    fields += [
        ("year", year(record)),
        ("doi", record.doi),
        ("url", doi_url(record.doi) or record.identifier),
        ("keywords", ", ".join(record.keywords)),
        ("version", str(record.version_number) if entry != "article" else ""),
    ]
    lines = [f"@{entry}{{{citation_key(record)},"]
    for name, value in fields:
        if not value:
            continue
        # DOIs and URLs are read verbatim by biblatex: escaping would corrupt them.
        text = value if name in {"doi", "url"} else latex_escape(value)
        if name == "pages":
            text = value.replace("{", "").replace("}", "")
        lines.append(f"  {name} = {{{text}}},")
    lines[-1] = lines[-1].rstrip(",")
    return "\n".join([*lines, "}"]) + "\n"


RIS_TYPES = {"article": "JOUR", "dataset": "DATA"}


def ris(record: Record) -> str:
    """One RIS record, tags in the order reference managers write them, lines
    ended by CRLF as the format asks, closed by ``ER``."""
    kind = "JOUR" if _is_article(record) else RIS_TYPES.get(record.kind, "GEN")
    if kind == "JOUR" and not record.journal_title:
        kind = "GEN"
    lines: list[tuple[str, str]] = [("TY", kind)]
    for c in record.creators:
        family, given = _family_given(c)
        lines.append(("AU", f"{family}, {given}" if given else family))
    lines.append(("TI", _pick(record.title)))
    if record.journal_title:
        lines.append(("T2", record.journal_title))
    lines.append(("PY", year(record)))
    day = record.published_on or record.available_on
    if day:
        lines.append(("DA", day.strftime("%Y/%m/%d")))
    lines += [
        ("VL", record.volume),
        ("IS", record.issue),
        ("SP", record.page_start),
        ("EP", record.page_end),
        ("DO", record.doi),
        ("UR", doi_url(record.doi) or record.identifier),
    ]
    lines += [("KW", k) for k in record.keywords]
    lines.append(("AB", " ".join(_pick(record.abstract).split())))
    body = "".join(f"{tag}  - {' '.join(value.split())}\r\n" for tag, value in lines if value)
    return body + "ER  - \r\n"


def _short_author(creator: Creator, lang: str) -> str:
    if lang == "en" and creator.family.en:
        initials = " ".join(f"{part[0]}." for part in creator.given.en.split() if part)
        return f"{creator.family.en}, {initials}" if initials else creator.family.en
    return _pick(creator.name, english=lang == "en")


def formatted(record: Record, lang: str) -> str:
    """A reference in the style most journals accept (author–year, APA-like):
    ``Yamada, H. (2026). Title. Journal, 1(2), 10–20. https://doi.org/…``.
    On Japanese pages names and titles are the Japanese ones where given."""
    english = lang == "en"
    names = [_short_author(c, lang) for c in record.creators]
    if len(names) > 20:
        names = [*names[:19], "…", names[-1]]
    joiner = ", " if english else "、"
    authors = joiner.join(names)
    title = _pick(record.title, english=english).rstrip(".")
    parts = [f"{authors} ({year(record)}). {title}."] if authors else [f"{title} ({year(record)})."]
    if record.journal_title:
        source = record.journal_title
        if record.volume:
            source += f", {record.volume}"
            if record.issue:
                source += f"({record.issue})"
        if record.page_start:
            pages = record.page_start
            if record.page_end:
                pages += f"–{record.page_end}"
            source += f", {pages}"
        parts.append(f"{source}.")
    elif record.kind == "dataset":
        with override(lang):
            label = gettext("Dataset")
        parts.append(f"[{label}]. {_pick(record.institution, english=english)}.")
    parts.append(doi_url(record.doi) or record.identifier)
    return " ".join(parts)
