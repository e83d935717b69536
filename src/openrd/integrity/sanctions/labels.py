"""Names of the offences and measures in the active language."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

OFFENCES = {
    "misuse": _("Misuse of funds"),
    "deceit": _("Funds obtained by deceit or other wrongful means"),
    "misconduct": _("Research misconduct (fabrication, falsification, plagiarism)"),
    "false_declaration": _("False research-integrity declaration"),
}

MEASURES = {
    "publication": _("Publication of the case"),
    "rejection": _("Rejection of the proposal"),
    "revocation": _("Revocation of the award"),
    "refund": _("Refund of the funds"),
}


def offence_label(code: str) -> str:
    return str(OFFENCES.get(code, code))


def measure_label(code: str) -> str:
    return str(MEASURES.get(code, code))


def row_label(funder: str, version: str, code: str) -> str:
    """The table row's label in the active language (the code if the table is gone)."""
    from openrd.integrity.rules.sanctions import offence_tables

    for table in offence_tables():
        if (table.funder, table.version) == (funder, version):
            for row in table.rows:
                if row.code == code:
                    return row.label
    return code
