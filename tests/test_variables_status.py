"""Hand-worked tests of the clue, warning and status variables (fangfan_rules/variables/status.py)."""

from datetime import date
from decimal import Decimal

import fangfan_rules as ff
from fangfan_rules.logic import Missing
from fangfan_rules.variables import Context
from tests.helpers import household

AS_OF = date(2022, 5, 10)


def _value(name: str, h: ff.Household, as_of: date = AS_OF, **args):
    view, _ = ff.known_at(h, as_of)
    return ff.VARIABLES[name](Context(view, as_of), **args)


def test_assistance_active_on_the_evaluation_date():
    h = household(
        social_assistance=[
            {"kind": "dibao", "start": "2021-03-01", "end": "2022-03-31"},  # ended
            {"kind": "dispersed_tekun", "start": "2022-01-01"},  # running
            {"kind": "dibao_marginal", "start": "2022-06-01"},  # starts after as_of
            {"kind": "temporary_aid", "start": "2022-04-01", "end": "2022-05-10"},  # ends on as_of
        ]
    )
    assert _value("assistance_active", h, kinds=(ff.DibaoKind.DIBAO,)) is False
    assert _value("assistance_active", h, kinds=(ff.DibaoKind.DISPERSED_TEKUN,)) is True
    assert _value("assistance_active", h, kinds=(ff.DibaoKind.DIBAO_MARGINAL,)) is False
    # Both ends are inclusive: a spell ending on as_of still runs that day, not the day after.
    assert _value("assistance_active", h, kinds=(ff.DibaoKind.TEMPORARY_AID,)) is True
    assert (
        _value(
            "assistance_active",
            h,
            as_of=date(2022, 5, 11),
            kinds=(ff.DibaoKind.TEMPORARY_AID,),
        )
        is False
    )
    # The dibao spell ran on 2022-03-31 (its last day).
    assert _value("assistance_active", h, as_of=date(2022, 3, 31), kinds=("dibao",)) is True


def test_assistance_active_ignores_a_later_end_as_of_an_earlier_date():
    # On 2022-04-15 the spell ending 2022-05-10 was still running (its end was not known then).
    h = household(social_assistance=[{"kind": "dibao", "start": "2022-04-01", "end": "2022-05-10"}])
    assert _value("assistance_active", h, as_of=date(2022, 4, 15), kinds=("dibao",))
    # Raw (not known_at) household: a spell starting after as_of does not count either.
    raw = Context(h, date(2022, 3, 1))
    assert ff.VARIABLES["assistance_active"](raw, kinds=("dibao",)) is False


def test_has_clue_and_open_clue():
    h = household(
        clues=[
            {"channel": "self_application", "received_on": "2022-04-01", "closed_on": "2022-04-20"},
            {"channel": "petition", "received_on": "2022-05-01"},
            {"channel": "cadre_screening", "received_on": "2022-05-11"},  # after as_of
            {"channel": "department_push", "received_on": "2022-04-02", "closed_on": "2022-05-10"},
            {"channel": "routine_visit", "received_on": "2022-04-03", "closed_on": "2022-05-11"},
        ]
    )
    self_app, petition = ("self_application",), ("petition",)
    assert _value("has_clue", h, channels=self_app) is True
    assert _value("open_clue", h, channels=self_app) is False  # closed 04-20
    assert _value("has_clue", h, channels=petition) is True
    assert _value("open_clue", h, channels=petition) is True  # never closed
    assert _value("has_clue", h, channels=("cadre_screening",)) is False  # not received yet
    # Closed on as_of → closed that day; closed the day after as_of → still open on as_of.
    assert _value("open_clue", h, channels=("department_push",)) is False
    assert _value("open_clue", h, channels=("routine_visit",)) is True
    # Before the self-application was received, it was not on record.
    assert _value("has_clue", h, as_of=date(2022, 3, 31), channels=self_app) is False
    # Raw household (no known_at view): the closing date after as_of still leaves it open.
    raw = Context(h, AS_OF)
    assert ff.VARIABLES["open_clue"](raw, channels=("routine_visit",)) is True
    assert ff.VARIABLES["has_clue"](raw, channels=("cadre_screening",)) is False


def _medical(day: str, care: str | None, total: str, reimbursed: str) -> dict:
    spend = {
        "kind": "medical",
        "date": day,
        "total": total,
        "reimbursed": reimbursed,
        "compliant_self_paid": "0",
    }
    if care is not None:
        spend["care"] = care
    return spend


def test_medical_personal_burden_year_to_date():
    h = household(
        expenditures=[
            _medical("2021-12-31", "inpatient", "9000", "4000"),  # 5,000 in 2021: not this year
            _medical("2022-01-01", "inpatient", "5000.50", "2000"),  # 3,000.50
            _medical("2022-02-01", "general_outpatient", "700", "0"),  # care not asked for
            _medical("2022-05-10", "chronic_special_outpatient", "1500", "500"),  # 1,000.00
            _medical("2022-05-11", "inpatient", "20000", "1"),  # after as_of
            _medical("2021-06-01", None, "800", "0"),  # unknown care, but in 2021
        ]
    )
    care = ("inpatient", "chronic_special_outpatient")
    # 3,000.50 + 1,000.00 = 4,000.50 (total − reimbursed, 2022-01-01 .. 2022-05-10).
    assert _value("medical_personal_burden_year_to_date", h, care=care) == Decimal("4000.50")
    # On 2022-01-01 only the New Year's Day stay counts; 2021 is another year.
    assert _value(
        "medical_personal_burden_year_to_date", h, as_of=date(2022, 1, 1), care=care
    ) == Decimal("3000.50")
    # On 2021-12-31 the year is 2021: 5,000.00, but the unknown-care spending of 2021 makes it unknown.
    value = _value("medical_personal_burden_year_to_date", h, as_of=date(2021, 12, 31), care=care)
    assert isinstance(value, Missing)
    assert value.facts == ("expenditures[medical 2021-06-01].care",)
    assert _value(
        "medical_personal_burden_year_to_date", h, care=("general_outpatient",)
    ) == Decimal("700.00")
