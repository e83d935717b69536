"""A sanction recorded while a proposal is being submitted never lets it slip through.

Needs real row locks and concurrent connections, so it runs in the PostgreSQL pass
(SQLite has one writer and no SELECT … FOR UPDATE)."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction

from openrd.core.refusals import Refused
from openrd.integrity.tests.test_sanctions_registry import officer_of, ready, sanction
from openrd.proposals import services as proposals

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks: runs in the PostgreSQL pass"
    ),
]

HOLD = 0.6  # seconds the sanction's transaction stays open after the submission starts


def test_a_submission_racing_a_sanction_waits_for_it_and_is_refused(world):
    p = ready(world)
    officer = officer_of("jst", "jst-integrity")
    written, submitting = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def record() -> None:
        try:
            with transaction.atomic():
                sanction(world.applicant, officer=officer)
                written.set()
                submitting.wait(10)
                # The submission is now reading the registry: it must wait for this commit.
                time.sleep(HOLD)
        except BaseException as e:  # reported below, not lost in the thread
            errors.append(e)
            written.set()
        finally:
            connection.close()

    worker = threading.Thread(target=record)
    worker.start()
    assert written.wait(10)
    submitting.set()
    started = time.monotonic()
    with pytest.raises(Refused) as refused:
        proposals.submit_proposal(p, actor=world.applicant, idempotency_key="race")
    waited = time.monotonic() - started
    worker.join(10)
    assert not errors
    assert "sanctions.restricted" in {r.code for r in refused.value.reasons}
    assert waited >= HOLD / 2  # it waited on the person's lock, not on luck
    assert not p.versions.exists()
