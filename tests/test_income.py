"""Hand-worked income examples (exact decimal yuan)."""

from datetime import date
from decimal import Decimal

import pytest

from fangfan_rules import (
    DateRange,
    compliant_self_paid,
    net_income,
    per_capita_change,
    per_capita_net_income,
)
from fangfan_rules.logic import Missing
from fangfan_rules.money import format_yuan
from tests.helpers import household, record

YEAR_2022 = DateRange.year(2022)


def test_net_income_is_four_components_minus_business_expense():
    # 12,000 wage + 5,000 business + 300 property + 2,400 transfer − 1,700 expense = 18,000
    h = household(
        income=[record("2022-01-01", "2022-12-31", "12000", "5000", "300", "2400", "1700")]
    )
    assert net_income(h, YEAR_2022) == Decimal("18000.00")


def test_per_capita_divides_by_counted_members():
    members = [{"id": f"m{i}", "relation": "head" if i == 0 else "child"} for i in range(3)]
    members.append({"id": "away", "relation": "other", "counted_in_household": False})
    h = household(members=members, income=[record("2022-01-01", "2022-12-31", "20000")])
    # 20,000 / 3 = 6,666.666…: kept exact for comparisons, shown as 6,666.67
    value = per_capita_net_income(h, YEAR_2022)
    assert Decimal("6666.6666666") < value < Decimal("6666.6666667")
    assert format_yuan(value) == "6,666.67"


def test_per_capita_is_not_rounded_before_a_boundary():
    # 20,699.99 / 3 = 6,899.9966…: 低于 6,900 (a fen rounding first would say 6,900.00)
    members = [{"id": f"m{i}", "relation": "head" if i == 0 else "child"} for i in range(3)]
    h = household(members=members, income=[record("2022-01-01", "2022-12-31", "20699.99")])
    assert per_capita_net_income(h, YEAR_2022) < Decimal("6900")


def test_pro_rata_by_days_for_partial_records():
    # The qianshan window 2022-05-01..2023-04-30 over two calendar-year records:
    # 2022: 245 of 365 days of 36,500 = 24,500; 2023: 120 of 365 days of 3,650 (Jan–Dec) = 1,200.
    h = household(
        income=[
            record("2022-01-01", "2022-12-31", "36500"),
            record("2023-01-01", "2023-12-31", "3650"),
        ]
    )
    window = DateRange(start=date(2022, 5, 1), end=date(2023, 4, 30))
    assert net_income(h, window) == Decimal("25700.00")


def test_uncovered_days_make_income_unknown_not_zero():
    h = household(income=[record("2022-01-01", "2022-12-30", "36500")])
    value = net_income(h, YEAR_2022)
    assert isinstance(value, Missing)
    assert "1 of 365 days" in value.facts[0]


def test_no_members_is_unknown():
    h = household(members=[], income=[record("2022-01-01", "2022-12-31", "100")])
    assert isinstance(per_capita_net_income(h, YEAR_2022), Missing)


def test_negative_property_income_and_net_loss():
    h = household(income=[record("2022-01-01", "2022-12-31", "1000", prop="-1500.50")])
    assert net_income(h, YEAR_2022) == Decimal("-500.50")


def test_year_on_year_change():
    h = household(
        income=[
            record("2021-01-01", "2021-12-31", "12000"),
            record("2022-01-01", "2022-12-31", "9000.50"),
        ]
    )
    assert per_capita_change(h, YEAR_2022, DateRange.year(2021)) == Decimal("-2999.50")


def test_compliant_self_paid_in_window_by_kind():
    spending = [
        {
            "kind": "medical",
            "date": "2022-03-01",
            "total": "30000",
            "reimbursed": "18000",
            "compliant_self_paid": "9000",
        },
        {
            "kind": "medical",
            "date": "2023-01-01",
            "total": "5000",
            "reimbursed": "0",
            "compliant_self_paid": "5000",
        },
        {
            "kind": "schooling",
            "date": "2022-09-01",
            "total": "4000",
            "reimbursed": "1000",
            "compliant_self_paid": "3000",
        },
    ]
    h = household(expenditures=spending)
    assert compliant_self_paid(h.expenditures, YEAR_2022) == Decimal("12000.00")
    assert compliant_self_paid(h.expenditures, YEAR_2022, ["medical"]) == Decimal("9000.00")


def test_overlapping_income_periods_rejected():
    from fangfan_rules.errors import FactError

    with pytest.raises(FactError, match="overlap"):
        household(
            income=[
                record("2022-01-01", "2022-12-31", "1"),
                record("2022-12-01", "2023-01-31", "1"),
            ]
        )


def test_window_helpers():
    assert DateRange.months_back(date(2024, 4, 30), 12) == DateRange(
        start=date(2023, 5, 1), end=date(2024, 4, 30)
    )
    assert DateRange.year(2022).shifted_years(-1) == DateRange.year(2021)
