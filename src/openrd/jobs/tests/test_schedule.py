"""The schedule file: parsing, validation, slots (pure, no database)."""

import datetime as dt

import pytest

from openrd.jobs.schedule import (
    Daily,
    Every,
    ScheduleError,
    load_schedule,
    parse_schedule,
    parse_when,
)

UTC = dt.UTC


def _entry(when, name="x", task="openrd.jobs.tasks.export_audit_checkpoint"):
    return f'[[entry]]\nname = "{name}"\ntask = "{task}"\nwhen = "{when}"\n'


def test_daily_and_every_are_understood():
    assert parse_when("daily at 02:00 Asia/Tokyo") == Daily(2, 0, "Asia/Tokyo")
    assert parse_when("daily at 7:30") == Daily(7, 30, "Asia/Tokyo")
    assert parse_when("every 15 minutes") == Every(900)
    assert parse_when("every 1 hour") == Every(3600)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("daily at 24:00", "no such time"),
        ("daily at 02:60", "no such time"),
        ("daily at 02:00 Mars/Olympus", "unknown time zone"),
        ("every 7 minutes", "divide a day"),
        ("every 0 minutes", "divide a day"),
        ("every 48 hours", "divide a day"),
        ("weekly on monday", "expected"),
        ("", "expected"),
    ],
)
def test_a_wrong_when_is_refused_with_the_reason(text, problem):
    with pytest.raises(ScheduleError, match=problem):
        parse_when(text)


def test_daily_slot_is_todays_time_once_passed_else_yesterdays():
    when = Daily(2, 0, "Asia/Tokyo")
    # 01:59 Tokyo on 1 April is 16:59 UTC on 31 March: the slot is 31 March 02:00 Tokyo.
    before = dt.datetime(2026, 3, 31, 16, 59, tzinfo=UTC)
    assert when.slot(before) == dt.datetime(2026, 3, 30, 17, 0, tzinfo=UTC)
    at = dt.datetime(2026, 3, 31, 17, 0, tzinfo=UTC)
    assert when.slot(at) == at
    assert when.slot(at + dt.timedelta(hours=20)) == at


def test_every_slot_is_the_start_of_the_current_period_whoever_computes_it():
    when = Every(900)
    now = dt.datetime(2026, 4, 1, 9, 44, 59, tzinfo=UTC)
    assert when.slot(now) == dt.datetime(2026, 4, 1, 9, 30, tzinfo=UTC)
    tokyo = now.astimezone(dt.timezone(dt.timedelta(hours=9)))
    assert when.slot(tokyo) == when.slot(now)


def test_entries_are_parsed_in_order():
    entries = parse_schedule(
        _entry("every 15 minutes", name="a") + _entry("daily at 02:00", name="b")
    )
    assert [(e.name, e.when) for e in entries] == [
        ("a", Every(900)),
        ("b", Daily(2, 0, "Asia/Tokyo")),
    ]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[[entry]]\nname = 'a'\nwhen = 'every 15 minutes'\n", "'task' is required"),
        (_entry("every 15 minutes") + _entry("every 5 minutes"), "used twice"),
        (_entry("every 15 minutes", name="Bad Name"), "name must be"),
        (_entry("every 15 minutes", task="not a path"), "dotted import path"),
        (_entry("every 7 minutes", name="late"), r"entry 1 \(late\): when"),
        (_entry("every 15 minutes") + "colour = 'red'\n", "unknown keys colour"),
        ("[entry]\nname = 'a'\n", "array of tables"),
        ("[[entry]\n", "not valid TOML"),
        ("jobs = []\n", "unknown top-level keys: jobs"),
    ],
)
def test_a_wrong_schedule_names_the_entry_and_the_field(text, problem):
    with pytest.raises(ScheduleError, match=problem):
        parse_schedule(text)


def test_the_shipped_schedule_is_valid_and_starts_with_the_audit_checkpoint():
    entries = load_schedule()
    assert entries[0].name == "audit-checkpoint"
    assert entries[0].task == "openrd.jobs.tasks.export_audit_checkpoint"
    assert entries[0].when == Daily(2, 0, "Asia/Tokyo")


def test_a_naive_time_is_refused():
    entry = load_schedule()[0]
    with pytest.raises(ValueError, match="aware"):
        entry.slot(dt.datetime(2026, 4, 1, 2, 0))
