"""tasks.py run: its arguments and the check that the port is free before anything starts."""

import importlib.util
import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[4]


def _tasks():
    spec = importlib.util.spec_from_file_location("openrd_tasks_run", ROOT / "tasks.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def listening():
    """A socket listening on a loopback port the system picked: a busy port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        yield str(server.getsockname()[1])


def _free_port() -> str:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return str(s.getsockname()[1])


def test_run_without_arguments_keeps_loopback_port_8000_and_demo_mode():
    tasks = _tasks()
    assert tasks.parse_run_args([]) == tasks.RunOptions(prod=False, host="127.0.0.1", port="8000")
    web = dict(tasks.run_processes(prod=False))["web"]
    assert web[-2:] == ["runserver", "127.0.0.1:8000"]


def test_port_and_host_arguments_reach_the_web_server():
    tasks = _tasks()
    options = tasks.parse_run_args(["--port", "8123", "--prod"])
    assert options == tasks.RunOptions(prod=True, host="127.0.0.1", port="8123")
    web = dict(tasks.run_processes(prod=True, host=options.host, port=options.port))["web"]
    assert web[web.index("--bind") + 1] == "127.0.0.1:8123"
    options = tasks.parse_run_args(["--host", "::1", "--port", "9000"])
    web = dict(tasks.run_processes(prod=False, host=options.host, port=options.port))["web"]
    assert web[-1] == "[::1]:9000"


@pytest.mark.parametrize("bad", ["0", "65536", "http", "-1", ""])
def test_a_port_that_is_not_a_port_is_refused_with_usage(bad, capsys):
    with pytest.raises(SystemExit) as exit_:
        _tasks().parse_run_args(["--port", bad])
    assert exit_.value.code == 2
    assert "1〜65535" in capsys.readouterr().err


def test_port_in_use_tells_a_listening_port_from_a_free_one(listening):
    tasks = _tasks()
    assert tasks.port_in_use("127.0.0.1", listening) is True
    assert tasks.port_in_use("127.0.0.1", _free_port()) is False


def test_run_on_a_busy_port_says_so_in_both_languages_and_starts_nothing(
    listening, monkeypatch, capsys
):
    tasks = _tasks()
    started = []
    monkeypatch.setattr(tasks, "manage", lambda *a, **k: started.append(a))
    monkeypatch.setattr(tasks, "supervise", lambda *a, **k: started.append(a) or 0)
    with pytest.raises(SystemExit) as exit_:
        tasks.run(["--port", listening])
    assert exit_.value.code == 1
    err = capsys.readouterr().err
    assert f"ポート {listening} は使用中です" in err
    assert f"Port {listening} is already in use" in err
    assert f"python3 tasks.py run --port {int(listening) + 1}" in err
    assert started == []


def test_run_on_a_free_port_migrates_then_serves_there(monkeypatch, capsys):
    tasks = _tasks()
    port = _free_port()
    steps, served = [], []
    monkeypatch.setattr(tasks, "manage", lambda *a, **k: steps.append(a))
    monkeypatch.setattr(tasks, "supervise", lambda processes, env: served.extend(processes) or 0)
    with pytest.raises(SystemExit) as exit_:
        tasks.run(["--port", port])
    assert exit_.value.code == 0
    assert steps == tasks.run_steps(prod=False)
    assert dict(served)["web"][-1] == f"127.0.0.1:{port}"
    assert f"http://127.0.0.1:{port}/ja/" in capsys.readouterr().out
