"""Validation of the columnar layout: exact messages, positions and keys, whatever the row order.

The validation evaluates all the checks of a frame in one pass and computes row positions only
for failing rows; the engine keys child rows to households by runs of equal ids. These tests
pin the messages and show that the order of child rows never changes a result.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fangfan_rules as ff
from fangfan_rules.engines import columnar as col
from fangfan_rules.engines import vectorized as vz
from tests.helpers import household

QIANSHAN = ff.load_pack("qianshan_2023").with_parameters(monitoring_income_line=6900)
EWENKI = ff.load_pack("ewenki_2024")
SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sample_households.jsonl"
HOUSEHOLDS = [
    ff.load_household(json.loads(line)) for line in SAMPLE.read_text("utf-8").splitlines()[:120]
]


def _income(rows: list[tuple[str, date, date]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "household_id": [r[0] for r in rows],
            "start": [r[1] for r in rows],
            "end": [r[2] for r in rows],
            **{
                c: [100 if c == "wage_income_fen" else 0] * len(rows)
                for c in col.SCHEMAS["income"]
                if c.endswith("_fen")
            },
        },
        schema_overrides={"start": pl.Date, "end": pl.Date},
    )


def _errors(tables: dict[str, pl.DataFrame]) -> dict[str, str]:
    _, errors = col.validate(tables)
    return dict(zip(errors["household_id"], errors["error"], strict=True))


def test_overlap_names_both_periods_and_the_row_position_in_input_order():
    tables = col.to_tables([household(id="A"), household(id="B")])
    income = _income(
        [
            ("B", date(2022, 3, 1), date(2022, 12, 31)),  # B's row 0
            ("A", date(2022, 1, 1), date(2022, 12, 31)),
            ("B", date(2022, 1, 1), date(2022, 4, 30)),  # B's row 1, overlaps row 0
        ]
    )
    errors = _errors({**tables, "income": income})
    assert set(errors) == {"B"}
    assert "income[0].start" in errors["B"]
    assert (
        "income periods overlap: 2022-01-01..2022-04-30 and 2022-03-01..2022-12-31" in (errors["B"])
    )


def test_touching_periods_and_other_households_do_not_overlap():
    tables = col.to_tables([household(id="A"), household(id="B")])
    income = _income(
        [
            ("A", date(2022, 1, 1), date(2022, 6, 30)),
            ("B", date(2022, 1, 1), date(2022, 12, 31)),
            ("A", date(2022, 7, 1), date(2022, 12, 31)),
        ]
    )
    clean, errors = col.validate({**tables, "income": income})
    assert errors.height == 0
    assert sorted(clean["income"]["household_id"].to_list()) == ["A", "A", "B"]


def test_positions_count_a_households_rows_in_input_order():
    tables = col.to_tables([household(id="A"), household(id="B")])
    income = _income(
        [
            ("A", date(2021, 1, 1), date(2021, 12, 31)),
            ("B", date(2022, 1, 1), date(2022, 12, 31)),
            ("A", date(2022, 12, 31), date(2022, 1, 1)),  # A's row 1: ends before it starts
        ]
    )
    errors = _errors({**tables, "income": income})
    assert set(errors) == {"A"}
    assert "income[1].end" in errors["A"] and "ends before it starts" in errors["A"]


def test_orphans_null_ids_and_duplicated_households():
    tables = col.to_tables([household(id="A"), household(id="D"), household(id="E")])
    h = pl.concat(
        [tables["households"], tables["households"].filter(pl.col("household_id") == "D")]
    )
    income = _income(
        [
            ("ghost", date(2022, 1, 1), date(2022, 12, 31)),
            ("D", date(2022, 1, 1), date(2022, 12, 31)),
            ("E", date(2022, 1, 1), date(2022, 12, 31)),
        ]
    )
    income = pl.concat(
        [income, income.head(1).with_columns(pl.lit(None, dtype=pl.String).alias("household_id"))]
    )
    clean, errors = col.validate({**tables, "households": h, "income": income})
    messages = dict(zip(errors["household_id"], errors["error"], strict=True))
    assert "no row of the households table" in messages["ghost"]
    assert "appears more than once" in messages["D"]
    assert "household id is missing" in messages[None]
    assert sorted(clean["households"]["household_id"].to_list()) == ["A", "E"]
    # rows of bad or unknown households are not in the clean tables; E's income is
    assert clean["income"]["household_id"].to_list() == ["E"]
    assert clean["income"]["__hkey"].to_list() == [
        clean["households"].filter(pl.col("household_id") == "E")["__hrow"].item()
    ]


def test_household_keys_point_at_the_first_households_row_of_the_id():
    tables = col.to_tables([household(id="A"), household(id="B")])
    tables["households"] = tables["households"].with_row_index("__hrow")
    income = _income(
        [
            ("B", date(2022, 1, 1), date(2022, 12, 31)),
            ("B", date(2021, 1, 1), date(2021, 12, 31)),
            ("A", date(2022, 1, 1), date(2022, 12, 31)),
            ("B", date(2020, 1, 1), date(2020, 12, 31)),
            ("nobody", date(2020, 1, 1), date(2020, 12, 31)),
        ]
    )
    keyed = col.household_keys({**tables, "income": income})
    assert keyed["income"]["__hkey"].to_list() == [1, 1, 0, 1, None]


@pytest.mark.parametrize("pack", [QIANSHAN, EWENKI], ids=lambda p: p.name)
@settings(max_examples=5, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_the_order_of_child_rows_never_changes_a_result(pack, seed):
    """Shuffled child tables (ids interleaved, periods out of order) give the same frame."""
    as_of = date(2023, 5, 20) if pack is QIANSHAN else date(2024, 6, 5)
    tables = col.to_tables(HOUSEHOLDS)
    expected = vz.identify_frame(pack, tables, as_of=as_of)
    shuffled = {
        t: frame if t == "households" else frame.sample(fraction=1.0, shuffle=True, seed=seed)
        for t, frame in tables.items()
    }
    got = vz.identify_frame(pack, shuffled, as_of=as_of)
    assert got.equals(expected)


def test_a_hash_collision_or_a_duplicated_id_falls_back_to_matching_the_strings(monkeypatch):
    from fangfan_rules.engines.columnar_layout import _match_ids

    heads = pl.DataFrame({"household_id": ["B", "A", "X", None]})
    households = pl.DataFrame(
        {"household_id": ["A", "B", "A"], "__hrow": [0, 1, 2]},
        schema={"household_id": pl.String, "__hrow": pl.UInt32},
    )
    assert _match_ids(heads, households)["__hkey"].to_list() == [1, 0, None, None]
    unique = households.head(2)
    assert _match_ids(heads, unique)["__hkey"].to_list() == [1, 0, None, None]
    # every string hashing alike: matching by hash alone would pair B with A's row
    monkeypatch.setattr(pl.Expr, "hash", lambda self, *a, **k: pl.lit(7, dtype=pl.UInt64))
    assert _match_ids(heads, unique)["__hkey"].to_list() == [1, 0, None, None]


# -- issue 12, finding 1: any row order and chunk layout, bad child rows in two households ------


def _parts(frame: pl.DataFrame, how: str) -> pl.DataFrame:
    """``frame`` sorted, reversed, shuffled, or interleaved: two exports concatenated (every
    other row), which polars keeps as separate chunks."""
    if how == "sorted":
        return frame.sort("household_id", maintain_order=True)
    if how == "reversed":
        return frame.reverse()
    if how == "shuffled":
        return frame.sample(fraction=1.0, shuffle=True, seed=7)
    numbered = frame.with_row_index("__i")
    return pl.concat(
        [
            numbered.filter(pl.col("__i") % 2 == 1).drop("__i"),
            numbered.filter(pl.col("__i") % 2 == 0).drop("__i"),
        ],
        rechunk=False,
    )


@pytest.mark.parametrize("how", ["sorted", "reversed", "shuffled", "interleaved"])
@pytest.mark.parametrize("table", ["members", "income", "expenditures"])
def test_finding1_unsorted_child_tables_do_not_panic(table, how):
    """Two households with a bad child row each, the child table in any order: exactly those two
    are reported, every other household is clean (polars panicked here on interleaved parts)."""
    tables = col.to_tables(HOUSEHOLDS)
    frame = tables[table]
    ids = frame["household_id"].unique(maintain_order=True).to_list()
    bad = [ids[1], ids[-2]]
    column, value, message = {
        "members": ("relation", pl.lit("nonsense"), "not a Relation"),
        "income": ("wage_income_fen", pl.lit(-1, dtype=pl.Int64), "cannot be negative"),
        "expenditures": ("kind", pl.lit("nonsense"), "not a ExpenditureKind"),
    }[table]
    first = pl.int_range(pl.len()).over("household_id") == 0
    frame = frame.with_columns(
        pl.when(pl.col("household_id").is_in(bad) & first)
        .then(value)
        .otherwise(pl.col(column))
        .alias(column)
    )
    shaped = {**tables, table: _parts(frame, how)}
    clean, errors = col.validate(shaped)
    assert sorted(errors["household_id"].to_list()) == sorted(bad)
    assert all(message in e for e in errors["error"])
    assert clean["households"].height == len(HOUSEHOLDS) - 2
    got = vz.identify_frame(QIANSHAN, shaped, as_of=date(2023, 5, 20))
    assert list(got.household_id) == [h.id for h in HOUSEHOLDS]
    assert sorted(got[got.outcome == "error"].household_id) == sorted(bad)
    expected = vz.identify_frame(QIANSHAN, {**tables, table: frame}, as_of=date(2023, 5, 20))
    assert got.drop(columns=["error"]).equals(expected.drop(columns=["error"]))


def test_finding1_a_failure_inside_polars_leaves_as_engine_error(monkeypatch, tmp_path):
    """A polars panic (a BaseException) inside a batch API is an EngineError with no chained
    exception (its text can quote the data)."""
    from fangfan_rules.engines import columnar_validation

    def panic(*args, **kwargs):
        raise pl.exceptions.PanicException("assertion failed: i < self.len() 110105194912310021")

    monkeypatch.setattr(columnar_validation, "_row_checks", panic)
    with pytest.raises(ff.FangfanError) as info:
        vz.identify_frame(QIANSHAN, col.to_tables(HOUSEHOLDS[:3]), as_of=date(2023, 5, 20))
    assert isinstance(info.value, ff.EngineError)
    assert "PanicException" in str(info.value) and "110105194912310021" not in str(info.value)
    assert info.value.__cause__ is None and info.value.__context__ is None
    # a stream too
    nested = col.write_parquet(HOUSEHOLDS[:3], tmp_path / "n.parquet", layout="nested")
    with pytest.raises(ff.EngineError) as info:
        next(iter(vz.identify_parquet(QIANSHAN, nested, as_of=date(2023, 5, 20))))
    assert info.value.__cause__ is None and info.value.__context__ is None


#: The layout, its converters and its validation (the variables' registry is another matter).
LAYOUT_MODULES = ("columnar", "columnar_layout", "columnar_validation")


def test_the_columnar_modules_import_each_other_without_a_cycle():
    """columnar (converters) and columnar_validation both import columnar_layout, never each
    other in a circle: every import statement is counted, deferred ones inside functions too."""
    import ast
    from pathlib import Path

    engines = Path(col.__file__).parent
    modules = {name: engines / f"{name}.py" for name in LAYOUT_MODULES}
    package = "fangfan_rules.engines"
    edges: dict[str, set[str]] = {}
    for name, path in modules.items():
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == package:
                targets = [f"{package}.{a.name}" for a in node.names]  # from package import x
            elif isinstance(node, ast.ImportFrom) and node.module:
                targets = [node.module]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                continue
            found |= {t.removeprefix(f"{package}.") for t in targets} & set(modules)
        edges[name] = found - {name}
    assert "columnar_layout" in edges["columnar_validation"]

    def reaches(start: str, goal: str, seen: frozenset[str] = frozenset()) -> bool:
        return any(
            nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt}))
            for nxt in edges[start]
        )

    circular = sorted(name for name in edges if reaches(name, name))
    assert not circular, f"import cycle through {circular}: {edges}"


def test_two_monitoring_spells_on_one_day_are_refused_as_by_the_fact_model():
    """The current spell is the latest by identification date: two spells of a household on the
    same day are ambiguous in the tables as in Household (only that household is a bad row)."""
    spell = {"category": "unstable_lifted", "identified_on": "2021-01-01"}
    tables = col.to_tables(
        [household(id="A", monitoring=[spell]), household(id="B", monitoring=[spell])]
    )
    tables["monitoring"] = pl.concat([tables["monitoring"], tables["monitoring"].head(1)])
    errors = _errors(tables)
    assert list(errors) == ["A"]
    assert "two monitoring spells identified on 2021-01-01" in errors["A"]
    with pytest.raises(ff.FactError, match="two monitoring spells identified on 2021-01-01"):
        household(id="A", monitoring=[spell, spell])
