#!/usr/bin/env python3
"""OpenRD's one entry point: run the site, run the tests, and the developer chores.

Needs only a Python 3 to start: it installs uv into .tools/, lets uv install the
pinned interpreter (.python-version) and the locked dependencies (uv.lock) into
.venv/, and then does the task.

    python3 tasks.py run           demo site on http://127.0.0.1:8000 (SQLite, demo data),
                                   with one background worker and the scheduler
    python3 tasks.py run --port 8001 [--host 127.0.0.1]
                                   the same on another port (loopback unless --host says)
    python3 tasks.py run --prod    production mode: gunicorn, DEBUG off, deploy checks, no demo
    python3 tasks.py test          the whole test suite (DATABASE_URL selects the database)
    python3 tasks.py lint | fmt | typecheck | check | messages | openapi
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import venv
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent
TOOLS = ROOT / ".tools"
UV = TOOLS / ("Scripts/uv.exe" if os.name == "nt" else "bin/uv")
VENV_PY = ROOT / ".venv" / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
UV_VERSION = "0.13.9"
HOST, PORT = "127.0.0.1", "8000"
I18N_IGNORE = ["--ignore=.venv", "--ignore=.tools", "--ignore=node_modules"]


def sh(*cmd: str | Path, env: dict[str, str] | None = None) -> None:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    result = subprocess.run([str(c) for c in cmd], cwd=ROOT, env=env)  # noqa: S603  (our own commands)
    if result.returncode != 0:
        sys.exit(result.returncode)


def bootstrap() -> None:
    """uv in .tools/, then the locked environment in .venv/ (fast no-op when current)."""
    if not UV.exists():
        venv.create(TOOLS, with_pip=True)
        tools_py = TOOLS / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
        sh(tools_py, "-m", "pip", "install", "--quiet", f"uv=={UV_VERSION}")
    # Bytecode is written here, once, rather than left to the first import: where
    # PYTHONDONTWRITEBYTECODE is set, every process (each test worker, each
    # subprocess a test starts, each `manage.py` command) would otherwise compile
    # some 3,000 modules again, about eight seconds each time on two cores.
    sh(UV, "sync", "--locked", "--quiet", "--compile-bytecode")
    sh(VENV_PY, "-m", "compileall", "-q", "-j", "0", "src")


def manage(*args: str, env: dict[str, str] | None = None) -> None:
    sh(VENV_PY, "manage.py", *args, env=env)


def tool(name: str, *args: str, env: dict[str, str] | None = None) -> None:
    sh(VENV_PY, "-m", name, *args, env=env)


def run_steps(*, prod: bool) -> list[tuple[str, ...]]:
    """The manage.py commands run before the server starts, in order.

    Production mode never loads the demo (its accounts share a public password)
    and checks the deployment first, so a wrong setting stops the start.
    """
    if prod:
        return [
            ("check", "--deploy", "--fail-level", "WARNING"),
            ("collectstatic", "--noinput", "-v", "0"),
            ("migrate", "--noinput", "-v", "0"),
            ("load_organisations",),
            ("load_presets",),
            ("load_strategy",),
            ("load_hubs",),
        ]
    return [("migrate", "--noinput", "-v", "0"), ("load_demo",)]


def prod_env(environ: dict[str, str]) -> dict[str, str]:
    """The environment of the local production rehearsal."""
    env = dict(environ)
    env["OPENRD_DEBUG"] = "0"
    if "OPENRD_SECRET_KEY" not in env:
        env["OPENRD_SECRET_KEY"] = _local_secret_key()
    # Its own database and files: the demo database of `run` has the demo
    # accounts, which the deploy check refuses.
    env.setdefault("OPENRD_VAR_DIR", str(ROOT / "var" / "prod"))
    # Served on plain HTTP on loopback here, the way it is served behind the
    # TLS-terminating proxy of a real deployment (which redirects to HTTPS).
    env.setdefault("OPENRD_HTTPS_REDIRECT_BY_PROXY", "1")
    return env


def run_processes(*, prod: bool, host: str = HOST, port: str = PORT) -> list[tuple[str, list[str]]]:
    """What `run` starts side by side: the web server, one background worker
    (OPENRD_TASKS_BACKEND decides which kind) and the periodic scheduler."""
    py, manage_py = str(VENV_PY), "manage.py"
    address = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"  # IPv6 in brackets
    if prod:
        web = [
            py, "-m", "gunicorn", "openrd.wsgi:application", "--chdir", "src",
            "--bind", address, "--workers", str(2 * (os.cpu_count() or 1) + 1),
            "--access-logfile", "-",
        ]  # fmt: skip
    else:
        web = [py, manage_py, "runserver", address]
    return [
        ("web", web),
        ("worker", [py, manage_py, "run_worker"]),
        ("scheduler", [py, manage_py, "run_scheduler"]),
    ]


def supervise(
    processes: list[tuple[str, list[str]]],
    env: dict[str, str] | None = None,
    *,
    grace: float = 10.0,
) -> int:
    """Start every process; when one ends or Ctrl-C is pressed, stop them all.

    Each runs in its own process group, so stopping it also stops what it
    started (runserver's reloader child, gunicorn's workers): SIGTERM first,
    then SIGKILL for whatever is still there after ``grace`` seconds.
    """
    started: list[tuple[str, subprocess.Popen[bytes]]] = []
    code = 0
    # A service manager stops us with SIGTERM, and SIGINT is not delivered to a
    # job started in the background: both must stop the children too.
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        for name, cmd in processes:
            print(f"+ [{name}]", " ".join(cmd), flush=True)
            popen = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=os.name != "nt")  # noqa: S603
            started.append((name, popen))
        while True:
            ended = [(n, p) for n, p in started if p.poll() is not None]
            if ended:
                name, popen = ended[0]
                code = popen.returncode or 0
                print(f"[{name}] exited with status {code}; stopping the others", flush=True)
                break
            time.sleep(0.2)
    except KeyboardInterrupt:
        print("\nStopping…", flush=True)
    finally:
        stop_all([p for _, p in started], grace=grace)
        signal.signal(signal.SIGTERM, previous)
    return code


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def stop_all(processes: list[subprocess.Popen[bytes]], *, grace: float) -> None:
    for popen in processes:
        _signal(popen, signal.SIGTERM)
    deadline = time.monotonic() + grace
    for popen in processes:
        try:
            popen.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _signal(popen, signal.SIGKILL if hasattr(signal, "SIGKILL") else signal.SIGTERM)
            popen.wait()


def _signal(popen: subprocess.Popen[bytes], signum: int) -> None:
    """Signal the process's whole group (POSIX), or the process itself."""
    try:
        if hasattr(os, "killpg"):
            os.killpg(popen.pid, signum)
        else:
            popen.send_signal(signum)
    except (ProcessLookupError, PermissionError):
        pass  # already gone


class RunOptions(NamedTuple):
    prod: bool = False
    host: str = HOST
    port: str = PORT


def _port(value: str) -> str:
    if not value.isdigit() or not 1 <= int(value) <= 65535:
        raise argparse.ArgumentTypeError(
            f"ポート番号は 1〜65535 の整数です / "
            f"a port is a whole number from 1 to 65535: {value!r}"
        )
    return str(int(value))


def parse_run_args(args: list[str]) -> RunOptions:
    """`run [--prod] [--port N] [--host H]`. The host stays loopback unless asked:
    the demo's accounts share a published password."""
    parser = argparse.ArgumentParser(prog="python3 tasks.py run")
    parser.add_argument("--prod", action="store_true", help="production mode (gunicorn)")
    parser.add_argument("--port", type=_port, default=PORT, help=f"port (default {PORT})")
    parser.add_argument("--host", default=HOST, help=f"address to listen on (default {HOST})")
    options = parser.parse_args(args)
    return RunOptions(prod=options.prod, host=options.host, port=options.port)


def port_in_use(host: str, port: str) -> bool:
    """Whether something already listens on host:port, by trying to bind it.

    SO_REUSEADDR (POSIX) lets the bind succeed over connections of a server
    stopped a moment ago (TIME_WAIT) but not over a listening socket; Windows
    needs SO_EXCLUSIVEADDRUSE for the same meaning.
    """
    try:
        family = socket.getaddrinfo(host, int(port), type=socket.SOCK_STREAM)[0][0]
    except socket.gaierror:
        return False  # an unknown host name: the server says so itself
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        if os.name == "nt":
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_EXCLUSIVEADDRUSE, 1)  # type: ignore[attr-defined]
        else:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, int(port)))
        except OSError:
            return True
    return False


def port_busy_message(host: str, port: str) -> str:
    other = str(int(port) + 1 if int(port) < 65535 else 8001)
    return (
        f"ポート {port} は使用中です（{host}）。別の OpenRD やほかのサーバーが"
        f"動いていないか確認するか、別のポートを指定してください: "
        f"python3 tasks.py run --port {other}\n"
        f"Port {port} is already in use on {host}. Stop whatever runs there, or pick "
        f"another port: python3 tasks.py run --port {other}"
    )


def run(args: list[str]) -> None:
    options = parse_run_args(args)
    # Checked before the migrations and the demo load, so a busy port costs nothing.
    if port_in_use(options.host, options.port):
        print(port_busy_message(options.host, options.port), file=sys.stderr, flush=True)
        sys.exit(1)
    prod = options.prod
    env = prod_env(dict(os.environ)) if prod else dict(os.environ)
    for step in run_steps(prod=prod):
        manage(*step, env=env)
    _print_welcome(prod=prod, host=options.host, port=options.port)
    sys.exit(supervise(run_processes(prod=prod, host=options.host, port=options.port), env))


def _local_secret_key() -> str:
    """A per-checkout secret for local production mode, kept in var/ (never committed)."""
    path = ROOT / "var" / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


def _print_welcome(*, prod: bool, host: str = HOST, port: str = PORT) -> None:
    accounts = (
        "Production mode has no demo accounts; create one with\n"
        "  OPENRD_VAR_DIR=var/prod .venv/bin/python manage.py createsuperuser\n"
        if prod
        else "Demo accounts (password: openrd-demo): admin, ministry, agency, nedo, pd, pm,\n"
        "reviewer, officer, researcher, startup, startup-officer. See README.md.\n"
    )
    print(
        f"\nOpenRD: http://{host}:{port}/ja/  (English: http://{host}:{port}/en/)\n{accounts}"
        f"A background worker and the scheduler run alongside; your jobs: "
        f"http://{host}:{port}/ja/jobs/\nCtrl-C stops all three.\n",
        flush=True,
    )


def test(args: list[str]) -> None:
    # pytest keeps the test modules it rewrote (for its assertion messages) only
    # where bytecode may be written; without that every run rewrites all of them
    # again in every worker, some fifteen seconds of each run on two cores.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    tool("pytest", *args, env=env)


def lint(args: list[str]) -> None:
    tool("ruff", "check", ".")
    tool("ruff", "format", "--check", ".")
    sh(ROOT / ".venv" / "bin" / "lint-imports")


def fmt(args: list[str]) -> None:
    tool("ruff", "check", "--fix", ".")
    tool("ruff", "format", ".")


def typecheck(args: list[str]) -> None:
    tool("mypy")


def check(args: list[str]) -> None:
    """Everything CI checks besides the tests."""
    lint(args)
    typecheck(args)
    manage("makemigrations", "--check", "--dry-run")
    manage("check")
    openapi(["--check"])


def messages(args: list[str]) -> None:
    """Refresh the Japanese catalogs from the code and compile them.

    Each app keeps its own catalog in <app>/locale; strings of the shared
    templates go to src/openrd/locale.
    """
    manage("makemessages", "-l", "ja", "--no-obsolete", "--no-location", *I18N_IGNORE)
    manage("compilemessages", *I18N_IGNORE)


def openapi(args: list[str]) -> None:
    """Write (or with --check, compare) the OpenAPI snapshot in docs/openapi.json."""
    manage("openapi_snapshot", *args)


TASKS = {
    "run": run, "test": test, "lint": lint, "fmt": fmt, "typecheck": typecheck,
    "check": check, "messages": messages, "openapi": openapi,
}  # fmt: skip


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in TASKS:
        print(__doc__)
        sys.exit(2)
    bootstrap()
    TASKS[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
