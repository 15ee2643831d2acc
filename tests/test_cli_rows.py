"""Issue 12, finding 3: no input row crashes the CLI or takes other rows with it.

A lone surrogate in an id, invalid UTF-8 in line 1,000, a CSV cell over 131,072 characters and an
unterminated quote each give one bad row with its reason; every other row is evaluated.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from fangfan_rules.cli import EXIT_BAD_ROWS, EXIT_CANNOT_RUN, EXIT_OK, main
from fangfan_rules.io import read_households
from fangfan_rules.io.writers import encodable

SAMPLE = Path(__file__).parents[1] / "examples" / "sample_households.jsonl"
LINES = SAMPLE.read_text(encoding="utf-8").splitlines()
ARGS = [
    "--pack",
    "qianshan_2023",
    "--as-of",
    "2023-06-05",
    "--param",
    "monitoring_income_line=7000",
]
CSV_COLUMNS = ["id", "hukou", "area", "members", "income", "self_coping"]


def csv_line(data: dict[str, object]) -> str:
    """One household as a CSV line (nested values as JSON cells)."""
    out = io.StringIO()
    csv.writer(out).writerow(
        [
            json.dumps(data[c], ensure_ascii=False) if isinstance(data.get(c), dict | list)
            else ("" if data.get(c) is None else str(data[c]).lower() if isinstance(data[c], bool) else data[c])
            for c in CSV_COLUMNS
        ]
    )  # fmt: skip
    return out.getvalue()


GOOD_CSV = [csv_line(json.loads(line)) for line in LINES]
MANY_CSV = [
    csv_line({**json.loads(line), "id": f"R{i}-{json.loads(line)['id']}"})
    for i in range(4)
    for line in LINES
]
HEADER = ",".join(CSV_COLUMNS) + "\r\n"


def evaluate(tmp_path: Path, src: Path, fmt: str = "jsonl") -> tuple[int, list[dict[str, str]]]:
    out = tmp_path / f"out.{fmt}"
    code = main(["evaluate", *ARGS, "--format", fmt, "-o", str(out), str(src)])
    if fmt == "csv":
        return code, list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    return code, [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "json", "xlsx"])
def test_lone_surrogate_in_an_id_is_one_bad_row(tmp_path, fmt, capsys):
    src = tmp_path / "in.jsonl"
    bad = dict(json.loads(LINES[0]), id="\ud800")
    src.write_text("\n".join([LINES[0], json.dumps(bad), LINES[1]]) + "\n", encoding="utf-8")
    out = tmp_path / f"out.{fmt}"
    assert main(["evaluate", *ARGS, "-o", str(out), str(src)]) == EXIT_BAD_ROWS
    if fmt == "jsonl":
        rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        # an id that is not valid Unicode is shown as its escape (text any output can write)
        assert [r["household_id"] for r in rows] == ["SYN-0001", "\\ud800", "SYN-0002"]
        assert rows[1]["outcome"] == "error" and "id" in rows[1]["error"]
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
        assert [r["household_id"] for r in rows] == ["SYN-0001", "\\ud800", "SYN-0002"]
    elif fmt == "json":
        rows = json.loads(out.read_text(encoding="utf-8"))
        assert [r["outcome"] != "error" for r in rows] == [True, False, True]
    else:
        openpyxl = pytest.importorskip("openpyxl")
        sheet = openpyxl.load_workbook(out).active
        assert [c.value for c in sheet["B"]][1:] == ["SYN-0001", "\\ud800", "SYN-0002"]
    assert "line 2" in capsys.readouterr().err


def test_encodable_escapes_surrogates_only():
    assert encodable("户\ud800x") == "户\\ud800x" and encodable("户主") == "户主"
    assert json.loads('"' + encodable("\udcff") + '"') == "\udcff"


def test_invalid_utf8_in_line_1000_of_jsonl_loses_nothing(tmp_path):
    src = tmp_path / "in.jsonl"
    lines = [line.encode() for line in LINES[:300]] * 4
    lines = [line.replace(b'"SYN-', b'"R%d-' % i) for i, line in enumerate(lines)]
    lines[999] = lines[999].replace(b'"id": "', b'"id": "\xff\xfe', 1)
    src.write_bytes(b"\n".join(lines) + b"\n")
    code, rows = evaluate(tmp_path, src)
    assert code == EXIT_BAD_ROWS and len(rows) == 1200
    errors = [r for r in rows if r["outcome"] == "error"]
    assert [r["line"] for r in errors] == [1000]
    assert errors[0]["error"].startswith("line 1000 is not UTF-8 text (byte 0xff")


def test_invalid_utf8_in_line_1000_of_csv_loses_nothing(tmp_path):
    src = tmp_path / "in.csv"
    body = [HEADER.encode(), *(line.encode() for line in MANY_CSV)]
    body[1000] = b"\xc3\x28" + body[1000]
    src.write_bytes(b"".join(body))
    code, rows = evaluate(tmp_path, src, "csv")
    assert code == EXIT_BAD_ROWS and len(rows) == 1200
    assert [(r["line"], r["outcome"]) for r in rows if r["outcome"] == "error"] == [
        ("1001", "error")
    ]


def test_csv_cell_over_the_field_limit_is_one_bad_row(tmp_path):
    src = tmp_path / "in.csv"
    huge = csv_line({"id": "HUGE", "hukou": "rural", "self_coping": "x" * 140_000})
    src.write_text(HEADER + GOOD_CSV[0] + huge + GOOD_CSV[1], encoding="utf-8")
    code, rows = evaluate(tmp_path, src, "csv")
    assert code == EXIT_BAD_ROWS
    assert [r["household_id"] for r in rows] == ["SYN-0001", "HUGE", "SYN-0002"]
    assert "a cell is longer than 131,072 characters" in rows[1]["error"] and rows[1]["line"] == "3"


def test_unterminated_quote_is_reported_and_the_next_row_evaluated(tmp_path):
    src = tmp_path / "in.csv"
    broken = 'BROKEN,"rural,{},[],[],false\r\n'
    src.write_text(HEADER + GOOD_CSV[0] + broken + GOOD_CSV[1] + GOOD_CSV[2], encoding="utf-8")
    code, rows = evaluate(tmp_path, src, "csv")
    assert code == EXIT_BAD_ROWS
    assert [(r["line"], r["household_id"], r["outcome"] == "error") for r in rows] == [
        ("2", "SYN-0001", False),
        ("3", "BROKEN", True),
        ("4", "SYN-0002", False),
        ("5", "SYN-0003", False),
    ]
    assert "a quote is misplaced or not closed" in rows[1]["error"]


def test_unterminated_quote_on_the_last_line(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text(HEADER + GOOD_CSV[0] + 'LAST,"rural\r\n', encoding="utf-8")
    rows = list(read_households(src))
    assert [r.household_id for r in rows] == ["SYN-0001", "LAST"] and rows[1].error


def test_a_json_cell_may_span_lines(tmp_path):
    data = json.loads(LINES[0])
    pretty = json.dumps(data["members"], ensure_ascii=False, indent=2)
    out = io.StringIO()
    csv.writer(out).writerow(
        [
            "SYN-0001",
            "rural",
            json.dumps(data["area"], ensure_ascii=False),
            pretty,
            json.dumps(data["income"]),
            "",
        ]
    )
    src = tmp_path / "in.csv"
    src.write_text(HEADER + out.getvalue() + GOOD_CSV[1], encoding="utf-8")
    rows = list(read_households(src))
    assert [(r.line, r.household_id, r.error) for r in rows] == [
        (2, "SYN-0001", None),
        (2 + pretty.count("\n") + 1, "SYN-0002", None),
    ]


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("id,hukou,id\r\n", "names column 'id' twice"),
        ('id,"hukou\r\nA,rural\r\n', "header is unreadable"),
    ],
)
def test_a_broken_header_cannot_run(tmp_path, capsys, header, message):
    src = tmp_path / "in.csv"
    src.write_text(header, encoding="utf-8")
    assert main(["evaluate", *ARGS, "--format", "jsonl", str(src)]) == EXIT_CANNOT_RUN
    assert message in capsys.readouterr().err


def test_stdin_with_invalid_utf8(monkeypatch, capsys):
    payload = (LINES[0] + "\n").encode() + b'{"id": "\xff"}\n' + (LINES[1] + "\n").encode()
    stdin = io.TextIOWrapper(io.BytesIO(payload), encoding="utf-8")
    monkeypatch.setattr("sys.stdin", stdin)
    assert main(["evaluate", *ARGS, "--format", "jsonl", "-"]) == EXIT_BAD_ROWS
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["outcome"] == "error" for r in rows] == [False, True, False]


def test_clean_file_still_exits_0(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text(HEADER + "".join(GOOD_CSV[:5]), encoding="utf-8")
    code, rows = evaluate(tmp_path, src, "csv")
    assert code == EXIT_OK and len(rows) == 5
