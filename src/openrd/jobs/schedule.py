"""The periodic schedule as data (schedule.toml): parsing, validation and slots.

Pure functions, no database. An entry's *slot* is the start of the period it
is due in (today's 02:00 for "daily at 02:00 Asia/Tokyo", the current quarter
hour for "every 15 minutes"); the scheduler enqueues each (entry, slot) once.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

SCHEDULE_FILE = Path(__file__).resolve().parent / "schedule.toml"

_DAILY = re.compile(r"^daily at (\d{1,2}):(\d{2})(?: (\S+))?$")
_EVERY = re.compile(r"^every (\d+) (minute|minutes|hour|hours)$")
_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,99}$")
_TASK_PATH = re.compile(r"^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)+$")
DEFAULT_ZONE = "Asia/Tokyo"
_EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


class ScheduleError(ValueError):
    """The schedule file is wrong; the message names the entry and the field."""


@dataclass(frozen=True)
class Daily:
    hour: int
    minute: int
    zone: str

    def slot(self, now: dt.datetime) -> dt.datetime:
        local = now.astimezone(ZoneInfo(self.zone))
        today = local.replace(hour=self.hour, minute=self.minute, second=0, microsecond=0)
        start = today if today <= local else today - dt.timedelta(days=1)
        return start.astimezone(dt.UTC)


@dataclass(frozen=True)
class Every:
    seconds: int

    def slot(self, now: dt.datetime) -> dt.datetime:
        # Counted from a fixed epoch, so every scheduler computes the same slots.
        elapsed = int((now.astimezone(dt.UTC) - _EPOCH).total_seconds())
        return _EPOCH + dt.timedelta(seconds=elapsed - elapsed % self.seconds)


@dataclass(frozen=True)
class Entry:
    name: str
    task: str
    when: Daily | Every

    def slot(self, now: dt.datetime) -> dt.datetime:
        if now.tzinfo is None:
            raise ValueError("the scheduler works with aware datetimes")
        return self.when.slot(now)


def parse_when(text: str) -> Daily | Every:
    """``daily at HH:MM [Zone]`` (zone defaults to Asia/Tokyo) or ``every N minutes|hours``."""
    cleaned = " ".join(str(text).split()).lower()
    if match := _DAILY.match(" ".join(str(text).split())):
        hour, minute, zone = int(match[1]), int(match[2]), match[3] or DEFAULT_ZONE
        if hour > 23 or minute > 59:
            raise ScheduleError(f"{text!r}: no such time of day")
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ScheduleError(f"{text!r}: unknown time zone {zone!r}") from exc
        return Daily(hour=hour, minute=minute, zone=zone)
    if match := _EVERY.match(cleaned):
        count, unit = int(match[1]), match[2]
        seconds = count * (3600 if unit.startswith("hour") else 60)
        if count < 1 or seconds > 86400 or 86400 % seconds:
            # Periods that divide a day keep every slot at the same times each day.
            raise ScheduleError(f"{text!r}: the period must divide a day (1 minute to 24 hours)")
        return Every(seconds=seconds)
    raise ScheduleError(
        f"{text!r}: expected 'daily at HH:MM [Zone]' or 'every N minutes' / 'every N hours'"
    )


def parse_schedule(text: str) -> list[Entry]:
    """Every ``[[entry]]`` of the TOML text, validated; the first problem raises."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScheduleError(f"not valid TOML: {exc}") from exc
    unknown = set(data) - {"entry"}
    if unknown:
        raise ScheduleError(f"unknown top-level keys: {', '.join(sorted(unknown))}")
    raw = data.get("entry", [])
    if not isinstance(raw, list):
        raise ScheduleError("'entry' must be an array of tables ([[entry]])")
    entries: list[Entry] = []
    seen: set[str] = set()
    for index, item in enumerate(raw, start=1):
        where = f"entry {index}"
        if not isinstance(item, dict):
            raise ScheduleError(f"{where}: must be a table")
        extra = set(item) - {"name", "task", "when"}
        if extra:
            raise ScheduleError(f"{where}: unknown keys {', '.join(sorted(extra))}")
        for key in ("name", "task", "when"):
            if not isinstance(item.get(key), str) or not item[key].strip():
                raise ScheduleError(f"{where}: '{key}' is required (a string)")
        name = item["name"].strip()
        where = f"entry {index} ({name})"
        if not _NAME.match(name):
            raise ScheduleError(f"{where}: name must be lower-case letters, digits, . _ -")
        if name in seen:
            raise ScheduleError(f"{where}: the name is used twice")
        if not _TASK_PATH.match(item["task"].strip()):
            raise ScheduleError(f"{where}: 'task' must be a dotted import path")
        try:
            when = parse_when(item["when"])
        except ScheduleError as exc:
            raise ScheduleError(f"{where}: when {exc}") from exc
        seen.add(name)
        entries.append(Entry(name=name, task=item["task"].strip(), when=when))
    return entries


def load_schedule(path: Path = SCHEDULE_FILE) -> list[Entry]:
    return parse_schedule(path.read_text(encoding="utf-8"))
