"""One declaration of who sees a proposal: the list, the detail, the API and the
permission agree for every persona in every state, and each step's permission
is the role and the state together."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from openrd.proposals.models import ProposalStatus
from openrd.proposals.queries import proposal_access, visible_accesses, visible_proposals
from openrd.proposals.tests.test_lifecycle import in_state

pytestmark = pytest.mark.django_db

S = ProposalStatus
PERSONAS = ["applicant", "co_investigator", "officer", "nedo_staff", "jst_staff", "stranger"]

# Who sees the proposal in each state, and as which audience.
EXPECTED = {
    S.DRAFT: {"applicant": "owner", "co_investigator": "owner"},
    S.SUBMITTED: {"applicant": "owner", "co_investigator": "owner", "officer": "institution"},
    S.RETURNED: {"applicant": "owner", "co_investigator": "owner", "officer": "institution"},
    S.ENDORSED: {
        "applicant": "owner",
        "co_investigator": "owner",
        "officer": "institution",
        "nedo_staff": "agency",
    },
    S.WITHDRAWN: {"applicant": "owner", "co_investigator": "owner", "officer": "institution"},
}


def person(world, name):
    return AnonymousUser() if name == "anonymous" else getattr(world, name)


@pytest.mark.parametrize("state", list(S))
def test_list_detail_and_permission_agree_for_every_persona(world, state):
    # Withdrawn after it reached the institution: the officer keeps reading it.
    p = (
        in_state_withdrawn_after_submission(world)
        if state == S.WITHDRAWN
        else in_state(world, state)
    )
    for name in [*PERSONAS, "anonymous"]:
        user = person(world, name)
        expected = EXPECTED[state].get(name)
        listed = {a.proposal.pk: a.mode for a in visible_accesses(user)}
        assert listed.get(p.pk) == expected, (state, name)
        assert (p.pk in set(visible_proposals(user).values_list("pk", flat=True))) == (
            expected is not None
        )
        assert user.has_perm("proposals.view_proposal", p) == (expected is not None), name
        if expected is None:
            with pytest.raises(Http404):
                proposal_access(user, p.pk)
        else:
            assert proposal_access(user, p.pk).mode == expected


def in_state_withdrawn_after_submission(world):
    from openrd.proposals import services

    p = in_state(world, S.SUBMITTED)
    services.withdraw_proposal(p, actor=world.applicant)
    p.refresh_from_db()
    return p


STEPS = {
    "proposals.edit_proposal": {("applicant", S.DRAFT), ("applicant", S.RETURNED)},
    "proposals.submit_proposal": {("applicant", S.DRAFT), ("applicant", S.RETURNED)},
    "proposals.withdraw_proposal": {
        ("applicant", s) for s in (S.DRAFT, S.SUBMITTED, S.RETURNED, S.ENDORSED)
    },
    "proposals.endorse_proposal": {("officer", S.SUBMITTED)},
}


@pytest.mark.parametrize("state", list(S))
def test_each_step_is_permitted_to_its_role_in_the_states_that_allow_it(world, state):
    p = in_state(world, state)
    for perm, granted in STEPS.items():
        for name in [*PERSONAS, "anonymous"]:
            assert person(world, name).has_perm(perm, p) == ((name, state) in granted), (
                perm,
                name,
                state,
            )
