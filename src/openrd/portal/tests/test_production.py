"""Production mode fails closed: no demo data, and no start with debug on, the
demo secret key or accounts that sign in with the demo password."""

import importlib.util
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError, SystemCheckError

from openrd.accounts.models import User
from openrd.accounts.tests.factories import UserFactory
from openrd.core.checks import check_debug_off, check_demo_secret_key
from openrd.portal.checks import check_no_demo_accounts, demo_usernames
from openrd.portal.demo import DEMO_PASSWORD

ROOT = Path(__file__).resolve().parents[4]
DEMO_KEY = "insecure-openrd-local-demo-key-change-me-in-production-0123456789"


def _tasks():
    spec = importlib.util.spec_from_file_location("openrd_tasks", ROOT / "tasks.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _ids(errors):
    return [e.id for e in errors]


# ---------------------------------------------------------------- tasks.py


def test_prod_mode_never_loads_the_demo_and_checks_the_deployment_first():
    steps = _tasks().run_steps(prod=True)
    assert not any("load_demo" in step for step in steps)
    assert steps[0] == ("check", "--deploy", "--fail-level", "WARNING")
    assert [s[0] for s in steps] == [
        "check", "collectstatic", "migrate", "load_organisations", "load_presets",
        "load_strategy", "load_hubs",
    ]  # fmt: skip


def test_debug_mode_loads_the_demo_after_migrating():
    assert _tasks().run_steps(prod=False) == [
        ("migrate", "--noinput", "-v", "0"),
        ("load_demo",),
    ]


def test_prod_env_turns_debug_off_and_keeps_its_own_database():
    tasks = _tasks()
    env = tasks.prod_env({"OPENRD_DEBUG": "1", "OPENRD_SECRET_KEY": "given"})
    assert env["OPENRD_DEBUG"] == "0"
    assert env["OPENRD_SECRET_KEY"] == "given"
    assert env["OPENRD_VAR_DIR"] == str(ROOT / "var" / "prod")


# ---------------------------------------------------------------- checks


def test_debug_on_is_an_error_in_a_deployment(settings):
    settings.DEBUG = True
    assert _ids(check_debug_off(None)) == ["openrd.E002"]
    settings.DEBUG = False
    assert check_debug_off(None) == []


def test_the_demo_secret_key_is_an_error_when_debug_is_off(settings):
    settings.DEBUG = False
    settings.SECRET_KEY = DEMO_KEY
    assert _ids(check_demo_secret_key(None)) == ["openrd.E001"]
    settings.SECRET_KEY = "a-long-random-production-secret-" + "x" * 40
    assert check_demo_secret_key(None) == []


@pytest.mark.django_db
def test_demo_accounts_with_the_demo_password_are_an_error_when_debug_is_off(settings):
    settings.DEBUG = False
    UserFactory(username="admin", password=DEMO_PASSWORD, is_superuser=True)
    UserFactory(username="researcher", password=DEMO_PASSWORD)
    errors = check_no_demo_accounts(None)
    assert _ids(errors) == ["openrd.E003"]
    assert "admin, researcher" in errors[0].msg
    settings.DEBUG = True  # the local demo is made of them
    assert check_no_demo_accounts(None) == []


@pytest.mark.django_db
def test_a_renamed_demo_superuser_is_still_found(settings):
    settings.DEBUG = False
    UserFactory(username="root", password=DEMO_PASSWORD, is_superuser=True)
    assert "root" in check_no_demo_accounts(None)[0].msg


@pytest.mark.django_db
def test_demo_names_with_a_new_password_deactivated_or_unusable_pass(settings):
    settings.DEBUG = False
    UserFactory(username="admin", password="a-new-strong-password", is_superuser=True)
    UserFactory(username="agency", password=DEMO_PASSWORD, is_active=False)
    UserFactory(username="nedo", password=None)  # an unusable password
    assert check_no_demo_accounts(None) == []


@pytest.mark.django_db
def test_check_deploy_refuses_to_pass_with_the_demo_key_and_a_demo_account(settings):
    # The checks are registered: `manage.py check --deploy`, run by `run --prod`
    # before the server starts, fails with both reasons.
    settings.DEBUG = False
    settings.SECRET_KEY = DEMO_KEY
    UserFactory(username="startup", password=DEMO_PASSWORD)
    with pytest.raises(SystemCheckError) as exc:
        call_command("check", "--deploy", tags=["security"])
    assert "openrd.E001" in str(exc.value)
    assert "openrd.E003" in str(exc.value)


def test_the_demo_user_names_come_from_the_demo_data():
    assert {"admin", "researcher", "startup-officer"} <= set(demo_usernames())


# ---------------------------------------------------------------- load_demo


@pytest.mark.django_db
def test_load_demo_refuses_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("load_demo")
    assert not User.objects.exists()


def test_load_demo_exits_non_zero_with_the_reason_when_debug_is_off(tmp_path):
    # It refuses before touching the database, so an empty var dir is enough.
    env = {**os.environ, "OPENRD_DEBUG": "0", "OPENRD_VAR_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "load_demo"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode != 0
    assert "Refusing to load the demo: DEBUG is off" in result.stderr
    assert "demo accounts created" not in result.stdout


@pytest.mark.django_db
def test_load_organisations_loads_the_reference_organisations_without_demo_accounts():
    from openrd.accounts.models import Organisation

    call_command("load_organisations")
    assert Organisation.objects.filter(code="jst").exists()
    assert not User.objects.exists()


# ---------------------------------------------------------------- tasks.py run: processes


@pytest.mark.parametrize("prod", [False, True])
def test_run_starts_the_web_server_one_worker_and_the_scheduler(prod):
    processes = _tasks().run_processes(prod=prod)
    assert [name for name, _ in processes] == ["web", "worker", "scheduler"]
    commands = dict(processes)
    assert commands["worker"][1:] == ["manage.py", "run_worker"]
    assert commands["scheduler"][1:] == ["manage.py", "run_scheduler"]
    if prod:
        assert commands["web"][1:3] == ["-m", "gunicorn"]
        assert "127.0.0.1:8000" in commands["web"]
    else:
        assert commands["web"][1:] == ["manage.py", "runserver", "127.0.0.1:8000"]


def test_when_one_process_ends_the_others_are_stopped_at_once():
    # Plain sleeping interpreters stand in for the server and the worker.
    sleeper = [sys.executable, "-c", "import time; time.sleep(60)"]
    quitter = [sys.executable, "-c", "import sys; sys.exit(3)"]
    started = time.monotonic()
    code = _tasks().supervise([("web", sleeper), ("worker", quitter)], grace=5)
    assert code == 3
    assert time.monotonic() - started < 5  # SIGTERM stopped the sleeper, no waiting out


def test_a_process_ignoring_sigterm_is_killed_after_the_grace_period():
    stubborn = subprocess.Popen(
        [sys.executable, "-c",
         "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
         "print('ready', flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip
    assert stubborn.stdout is not None
    assert stubborn.stdout.readline() == b"ready\n"  # its SIGTERM handler is in place
    started = time.monotonic()
    _tasks().stop_all([stubborn], grace=0.5)
    assert stubborn.returncode == -signal.SIGKILL
    assert time.monotonic() - started < 3


def test_sigterm_to_the_run_command_stops_its_children_too(tmp_path):
    # A service manager (or a shell job) stops `run` with SIGTERM: the server,
    # worker and scheduler it started must not be left running.
    pidfile = tmp_path / "child.pid"
    child = f"import os, time; open({str(pidfile)!r}, 'w').write(str(os.getpid())); time.sleep(60)"
    root = str(_tasks().ROOT)
    script = (
        f"import sys; sys.path.insert(0, {root!r}); import tasks; "
        f"sys.exit(tasks.supervise([('web', [sys.executable, '-c', {child!r}])], grace=2))"
    )
    runner = subprocess.Popen([sys.executable, "-c", script])  # noqa: S603  (our own code)
    deadline = time.monotonic() + 10
    while not pidfile.exists() or not pidfile.read_text():
        assert time.monotonic() < deadline, "the child never started"
        time.sleep(0.05)
    child_pid = int(pidfile.read_text())
    runner.send_signal(signal.SIGTERM)
    assert runner.wait(timeout=10) == 0
    with pytest.raises(ProcessLookupError):
        os.kill(child_pid, 0)
