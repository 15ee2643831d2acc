"""Analyst tools: reforms, sweeps, pack diffs, pack cards, rich displays, plots, CLI."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

import matplotlib
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import fangfan_rules as ff
from fangfan_rules import analysis as fa
from fangfan_rules import strategies as fs
from fangfan_rules.analysis.reform import rule_changes, with_values
from fangfan_rules.analysis.sweep import SWEEP_COLUMNS
from fangfan_rules.cli import main
from fangfan_rules.errors import ParameterError, RuleError
from tests.helpers import household, record

matplotlib.use("Agg")  # headless: no display is needed for any plot

SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sample_households.jsonl"
QIANSHAN_DAY = date(2023, 6, 5)
EWENKI_DAY = date(2024, 6, 5)


def _loadable() -> list[str]:
    names = []
    for name in ff.available_packs():
        try:
            ff.load_pack(name)
        except ff.PackError:
            continue
        names.append(name)
    return names


INSTALLED = _loadable()


def _sample(n: int | None = None) -> list[ff.Household]:
    lines = [line for line in SAMPLE.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [ff.load_household(json.loads(line)) for line in lines[:n]]


@pytest.fixture(scope="module")
def qianshan() -> ff.Pack:
    return ff.load_pack("qianshan_2023")


@pytest.fixture(scope="module")
def ewenki() -> ff.Pack:
    return ff.load_pack("ewenki_2024")


# -- reforms ------------------------------------------------------------------------------


def _state(pack: ff.Pack) -> tuple:
    return (
        pack.name,
        pack.version,
        dict(pack.parameters),
        tuple(pack.rules),
        dict(pack.overrides),
        pack.valid_from,
        pack.valid_to,
        tuple(pack.category_precedence),
    )


def _fresh_hash(pack: ff.Pack) -> str:
    pack.__dict__.pop("content_hash", None)  # recompute instead of reading the cached value
    return pack.content_hash


def test_reform_never_mutates_the_original(qianshan):
    original = ff.Pack.from_directory(qianshan.directory)
    before, hash_before = _state(original), _fresh_hash(original)
    extra = {
        "id": "key_attention.9",
        "kind": "key_attention",
        "title": {"zh": "⑨测试组", "en": "⑨ test group"},
        "when": {"var": "lifted_out_of_poverty"},
        "effect": {"group": "⑨"},
    }
    reformed = fa.reform(
        original,
        parameters={"key_attention_income_threshold": "12000", "monitoring_income_line": 7500},
        add_rules=[extra],
        remove_rules=["note.dibao_is_no_substitute"],
        label="test",
    )
    assert _state(original) == before
    assert _fresh_hash(original) == hash_before
    assert reformed is not original and reformed.content_hash != hash_before
    assert reformed.version == "2023.1+reform" and original.version == "2023.1"
    assert "key_attention_income_threshold=12000.00 (reform)" in reformed.reforms
    assert "rule:key_attention.9=added (reform)" in reformed.reforms
    assert "rule:note.dibao_is_no_substitute=removed (reform)" in reformed.reforms
    assert rule_changes(reformed) == {
        "key_attention.9": "added",
        "note.dibao_is_no_substitute": "removed",
    }
    assert fa.is_reformed(reformed) and not fa.is_reformed(original)
    # A reform of a reform keeps one suffix and accumulates the record.
    again = fa.reform(reformed, parameters={"plan_deadline_days": 15}, label="again")
    assert again.version == "2023.1+reform" and len(again.reforms) == len(reformed.reforms) + 1


def test_reform_shows_in_results_and_traces(qianshan):
    reformed = fa.reform(
        qianshan.with_parameters(monitoring_income_line=7000),
        parameters={"key_attention_income_threshold": 12000},
        label="group ① at 12,000",
    )
    low = household(
        id="LOW",
        lifted_out_of_poverty=True,
        income=[record("2022-01-01", "2022-12-31", "11000")],
    )
    before = qianshan.with_parameters(monitoring_income_line=7000).identify(low, as_of=QIANSHAN_DAY)
    after = reformed.identify(low, as_of=QIANSHAN_DAY)
    assert "qianshan_2023:①" not in {g.id for g in before.key_attention}
    assert "qianshan_2023:①" in {g.id for g in after.key_attention}
    assert after.pack_hash == reformed.content_hash != before.pack_hash
    assert after.pack_version.endswith("+reform")
    assert "key_attention_income_threshold=12000.00 (reform)" in after.reforms
    read = {v.name: v for v in after.trace.parameters}
    assert read["key_attention_income_threshold"].source == "reform"
    assert read["key_attention_income_threshold"].citation == "reform: group ① at 12,000"
    assert read["monitoring_income_line"].source == "caller"
    assert "参数调整" in after.explain("zh")


def test_reform_replaces_rules_and_rejects_bad_changes(qianshan):
    rule = qianshan.rule("key_attention.1")
    stricter = {**rule.model_dump(mode="python"), "id": "key_attention.1"}
    lifted, income = rule.when["all"]  # ①: 脱贫户 below the printed 1万元
    stricter["when"] = {"all": [lifted, {**income, "lt": 5000}]}
    stricter["citation"] = "一、(一)1.(2)①"
    replaced = fa.reform(qianshan, replace_rules=[stricter])
    assert replaced.rule("key_attention.1").when["all"][1]["lt"] == 5000
    assert replaced.rule("key_attention.1").citation == rule.citation
    assert rule_changes(replaced) == {"key_attention.1": "replaced"}
    assert qianshan.rule("key_attention.1").when["all"][1]["lt"] == {
        "param": "key_attention_income_threshold"
    }
    with pytest.raises(RuleError, match=r"must_visit\.key_attention refers to key_attention\.5"):
        fa.reform(qianshan, remove_rules=["key_attention.5"])
    with pytest.raises(RuleError, match="no such rule"):
        fa.reform(qianshan, remove_rules=["nope"])
    with pytest.raises(RuleError, match="use replace_rules"):
        fa.reform(qianshan, add_rules=[stricter])
    with pytest.raises(RuleError, match="use add_rules"):
        fa.reform(qianshan, replace_rules=[{**stricter, "id": "key_attention.99"}])
    with pytest.raises(ParameterError, match="no parameter"):
        fa.reform(qianshan, parameters={"no_such_line": 1})
    with pytest.raises(ParameterError, match="not_stated"):
        fa.reform(qianshan, parameters={"monitoring_income_line": "not_stated"})
    uncited = fa.reform(
        qianshan,
        add_rules=[
            {
                "id": "note.extra",
                "kind": "note",
                "title": {"zh": "附加", "en": "extra"},
                "when": {"fired": ["key_attention.1"]},
            }
        ],
        label="extra note",
    )
    note = uncited.rule("note.extra")
    assert note.citation == "reform: extra note"
    assert note.when == {"fired": ["qianshan_2023.key_attention.1"]}


def test_with_values_supplies_missing_figures_and_reforms_stated_ones(qianshan, ewenki):
    supplied = with_values(qianshan, {"monitoring_income_line": 7000})
    assert supplied.overrides["monitoring_income_line"].source == "caller"
    assert supplied.version == qianshan.version
    changed = with_values(ewenki, {"monitoring_income_line": 9000})
    assert changed.overrides["monitoring_income_line"].source == "reform"
    assert changed.version.endswith("+reform")


# -- sweeps -------------------------------------------------------------------------------


def _monitored(frame) -> list[int]:
    return frame[frame["measure"] == "monitored"]["count"].tolist()


def _counts(frame, measure: str, item: str) -> list[int]:
    rows = frame[(frame["measure"] == measure) & (frame["item"] == item)]
    return rows["count"].tolist()


def _income_only(pack: ff.Pack) -> ff.Pack:
    """qianshan with a single criterion: per-capita income below the monitoring line."""
    keep = {"scope.rural_hukou", "risk.income_below_line"}
    return fa.reform(
        pack,
        remove_rules=[r.id for r in pack.rules if r.id.removeprefix("qianshan_2023.") not in keep],
        add_rules=[
            {
                "id": "outcome.income_only",
                "kind": "outcome",
                "title": {"zh": "收入低于监测线", "en": "income below the line"},
                "when": {"fired": ["risk.income_below_line"]},
                "effect": {"outcome": "identify"},
            }
        ],
        label="income only",
    )


LINES = st.lists(
    st.integers(min_value=0, max_value=40_000).map(lambda n: Decimal(n) / 2),
    min_size=2,
    max_size=4,
    unique=True,
).map(sorted)


@given(households=fs.household_lists(max_size=4), lines=LINES)
def test_a_higher_line_never_monitors_fewer_households(qianshan, households, lines):
    income_only = _income_only(qianshan)
    frame = fa.sweep(
        households, income_only, parameter="monitoring_income_line", values=lines,
        as_of=QIANSHAN_DAY,
    )  # fmt: skip
    identified = _counts(frame, "outcome", "identify")
    monitored = _monitored(frame)
    assert identified == sorted(identified), (lines, identified)
    assert monitored == sorted(monitored), (lines, monitored)
    # Household by household: identified under a line → identified under every higher line.
    rank = {"not_eligible": 0, "out_of_scope": 0, "needs_review": 1, "identify": 2}
    previous = None
    for line in lines:
        results = income_only.with_parameters(monitoring_income_line=line).identify_many(
            households, as_of=QIANSHAN_DAY
        )
        now = [rank[r.outcome.value] for r in results]
        if previous is not None:
            assert all(a <= b for a, b in zip(previous, now, strict=True)), (line, previous, now)
        previous = now
    # The whole pack too: the line only ever adds a stated risk, so "monitored" never shrinks.
    full = fa.sweep(
        households, qianshan, parameter="monitoring_income_line", values=lines,
        as_of=QIANSHAN_DAY,
    )  # fmt: skip
    assert _monitored(full) == sorted(_monitored(full))
    assert _counts(full, "outcome", "identify") == sorted(_counts(full, "outcome", "identify"))


def test_sweep_frame_is_tidy_and_records_the_source(qianshan, ewenki):
    households = _sample(60)
    frame = fa.sweep(
        households, qianshan, parameter="monitoring_income_line", values=[6000, "7000"],
        as_of=QIANSHAN_DAY,
    )  # fmt: skip
    assert list(frame.columns) == list(SWEEP_COLUMNS)
    assert set(frame["value"]) == {Decimal("6000.00"), Decimal("7000.00")}
    assert set(frame["source"]) == {"caller"}
    assert set(frame["pack_version"]) == {qianshan.version}
    for _value, rows in frame.groupby("value"):
        outcomes = rows[rows["measure"] == "outcome"]
        assert sorted(outcomes["item"]) == sorted(o.value for o in ff.Outcome)
        assert outcomes["count"].sum() == len(households)
        groups = rows[rows["measure"] == "key_attention"]
        assert len(groups) == 8 and all(groups["item"].str.startswith("qianshan_2023:"))
        assert rows[rows["measure"] == "households"]["count"].tolist() == [len(households)]
    assert frame["pack_hash"].nunique() == 2
    wide = fa.sweep_table(frame, "outcome")
    assert list(wide.index) == [Decimal("6000.00"), Decimal("7000.00")]
    assert (wide.sum(axis=1) == len(households)).all()

    stated = fa.sweep(
        households, ewenki, parameter="monitoring_income_line", values=[8300, 9000],
        as_of=EWENKI_DAY,
    )  # fmt: skip
    assert set(stated["source"]) == {"reform"}
    assert set(stated["pack_version"]) == {"2024.1+reform"}
    assert ewenki.overrides == {}
    with pytest.raises(ParameterError):
        fa.sweep(households, ewenki, parameter="nope", values=[1], as_of=EWENKI_DAY)


def test_sweep_other_parameters_first(qianshan):
    households = _sample(30)
    frame = fa.sweep(
        households, qianshan, parameter="key_attention_income_threshold", values=[5000, 20000],
        as_of=QIANSHAN_DAY, parameters={"monitoring_income_line": 7000},
    )  # fmt: skip
    first = _counts(frame, "key_attention", "qianshan_2023:①")
    assert first == sorted(first) and set(frame["source"]) == {"reform"}


# -- diffs --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", INSTALLED)
def test_diff_of_a_pack_with_itself_is_empty(name):
    pack = ff.load_pack(name)
    assert len(fa.diff_packs(pack, pack)) == 0
    assert len(fa.diff_packs(pack, ff.Pack.from_directory(pack.directory))) == 0
    assert fa.diff_packs(pack, pack).to_frame().empty
    assert "No differences" in fa.diff_packs(pack, pack)._repr_html_()


def _swap(frame):
    def other(column: str) -> str:
        side, _, rest = column.partition("_")
        if side in ("a", "b"):
            return {"a": "b", "b": "a"}[side] + ("_" + rest if rest else "")
        return column

    swapped = frame.rename(columns=other)[list(frame.columns)]
    swapped["status"] = swapped["status"].map(
        {"only_a": "only_b", "only_b": "only_a", "differs": "differs"}
    )
    return swapped


@pytest.mark.parametrize(
    "a,b", [(a, b) for i, a in enumerate(INSTALLED) for b in INSTALLED[i + 1 :]]
)
def test_diff_mirrors(a, b):
    ab, ba = fa.diff_packs(a, b), fa.diff_packs(b, a)
    assert ba == ab.mirrored() and ab == ba.mirrored()
    assert len(ab) > 0 and ab.a == a and ab.b == b
    left, right = ab.to_frame(), ba.to_frame()
    assert _swap(left).reset_index(drop=True).equals(right.reset_index(drop=True))
    statuses = set(left["status"])
    assert statuses <= {"only_a", "only_b", "differs"}
    # Only-one-side rows leave the other side empty; "differs" rows name what differs.
    assert (left[left["status"] == "only_a"]["b"] == "").all()
    assert (left[left["status"] == "differs"]["fields"] != "").all()


def test_diff_shows_parameters_rules_and_both_citations(qianshan, ewenki):
    d = fa.diff_packs(qianshan, ewenki)
    frame = d.to_frame()
    line = frame[(frame["section"] == "parameter") & (frame["key"] == "monitoring_income_line")]
    assert line["a"].item() == "caller-supplied"
    assert "8,300元" in line["b"].item()
    assert line["a_citation"].item() == "一、(一)2.(1)" and line["b_citation"].item() == "一、(一)"
    assert {"parameter", "key_attention", "green_channel", "deadline", "document"} <= set(
        d.sections
    )
    deadline = frame[(frame["section"] == "deadline") & ~frame["key"].str.startswith("timeline.")]
    assert deadline["status"].tolist() == ["only_a"] and "10" in deadline["a"].item()
    # the case time limits of timeline.yaml are compared too, beside the deadline rules
    timeline = frame[frame["key"].str.startswith("timeline.")].set_index("key")
    assert timeline.loc["timeline.campaign_data_entry", "status"] == "differs"
    assert timeline.loc["timeline.plan_and_measures", "status"] == "only_a"
    assert "10" in timeline.loc["timeline.plan_and_measures", "a"]
    assert timeline.loc["timeline.campaign_screening", "status"] == "only_b"
    green = frame[frame["section"] == "green_channel"]
    assert set(green["status"]) == {"only_a", "only_b"}
    assert green["a_quote"].str.contains("绿色通道").any()
    only = fa.diff_packs(qianshan, ewenki, sections=("parameter",))
    assert set(only.sections) == {"parameter"}
    html = d._repr_html_()
    assert "qianshan_2023" in html and 'title="' in html and "ff-cite" in html
    assert "| key |" in d.to_markdown()
    records = d.to_records()
    assert records[0]["packs"] == {"a": "qianshan_2023", "b": "ewenki_2024"}
    json.dumps(records, ensure_ascii=False)


def test_diff_of_a_reform_names_what_changed(ewenki):
    higher = fa.reform(ewenki, parameters={"monitoring_income_line": 9000}, label="9000")
    d = fa.diff_packs(ewenki, higher)
    assert [(r.section, r.key, r.status) for r in d] == [
        ("parameter", "monitoring_income_line", "differs")
    ]
    row = d.rows[0]
    assert "value" in row.fields and "source" in row.fields
    assert row.b.citation == "reform: 9000" and "8,300元" in row.a.value
    assert d.a.endswith("2024.1") and d.b.endswith("2024.1+reform")
    # a reform keeps the pack's case time limits and its elimination spec
    assert higher.timeline == ewenki.timeline and higher.timeline.deadlines
    assert higher.elimination == ewenki.elimination
    removed = fa.reform(ewenki, remove_rules=["note.dibao_is_no_substitute"])
    d2 = fa.diff_packs(ewenki, removed)
    assert [(r.section, r.status) for r in d2] == [("note", "only_a")]


# -- cards and rich displays -----------------------------------------------------------------


class _Checker(HTMLParser):
    VOID: ClassVar[set[str]] = {"br", "hr", "img", "meta", "link", "input", "col", "wbr"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unexpected </{tag}> (open: {self.stack[-3:]})")
        else:
            self.stack.pop()


def _well_formed(text: str) -> None:
    checker = _Checker()
    checker.feed(text)
    checker.close()
    assert not checker.errors and not checker.stack, (checker.errors, checker.stack)


@pytest.mark.parametrize("name", ff.available_packs())
def test_card_for_every_installed_pack(name):
    try:
        pack = ff.load_pack(name)
    except ff.PackError as exc:
        pytest.skip(f"{name} does not load yet: {exc}")
    markdown = fa.pack_card_markdown(pack)
    html = fa.pack_card_html(pack)
    doc = pack.document
    for text in (markdown, html):
        assert pack.name in text and doc.issuer.split(" ")[0] in text
        assert doc.date.isoformat() in text and pack.content_hash in text
        for parameter in pack.parameters:
            assert parameter in text
        for rule in pack.rules:
            if rule.kind == ff.RuleKind.KEY_ATTENTION:
                assert rule.title.zh in text.replace("&quot;", '"').replace("&#x27;", "'")
        for heading in ("Key-attention groups", "Green channel", "Deadlines", "Elimination"):
            assert heading in text
        assert ("caller-supplied" in text) == bool(pack.caller_supplied())
    _well_formed(html)
    quoted = [r for r in pack.rules if r.quote]
    if quoted:
        assert "[^1]:" in markdown and "Clauses quoted" in markdown
        assert 'class="ff-cite"' in html
    card = fa.pack_card(pack)
    assert card._repr_html_() == html or card._repr_html_().count("<table>") == html.count(
        "<table>"
    )
    assert str(card) == markdown


def test_card_is_generated_from_the_data(qianshan):
    plain = fa.pack_card_markdown(qianshan)
    assert "**caller-supplied**" in plain
    supplied = fa.pack_card_markdown(qianshan.with_parameters(monitoring_income_line=6900))
    assert "**6,900元 (caller)**" in supplied and "monitoring_income_line=6900.00" in supplied
    reformed = fa.pack_card_markdown(
        fa.reform(qianshan, parameters={"plan_deadline_days": 15}, label="x")
    )
    assert "15 (reform) (plan_deadline_days)" in reformed and "2023.1+reform" in reformed


def test_rich_html_links_citations_to_clause_text(qianshan):
    households = _sample(40)
    pack = qianshan.with_parameters(monitoring_income_line=7000)
    results = pack.identify_many(households, as_of=QIANSHAN_DAY)
    result = next(r for r in results if r.key_attention and r.deadlines)
    html = fa.identification_html(result)
    _well_formed(html)
    quote = next(r.quote for r in result.reasons if r.quote)
    assert f'title="{quote}"' in html or quote.replace('"', "&quot;") in html
    assert "trace" in html and "monitoring_income_line=7000.00 (caller)" in html
    trace = fa.trace_html(result.trace)
    _well_formed(trace)
    assert "param monitoring_income_line" in trace
    frame = ff.results_frame(results)
    rendered = fa.frame_html(frame)
    _well_formed(rendered)
    assert 'class="ff-cite"' in rendered and "<code title=" in rendered
    wrapped = fa.linked(frame)
    assert wrapped._repr_html_().count("<tr>") == len(frame) + 1
    from rich.console import Console
    from rich.table import Table

    assert isinstance(wrapped.__rich__(), Table)
    console = Console(file=io.StringIO(), width=200)
    console.print(wrapped)
    console.print(fa.pack_card(qianshan))
    assert "SYN-0001" in console.file.getvalue()


# -- plots --------------------------------------------------------------------------------


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=50)
    return buffer.getvalue()


def test_plots_render_headless(qianshan, ewenki):
    from matplotlib.figure import Figure

    assert matplotlib.get_backend().lower() == "agg"
    households = _sample(50)
    comparison = fa.compare(
        households,
        [qianshan, ewenki],
        as_of={"qianshan_2023": QIANSHAN_DAY, "ewenki_2024": EWENKI_DAY},
        parameters={"monitoring_income_line": 7000},
    )
    sweep = fa.sweep(
        households, qianshan, parameter="monitoring_income_line", values=[6000, 8000],
        as_of=QIANSHAN_DAY,
    )  # fmt: skip
    results = qianshan.with_parameters(monitoring_income_line=7000).identify_many(
        _sample(), as_of=QIANSHAN_DAY
    )
    timed = [r for r in results if r.deadlines]
    assert timed
    figures = [
        fa.plot_outcomes(comparison),
        fa.plot_outcomes(comparison, share=True),
        fa.plot_groups(comparison),
        fa.plot_sweep(sweep),
        fa.plot_sweep(
            pd.concat([sweep.assign(pack="a"), sweep.assign(pack="b")]),  # several packs
            measure="key_attention",
        ),
        fa.plot_deadlines(timed[0]),
        fa.plot_deadlines(timed[:4]),
        fa.plot_deadlines(timed[0].deadlines, as_of=QIANSHAN_DAY),
        fa.plot_deadlines([]),
    ]
    for fig in figures:
        assert isinstance(fig, Figure)
        assert _png(fig).startswith(b"\x89PNG")
    # Labels a headless font can draw: no Chinese glyphs when no CJK font is installed.
    if fa.plots.cjk_font() is None:
        texts = [t.get_text() for t in figures[2].findobj(matplotlib.text.Text)]
        assert not any(fa.plots._HAN.search(t) for t in texts), texts


# -- command line -------------------------------------------------------------------------


def test_cli_sweep_csv_and_json(capsys, tmp_path):
    out = tmp_path / "sweep.csv"
    code = main(
        ["sweep", "--pack", "qianshan_2023", "--as-of", "2023-06-05", "--parameter",
         "monitoring_income_line", "--values", "6000,7000", "--range", "8000:9000:1000",
         "--format", "csv", "-o", str(out), str(SAMPLE)]
    )  # fmt: skip
    assert code == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert {r["value"] for r in rows} == {"6000.00", "7000.00", "8000.00", "9000.00"}
    monitored = [int(r["count"]) for r in rows if r["measure"] == "monitored"]
    assert monitored == sorted(monitored)
    code = main(
        ["sweep", "--pack", "ewenki_2024", "--as-of", "2024-06-05", "--parameter",
         "monitoring_income_line", "--values", "9000", "--format", "json", str(SAMPLE)]
    )  # fmt: skip
    captured = capsys.readouterr()
    assert code == 0
    data = json.loads(captured.out)
    assert {d["source"] for d in data} == {"reform"} and data[0]["value"] == "9000.00"
    assert "1 values (reform)" in captured.err
    assert main(["sweep", "--pack", "qianshan_2023", "--as-of", "2023-06-05", "--parameter",
                 "monitoring_income_line", str(SAMPLE)]) == 2  # fmt: skip
    assert main(["sweep", "--pack", "qianshan_2023", "--as-of", "2023-06-05", "--parameter",
                 "monitoring_income_line", "--range", "9:1:1", str(SAMPLE)]) == 2  # fmt: skip


def test_cli_diff_formats(capsys, tmp_path):
    assert main(["diff", "qianshan_2023", "ewenki_2024", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["a"] == "qianshan_2023" and data["b"] == "ewenki_2024"
    assert any(d["section"] == "deadline" for d in data["differences"])
    out = tmp_path / "diff.csv"
    assert main(["diff", "qianshan_2023", "ewenki_2024", "--section", "parameter",
                 "--format", "csv", "-o", str(out)]) == 0  # fmt: skip
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert rows and {r["section"] for r in rows} == {"parameter"}
    assert main(["diff", "ewenki_2024", "ewenki_2024", "--param-b",
                 "monitoring_income_line=9000", "--format", "jsonl"]) == 0  # fmt: skip
    captured = capsys.readouterr()
    lines = [json.loads(line) for line in captured.out.splitlines()]
    assert [(d["key"], d["status"]) for d in lines] == [("monitoring_income_line", "differs")]
    assert main(["diff", "qianshan_2023", "qianshan_2023", "--format", "markdown"]) == 0
    assert "No differences" in capsys.readouterr().out
    assert main(["diff", "qianshan_2023", "no_such_pack"]) == 2


def test_cli_describe(capsys, tmp_path):
    assert main(["describe", "qianshan_2023"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("# qianshan_2023 — ") and "caller-supplied" in text
    out = tmp_path / "card.html"
    assert main(["describe", "qianshan_2023", "--param", "monitoring_income_line=7000",
                 "--format", "html", "-o", str(out)]) == 0  # fmt: skip
    html = out.read_text(encoding="utf-8")
    _well_formed(html)
    assert "7,000元 (caller)" in html
