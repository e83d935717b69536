"""The portal's pages show what the other apps hold: their fixtures, shared here."""

import pytest

from openrd.proposals.tests.conftest import world  # noqa: F401  (a fixture, offered by name)


@pytest.fixture
def checklists_done(world):  # noqa: F811  (the fixture above, by name)
    """This fiscal year's integrity checklists completed by the world's researcher and
    for its institution, so a dashboard test sees only the tasks it is about."""
    from openrd.integrity.checklists.services import complete_checklist
    from openrd.integrity.tests.test_checklists_tasks import all_yes

    complete_checklist(actor=world.applicant, person=world.applicant, answers=all_yes("researcher"))
    complete_checklist(
        actor=world.officer, organisation=world.startup, answers=all_yes("institution")
    )
    return world
