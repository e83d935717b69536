"""A submitted version as the page and the PDF show it: read from the frozen content only.

``ProposalVersion.content`` is what was submitted (ADR 0008); nothing here reads the
working copy, so later edits never change what a version's page or PDF says.
Odd or missing values in the frozen JSON render as blanks, never as an error.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from openrd.core.fiscal import fiscal_year_of, format_fiscal_year, format_wareki_date, to_tokyo
from openrd.core.i18n import current_lang
from openrd.proposals.models import MemberRole, ProposalVersion


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _role_label(role: str) -> str:
    return _("Collaborator") if role == MemberRole.COLLABORATOR else _("Co-investigator")


def submitted_moment(moment: datetime, lang: str) -> str:
    """To the second, in Tokyo, with the era and the fiscal year:
    ja "令和8年12月1日 18:20:05（日本時間）・令和8年度（2026年度）"."""
    local = to_tokyo(moment)
    clock = local.strftime("%H:%M:%S")
    fiscal = format_fiscal_year(fiscal_year_of(local.date()), lang)
    if lang == "en":
        # The era is the fiscal year's ("FY2026 (Reiwa 8)"), as a date-time is written.
        return f"{local.day} {local:%B} {local.year} {clock} {local.tzname()}, {fiscal}"
    return f"{format_wareki_date(local.date(), lang)} {clock}（日本時間）・{fiscal}"


def yen_digits(amount: int) -> str:
    """Every yen, as a form states it: "10,000,000円"."""
    return f"{amount:,}円"


def budget_lines(content: dict[str, Any]) -> tuple[list[dict[str, Any]], int]:
    lines: list[dict[str, Any]] = []
    for line in _dicts(content.get("budget")):
        year, amount = _int(line.get("fiscal_year")), _int(line.get("amount_yen"))
        if year is not None and amount is not None:
            lines.append({"fiscal_year": year, "amount_yen": amount, "digits": yen_digits(amount)})
    return lines, sum(line["amount_yen"] for line in lines)


def attachments(version: ProposalVersion) -> list[dict[str, Any]]:
    """The frozen files with their document's name and download address."""
    proposal = version.proposal
    names = {d.code: d for d in proposal.call.documents.all()}
    out = []
    for entry in _dicts(version.content.get("attachments")):
        sha = _text(entry.get("sha256"))
        doc = names.get(_text(entry.get("document_code")))
        out.append(
            {
                "document_code": _text(entry.get("document_code")),
                "document_name_ja": doc.name_ja if doc else _text(entry.get("document_code")),
                "document_name_en": doc.name_en if doc else "",
                "filename": _text(entry.get("filename")),
                "sha256": sha,
                "size": _int(entry.get("size")),
                "url": reverse("proposals:file", args=[proposal.pk, sha]) if sha else "",
            }
        )
    return out


def disclosure_summary(version: ProposalVersion) -> dict[str, Any]:
    disclosure = version.disclosure
    fundings = _dicts(disclosure.fundings)
    return {
        "number": disclosure.number,
        "pledged_at": disclosure.pledged_at,
        "fundings": fundings,
        "positions": _dicts(disclosure.positions),
        "total_effort_percent": sum(_int(f.get("effort_percent")) or 0 for f in fundings),
    }


def version_document(version: ProposalVersion) -> dict[str, Any]:
    """Everything the version page and the application PDF print, as plain values."""
    content = version.content if isinstance(version.content, dict) else {}
    proposal = version.proposal
    call = proposal.call
    institution = content.get("institution")
    institution = institution if isinstance(institution, dict) else {}
    lines, total = budget_lines(content)
    submitter = version.submitted_by
    return {
        "proposal_pk": proposal.pk,
        "number": version.number,
        "receipt_number": version.receipt_number,
        "submitted_at": version.submitted_at,
        "submitted_at_ja": submitted_moment(version.submitted_at, "ja"),
        "submitted_at_local": submitted_moment(version.submitted_at, current_lang()),
        "submitted_by_ja": submitter.name_ja or submitter.name_en or submitter.username,
        "submitted_by_en": submitter.name_en,
        "endorsement": version.endorsement,
        "endorsement_label": version.get_endorsement_display(),
        "call": {
            "code": call.code,
            "title_ja": call.title_ja,
            "title_en": call.title_en,
            "program_ja": call.program.name_ja,
            "program_en": call.program.name_en,
        },
        "applicant": {
            "name_ja": proposal.applicant.name_ja,
            "name_en": proposal.applicant.name_en,
            "erad_researcher_number": proposal.applicant.erad_researcher_number or "",
        },
        "institution": {
            "code": _text(institution.get("code")),
            "name_ja": _text(institution.get("name_ja")),
            "name_en": _text(institution.get("name_en")),
        },
        "title_ja": _text(content.get("title_ja")),
        "title_en": _text(content.get("title_en")),
        "abstract_ja": _text(content.get("abstract_ja")),
        "abstract_en": _text(content.get("abstract_en")),
        "effort_percent": _int(content.get("effort_percent")),
        "budget": lines,
        "budget_total_yen": total,
        "budget_total_digits": yen_digits(total),
        "co_investigators": [
            {
                "name_ja": _text(m.get("name_ja")),
                "name_en": _text(m.get("name_en")),
                "erad_researcher_number": _text(m.get("erad_researcher_number")),
                # Versions from before invitations hold neither: co-investigators then.
                "role": _text(m.get("role")) or MemberRole.CO_INVESTIGATOR.value,
                "role_label": _role_label(_text(m.get("role"))),
                "shares": [
                    {"fiscal_year": year, "amount_yen": amount}
                    for share in _dicts(m.get("shares"))
                    if (year := _int(share.get("fiscal_year"))) is not None
                    and (amount := _int(share.get("amount_yen"))) is not None
                ],
            }
            for m in _dicts(content.get("co_investigators"))
        ],
        "attachments": attachments(version),
        "disclosure": disclosure_summary(version),
        "page_url": reverse("proposals:version", args=[proposal.pk, version.number]),
        "pdf_url": reverse("proposals:version_pdf", args=[proposal.pk, version.number]),
    }


def receipt_links(version: ProposalVersion) -> dict[str, str]:
    """What a list of versions adds to each: its receipt and where to read it."""
    pk, number = version.proposal_id, version.number
    return {
        "receipt_number": version.receipt_number,
        "page_url": reverse("proposals:version", args=[pk, number]),
        "pdf_url": reverse("proposals:version_pdf", args=[pk, number]),
    }
