"""Holiday schedule files (issue 12, finding 9): a year the bundled calendar does not know yet.

Every schedule here is a FICTITIOUS TEST FIXTURE (made-up notice numbers and dates); the real
notices for years after the bundled calendar are not available to this repository.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

import fangfan_rules as ff
from fangfan_rules import calendar as cal
from fangfan_rules.errors import CalendarError, ScheduleError
from fangfan_rules.holiday_schedule import parse_schedule, schedule_json_schema

FIXTURES = Path(__file__).parent / "fixtures" / "calendar"
FICTITIOUS_2027 = FIXTURES / "fictitious_2027.yaml"
FICTITIOUS_2028 = FIXTURES / "fictitious_2028.json"
D = date.fromisoformat


def schedule(year: int = 2031, **changes: object) -> dict[str, object]:
    """A FICTITIOUS schedule for ``year`` (fake notice number), changed by ``changes``."""
    data: dict[str, object] = {
        "year": year,
        "notice": {
            "title": f"国务院办公厅关于{year}年部分节假日安排的通知",
            "number": "测试虚构〔0000〕9号",
            "date": f"{year - 1}-11-01",
        },
        "note": "FICTITIOUS TEST FIXTURE",
        "holidays": [
            {
                "name": "春节",
                "days_off": {"from": f"{year}-01-22", "to": f"{year}-01-29"},
                "makeup_workdays": [f"{year}-01-19", f"{year}-02-08"],
            }
        ],
    }
    data.update(changes)
    return data


def write(tmp_path: Path, data: dict[str, object], name: str = "s.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


# --- a deadline across 2026-12-29 --------------------------------------------------------------


def test_deadline_across_2027_refused_without_schedule_and_computed_with_one():
    with pytest.raises(CalendarError, match=r"2026-12-29.*--calendar FILE"):
        cal.add_working_days(D("2026-12-28"), 5)
    extended = cal.official_calendar(extra=[FICTITIOUS_2027])
    # 12-29, 12-30, 12-31, then the (fictitious) New Year break 01-01..01-03, then 01-04, 01-05
    assert cal.add_working_days(D("2026-12-28"), 5, calendar=extended) == D("2027-01-05")
    assert extended.known_range() == (D("2004-01-01"), D("2027-12-28"))
    # a make-up Sunday is a working day, a day of the break is a statutory holiday
    assert extended.is_working_day(D("2027-02-14")) and extended.is_statutory_holiday(
        D("2027-02-08")
    )
    # the bundled years are still answered by the bundled calendar
    assert extended.is_working_day(D("2025-10-11")) and not extended.is_working_day(D("2025-10-01"))
    with pytest.raises(CalendarError, match="2027-12-29"):
        extended.is_working_day(D("2027-12-29"))


def test_deadline_from_a_timeline_uses_the_schedule():
    start = ff.Deadline.compute(
        name="t", label=ff.LocalText(zh="期限", en="limit"), start=D("2026-12-28"), days=5,
        count="working", as_of=D("2026-12-28"), citation="test",
    )  # fmt: skip
    assert start.status == "calendar_unknown" and start.due is None
    extended = ff.official_calendar(extra=[ff.load_schedule(FICTITIOUS_2027)])
    known = ff.Deadline.compute(
        name="t", label=ff.LocalText(zh="期限", en="limit"), start=D("2026-12-28"), days=5,
        count="working", as_of=D("2026-12-28"), citation="test", calendar=extended,
    )  # fmt: skip
    assert known.due == D("2027-01-05") and known.status == "pending"


def test_environment_variable_extends_the_default_calendar(monkeypatch):
    monkeypatch.setenv(
        cal.CALENDAR_ENV, f"{FICTITIOUS_2027}{__import__('os').pathsep}{FICTITIOUS_2028}"
    )
    assert cal.default_calendar().known_range()[1] == D("2028-12-28")
    assert cal.add_working_days(D("2026-12-28"), 5) == D("2027-01-05")
    assert cal.is_statutory_holiday(D("2028-01-03"))
    monkeypatch.delenv(cal.CALENDAR_ENV)
    assert cal.default_calendar().known_range()[1] == D("2026-12-28")


def test_json_and_yaml_files_load_with_their_citation():
    loaded = cal.load_schedule(FICTITIOUS_2028)
    assert loaded.year == 2028 and loaded.notice.number == "测试虚构〔0000〕2号"
    assert loaded.source == str(FICTITIOUS_2028)
    assert cal.load_schedule(FICTITIOUS_2027).workdays() == {D("2027-02-14"), D("2027-02-20")}


def test_json_schema_describes_the_file():
    jsonschema = pytest.importorskip("jsonschema")
    schema = schedule_json_schema()
    jsonschema.validate(schedule(), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(schedule(colour="red"), schema)
    assert schema["properties"]["holidays"]["minItems"] == 1


# --- validation: every error names the file and the entry --------------------------------------


def test_year_listed_twice(tmp_path):
    one = schedule(
        2027, holidays=[{"name": "元旦", "days_off": {"from": "2027-01-01", "to": "2027-01-01"}}]
    )
    a, b = write(tmp_path, one, "a.json"), write(tmp_path, one, "b.json")
    with pytest.raises(
        ScheduleError, match=r"2027 holiday schedule is given twice: .*a\.json and .*b\.json"
    ):
        cal.official_calendar(extra=[a, b])


def test_makeup_day_not_a_weekend(tmp_path):
    bad = schedule(holidays=[{"name": "春节", "days_off": {"from": "2031-01-22", "to": "2031-01-29"},
                              "makeup_workdays": ["2031-01-20"]}])  # fmt: skip
    with pytest.raises(
        ScheduleError,
        match=r"s\.json: holidays\[0\] \(春节\): make-up workday 2031-01-20 is a Monday",
    ):
        cal.load_schedule(write(tmp_path, bad))


def test_holiday_on_a_makeup_day(tmp_path):
    bad = schedule(holidays=[
        {"name": "春节", "days_off": {"from": "2031-01-22", "to": "2031-01-29"}},
        {"name": "清明节", "days_off": {"from": "2031-04-05", "to": "2031-04-07"}, "makeup_workdays": ["2031-01-25"]},
    ])  # fmt: skip
    with pytest.raises(
        ScheduleError,
        match=r"holidays\[1\] \(清明节\): 2031-01-25 \(make-up workday\) is also a day off of holidays\[0\] \(春节\)",
    ):
        cal.load_schedule(write(tmp_path, bad))


@pytest.mark.parametrize("day", ["2031-12-29", "2030-12-28", "2032-01-02"])
def test_date_outside_the_declared_year(tmp_path, day):
    bad = schedule(holidays=[{"name": "元旦", "days_off": {"from": day, "to": day}}])
    with pytest.raises(
        ScheduleError,
        match=rf"holidays\[0\] \(元旦\): {day} is outside the 2031 notice's span 2030-12-29\.\.2031-12-28",
    ):
        cal.load_schedule(write(tmp_path, bad))


def test_previous_december_29_to_31_belong_to_the_notice(tmp_path):
    ok = schedule(holidays=[{"name": "元旦", "days_off": {"from": "2030-12-30", "to": "2031-01-01"},
                             "makeup_workdays": ["2030-12-29"]}])  # fmt: skip
    assert cal.load_schedule(write(tmp_path, ok)).is_working_day(D("2030-12-29"))


@pytest.mark.parametrize(
    ("notice", "message"),
    [
        (None, "notice: Field required"),
        ({"title": "国务院办公厅关于2031年部分节假日安排的通知", "date": "2030-11-01"}, "notice.number: Field required"),
        ({"title": "国务院办公厅关于2031年部分节假日安排的通知", "number": "", "date": "2030-11-01"}, "notice.number: String should have at least 1 character"),
        ({"title": "节假日", "number": "x", "date": "2030-11-01"}, "notice.title: String should match pattern"),
        ({"title": "国务院办公厅关于2031年部分节假日安排的通知", "number": "x"}, "notice.date: Field required"),
        ({"title": "国务院办公厅关于2030年部分节假日安排的通知", "number": "x", "date": "2030-11-01"}, "notice.title is about 2030 but year is 2031"),
        ({"title": "国务院办公厅关于2031年部分节假日安排的通知", "number": "x", "date": "2020-11-01"}, "notice.date 2020-11-01 is not in 2030 or 2031"),
    ],
)  # fmt: skip
def test_missing_or_wrong_citation(tmp_path, notice, message):
    data = schedule()
    if notice is None:
        del data["notice"]
    else:
        data["notice"] = notice
    with pytest.raises(ScheduleError, match=rf"s\.json: .*{message}"):
        cal.load_schedule(write(tmp_path, data))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"colour": "red"}, "colour: Extra inputs are not permitted"),
        ({"year": True}, "year: Input should be a valid integer"),
        ({"holidays": []}, "holidays: Tuple should have at least 1 item"),
        ({"holidays": [{"name": "春节", "days_off": {"from": 1924905600, "to": "2031-01-29"}}]}, "expected a date written YYYY-MM-DD"),
        ({"holidays": [{"name": "春节", "days_off": {"from": "2031-01-29", "to": "2031-01-22"}}]}, "days_off.to 2031-01-22 is before days_off.from"),
    ],
)  # fmt: skip
def test_strict_fields(tmp_path, change, message):
    with pytest.raises(ScheduleError, match=message):
        cal.load_schedule(write(tmp_path, schedule(**change)))


def test_yaml_errors_name_the_file(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("year: 2031\nyear: 2032\n", encoding="utf-8")
    with pytest.raises(ScheduleError, match=r"bad\.yaml:2: duplicate key 'year'"):
        cal.load_schedule(path)
    path.write_text(
        "year: 2031\nholidays:\n  - {name: x, days_off: {from: 2031-02-30, to: 2031-03-01}}\n"
    )
    with pytest.raises(ScheduleError, match=r"bad\.yaml: .*day is out of range"):
        cal.load_schedule(path)
    with pytest.raises(ScheduleError, match=r"ends in \.yaml, \.yml or \.json"):
        cal.load_schedule(tmp_path / "x.txt")
    with pytest.raises(ScheduleError, match=r"missing\.yaml: file not found"):
        cal.load_schedule(tmp_path / "missing.yaml")


def test_a_gap_is_refused(tmp_path):
    with pytest.raises(
        ScheduleError,
        match=r"the 2031 schedule does not continue the calendar, which covers 2004-01-01\.\.2026-12-28",
    ):
        cal.official_calendar(extra=[write(tmp_path, schedule(2031))])


def test_a_known_year_is_never_contradicted_silently(tmp_path):
    # 2025 as the bundled calendar has it (National Day 10-01..10-08, 10-11 worked)...
    real = schedule(2025, holidays=[{"name": "国庆节、中秋节", "days_off": {"from": "2025-10-01", "to": "2025-10-08"},
                                     "makeup_workdays": ["2025-09-28", "2025-10-11"]}])  # fmt: skip
    bundled = cal.official_calendar()
    agreeing = {**real, "holidays": [
        {"name": "元旦", "days_off": {"from": "2025-01-01", "to": "2025-01-01"}},
        {"name": "春节", "days_off": {"from": "2025-01-28", "to": "2025-02-04"}, "makeup_workdays": ["2025-01-26", "2025-02-08"]},
        {"name": "清明节", "days_off": {"from": "2025-04-04", "to": "2025-04-06"}},
        {"name": "劳动节", "days_off": {"from": "2025-05-01", "to": "2025-05-05"}, "makeup_workdays": ["2025-04-27"]},
        {"name": "端午节", "days_off": {"from": "2025-05-31", "to": "2025-06-02"}},
        *real["holidays"],  # type: ignore[misc]
    ]}  # fmt: skip
    same = cal.official_calendar(extra=[write(tmp_path, agreeing, "agree.json")])
    assert same.known_range() == bundled.known_range() and same.schedules == ()
    # ... a file that leaves out most breaks contradicts it: refused, naming the days
    with pytest.raises(
        ScheduleError,
        match=r"real\.json: the 2025 schedule contradicts the bundled calendar .* on 2025-01-01, .*overrides_package",
    ):
        cal.official_calendar(extra=[write(tmp_path, real, "real.json")])
    # with a reason it replaces the bundled answer for that year only
    override = cal.official_calendar(
        extra=[
            write(tmp_path, {**real, "overrides_package": "test: a made-up later notice"}, "o.json")
        ]
    )
    assert override.is_working_day(D("2025-01-01")) and not bundled.is_working_day(D("2025-01-01"))
    assert override.is_working_day(D("2024-01-02")) == bundled.is_working_day(D("2024-01-02"))


def test_parse_schedule_needs_a_mapping():
    with pytest.raises(ScheduleError, match="<memory>: expected a mapping"):
        parse_schedule([1, 2])
