"""The controlled vocabularies the repository's records use: COAR resource types,
versions and access rights (as JPCOAR 2.0 requires them), and licences.

Keys are what the database stores; each entry carries the URI harvesters read,
the label JPCOAR writes (English, as in its samples) and the labels we show.
Only terms JPCOAR 2.0's schema enumerates are listed (it has no "preprint" or
"research article"), so every record validates.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

COAR_RESOURCE = "http://purl.org/coar/resource_type/"
COAR_VERSION = "http://purl.org/coar/version/"
COAR_ACCESS = "http://purl.org/coar/access_right/"


@dataclass(frozen=True)
class Term:
    key: str
    uri: str
    # The term as JPCOAR writes it (the element's text), e.g. "journal article".
    jpcoar: str
    label: str | Promise
    # The output kind the term belongs to (article, dataset, other).
    kind: str = "other"
    # The Dublin Core type (oai_dc) harvesters expect: DRIVER's info:eu-repo types.
    dc_type: str = "other"


def _r(key: str, code: str, jpcoar: str, label: str | Promise, kind: str, dc: str) -> Term:
    return Term(key, COAR_RESOURCE + code, jpcoar, label, kind, dc)


RESOURCE_TYPES: dict[str, Term] = {
    t.key: t
    for t in (
        _r("journal_article", "c_6501", "journal article", _("Journal article"), "article",
           "article"),
        _r("review_article", "c_dcae04bc", "review article", _("Review article"), "article",
           "article"),
        _r("data_paper", "c_beb9", "data paper", _("Data paper"), "article", "article"),
        _r("conference_paper", "c_5794", "conference paper", _("Conference paper"), "other",
           "conferenceObject"),
        _r("book", "c_2f33", "book", _("Book"), "other", "book"),
        _r("book_part", "c_3248", "book part", _("Book chapter"), "other", "bookPart"),
        _r("research_report", "c_18ws", "research report", _("Research report"), "other",
           "report"),
        _r("doctoral_thesis", "c_db06", "doctoral thesis", _("Doctoral thesis"), "other",
           "doctoralThesis"),
        _r("dataset", "c_ddb1", "dataset", _("Dataset"), "dataset", "other"),
        _r("software", "c_5ce6", "software", _("Software"), "other", "other"),
        _r("patent", "c_15cd", "patent", _("Patent"), "other", "patent"),
        _r("other", "c_1843", "other", _("Other"), "other", "other"),
    )
}  # fmt: skip

VERSION_TYPES: dict[str, Term] = {
    t.key: t
    for t in (
        Term("AO", COAR_VERSION + "c_b1a7d7d4d402bcce", "AO", _("Author's original")),
        Term("SMUR", COAR_VERSION + "c_71e4c1898caa6e32", "SMUR",
             _("Submitted manuscript under review")),
        Term("AM", COAR_VERSION + "c_ab4af688f83e57aa", "AM", _("Accepted manuscript")),
        Term("P", COAR_VERSION + "c_fa2ee174bc00049f", "P", _("Proof")),
        Term("VoR", COAR_VERSION + "c_970fb48d4fbd8a85", "VoR", _("Version of record")),
        Term("NA", COAR_VERSION + "c_be7fb7dd8ff6fe43", "NA", _("Not applicable")),
    )
}  # fmt: skip

ACCESS_RIGHTS: dict[str, Term] = {
    t.key: t
    for t in (
        Term("open", COAR_ACCESS + "c_abf2", "open access", _("Open access")),
        Term("embargoed", COAR_ACCESS + "c_f1cf", "embargoed access", _("Embargoed access")),
        Term("restricted", COAR_ACCESS + "c_16ec", "restricted access", _("Restricted access")),
        Term("metadata_only", COAR_ACCESS + "c_14cb", "metadata only access",
             _("Metadata only access")),
    )
}  # fmt: skip


@dataclass(frozen=True)
class Licence:
    key: str
    uri: str
    label: str


LICENCES: dict[str, Licence] = {
    lic.key: lic
    for lic in (
        Licence("CC-BY-4.0", "https://creativecommons.org/licenses/by/4.0/", "CC BY 4.0"),
        Licence("CC-BY-SA-4.0", "https://creativecommons.org/licenses/by-sa/4.0/", "CC BY-SA 4.0"),
        Licence("CC-BY-NC-4.0", "https://creativecommons.org/licenses/by-nc/4.0/", "CC BY-NC 4.0"),
        Licence(
            "CC-BY-NC-ND-4.0", "https://creativecommons.org/licenses/by-nc-nd/4.0/",
            "CC BY-NC-ND 4.0",
        ),
        Licence("CC-BY-ND-4.0", "https://creativecommons.org/licenses/by-nd/4.0/", "CC BY-ND 4.0"),
        Licence("CC0-1.0", "https://creativecommons.org/publicdomain/zero/1.0/", "CC0 1.0"),
    )
}  # fmt: skip

# ISO 639-3 codes JPCOAR's dc:language takes, with the xml:lang (BCP 47) we write.
LANGUAGES: dict[str, tuple[str, str | Promise]] = {
    "jpn": ("ja", _("Japanese")),
    "eng": ("en", _("English")),
}


def resource_type_choices(kind: str | None = None) -> list[tuple[str, str | Promise]]:
    return [(t.key, t.label) for t in RESOURCE_TYPES.values() if kind is None or t.kind == kind]


def licence_choices() -> list[tuple[str, str]]:
    return [(lic.key, lic.label) for lic in LICENCES.values()]
