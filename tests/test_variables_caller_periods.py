"""Hand-worked tests of the variables qianshan_2023 ⑤ reads with the caller's periods, native and
columnar alike: per_capita_net_income_fall (the change read the other way round: "收入大幅缩") and
compliant_self_paid_since (spending from the caller's look-back start: "刚性支出较大")."""

from datetime import date
from decimal import Decimal
from fractions import Fraction

from fangfan_rules.dates import DateRange
from fangfan_rules.logic import Missing
from tests.helpers import household, record
from tests.test_variables_labour_events_income import _columnar, _native

AS_OF = date(2024, 6, 30)
Y2023 = DateRange.year(2023)
Y2022 = DateRange.year(2022)
MEMBERS = [{"id": "m1", "relation": "head"}, {"id": "m2", "relation": "spouse"}]


def _household(hid: str, *income: dict) -> object:
    return household(id=hid, members=MEMBERS, income=list(income))


def test_a_fall_is_positive_a_rise_negative_and_equal_income_zero():
    fell = _household(
        "fell",
        record("2022-01-01", "2022-12-31", wage="30000.00"),
        record("2023-01-01", "2023-12-31", wage="20000.01"),
    )
    rose = _household(
        "rose",
        record("2022-01-01", "2022-12-31", wage="20000.00"),
        record("2023-01-01", "2023-12-31", wage="30000.00"),
    )
    same = _household(
        "same",
        record("2022-01-01", "2022-12-31", wage="20000.00"),
        record("2023-01-01", "2023-12-31", wage="20000.00"),
    )
    # per capita 15,000.00 → 10,000.005: a fall of 4,999.995 (exact, not rounded to the fen)
    expected = {"fell": Decimal("4999.995"), "rose": Decimal("-5000.00"), "same": Decimal("0")}
    columnar = _columnar(
        "per_capita_net_income_fall", [fell, rose, same], window=Y2023, previous=Y2022
    )
    for h in (fell, rose, same):
        native = _native("per_capita_net_income_fall", h, window=Y2023, previous=Y2022)
        assert native == expected[h.id]
        assert native == -_native("per_capita_net_income_change", h, window=Y2023, previous=Y2022)
        assert columnar[h.id] == Fraction(expected[h.id])


def test_a_year_without_income_records_is_unknown_in_both_engines():
    partial = _household("partial", record("2023-01-01", "2023-12-31", wage="20000.00"))
    native = _native("per_capita_net_income_fall", partial, window=Y2023, previous=Y2022)
    assert isinstance(native, Missing) and native.facts
    assert _columnar("per_capita_net_income_fall", [partial], window=Y2023, previous=Y2022) == {
        "partial": None
    }


def test_self_paid_since_sums_the_kinds_from_the_start_to_as_of_and_a_later_start_is_empty():
    h = household(
        id="spent",
        expenditures=[
            {
                "kind": "medical",
                "date": "2024-04-30",
                "total": "900",
                "reimbursed": "0",
                "compliant_self_paid": "900",
            },
            {
                "kind": "medical",
                "date": "2024-05-01",
                "total": "1000",
                "reimbursed": "0",
                "compliant_self_paid": "1000",
            },
            {
                "kind": "accident",
                "date": "2024-06-30",
                "total": "250.5",
                "reimbursed": "0",
                "compliant_self_paid": "250.50",
            },
            {
                "kind": "schooling",
                "date": "2024-06-01",
                "total": "7000",
                "reimbursed": "0",
                "compliant_self_paid": "7000",
            },
            {
                "kind": "medical",
                "date": "2024-07-01",
                "total": "5000",
                "reimbursed": "0",
                "compliant_self_paid": "5000",
            },
        ],
    )
    none = household(id="none")
    kinds = ("medical", "accident")
    cases = {date(2024, 5, 1): Decimal("1250.50"), date(2024, 7, 1): Decimal("0.00")}
    for since, expected in cases.items():
        native = _native("compliant_self_paid_since", h, since=since, kinds=kinds)
        assert native == expected
        columnar = _columnar("compliant_self_paid_since", [h, none], since=since, kinds=kinds)
        assert columnar == {"spent": Fraction(expected) * 100, "none": 0}
