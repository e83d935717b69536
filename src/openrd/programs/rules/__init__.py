"""Program rules as data: the preset's [rules] table, read into a typed value
and applied by pure functions that return explained decisions.

``program`` holds the program's own rules, ``calls`` the rules of its calls for
proposals; both are pure (no database access) and re-exported here.
"""

from openrd.programs.rules.calls import (
    CALL_RULE_KEYS,
    CALL_TRANSITIONS,
    TighteningError,
    call_phase,
    call_rules,
    check_call_accepting,
    check_call_editable,
    check_call_transition,
    check_call_window,
    rules_as_dict,
)
from openrd.programs.rules.program import (
    RULE_KEYS,
    SEED_SOURCE,
    ApplicantFacts,
    CallTermsSource,
    ProgramRules,
    RuleSource,
    add_years,
    check_applicant,
    check_duration,
    describe_rules,
    program_rules,
)

__all__ = [
    "CALL_RULE_KEYS",
    "CALL_TRANSITIONS",
    "RULE_KEYS",
    "SEED_SOURCE",
    "ApplicantFacts",
    "CallTermsSource",
    "ProgramRules",
    "RuleSource",
    "TighteningError",
    "add_years",
    "call_phase",
    "call_rules",
    "check_applicant",
    "check_call_accepting",
    "check_call_editable",
    "check_call_transition",
    "check_call_window",
    "check_duration",
    "describe_rules",
    "program_rules",
    "rules_as_dict",
]
