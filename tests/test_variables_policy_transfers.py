"""Hand-worked tests of ``policy_transfer_main_source`` (fangfan_rules/variables/elimination.py)
and its columnar twin: ewenki_2024 一、(三) "收入主要来源为兜底保障等政策性补贴" reads the policy part of
transfer income (``IncomeRecord.policy_transfer_income``), not transfers as a whole — remittances
and family support are transfer income but no 政策性补贴."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

import fangfan_rules as ff
from fangfan_rules.dates import DateRange
from fangfan_rules.engines import columnar as col
from fangfan_rules.engines.columnar_validation import validate
from fangfan_rules.logic import Missing
from fangfan_rules.rules.wording import fact_text
from tests.helpers import household
from tests.helpers import record as income_record
from tests.test_variables_labour_events_income import _columnar, _native

AS_OF = date(2024, 6, 30)
WINDOW = DateRange(start=date(2023, 5, 1), end=date(2024, 4, 30))


def record(
    transfer: str,
    policy: str | None,
    property_income: str = "3000.00",
    start: str = "2023-05-01",
    end: str = "2024-04-30",
) -> dict:
    """An income record over the window (only property and transfer income); ``policy`` the
    policy part of the transfers (None: not recorded)."""
    fields = income_record(start, end, prop=property_income, transfer=transfer)
    if policy is not None:
        fields["policy_transfer_income"] = policy
    return fields


CASES = {
    # name: (income records, expected: True / False / "unknown")
    "policy the largest source": ([record("9000.00", "8000.00")], True),
    "mostly remittances": ([record("9000.00", "2000.00")], False),  # private 7,000 > policy
    "policy equal to property income": ([record("9000.00", "3000.00")], False),  # not larger
    "policy part not recorded": ([record("9000.00", None)], "unknown"),
    "transfers not the largest: false without the split": (
        [record("2000.00", None, property_income="5000.00")],
        False,
    ),
    "no transfers at all": ([record("0", None)], False),
    "window not covered": ([record("9000.00", "8000.00", end="2024-03-31")], "unknown"),
    "two records, the policy part of one missing": (
        [
            record("4500.00", "4000.00", end="2023-10-31"),
            record("4500.00", None, start="2023-11-01"),
        ],
        "unknown",
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_native_and_columnar(name: str) -> None:
    records, expected = CASES[name]
    h = household(id="p", income=records)
    native = _native("policy_transfer_main_source", h, window=WINDOW)
    columnar = _columnar("policy_transfer_main_source", [h], window=WINDOW)["p"]
    if expected == "unknown":
        assert isinstance(native, Missing) and columnar is None, name
    else:
        assert native is expected and columnar is expected, name


def test_the_unknown_names_the_record_and_field() -> None:
    h = household(id="p", income=[record("9000.00", None)])
    missing = _native("policy_transfer_main_source", h, window=WINDOW)
    assert missing.facts == ("income[2023-05-01..2024-04-30].policy_transfer_income",)
    assert fact_text(missing.facts[0]) == (
        "2023年5月至2024年4月的收入记录的其中政策性转移收入（兜底保障、养老金、各类政策性补贴）"
    )


def test_the_policy_part_cannot_exceed_the_transfers() -> None:
    with pytest.raises(ff.FactError, match=r"policy transfer income 1000\.01 exceeds transfer"):
        ff.load_household({**_base(), "income": [record("1000.00", "1000.01")]})


def _base() -> dict:
    return household(id="p").model_dump(mode="json", exclude={"income"})


def test_the_batch_validation_reports_the_row_and_keeps_the_others() -> None:
    good = household(id="ok", income=[record("9000.00", "8000.00")])
    bad = household(id="bad", income=[record("9000.00", "8000.00")])
    tables = col.to_tables([good, bad])
    income = tables["income"]
    tables["income"] = income.with_columns(
        policy_transfer_income_fen=pl.when(pl.col("household_id") == "bad")
        .then(900001)
        .otherwise(pl.col("policy_transfer_income_fen"))
    )
    valid, errors = validate(tables)
    assert valid["households"].get_column("household_id").to_list() == ["ok"]
    (message,) = errors.get_column("error").to_list()
    # the batch's money is integer fen, and its value is shown as given
    assert (
        "household bad" in message and "income[0].policy_transfer_income_fen = '900001'" in message
    )
    assert "exceeds transfer income" in message
