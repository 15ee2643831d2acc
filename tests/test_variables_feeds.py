"""Hand-worked tests of the department feed items still open (fangfan_rules/variables/feeds.py) and
their columnar twins (fangfan_rules/engines/columnar_warnings.py).

jimo_2022 一、(二)1 / 一、(三)1: an item dated from ``since`` to the end of as_of's previous month
is in a feed and stays there until a warning of the feed's kind, received on or after the first
day of the item's month and on or before as_of, is closed by as_of. On 2022-06-20 with since
2022-04-01: items of 2022-04-01 … 2022-05-31.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

import fangfan_rules as ff
from fangfan_rules.analysis.compare import results_frame
from fangfan_rules.engines import columnar as col
from fangfan_rules.engines.columnar_variables import COLUMNAR, VarContext
from fangfan_rules.logic import Missing
from fangfan_rules.variables import Context
from fangfan_rules.variables.feeds import SOURCES, last_feed_day, latest_item
from fangfan_rules.vocabulary import CareType, ChildStatus, DibaoKind
from tests.helpers import household, medical_stay

AS_OF = date(2022, 6, 20)
SINCE = date(2022, 4, 1)
#: 一、(二)2 每月7日前将汇总后的预警信息反馈镇街: the rules pass due_day 7
DUE_DAY = 7
NAMED = (
    DibaoKind.DIBAO,
    DibaoKind.DISPERSED_TEKUN,
    DibaoKind.DIBAO_MARGINAL,
    DibaoKind.TEMPORARY_AID,
)
KEY_CHILDREN = (ChildStatus.ORPHAN, ChildStatus.DE_FACTO_UNSUPPORTED, ChildStatus.KEY_DISTRESSED)


def clue(kind: str, received: str, closed: str | None) -> dict[str, Any]:
    return {
        "channel": "department_push",
        "kind": kind,
        "received_on": received,
        "closed_on": closed,
    }


def pupil(dropout: str | None, *clues: dict[str, Any], hid: str = "F-1") -> ff.Household:
    child: dict[str, Any] = {"id": "c1", "relation": "child"}
    if dropout is not None:
        child["dropout_since"] = dropout
    return household(id=hid, members=[{"id": "m1", "relation": "head"}, child], clues=list(clues))


def native(
    name: str, h: ff.Household, member: str | None = None, as_of: date = AS_OF, **args: Any
) -> Any:
    view, _ = ff.known_at(h, as_of)
    chosen = next((m for m in view.members if m.id == member), None)
    return ff.VARIABLES[name](
        Context(view, as_of, member=chosen), since=SINCE, due_day=DUE_DAY, **args
    )


def columnar(
    name: str, households: list[ff.Household], as_of: date = AS_OF, **args: Any
) -> dict[tuple, Any]:
    """(household id[, member id]) → the columnar value of ``name`` on ``as_of`` (None: unknown)."""
    level = ff.VARIABLES[name].level
    tables = col.view_at(col.to_tables(households), as_of)
    ctx = VarContext(tables, as_of, level)
    value = COLUMNAR[name].compute(ctx, since=SINCE, due_day=DUE_DAY, **args)
    base = tables["households" if level == "household" else "members"]
    frame = ctx.apply(base).select(*ctx.keys, value.value.alias("v"))
    return {tuple(row[k] for k in ctx.keys): row["v"] for row in frame.iter_rows(named=True)}


DROPOUT_CASES = {
    # id: (dropout date, clues, expected)
    "april item, two months on, nobody handled it": ("2022-04-09", [], True),
    "first day of the first fed month": ("2022-04-01", [], True),
    "last day of the previous month": ("2022-05-31", [], True),
    "the current month: not fed yet": ("2022-06-01", [], False),
    "before the first fed month": ("2022-03-31", [], False),
    "no dropout": (None, [], False),
    "closed, received on the first day of the item's month": (
        "2022-04-09",
        [clue("dropout", "2022-04-01", "2022-05-20")],
        False,
    ),
    "closed, received before the item's month": (
        "2022-04-09",
        [clue("dropout", "2022-03-31", "2022-04-02")],
        True,
    ),
    "closed after as_of: still open on as_of": (
        "2022-04-09",
        [clue("dropout", "2022-04-15", "2022-06-21")],
        True,
    ),
    "received and closed on as_of": (
        "2022-05-09",
        [clue("dropout", "2022-06-20", "2022-06-20")],
        False,
    ),
    "not closed": ("2022-04-09", [clue("dropout", "2022-04-15", None)], True),
    "a warning of another kind": (
        "2022-04-09",
        [clue("major_disease", "2022-04-15", "2022-04-20")],
        True,
    ),
}


@pytest.mark.parametrize("why", DROPOUT_CASES)
def test_a_dropout_item_by_hand(why: str) -> None:
    dropout, clues, expected = DROPOUT_CASES[why]
    assert native("dropout_feed_open", pupil(dropout, *clues), member="c1") is expected, why
    assert native("dropout_feed_open", pupil(dropout, *clues), member="m1") is False  # no date


def test_the_latest_item_decides_between_two_renovations() -> None:
    """The April renovation's warning (received 04-20) closes April's item, not May's."""
    both = [{"included_on": "2022-04-09"}, {"included_on": "2022-05-15"}]
    april = clue("unsafe_housing", "2022-04-20", "2022-04-30")
    may = clue("unsafe_housing", "2022-05-02", "2022-05-30")
    assert native("renovation_feed_open", household(renovations=both, clues=[april])) is True
    assert native("renovation_feed_open", household(renovations=both, clues=[may])) is False
    assert native("renovation_feed_open", household(renovations=both[:1], clues=[april])) is False
    assert latest_item([date(2022, 4, 9), None, date(2022, 6, 1)], SINCE, AS_OF) == date(2022, 4, 9)
    assert last_feed_day(date(2022, 3, 1)) == date(2022, 2, 28)


def test_spells_statuses_appraisals_and_certificates_by_hand() -> None:
    def spell(kind: str) -> ff.Household:
        return household(social_assistance=[{"kind": kind, "start": "2022-05-02"}])

    assert native("social_assistance_feed_open", spell("dibao"), kinds=NAMED) is True
    assert native("social_assistance_feed_open", spell("centralised_tekun"), kinds=NAMED) is False
    handled = household(
        social_assistance=[{"kind": "dibao", "start": "2022-05-02"}],
        clues=[clue("new_dibao_or_tekun", "2022-05-03", "2022-05-06")],
    )
    assert native("social_assistance_feed_open", handled, kinds=NAMED) is False

    def child(kind: str) -> ff.Household:
        status = [{"kind": kind, "since": "2022-04-25"}]
        return household(members=[{"id": "m1", "relation": "head", "child_status": status}])

    assert native("child_status_feed_open", child("orphan"), "m1", kinds=KEY_CHILDREN) is True
    assert native("child_status_feed_open", child("left_behind"), "m1", kinds=KEY_CHILDREN) is False

    appraised = {"housing_grade": "C", "only_house": True, "housing_appraised_on": "2022-04-20"}
    assert native("housing_appraisal_feed_open", household(guarantees=appraised)) is True
    undated = {"housing_grade": "C", "only_house": True}  # a C grade is appraised: date unknown
    value = native("housing_appraisal_feed_open", household(guarantees=undated))
    assert value == Missing(("guarantees.housing_appraised_on",))

    certified = {
        "id": "m1",
        "relation": "head",
        "disability": {"grade": 2, "certificate_date": "2022-05-31"},
    }
    assert native("disability_certificate_feed_open", household(members=[certified]), "m1") is True
    treated = {
        "id": "m1",
        "relation": "head",
        "health": {"special_major_disease_since": "2022-04-30"},
    }
    assert native("special_major_disease_feed_open", household(members=[treated]), "m1") is True
    aided = {"id": "m1", "relation": "head", "education_aid_since": "2022-03-20"}
    assert native("education_aid_feed_open", household(members=[aided]), "m1") is False


def test_every_source_is_worded_and_has_a_columnar_twin() -> None:
    for source in SOURCES:
        variable = ff.VARIABLES[source.name]
        assert variable.level == source.level and source.name in COLUMNAR
        zh = variable.label("zh", {"since": "2022年4月1日", "kinds": "低保", "due_day": "7"})
        assert zh.startswith("2022年4月1日至上月末新增") and source.kind.zh in zh
        assert "每月7日前反馈镇街" in zh
        en = variable.label("en", {"since": "1 April 2022", "kinds": "dibao", "due_day": "7"})
        assert source.kind.en in en and "by day 7 of the month" in en


def test_the_columnar_twin_agrees_on_every_dropout_case() -> None:
    batch = [
        pupil(dropout, *clues, hid=f"F-{i}")
        for i, (dropout, clues, _) in enumerate(DROPOUT_CASES.values())
    ]
    got = columnar("dropout_feed_open", batch)
    for i, (why, (_, _, expected)) in enumerate(DROPOUT_CASES.items()):
        assert got[(f"F-{i}", "c1")] is expected, why
        assert got[(f"F-{i}", "m1")] is False, why


def test_the_columnar_twins_agree_on_household_and_selected_sources() -> None:
    both = [{"included_on": "2022-04-09"}, {"included_on": "2022-05-15"}]
    renovated = [
        household(
            id="R-1", renovations=both, clues=[clue("unsafe_housing", "2022-04-20", "2022-04-30")]
        ),
        household(
            id="R-2", renovations=both, clues=[clue("unsafe_housing", "2022-05-02", "2022-05-30")]
        ),
        household(id="R-3"),
    ]
    assert columnar("renovation_feed_open", renovated) == {
        ("R-1",): True,
        ("R-2",): False,
        ("R-3",): False,
    }
    spells = [
        household(id=f"S-{kind}", social_assistance=[{"kind": kind, "start": "2022-05-02"}])
        for kind in ("dibao", "centralised_tekun")
    ]
    assert columnar("social_assistance_feed_open", spells, kinds=NAMED) == {
        ("S-dibao",): True,
        ("S-centralised_tekun",): False,
    }
    children = [
        household(
            id=f"C-{kind}",
            members=[
                {
                    "id": "m1",
                    "relation": "head",
                    "child_status": [{"kind": kind, "since": "2022-04-25"}],
                }
            ],
        )
        for kind in ("orphan", "left_behind")
    ]
    assert columnar("child_status_feed_open", children, kinds=KEY_CHILDREN) == {
        ("C-orphan", "m1"): True,
        ("C-left_behind", "m1"): False,
    }


def test_the_vectorized_engine_agrees_with_the_native_one_on_the_pack() -> None:
    """jimo_2022's feed rules on the dropout cases, evaluated by both engines."""
    pack = ff.load_pack("jimo_2022").with_parameters(
        monitoring_income_line=7000, income_window="2021-06-01..2022-05-31"
    )
    batch = [
        pupil(dropout, *clues, hid=f"F-{i}")
        for i, (dropout, clues, _) in enumerate(DROPOUT_CASES.values())
    ]
    native_frame = results_frame(pack.identify_many(batch, as_of=AS_OF))
    vectorized = pack.identify_frame(batch, as_of=AS_OF, engine="vectorized")
    assert list(native_frame.key_attention) == list(vectorized.key_attention)
    assert list(native_frame.outcome) == list(vectorized.outcome)
    in_feed = ["教体局·失学辍学" in groups for groups in native_frame.key_attention]
    assert in_feed == [expected for _, _, expected in DROPOUT_CASES.values()]


BURDEN = {
    "care": (CareType.INPATIENT, CareType.CHRONIC_SPECIAL_OUTPATIENT),
    "threshold": Decimal("20000.00"),
}
UNTYPED = "expenditures[medical 2022-03-01].care"
MEDICAL_CASES = {
    # id: (as_of, spending, clues, expected: True / False / the missing fact)
    "crossed in April, unhandled two months on": (
        AS_OF,
        [
            medical_stay("2022-02-01", "15000"),
            medical_stay("2022-04-15", "5000.01", "chronic_special_outpatient"),
        ],
        [],
        True,
    ),
    "crossed in April, its warning received 04-01 closed": (
        AS_OF,
        [medical_stay("2022-02-01", "15000"), medical_stay("2022-04-15", "5000.01")],
        [clue("medical_burden", "2022-04-01", "2022-05-01")],
        False,
    ),
    "crossed in February, before the first fed month": (
        AS_OF,
        [medical_stay("2022-02-01", "25000")],
        [],
        False,
    ),
    "crossed in June, the current month": (AS_OF, [medical_stay("2022-06-05", "25000")], [], False),
    "exactly the line is not above it": (AS_OF, [medical_stay("2022-04-10", "20000")], [], False),
    "general outpatient is not counted": (
        AS_OF,
        [medical_stay("2022-04-10", "25000", "general_outpatient")],
        [],
        False,
    ),
    "unknown care type before the crossing, enough to move it to March": (
        AS_OF,
        [medical_stay("2022-03-01", "21000", None), medical_stay("2022-04-10", "25000")],
        [],
        UNTYPED,
    ),
    "unknown care type before the crossing, too little to move it": (
        AS_OF,
        [medical_stay("2022-03-01", "100", None), medical_stay("2022-04-10", "25000")],
        [],
        True,
    ),
    "unknown care type before it, but its warning is closed": (
        AS_OF,
        [medical_stay("2022-03-01", "21000", None), medical_stay("2022-04-10", "25000")],
        [clue("medical_burden", "2022-04-12", "2022-04-20")],
        False,
    ),
    "unknown care type after the crossing does not matter": (
        AS_OF,
        [medical_stay("2022-04-10", "25000"), medical_stay("2022-05-01", "100", None)],
        [],
        True,
    ),
    "2022's crossing closed, 2023's open": (
        date(2023, 3, 10),
        [medical_stay("2022-04-10", "25000"), medical_stay("2023-01-15", "25000")],
        [clue("medical_burden", "2022-04-20", "2022-04-30")],
        True,
    ),
    "2022's crossing open, though a year old": (
        date(2023, 3, 10),
        [medical_stay("2022-04-10", "25000"), medical_stay("2023-01-15", "100")],
        [],
        True,
    ),
    "both years closed": (
        date(2023, 3, 10),
        [medical_stay("2022-04-10", "25000"), medical_stay("2023-01-15", "25000")],
        [clue("medical_burden", "2023-01-20", "2023-01-30")],
        False,
    ),
}


def _medical(why: str, hid: str = "M-1") -> ff.Household:
    _, spending, clues, _ = MEDICAL_CASES[why]
    return household(id=hid, expenditures=spending, clues=clues)


@pytest.mark.parametrize("why", MEDICAL_CASES)
def test_a_medical_burden_crossing_by_hand(why: str) -> None:
    as_of, _, _, expected = MEDICAL_CASES[why]
    got = native("medical_burden_feed_open", _medical(why), as_of=as_of, **BURDEN)
    if isinstance(expected, str):
        assert isinstance(got, Missing) and got.facts == (expected,), why
    else:
        assert got is expected, why


def test_the_columnar_twin_agrees_on_every_medical_case() -> None:
    for day in sorted({c[0] for c in MEDICAL_CASES.values()}):
        whys = [why for why, c in MEDICAL_CASES.items() if c[0] == day]
        batch = [_medical(why, hid=f"M-{i}") for i, why in enumerate(whys)]
        got = columnar("medical_burden_feed_open", batch, as_of=day, **BURDEN)
        for i, why in enumerate(whys):
            expected = MEDICAL_CASES[why][3]
            assert got[(f"M-{i}",)] is (None if isinstance(expected, str) else expected), why
