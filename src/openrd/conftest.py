"""Fixtures shared by every app's tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

# Playwright's sync API runs an event loop in the test thread; Django would
# otherwise refuse ORM calls from the live-server tests (tests only).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``rq`` are about the broker backend itself: they run in the
    pass with OPENRD_TASKS_BACKEND=rq (CI's second pass) and are left out of
    the others, which they would only make longer."""
    if os.environ.get("OPENRD_TASKS_BACKEND", "database").strip().lower() == "rq":
        return
    dropped = [item for item in items if item.get_closest_marker("rq")]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if not item.get_closest_marker("rq")]


@pytest.fixture(scope="session", autouse=True)
def _sqlite_flush_lifts_the_audit_delete_trigger() -> Iterator[None]:
    # Between transactional tests Django empties SQLite tables with DELETE,
    # which the audit log's DELETE trigger refuses. The flush, and only the
    # flush, drops that trigger and recreates it in the same transaction, so
    # every test still runs against the guarded table (PostgreSQL flushes with
    # TRUNCATE, which row triggers do not see).
    import importlib

    from django.db import connection

    if connection.vendor != "sqlite":
        yield
        return
    DatabaseOperations = type(connection.ops)
    triggers = importlib.import_module("openrd.core.migrations.0005_audit_chain_constraints")
    original = DatabaseOperations.sql_flush

    def sql_flush(self: Any, style: Any, tables: Any, **kwargs: Any) -> list[str]:
        statements = original(self, style, tables, **kwargs)
        if "core_auditentry" not in tables:
            return statements
        return [triggers.SQLITE_DROP_NO_DELETE, *statements, triggers.SQLITE_NO_DELETE]

    DatabaseOperations.sql_flush = sql_flush  # type: ignore[method-assign]
    yield
    DatabaseOperations.sql_flush = original  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    # The cache remembers recent "access denied" entries (openrd.core.access);
    # ids repeat between tests, so each test starts with an empty cache.
    from django.core.cache import cache

    cache.clear()


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


def _load_reference_data() -> None:
    from openrd.accounts.services import load_organisations
    from openrd.programs.services import load_presets

    load_organisations()
    load_presets()


_reference_data: Any = None


@pytest.fixture
def loaded_programs(db: None) -> None:
    """Reference organisations and every program preset, loaded as in production.

    The first load in a test database runs the services; later tests that
    start from the same state get the same rows replayed (~1 s saved each,
    see openrd.core.testing.snapshot); any other state gets the real load.
    """
    global _reference_data
    if _reference_data is None:
        from openrd.core.testing.snapshot import LoadReplay

        _reference_data = LoadReplay(_load_reference_data)
    _reference_data()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    yield
    # A browser test's server thread can leave a PostgreSQL session behind for a
    # moment, and PostgreSQL refuses to drop a database that has sessions.
    from django.db import connection

    if connection.vendor == "postgresql":
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]  # fmt: skip


@pytest.fixture
def site(transactional_db: None) -> Iterator[Any]:
    """A live server for one test; stopped (and its connections closed) after it."""
    from pytest_django.live_server_helper import LiveServer

    server = LiveServer("127.0.0.1")
    yield server
    server.stop()


@pytest.fixture
def browser_errors() -> list[str]:
    """Console errors and failed responses seen by the page; a test may expect some."""
    return []


@pytest.fixture
def page(site: Any, browser_errors: list[str]) -> Iterator[Any]:
    """A headless Chromium page (Debian's chromium), closed before the server stops.

    Console errors (a CSP violation shows up there) and HTTP errors fail the test,
    except 409 and 422, which the pages answer on purpose.
    """
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("Chromium is required in CI (apt-get install chromium)")
        pytest.skip("Chromium not installed")
    from playwright.sync_api import sync_playwright

    from openrd.core.testing.browser import watch_errors

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        page = watch_errors(browser.new_page(locale="ja-JP"), browser_errors)
        yield page
        browser.close()
    assert browser_errors == []


@pytest.fixture(autouse=True)
def _force_login_completes_mfa(monkeypatch: pytest.MonkeyPatch) -> None:
    """``client.force_login`` stands for a finished sign-in: password and second factor.

    Privileged roles must pass MFA (openrd.accounts.middleware); tests that are
    not about signing in start from a session that has, as the real sign-in
    leaves it. Tests of the enforcement itself use ``sign_in_without_mfa``.
    """
    from openrd.accounts.tests.sessions import mark_mfa_passed

    original = Client.force_login

    def force_login(self: Client, user: Any, backend: str | None = None) -> None:
        original(self, user, backend)
        mark_mfa_passed(self, user=user)

    monkeypatch.setattr(Client, "force_login", force_login)
    monkeypatch.setattr(Client, "_force_login_without_mfa", original, raising=False)


@pytest.fixture
def sign_in_without_mfa() -> Any:
    """Sign a test client in with a password only (no second factor yet)."""

    def sign_in(client: Client, user: Any) -> None:
        client._force_login_without_mfa(user)  # type: ignore[attr-defined]

    return sign_in


@pytest.fixture(autouse=True)
def _each_test_starts_in_the_default_language() -> Iterator[None]:
    """A request to an /en/ page leaves English active in the thread (Django's
    LocaleMiddleware does not reset it); the next test starts in Japanese again."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()
