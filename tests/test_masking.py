"""身份证 masking (issue 12, finding 5): no 15- or 18-digit ID number leaves through any output.

Households whose ids and member ids are themselves ID numbers (as exported data often has them),
with members' ID numbers of both lengths, are driven through every public output path: result
repr / str / JSON / dumps, explanations in Chinese and English, summaries and HTML, the batch
frames of every engine and of streaming and Dask, compare / outcome_table / disagreements /
sweep, the ledger, every CLI command and format, and the errors with their cause and context
chains. No raw number may appear in any of them; ``reveal_ids`` is the one way to see them.
"""

from __future__ import annotations

import contextlib
import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from pydantic import ValidationError

import fangfan_rules as ff
from fangfan_rules.analysis import card
from fangfan_rules.cli import main
from fangfan_rules.engines import columnar as col
from fangfan_rules.engines import vectorized as vz
from fangfan_rules.idnumber import is_id_number, mask_id_number, scrub_id_numbers
from tests.tricky import ALL_IDS, ID15, ID18, ID18_TYPO, base_household

AS_OF = date(2023, 6, 5)
PACK = ff.load_pack("qianshan_2023").with_parameters(monitoring_income_line=7000)
JIMO = ff.load_pack("jimo_2022").with_parameters(
    monitoring_income_line=7000, income_window="2021-05-01..2022-04-30"
)


def _data() -> list[dict[str, Any]]:
    out = []
    for i, hid in enumerate((ID18[0], ID15[0], ID18[1])):
        data = base_household(hid)
        data["members"][0]["id"] = ID15[1] if i == 0 else ID18[1]
        data["members"][0]["id_number"] = ID18[0]
        data["members"][1]["id_number"] = ID15[0]
        data["members"][1]["name"] = f"户主身份证 {ID18[1]}"  # a number written into free text
        data["self_coping"] = False
        data["clues"] = [
            {"channel": "department_push", "received_on": "2022-05-01", "description": ID15[1]}
        ]
        out.append(data)
    return out


DATA = _data()
HOUSEHOLDS = [ff.load_household(d) for d in DATA]


def texts_of(exc: BaseException) -> list[str]:
    """Every text an exception carries, down its cause and context chain (with a pydantic
    error's ``errors()`` and ``json()``)."""
    out: list[str] = []
    seen: set[int] = set()
    stack: list[BaseException | None] = [exc]
    while stack:
        e = stack.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        out += [str(e), repr(e), repr(getattr(e, "problems", "")), repr(e.args)]
        if isinstance(e, ValidationError):
            out += [repr(e.errors()), e.json()]
        stack += [e.__cause__, e.__context__]
    return out


def leaked(texts: list[str]) -> list[str]:
    return [n for n in ALL_IDS if any(n in t or n.lower() in t for t in texts)]


def _cli(argv: list[str]) -> str:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        main(argv)
    return out.getvalue() + err.getvalue()


def outputs(tmp: Path) -> dict[str, str]:
    """Every public output path, as text (frames as CSV)."""
    result = PACK.identify(HOUSEHOLDS[0], as_of=AS_OF)
    elimination = PACK.assess_elimination(HOUSEHOLDS[0], as_of=AS_OF)
    comparison = ff.compare(
        HOUSEHOLDS, [PACK, JIMO], as_of={"qianshan_2023": AS_OF, "jimo_2022": date(2022, 5, 15)}
    )
    tables = col.to_tables(HOUSEHOLDS)
    nested = col.write_parquet(HOUSEHOLDS, tmp / "nested.parquet", layout="nested")
    got: dict[str, str] = {
        "repr(result)": repr(result),
        "str(result)": str(result),
        "model_dump_json": result.model_dump_json(),
        "model_dump_json(indent)": result.model_dump_json(indent=2),
        "model_dump": repr(result.model_dump()),
        "model_dump(json)": repr(result.model_dump(mode="json")),
        "explain zh": result.explain("zh"),
        "explain en": result.explain("en"),
        "first_reason": result.first_reason("zh"),
        "summary": repr(result.summary()),
        "html": result._repr_html_(),
        "trace": repr(result.trace) + result.trace._repr_html_(),
        "cards": card.identification_html(result)
        + card.identification_markdown(result)
        + card.trace_html(result.trace),
        "elimination": repr(elimination)
        + elimination.explain("zh")
        + elimination.model_dump_json(),
        "identify_many": repr(PACK.identify_many(HOUSEHOLDS, as_of=AS_OF)),
        "household repr": repr(HOUSEHOLDS[0]) + str(HOUSEHOLDS[0]),
        "household json": HOUSEHOLDS[0].model_dump_json() + repr(HOUSEHOLDS[0].model_dump()),
        "compare": comparison.to_csv(),
        "outcome_table": ff.outcome_table(comparison).to_csv(),
        "disagreements": ff.disagreements(comparison).to_csv(),
        "results_frame": ff.results_frame([result]).to_csv(),
        "tables frame": vz.identify_frame(PACK, tables, as_of=AS_OF).to_csv(),
        "stream": "".join(f.to_csv() for f in vz.identify_parquet(PACK, nested, as_of=AS_OF)),
        "batch explain": vz.VectorizedBatch(PACK, tables, as_of=AS_OF).explain(0).explain(),
        "explain_parquet": vz.explain_parquet(PACK, nested, ID15[0], as_of=AS_OF).explain("en"),
        "ledger": repr(
            list(
                ff.ledger_rows(
                    HOUSEHOLDS, JIMO.identify_many(HOUSEHOLDS, as_of=date(2022, 5, 15)), pack=JIMO
                )
            )
        ),
    }
    for engine in ("native", "vectorized", "durable"):
        try:
            frame = PACK.identify_frame(HOUSEHOLDS, as_of=AS_OF, engine=engine)
        except ff.FangfanError as exc:  # durable_rules is not available on every Python
            assert engine == "durable", exc
            continue
        got[f"identify_frame {engine}"] = frame.to_csv()
    got["sweep"] = ff.sweep(
        HOUSEHOLDS, PACK, parameter="monitoring_income_line", values=[6000], as_of=AS_OF
    ).to_csv()
    pytest.importorskip("dask")
    from fangfan_rules.engines.distributed import identify_dask

    got["dask"] = identify_dask(PACK, str(nested), as_of=AS_OF).compute().to_csv()
    return got


def cli_outputs(tmp: Path) -> dict[str, str]:
    src = tmp / "in.jsonl"
    src.write_text("\n".join(json.dumps(d, ensure_ascii=False) for d in DATA) + "\n", "utf-8")
    args = [
        "--pack",
        "qianshan_2023",
        "--as-of",
        "2023-06-05",
        "--param",
        "monitoring_income_line=7000",
    ]
    got = {}
    for fmt in ("jsonl", "csv", "table"):
        got[f"evaluate {fmt}"] = _cli(["evaluate", *args, "--format", fmt, str(src)])
        got[f"eliminate {fmt}"] = _cli(["eliminate", *args, "--format", fmt, str(src)])
        got[f"compare {fmt}"] = _cli(
            [
                "compare",
                "--pack",
                "qianshan_2023",
                "--as-of",
                "2023-06-05",
                "--param",
                "monitoring_income_line=7000",
                "--format",
                fmt,
                str(src),
            ]
        )
    got["evaluate --full"] = _cli(["evaluate", *args, "--format", "jsonl", "--full", str(src)])
    got["explain"] = _cli(["explain", *args, str(src)])
    got["explain --json"] = _cli(["explain", *args, "--json", str(src)])
    got["explain --household"] = _cli(["explain", *args, "--household", ID15[0], str(src)])
    got["explain unknown"] = _cli(["explain", *args, "--household", ID18_TYPO, str(src)])
    got["sweep"] = _cli(
        [
            "sweep",
            *args,
            "--parameter",
            "monitoring_income_line",
            "--values",
            "6000",
            "--format",
            "csv",
            str(src),
        ]
    )
    bad = dict(DATA[0])
    bad["members"] = [dict(DATA[0]["members"][0], id_number=ID18_TYPO)]
    src.write_text(json.dumps(bad, ensure_ascii=False) + "\n{not json " + ID18[1] + "\n", "utf-8")
    got["bad rows jsonl"] = _cli(["evaluate", *args, "--format", "jsonl", str(src)])
    got["bad rows table"] = _cli(["evaluate", *args, "--format", "table", str(src)])
    cases = tmp / "cases.jsonl"
    cases.write_text(
        json.dumps(
            {"household_id": ID18[0], "events": [{"step": "clue_received", "date": "2025-09-30"}]}
        )
        + "\n"
    )
    got["due"] = _cli(
        ["due", "--pack", "puan_2025", "--as-of", "2025-10-09", "--format", "csv", str(cases)]
    )
    return got


def errors() -> dict[str, list[str]]:
    """Errors and their chains."""
    got: dict[str, list[str]] = {}

    def grab(label: str, fn: Any) -> None:
        try:
            fn()
        except (ff.FangfanError, ValidationError) as exc:
            got[label] = texts_of(exc)
        else:  # pragma: no cover - every call below must fail
            raise AssertionError(f"{label}: no error")

    bad_member = dict(DATA[0]["members"][0], id_number=ID18_TYPO)
    grab("FactError id_number", lambda: ff.load_household(dict(DATA[0], members=[bad_member])))
    grab("FactError household id", lambda: ff.load_household(dict(DATA[0], hukou="moon")))
    grab("FactError number", lambda: ff.load_household(dict(DATA[0], id=int(ID15[0]))))
    grab("FactError json", lambda: ff.load_household(f'{{"id": "{ID18[0]}", "x": }}'))
    grab("FactError key", lambda: ff.load_household(dict(DATA[0], **{ID18[1]: 1})))
    grab("Member(id_number=bad)", lambda: ff.Member(id="m", relation="head", id_number=ID18_TYPO))
    grab("Member(id=ID, relation=bad)", lambda: ff.Member(id=ID18[0], relation="moon"))
    grab("model_validate_json", lambda: ff.Member.model_validate_json(f'{{"id": "{ID15[0]}"}}'))
    grab(
        "to_households",
        lambda: col.to_households(
            {
                **col.to_tables(HOUSEHOLDS),
                "members": col.to_tables(HOUSEHOLDS)["members"].with_columns(
                    pl.lit("x").alias("id_number")
                ),
            }
        ),
    )
    return got


def test_the_households_hold_valid_15_and_18_digit_numbers():
    assert all(is_id_number(n) for n in (*ID18, *ID15))
    assert {h.id for h in HOUSEHOLDS} == {ID18[0], ID15[0], ID18[1]}


def test_finding5_no_id_number_in_any_output(tmp_path):
    """Every output path, every CLI command and format, every error and its chain: no valid
    15- or 18-digit ID number (nor the 18-digit typo of one) appears."""
    found = {label: leaked([text]) for label, text in outputs(tmp_path).items()}
    found.update({f"cli {label}": leaked([text]) for label, text in cli_outputs(tmp_path).items()})
    found.update({f"error {label}": leaked(texts) for label, texts in errors().items()})
    assert len(found) >= 55  # the paths listed above (a guard against a list cut short)
    leaks = {label: numbers for label, numbers in found.items() if numbers}
    assert not leaks


def test_finding5_errors_carry_no_chain():
    """A library error is raised without a cause or context that could hold the raw input."""
    for label, fn in {
        "load": lambda: ff.load_household(dict(DATA[0], hukou="moon")),
        "json": lambda: ff.load_household("{" + ID18[0]),
        "member": lambda: ff.Member(id="m", relation="head", id_number=ID18_TYPO),
    }.items():
        with pytest.raises((ff.FangfanError, ValidationError)) as info:
            fn()
        assert info.value.__cause__ is None and info.value.__context__ is None, label


def test_finding5_reveal_ids_is_the_one_way_to_see_them(tmp_path):
    result = PACK.identify(HOUSEHOLDS[1], as_of=AS_OF)
    assert ID15[0] not in result.explain() and mask_id_number(ID15[0]) in result.explain()
    with ff.reveal_ids():
        assert ID15[0] in result.explain() and ID15[0] in result.model_dump_json()
        frame = vz.identify_frame(PACK, HOUSEHOLDS, as_of=AS_OF)
        assert frame.household_id.tolist() == [h.id for h in HOUSEHOLDS]
    assert ID15[0] in result.model_dump_json(context={"reveal_ids": True})
    assert result.household_id == ID15[0]  # the attribute keeps the value as given
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps(DATA[1], ensure_ascii=False) + "\n", "utf-8")
    args = [
        "evaluate",
        "--pack",
        "qianshan_2023",
        "--as-of",
        "2023-06-05",
        "--param",
        "monitoring_income_line=7000",
        "--format",
        "jsonl",
        str(src),
    ]
    assert ID15[0] not in _cli(args)
    assert ID15[0] in _cli(["--reveal-ids", *args])
    bad = dict(DATA[1], hukou="moon")
    with ff.reveal_ids(), pytest.raises(ff.FactError) as info:
        ff.load_household(bad)
    assert ID15[0] not in str(info.value)  # errors never reveal


def test_finding5_15_digit_numbers_are_validated_and_masked():
    assert ff.validate_id_number(ID15[0]) == ID15[0]
    with pytest.raises(ValueError, match="birth date"):
        ff.validate_id_number(ID15[0][:6] + "491331002")
    assert scrub_id_numbers(f"id {ID15[0]}, amount 100000000000000") == (
        f"id {mask_id_number(ID15[0])}, amount 100000000000000"
    )
    member = ff.Member(id="m", relation="head", id_number=ID15[0])
    assert member.model_dump()["id_number"] == mask_id_number(ID15[0])
    masked_json = col.to_tables([HOUSEHOLDS[1]])["members"]["id_number"].to_list()
    assert ID15[0] in masked_json  # the tables keep the value (they are the caller's data)
    clean, errs = col.validate(col.to_tables([HOUSEHOLDS[1]]))
    assert errs.height == 0 and clean["households"].height == 1
