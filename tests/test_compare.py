import shutil
from datetime import date

import pandas as pd

import fangfan_rules as ff
from tests.helpers import household, record

QIANSHAN = ff.load_pack("qianshan_2023")


def _variant(tmp_path, threshold: str) -> ff.Pack:
    """A copy of qianshan under another name with a different group-① threshold."""
    copy = tmp_path / "variant"
    shutil.copytree(QIANSHAN.directory, copy)
    meta = (
        (copy / "pack.yaml")
        .read_text(encoding="utf-8")
        .replace("name: qianshan_2023", "name: variant")
    )
    (copy / "pack.yaml").write_text(meta, encoding="utf-8")
    params = (
        (copy / "parameters.yaml")
        .read_text(encoding="utf-8")
        .replace("value: 10000", f"value: {threshold}")
    )
    (copy / "parameters.yaml").write_text(params, encoding="utf-8")
    text = (copy / "rules.yaml").read_text(encoding="utf-8")
    (copy / "rules.yaml").write_text(text, encoding="utf-8")
    return ff.Pack.from_directory(copy)


def _batch():
    low = household(
        id="LOW", self_coping=False, income=[record("2022-01-01", "2023-04-30", "6000")]
    )
    mid = household(
        id="MID",
        self_coping=False,
        lifted_out_of_poverty=False,
        guarantees={
            "housing_grade": "A",
            "basic_medical_insured": True,
            "compulsory_education_ok": True,
            "drinking_water_safe": True,
        },
        income=[record("2022-01-01", "2023-04-30", "12000")],
    )
    return [low, mid]


def test_long_form_rows_and_supplied_line(tmp_path):
    frame = ff.compare(
        _batch(),
        ["qianshan_2023"],
        as_of=date(2023, 6, 1),
        parameters={"monitoring_income_line": 7000},
    )
    assert list(frame["household_id"]) == ["LOW", "MID"]
    assert set(frame.columns) >= {"outcome", "key_attention", "deciding_rule", "citation"}
    assert frame.loc[0, "outcome"] == "needs_review"
    assert frame.loc[0, "deciding_rule"] == "qianshan_2023.outcome.income_below_line_cannot_cope"
    assert frame["error"].isna().all()


def test_missing_line_and_out_of_force_become_error_rows():
    frame = ff.compare(_batch(), ["qianshan_2023"], as_of=date(2023, 6, 1))
    assert set(frame["outcome"]) == {"error"} and "monitoring_income_line" in frame.loc[0, "error"]
    early = ff.compare(
        _batch(),
        ["qianshan_2023"],
        as_of={"qianshan_2023": date(2023, 1, 1)},
        parameters={"monitoring_income_line": 7000},
    )
    assert set(early["outcome"]) == {"error"}


def test_disagreements_name_the_deciding_rule(tmp_path):
    variant = _variant(tmp_path, "5000")
    # 8,000 yuan over 16 months → 6,000 in the 12-month window: below 7,000, not below 5,000.
    edge = household(
        id="EDGE",
        self_coping=False,
        lifted_out_of_poverty=False,
        guarantees={
            "housing_grade": "A",
            "basic_medical_insured": True,
            "compulsory_education_ok": True,
            "drinking_water_safe": True,
        },
        income=[record("2022-01-01", "2023-04-30", "8000")],
    )
    frame = ff.compare(
        [*_batch(), edge],
        [QIANSHAN, variant],
        as_of=date(2023, 6, 1),
        parameters={
            "qianshan_2023": {"monitoring_income_line": 7000},
            "variant": {"monitoring_income_line": 5000},
        },
    )
    table = ff.outcome_table(frame)
    assert list(table.columns) == ["qianshan_2023", "variant"]
    assert table.loc["EDGE"].tolist() == ["needs_review", "not_eligible"]
    diff = ff.disagreements(frame)
    assert list(diff.columns) == [
        "household_id",
        "qianshan_2023",
        "qianshan_2023:rule",
        "qianshan_2023:unknown",
        "variant",
        "variant:rule",
        "variant:unknown",
    ]
    row = diff.set_index("household_id").loc["EDGE"]
    assert row["qianshan_2023:rule"] == "qianshan_2023.outcome.income_below_line_cannot_cope"
    unknown = row["qianshan_2023:unknown"]
    assert not pd.isna(unknown) and not unknown  # the rule fired: decided, not a gap in facts
    assert pd.isna(row["variant:rule"])
    assert "LOW" not in set(diff["household_id"])  # both packs identify it


def test_flat_parameters_never_overwrite_a_stated_figure(tmp_path):
    from fangfan_rules.analysis.compare import _with_parameters

    variant = _variant(tmp_path, "5000")
    applied = _with_parameters(
        variant, {"monitoring_income_line": 7000, "key_attention_income_threshold": 1}
    )
    assert applied.parameter_value("key_attention_income_threshold", date(2023, 6, 1)).value == 5000
    per_pack = _with_parameters(variant, {"variant": {"key_attention_income_threshold": 1}})
    assert (
        per_pack.parameter_value("key_attention_income_threshold", date(2023, 6, 1)).source
        == "caller"
    )


def test_results_frame_matches_compare():
    pack = QIANSHAN.with_parameters(monitoring_income_line=7000)
    results = pack.identify_many(_batch(), as_of=date(2023, 6, 1))
    frame = ff.results_frame(results)
    assert list(frame["outcome"]) == [r.outcome.value for r in results]


def test_every_engine_gives_the_same_comparison():
    import json
    from pathlib import Path

    sample = Path(__file__).parents[1] / "examples" / "sample_households.jsonl"
    households = [
        ff.load_household(json.loads(line)) for line in sample.read_text("utf-8").splitlines()[:120]
    ]
    as_of = {"qianshan_2023": date(2023, 6, 5), "ewenki_2024": date(2024, 6, 5)}
    exact = [
        "household_id",
        "pack",
        "outcome",
        "category",
        "risk_types",
        "key_attention",
        "key_areas",
        "flags",
        "must_visit",
        "green_channel",
        "deciding_rule",
        "decided_by_unknown",
    ]
    frames = [
        ff.compare(
            households,
            list(as_of),
            as_of=as_of,
            parameters={"monitoring_income_line": 7000},
            engine=engine,
        )[exact].astype(str)
        for engine in ("native", "vectorized", "durable")
    ]
    assert frames[0].equals(frames[1]) and frames[0].equals(frames[2])
    sweep_native = ff.sweep(
        households,
        "qianshan_2023",
        parameter="monitoring_income_line",
        values=[6000, 9000],
        as_of=date(2023, 6, 5),
        engine="native",
    )
    sweep_fast = ff.sweep(
        households,
        "qianshan_2023",
        parameter="monitoring_income_line",
        values=[6000, 9000],
        as_of=date(2023, 6, 5),
    )
    assert sweep_native["count"].tolist() == sweep_fast["count"].tolist()


def test_vectorized_compare_fills_every_column_and_reasons_false_leaves_the_texts_out():
    args = dict(as_of=date(2023, 6, 1), parameters={"monitoring_income_line": 7000})
    native = ff.compare(_batch(), ["qianshan_2023"], **args)
    full = ff.compare(_batch(), ["qianshan_2023"], engine="vectorized", **args)
    pd.testing.assert_frame_equal(full, native)
    lean = ff.compare(_batch(), ["qianshan_2023"], engine="vectorized", reasons=False, **args)
    assert "first_reason" not in lean.columns and "missing_facts" not in lean.columns
    pd.testing.assert_frame_equal(lean, native.drop(columns=["first_reason", "missing_facts"]))


def _sample(n: int):
    import json
    from pathlib import Path

    sample = Path(__file__).parents[1] / "examples" / "sample_households.jsonl"
    lines = sample.read_text("utf-8").splitlines()[:n]
    return [ff.load_household(json.loads(line)) for line in lines]


def test_sweep_shares_variables_only_where_the_value_leaves_them_alone():
    """A sweep computes the variables once per set of arguments: a swept window changes the
    variables (recomputed), a swept line or share does not (reused) — counts as native's."""
    households = _sample(60)
    cases = [
        ("ewenki_2024", date(2024, 6, 5), "income_window", [
            "2023-01-01..2023-12-31", "2022-01-01..2022-12-31", "2023-01-01..2023-12-31"]),
        ("qianshan_2023", date(2023, 6, 5), "key_attention_income_threshold", [5000, 10000]),
        ("ewenki_2024", date(2024, 6, 5), "bottom_share_percent", [10, 20, 40]),
    ]  # fmt: skip
    for pack, as_of, parameter, values in cases:
        frames = [
            ff.sweep(
                households,
                pack,
                parameter=parameter,
                values=values,
                as_of=as_of,
                parameters={"monitoring_income_line": 7000},
                engine=engine,
            )
            for engine in ("native", "vectorized")
        ]
        assert frames[0]["count"].tolist() == frames[1]["count"].tolist(), (pack, parameter)
        counts = frames[1].groupby("value", sort=False)["count"].apply(tuple)
        assert counts.nunique() > 1, f"{pack} {parameter}: the values must move the counts"


def test_progress_bars_are_on_standard_error_only_when_asked(capsys):
    args = dict(as_of=date(2023, 6, 1), parameters={"monitoring_income_line": 7000})
    quiet = ff.compare(_batch(), ["qianshan_2023"], **args)
    assert capsys.readouterr().err == ""
    shown = ff.compare(_batch(), ["qianshan_2023"], progress=True, **args)
    captured = capsys.readouterr()
    assert "compare" in captured.err and "2/2" in captured.err and captured.out == ""
    pd.testing.assert_frame_equal(shown, quiet)
    sweep_args = dict(
        parameter="monitoring_income_line", values=[6000, 8000], as_of=date(2023, 6, 1)
    )
    quiet = ff.sweep(_batch(), "qianshan_2023", **sweep_args)
    assert capsys.readouterr().err == ""
    shown = ff.sweep(_batch(), "qianshan_2023", progress=True, **sweep_args)
    assert "sweep monitoring_income_line" in capsys.readouterr().err
    pd.testing.assert_frame_equal(shown, quiet)
