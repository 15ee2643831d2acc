"""Unit tests of the vectorized batch engine, its columnar layout and its converters."""

from __future__ import annotations

import itertools
import tempfile
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pandas as pd
import polars as pl
import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import fangfan_rules as ff
from fangfan_rules import strategies as fs
from fangfan_rules.analysis.compare import COLUMNS, results_frame
from fangfan_rules.engines import columnar as col
from fangfan_rules.engines import vectorized as vz
from fangfan_rules.engines.columnar_variables import (
    COLUMNAR,
    ColumnarOverflowError,
    VarContext,
    per_capita_over,
)
from fangfan_rules.errors import FactError, MissingParameterError, RuleError
from fangfan_rules.facts import (
    Area,
    ChildStatusRecord,
    Clue,
    Disability,
    Expenditure,
    GreenChannelRecord,
    Guarantees,
    Health,
    HousingRenovation,
    IncomeRecord,
    Livestock,
    Member,
    MonitoringRecord,
    Provenance,
    RecordedJudgement,
    RiskEvent,
    SocialAssistance,
)
from fangfan_rules.logic import UNKNOWN, k_and, k_not, k_or
from fangfan_rules.packs.pack import Pack
from fangfan_rules.rules.rule import parse_rule
from fangfan_rules.variables import VARIABLES, counted_members
from fangfan_rules.variables.registry import variable
from tests.helpers import QIANSHAN_WINDOWS, household, quoted_rule, record

QIANSHAN = ff.load_pack("qianshan_2023").with_parameters(monitoring_income_line=6900)
EWENKI = ff.load_pack("ewenki_2024")
AS_OF = date(2023, 5, 20)
relaxed = settings(
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large], deadline=None
)


def same(a: Any, b: Any) -> bool:
    def norm(v: Any) -> Any:
        return None if v is None or (isinstance(v, float) and v != v) else v

    return norm(a) == norm(b)


def assert_frames_agree(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    assert list(got.household_id) == list(expected.household_id)
    for i in range(len(expected)):
        for column in vz.EXACT_COLUMNS:
            assert same(got.iloc[i][column], expected.iloc[i][column]), (
                i,
                column,
                got.iloc[i][column],
                expected.iloc[i][column],
            )


def native_frame(pack: Pack, households: list[ff.Household], as_of: date) -> pd.DataFrame:
    return results_frame(pack.identify_many(households, as_of=as_of))


def with_rules(pack: Pack, *rules: dict[str, Any]) -> Pack:
    defaults = {"valid_from": pack.valid_from, "valid_to": pack.valid_to}
    extra = [parse_rule(pack.name, quoted_rule(r), defaults) for r in rules]
    return Pack(
        name=pack.name,
        version=pack.version,
        document=pack.document,
        valid_from=pack.valid_from,
        valid_to=pack.valid_to,
        parameters=pack.parameters,
        rules=(*pack.rules, *extra),
        category_precedence=pack.category_precedence,
        overrides=pack.overrides,
    )


# -- logic ------------------------------------------------------------------------------------


def test_polars_null_logic_is_kleene():
    values = [True, False, UNKNOWN]
    pairs = list(itertools.product(values, values))

    def pl_value(v: Any) -> bool | None:
        return None if v is UNKNOWN else v

    def truth(v: bool | None) -> Any:
        return UNKNOWN if v is None else v

    frame = pl.DataFrame(
        {"a": [pl_value(a) for a, _ in pairs], "b": [pl_value(b) for _, b in pairs]},
        schema={"a": pl.Boolean, "b": pl.Boolean},
    ).select(
        (pl.col("a") & pl.col("b")).alias("and"),
        (pl.col("a") | pl.col("b")).alias("or"),
        (~pl.col("a")).alias("not"),
    )
    for (a, b), row in zip(pairs, frame.iter_rows(named=True), strict=True):
        assert truth(row["and"]) is k_and([a, b])
        assert truth(row["or"]) is k_or([a, b])
        assert truth(row["not"]) is k_not(a)
    # any_member: any(ignore_nulls=False) over a group is k_or over its members
    for combo in itertools.product(values, repeat=3):
        got = (
            pl.DataFrame({"v": [pl_value(v) for v in combo]}, schema={"v": pl.Boolean})
            .select(pl.col("v").any(ignore_nulls=False))
            .item()
        )
        assert truth(got) is k_or(list(combo))


# -- registry and compiler ------------------------------------------------------------------


def test_every_core_variable_has_a_columnar_implementation():
    assert set(VARIABLES) == set(COLUMNAR)


def test_result_columns_are_those_of_compare():
    assert vz.COLUMNS == COLUMNS
    frame = vz.identify_frame(QIANSHAN, [household()], as_of=AS_OF)
    assert list(frame.columns) == list(COLUMNS)
    native = native_frame(QIANSHAN, [household()], AS_OF)
    assert frame.first_reason.tolist() == native.first_reason.tolist()
    assert frame.first_reason.iloc[0]  # a needs_review / identify answer always says why
    assert frame.missing_facts.tolist() == native.missing_facts.tolist()


def test_progress_counts_the_plan_and_each_worded_household_on_standard_error(capsys, tmp_path):
    batch = [household(id="P1"), household(id="P2")]
    quiet = vz.identify_frame(QIANSHAN, batch, as_of=AS_OF)
    assert capsys.readouterr().err == ""
    shown = vz.identify_frame(QIANSHAN, batch, as_of=AS_OF, progress=True)
    assert "qianshan_2023 2023-05-20" in (err := capsys.readouterr().err) and "3/3" in err
    pd.testing.assert_frame_equal(shown, quiet)
    path = col.write_parquet(batch, tmp_path / "nested.parquet", layout="nested")
    frames = list(vz.identify_parquet(QIANSHAN, path, as_of=AS_OF, progress=True))
    assert sum(len(f) for f in frames) == 2 and "2/2" in capsys.readouterr().err


def test_without_reasons_the_text_columns_are_absent_not_empty():
    frame = vz.identify_frame(QIANSHAN, [household()], as_of=AS_OF, reasons=False)
    assert list(frame.columns) == [c for c in COLUMNS if c not in vz.REASON_COLUMNS]


def test_a_variable_without_columnar_implementation_is_a_compile_error():
    name = "test_only_uncompilable"

    @variable(name, value_type="bool", zh="测试", en="test only")
    def _(ctx: Any) -> bool:
        return True

    try:
        pack = with_rules(
            QIANSHAN,
            {
                "id": "flag.uncompilable",
                "kind": "flag",
                "title": {"zh": "测试", "en": "test"},
                "citation": "test",
                "when": {"var": name},
                "effect": {"flag": "x"},
            },
        )
        with pytest.raises(vz.CompileError) as info:
            vz.compile_pack(pack, as_of=AS_OF)
        assert isinstance(info.value, RuleError)
        assert "qianshan_2023.flag.uncompilable" in str(info.value)
        assert name in str(info.value)
    finally:
        del VARIABLES[name]


@pytest.mark.parametrize(
    "when",
    [
        {"var": "area_tags", "eq": "no_monitoring_object"},  # a set compared with eq
        {"any_member": {"fired": ["scope.rural_hukou"]}},  # fired inside any_member
        {"var": "member_count", "eq": "3"},  # a number compared with text
        {"var": "hukou", "lt": "rural"},  # an enum ordered
    ],
)
def test_untranslatable_conditions_are_compile_errors_naming_the_rule(when):
    pack = with_rules(
        QIANSHAN,
        {
            "id": "flag.odd",
            "kind": "flag",
            "title": {"zh": "测试", "en": "test"},
            "citation": "test",
            "when": when,
            "effect": {"flag": "odd"},
        },
    )
    with pytest.raises(vz.CompileError, match=r"qianshan_2023\.flag\.odd"):
        vz.compile_pack(pack, as_of=AS_OF)


def test_a_missing_parameter_fails_at_compile_time():
    with pytest.raises(MissingParameterError, match="monitoring_income_line"):
        vz.compile_pack(ff.load_pack("qianshan_2023"), as_of=AS_OF)


def test_parameters_are_literals_of_each_compilation():
    a = vz.compile_pack(QIANSHAN, as_of=AS_OF)
    assert vz.compile_pack(QIANSHAN, as_of=AS_OF) is a
    other = QIANSHAN.with_parameters(monitoring_income_line=7000)
    assert vz.compile_pack(other, as_of=AS_OF) is not a


@settings(max_examples=30, deadline=None)
@given(n_labels=st.integers(0, 150), data=st.data())
def test_list_results_decode_from_bit_words_in_item_order(n_labels, data):
    """Lists travel as UInt64 bit words (64 items a word); decoding restores order and items."""
    labels = tuple(f"g{i}" for i in range(n_labels))
    rows = data.draw(st.lists(st.sets(st.integers(0, max(n_labels - 1, 0))), min_size=1))
    rows = [sorted(i for i in r if i < n_labels) for r in rows]
    items = [(label, pl.col("present").list.contains(i)) for i, label in enumerate(labels)]
    frame = pl.DataFrame({"present": rows}, schema={"present": pl.List(pl.Int64)})
    words = frame.with_columns(vz._bit_words("groups", items))
    decoded = vz.decode_lists(words, "groups", labels)
    assert list(decoded) == [";".join(labels[i] for i in r) for r in rows]


@pytest.mark.parametrize("n_labels", [2, 64, 65, 130])
def test_list_results_decode_null_words_as_no_items_and_no_rows_as_text(n_labels):
    """Error rows (null words) read as no items, one word or several; no rows: a String series."""
    labels = tuple(f"g{i}" for i in range(n_labels))
    items = [(label, pl.col("present").list.contains(i)) for i, label in enumerate(labels)]
    frame = pl.DataFrame({"present": [[0, 1], None, [1]]}, schema={"present": pl.List(pl.Int64)})
    words = frame.with_columns(vz._bit_words("groups", items))
    words = words.with_columns(
        pl.when(pl.col("present").is_null())
        .then(None)
        .otherwise(pl.col("^groups__bits.*$"))
        .name.keep()
    )
    decoded = vz.decode_lists(words, "groups", labels)
    assert decoded.dtype == pl.String and decoded.name == "groups"
    assert list(decoded) == ["g0;g1", "", "g1"]
    empty = vz.decode_lists(words.head(0), "groups", labels)
    assert empty.dtype == pl.String and empty.len() == 0


# -- exact money ------------------------------------------------------------------------------


def _three_people(hid: str, income: list[dict[str, Any]]) -> ff.Household:
    return household(
        id=hid,
        members=[{"id": f"m{i}", "relation": "head" if i == 1 else "child"} for i in (1, 2, 3)],
        self_coping=False,
        guarantees={
            "housing_grade": "A",
            "basic_medical_insured": True,
            "compulsory_education_ok": True,
            "drinking_water_safe": True,
        },
        income=income,
    )


def test_exact_per_capita_boundaries():
    window = ("2022-05-01", "2023-04-30")
    batch = [
        # 20,699.99 / 3 = 6,899.9966… < 6,900: at risk
        _three_people("below", [record(*window, wage="20699.99")]),
        # 20,700.00 / 3 = 6,900 exactly: not below
        _three_people("at", [record(*window, wage="20700.00")]),
        # pro rata: 41,400.00 over 730 days, 365 of them in the window → 20,700.00 exactly
        _three_people("prorata_at", [record("2022-01-01", "2023-12-31", wage="41400.00")]),
        # 41,399.99 → 20,699.995 in the window → 6,899.998… < 6,900
        _three_people("prorata_below", [record("2022-01-01", "2023-12-31", wage="41399.99")]),
        # two records cut by the window ends, a third whole
        _three_people(
            "two_cuts",
            [
                record("2022-01-01", "2022-06-30", wage="1000.01"),
                record("2022-07-01", "2022-12-31", wage="10000"),
                record("2023-01-01", "2023-12-31", wage="19999.99"),
            ],
        ),
    ]
    as_of = date(2024, 1, 5)
    got = vz.identify_frame(QIANSHAN, batch, as_of=as_of)
    expected = native_frame(QIANSHAN, batch, as_of)
    assert_frames_agree(got, expected)
    outcome = dict(zip(got.household_id, got.outcome, strict=True))
    assert outcome["below"] == "needs_review" and outcome["prorata_below"] == "needs_review"
    assert outcome["at"] == "not_eligible" and outcome["prorata_at"] == "not_eligible"
    assert got.set_index("household_id").loc["below", "deciding_rule"] == (
        "qianshan_2023.outcome.income_below_line_cannot_cope"
    )


@settings(relaxed, max_examples=40)
@given(fs.households(), st.sampled_from(QIANSHAN_WINDOWS), fs.dates())
def test_per_capita_income_is_the_exact_rational(h, window, as_of):
    view, _ = ff.known_at(h, as_of)
    tables = col.view_at(col.to_tables([h]), as_of)
    frame = per_capita_over(tables, window)
    native = ff.per_capita_net_income(view, window)
    if frame.height == 0:
        assert not isinstance(native, Decimal)
        return
    num, den = frame.row(0)[1:3]
    covered = sum(window.overlap_days(r.start, r.end) for r in view.income)
    exact = sum(
        (
            Fraction(r.net) * Fraction(window.overlap_days(r.start, r.end), r.days)
            for r in view.income
        ),
        Fraction(0),
    )
    size = counted_members(view)
    assert covered == window.days and size > 0
    assert Fraction(int(num), int(den) * 100) == exact / size
    assert isinstance(native, Decimal)


def test_constants_beyond_int128_are_compile_errors():
    pack = with_rules(
        QIANSHAN,
        {
            "id": "flag.tiny",
            "kind": "flag",
            "title": {"zh": "测试", "en": "test"},
            "citation": "test",
            # Fraction(1e-30) has a 2**152-sized denominator: no exact Int128 comparison
            "when": {
                "var": "compliant_self_paid",
                "args": {"window": {"from": "2022-01-01", "to": "as_of"}, "kinds": ["medical"]},
                "gt": 1.0e-30,
            },
            "effect": {"flag": "tiny"},
        },
    )
    with pytest.raises(vz.CompileError, match=r"qianshan_2023\.flag\.tiny"):
        vz.compile_pack(pack, as_of=AS_OF)


def test_products_beyond_int128_raise_instead_of_wrapping():
    # 10**30 yuan is a legal constant, but times the per-capita denominator of a household whose
    # records are cut by the window (days × days × members) it leaves the checked range.
    pack = with_rules(
        QIANSHAN,
        {
            "id": "flag.absurd",
            "kind": "flag",
            "title": {"zh": "测试", "en": "test"},
            "citation": "test",
            "when": {
                "var": "per_capita_net_income",
                "args": {"window": {"param": "reference_year"}},
                "lt": 10**30,
            },
            "effect": {"flag": "absurd"},
        },
    )
    aligned = household(id="aligned", income=[record("2022-01-01", "2022-12-31", wage="1")])
    cut = household(
        id="cut",
        members=[{"id": f"m{i}", "relation": "other"} for i in range(3)],
        income=[
            record("2021-07-01", "2022-06-30", wage="1"),
            record("2022-07-01", "2023-03-31", wage="1"),
        ],
    )
    assert vz.identify_frame(pack, [aligned], as_of=AS_OF)["flags"].tolist() == [
        "qianshan_2023:absurd"
    ]
    with pytest.raises(ColumnarOverflowError, match="household cut"):
        vz.identify_frame(pack, [aligned, cut], as_of=AS_OF)
    # the native evaluator, with unbounded integers, still answers
    assert pack.identify(cut, as_of=AS_OF).flags


# -- members ----------------------------------------------------------------------------------


@relaxed
@given(
    st.lists(
        fs.dates(date(1990, 1, 1), date(2024, 12, 31), edges=(date(2000, 2, 29),)), min_size=1
    ),
    fs.dates(
        date(2020, 1, 1),
        date(2026, 12, 31),
        edges=(date(2023, 2, 28), date(2024, 2, 28), date(2024, 2, 29), date(2023, 3, 1)),
    ),
)
@example(births=[date(2000, 2, 29)], as_of=date(2023, 2, 28))  # 23, as relativedelta counts
def test_age_is_full_years_as_relativedelta_counts_them(births, as_of):
    births = [b for b in births if b <= as_of]  # members born later are not in the view
    members = pl.DataFrame({"birth_date": births}, schema={"birth_date": pl.Date})
    ctx = VarContext({}, as_of, "member")
    got = members.select(COLUMNAR["age"].compute(ctx).value.alias("age"))["age"].to_list()
    assert got == [relativedelta(as_of, b).years for b in births]


# -- bad rows ---------------------------------------------------------------------------------


def test_bad_rows_are_reported_and_every_other_row_gets_its_result():
    good = [household(id=f"G{i}", lifted_out_of_poverty=bool(i % 2)) for i in range(4)]
    bad_ids = ["B-relation", "B-wage", "B-overlap", "B-self-paid", "B-id-number"]
    tables = col.to_tables(good + [household(id=i) for i in bad_ids])
    members = tables["members"].with_columns(
        pl.when(pl.col("household_id") == "B-relation")
        .then(pl.lit("boss"))
        .otherwise(pl.col("relation"))
        .alias("relation"),
        pl.when(pl.col("household_id") == "B-id-number")
        .then(pl.lit("110101199003071234"))
        .otherwise(pl.col("id_number"))
        .alias("id_number"),
    )
    income = pl.concat(
        [
            tables["income"],
            pl.DataFrame(
                {
                    "household_id": ["B-wage", "B-overlap", "B-overlap"],
                    "start": [date(2022, 1, 1), date(2022, 1, 1), date(2022, 6, 1)],
                    "end": [date(2022, 12, 31), date(2022, 6, 30), date(2022, 12, 31)],
                    "wage_income_fen": [-100, 0, 0],
                    "business_income_fen": [0, 0, 0],
                    "property_income_fen": [0, 0, 0],
                    "transfer_income_fen": [0, 0, 0],
                    "business_expense_fen": [0, 0, 0],
                },
                schema_overrides={"start": pl.Date, "end": pl.Date},
            ),
        ],
        how="diagonal_relaxed",
    )
    spending = pl.DataFrame(
        {
            "household_id": ["B-self-paid", "nobody"],
            "kind": ["medical", "medical"],
            "date": [date(2022, 3, 1)] * 2,
            "total_fen": [100, 100],
            "reimbursed_fen": [50, 0],
            "compliant_self_paid_fen": [60, 0],
        }
    )
    data = {**tables, "members": members, "income": income, "expenditures": spending}
    frame = vz.identify_frame(QIANSHAN, data, as_of=AS_OF)
    errors = frame[frame.outcome == "error"].set_index("household_id")["error"].to_dict()
    assert set(errors) == {*bad_ids, "nobody"}
    assert "boss" in errors["B-relation"] and "Relation" in errors["B-relation"]
    assert "negative" in errors["B-wage"]
    assert "overlap" in errors["B-overlap"]
    assert "self-paid" in errors["B-self-paid"]
    assert "check digit" in errors["B-id-number"] and "110101********1234" in errors["B-id-number"]
    assert "no row of the households table" in errors["nobody"]
    # rows keep their input order; the orphan rows come last
    assert list(frame.household_id[:9]) == [h.id for h in good] + bad_ids
    ok = frame[frame.outcome != "error"].reset_index(drop=True)
    assert_frames_agree(ok, native_frame(QIANSHAN, good, AS_OF))


def test_whole_table_problems_raise():
    tables = col.to_tables([household()])
    floats = tables["income"].with_columns(pl.col("wage_income_fen").cast(pl.Float64))
    with pytest.raises(FactError, match="never a float"):
        vz.identify_frame(QIANSHAN, {**tables, "income": floats}, as_of=AS_OF)
    typo = tables["households"].rename({"self_coping": "self_copping"})
    with pytest.raises(FactError, match="self_copping"):
        vz.identify_frame(QIANSHAN, {**tables, "households": typo}, as_of=AS_OF)
    with pytest.raises(FactError, match="unknown table"):
        vz.identify_frame(QIANSHAN, {**tables, "pets": tables["members"]}, as_of=AS_OF)


def test_duplicate_households_are_bad_rows_like_the_native_batch():
    frame = vz.identify_frame(QIANSHAN, [household(), household()], as_of=AS_OF)
    assert frame.outcome.tolist() == ["error", "error"]
    tables = col.to_tables([household(), household()])
    frame = vz.identify_frame(QIANSHAN, tables, as_of=AS_OF)
    assert frame.outcome.tolist() == ["error", "error"]


# -- layout and converters ------------------------------------------------------------------

FIELDS = {
    ff.Household: {
        "id",
        "area",
        "hukou",
        "members",
        "lifted_out_of_poverty",
        "lifted_year",
        "social_assistance",
        "has_urban_social_security",
        "monitoring",
        "income",
        "expenditures",
        "risk_events",
        "guarantees",
        "self_coping",
        "serious_difficulty",
        "green_channel",
        "livestock",
        "clues",
        "renovations",
        "judgement",
        "provenance",
        "synthetic",
    },
    Area: {"county", "town", "village", "tags"},
    Guarantees: set(col.SCHEMAS["households"]) & set(Guarantees.model_fields),
    GreenChannelRecord: {c.removeprefix("green_channel_") for c in col.SCHEMAS["households"]}
    & set(GreenChannelRecord.model_fields),
    Livestock: {"head_count", "estimated_value"},
    RecordedJudgement: {"decided_on", "included", "reason", "special_file"},
    Provenance: set(col.SCHEMAS["households"]) & set(Provenance.model_fields),
    Member: (
        set(col.SCHEMAS["members"])
        - {"household_id", "member_id", "disability_grade", "disability_certificate_date"}
        - set(Health.model_fields)
    )
    | {"id", "health", "disability", "child_status"},
    Health: set(col.SCHEMAS["members"]) & set(Health.model_fields),
    Disability: {"grade", "certificate_date"},
    ChildStatusRecord: set(col.SCHEMAS["child_status"]) - {"household_id", "member_id"},
    IncomeRecord: {c.removesuffix("_fen") for c in col.SCHEMAS["income"]} - {"household_id"},
    Expenditure: {c.removesuffix("_fen") for c in col.SCHEMAS["expenditures"]} - {"household_id"},
    RiskEvent: set(col.SCHEMAS["risk_events"]) - {"household_id"},
    SocialAssistance: set(col.SCHEMAS["social_assistance"]) - {"household_id"},
    MonitoringRecord: set(col.SCHEMAS["monitoring"]) - {"household_id"},
    Clue: set(col.SCHEMAS["clues"]) - {"household_id"},
    HousingRenovation: set(col.SCHEMAS["renovations"]) - {"household_id"},
}


@pytest.mark.parametrize("model", list(FIELDS), ids=lambda m: m.__name__)
def test_the_layout_has_a_column_for_every_fact(model):
    """A field added to a fact model needs a column (and to_tables / to_households support)."""
    assert set(model.model_fields) == FIELDS[model]


@settings(relaxed, max_examples=25)
@given(fs.household_lists(max_size=3))
def test_tables_round_trip_exactly_and_validate(households):
    tables = col.to_tables(households)
    assert col.to_households(tables) == households
    clean, errors = col.validate(tables)
    assert errors.height == 0
    assert col.to_households(clean) == households
    nested = col.nest(tables)
    assert nested.height == len(households)
    assert col.to_households(col.unnest(nested)) == households


# -- streaming --------------------------------------------------------------------------------


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    return pd.concat(frames, ignore_index=True)


@settings(relaxed, max_examples=3)
@given(
    fs.household_lists(
        min_size=6,
        max_size=9,
        date_range=(date(2021, 1, 1), date(2024, 12, 31)),
        cover_windows=(
            ff.DateRange.year(2022),
            ff.DateRange.year(2023),
            ff.DateRange(start=date(2023, 5, 1), end=date(2024, 4, 30)),
        ),
        lifted=st.sampled_from((True, True, False, None)),
    )
)
def test_parquet_streaming_in_small_chunks_equals_one_batch(households):
    as_of = date(2024, 6, 1)  # ewenki: village counts and the county bottom share
    whole = vz.identify_frame(EWENKI, households, as_of=as_of)
    assert_frames_agree(whole, native_frame(EWENKI, households, as_of))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        col.write_parquet(households, root / "tables")
        col.write_parquet(households, root / "nested.parquet", layout="nested")
        col.write_tables(col.to_tables(households), root / "csv", format="csv")
        for source in (root / "tables", root / "nested.parquet", root / "csv"):
            chunks = list(vz.identify_parquet(EWENKI, source, as_of=as_of, batch_size=3))
            assert len(chunks) == -(-len(households) // 3)
            streamed = _concat(chunks)
            # the tables layout is written sorted by id; compare by id
            order = {hid: i for i, hid in enumerate(streamed.household_id)}
            expected = whole.iloc[
                sorted(range(len(whole)), key=lambda i: order[whole.household_id[i]])
            ]
            assert_frames_agree(streamed, expected.reset_index(drop=True))
        hid = households[-1].id
        explained = vz.explain_parquet(EWENKI, root / "tables", hid, as_of=as_of)
        assert explained == EWENKI.identify_many(households, as_of=as_of)[-1]


def test_streaming_reports_bad_rows_of_a_chunk():
    with tempfile.TemporaryDirectory() as tmp:
        tables = col.to_tables([household(id=f"H{i}") for i in range(5)])
        tables["households"] = tables["households"].with_columns(
            pl.when(pl.col("household_id") == "H3")
            .then(pl.lit("martian"))
            .otherwise(pl.col("hukou"))
            .alias("hukou")
        )
        col.write_tables(tables, tmp)
        frames = list(vz.identify_parquet(QIANSHAN, tmp, as_of=AS_OF, batch_size=2))
        frame = _concat(frames)
        assert frame.household_id.tolist() == [f"H{i}" for i in range(5)]
        assert frame.set_index("household_id").loc["H3", "outcome"] == "error"
        assert "martian" in frame.set_index("household_id").loc["H3", "error"]
        assert (frame.outcome != "error").sum() == 4


# -- explanations and the engine switch -----------------------------------------------------


def test_explain_is_the_native_answer_with_the_batch_population():
    window = ("2023-01-01", "2023-12-31")
    area = {"county": "鄂温克族自治旗", "town": "巴彦塔拉", "village": "东村"}
    batch = [
        household(
            id=f"L{i}",
            lifted_out_of_poverty=True,
            area=area,
            income=[record(*window, wage=str(1000 * (i + 1)))],
        )
        for i in range(6)
    ] + [household(id="N", lifted_out_of_poverty=False, area=area)]
    as_of = date(2024, 6, 1)
    run = vz.VectorizedBatch(EWENKI, batch, as_of=as_of)
    native = EWENKI.identify_many(batch, as_of=as_of)
    assert_frames_agree(run.frame, results_frame(native))
    for i, expected in enumerate(native):
        got = run.explain(i)
        assert got == expected
    assert run.explain(run.frame.iloc[0]).trace.population
    assert run.explain_household("N") == native[-1]
    assert vz.explain_household(EWENKI, batch, "L0", as_of=as_of) == native[0]
    with pytest.raises(KeyError):
        run.explain_household("nobody")


def test_engine_switch():
    batch = [household(id=f"H{i}", lifted_out_of_poverty=i % 2 == 0) for i in range(3)]
    native = vz.identify(QIANSHAN, batch, as_of=AS_OF, engine="native")
    vectorized = vz.identify(QIANSHAN, batch, as_of=AS_OF, engine="vectorized")
    assert_frames_agree(vectorized, native)
    from_tables = vz.identify(QIANSHAN, col.to_tables(batch), as_of=AS_OF, engine="native")
    assert_frames_agree(from_tables, native)
    with pytest.raises(ValueError, match="engine"):
        vz.identify(QIANSHAN, batch, as_of=AS_OF, engine="durable")


def test_frames_arrow_nested_and_csv_inputs():
    batch = [
        household(id="A", lifted_out_of_poverty=True),
        household(id="B", hukou="urban", members=[]),
        household(
            id="C",
            members=[{"id": "m1", "relation": "head", "schooling": "undergraduate"}],
            income=[record("2022-01-01", "2022-12-31", wage="5000")],
        ),
    ]
    expected = native_frame(QIANSHAN, batch, AS_OF)
    minimal = pd.DataFrame(
        {
            "household_id": ["A", "B", "C"],
            "county": ["千山区"] * 3,
            "town": ["甘泉镇"] * 3,
            "village": ["东村"] * 3,
            "hukou": ["rural", "urban", "rural"],
            "lifted_out_of_poverty": [True, None, None],
        }
    )
    tables = col.to_tables(batch)
    members = tables["members"].to_pandas()
    income = tables["income"].to_arrow()
    got = vz.identify_frame(
        QIANSHAN, {"households": minimal, "members": members, "income": income}, as_of=AS_OF
    )
    assert_frames_agree(got, expected)
    assert_frames_agree(
        vz.identify_frame(QIANSHAN, col.nest(tables).to_arrow(), as_of=AS_OF), expected
    )
    with tempfile.TemporaryDirectory() as tmp:
        col.write_tables(tables, tmp, format="csv")
        assert_frames_agree(vz.identify_frame(QIANSHAN, tmp, as_of=AS_OF), expected)
        assert_frames_agree(vz.identify(QIANSHAN, tmp, as_of=AS_OF, engine="native"), expected)


def test_empty_batch():
    frame = vz.identify_frame(QIANSHAN, [], as_of=AS_OF)
    assert list(frame.columns) == list(COLUMNS) and len(frame) == 0


def test_facts_after_as_of_are_invisible():
    later = household(
        id="later",
        members=[
            {"id": "m1", "relation": "head"},
            {"id": "baby", "relation": "child", "birth_date": "2024-01-01"},
        ],
        risk_events=[{"type": "illness", "date": "2024-01-02"}],
        lifted_out_of_poverty=True,
        lifted_year=2024,
    )
    for as_of in (date(2023, 6, 1), date(2024, 6, 1)):
        got = vz.identify_frame(QIANSHAN, [later], as_of=as_of)
        assert_frames_agree(got, native_frame(QIANSHAN, [later], as_of))
