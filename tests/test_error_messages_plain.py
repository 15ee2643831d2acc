"""Error messages say what is wrong in the library's own sentence: pydantic's ``Value error, ``
prefix (a Python exception class named to town staff) is not shown anywhere a caller reads it."""

from __future__ import annotations

import io
import json

import pytest
from pydantic import BaseModel, ValidationError, field_validator

import fangfan_rules as ff
from fangfan_rules.errors import validation_message
from fangfan_rules.io import read_households
from fangfan_rules.timeline import Case
from tests.helpers import sample_households


def _household() -> dict:
    return json.loads(sample_households()[0].model_dump_json(context={"reveal_ids": True}))


class _Model(BaseModel):
    day: int

    @field_validator("day")
    @classmethod
    def _positive(cls, value: int) -> int:
        if value <= 0:
            raise ValueError("a day count is at least 1")
        return value


def test_validation_message_drops_the_prefix_only():
    with pytest.raises(ValidationError) as caught:
        _Model(day=0)
    item = caught.value.errors()[0]
    assert item["msg"] == "Value error, a day count is at least 1"  # pydantic's own text
    assert validation_message(item) == "a day count is at least 1"
    with pytest.raises(ValidationError) as caught:
        _Model(day="x")  # type: ignore[arg-type]
    item = caught.value.errors()[0]
    assert (
        validation_message(item)
        == item["msg"]
        == ("Input should be a valid integer, unable to parse string as an integer")
    )


def test_household_errors_have_no_prefix():
    data = _household()
    data["income"][0]["end"] = "1900-01-01"
    data["members"][0]["birth_date"] = "2020-13-01"
    with pytest.raises(ff.FactError) as caught:
        ff.load_household(data)
    text = str(caught.value)
    assert "Value error" not in text
    assert "no such day: '2020-13-01'" in text
    assert "income period ends (1900-01-01) before it starts" in text
    reasons = [reason for _, _, reason in caught.value.problems]
    assert all(not r.startswith("Value error") for r in reasons)


def test_a_household_rule_between_fields_has_no_prefix():
    data = _household()
    data["members"].append(dict(data["members"][0]))
    with pytest.raises(ff.FactError) as caught:
        ff.load_household(data)
    (problem,) = caught.value.problems
    assert problem[2].startswith("member id ")
    assert problem[2].endswith(" appears twice")


def test_bad_rows_read_from_a_file_have_no_prefix():
    data = _household()
    data["income"][0]["end"] = "1900-01-01"
    (row,) = read_households(io.BytesIO(json.dumps(data).encode() + b"\n"))
    assert row.household is None and row.error is not None
    assert "Value error" not in row.error
    assert "before it starts" in row.error


def test_a_case_problem_has_no_prefix():
    with pytest.raises(ValidationError) as caught:
        Case.model_validate_json(
            '{"household_id": "H-1", "events": [{"step": "clue_received", "date": "2023-02-30"}]}'
        )
    messages = [validation_message(e) for e in caught.value.errors(include_url=False)]
    assert messages == ["no such day: '2023-02-30'"]
