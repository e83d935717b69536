"""Rate and time left of a job: pure, no database."""

import datetime as dt

from openrd.jobs.rules import estimate

T0 = dt.datetime(2026, 4, 1, 9, 0, tzinfo=dt.UTC)


def test_rate_is_items_done_over_time_since_the_start_and_eta_follows():
    est = estimate(done=300, total=1200, started_at=T0, now=T0 + dt.timedelta(seconds=60))
    assert est.rate == 5.0
    assert est.eta_seconds == 180
    assert est.fraction == 0.25


def test_eta_rounds_up_while_work_remains():
    est = estimate(done=2, total=3, started_at=T0, now=T0 + dt.timedelta(seconds=3))
    # 1 item left at 2/3 item per second is 1.5 s: never shown as 1 s.
    assert est.eta_seconds == 2


def test_nothing_done_or_not_started_has_no_rate_nor_eta():
    assert estimate(done=0, total=10, started_at=T0, now=T0 + dt.timedelta(seconds=5)).rate is None
    not_started = estimate(done=0, total=10, started_at=None, now=T0)
    assert (not_started.rate, not_started.eta_seconds, not_started.fraction) == (None, None, 0.0)


def test_unknown_total_has_a_rate_but_no_eta_nor_fraction():
    est = estimate(done=50, total=None, started_at=T0, now=T0 + dt.timedelta(seconds=10))
    assert est.rate == 5.0
    assert est.eta_seconds is None
    assert est.fraction is None


def test_finished_work_has_zero_left_and_an_empty_job_is_complete():
    est = estimate(done=10, total=10, started_at=T0, now=T0 + dt.timedelta(seconds=1))
    assert (est.eta_seconds, est.fraction) == (0, 1.0)
    assert estimate(done=0, total=0, started_at=T0, now=T0).fraction == 1.0


def test_a_clock_that_has_not_moved_gives_no_rate():
    assert estimate(done=5, total=10, started_at=T0, now=T0).rate is None
