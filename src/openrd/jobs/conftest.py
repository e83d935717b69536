"""Fixtures of the jobs tests: the configured task backend, safely isolated."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.conf import settings

from openrd.jobs.testing import TEST_REDIS_URL, using_backend


@pytest.fixture
def task_backend() -> Iterator[str]:
    """The backend of OPENRD_TASKS_BACKEND; for RQ, Redis database 5, emptied
    before and after (and no other database is ever touched)."""
    name = settings.OPENRD_TASKS_BACKEND
    with using_backend(name):
        if name == "rq":
            import redis

            client = redis.Redis.from_url(TEST_REDIS_URL)
            client.flushdb()
            try:
                yield name
            finally:
                client.flushdb()
                client.close()
        else:
            yield name
