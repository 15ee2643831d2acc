"""Issue 12, finding 10: strategies draw only dates a pack answers on; the error and ``packs``
say which parameter ends when."""

from __future__ import annotations

import doctest
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fangfan_rules as ff
from fangfan_rules import strategies as fs

PACKS = ff.available_packs()


def test_strategies_docstring_example_runs():
    results = doctest.testmod(fs, raise_on_error=False, verbose=False)
    assert results.attempted >= 5 and results.failed == 0


@pytest.mark.parametrize("name", PACKS)
def test_as_of_dates_are_answerable(name):
    pack = ff.load_pack(name)
    figures = {"monitoring_income_line": "7000", "income_window": "2022-01-01..2022-12-31"}
    # the figures without which the pack cannot answer; those declared `review` stay unsupplied
    # (what reads them is unknown, never an error)
    needed = [n for n in pack.caller_supplied() if pack.parameters[n].when_not_supplied == "error"]
    supplied = pack.with_parameters(**{n: figures[n] for n in needed})

    @settings(max_examples=60, deadline=None)
    @given(fs.households(), fs.as_of_dates(pack))
    def never_out_of_force(household, as_of):
        supplied.identify(household, as_of=as_of)  # NotInForceError would fail the test

    never_out_of_force()


def test_ewenki_dates_stop_with_its_income_line_unless_supplied():
    pack = ff.load_pack("ewenki_2024")
    assert pack.answerable_ranges() == ((date(2024, 5, 11), date(2024, 12, 31)),)
    drawn = st.lists(fs.as_of_dates(pack), min_size=50, max_size=50)

    @settings(max_examples=5, deadline=None)
    @given(drawn)
    def inside(days):
        assert all(date(2024, 5, 11) <= d <= date(2024, 12, 31) for d in days)

    inside()
    # the printed income window (二、(一)) ends with the 2024 benchmark it is compared with
    assert pack.with_parameters(monitoring_income_line="9000").answerable_ranges() == (
        (date(2024, 5, 11), date(2024, 12, 31)),
    )
    later = pack.with_parameters(
        monitoring_income_line="9000", income_window="2024-01-01..2024-12-31"
    )
    assert later.answerable_ranges() == ((date(2024, 5, 11), None),)
    assert later.parameter_limits() == ()


def test_not_in_force_says_which_parameter_ends_when():
    pack = ff.load_pack("ewenki_2024")
    assert [v.name for v in pack.parameter_limits()] == ["income_window", "monitoring_income_line"]
    with pytest.raises(ff.NotInForceError) as info:
        pack.with_parameters(income_window="2024-01-01..2024-12-31").identify(ff.load_household({"id": "H", "area": {"county": "c", "town": "t",
                      "village": "v"}, "hukou": "rural", "members": [{"id": "m1",
                      "relation": "head"}]}), as_of=date(2025, 3, 1))  # fmt: skip
    assert str(info.value) == (
        "ewenki_2024: monitoring_income_line has no value in force on 2025-03-01: "
        "monitoring_income_line (8300.00, 一、(一)) is in force 2024-05-11..2024-12-31; "
        "supply --param monitoring_income_line=… (in Python "
        "pack.with_parameters(monitoring_income_line=…)) for other dates"
    )


def test_validity_of_a_parameter_with_one_value():
    text = ff.load_pack("jimo_2022").validity_text("home_verification_working_days")
    assert text == "home_verification_working_days (3, 二、(二)) is in force 2022-04-07.."


def test_validity_of_a_parameter_with_several_values(tmp_path):
    """A parameter whose document states two dated values lists each span with its value and
    clause (a copy of jimo_2022 given a second, later value: no bundled pack has one now)."""
    import shutil

    copy = tmp_path / "jimo_copy"
    shutil.copytree(
        ff.load_pack("jimo_2022").directory, copy, ignore=shutil.ignore_patterns("__pycache__")
    )
    text = (copy / "parameters.yaml").read_text(encoding="utf-8")
    marker = "  values:\n    2022-04-07:\n      value: 3\n"
    assert marker in text
    text = text.replace(
        marker,
        "  values:\n    2023-01-01:\n      value: 2\n      citation: 二、(二)\n"
        "      quote: 自本通知印发之日起，将认定程序中的入户核实时间由5个工作日调整为3个工作日\n"
        + marker[10:],
        1,
    )
    (copy / "parameters.yaml").write_text(text, encoding="utf-8")
    pack = ff.Pack.from_directory(copy)
    assert pack.validity_text("home_verification_working_days") == (
        "home_verification_working_days is in force 2022-04-07..2022-12-31 (3, 二、(二)), "
        "2023-01-01.. (2, 二、(二))"
    )
