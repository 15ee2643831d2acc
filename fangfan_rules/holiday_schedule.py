"""Holiday schedule files: one year's State Council holiday notice, added by the user.

Why this exists: the bundled calendar (``chinese-calendar``) only knows the years its release
carries, and the State Council publishes each year's notice (国务院办公厅关于YYYY年部分节假日安排的
通知) late in the year before. Working-day deadlines must keep working the day the notice appears,
without waiting for a package release, and never on a guessed schedule: a schedule file is the
notice copied by a person, with the notice's number and date as its citation.

A file holds **one year**, YAML (``.yaml`` / ``.yml``) or JSON (``.json``)::

    year: 2031
    notice:
      title: 国务院办公厅关于2031年部分节假日安排的通知
      number: 国办发明电〔2030〕99号
      date: 2030-11-12
    holidays:
      - name: 春节
        days_off: {from: 2031-01-22, to: 2031-01-29}
        makeup_workdays: [2031-01-19, 2031-02-08]

The notice of year Y settles 29 December of Y-1 to 28 December of Y (the New Year break it
arranges can start on 29-31 December of the year before; the last days of Y belong to the next
notice), so every date must lie in that span. :func:`schedule_json_schema` gives the JSON Schema;
:func:`load_schedule` validates a file strictly and raises :class:`~fangfan_rules.errors.ScheduleError`
naming the file and the entry. Combining schedules with the bundled calendar is
:func:`fangfan_rules.calendar.official_calendar`'s job.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictInt,
    StrictStr,
    ValidationError,
)

from fangfan_rules.errors import FangfanError, ScheduleError, validation_message

__all__ = [
    "Holiday",
    "HolidaySchedule",
    "Notice",
    "OffSpan",
    "load_schedule",
    "schedule_json_schema",
    "settled_span",
]

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_date(value: Any) -> date:
    # Only a calendar date or its ISO text: no epoch numbers, no datetimes, no other spellings
    # (a schedule is copied from a notice; anything else is a typo to report, not to interpret).
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value
    if isinstance(value, str) and _ISO_DATE.match(value):
        return date.fromisoformat(value)
    raise ValueError(f"expected a date written YYYY-MM-DD, got {value!r}")


IsoDate = Annotated[
    date,
    BeforeValidator(_iso_date),
    Field(json_schema_extra={"type": "string", "format": "date", "pattern": _ISO_DATE.pattern}),
]


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Notice(_Strict):
    """The notice the schedule copies: its citation."""

    title: StrictStr = Field(
        min_length=1,
        pattern=r"^国务院办公厅关于\d{4}年部分节假日安排的通知$",
        description="the notice's title, e.g. 国务院办公厅关于2025年部分节假日安排的通知",
    )
    number: StrictStr = Field(
        min_length=1, description="the document number, e.g. 国办发明电〔2024〕12号"
    )
    date: IsoDate = Field(description="the date the notice was issued")
    url: StrictStr | None = Field(None, description="where the notice was read (optional)")


class OffSpan(_Strict):
    """Consecutive days off, both ends included."""

    from_: IsoDate = Field(alias="from", description="first day off")
    to: IsoDate = Field(description="last day off (included)")


class Holiday(_Strict):
    """One break of the notice: its days off and the weekend days worked in exchange (调休)."""

    name: StrictStr = Field(
        min_length=1, description="the break's name as the notice gives it, e.g. 春节"
    )
    # Not ``off``: YAML 1.1 reads a bare ``off`` key as the boolean false.
    days_off: OffSpan = Field(description="the days off (放假)")
    makeup_workdays: tuple[IsoDate, ...] = Field(
        (), description="Saturdays or Sundays worked in exchange (调休上班)"
    )


class HolidaySchedule(_Strict):
    """One year's holiday schedule as a notice states it (validated; see module docstring)."""

    year: StrictInt = Field(ge=1949, le=2999, description="the year the notice arranges")
    notice: Notice
    holidays: tuple[Holiday, ...] = Field(min_length=1)
    overrides_package: StrictStr | None = Field(
        None,
        min_length=1,
        description="only for a year the bundled calendar already knows: why this file must "
        "replace it (e.g. a later notice moved a day). Without it a contradiction is an error.",
    )
    note: StrictStr | None = Field(None, description="free text kept with the schedule")
    _source: str = PrivateAttr("<memory>")

    @property
    def source(self) -> str:
        """Where the schedule was read from (the file name in every error)."""
        return self._source

    def days_off(self) -> frozenset[date]:
        """Every day off of every break (statutory holidays, weekends inside breaks included)."""
        return frozenset(d for h in self.holidays for d in _span(h.days_off.from_, h.days_off.to))

    def workdays(self) -> frozenset[date]:
        """The weekend days worked in exchange (调休上班)."""
        return frozenset(d for h in self.holidays for d in h.makeup_workdays)

    def span(self) -> tuple[date, date]:
        """The days this year's notice settles (see :func:`settled_span`)."""
        return settled_span(self.year)

    def is_working_day(self, d: date) -> bool:
        return d in self.workdays() or (d.weekday() < 5 and d not in self.days_off())


def settled_span(year: int) -> tuple[date, date]:
    """29 December of ``year - 1`` to 28 December of ``year``: the days ``year``'s notice settles."""
    return date(year - 1, 12, 29), date(year, 12, 28)


def _span(first: date, last: date) -> list[date]:
    return [date.fromordinal(n) for n in range(first.toordinal(), last.toordinal() + 1)]


def _check(schedule: HolidaySchedule, where: str) -> None:
    """The rules a notice always obeys; each error names the file and the entry."""
    first, last = schedule.span()
    title_year = int(schedule.notice.title[8:12])
    if title_year != schedule.year:
        raise ScheduleError(
            f"{where}: notice.title is about {title_year} but year is {schedule.year}"
        )
    if not schedule.year - 1 <= schedule.notice.date.year <= schedule.year:
        raise ScheduleError(
            f"{where}: notice.date {schedule.notice.date} is not in {schedule.year - 1} or "
            f"{schedule.year} (a year's notice is issued the year before or in the year)"
        )
    owner: dict[date, str] = {}
    for index, holiday in enumerate(schedule.holidays):
        entry = f"{where}: holidays[{index}] ({holiday.name})"
        off = holiday.days_off
        if off.to < off.from_:
            raise ScheduleError(f"{entry}: days_off.to {off.to} is before days_off.from")
        for d in (off.from_, off.to, *holiday.makeup_workdays):
            if not first <= d <= last:
                raise ScheduleError(
                    f"{entry}: {d} is outside the {schedule.year} notice's span {first}..{last} "
                    f"(days from 29 December on belong to the next year's notice)"
                )
        for d in holiday.makeup_workdays:
            if d.weekday() < 5:
                raise ScheduleError(
                    f"{entry}: make-up workday {d} is a {d.strftime('%A')}, not a weekend day "
                    f"(调休 turns a Saturday or Sunday into a working day)"
                )
        for d in (*_span(off.from_, off.to), *holiday.makeup_workdays):
            kind = "make-up workday" if d in holiday.makeup_workdays else "day off"
            if d in owner:
                raise ScheduleError(f"{entry}: {d} ({kind}) is also {owner[d]}")
            owner[d] = f"a {kind} of holidays[{index}] ({holiday.name})"


def parse_schedule(data: Any, *, source: str = "<memory>") -> HolidaySchedule:
    """Validate one year's schedule given as a mapping (as read from YAML or JSON)."""
    if not isinstance(data, dict):
        raise ScheduleError(f"{source}: expected a mapping with year, notice and holidays")
    try:
        schedule = HolidaySchedule.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(top)'}: {validation_message(e)}"
            for e in exc.errors(include_url=False)
        )
        raise ScheduleError(f"{source}: {problems}") from None
    schedule._source = source
    _check(schedule, source)
    return schedule


def load_schedule(path: Path | str) -> HolidaySchedule:
    """Read and validate one year's schedule file (``.yaml``, ``.yml`` or ``.json``).

    Raises :class:`~fangfan_rules.errors.ScheduleError` naming the file and the entry for a
    missing or malformed citation, a date outside the year's span, a make-up workday that is not
    a weekend day, a day both off and worked, or an unknown key.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".json", ".yaml", ".yml"):
        raise ScheduleError(f"{path}: a schedule file ends in .yaml, .yml or .json")
    try:
        if suffix == ".json":
            data = json.loads(path.read_text(encoding="utf-8"))
        else:
            from fangfan_rules.rules.yamlload import load_yaml

            data = load_yaml(path)
    except OSError as exc:
        raise ScheduleError(f"{path}: cannot read the schedule file ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise ScheduleError(f"{path}: not UTF-8 text (save the schedule as UTF-8)") from None
    except json.JSONDecodeError as exc:
        raise ScheduleError(f"{path}: not valid JSON: {exc}") from None
    except FangfanError as exc:  # the strict YAML loader: duplicate keys, syntax (file and line)
        raise ScheduleError(str(exc)) from None
    except ValueError as exc:  # YAML's own date constructor: 2031-02-30
        raise ScheduleError(f"{path}: {exc}") from None
    return parse_schedule(data, source=str(path))


def schedule_json_schema() -> dict[str, Any]:
    """The JSON Schema of a schedule file (the cross-field rules are checked by the loader)."""
    schema = HolidaySchedule.model_json_schema(by_alias=True)
    schema["title"] = "fangfan-rules holiday schedule (one year of 国务院办公厅部分节假日安排)"
    return schema
