"""The only writers of program data.

``presets`` writes programs (from their preset files) and their figures,
``calls`` writes calls for proposals; both are re-exported here.
"""

from openrd.programs.services.calls import (
    CALL_FIELDS,
    CRITERIA_TOTAL,
    CRITERION_FIELDS,
    DOCUMENT_FIELDS,
    Errors,
    close_call,
    create_call,
    open_call,
    update_call,
)
from openrd.programs.services.presets import (
    PresetConflict,
    UnknownOrganisation,
    load_preset,
    load_presets,
    record_figure,
)

__all__ = [
    "CALL_FIELDS",
    "CRITERIA_TOTAL",
    "CRITERION_FIELDS",
    "DOCUMENT_FIELDS",
    "Errors",
    "PresetConflict",
    "UnknownOrganisation",
    "close_call",
    "create_call",
    "load_preset",
    "load_presets",
    "open_call",
    "record_figure",
    "update_call",
]
