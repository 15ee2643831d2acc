from datetime import date
from decimal import Decimal

import pytest

import fangfan_rules as ff
from fangfan_rules.errors import MissingParameterError, PackError, ParameterError
from fangfan_rules.rules.parameters import parse_parameters
from fangfan_rules.rules.yamlload import load_yaml_text


def test_duplicate_keys_rejected():
    with pytest.raises(PackError, match="duplicate key 'a'"):
        load_yaml_text("a: 1\nb: 2\na: 3\n")


def _params(text: str):
    return parse_parameters("p", load_yaml_text(text), "test.yaml")


def test_undated_value_rejected():
    with pytest.raises(ParameterError, match="not a date"):
        _params(
            "x:\n  description: {zh: 甲, en: a}\n  type: money\n  values:\n    latest: {value: 1, citation: 一}\n"
        )


def test_value_needs_citation():
    with pytest.raises(ParameterError, match="citation"):
        _params(
            "x:\n  description: {zh: 甲, en: a}\n  type: money\n  values:\n    2023-01-01: {value: 1}\n"
        )


def test_dated_values_and_validity():
    params = _params(
        "x:\n  description: {zh: 甲, en: a}\n  type: int\n  unit: working days\n  values:\n"
        "    2021-01-01: {value: 5, citation: 二、(二), quote: 由5个工作日}\n"
        "    2022-04-07: {value: 3, citation: 二、(二), quote: 调整为3个工作日, expires: 2022-12-31}\n"
    )
    x = params["x"]
    assert x.at(date(2022, 4, 6)).value == 5 and x.at(date(2022, 4, 6)).valid_to == date(2022, 4, 6)
    assert x.at(date(2022, 4, 7)).value == 3 and x.at(date(2022, 4, 7)).citation == "p:二、(二)"
    with pytest.raises(ff.NotInForceError):
        x.at(date(2023, 1, 1))


def test_not_stated_line_must_be_supplied_and_is_recorded():
    pack = ff.load_pack("qianshan_2023")
    assert "monitoring_income_line" in pack.caller_supplied()
    assert not pack.parameter_value("monitoring_income_line", date(2023, 5, 1)).stated
    supplied = pack.with_parameters(monitoring_income_line="6900")
    value = supplied.parameter_value("monitoring_income_line", date(2023, 5, 1))
    assert value.value == Decimal("6900.00") and value.source == "caller"
    assert supplied.content_hash != pack.content_hash
    assert pack.overrides == {}  # the original pack is untouched
    assert supplied.reforms == ("monitoring_income_line=6900.00 (caller)",)


def test_missing_line_error_names_parameter_and_clause():
    from tests.helpers import household

    pack = ff.load_pack("qianshan_2023")
    with pytest.raises(MissingParameterError) as info:
        pack.identify(household(), as_of=date(2023, 6, 1))
    assert info.value.parameter == "monitoring_income_line"
    assert "一、(一)2.(1)" in str(info.value)


def test_bad_supplied_values():
    pack = ff.load_pack("qianshan_2023")
    with pytest.raises(ParameterError, match="no parameter"):
        pack.with_parameters(monitoring_line=1)
    with pytest.raises(ParameterError, match="invalid money"):
        pack.with_parameters(monitoring_income_line="lots")
