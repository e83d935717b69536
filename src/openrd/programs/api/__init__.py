"""The programs app's API: programs and their figures (``programs``), calls for
proposals (``calls``), with the schemas both use (``schemas``).

``router`` is made here, before the endpoint modules are imported: each of them
registers its endpoints on it. They are imported in the order their endpoints
have always been registered, programs first, then calls, then follows. Each endpoint states its
``operation_id`` as it was when the API was a single module, so the OpenAPI
document, and the clients generated from it, stay as they were.
"""

from __future__ import annotations

from ninja import Router

# Annotated: the endpoint modules import it back while this module is still loading.
router: Router = Router(tags=["programs"])

from openrd.programs.api.programs import (  # noqa: E402  (registers on router)
    ElementOut,
    FigureIn,
    FigureOut,
    ProgramOut,
    ProgramSummaryOut,
    SourceOut,
    create_figure,
    get_program,
    list_programs,
)

# isort: split
from openrd.programs.api.calls import (  # noqa: E402  (registers on router)
    CallCriterionIn,
    CallCriterionOut,
    CallDocumentIn,
    CallDocumentOut,
    CallIn,
    CallOut,
    CallQuery,
    CallSummaryOut,
    Code,
    EligibilityIn,
    FiscalYear,
    get_call,
    list_calls,
    post_call,
    post_close_call,
    post_open_call,
)

# isort: split
from openrd.programs.api.follows import (  # noqa: E402  (registers on router)
    FollowedProgramOut,
    FollowOut,
    follow,
    list_follows,
    unfollow,
)
from openrd.programs.api.schemas import RuleTextOut  # noqa: E402

__all__ = [
    "CallCriterionIn",
    "CallCriterionOut",
    "CallDocumentIn",
    "CallDocumentOut",
    "CallIn",
    "CallOut",
    "CallQuery",
    "CallSummaryOut",
    "Code",
    "ElementOut",
    "EligibilityIn",
    "FigureIn",
    "FigureOut",
    "FiscalYear",
    "FollowOut",
    "FollowedProgramOut",
    "ProgramOut",
    "ProgramSummaryOut",
    "RuleTextOut",
    "SourceOut",
    "create_figure",
    "follow",
    "get_call",
    "get_program",
    "list_calls",
    "list_follows",
    "list_programs",
    "post_call",
    "post_close_call",
    "post_open_call",
    "router",
    "unfollow",
]
