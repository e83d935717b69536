"""One exception for "a rule said no", answered the same way everywhere.

A service that refuses a state change raises ``Refused(decision)``: the API
answers it once (``openrd.api``: HTTP 409 with every reason), the pages answer
it once (:class:`RefusedMiddleware`: a page listing the reasons, also 409), so
no endpoint catches it just to translate it. Bad *input* is a different thing
and stays a ``ValidationError`` (422, one message per field).

409 Conflict, because the request was well formed and understood, and what
stands in its way is the state of the thing it acts on (a closed call, a
withdrawn proposal, a submission still missing its documents), which can change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from openrd.core.decisions import Decision, Reason

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

REFUSED_STATUS = 409


class Refused(Exception):
    """A state change the rules do not allow; ``decision`` says why, with sources.

    ``detail`` is the headline shown above the reasons ("The proposal cannot be
    submitted yet."); without one the reasons' own sentences are the headline.
    """

    def __init__(self, decision: Decision, *, detail: str = "") -> None:
        if decision.allowed:
            raise ValueError("a refusal needs at least one reason")
        super().__init__(", ".join(decision.codes()))
        self.decision = decision
        self.detail = detail

    @classmethod
    def because(cls, code: str, message: str, source: str, *, detail: str = "") -> Refused:
        """A refusal for one reason, for guards that are not worth a rule module."""
        return cls(Decision.of(Reason(code, message, source)), detail=detail)

    @property
    def reasons(self) -> tuple[Reason, ...]:
        return self.decision.reasons

    def by_field(self, fields: dict[str, str]) -> tuple[dict[str, list[str]], Refused | None]:
        """For a page that shows each reason beside its field: the messages of the
        reasons ``fields`` maps (code → field name), and a refusal of the others
        (None when every reason has its field)."""
        errors: dict[str, list[str]] = {}
        rest = []
        for reason in self.reasons:
            if reason.code in fields:
                errors.setdefault(fields[reason.code], []).append(reason.message)
            else:
                rest.append(reason)
        return errors, (Refused(Decision(tuple(rest)), detail=self.detail) if rest else None)

    def headline(self) -> str:
        return self.detail or " ".join(r.message for r in self.reasons)

    def as_dict(self) -> dict[str, object]:
        """The API body: the headline and every reason (``RefusalOut``)."""
        return {"detail": self.headline(), "reasons": [r.as_dict() for r in self.reasons]}


class RefusedMiddleware:
    """Answers a ``Refused`` raised by any page with one page that lists the reasons.

    Pages that show the reasons inside their own form (the proposal editor)
    catch the refusal themselves; every other page gets this answer, so a
    refusal is never a 500 and never a silent redirect.
    """

    def __init__(self, get_response: object) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)  # type: ignore[operator]

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, Refused):
            return None
        from django.shortcuts import render

        template = "_refused.html" if request.headers.get("HX-Request") else "refused.html"
        return render(
            request,
            template,
            {"refusal": exception, "back": _safe_referer(request)},
            status=REFUSED_STATUS,
        )


def _safe_referer(request: HttpRequest) -> str:
    """Where "back" leads: the referring page of this site, else the home page."""
    from django.utils.http import url_has_allowed_host_and_scheme

    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return "/"
