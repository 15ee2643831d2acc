import json
from datetime import date

import pytest
from pydantic import ValidationError

import fangfan_rules as ff
from fangfan_rules.errors import FactError
from tests.helpers import household, record


def test_errors_name_household_field_and_value():
    with pytest.raises(FactError) as info:
        household(
            hukou="moon",
            income=[record("2022-01-01", "2022-12-31", "nan")],
            guarantees={"housing_grade": "E"},
        )
    text = str(info.value)
    assert "household T-1" in text
    assert "hukou = 'moon'" in text
    assert "income[0].wage_income" in text
    assert "guarantees.housing_grade = 'E'" in text
    assert info.value.household_id == "T-1"
    assert len(info.value.problems) == 3


def test_unknown_fields_are_errors_not_ignored():
    with pytest.raises(FactError, match="lifted_out_of_povrty"):
        household(lifted_out_of_povrty=True)


def test_spending_parts_must_fit():
    with pytest.raises(FactError, match="exceeds"):
        household(
            expenditures=[
                {
                    "kind": "medical",
                    "date": "2022-01-01",
                    "total": "100",
                    "reimbursed": "80",
                    "compliant_self_paid": "30",
                }
            ]
        )


def test_json_round_trip_and_immutability():
    h = household(
        members=[
            {
                "id": "m1",
                "relation": "head",
                "id_number": "11010519491231002X",
                "disability": {"grade": 2, "certificate_date": "2023-02-01"},
            }
        ],
        income=[record("2022-01-01", "2022-12-31", "1.10")],
        lifted_out_of_poverty=True,
        lifted_year=2019,
        area={"county": "c", "town": "t", "village": "v", "tags": ["relocation_site"]},
    )
    text = h.model_dump_json(context={"reveal_ids": True})
    assert ff.Household.model_validate_json(text) == h
    assert ff.load_household(text) == h
    with pytest.raises(ValidationError):
        h.id = "other"  # type: ignore[misc]


def test_json_schema_is_exported():
    schema = ff.household_json_schema()
    assert schema["title"] == "fangfan-rules household"
    assert "members" in schema["properties"]
    json.dumps(schema)


def test_facts_after_as_of_are_left_out_and_listed():
    h = household(
        members=[
            {
                "id": "m1",
                "relation": "head",
                "disability": {"grade": 1, "certificate_date": "2023-06-01"},
            },
            {"id": "baby", "relation": "child", "birth_date": "2023-07-01"},
        ],
        income=[record("2022-01-01", "2022-12-31", "1"), record("2023-01-01", "2023-12-31", "1")],
        risk_events=[{"type": "illness", "date": "2023-05-31"}],
    )
    view, excluded = ff.known_at(h, date(2023, 5, 31))
    assert [m.id for m in view.members] == ["m1"] and view.members[0].disability is None
    assert len(view.income) == 1 and len(view.risk_events) == 1
    assert {e.path for e in excluded} == {
        "members[m1].disability",
        "members[baby]",
        "income[2023-01-01..2023-12-31]",
    }


def test_an_assistance_end_after_as_of_is_blanked_and_listed():
    """A dibao spell that ends after as_of was still running as far as as_of knew: the view
    keeps it without its end, and the end is listed among the facts left out (like every other
    date the view blanks), so a trace never shows a view that differs from the household with
    nothing listed."""
    h = household(
        social_assistance=[
            {"kind": "dibao", "start": "2023-04-01", "end": "2023-06-10"},
            {"kind": "dispersed_tekun", "start": "2022-01-01", "end": "2023-03-31"},
        ]
    )
    view, excluded = ff.known_at(h, date(2023, 5, 15))
    assert [(a.kind.value, a.end) for a in view.social_assistance] == [
        ("dibao", None),
        ("dispersed_tekun", date(2023, 3, 31)),
    ]
    assert [(e.path, e.dated) for e in excluded] == [
        ("social_assistance[dibao 2023-04-01].end", date(2023, 6, 10))
    ]
    explained = ff.load_pack("qianshan_2023").with_parameters(monitoring_income_line="7000")
    text = explained.identify(h, as_of=date(2023, 5, 15)).explain("zh")
    assert "2023年4月1日起的农村低保的终止日期" in text
    # on the end date itself it is known: nothing left out
    assert ff.known_at(h, date(2023, 6, 10))[1] == ()


def test_two_monitoring_spells_identified_the_same_day_are_refused():
    """Which spell is current is the latest by identification date; a tie would make the answer
    depend on the order of the input (found by test_order_of_members_changes_nothing_at_all)."""
    spell = {"category": "unstable_lifted", "identified_on": "2021-01-01"}
    with pytest.raises(FactError, match="two monitoring spells identified on 2021-01-01") as info:
        household(monitoring=[spell, {**spell, "measures": ["industry"]}])
    assert "household T-1" in str(info.value)
    # Spells on different days are the household's history, read as before.
    later = household(monitoring=[spell, {**spell, "identified_on": "2022-03-01"}])
    assert [r.identified_on for r in later.monitoring] == [date(2021, 1, 1), date(2022, 3, 1)]
