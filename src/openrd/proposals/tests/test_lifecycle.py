"""The life of a proposal through its one door: every (state × step) pair, the
call's window decided to the second for every step, and nothing written on refusal."""

from datetime import datetime, timedelta

import pytest

from openrd.core.fiscal import TOKYO
from openrd.core.models import AuditEntry
from openrd.core.refusals import Refused
from openrd.programs.models import Call
from openrd.proposals import services
from openrd.proposals.models import Endorsement, Proposal, ProposalStatus, ProposalVersion
from openrd.proposals.queries import agency_proposals
from openrd.proposals.rules import EDITABLE_STATES, PROPOSAL_TRANSITIONS
from openrd.proposals.tests.conftest import PDF
from openrd.proposals.tests.test_services import COMPLETE, draft

pytestmark = pytest.mark.django_db

S = ProposalStatus


def in_state(world, state):
    p = draft(world)
    if state in {S.SUBMITTED, S.RETURNED, S.ENDORSED}:
        services.submit_proposal(p, actor=world.applicant, idempotency_key="first")
    if state == S.RETURNED:
        services.return_proposal(p, actor=world.officer, comment="予算を見直してください")
    if state == S.ENDORSED:
        services.endorse_proposal(p, actor=world.officer)
    if state == S.WITHDRAWN:
        services.withdraw_proposal(p, actor=world.applicant)
    p.refresh_from_db()
    assert p.status == state
    return p


def step(world, p, name):
    a, o = world.applicant, world.officer
    return {
        "save": lambda: services.save_draft(
            p, actor=a, revision=p.revision, changes=services.DraftChanges({"title_ja": "新"})
        ),
        "attach": lambda: services.attach_document(
            p, actor=a, document_code="letter", upload=PDF, filename="letter.pdf"
        ),
        "submit": lambda: services.submit_proposal(p, actor=a, idempotency_key="second"),
        "withdraw": lambda: services.withdraw_proposal(p, actor=a),
        "endorse": lambda: services.endorse_proposal(p, actor=o),
        "return": lambda: services.return_proposal(p, actor=o, comment="理由"),
    }[name]()


TARGET = {
    "submit": S.SUBMITTED,
    "withdraw": S.WITHDRAWN,
    "endorse": S.ENDORSED,
    "return": S.RETURNED,
}


def allowed(state, name):
    if name in {"save", "attach"}:
        return state in EDITABLE_STATES
    return TARGET[name] in PROPOSAL_TRANSITIONS[state]


@pytest.mark.parametrize("name", ["save", "attach", "submit", "withdraw", "endorse", "return"])
@pytest.mark.parametrize("state", list(S))
def test_every_step_in_every_state_follows_the_table(world, state, name):
    p = in_state(world, state)
    entries = AuditEntry.objects.count()
    versions = list(ProposalVersion.objects.values_list("pk", "endorsement"))
    if name == "submit" and state in {S.SUBMITTED, S.ENDORSED}:
        # Submitting unchanged content again (a double click with a new key) is
        # answered with the version already made, and writes nothing.
        assert step(world, p, name) == ProposalVersion.objects.get()
        assert AuditEntry.objects.count() == entries
    elif allowed(state, name):
        step(world, p, name)
        assert AuditEntry.objects.count() > entries
        if name in TARGET:
            p.refresh_from_db()
            assert p.status == TARGET[name]
    else:
        with pytest.raises(Refused) as refused:
            step(world, p, name)
        assert refused.value.decision.codes() in (
            ["proposal.transition_not_allowed"],
            ["proposal.not_editable"],
        )
        p.refresh_from_db()
        assert p.status == state
        assert AuditEntry.objects.count() == entries
        assert list(ProposalVersion.objects.values_list("pk", "endorsement")) == versions


def test_a_withdrawn_proposal_cannot_be_endorsed_and_the_agency_never_sees_it(world):
    p = in_state(world, S.SUBMITTED)
    services.withdraw_proposal(p, actor=world.applicant)
    with pytest.raises(Refused) as refused:
        services.endorse_proposal(p, actor=world.officer)
    assert refused.value.decision.codes() == ["proposal.transition_not_allowed"]
    assert ProposalVersion.objects.get().endorsement == Endorsement.PENDING
    assert list(agency_proposals(world.nedo_staff)) == []


# --- the window, to the second -------------------------------------------------

DEADLINE = datetime(2026, 12, 1, 12, 0, 0, tzinfo=TOKYO)
HALF_PAST = DEADLINE + timedelta(milliseconds=500)
LATE = DEADLINE + timedelta(seconds=1)


@pytest.fixture
def on_deadline(world):
    Call.objects.filter(pk=world.call.pk).update(
        opens_at=DEADLINE - timedelta(days=30), closes_at=DEADLINE
    )
    world.call.refresh_from_db()
    return world


def timed_step(world, p, name, now):
    a = world.applicant
    return {
        "create": lambda: services.create_proposal(actor=a, call=world.call, now=now),
        "save": lambda: services.save_draft(
            p,
            actor=a,
            revision=p.revision,
            changes=services.DraftChanges({"title_ja": "締切直前"}),
            now=now,
        ),
        "attach": lambda: services.attach_document(
            p, actor=a, document_code="letter", upload=PDF, filename="l.pdf", now=now
        ),
        "submit": lambda: services.submit_proposal(p, actor=a, idempotency_key="k", now=now),
        "withdraw": lambda: services.withdraw_proposal(p, actor=a, now=now),
    }[name]()


def _drafted(world):
    p = services.create_proposal(
        actor=world.applicant, call=world.call, changes=COMPLETE, now=DEADLINE - timedelta(days=1)
    )
    services.attach_document(
        p,
        actor=world.applicant,
        document_code="plan",
        upload=PDF,
        filename="plan.pdf",
        now=DEADLINE - timedelta(days=1),
    )
    return p


@pytest.mark.parametrize("name", ["create", "save", "attach", "submit", "withdraw"])
def test_every_step_is_in_time_at_half_a_second_past_the_deadline(on_deadline, name):
    p = _drafted(on_deadline)
    timed_step(on_deadline, p, name, HALF_PAST)


@pytest.mark.parametrize("name", ["create", "save", "attach", "submit", "withdraw"])
def test_every_step_is_refused_one_second_past_the_deadline(on_deadline, name):
    p = _drafted(on_deadline)
    entries = AuditEntry.objects.count()
    with pytest.raises(Refused) as refused:
        timed_step(on_deadline, p, name, LATE)
    assert refused.value.decision.codes() == ["call.not_open"]
    assert AuditEntry.objects.count() == entries
    assert Proposal.objects.count() == 1


def test_a_draft_cannot_be_started_before_the_call_opens(world):
    opens = world.call.opens_at.replace(microsecond=0)
    Call.objects.filter(pk=world.call.pk).update(opens_at=opens)
    world.call.refresh_from_db()
    with pytest.raises(Refused) as refused:
        services.create_proposal(
            actor=world.applicant, call=world.call, now=opens - timedelta(seconds=1)
        )
    assert refused.value.decision.codes() == ["call.not_open"]
    assert not Proposal.objects.exists()
    services.create_proposal(actor=world.applicant, call=world.call, now=opens)
