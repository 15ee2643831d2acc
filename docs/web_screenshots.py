"""Screenshots of the web page for village and town staff (docs/web_*.png).

Starts ``fangfan-rules serve`` on a throw-away SQLite file with qianshan_2023 and the county's
figures, signs in with a village token in Debian's Chromium (Playwright), evaluates the synthetic
households of one village of ``examples/sample_households.jsonl``, records two steps of a case and
saves: the sign-in page, the answers with their reasons, a case's deadlines, the worklist and the
draft 公示 list.

    .venv/bin/python docs/web_screenshots.py
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
VILLAGE = ("示例甲县", "东风镇", "东风镇东村")
CONFIG = """parameters:
  qianshan_2023:
    monitoring_income_line: "7000"
    low_income_threshold: "9000"
    screening_lookback_start: "2022-05-01"
"""
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="ffr-web-"))
    url = f"sqlite:///{work / 'web.sqlite3'}"
    (work / "county.yaml").write_text(CONFIG, encoding="utf-8")
    exe = [sys.executable, "-m", "fangfan_rules"]
    token = subprocess.run(
        [*exe, "token", "东村干部", "--role", "village", "--county", VILLAGE[0], "--town", VILLAGE[1],
         "--village", VILLAGE[2], "--db", url],
        check=True, capture_output=True, text=True,
    ).stdout.split()[0]  # fmt: skip
    households = [
        line
        for line in (ROOT / "examples" / "sample_households.jsonl").read_text("utf-8").splitlines()
        if tuple(json.loads(line)["area"][k] for k in ("county", "town", "village")) == VILLAGE
    ][:12]
    port = free_port()
    server = subprocess.Popen(
        [*exe, "serve", "--db", url, "--config", str(work / "county.yaml"), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                httpx.get(base + "/packs", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(base + "/ui")
            page.screenshot(path=str(DOCS / "web_login.png"))
            page.fill("#token", token)
            page.click("button[type=submit]")
            page.select_option("#pack", "qianshan_2023")
            page.fill("#as_of", "2023-06-05")
            page.fill("#households", "\n".join(households))
            page.click("text=开始评估")
            page.screenshot(path=str(DOCS / "web_results.png"), full_page=True)
            first = json.loads(households[0])["id"]
            page.goto(f"{base}/ui/cases/{first}/qianshan_2023?as_of=2023-06-05")
            for step, day in (("home_verification", "2023-05-20"), ("system_entry", "2023-05-25")):
                page.select_option("select[name=step]", step)
                page.fill("input[name=day]", day)
                page.click("text=登记")
            page.goto(f"{base}/ui/cases/{first}/qianshan_2023?as_of=2023-06-05")
            page.screenshot(path=str(DOCS / "web_case.png"), full_page=True)
            page.goto(f"{base}/ui/worklist/qianshan_2023?as_of=2023-06-01&horizon=10")
            page.screenshot(path=str(DOCS / "web_worklist.png"), full_page=True)
            page.goto(base + "/ui")
            page.select_option("#pack", "qianshan_2023")
            page.fill("#as_of", "2023-06-05")
            page.fill("#households", "\n".join(households))
            page.click("text=开始评估")
            with page.expect_popup() as popup:
                page.fill("#place", VILLAGE[2])
                page.click("text=打印拟纳入名单")
            listing = popup.value
            listing.wait_for_load_state()
            listing.screenshot(path=str(DOCS / "web_publicity.png"), full_page=True)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    for name in ("login", "results", "case", "worklist", "publicity"):
        print(DOCS / f"web_{name}.png")


if __name__ == "__main__":
    main()
