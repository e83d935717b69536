"""Background delivery of the outbox (django.tasks; the backend is chosen in settings)."""

from __future__ import annotations

from django.tasks import task

from openrd.notifications import delivery


@task
def deliver_outbox(ids: list[int] | None = None) -> int:
    """Send the given outbox rows if they are due (enqueued after the commit that wrote them)."""
    return delivery.deliver(ids=ids)


@task
def deliver_due() -> int:
    """Periodic: send every row whose time has come (retries after an outage included)."""
    return delivery.deliver()
