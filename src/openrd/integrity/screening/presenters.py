"""One shape of a flag and of a run, read by the pages and the API alike."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from openrd.integrity.models import FlagKind, RunStatus, ScreeningFlag, ScreeningRun


def flag_dict(flag: ScreeningFlag) -> dict[str, Any]:
    evidence = flag.evidence or {}
    return {
        "id": flag.pk,
        "proposal_key": flag.proposal_key,
        "kind": flag.kind,
        "kind_label": str(FlagKind(flag.kind).label),
        "status": flag.status,
        "status_label": flag.get_status_display(),
        "agency": flag.agency.name,
        "applicant": flag.person.display_name,
        "call_code": flag.call_code,
        "matched_key": flag.matched_key,
        "matched": evidence.get("matched"),
        "score": flag.score,
        "evidence": evidence,
        "note": flag.note,
        "created_at": flag.created_at,
        "reviewed_at": flag.reviewed_at,
        "url": reverse("integrity-screening:flag", args=[flag.pk]),
        "lines": [
            {**line, "amounts": _by_year(line.get("amount_by_year", {}))}
            for line in evidence.get("lines", [])
        ],
        "years": _by_year(evidence.get("years", {})),
    }


def _by_year(amounts: dict[str, int]) -> list[tuple[int, int]]:
    """JSON keys are strings; the page names fiscal years from integers."""
    return sorted((int(year), amount) for year, amount in amounts.items())


def run_dict(run: ScreeningRun) -> dict[str, Any]:
    finished = run.status in (RunStatus.DONE, RunStatus.FAILED)
    percent = round(100 * run.done / run.total) if run.total else (100 if finished else None)
    return {
        "id": run.pk,
        "agency": run.agency.name,
        "call_code": run.call_code,
        "status": run.status,
        "status_label": run.get_status_display(),
        "total": run.total,
        "done": run.done,
        "flags_found": run.flags_found,
        "percent": percent,
        "finished": finished,
        "error": run.error,
        "created_at": run.created_at,
        "finished_at": run.finished_at,
        "url": reverse("integrity-screening:run", args=[run.pk]),
    }
