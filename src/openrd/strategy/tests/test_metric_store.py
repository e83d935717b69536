"""Stored metric values: computed on the first read, read back after, marked due
when their records change, recomputed at once when that is quick, otherwise
served with their time and refreshed by the scheduler; a change during a
computation leaves the run due."""

from __future__ import annotations

from datetime import date

import pytest

from openrd.accounts.models import Organisation, Role
from openrd.accounts.services import assign_role, upsert_organisation
from openrd.accounts.tests.factories import UserFactory
from openrd.awards.models import AwardBudget
from openrd.awards.services import create_award
from openrd.programs.models import Program
from openrd.strategy import metric_store, metrics
from openrd.strategy.models import MetricRun
from openrd.strategy.tasks import refresh_all_metrics, refresh_dirty_metrics

pytestmark = pytest.mark.django_db


@pytest.fixture
def award(loaded_programs):
    staff = UserFactory(username="nedo-staff")
    assign_role(staff, Role.AGENCY_STAFF, organisation=Organisation.objects.get(code="nedo"))
    startup = upsert_organisation(code="m-startup", kind="startup", name_ja="新興株式会社")

    def make(number, fiscal_year, amount):
        return create_award(
            actor=staff, program=Program.objects.get(code="sbir"), grant_number=number,
            title_ja="課題", pi_name_ja="研究 一", institution=startup,
            starts_on=date(fiscal_year, 4, 1), ends_on=date(fiscal_year + 1, 3, 31),
            budget=[(fiscal_year, amount)],
        )  # fmt: skip

    return make


@pytest.fixture
def counting(monkeypatch):
    """How many times award_count is computed."""
    calls = []
    original = metrics.DEFINITIONS["award_count"]

    def compute(program):
        calls.append(program)
        return original.compute(program)

    monkeypatch.setitem(metrics.DEFINITIONS, "award_count",
                        metrics.Metric(compute, original.definition))  # fmt: skip
    return calls


def test_the_first_read_computes_and_stores_and_the_next_reads_the_store(award, counting):
    award("C-1", 2024, 1_000)
    first = metric_store.read("award_count", None)
    assert first.values == {2024: 1}
    assert not first.stale
    again = metric_store.read("award_count", None)
    assert again.values == {2024: 1}
    assert len(counting) == 1  # read from the store
    assert MetricRun.objects.get(metric="award_count", scope="").values.count() == 1


def test_a_change_marks_the_metric_due_and_a_quick_one_is_recomputed_on_read(award, counting):
    award("C-1", 2024, 1_000)
    metric_store.read("award_count", None)
    award("C-2", 2025, 2_000)  # the award's save marks award_count dirty
    assert MetricRun.objects.get(metric="award_count").dirty
    assert metric_store.read("award_count", None).values == {2024: 1, 2025: 1}
    assert len(counting) == 2
    assert not MetricRun.objects.get(metric="award_count").dirty


def test_a_slow_metric_is_served_stale_and_refreshed_by_the_scheduler(award, counting, settings):
    settings.OPENRD_METRICS_INLINE_SECONDS = 0  # every computation counts as slow
    award("C-1", 2024, 1_000)
    metric_store.read("award_count", None)
    award("C-2", 2025, 2_000)
    served = metric_store.read("award_count", None)
    assert (served.values, served.stale) == ({2024: 1}, True)
    assert refresh_dirty_metrics.call() == 1
    fresh = metric_store.read("award_count", None)
    assert (fresh.values, fresh.stale) == ({2024: 1, 2025: 1}, False)
    assert refresh_dirty_metrics.call() == 0


def test_a_change_while_computing_leaves_the_run_due(award, monkeypatch):
    award("C-1", 2024, 1_000)
    metric_store.read("award_budget_yen", None)
    original = metrics.DEFINITIONS["award_budget_yen"]

    def racing(program):
        values = original.compute(program)
        AwardBudget.objects.filter(fiscal_year=2024).first().save()  # a change meanwhile
        return values

    monkeypatch.setitem(metrics.DEFINITIONS, "award_budget_yen",
                        metrics.Metric(racing, original.definition))  # fmt: skip
    assert metric_store.refresh("award_budget_yen", None).stale
    assert MetricRun.objects.get(metric="award_budget_yen").dirty


def test_each_scope_is_stored_apart_and_the_nightly_refresh_takes_every_run(award):
    award("C-1", 2024, 1_000)
    sbir = Program.objects.get(code="sbir")
    assert metric_store.read("award_count", sbir).values == {2024: 1}
    assert metric_store.read("award_count", Program.objects.get(code="moonshot")).values == {}
    assert set(MetricRun.objects.values_list("scope", flat=True)) == {"sbir", "moonshot"}
    assert refresh_all_metrics.call() == 2


def test_the_indicator_page_says_when_its_values_were_computed(client, award, mini, settings):
    settings.OPENRD_METRICS_INLINE_SECONDS = 0
    award("C-1", 2023, 30_000_000)
    page = client.get("/ja/strategy/indicators/mini-sbir-spending/").content.decode()
    assert "3,000万円" in page
    assert "算出時点" in page
    award("C-2", 2023, 10_000_000)
    stale = client.get("/ja/strategy/indicators/mini-sbir-spending/").content.decode()
    assert "3,000万円" in stale  # the stored value, with a word that it is being updated
    assert "更新中" in stale
    body = client.get("/api/v1/indicators/mini-sbir-spending").json()
    assert body["stale"] is True
    assert body["computed_at"]


def test_the_refresh_command_computes_each_indicators_metric_once(award, mini, monkeypatch):
    from io import StringIO

    from django.core.management import call_command

    calls = []
    original = metrics.DEFINITIONS["startup_sme_spending_yen"]  # the mini strategy's metric

    def compute(program):
        calls.append(program)
        return original.compute(program)

    monkeypatch.setitem(metrics.DEFINITIONS, "startup_sme_spending_yen",
                        metrics.Metric(compute, original.definition))  # fmt: skip
    award("C-1", 2024, 1_000)
    out = StringIO()
    call_command("refresh_metrics", stdout=out)
    assert calls == [None]  # stored by the first pass, not computed again by the second
    assert "stored run(s)" in out.getvalue()
    call_command("refresh_metrics", stdout=out)
    assert calls == [None, None]  # stored now: refreshed once, by the pass over every run


def test_the_reads_of_one_page_share_one_inline_budget(award, settings, monkeypatch):
    from types import SimpleNamespace

    settings.OPENRD_METRICS_INLINE_SECONDS = 1.0
    award("C-1", 2024, 1_000)
    sbir = Program.objects.get(code="sbir")
    for scope in (None, sbir):
        metric_store.read("award_count", scope)
    award("C-2", 2025, 2_000)  # both runs due
    MetricRun.objects.update(seconds=0.6)  # each quick alone, not both together
    clock = iter(range(100))  # every reading of the clock a quarter of a second later
    monkeypatch.setattr(metric_store, "time", SimpleNamespace(perf_counter=lambda: next(clock) / 4))
    with metric_store.one_page():
        first = metric_store.read("award_count", None)  # spends 0.75 s of the page's 1 s
        second = metric_store.read("award_count", sbir)
    assert (first.stale, first.values) == (False, {2024: 1, 2025: 1})
    assert (second.stale, second.values) == (True, {2024: 1})
    assert metric_store.read("award_count", sbir).stale is False  # alone, outside a page


def test_the_records_behind_a_value_say_when_there_are_more_than_shown(
    client, award, mini, monkeypatch
):
    from openrd.strategy import views

    award("C-1", 2023, 30_000_000)
    award("C-2", 2023, 10_000_000)
    page = client.get("/en/strategy/indicators/mini-sbir-spending/?fy=2023").content.decode()
    assert "2 awards behind the value" in page
    monkeypatch.setattr(views, "BEHIND", 1)
    page = client.get("/en/strategy/indicators/mini-sbir-spending/?fy=2023").content.decode()
    assert "The first 1 award behind the value of" in page
    assert "C-1" in page  # the largest budget first
    assert "C-2" not in page
