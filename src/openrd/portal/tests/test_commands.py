"""The management commands an operator runs: what they print and what they change."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from openrd.accounts.models import User
from openrd.programs.models import Program

pytestmark = pytest.mark.django_db


def run(name, *args):
    out = StringIO()
    call_command(name, *args, stdout=out)
    return out.getvalue()


def test_load_presets_loads_every_program_once_and_then_reports_it_unchanged():
    run("load_organisations")
    first = run("load_presets")
    assert "sbir: loaded" in first
    assert "moonshot: loaded" in first
    count = Program.objects.count()
    assert count >= 8
    second = run("load_presets")
    assert "sbir: unchanged" in second
    assert "loaded" not in second
    assert Program.objects.count() == count


def test_load_strategy_loads_the_2023_strategy_once_and_then_reports_it_unchanged():
    run("load_organisations")
    run("load_presets")
    assert "iis-2023: loaded" in run("load_strategy")
    assert "iis-2023: unchanged" in run("load_strategy")


def test_load_hubs_loads_the_eight_consortia_and_loading_again_duplicates_nothing():
    from openrd.ecosystem.models import HubConsortium, HubMember

    out = run("load_hubs")
    assert "8 hub consortia loaded" in out
    assert "1 acceleration program(s) loaded" in out
    members = HubMember.objects.count()
    run("load_hubs")
    assert (HubConsortium.objects.count(), HubMember.objects.count()) == (8, members)


def test_load_demo_in_debug_creates_the_accounts_once(settings):
    settings.DEBUG = True
    first = run("load_demo")
    assert "demo accounts created:" in first
    assert "researcher" in first
    users = User.objects.count()
    second = run("load_demo")
    assert "demo accounts created" not in second
    assert User.objects.count() == users


def test_openapi_snapshot_writes_and_checks_the_document(tmp_path, monkeypatch):
    from openrd.portal.management.commands import openapi_snapshot

    path = tmp_path / "openapi.json"
    monkeypatch.setattr(openapi_snapshot, "SNAPSHOT", path)
    with pytest.raises(CommandError, match="stale"):
        run("openapi_snapshot", "--check")
    run("openapi_snapshot")
    assert '"/api/v1/proposals/{pk}/submit"' in path.read_text(encoding="utf-8")
    assert "current" in run("openapi_snapshot", "--check")
    path.write_text(path.read_text(encoding="utf-8").replace("409", "499"), encoding="utf-8")
    with pytest.raises(CommandError, match="stale"):
        run("openapi_snapshot", "--check")
