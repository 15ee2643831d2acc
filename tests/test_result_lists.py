"""Result frames as analysts use them: list columns are ``;``-joined text that pandas string
methods and Excel read as they are, and the deciding rule is a plain rule id with a separate
``decided_by_unknown`` column — the same in every engine."""

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import fangfan_rules as ff
from fangfan_rules.result_rows import LIST_COLUMNS
from tests.helpers import household

SAMPLE = Path(__file__).parents[1] / "examples" / "sample_households.jsonl"
QIANSHAN = ff.load_pack("qianshan_2023").with_parameters(monitoring_income_line=Decimal("7000"))
AS_OF = date(2023, 6, 5)


@pytest.fixture(scope="module")
def sample() -> list[ff.Household]:
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()[:200]
    return [ff.load_household(json.loads(line)) for line in lines]


@pytest.mark.parametrize("engine", ["vectorized", "native"])
def test_key_attention_takes_pandas_string_methods(sample, engine):
    frame = QIANSHAN.identify_frame(sample, as_of=AS_OF, engine=engine)
    in_group_1 = frame.key_attention.str.contains("①")
    assert in_group_1.dtype == bool  # no NaN: every row answered, "" where no group matched
    assert in_group_1.any() and not in_group_1.all()
    for column in LIST_COLUMNS:
        assert all(isinstance(cell, str) for cell in frame[column]), column
    # a cell is the items joined by ";", in the result's own order
    for cell, result in zip(
        frame.key_attention, QIANSHAN.identify_many(sample, as_of=AS_OF), strict=True
    ):
        assert ff.split_items(cell) == tuple(g.id for g in result.key_attention)


def test_excel_gets_text_never_a_tuple_or_list_repr(sample, tmp_path):
    frame = QIANSHAN.identify_frame(sample, as_of=AS_OF)
    grouped = frame[frame.key_attention.str.contains(";")]
    assert len(grouped), "the sample has households in two groups"
    path = tmp_path / "results.xlsx"
    frame.to_excel(path, index=False)
    sheet = openpyxl.load_workbook(path).active
    header = [c.value for c in sheet[1]]
    cells = [
        row[header.index(column)]
        for row in sheet.iter_rows(min_row=2, values_only=True)
        for column in LIST_COLUMNS
    ]
    assert not any(isinstance(c, str) and c[:1] in "([" for c in cells), "a Python repr"
    written = [
        row[header.index("key_attention")] for row in sheet.iter_rows(min_row=2, values_only=True)
    ]
    assert [w or "" for w in written] == frame.key_attention.tolist()


def test_split_items_reads_empty_and_error_cells():
    assert ff.split_items("qianshan_2023:①;qianshan_2023:⑥") == (
        "qianshan_2023:①",
        "qianshan_2023:⑥",
    )
    assert ff.split_items("") == ()
    assert ff.split_items(None) == ()


@pytest.mark.parametrize("engine", ["vectorized", "native"])
def test_a_review_for_missing_facts_names_a_plain_rule_and_says_so(engine):
    # no income recorded: the income outcome rule cannot be decided, the answer is a review
    unknown = household(id="N", self_coping=False, lifted_out_of_poverty=False)
    frame = QIANSHAN.identify_frame([unknown], as_of=AS_OF, engine=engine)
    row = frame.iloc[0]
    assert row.outcome == "needs_review"
    assert row.deciding_rule == "qianshan_2023.outcome.guarantee_problem_cannot_cope"
    assert bool(row.decided_by_unknown) is True
    assert not frame.deciding_rule.str.endswith("?").any()


def test_engines_agree_on_decided_by_unknown(sample):
    native = QIANSHAN.identify_frame(sample, as_of=AS_OF, engine="native")
    fast = QIANSHAN.identify_frame(sample, as_of=AS_OF, engine="vectorized")
    columns = ["deciding_rule", "decided_by_unknown", *LIST_COLUMNS]
    pd.testing.assert_frame_equal(
        fast[columns].astype(object), native[columns].astype(object), check_dtype=False
    )
    assert native.decided_by_unknown.any()  # the sample has reviews for missing facts


COMPARE = [
    "compare", "--pack", "qianshan_2023", "--pack", "ewenki_2024",
    "--as-of", "qianshan_2023=2023-06-05", "--as-of", "ewenki_2024=2024-06-05",
    "--param", "monitoring_income_line=7000", "--disagreements",
]  # fmt: skip


def test_cli_disagreements_carry_the_unknown_flag(tmp_path, capsys, monkeypatch):
    from fangfan_rules.cli import main

    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(SAMPLE.read_text("utf-8").splitlines()[:40]) + "\n", "utf-8")
    out = tmp_path / "d.jsonl"
    main([*COMPARE, "-o", str(out), str(src)])
    rows = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    row = next(r for r in rows if r["household_id"] == "SYN-0004")
    assert row["ewenki_2024:rule"] == "ewenki_2024.outcome.review_income_below_benchmark"
    assert row["ewenki_2024:unknown"] is True
    assert not any(str(r[k]).endswith("?") for r in rows for k in r if k.endswith(":rule"))
    # the table marks it in the rule's cell, ahead of the id (a cut id keeps the mark)
    monkeypatch.setenv("COLUMNS", "160")
    main([*COMPARE, "--format", "table", str(src)])
    line = next(x for x in capsys.readouterr().out.splitlines() if "SYN-0004" in x)
    assert "缺事实：outcome.review_income" in line
