"""The request's arguments checked against what each verb allows, and the
``from``/``until`` dates read at the granularity they are written in.

OAI-PMH 2.0 section 3.6: a missing, repeated or unknown argument, or an illegal
value, is ``badArgument``; a resumptionToken is an exclusive argument.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

VERBS: dict[str, tuple[frozenset[str], frozenset[str], bool]] = {
    # verb: (required, optional, may carry a resumptionToken)
    "Identify": (frozenset(), frozenset(), False),
    "ListMetadataFormats": (frozenset(), frozenset({"identifier"}), False),
    "ListSets": (frozenset(), frozenset(), True),
    "GetRecord": (frozenset({"identifier", "metadataPrefix"}), frozenset(), False),
    "ListIdentifiers": (frozenset({"metadataPrefix"}), frozenset({"from", "until", "set"}), True),
    "ListRecords": (frozenset({"metadataPrefix"}), frozenset({"from", "until", "set"}), True),
}

SECOND = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


class ArgumentError(Exception):
    """badArgument (or ``code``), with the reason a harvester reads."""

    def __init__(self, message: str, code: str = "badArgument") -> None:
        super().__init__(message)
        self.code = code


def check_arguments(verb: str, args: dict[str, list[str]]) -> dict[str, str]:
    """The arguments of ``verb`` (``verb`` itself removed) as single values."""
    required, optional, resumable = VERBS[verb]
    given = {k: v for k, v in args.items() if k != "verb"}
    for name, values in given.items():
        if len(values) > 1:
            raise ArgumentError(f"the argument {name} is repeated")
    single = {k: v[0] for k, v in given.items()}
    if resumable and "resumptionToken" in single:
        if len(single) > 1:
            # An exclusive argument (OAI-PMH 2.0, 3.4): anything beside it makes
            # the request itself illegal, whatever the token.
            raise ArgumentError("resumptionToken is an exclusive argument")
        return single
    allowed = required | optional
    unknown = sorted(set(single) - allowed)
    if unknown:
        raise ArgumentError(f"{verb} does not take the argument {unknown[0]}")
    missing = sorted(required - set(single))
    if missing:
        raise ArgumentError(f"{verb} needs the argument {missing[0]}")
    for name in required:
        if not single[name]:
            raise ArgumentError(f"the argument {name} is empty")
    return single


@dataclass(frozen=True)
class DateRange:
    """``from`` inclusive and ``until`` exclusive, both aware (UTC) or None.

    A second-granularity ``until`` includes that whole second (a datestamp is
    shown truncated to the second), a day ``until`` the whole day."""

    start: datetime | None
    end: datetime | None


def _parse(value: str, *, upper: bool) -> tuple[datetime, str]:
    if SECOND.fullmatch(value):
        try:
            moment = datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        except ValueError as exc:
            raise ArgumentError(f"{value} is not a date") from exc
        return (moment + timedelta(seconds=1) if upper else moment), "second"
    if DAY.fullmatch(value):
        try:
            day = date.fromisoformat(value)
        except ValueError as exc:
            raise ArgumentError(f"{value} is not a date") from exc
        moment = datetime.combine(day, time(), tzinfo=UTC)
        return (moment + timedelta(days=1) if upper else moment), "day"
    raise ArgumentError(f"{value} is not YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ")


def date_range(from_: str | None, until: str | None) -> DateRange:
    """The range the arguments name (None: not given; an empty value is illegal)."""
    start = end = None
    kinds = set()
    if from_ is not None:
        start, kind = _parse(from_, upper=False)
        kinds.add(kind)
    if until is not None:
        end, kind = _parse(until, upper=True)
        kinds.add(kind)
    if len(kinds) > 1:
        raise ArgumentError("from and until have different granularities")
    if start is not None and end is not None and start >= end:
        raise ArgumentError("from is later than until")
    return DateRange(start, end)


def utc_stamp(moment: datetime) -> str:
    """A datestamp as OAI-PMH writes it: UTC, to the second."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
