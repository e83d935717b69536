"""The demo's funding lifecycle after endorsement: a completed SBIR Phase 1 review
round (reviews submitted, one proposal selected, one waitlisted, one not selected),
the selected company's Phase 1 award passing its gate, and its Phase 2 under another
ministry (a hand-off, 連結型) reviewed, selected and awarded as the next phase.

Every step goes through the services with the ``now`` it happened at, counted in
days from the day the demo is first loaded; the calls and proposals are in
demo_data.toml under ``lifecycle``. Budgets and scores are illustrative."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from openrd.accounts.models import User
from openrd.awards.models import Award
from openrd.core.fiscal import TOKYO, fiscal_year_of
from openrd.programs.models import Call
from openrd.proposals.models import Proposal
from openrd.review.models import ReviewAssignment, ReviewRound, Selection

ROUND_NAMES = {
    "phase1": ("フェーズ1 書面審査（デモ・審査終了）", "Phase 1 document review (demo, closed)"),
    "phase2": ("フェーズ2 書面審査（デモ・審査終了）", "Phase 2 document review (demo, closed)"),
}
# Each phase's steps in days from today; the calls' windows are in the data file
# (Phase 1 open from -430 to -370, Phase 2 from -200 to -140).
_DAYS: dict[str, dict[str, int]] = {
    "phase1": {"apply": -385, "endorse": -380, "open": -369, "accept": -366, "review": -355,
               "due": -341, "close": -340, "decide": -330, "starts": -300, "ends": -121},
    "phase2": {"apply": -160, "endorse": -155, "open": -139, "accept": -136, "review": -125,
               "due": -111, "close": -110, "decide": -100, "starts": -60, "ends": 669},
}  # fmt: skip
_GATE_EVALUATED = -128  # a week before Phase 1 ends (its gate is due on the last day)
_REPORT_BODY = (
    "デモ：量子センサで橋梁鋼材の腐食を非破壊で検出できることを試験片で確認した。"
    "計測条件と想定顧客を整理し、フェーズ2の計画にまとめた。"
)
_GATE_REASONS = (
    "デモ：FS調査で量子センサによる腐食検出の実現可能性を確認した。フェーズ2へ継続とする。"
)
_REVIEWER_TERMS = {
    "reviewer": (["計測"], ["センサ", "センシング", "非破壊検査"]),
    "reviewer-b": (["土木", "非破壊検査"], ["橋", "点検", "センサ", "センシング", "鋼構造物"]),
}


def _at(today: date, days: int, hour: int = 10) -> datetime:
    return datetime.combine(today + timedelta(days=days), time(hour), tzinfo=TOKYO)


def load_lifecycle(data: dict[str, Any], *, today: date) -> list[str]:
    """Replay the lifecycle once: the names of the rounds and the grant numbers made.
    Left alone once the Phase 2 round exists (all of it is made in load_demo's
    transaction, so that round stands for the whole)."""
    # Asked first, and of the rounds alone: a reload costs one cheap query.
    if ReviewRound.objects.filter(name_ja=ROUND_NAMES["phase2"][0]).exists():
        return []
    from openrd.portal.demo import _load_calls

    entries = data.get("proposals", [])
    names = {"nedo", "pm", *_REVIEWER_TERMS} | {
        e[k] for e in entries for k in ("applicant", "officer")
    }
    people = {u.username: u for u in User.objects.filter(username__in=names)}
    if not data.get("calls") or set(names) - {"pm"} - set(people):
        return []
    _load_calls(data["calls"], today=today)
    codes = [str(e["code"]).format(fy=fiscal_year_of(_at(today, e["opens_in_days"])))
             for e in data["calls"]]  # fmt: skip
    calls = {
        c.topic.code: c
        for c in Call.objects.filter(code__in=codes).select_related("topic", "program")
        if c.topic is not None
    }
    staff = people["nedo"]
    _fill_pool(people, staff)
    made: list[str] = []
    first = _run_phase(calls["phase1"], "phase1", entries, people, today=today)
    made.append(first.round.name_ja)
    one = _phase1_award(first, actor=staff, pm=people.get("pm"), today=today)
    made.append(one.grant_number)
    second = _run_phase(calls["phase2"], "phase2", entries, people, today=today)
    made.append(second.round.name_ja)
    made.append(_phase2_award(second, previous=one, actor=staff, today=today).grant_number)
    return made


def _fill_pool(people: dict[str, User], staff: User) -> None:
    """Both reviewers in the pool with their expertise in sensing and inspection, so
    the solver matches them to these proposals; terms already held (the open round's
    reviewer's) are kept."""
    from openrd.review import services as review
    from openrd.review.models import ReviewerProfile

    held = {
        p.person_id: p for p in ReviewerProfile.objects.filter(person__username__in=_REVIEWER_TERMS)
    }
    for username, (fields, keywords) in _REVIEWER_TERMS.items():
        person = people[username]
        profile = held.get(person.pk)
        if profile is not None:
            fields = [*profile.research_fields, *fields]
            keywords = [*profile.keywords, *keywords]
        review.save_reviewer(person, actor=staff, research_fields=fields, keywords=keywords,
                             max_load=profile.max_load if profile else 5)  # fmt: skip


def _endorsed(call: Call, entry: dict[str, Any], people: dict[str, User], *,
              today: date, key: str) -> Proposal:  # fmt: skip
    """A proposal drafted, submitted in the call's window and endorsed, as in life."""
    from openrd.portal.demo import attach_demo_documents
    from openrd.proposals import services as proposals

    applicant, days = people[entry["applicant"]], _DAYS[entry["phase"]]
    applied = _at(today, days["apply"])
    first = call.first_budget_year
    proposal = proposals.create_proposal(
        actor=applicant,
        call=call,
        changes=proposals.DraftChanges(
            fields={k: entry[k] for k in ("title_ja", "title_en", "abstract_ja", "effort_percent")},
            budget=[(first + offset, amount) for offset, amount in entry["budget"]],
        ),
        now=applied,
    )
    attach_demo_documents(proposal, call=call, actor=applicant, now=applied)
    proposals.submit_proposal(proposal, actor=applicant, idempotency_key=key, now=applied)
    proposals.endorse_proposal(
        proposal, actor=people[entry["officer"]], now=_at(today, days["endorse"])
    )
    return proposal


class _Phase:
    """What one phase's round left: the round and its decisions by outcome."""

    def __init__(self, review_round: ReviewRound, decided: dict[str, Selection]) -> None:
        self.round, self.decided = review_round, decided


def _run_phase(
    call: Call, phase: str, entries: list[dict[str, Any]], people: dict[str, User], *, today: date
) -> _Phase:
    """The phase's proposals endorsed, the call closed, a document review round
    assigned, opened, reviewed by everyone and closed, and every proposal decided."""
    from openrd.programs.services import close_call
    from openrd.review import services as review

    days, staff = _DAYS[phase], people["nedo"]
    mine = [e for e in entries if e["phase"] == phase]
    proposals = [
        _endorsed(call, e, people, today=today, key=f"demo-lifecycle-{phase}-{e['applicant']}")
        for e in mine
    ]
    # The call stayed open (loaded as "open") while its proposals came in: it closes now,
    # at its own deadline.
    close_call(call, actor=None, now=call.closes_at)
    opened = _at(today, days["open"])
    name_ja, name_en = ROUND_NAMES[phase]
    reviewers = {r["reviewer"] for e in mine for r in e["reviews"]}
    review_round = review.create_round(
        call,
        actor=staff,
        name_ja=name_ja,
        name_en=name_en,
        due_at=_at(today, days["due"], hour=17),
        reviewers_per_proposal=len(reviewers),
    )
    review.auto_assign(review_round, actor=staff, now=opened)
    _match_data(review_round, proposals, mine, people, staff=staff, now=opened)
    review.open_round(review_round, actor=staff, now=opened)
    sheets = {
        (p.pk, r["reviewer"]): r for p, e in zip(proposals, mine, strict=True) for r in e["reviews"]
    }
    for assignment in review_round.assignments.select_related("reviewer").order_by("id"):
        sheet = sheets[(assignment.proposal_id, assignment.reviewer.username)]
        review.accept_assignment(assignment, actor=assignment.reviewer, confirmed_no_conflict=True,
                                 accepted_confidentiality=True,
                                 now=_at(today, days["accept"]))  # fmt: skip
        review.save_review(assignment, actor=assignment.reviewer, scores=sheet["scores"],
                           comment=sheet["comment"], submit=True,
                           now=_at(today, days["review"]))  # fmt: skip
    review.close_round(review_round, actor=staff, now=_at(today, days["close"]))
    decided = {
        e["outcome"]: review.decide(review_round, p, e["outcome"], actor=staff,
                                    reason=e["reason"], now=_at(today, days["decide"]))
        for p, e in zip(proposals, mine, strict=True)
    }  # fmt: skip
    return _Phase(review_round, decided)


def _match_data(
    review_round: ReviewRound,
    proposals: list[Proposal],
    entries: list[dict[str, Any]],
    people: dict[str, User],
    *,
    staff: User,
    now: datetime,
) -> None:
    """Keep the solver's proposals that the data reviews, add by hand any pair it left
    out: the reviews in the data are the ones written, whoever else is in the pool."""
    from openrd.review import services as review

    wanted = {
        (p.pk, people[r["reviewer"]].pk)
        for p, e in zip(proposals, entries, strict=True)
        for r in e["reviews"]
    }
    proposed = list(ReviewAssignment.objects.filter(round=review_round))
    for assignment in proposed:
        if (assignment.proposal_id, assignment.reviewer_id) not in wanted:
            review.remove_assignment(assignment, actor=staff, now=now)
    have = {(a.proposal_id, a.reviewer_id) for a in proposed}
    proposal_of = {p.pk: p for p in proposals}
    person_of = {u.pk: u for u in people.values()}
    for proposal_id, reviewer_id in sorted(wanted - have):
        review.assign_by_hand(review_round, proposal_of[proposal_id], person_of[reviewer_id],
                              actor=staff, now=now)  # fmt: skip


def _spread(total: int, starts_on: date, ends_on: date) -> list[tuple[int, int]]:
    """An illustrative budget: ``total`` yen shared evenly by the fiscal years of the
    period (in thousands of yen; the first year takes what is left over)."""
    years = list(range(fiscal_year_of(starts_on), fiscal_year_of(ends_on) + 1))
    share = total // len(years) // 1000 * 1000
    return [(y, share + (total - share * len(years) if i == 0 else 0))
            for i, y in enumerate(years)]  # fmt: skip


def _requested(selection: Selection) -> int:
    return sum(line.amount_yen for line in selection.proposal.budget_lines.all())


def _phase1_award(phase: _Phase, *, actor: User, pm: User | None, today: date) -> Award:
    """The selected Phase 1 proposal's award: its end-of-phase gate (from the program's
    gate schedule) evaluated "continue" by the agency, its reports submitted and
    accepted, and the award completed at the end of its period."""
    from openrd.awards import services as awards

    selection = phase.decided["selected"]
    days = _DAYS["phase1"]
    starts_on, ends_on = today + timedelta(days["starts"]), today + timedelta(days["ends"])
    award = awards.award_selected_proposal(
        selection,
        actor=actor,
        starts_on=starts_on,
        ends_on=ends_on,
        budget=_spread(_requested(selection), starts_on, ends_on),
        pm=pm,
    )
    for gate in award.stage_gates.filter(status="pending").order_by("due_on", "id"):
        awards.evaluate_gate(gate, "continue", actor=actor, reasons=_GATE_REASONS,
                             now=_at(today, _GATE_EVALUATED))  # fmt: skip
    awards.change_award_status(award, "completed", actor=actor,
                               reason="デモ：フェーズ1の期間を終えた。",
                               now=_at(today, days["ends"] + 1))  # fmt: skip
    _report(award, actor=actor, today=today)
    return award


def _report(award: Award, *, actor: User, today: date) -> None:
    """The award's reports due by now, submitted by the PI a week early and accepted by
    the agency: a finished phase owes nothing."""
    from openrd.awards import reports

    assert award.pi is not None
    for report in award.reports.filter(due_on__lte=today).order_by("due_on", "id"):
        due = (report.due_on - today).days
        reports.submit_report(report, actor=award.pi, body=_REPORT_BODY, now=_at(today, due - 7))
        reports.accept_report(report, actor=actor, now=_at(today, min(due + 3, 0), hour=9))


def _phase2_award(phase: _Phase, *, previous: Award, actor: User, today: date) -> Award:
    """The selected Phase 2 proposal's award, continuing the Phase 1 award."""
    from openrd.awards import phases

    selection = phase.decided["selected"]
    days = _DAYS["phase2"]
    starts_on, ends_on = today + timedelta(days["starts"]), today + timedelta(days["ends"])
    return phases.award_next_phase(
        selection,
        previous=previous,
        actor=actor,
        starts_on=starts_on,
        ends_on=ends_on,
        budget=_spread(_requested(selection), starts_on, ends_on),
    )
