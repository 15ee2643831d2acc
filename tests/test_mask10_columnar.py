"""attack10 finding 10: a lone surrogate in a pandas table's text cell makes its household a bad
row naming table, column and row (ID numbers masked); every other household is answered."""

from __future__ import annotations

from datetime import date

import pytest

import fangfan_rules as ff
from fangfan_rules.engines import columnar
from tests.tricky import base_household

pd = pytest.importorskip("pandas")
ID = "11010519491231109X"
PACK = ff.load_pack("qianshan_2023").with_parameters(monitoring_income_line=7000)
AS_OF = date(2023, 6, 5)


def _tables() -> dict:
    households = [ff.load_household(base_household(h)) for h in ("A", "B", "C")]
    tables = columnar.to_tables(households)
    return {k: v.to_pandas(use_pyarrow_extension_array=True) for k, v in tables.items()}


@pytest.mark.parametrize("engine", ["vectorized", "native"])
def test_a_surrogate_in_a_household_id_is_one_bad_row(engine):
    tables = _tables()
    frame = tables["households"]
    frame["household_id"] = frame["household_id"].astype(object)
    frame.loc[0, "household_id"] = "\ud800" + ID
    result = PACK.identify_frame(tables, as_of=AS_OF, engine=engine)
    answered = dict(zip(result.household_id, result.outcome, strict=True))
    assert answered["B"] != "error" and answered["C"] != "error"
    bad = result[result.household_id == "\\ud800110105********109X"]
    assert list(bad.outcome) == ["error"]
    (error,) = bad.error
    assert "households: column household_id, row 0 = '\\ud800110105********109X'" in error
    assert "19491231" not in result.to_csv()


@pytest.mark.parametrize("engine", ["vectorized", "native"])
def test_a_surrogate_in_a_member_name_is_its_households_bad_row(engine):
    tables = _tables()
    members = tables["members"]
    members["name"] = members["name"].astype(object)
    members.loc[members.index[-1], "name"] = "王\udc80" + ID
    result = PACK.identify_frame(tables, as_of=AS_OF, engine=engine)
    outcomes = dict(zip(result.household_id, result.outcome, strict=True))
    assert outcomes["C"] == "error" and outcomes["A"] != "error" and outcomes["B"] != "error"
    (error,) = result[result.household_id == "C"].error
    assert "members: column name, row" in error and "\\udc80" in error
    assert "19491231" not in error


def test_a_table_that_cannot_be_read_still_refuses():
    tables = _tables()
    tables["households"]["household_id"] = [object(), object(), object()]
    with pytest.raises(ff.FactError, match="cannot be read as a table"):
        PACK.identify_frame(tables, as_of=AS_OF)
