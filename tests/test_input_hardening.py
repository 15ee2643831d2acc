"""Regressions from the review of the core: bad input never crashes a run or leaks an ID number."""

import json
from datetime import date
from decimal import Decimal

import pytest

import fangfan_rules as ff
from fangfan_rules.cli import EXIT_BAD_ROWS, main
from fangfan_rules.errors import FactError
from fangfan_rules.money import to_yuan
from tests.helpers import household, record

ARGS = [
    "--pack",
    "qianshan_2023",
    "--as-of",
    "2023-06-05",
    "--param",
    "monitoring_income_line=7000",
]
BASE = {
    "id": "H1",
    "area": {"county": "c", "town": "t", "village": "v"},
    "hukou": "rural",
    "members": [{"id": "m1", "relation": "head"}],
}


def test_huge_amounts_are_errors_not_crashes(tmp_path, capsys):
    bad = dict(BASE, id="H2", income=[dict(record("2022-01-01", "2022-12-31"), wage_income="1e30")])
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps(h) for h in (BASE, bad, dict(BASE, id="H3"))) + "\n")
    assert main(["evaluate", *ARGS, "--format", "jsonl", str(src)]) == EXIT_BAD_ROWS
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["household_id"] for r in rows] == ["H1", "H2", "H3"]
    with pytest.raises(ValueError, match="out of range"):
        to_yuan("1" + "0" * 30)
    with pytest.raises(ValueError, match="not a money amount"):  # an exponent is no money form
        to_yuan("1e30")


def test_thousands_separators_only():
    assert to_yuan("1,234.50") == Decimal("1234.50")
    with pytest.raises(ValueError):
        to_yuan("1,00")


def test_json_numbers_are_never_floats():
    text = json.dumps(dict(BASE, income=[record("2022-01-01", "2022-12-31")])).replace(
        '"wage_income": "0"', '"wage_income": 9999.9999999999999'
    )
    with pytest.raises(FactError, match="finer precision"):
        ff.load_household(text)


def test_non_utf8_rows_are_bad_rows(tmp_path, capsys):
    """A line that is not UTF-8 (a GBK export) is one bad row saying so; the rest go on."""
    src = tmp_path / "gbk.csv"
    src.write_bytes(b"id,hukou\n" + "鞍山市,rural\n".encode("gbk") + b"H2,rural\n")
    assert main(["evaluate", *ARGS, "--format", "jsonl", str(src)]) == EXIT_BAD_ROWS
    captured = capsys.readouterr()
    rows = [json.loads(line) for line in captured.out.splitlines()]
    assert [r["line"] for r in rows] == [2, 3]
    assert "UTF-8" in rows[0]["error"] and rows[1]["household_id"] == "H2"
    assert "UTF-8" in captured.err


@pytest.mark.parametrize(
    "member",
    [
        {"id": "m1", "relation": "head", "id_number": 210311196403019770},
        {"id": "m1", "relation": "head", "idnumber": "21031119640301977X"},
    ],
)
def test_id_numbers_masked_in_every_error(member):
    with pytest.raises(FactError) as info:
        ff.load_household(dict(BASE, members=[member]))
    assert "19640301" not in str(info.value)
    with pytest.raises(Exception) as direct:
        ff.Member(id="m1", relation="head", id_number="210311196403019771")
    assert "210311196403019771" not in str(direct.value)


def test_deadline_follows_one_monitoring_record():
    pack = ff.load_pack("qianshan_2023").with_parameters(monitoring_income_line=7000)
    h = household(
        monitoring=[
            {
                "category": "marginal",
                "identified_on": "2023-05-01",
                "system_entry_on": "2023-05-02",
                "plan_filed_on": "2023-05-05",
            },
            {
                "category": "marginal",
                "identified_on": "2023-05-30",
                "system_entry_on": "2023-06-01",
            },
        ]
    )
    (deadline,) = pack.identify(h, as_of=date(2023, 7, 30)).deadlines
    assert deadline.start == date(2023, 6, 1) and deadline.met_on is None
    assert deadline.status == "overdue"


def test_lifted_year_after_as_of_is_not_known():
    h = household(lifted_out_of_poverty=True, lifted_year=2025)
    view, excluded = ff.known_at(h, date(2023, 5, 20))
    assert view.lifted_out_of_poverty is False
    assert [e.path for e in excluded] == ["lifted_out_of_poverty"]


def test_markup_in_ids_and_bom_on_stdin(tmp_path, monkeypatch, capsys):
    import io

    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps(dict(BASE, id="[/bold]")) + "\n")
    assert main(["evaluate", *ARGS, "--format", "table", str(src)]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("\ufeff" + json.dumps(BASE) + "\n"))
    assert main(["evaluate", *ARGS, "--format", "jsonl", "-"]) == 0
    assert '"H1"' in capsys.readouterr().out
