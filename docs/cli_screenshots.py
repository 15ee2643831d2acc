"""Screenshots of what the command line gives people (docs/cli_*.png, docs/plot_outcomes_zh.png).

- ``evaluate`` as a table at 80 and 120 columns (the terminal output, colours kept, exported by
  rich as HTML with a monospaced CJK font);
- the draft 公示 list of one village (``publicity -o list.html``);
- a written answer (书面告知, ``letters -o letters.html``) for synthetic self-applicants whose
  applications were closed as not meeting the standard (the sample data has none, so the script
  records such an application on a few of its jimo households, in a temporary file);
- the outcomes plot in Chinese (``plot_outcomes(lang="zh")``).

HTML pages are photographed in Debian's Chromium, headless (Playwright drives
``/usr/bin/chromium``; ``apt-get install chromium fonts-noto-cjk``):

    .venv/bin/python docs/cli_screenshots.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
SAMPLE = ROOT / "examples" / "sample_households.jsonl"
CLI = [sys.executable, "-m", "fangfan_rules"]
QIANSHAN = ["--pack", "qianshan_2023", "--as-of", "2023-06-05", "--param",
            "monitoring_income_line=7000"]  # fmt: skip
JIMO = ["--pack", "jimo_2022", "--as-of", "2022-05-15", "--param", "monitoring_income_line=7000",
        "--param", "income_window=2021-01-01..2021-12-31"]  # fmt: skip
VILLAGE = "东风镇东村"
#: What the town recorded when it closed each synthetic application (附件2's reason column).
REASONS = (
    "经入户核实，家庭人均纯收入高于监测收入标准，且无大额刚性支出",
    "经入户核实，家庭成员均有稳定务工收入，“三保障”和饮水安全均有保障",
)
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
CELL = 8.5  # px: one terminal cell (DejaVu Sans Mono at 14px is 8.4 wide)
PAGE_CSS = (
    "body{margin:0;padding:10px;background:#fff}"
    ".term{display:inline-block;background:#1e1f22;border-radius:8px;padding:0 14px 12px;"
    "color:#dcdcdc;box-shadow:0 2px 8px #0004}"
    ".bar{height:34px;display:flex;align-items:center;gap:7px;color:#aaa;"
    "font:13px 'DejaVu Sans',sans-serif}"
    ".bar b{width:12px;height:12px;border-radius:6px;background:#ff5f57}"
    ".bar b+b{background:#febc2e}.bar b+b+b{background:#28c840;margin-right:10px}"
    ".l{height:20px;white-space:pre;font:14px/20px 'DejaVu Sans Mono','Noto Sans Mono CJK SC',"
    "monospace}"
    f".l i{{display:inline-block;font-style:normal;text-align:center;overflow:visible;"
    f"vertical-align:top}}.l i.n{{width:{CELL}px}}.l i.w{{width:{2 * CELL}px}}"
    ".l i.s{font-size:10px}"
)


def run(argv: list[str], *, width: int = 120) -> str:
    """The command's standard output as a colour terminal of ``width`` columns shows it."""
    env = dict(os.environ, COLUMNS=str(width), FORCE_COLOR="1", TERM="xterm-256color")
    done = subprocess.run([*CLI, *argv], capture_output=True, text=True, env=env, cwd=ROOT)
    if done.returncode not in (0, 3):
        raise SystemExit(f"{' '.join(argv)}: exit {done.returncode}\n{done.stderr}")
    return done.stdout


def terminal_html(ansi: str, width: int, title: str) -> str:
    """The terminal text as an HTML page: every character in a box one cell wide (two for a
    Chinese character, as rich counts them), so the columns line up as in a terminal whatever
    widths the fonts give their glyphs; colours and bold / italic / dim as rich renders them."""
    from html import escape

    from rich.cells import cell_len
    from rich.console import Console
    from rich.text import Text

    with open(os.devnull, "w") as sink:
        console = Console(width=width, file=sink, color_system="truecolor")
        lines = console.render_lines(Text.from_ansi(ansi), console.options, pad=False)
    rows = []
    for line in lines:
        cells = []
        for segment in line:
            style = segment.style.get_html_style() if segment.style else ""
            if segment.style and segment.style.dim:
                style += ";opacity:.6"
            for char in segment.text:
                kind = "w" if cell_len(char) == 2 else "n"
                if "\u2460" <= char <= "\u24ff":  # ①: one cell, drawn wide by CJK fonts
                    kind += " s"
                cells.append(f'<i class="{kind}" style="{style}">{escape(char)}</i>')
        rows.append(f'<div class="l">{"".join(cells)}</div>')
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><style>"
        f"{PAGE_CSS}.t{{width:{width * CELL}px}}"
        "</style></head><body><div class='term'>"
        f"<div class='bar'><b></b><b></b><b></b><span>{escape(title)}</span></div>"
        f"<div class='t'>{''.join(rows)}</div></div></body></html>"
    )


def letters_input(work: Path) -> Path:
    """Jimo-era synthetic households of the sample with a self-application closed as not
    meeting the standard (the sample records none)."""
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    out = []
    for number, line in enumerate(lines[:6]):
        data = json.loads(line)
        head = next(m for m in data["members"] if m["relation"] == "head")
        head["name"] = NAMES[number]
        if number < 2:
            data["clues"] = [*data.get("clues", []), {
                "channel": "self_application", "received_on": "2022-04-20",
                "source": "12317", "closed_on": "2022-05-08", "meets_criteria": False,
                "reason_not_met": REASONS[number], "applicant_informed": True,
            }]  # fmt: skip
        out.append(json.dumps(data, ensure_ascii=False))
    path = work / "self_applications.jsonl"
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


#: Synthetic names for the heads of household (the sample records none; the list masks them).
NAMES = ("张建国", "欧阳秀英", "李明", "王桂兰", "赵志强", "刘芳", "陈永福", "杨淑珍", "黄德胜",
         "周丽华", "吴国庆", "徐春梅", "孙大海", "马玉兰")  # fmt: skip


def village_input(work: Path, count: int = 14) -> Path:
    """The first households of one village of the sample, their heads given synthetic names."""
    out = []
    for line in SAMPLE.read_text(encoding="utf-8").splitlines():
        data = json.loads(line)
        if data["area"]["village"] != VILLAGE or len(out) == count:
            continue
        head = next(m for m in data["members"] if m["relation"] == "head")
        head["name"] = NAMES[len(out) % len(NAMES)]
        out.append(json.dumps(data, ensure_ascii=False))
    path = work / f"village_{count}.jsonl"
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


def plot(path: Path) -> None:
    from fangfan_rules import analysis as fa
    from fangfan_rules.facts import load_household

    households = [load_household(line) for line in SAMPLE.read_text("utf-8").splitlines()]
    as_of = {"qianshan_2023": date(2023, 6, 5), "ewenki_2024": date(2024, 6, 5),
             "puan_2025": date(2025, 5, 31), "rongan_2022": date(2022, 3, 15),
             "jimo_2022": date(2022, 5, 15)}  # fmt: skip
    comparison = fa.compare(
        households, list(as_of), as_of=as_of,
        parameters={"monitoring_income_line": 7000, "income_window": "2021-01-01..2021-12-31",
                    "puan_2025": {"income_window": "2024-06-01..2025-05-31"}},
    )  # fmt: skip
    fig = fa.plot_outcomes(comparison, lang="zh", title="300户合成样本在五个政策包下的识别结果")
    fig.savefig(path, dpi=110)


def main() -> None:
    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="ffr-cli-"))
    pages: list[tuple[Path, Path, int]] = []  # (html, png, viewport width)
    for width in (80, 120):
        source = village_input(work)
        argv = ["evaluate", *QIANSHAN, "--format", "table", str(source)]
        html = work / f"table_{width}.html"
        shown = f"fangfan-rules evaluate --pack qianshan_2023 … village.jsonl ({width} columns)"
        html.write_text(terminal_html(run(argv, width=width), width, shown), encoding="utf-8")
        pages.append((html, DOCS / f"cli_table_{width}.png", width * 9 + 60))
    listing = work / "publicity.html"
    run(
        [
            "publicity",
            *QIANSHAN,
            "--place",
            VILLAGE,
            "-o",
            str(listing),
            str(village_input(work, 6)),
        ]
    )
    pages.append((listing, DOCS / "cli_publicity.png", 900))
    letters = work / "letters.html"
    run(["letters", *JIMO, "-o", str(letters), str(letters_input(work))])
    pages.append((letters, DOCS / "cli_letter.png", 900))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for html, png, width in pages:
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.goto(html.as_uri())
            if png.name == "cli_letter.png":  # the first letter (one a printed page)
                box = page.locator("section.letter").first.bounding_box()
                assert box is not None
                clip = {"x": max(box["x"] - 24, 0), "y": 0, "width": box["width"] + 48,
                        "height": box["y"] + box["height"] + 24}  # fmt: skip
                page.screenshot(path=str(png), clip=clip, full_page=True)
            elif png.name.startswith("cli_table"):
                page.locator(".term").first.screenshot(path=str(png))
            else:
                page.screenshot(path=str(png), full_page=True)
            page.close()
        browser.close()
    plot(DOCS / "plot_outcomes_zh.png")
    for _, png, _ in pages:
        print(png)
    print(DOCS / "plot_outcomes_zh.png")


if __name__ == "__main__":
    main()
