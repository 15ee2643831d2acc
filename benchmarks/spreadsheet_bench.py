"""Reading officials' spreadsheets: time and peak memory on 50,000 member rows (not a test).

    python benchmarks/spreadsheet_bench.py                  # 50,000 members (12,500 households)
    python benchmarks/spreadsheet_bench.py --members 200000

Generates one workbook (XLSX, the default mapping's 26 headers, household cells on the head's row,
4 members a household) and the same rows as a GBK CSV file, then measures, each in its own
subprocess so that its peak memory (ru_maxrss) is its own:

- the two ways to stream an XLSX the issue names, iterating raw rows only: openpyxl read-only
  mode, calamine (python-calamine), and pandas.read_excel(engine="calamine") for comparison;
- fangfan_rules.io.read_spreadsheet end to end (validated households) on the XLSX and the CSV;
- the interpreter with fangfan_rules imported, as the baseline those figures include.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEADERS = [
    "户编号", "县（市、区、旗）", "乡（镇、街道、苏木）", "村（社区、嘎查）", "户籍", "是否脱贫户",
    "脱贫年度", "姓名", "身份证号", "与户主关系", "出生日期", "健康状况", "劳动技能", "在校生状况",
    "务工状况", "工资性收入", "生产经营性收入", "财产性收入", "转移性收入", "生产经营性支出",
    "家庭人均纯收入", "享受低保", "住房安全等级", "饮水安全有保障", "自主应对能力", "存栏牲畜（头只）",
]  # fmt: skip
RELATIONS = ("户主", "配偶", "之子", "之女")


def _rows(members: int):
    for n in range(members):
        household, position = divmod(n, 4)
        row = {
            "户编号": f"H{household:07d}",
            "姓名": f"成员{n}",
            "与户主关系": RELATIONS[position],
            "出生日期": f"{1950 + n % 60}/{1 + n % 12}/{1 + n % 28}",
            "健康状况": ("健康", "长期慢性病", "大病")[n % 3],
            "劳动技能": ("普通劳动力", "弱劳动力或半劳动力", "无劳动力")[n % 3],
            "在校生状况": ("非在校生", "小学", "普通高中")[n % 3],
            "务工状况": ("稳定就业", "就业不稳定", "转移就业")[n % 3],
        }
        if position == 0:
            wage = 10000 + household % 5000
            row.update({
                "县（市、区、旗）": "千山区", "乡（镇、街道、苏木）": "甘泉镇",
                "村（社区、嘎查）": f"{household % 50}村", "户籍": "农村户籍", "是否脱贫户": "是",
                "脱贫年度": "2019", "工资性收入": f"{wage:,}.00", "生产经营性收入": "1000",
                "财产性收入": "0", "转移性收入": "2000", "生产经营性支出": "0",
                "家庭人均纯收入": f"{(wage + 3000) / 4:.2f}", "享受低保": "否",
                "住房安全等级": "A级", "饮水安全有保障": "是", "自主应对能力": "有",
                "存栏牲畜（头只）": "12头",
            })  # fmt: skip
        yield [row.get(h, "") for h in HEADERS]


def generate(members: int, folder: Path) -> tuple[Path, Path]:
    import openpyxl

    xlsx, gbk = folder / "members.xlsx", folder / "members_gbk.csv"
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("入户排查表")
    sheet.append(HEADERS)
    for row in _rows(members):
        sheet.append(row)
    book.save(xlsx)
    with gbk.open("w", encoding="gbk", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADERS)
        writer.writerows(_rows(members))
    return xlsx, gbk


def measure(kind: str, path: str) -> None:
    """Run one measurement in this process and print 'rows seconds' (imports are not timed;
    the peak memory includes them: compare each figure with the baseline)."""
    count = 0
    if kind == "baseline":
        import fangfan_rules  # noqa: F401

        started = time.perf_counter()
    elif kind == "openpyxl":
        import openpyxl

        started = time.perf_counter()
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        for _ in book.worksheets[0].iter_rows(values_only=True):
            count += 1
        book.close()
    elif kind == "calamine":
        import python_calamine

        started = time.perf_counter()
        sheet = python_calamine.CalamineWorkbook.from_path(path).get_sheet_by_index(0)
        for _ in sheet.iter_rows():
            count += 1
    elif kind == "pandas":
        import pandas as pd

        started = time.perf_counter()
        count = len(pd.read_excel(path, engine="calamine", dtype=object, header=None))
    else:  # the reader, end to end: mapping loaded and checked, households validated
        from fangfan_rules.io import read_spreadsheet

        started = time.perf_counter()
        rows = read_spreadsheet(
            path, "default", income_period=(dt.date(2022, 5, 1), dt.date(2023, 4, 30))
        )
        bad = 0
        for row in rows:
            bad += row.household is None
        if bad:
            raise SystemExit(f"{bad} bad rows: the generated data should all be good")
        count = rows.member_rows
    print(count, time.perf_counter() - started)


def _run(kind: str, path: Path) -> tuple[int, float, float]:
    code = (
        f"import resource, sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); "
        f"import spreadsheet_bench as b; b.measure({kind!r}, {str(path)!r}); "
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    (count, seconds), peak_kib = out.stdout.split("\n")[0].split(), out.stdout.split("\n")[1]
    return int(count), float(seconds), int(peak_kib) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=50_000)
    args = parser.parse_args()
    print(f"# {platform.python_version()} on {platform.machine()}, {args.members:,} member rows")
    with tempfile.TemporaryDirectory() as tmp:
        xlsx, gbk = generate(args.members, Path(tmp))
        print(
            f"workbook {xlsx.stat().st_size / 1e6:.1f} MB, GBK CSV {gbk.stat().st_size / 1e6:.1f} MB"
        )
        print(f"{'measurement':<38} {'seconds':>8} {'rows/s':>10} {'peak MiB':>9}")
        for kind, path, label in (
            ("baseline", xlsx, "python + import fangfan_rules (memory)"),
            ("openpyxl", xlsx, "openpyxl read-only, raw rows"),
            ("calamine", xlsx, "calamine, raw rows"),
            ("pandas", xlsx, "pandas.read_excel(engine=calamine)"),
            ("reader", xlsx, "read_spreadsheet, XLSX -> households"),
            ("reader", gbk, "read_spreadsheet, GBK CSV -> households"),
        ):
            count, seconds, peak = _run(kind, path)
            rate = f"{count / seconds:,.0f}" if count else "-"
            print(f"{label:<38} {seconds:>8.2f} {rate:>10} {peak:>9.0f}")


if __name__ == "__main__":
    main()
