"""Fixtures shared by every app's tests."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

# Playwright's sync API runs an event loop in the test thread; Django would
# otherwise refuse ORM calls from the live-server tests (tests only).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session", autouse=True)
def _no_persistent_connections() -> None:
    # A persistent connection of the live server's thread would block dropping
    # the PostgreSQL test database at the end of the run.
    from django.db import connections

    for alias in connections:
        connections.settings[alias]["CONN_MAX_AGE"] = 0


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    # Argon2 is slow by design (~0.2 s a hash); tests that are not about
    # hashing use a fast hasher so the suite stays quick. The Argon2 test
    # restores the production setting itself.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _plain_static_storage(settings: Any) -> None:
    # The live server serves static files through the finders, which do not
    # know the hashed names of the manifest storage.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def seed_lines() -> list[str]:
    """The seed briefing's lines (1-based access via ``lines[n - 1]``).

    Missing seed: skip on a laptop, fail in CI, where it must be present.
    """
    path = Path(settings.OPENRD_SEED_PATH)
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"seed briefing not found at {path}")
        pytest.skip("seed briefing not available")
    return path.read_text(encoding="utf-8").splitlines()


@pytest.fixture
def loaded_programs(db: None) -> None:
    """Reference organisations and every program preset, loaded as in production."""
    from openrd.accounts.services import load_organisations
    from openrd.programs.services import load_presets

    load_organisations()
    load_presets()
