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
