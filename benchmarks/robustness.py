"""Robustness figures: inputs tried per area, crashes, coercions, leaks and rows lost.

    python benchmarks/robustness.py              # the figures of this checkout
    python benchmarks/robustness.py --fuzz 5000  # more random inputs for the loader

Not a test (the fuzz suite, ``tests/test_fuzz_inputs.py``, keeps these at zero in CI): a
measurement that runs unchanged against an older checkout (``PYTHONPATH=<old checkout>``) so that
a change can report its figures before and after. Only public API is used, and only what every
version has; answers of a newer API (a ``BadRow`` in ``identify_many``) are recognised by shape.

Areas:

* ``loader``   — ``load_household`` on the tricky corpus (``tests/tricky.py``), malformed
  documents and seeded random mutations; ``ff.Member(id_number=…)`` with bad numbers.
* ``readers``  — JSON Lines, JSON and CSV files mixing good households with malformed records.
* ``tables``   — the vectorized engine on child tables sorted, reversed, shuffled and
  concatenated (interleaved), with bad child rows in two households; CSV tables with tricky cells.
* ``duplicates`` — a household id twice in ``identify_many``, ``identify_frame`` (households,
  tables) and ``identify_parquet`` (the copies in different chunks).
* ``outputs``  — every output path, for households whose ids are ID numbers.

A *crash* is any exception other than the library's documented errors (``FangfanError``); a
*coercion* is a value outside the documented forms that was accepted; a *leak* is a valid 15- or
18-digit ID number (or the 18-digit typo of one) in an output, a message or an exception's chain;
a *row lost* is an input record with neither an answer nor a reported error.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import random
import sys
import tempfile
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the corpus lives with the tests

from tests.tricky import (  # noqa: E402
    ALL_IDS,
    ID15,
    ID18,
    ID18_TYPO,
    MALFORMED_LINES,
    base_household,
    corpus,
    household_text,
)

QIANSHAN = ("qianshan_2023", date(2023, 6, 5), {"monitoring_income_line": 7000})


class Tally:
    def __init__(self) -> None:
        self.counts: dict[str, Counter[str]] = {}
        self.examples: dict[tuple[str, str], list[str]] = {}

    def add(self, area: str, what: str, n: int = 1, example: str | None = None) -> None:
        self.counts.setdefault(area, Counter())[what] += n
        if example is not None and n:
            found = self.examples.setdefault((area, what), [])
            if len(found) < 3:
                found.append(example[:160])

    def report(self) -> str:
        columns = ("inputs", "crashes", "coercions", "leaks", "rows lost", "good refused")
        lines = [f"{'area':<12}" + "".join(f"{c:>14}" for c in columns)]
        total: Counter[str] = Counter()
        for area, counts in self.counts.items():
            total.update(counts)
            lines.append(f"{area:<12}" + "".join(f"{counts.get(c, 0):>14,}" for c in columns))
        lines.append(f"{'total':<12}" + "".join(f"{total.get(c, 0):>14,}" for c in columns))
        for (area, what), found in sorted(self.examples.items()):
            if what != "inputs":
                lines.append(f"  e.g. {area} {what}: " + " | ".join(found))
        return "\n".join(lines)


def _texts_of(exc: BaseException) -> list[str]:
    """Every text an exception carries: str, repr, and its cause / context chain (with a
    pydantic ValidationError's ``errors()`` and ``json()``)."""
    out: list[str] = []
    seen: set[int] = set()
    stack: list[BaseException | None] = [exc]
    while stack:
        e = stack.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        out += [str(e), repr(e)]
        for attr in ("errors", "json"):
            method = getattr(e, attr, None)
            if callable(method):
                with contextlib.suppress(Exception):
                    out.append(str(method()))
        for attr in ("problems", "household_id"):
            if hasattr(e, attr):
                out.append(repr(getattr(e, attr)))
        stack += [e.__cause__, e.__context__]
    return out


def _leaks(texts: Any) -> list[str]:
    if isinstance(texts, str):
        texts = [texts]
    return [n for n in ALL_IDS if any(n in t or n.lower() in t for t in texts)]


def _documented(exc: BaseException) -> bool:
    from fangfan_rules.errors import FangfanError

    return isinstance(exc, FangfanError)


def _call(fn: Any) -> tuple[Any, BaseException | None]:
    try:
        return fn(), None
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:
        return None, exc


# ----------------------------------------------------------------------------------------------
# loader


def _random_value(rng: random.Random) -> Any:
    pools: list[Any] = [
        lambda: rng.choice(ALL_IDS),
        lambda: "".join(chr(rng.randrange(0, 0x3000)) for _ in range(rng.randrange(0, 6))),
        lambda: rng.choice(["", " ", "null", "true", "1e3", "-0", "１２", "2023-13-01"]),
        lambda: rng.randrange(-(10**20), 10**20),
        lambda: rng.choice([True, False, None]),
        lambda: [rng.randrange(10)] * rng.randrange(3),
        lambda: {"x": rng.random()},
        lambda: rng.random() * 10 ** rng.randrange(-5, 30),
    ]
    return rng.choice(pools)()


def _leaf_paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(data, dict):
        return [p for k, v in data.items() for p in _leaf_paths(v, (*prefix, k))] + [prefix]
    if isinstance(data, list):
        return [p for i, v in enumerate(data) for p in _leaf_paths(v, (*prefix, i))] + [prefix]
    return [prefix]


def _mutated(rng: random.Random) -> str:
    data = base_household(rng.choice(["R-1", *ALL_IDS]))
    for _ in range(rng.randrange(1, 4)):
        paths = [p for p in _leaf_paths(data) if p]
        path = rng.choice(paths)
        target: Any = data
        for part in path[:-1]:
            target = target[part]
        if rng.random() < 0.1 and isinstance(target, dict):
            target[f"extra{rng.randrange(9)}"] = _random_value(rng)
        else:
            target[path[-1]] = _random_value(rng)
    return json.dumps(data, ensure_ascii=False)


def measure_loader(tally: Tally, n_random: int, seed: int) -> None:
    import fangfan_rules as ff

    area = "loader"
    inputs: list[tuple[str, str, bool | None]] = [
        (f"{kind} {form.json[:30]}", household_text(path, form), form.accepted)
        for kind, path, form in corpus()
    ]
    inputs += [(name, text, False) for name, text in MALFORMED_LINES]
    rng = random.Random(seed)
    for i in range(n_random):
        inputs.append((f"random #{i}", _mutated(rng), None))
    for label, text, accepted in inputs:
        tally.add(area, "inputs")
        _, exc = _call(lambda text=text: ff.load_household(text))
        if exc is not None:
            if not _documented(exc):
                tally.add(area, "crashes", example=f"{label}: {type(exc).__name__}")
            elif _leaks(_texts_of(exc)):
                tally.add(area, "leaks", example=label)
            if accepted:
                tally.add(area, "good refused", example=label)
        elif accepted is False:
            tally.add(area, "coercions", example=label)
    # a model built directly from Python: the ValidationError must not carry the number
    for bad in (ID18_TYPO, ID18[0][:-1] + "0", ID15[0][:-2] + "99"):
        tally.add(area, "inputs")
        _, exc = _call(lambda bad=bad: ff.Member(id="m1", relation="head", id_number=bad))
        if exc is not None and _leaks(_texts_of(exc)):
            tally.add(area, "leaks", example=f"Member(id_number={bad[:6]}…)")


# ----------------------------------------------------------------------------------------------
# readers


def _good(i: int) -> dict[str, Any]:
    return base_household(f"G-{i:04d}")


def _jsonl(tmp: Path) -> tuple[Path, int, int]:
    lines: list[bytes] = []
    good = 0
    for i, (_, text) in enumerate(MALFORMED_LINES):
        lines.append(json.dumps(_good(i), ensure_ascii=False).encode())
        lines.append(text.encode("utf-8", "surrogatepass"))
        good += 1
    lines.append(b'{"id": "\xff\xfe bad utf-8", "hukou": "rural"}')
    for i in range(100, 110):
        lines.append(json.dumps(_good(i), ensure_ascii=False).encode())
        good += 1
    path = tmp / "in.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path, len(lines), good


def _json(tmp: Path) -> tuple[Path, int, int]:
    items = []
    good = 0
    for i, (name, text) in enumerate(MALFORMED_LINES):
        items.append(json.dumps(_good(i), ensure_ascii=False))
        good += 1
        if name in ("syntax error", "truncated"):
            continue  # a broken element ends what a JSON document can say
        items.append(text)
    for i in range(100, 110):
        items.append(json.dumps(_good(i), ensure_ascii=False))
        good += 1
    path = tmp / "in.json"
    path.write_text("[\n" + ",\n".join(items) + "\n]\n", encoding="utf-8", errors="surrogatepass")
    return path, len(items), good


def _csv(tmp: Path) -> tuple[Path, int, int]:
    header = ["id", "area.county", "area.town", "area.village", "hukou", "members"]
    members = json.dumps([{"id": "m1", "relation": "head", "id_number": ID18[0]}])

    def row(hid: str, *, village: str = "东村") -> str:
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerow([hid, "县", "镇", village, "rural", members])
        return buf.getvalue()

    parts: list[bytes] = [(",".join(header) + "\n").encode()]
    records = good = 0
    bad_rows = [
        row("B-big", village="x" * 140_000).encode(),
        b'B-quote,"unterminated,t,v,rural,[]\n',
        row("B-utf8").encode().replace(b"B-utf8", b"B-\xff\xfe"),
        b"B-nul,c\x00,t,v,rural,[]\n",
        b"B-many,c,t,v,rural,[],extra\n",
        b"B-few,c,t\n",
    ]
    for i, bad in enumerate(bad_rows):
        parts.append(row(f"G-{i:04d}").encode())
        parts.append(bad)
        records += 2
        good += 1
    for i in range(100, 110):
        parts.append(row(f"G-{i:04d}").encode())
        records += 1
        good += 1
    path = tmp / "in.csv"
    path.write_bytes(b"".join(parts))
    return path, records, good


def measure_readers(tally: Tally) -> None:
    from fangfan_rules.io import read_households

    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        for name, build in (("jsonl", _jsonl), ("json", _json), ("csv", _csv)):
            area = "readers"
            path, records, good = build(tmp)
            tally.add(area, "inputs", records)
            rows: list[Any] = []

            def read(path: Path = path, rows: list[Any] = rows) -> None:
                for r in read_households(path):
                    rows.append(r)

            _, exc = _call(read)
            if exc is not None:
                tally.add(area, "crashes", example=f"{name}: {type(exc).__name__}: {exc}"[:150])
            answered = sum(1 for r in rows if r.household is not None)
            tally.add(area, "rows lost", max(0, records - len(rows)), example=f"{name}")
            if answered < good:
                tally.add(area, "good refused", good - answered, example=name)
            leaked = _leaks([str(r.error) for r in rows if r.error])
            tally.add(area, "leaks", len(leaked), example=name)


# ----------------------------------------------------------------------------------------------
# tables and the vectorized engine


def _sample(n: int) -> list[Any]:
    import fangfan_rules as ff

    lines = (ROOT / "examples" / "sample_households.jsonl").read_text("utf-8").splitlines()
    return [ff.load_household(json.loads(line)) for line in lines[:n]]


def _orders(frame: Any, rng: random.Random) -> dict[str, Any]:
    import polars as pl

    heads = frame.with_row_index("__i").filter(pl.col("__i") % 3 == 0).drop("__i")
    rest = frame.with_row_index("__i").filter(pl.col("__i") % 3 != 0).drop("__i")
    return {
        "sorted": frame,
        "reversed": frame.reverse(),
        "shuffled": frame.sample(fraction=1.0, shuffle=True, seed=rng.randrange(10**6)),
        "interleaved": pl.concat([rest, heads]),  # two exports, concatenated
    }


def measure_tables(tally: Tally, seed: int) -> None:
    import polars as pl

    import fangfan_rules as ff
    from fangfan_rules.engines import columnar as col

    area = "tables"
    rng = random.Random(seed)
    name, as_of, params = QIANSHAN
    pack = ff.load_pack(name).with_parameters(**params)
    households = _sample(300)
    base = col.to_tables(households)
    n = len(households)
    corrupt = {
        "members": ("relation", pl.lit("nonsense")),
        "income": ("wage_income_fen", pl.lit(-5, dtype=pl.Int64)),
        "expenditures": ("kind", pl.lit("nonsense")),
    }
    for table, (column, value) in corrupt.items():
        frame = base[table]
        ids = frame.get_column("household_id").unique(maintain_order=True).to_list()
        bad_ids = [ids[len(ids) // 3], ids[-1]]
        first = pl.int_range(pl.len()).over("household_id") == 0
        frame = frame.with_columns(
            pl.when(pl.col("household_id").is_in(bad_ids) & first)
            .then(value)
            .otherwise(pl.col(column))
            .alias(column)
        )
        for order, shaped in _orders(frame, rng).items():
            tally.add(area, "inputs", n)
            out, exc = _call(
                lambda s=shaped, t=table: pack.identify_frame({**base, t: s}, as_of=as_of)
            )
            if exc is not None:
                tally.add(area, "crashes", example=f"{table} {order}: {type(exc).__name__}")
                tally.add(area, "rows lost", n, example=f"{table} {order}")
                continue
            answered = set(out["household_id"])
            tally.add(
                area, "rows lost", n - len(answered & set(base["households"]["household_id"]))
            )
    # a stream whose child rows are not grouped by household (an unsorted Parquet directory)
    with tempfile.TemporaryDirectory() as d:
        from fangfan_rules.engines.vectorized import identify_parquet

        tables = dict(base)
        tables["income"] = _orders(tables["income"], rng)["interleaved"]
        directory = Path(d) / "tables"
        directory.mkdir()
        for t, frame in tables.items():
            frame.write_parquet(directory / f"{t}.parquet")
        tally.add(area, "inputs", n)
        out, exc = _call(
            lambda: list(identify_parquet(pack, directory, as_of=as_of, batch_size=64))
        )
        if exc is not None:
            tally.add(area, "crashes", example=f"parquet stream: {type(exc).__name__}")
            tally.add(area, "rows lost", n)
        else:
            got = sum(len(f) for f in out)
            tally.add(area, "rows lost", max(0, n - got))
    measure_columnar_coercions(tally)


def measure_columnar_coercions(tally: Tally) -> None:
    """Tricky cells in CSV tables: accepted where the documented forms refuse them?"""
    import polars as pl

    from fangfan_rules.engines import columnar as col

    area = "tables"
    places = {
        "boolean": ("households", "self_coping"),
        "integer": ("households", "lifted_year"),
        "date": ("members", "birth_date"),
        "household id": ("households", "household_id"),
        "member id": ("members", "member_id"),
        "village": ("households", "village"),
    }
    for kind, _, form in corpus():
        if kind not in places or form.cell is None or not form.json.startswith('"'):
            continue  # text forms only: a cell is text (the JSON number 123 is the id "123")
        table, column = places[kind]
        tables = {
            "households": pl.DataFrame(
                {
                    "household_id": ["C-1"],
                    "county": ["县"],
                    "town": ["镇"],
                    "village": ["村"],
                    "hukou": ["rural"],
                    "lifted_out_of_poverty": ["true"],
                }
            ),
            "members": pl.DataFrame(
                {"household_id": ["C-1"], "member_id": ["m1"], "relation": ["head"]}
            ),
        }
        cell = "" if form.json == "null" else form.cell
        tables[table] = tables[table].with_columns(pl.lit(cell, dtype=pl.String).alias(column))
        if column == "household_id":
            tables["members"] = tables["members"].with_columns(pl.lit(cell).alias("household_id"))
        tally.add(area, "inputs")
        result, exc = _call(lambda tables=tables: col.validate(tables))
        if exc is not None:
            if not _documented(exc):
                tally.add(area, "crashes", example=f"{kind} {cell!r}: {type(exc).__name__}")
            continue
        clean, errors = result
        accepted = clean["households"].height == 1 and errors.height == 0
        if accepted and not form.accepted and form.json != "null":
            tally.add(area, "coercions", example=f"{kind} {cell!r}")


# ----------------------------------------------------------------------------------------------
# duplicates


def _is_error(item: Any) -> bool:
    return getattr(item, "outcome", None) == "error" or type(item).__name__ == "BadRow"


def measure_duplicates(tally: Tally) -> None:
    import polars as pl

    import fangfan_rules as ff
    from fangfan_rules.engines import columnar as col
    from fangfan_rules.engines.vectorized import identify_parquet

    area = "duplicates"
    name, as_of, params = QIANSHAN
    pack = ff.load_pack(name).with_parameters(**params)
    batch = _sample(20)
    batch = [*batch, batch[1], batch[15]]  # 2 ids twice: 4 rows to report, 18 to answer
    dup_ids = {batch[1].id, batch[15].id}
    total = len(batch)

    def judge(path: str, ids: list[str], errors: list[bool]) -> None:
        tally.add(area, "inputs", total)
        answered_other = sum(
            1 for i, e in zip(ids, errors, strict=True) if not e and i not in dup_ids
        )
        tally.add(area, "rows lost", (total - 4) - answered_other, example=path)
        answered_dup = sum(1 for i, e in zip(ids, errors, strict=True) if not e and i in dup_ids)
        tally.add(area, "coercions", answered_dup, example=f"{path}: a duplicate answered")

    results, exc = _call(lambda: pack.identify_many(batch, as_of=as_of))
    if exc is not None:
        judge("identify_many", [], [])
    else:
        judge(
            "identify_many",
            [r.household_id for r in results],
            [_is_error(r) for r in results],
        )
    frame, exc = _call(lambda: pack.identify_frame(batch, as_of=as_of))
    if exc is not None:
        judge("identify_frame(households)", [], [])
    else:
        judge(
            "identify_frame(households)", list(frame.household_id), list(frame.outcome == "error")
        )
    tables = col.to_tables(batch)
    frame, exc = _call(lambda: pack.identify_frame(tables, as_of=as_of))
    if exc is not None:
        judge("identify_frame(tables)", [], [])
    else:
        judge("identify_frame(tables)", list(frame.household_id), list(frame.outcome == "error"))
    with tempfile.TemporaryDirectory() as d:
        path = Path(d)  # the copies in different chunks (tables not sorted by id)
        for t, frame in col.to_tables(batch[:20]).items():
            if t == "households":
                frame = pl.concat([frame, frame[[1, 15]]])
            frame.write_parquet(path / f"{t}.parquet")
        frames, exc = _call(lambda: list(identify_parquet(pack, path, as_of=as_of, batch_size=8)))
        if exc is not None:
            judge("identify_parquet", [], [])
        else:
            joined = pl.concat([pl.from_pandas(f[["household_id", "outcome"]]) for f in frames])
            judge(
                "identify_parquet",
                joined["household_id"].to_list(),
                [o == "error" for o in joined["outcome"].to_list()],
            )


# ----------------------------------------------------------------------------------------------
# outputs


def _cli(argv: list[str]) -> str:
    from fangfan_rules.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(argv)
        except SystemExit:
            pass
    return out.getvalue() + err.getvalue()


def measure_outputs(tally: Tally) -> None:
    import fangfan_rules as ff
    from fangfan_rules.engines import columnar as col
    from fangfan_rules.engines.vectorized import identify_parquet

    area = "outputs"
    name, as_of, params = QIANSHAN
    pack = ff.load_pack(name).with_parameters(**params)
    datas = []
    for i, hid in enumerate((ID18[0], ID15[0], ID18[1])):
        data = base_household(hid)
        data["members"][0]["id"] = ID15[1] if i == 0 else ID18[1]
        data["members"][1]["id_number"] = ID18[1]  # a version without 15-digit numbers loads it
        data["self_coping"] = False
        data["clues"] = [{"channel": "department_push", "received_on": "2022-05-01"}]
        datas.append(data)
    households = [ff.load_household(d) for d in datas]
    outputs: dict[str, Any] = {}

    def grab(label: str, fn: Any) -> None:
        value, exc = _call(fn)
        if exc is not None:
            outputs[label] = _texts_of(exc)
        else:
            outputs[label] = value

    result = pack.identify(households[0], as_of=as_of)
    grab("repr(result)", lambda: repr(result))
    grab("str(result)", lambda: str(result))
    grab("model_dump_json", lambda: result.model_dump_json())
    grab("model_dump", lambda: str(result.model_dump()))
    grab("explain zh", lambda: result.explain("zh"))
    grab("explain en", lambda: result.explain("en"))
    grab("summary", lambda: str(result.summary()))
    grab("_repr_html_", lambda: result._repr_html_())
    grab("trace repr", lambda: repr(result.trace))
    elimination = pack.assess_elimination(households[0], as_of=as_of)
    grab("elimination repr", lambda: repr(elimination))
    grab("elimination explain", lambda: elimination.explain("zh"))
    grab("elimination json", lambda: elimination.model_dump_json())
    grab("identify_many repr", lambda: repr(pack.identify_many(households, as_of=as_of)))
    comparison = ff.compare(households, [pack], as_of=as_of)
    grab("compare", lambda: comparison.to_csv())
    grab("outcome_table", lambda: ff.outcome_table(comparison).to_csv())
    grab("disagreements", lambda: ff.disagreements(comparison).to_csv())
    grab("results_frame", lambda: ff.results_frame([result]).to_csv())
    for engine in ("native", "vectorized", "durable"):
        grab(
            f"identify_frame {engine}",
            lambda e=engine: pack.identify_frame(households, as_of=as_of, engine=e).to_csv(),
        )
    tables = col.to_tables(households)
    grab("identify_frame tables", lambda: pack.identify_frame(tables, as_of=as_of).to_csv())
    with tempfile.TemporaryDirectory() as d:
        nested = Path(d) / "nested.parquet"
        col.nest(tables).write_parquet(nested)
        grab(
            "identify_parquet",
            lambda: "".join(f.to_csv() for f in identify_parquet(pack, nested, as_of=as_of)),
        )
        try:
            from fangfan_rules.engines.distributed import identify_dask

            grab(
                "identify_dask",
                lambda: identify_dask(pack, str(nested), as_of=as_of).compute().to_csv(),
            )
        except ImportError:  # pragma: no cover
            pass
        from fangfan_rules.engines.vectorized import VectorizedBatch

        grab(
            "VectorizedBatch.explain",
            lambda: VectorizedBatch(pack, tables, as_of=as_of).explain(0).explain(),
        )
        src = Path(d) / "in.jsonl"
        src.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in datas) + "\n", "utf-8")
        args = [
            "--pack",
            name,
            "--as-of",
            as_of.isoformat(),
            "--param",
            "monitoring_income_line=7000",
        ]
        for fmt in ("jsonl", "csv", "table"):
            grab(
                f"cli evaluate {fmt}",
                lambda f=fmt: _cli(["evaluate", *args, "--format", f, str(src)]),
            )
        grab(
            "cli evaluate --full",
            lambda: _cli(["evaluate", *args, "--format", "jsonl", "--full", str(src)]),
        )
        grab("cli explain", lambda: _cli(["explain", *args, str(src)]))
        grab("cli explain --json", lambda: _cli(["explain", *args, "--json", str(src)]))
        for fmt in ("csv", "jsonl", "table"):
            grab(
                f"cli compare {fmt}",
                lambda f=fmt: _cli(
                    [
                        "compare",
                        "--pack",
                        name,
                        "--as-of",
                        as_of.isoformat(),
                        "--param",
                        "monitoring_income_line=7000",
                        "--format",
                        f,
                        str(src),
                    ]
                ),
            )
        for fmt in ("jsonl", "csv", "table"):
            grab(
                f"cli eliminate {fmt}",
                lambda f=fmt: _cli(["eliminate", *args, "--format", f, str(src)]),
            )
        bad = dict(datas[0])
        bad["members"] = [dict(bad["members"][0], id_number=ID18_TYPO)]
        src.write_text(json.dumps(bad, ensure_ascii=False) + "\n", "utf-8")
        grab("cli bad row", lambda: _cli(["evaluate", *args, "--format", "jsonl", str(src)]))
    jimo = ff.load_pack("jimo_2022").with_parameters(
        monitoring_income_line=7000, income_window="2021-05-01..2022-04-30"
    )
    jimo_day = date(2022, 5, 15)
    jimo_results = jimo.identify_many(households, as_of=jimo_day)
    grab("ledger rows", lambda: repr(list(ff.ledger_rows(households, jimo_results, pack=jimo))))
    bad = dict(datas[0])
    bad["members"] = [dict(bad["members"][0], id_number=ID18_TYPO)]
    grab("FactError", lambda: ff.load_household(bad))
    bad_income = dict(datas[0], income=[dict(datas[0]["income"][0], wage_income="-1")])
    grab("FactError (household id)", lambda: ff.load_household(bad_income))
    grab("Member ValidationError", lambda: ff.Member(id="m", relation="head", id_number=ID18_TYPO))
    grab(
        "to_households error",
        lambda: col.to_households(
            {
                **tables,
                "members": tables["members"].with_columns(
                    __import__("polars").lit("x").alias("relation")
                ),
            }
        ),
    )
    for label, value in outputs.items():
        tally.add(area, "inputs")
        texts = value if isinstance(value, list) else [str(value)]
        leaked = _leaks(texts)
        if leaked:
            tally.add(area, "leaks", example=label)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fuzz", type=int, default=2000, help="random loader inputs")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--areas", default="loader,readers,tables,duplicates,outputs")
    args = parser.parse_args()
    import fangfan_rules

    print(f"fangfan_rules from {Path(fangfan_rules.__file__).parent}")
    tally = Tally()
    areas = args.areas.split(",")
    if "loader" in areas:
        measure_loader(tally, args.fuzz, args.seed)
    if "readers" in areas:
        measure_readers(tally)
    if "tables" in areas:
        measure_tables(tally, args.seed)
    if "duplicates" in areas:
        measure_duplicates(tally)
    if "outputs" in areas:
        measure_outputs(tally)
    print(tally.report())


if __name__ == "__main__":
    main()
