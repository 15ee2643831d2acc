"""Fuzz suite of the input edge (issue 12, "Keep it at zero"): load_household and every reader.

Hypothesis draws malformed and hostile input — random JSON values at random places of a valid
household, the tricky forms of ``tests/tricky.py`` at their fields, broken documents and bytes,
ID numbers everywhere — and checks, for ``load_household``, the JSON Lines, JSON and CSV readers
and Parquet streaming through the vectorized engine:

* only the library's documented errors escape (``FangfanError``; nothing else, no panic);
* every bad row is reported with its line (or element) and, when readable, its household id,
  and names the field;
* no good row is lost, none is answered twice, and the rows keep their order;
* no value outside the documented forms is accepted (no coercion);
* no 15- or 18-digit ID number appears in any output or exception text (``__cause__`` /
  ``__context__`` included).

CI runs the ``ci`` profile (bounded: a few seconds per property, about a minute in all);
``--hypothesis-profile=thorough`` runs many more examples.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fangfan_rules as ff
from fangfan_rules.engines import columnar as col
from fangfan_rules.engines import vectorized as vz
from fangfan_rules.io import read_households
from tests.test_masking import leaked, texts_of
from tests.tricky import ALL_IDS, MALFORMED_LINES, base_household, corpus, household_text

PACK = ff.load_pack("qianshan_2023").with_parameters(monitoring_income_line=7000)
AS_OF = __import__("datetime").date(2023, 6, 5)
CORPUS = corpus()

#: the profile's examples per property (60 in CI, 2,000 in ``thorough``); the stream property,
#: which writes files, a quarter of them: the suite stays well under a minute in CI
fuzz = settings(
    max_examples=settings.default.max_examples,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
fuzz_files = settings(fuzz, max_examples=max(10, settings.default.max_examples // 4))

# -- strategies ----------------------------------------------------------------------------------

_hostile_text = st.one_of(
    st.text(max_size=12),
    st.text(st.characters(codec=None, min_codepoint=0, max_codepoint=0x3000), max_size=8),
    st.sampled_from(
        ["\ud800", "\u200b", "\ufeff", "a\x00b", "１２３", "1e3", "-0", "2019.0", "true"]
    ),
    st.sampled_from(ALL_IDS),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**40), 10**40),
    st.decimals(allow_nan=False, allow_infinity=False, places=3),
    st.floats(allow_nan=True, allow_infinity=True),
    _hostile_text,
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(_hostile_text, inner, max_size=3)
    ),
    max_leaves=8,
)


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(data, dict):
        return [prefix] + [p for k, v in data.items() for p in _paths(v, (*prefix, k))]
    if isinstance(data, list):
        return [prefix] + [p for i, v in enumerate(data) for p in _paths(v, (*prefix, i))]
    return [prefix]


@st.composite
def mutated_households(draw: st.DrawFn) -> tuple[dict[str, Any], str]:
    """A valid household with one to three values replaced (or keys added), as data and text."""
    data = base_household(draw(st.sampled_from(["F-1", *ALL_IDS])))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from([p for p in _paths(data) if p]))
        target: Any = data
        for part in path[:-1]:
            target = target[part]
        if isinstance(target, dict) and draw(st.booleans()):
            target[draw(_hostile_text)] = draw(json_values)
        else:
            target[path[-1]] = draw(json_values)
    text = json.dumps(data, ensure_ascii=False, default=str, allow_nan=True)
    return data, text


def _safe(fn: Any) -> BaseException | None:
    """The exception ``fn`` raised (anything but the library's errors fails the test)."""
    try:
        fn()
    except ff.FangfanError as exc:
        assert not leaked(texts_of(exc)), texts_of(exc)
        return exc
    return None


# -- load_household ------------------------------------------------------------------------------


@fuzz
@given(mutated_households())
def test_fuzz_load_household_only_documented_errors_no_leak(case):
    data, text = case
    for given_ in (data, text, text.encode("utf-8", "surrogatepass")):
        error = _safe(lambda g=given_: ff.load_household(g))
        if error is not None:
            assert "household" in str(error)


@fuzz
@given(st.sampled_from(CORPUS))
def test_fuzz_load_household_no_coercion(case):
    """A tricky value at its field: accepted exactly when it is a documented form."""
    kind, path, form = case
    error = _safe(lambda: ff.load_household(household_text(path, form)))
    assert (error is None) == form.accepted, (kind, form)


@fuzz
@given(st.binary(max_size=200), st.sampled_from([text for _, text in MALFORMED_LINES]))
def test_fuzz_load_household_on_broken_documents(noise, document):
    for given_ in (noise, document, document[: len(document) // 2], document.encode() + noise):
        _safe(lambda g=given_: ff.load_household(g))


# -- the readers ---------------------------------------------------------------------------------

records = st.lists(
    st.one_of(
        st.tuples(st.just("good"), st.integers(0, 10**6)),
        st.tuples(st.just("bad"), st.sampled_from([t for _, t in MALFORMED_LINES])),
        st.tuples(st.just("mutated"), mutated_households().map(lambda c: c[1])),
        st.tuples(st.just("bytes"), st.binary(min_size=1, max_size=30)),
    ),
    min_size=1,
    max_size=8,
)


def _good(n: int) -> dict[str, Any]:
    return base_household(f"G-{n}")


def _check_rows(rows: list[Any], kinds: list[str], ids: list[str | None]) -> None:
    assert len(rows) == len(kinds), (len(rows), kinds)  # one row per record, none lost
    lines = [r.line for r in rows]
    assert lines == sorted(lines)
    for row, kind, hid in zip(rows, kinds, ids, strict=True):
        if kind == "good":
            assert row.household is not None and row.household.id == hid, row.error
        if row.household is None:
            assert row.error and row.line >= 1
            assert not leaked([row.error])


@fuzz
@given(records)
def test_fuzz_jsonl_reader_reports_every_bad_line_and_goes_on(items):
    lines: list[bytes] = []
    kinds, ids = [], []
    for kind, value in items:
        if kind == "good":
            lines.append(json.dumps(_good(value), ensure_ascii=False).encode())
            ids.append(f"G-{value}")
        elif kind == "bytes":
            value = value.replace(b"\n", b" ").replace(b"\r", b" ")
            # a blank line is no record; nor is a byte-order mark that opens the file
            if not (value.removeprefix(b"\xef\xbb\xbf") if not lines else value).strip():
                continue
            lines.append(value)
            ids.append(None)
        else:
            lines.append(value.encode("utf-8", "surrogatepass").replace(b"\n", b" "))
            ids.append(None)
        kinds.append(kind)
    rows = list(read_households(io.BytesIO(b"\n".join(lines) + b"\n"), format="jsonl"))
    _check_rows(rows, kinds, ids)


@fuzz
@given(records)
def test_fuzz_json_reader_reports_every_bad_element_and_goes_on(items):
    elements, kinds, ids = [], [], []
    for kind, value in items:
        if kind == "good":
            elements.append(json.dumps(_good(value), ensure_ascii=False))
            ids.append(f"G-{value}")
        elif kind == "mutated" or (kind == "bad" and value.startswith(("{", "[", '"'))):
            try:
                json.loads(value)
            except (ValueError, RecursionError):
                continue  # a broken element ends what a JSON document can say: tested apart
            elements.append(value)
            ids.append(None)
        else:
            continue
        kinds.append(kind)
    if not elements:
        return
    text = "[\n" + ",\n".join(elements) + "\n]"
    rows = list(read_households(io.BytesIO(text.encode("utf-8", "surrogatepass")), format="json"))
    _check_rows(rows, kinds, ids)


def test_json_reader_after_a_broken_element():
    """A syntax error inside an element: that element is a bad row, the next ones are read."""
    good = [json.dumps(_good(i)) for i in range(3)]
    text = "[" + good[0] + ', {"id": "X", "hukou": }, ' + good[1] + "," + good[2] + "]"
    rows = list(read_households(io.StringIO(text), format="json"))
    assert [r.household is not None for r in rows] == [True, False, True, True]


cells = st.one_of(
    st.text(st.characters(codec="utf-8", exclude_characters="\r"), max_size=10),
    st.sampled_from(
        ['"unterminated', "x" * 140_000, "a\x00b", "\ufeff", "[1,", "{}", "true", *ALL_IDS]
    ),
)


@fuzz
@given(
    st.lists(
        st.one_of(
            st.tuples(st.just("good"), st.integers(0, 10**6)),
            st.tuples(st.just("bad"), st.lists(cells, min_size=1, max_size=8)),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_fuzz_csv_reader_reports_every_bad_record_and_goes_on(items):
    header = ["id", "area.county", "area.town", "area.village", "hukou", "members"]
    members = json.dumps([{"id": "m1", "relation": "head"}])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    goods: list[str] = []
    raw_lines: list[str] = []
    for kind, value in items:
        buf = io.StringIO()
        if kind == "good":
            csv.writer(buf, lineterminator="\n").writerow(
                [f"G-{value}", "县", "镇", "村", "rural", members]
            )
            goods.append(f"G-{value}")
        else:
            buf.write(",".join(value) + "\n")  # raw: quotes, NULs, huge cells, ragged rows
        raw_lines.append(buf.getvalue())
    text = out.getvalue() + "".join(raw_lines)
    rows = list(read_households(io.BytesIO(text.encode("utf-8", "surrogatepass")), format="csv"))
    answered = [r.household.id for r in rows if r.household is not None]
    for gid in goods:  # every good record is answered (read again after a bad quote)
        assert gid in answered, (gid, [r.error for r in rows])
    for row in rows:
        if row.household is None:
            assert row.error and row.line >= 2 and not leaked([row.error])
    assert [r.line for r in rows] == sorted(r.line for r in rows)


# -- Parquet through the vectorized engine -------------------------------------------------------

_TEXT_CORPUS = [(k, f) for k, _, f in CORPUS if f.cell is not None and f.json.startswith('"')]
_COLUMNS = {
    "boolean": ("households", "self_coping"),
    "integer": ("households", "lifted_year"),
    "village": ("households", "village"),
    "date": ("members", "birth_date"),
    "member id": ("members", "member_id"),
    "text": ("members", "name"),
    "id number": ("members", "id_number"),
    "money": ("income", "wage_income_fen"),
}


@fuzz_files
@given(
    tricky=st.lists(st.sampled_from([f for f in _TEXT_CORPUS if f[0] in _COLUMNS]), max_size=4),
    order=st.sampled_from(["sorted", "reversed", "shuffled"]),
    batch_size=st.integers(2, 7),
)
def test_fuzz_parquet_stream_reports_bad_rows_and_answers_the_rest(
    tricky, order, batch_size, tmp_path_factory
):
    """Text tables (as a CSV export gives them) with tricky cells in some households, child
    rows in any order, streamed in small chunks: one row out per household, in order, the bad
    ones reported, no other exception."""
    households = [ff.load_household(base_household(f"P-{i}")) for i in range(8)]
    tables = col.to_tables(households)
    text = {}
    for t, frame in tables.items():
        frame = frame.drop(c for c, d in frame.schema.items() if isinstance(d, pl.List))
        text[t] = frame.with_columns(pl.col(c).cast(pl.String) for c in frame.columns)
    bad: set[str] = set()
    for n, (kind, form) in enumerate(tricky):
        table, column = _COLUMNS[kind]
        hid = f"P-{n}"
        frame = text[table]
        # the household's first row of the table (its head, its first income period)
        mask = (pl.col("household_id") == hid) & (pl.int_range(pl.len()).over("household_id") == 0)
        text[table] = frame.with_columns(
            pl.when(mask).then(pl.lit(form.cell)).otherwise(pl.col(column)).alias(column)
        )
        in_fen = kind != "money" or "." not in form.cell  # a table holds whole fen
        if not (form.accepted and in_fen):
            bad.add(hid)
    directory = tmp_path_factory.mktemp("stream")
    for t, frame in text.items():
        if t != "households":
            frame = {
                "reversed": frame.reverse(),
                "shuffled": frame.sample(fraction=1.0, shuffle=True, seed=3),
            }.get(order, frame)
        frame.write_parquet(directory / f"{t}.parquet")
    try:
        frames = list(vz.identify_parquet(PACK, directory, as_of=AS_OF, batch_size=batch_size))
    except ff.FangfanError as exc:  # pragma: no cover - a table-level problem would be one
        pytest.fail(f"a batch-level error for row-level problems: {exc}")
    import pandas as pd

    out = pd.concat(frames, ignore_index=True)
    assert list(out.household_id) == [h.id for h in households]
    assert set(out[out.outcome == "error"].household_id) == bad
    assert not leaked([out.to_csv()])


def test_suite_covers_every_reader():
    """JSON Lines, JSON, CSV and Parquet each have a property above."""
    names = {n for n in globals() if n.startswith("test_fuzz_")}
    for reader in ("jsonl", "json", "csv", "parquet", "load_household"):
        assert any(reader in n for n in names), reader
    assert Decimal  # the corpus reads numbers exactly
