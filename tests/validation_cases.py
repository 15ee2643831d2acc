"""Bad batches for the validation's differential test (``test_columnar_validation_plan.py``).

:func:`bad_tables` corrupts the tables of a few sample households with one to five problems drawn
from every kind the validator knows (nulls and empty text in required columns, money out of
range or negative, bad enums, dates, booleans and whole numbers given as text, ids and free text
with forbidden characters or blanks, duplicated households and members, orphans, unknown
members, bad or unnormalized ID numbers, overlapping income, date order, …), reproducibly from
a seed. :func:`outcome` is what validation made of them, in a form that can be stored: the
error rows and a digest of each clean table, or the message of the error it raised.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl

import fangfan_rules as ff
from fangfan_rules.engines import columnar as col
from fangfan_rules.idnumber import check_digit

SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sample_households.jsonl"
_LINES = SAMPLE.read_text("utf-8").splitlines()
Tables = dict[str, pl.DataFrame]


def _base(size: int) -> Tables:
    return col.to_tables([ff.load_household(json.loads(line)) for line in _LINES[:size]])


def _set(frame: pl.DataFrame, row: int, column: str, value: Any) -> pl.DataFrame:
    """The frame with one cell replaced (the column's dtype widened to the value's if needed)."""
    series = frame.get_column(column)
    if value is not None and not isinstance(value, list) and series.dtype != pl.String:
        if isinstance(value, str):
            series = series.cast(pl.String)
    values = series.to_list()
    values[row] = value
    dtype = series.dtype if value is None or isinstance(value, list) else None
    return frame.with_columns(pl.Series(column, values, dtype=dtype, strict=False))


def _row(rng: random.Random, frame: pl.DataFrame) -> int | None:
    return rng.randrange(frame.height) if frame.height else None


def _cell(rng: random.Random, tables: Tables, table: str, column: str, value: Any) -> None:
    row = _row(rng, tables[table])
    if row is not None:
        tables[table] = _set(tables[table], row, column, value)


#: Columns added to the layout after the stored fingerprints were made: the cases never pick them
#: (the same seed breaks the same cell as before), and a clean table's digest leaves them out
#: while every value in them is null, so the stored fingerprints still prove the rest unchanged.
_ADDED_SINCE = ("policy_transfer_income_fen",)


def _schema(table: str) -> dict[str, pl.DataType]:
    """The table's columns as they were when the fingerprints were stored."""
    return {c: d for c, d in col.SCHEMAS[table].items() if c not in _ADDED_SINCE}


def _text_columns(table: str) -> list[str]:
    return [c for c, d in _schema(table).items() if d == pl.String and c != "household_id"]


def _required_null(rng: random.Random, tables: Tables) -> None:
    table = rng.choice(col.TABLES)
    _cell(rng, tables, table, rng.choice(col.REQUIRED[table]), None)


def _required_empty(rng: random.Random, tables: Tables) -> None:
    table = rng.choice(["households", "members", "child_status", "expenditures", "monitoring"])
    text = [c for c in col.REQUIRED[table] if col.SCHEMAS[table][c] == pl.String]
    _cell(rng, tables, table, rng.choice(text), rng.choice(["", "   "]))


def _money(rng: random.Random, tables: Tables) -> None:
    table = rng.choice(["income", "expenditures", "households"])
    money = [c for c in _schema(table) if c.endswith("_fen")]
    value = rng.choice([10**18, -(10**18), -1, -5, 10**18 - 1, 0])
    _cell(rng, tables, table, rng.choice(money), value)


def _enum(rng: random.Random, tables: Tables) -> None:
    table = rng.choice([t for t in col.ENUMS if t != "households"] + ["households"])
    column = rng.choice(list(col.ENUMS[table]))
    value = rng.choice(["no such value", " " + next(iter(col.ENUMS[table][column])).value, "x\x00"])
    if isinstance(col.SCHEMAS[table][column], pl.List):
        _cell(rng, tables, table, column, [value])
    else:
        _cell(rng, tables, table, column, value)


def _typed_as_text(rng: random.Random, tables: Tables) -> None:
    """A date, boolean or whole number given as text, well formed or not."""
    table = rng.choice(col.TABLES)
    typed = [c for c, d in _schema(table).items() if d in (pl.Date, pl.Boolean, pl.Int64)]
    if not typed:
        return
    column = rng.choice(typed)
    dtype = col.SCHEMAS[table][column]
    good = {pl.Date: " 2021-03-04", pl.Boolean: "true", pl.Int64: "12"}[dtype]
    bad = {pl.Date: ["2021-13-01", "2021/03/04", "yesterday"], pl.Boolean: ["yes", "1", "True"]}
    choices = [*bad.get(dtype, ["1.5", "١٢", "-0", "12 fen"]), good]
    _cell(rng, tables, table, column, rng.choice(choices))


def _typed_wrongly(rng: random.Random, tables: Tables) -> None:
    """A column of another dtype: floats, datetimes, numbers as text or booleans."""
    table = rng.choice(["households", "members", "monitoring", "risk_events"])
    frame = tables[table]
    column = rng.choice([c for c in _schema(table) if c not in col.REQUIRED[table]])
    dtype = col.SCHEMAS[table][column]
    if frame.schema[column] != dtype:  # already changed by another problem
        return
    if dtype == pl.Date:
        tables[table] = frame.with_columns(pl.col(column).cast(pl.Datetime))
    elif dtype == pl.Boolean:
        tables[table] = frame.with_columns(pl.col(column).cast(pl.Int64))
    elif dtype in (pl.Int64, pl.Int32):
        tables[table] = frame.with_columns(pl.col(column).cast(pl.Float64))
    elif dtype == pl.String:
        tables[table] = frame.with_columns(pl.col(column).str.len_chars().alias(column))


def _id_text(rng: random.Random, tables: Tables) -> None:
    table = rng.choice(col.TABLES)
    ids = ["household_id"] + (["member_id"] if table in ("members", "child_status") else [])
    ids += ["county", "village"] if table == "households" else []
    column = rng.choice(ids)
    frame = tables[table]
    row = _row(rng, frame)
    if row is None:
        return
    value = frame.get_column(column)[row]
    if value is None:
        return
    broken = rng.choice([f" {value}", f"{value}\t", f"{value}\u200b", f"{value}\n", f"{value} "])
    tables[table] = _set(frame, row, column, broken)


def _free_text(rng: random.Random, tables: Tables) -> None:
    table = rng.choice(["households", "expenditures", "risk_events", "clues", "monitoring"])
    free = [c for c in _text_columns(table) if c not in col.ENUMS.get(table, {})]
    free = [c for c in free if c not in ("county", "town", "village", "member_id")]
    if not free:
        return
    value = rng.choice(["bad\x07bell", " padded ", "line\nbreak", "ok text", "tab\t"])
    _cell(rng, tables, table, rng.choice(free), value)


def _duplicate_household(rng: random.Random, tables: Tables) -> None:
    h = tables["households"]
    row = _row(rng, h)
    if row is not None:
        tables["households"] = pl.concat([h, h.slice(row, 1)])


def _duplicate_member(rng: random.Random, tables: Tables) -> None:
    m = tables["members"]
    row = _row(rng, m)
    if row is not None:
        tables["members"] = pl.concat([m, m.slice(row, 1)])


def _orphan(rng: random.Random, tables: Tables) -> None:
    table = rng.choice(col.CHILDREN)
    _cell(rng, tables, table, "household_id", rng.choice(["NO-SUCH-HOUSEHOLD", "SYN-X", None]))


def _unknown_member(rng: random.Random, tables: Tables) -> None:
    _cell(rng, tables, "child_status", "member_id", "m-nobody")


def _id_number(rng: random.Random, tables: Tables) -> None:
    body = f"{rng.randint(110000, 659999):06d}{rng.randint(1930, 2020):04d}"
    body += f"{rng.randint(1, 13):02d}{rng.randint(1, 31):02d}{rng.randint(0, 999):03d}"
    number = rng.choice(
        [
            body + check_digit(body),
            body + "0",
            (body + check_digit(body)).lower(),
            f" {body + check_digit(body)} ",
            body[:6] + body[8:],
            "12345",
        ]
    )
    _cell(rng, tables, "members", "id_number", number)


def _dates_out_of_order(rng: random.Random, tables: Tables) -> None:
    table, column = rng.choice(
        [
            ("income", "end"),
            ("income", "start"),
            ("social_assistance", "end"),
            ("monitoring", "eliminated_on"),
            ("monitoring", "identified_on"),
        ]
    )
    from datetime import date

    _cell(rng, tables, table, column, date(2020 + rng.randint(0, 3), rng.randint(1, 12), 1))


def _expenditure(rng: random.Random, tables: Tables) -> None:
    column = rng.choice(["reimbursed_fen", "compliant_self_paid_fen"])
    _cell(rng, tables, "expenditures", column, rng.choice([10**9, 5, 0]))


def _member_fact(rng: random.Random, tables: Tables) -> None:
    column, value = rng.choice(
        [("disability_grade", 7), ("disability_grade", 0), ("disability_grade", None)]
    )
    _cell(rng, tables, "members", column, value)


def _household_fact(rng: random.Random, tables: Tables) -> None:
    column, value = rng.choice(
        [
            ("lifted_year", 2050),
            ("lifted_year", 2012),
            ("lifted_out_of_poverty", False),
            ("green_channel", False),
            ("livestock_head_count", -1),
            ("livestock_head_count", None),
            ("judgement_decided_on", None),
            ("judgement_included", None),
        ]
    )
    _cell(rng, tables, "households", column, value)


def _shuffle(rng: random.Random, tables: Tables) -> None:
    table = rng.choice(col.CHILDREN)
    tables[table] = tables[table].sample(fraction=1.0, shuffle=True, seed=rng.randrange(2**32))


def _float_money(rng: random.Random, tables: Tables) -> None:
    if rng.random() < 0.3:  # rare: it refuses the whole batch
        tables["income"] = tables["income"].with_columns(pl.col("wage_income_fen").cast(pl.Float64))


def _integer_ids(rng: random.Random, tables: Tables) -> None:
    if rng.random() < 0.3:
        table = rng.choice(col.CHILDREN)
        tables[table] = tables[table].with_columns(pl.col("household_id").str.len_chars())


KINDS: tuple[Callable[[random.Random, Tables], None], ...] = (
    _required_null,
    _required_empty,
    _money,
    _enum,
    _typed_as_text,
    _typed_wrongly,
    _id_text,
    _free_text,
    _duplicate_household,
    _duplicate_member,
    _orphan,
    _unknown_member,
    _id_number,
    _dates_out_of_order,
    _expenditure,
    _member_fact,
    _household_fact,
    _shuffle,
    _float_money,
    _integer_ids,
)


def bad_tables(seed: int) -> Tables:
    """The tables of 6–30 sample households with one to five problems, drawn from ``seed``."""
    rng = random.Random(seed)
    tables = _base(rng.randint(6, 30))
    for _ in range(rng.randint(1, 5)):
        rng.choice(KINDS)(rng, tables)
    return tables


def _digest(frame: pl.DataFrame) -> str:
    added = [c for c in _ADDED_SINCE if c in frame.columns and frame.get_column(c).is_null().all()]
    frame = frame.drop(added)
    text = frame.write_ndjson()
    return hashlib.sha256(f"{frame.schema}\n{text}".encode()).hexdigest()[:16]


def outcome(tables: Tables) -> dict[str, Any]:
    """What validation made of ``tables``: error rows and clean-table digests, or the refusal."""
    try:
        clean, errors = col.validate(tables)
    except ff.FangfanError as exc:
        return {"raised": f"{type(exc).__name__}: {exc}"}
    return {
        "errors": errors.rows(),
        "clean": {t: _digest(frame) for t, frame in sorted(clean.items())},
    }


def fingerprint(result: dict[str, Any]) -> str:
    """A short digest of an :func:`outcome` (the stored expectations hold these)."""
    text = json.dumps(result, ensure_ascii=False, default=str, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:20]
