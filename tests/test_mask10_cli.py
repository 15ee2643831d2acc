"""attack10 finding 14: ``fangfan-rules import`` prints each bad row once, worded cleanly."""

from __future__ import annotations

from fangfan_rules.cli import EXIT_BAD_ROWS, main
from tests.test_spreadsheet import HEADERS, head, write_xlsx


def test_import_prints_each_bad_row_once(tmp_path, capsys):
    rows = [HEADERS, head("B-1", 工资性收入="-500"), head("B-2", 工资性收入="1e3"), head("B-3")]
    path = write_xlsx(tmp_path / "s.xlsx", rows)
    out = tmp_path / "o.jsonl"
    code = main(["import", str(path), "-o", str(out), "--income-period", "2022-05-01..2023-04-30"])
    assert code == EXIT_BAD_ROWS
    err = capsys.readouterr().err
    assert "household household" not in err
    assert err.count("household B-1:") == 1 and err.count("household B-2:") == 1
    assert err.count("bad household B-1:") == 1
    assert "2 bad row(s)" in err
    assert len(out.read_text("utf-8").splitlines()) == 1
