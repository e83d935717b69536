"""What the benchmarks share: the machine they ran on, and a database of their own."""

from __future__ import annotations

import os
import platform
from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit


def print_machine() -> None:
    """The machine header every benchmark prints before its numbers."""
    print("Machine")
    print(f"  platform   {platform.platform()} ({platform.machine()})")
    print(f"  cpus       {os.cpu_count()}")
    print(f"  python     {platform.python_implementation()} {platform.python_version()}")


def fresh_postgres(url: str, label: str) -> tuple[str, Callable[[], None]]:
    """A database of its own on the server of ``url``: (its URL, a function dropping it)."""
    import psycopg

    parts = urlsplit(url)
    name = f"openrd_bench_{label}_{os.getpid()}"
    admin = {"host": parts.hostname or "127.0.0.1", "port": parts.port or 5432,
             "user": parts.username, "password": parts.password, "dbname": "postgres",
             "autocommit": True}  # fmt: skip
    with psycopg.connect(**admin) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(**admin) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return urlunsplit(parts._replace(path=f"/{name}")), drop
