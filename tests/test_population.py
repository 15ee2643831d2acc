"""Population-level variables over small hand-built villages."""

from datetime import date

import fangfan_rules as ff
from fangfan_rules.engines.native import identify, population_for
from fangfan_rules.logic import Missing
from fangfan_rules.variables.population import population_key
from tests.helpers import household, record

WINDOW = ff.DateRange.year(2023)


def _lifted(
    hid: str, income: str, village: str = "东村", county: str = "鄂温克族自治旗"
) -> ff.Household:
    return household(
        id=hid,
        lifted_out_of_poverty=True,
        area={"county": county, "town": "巴彦塔拉", "village": village},
        income=[record("2023-01-01", "2023-12-31", income)],
    )


def test_bottom_share_with_ties_at_the_cut():
    # 10 脱贫户; bottom 20 % = fewer than 2 strictly lower. Incomes 1000, 2000, 2000, 3000…:
    # 1000 (0 lower) in; 2000 ×2 (1 lower) in — ties at the cut all in; 3000 (3 lower) out.
    incomes = ["1000", "2000", "2000", "3000", "4000", "5000", "6000", "7000", "8000", "9000"]
    batch = [_lifted(f"H{i}", v) for i, v in enumerate(incomes)]
    batch.append(household(id="N1", lifted_out_of_poverty=False))
    variable = ff.VARIABLES["lifted_income_bottom_share"]
    values, stats = variable.batch(
        [ff.known_at(h, date(2024, 5, 1))[0] for h in batch],
        date(2024, 5, 1),
        window=WINDOW,
        share=20,
    )
    assert [values[f"H{i}"] for i in range(10)] == [True, True, True] + [False] * 7
    assert values["N1"] is False
    assert stats[0].count == 10 and "3 of 10" in stats[0].value and "2,000.00" in stats[0].value


def test_bottom_share_is_per_county_and_unknown_income_is_unranked():
    batch = [
        _lifted("A1", "100", county="甲"),
        _lifted("A2", "900", county="甲"),
        _lifted("B1", "5000", county="乙"),
        household(
            id="U", lifted_out_of_poverty=True, area={"county": "甲", "town": "t", "village": "v"}
        ),
    ]
    variable = ff.VARIABLES["lifted_income_bottom_share"]
    values, _ = variable.batch(batch, date(2024, 5, 1), window=WINDOW, share=20)
    assert values["A1"] is True and values["A2"] is False and values["B1"] is True
    assert isinstance(values["U"], Missing)


def test_village_counts():
    batch = [_lifted(f"L{i}", "1000") for i in range(3)] + [
        household(
            id="M",
            area={"county": "鄂温克族自治旗", "town": "巴彦塔拉", "village": "东村"},
            monitoring=[{"category": "marginal", "identified_on": "2022-03-01"}],
        ),
        _lifted("W", "1000", village="西村"),
    ]
    views = [ff.known_at(h, date(2024, 5, 1))[0] for h in batch]
    lifted, _ = ff.VARIABLES["village_lifted_count"].batch(views, date(2024, 5, 1))
    since, _ = ff.VARIABLES["village_monitored_since"].batch(
        views, date(2024, 5, 1), since=date(2021, 1, 1)
    )
    assert lifted["L0"] == 3 and lifted["W"] == 1
    assert since["L0"] == 1 and since["W"] == 0
    assert population_key({"since": date(2021, 1, 1)}) == "since=2021-01-01"


def test_identify_many_reports_duplicate_ids_as_bad_rows():

    pack = ff.load_pack("qianshan_2023").with_parameters(monitoring_income_line=7000)
    results = pack.identify_many([household(), household()], as_of=date(2023, 6, 1))
    assert [type(r).__name__ for r in results] == ["BadRow", "BadRow"]
    assert all(r.outcome == "error" and "more than once" in r.error for r in results)
    assert population_for(pack, [], as_of=date(2023, 6, 1)).figures == ()
    assert identify(pack, household(), as_of=date(2023, 6, 1)).trace.population == ()
