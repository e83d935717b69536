"""Explainable yes/no answers from eligibility and policy rules.

A rule never answers with a bare boolean: a refusal carries every reason that
applies, each citing the policy clause behind it, so that an applicant, a
programme officer and an auditor all see why, in their own language.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Reason:
    """One ground for refusing, e.g. ``Reason("sbir.founded_over_15_years", ...)``.

    ``code`` is stable and machine-readable (tests, APIs and audit logs key on
    it); ``message`` is already rendered in the active language; ``source``
    names the policy clause so the refusal can be checked against the rules.
    """

    code: str
    message: str
    source: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message, "source": self.source}


@dataclass(frozen=True)
class Decision:
    """The outcome of one or more rules: allowed exactly when no reason objects."""

    reasons: tuple[Reason, ...] = ()

    @property
    def allowed(self) -> bool:
        return not self.reasons

    @classmethod
    def of(cls, *maybe: Reason | None) -> Decision:
        """Collect the reasons of rules that each return a ``Reason`` or ``None``.

        Order is kept so that the reasons read in the order the rules were written.
        """
        return cls(tuple(reason for reason in maybe if reason is not None))

    def __add__(self, other: Decision) -> Decision:
        if not isinstance(other, Decision):
            return NotImplemented
        return Decision(self.reasons + other.reasons)

    def __bool__(self) -> bool:
        # Truthiness would be ambiguous (is an empty Decision "nothing" or "yes"?),
        # so callers must say ``.allowed``.
        raise TypeError("use Decision.allowed instead of truth-testing a Decision")

    def codes(self) -> list[str]:
        return [reason.code for reason in self.reasons]
