"""Terminal tables people can read: never a break inside a word, a code or a date.

:func:`render` lays a frame out for the terminal width itself rather than leaving it to rich's
per-character folding (which cut ``guarantees.dr|inking_water_sa|fe`` and ``202|2-01-01``):

1. every column gets a minimum width: an ``atom`` column its longest value (cut to
   :data:`ATOM_CAP` with ``…``), a ``text`` column its longest unbreakable token (at least
   :data:`TEXT_MIN`); headers are never broken;
2. columns are kept in priority order while their minimum widths fit; the spare width goes to
   atoms first (up to their natural width), then to text columns;
3. text is wrapped between words and between CJK characters (closing punctuation stays with the
   character before it, opening punctuation with the one after), at most ``max_lines`` lines;
4. a column empty in every row is left out (no ``error`` column when nothing failed);
5. when an essential column (:data:`~fangfan_rules.cli.columns.ESSENTIAL`) cannot be shown, or
   fewer than half of the columns fit, the frame is shown one record per row (label: value).

Footnotes say which columns were left out and that ``…`` marks cut text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from rich import box
from rich.cells import cell_len
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from fangfan_rules.cli.columns import ESSENTIAL, Column, column
from fangfan_rules.facts.base import masked_value
from fangfan_rules.idnumber import ids_revealed

#: Widest an atom column grows; longer values are cut with "…".
ATOM_CAP = 32
#: Narrowest a text column gets (a date range "2022-05-01..2023-04-30" is 22 cells).
TEXT_MIN = 16
#: Widest unbreakable token a text column makes room for (longer ones are folded).
TOKEN_CAP = 32
ELLIPSIS = "…"
_GAP = 3  # cells between columns (box.SIMPLE_HEAD: padding 1 either side of a blank rule)

# A token is a run of non-space, non-CJK characters (a word, a number, a date, a code such as
# "qianshan_2023:①") or one CJK character; breaks are allowed between tokens only.
_CJK = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f"
_TOKEN = re.compile(rf"\s+|[^\s{_CJK}]+|[{_CJK}]")
_CLOSING = set("，。、；：？！）》」』】〕…%,.;:?!)]}")
_OPENING = set("（《「『【〔([{")


def plain(value: Any) -> str:
    """A cell's text: lists joined by "; ", missing values blank, booleans ✓ / blank."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, bool):
        return "✓" if value else ""
    if isinstance(value, tuple | list):
        return "; ".join(plain(v) for v in value)
    return str(value)


def tokens(text: str) -> list[str]:
    """Unbreakable pieces of ``text`` (see module docstring), kinsoku rules applied."""
    out: list[str] = []
    glue_next = False
    for piece in _TOKEN.findall(text):
        if out and not piece.isspace() and (glue_next or piece[0] in _CLOSING):
            out[-1] += piece
        else:
            out.append(piece)
        glue_next = not piece.isspace() and piece[-1] in _OPENING
    return out


def wrap(text: str, width: int, max_lines: int | None = None) -> tuple[list[str], bool]:
    """``text`` in lines of at most ``width`` cells, broken between tokens only (a token wider
    than the line is folded). Returns the lines and whether text was cut to ``max_lines``."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for token in tokens(paragraph):
            if token.isspace():
                if line and cell_len(line) + 1 <= width:
                    line += " "
                continue
            while cell_len(token) > width:  # wider than a line: fold, the only choice left
                if line.strip():
                    lines.append(line.rstrip())
                head, token = _split_cells(token, width)
                lines.append(head)
                line = ""
            if cell_len(line) + cell_len(token) > width:
                lines.append(line.rstrip())
                line = ""
            line += token
        lines.append(line.rstrip())
    if max_lines is not None and len(lines) > max_lines:
        kept = lines[:max_lines]
        pieces = tokens(kept[-1])
        while len(pieces) > 1 and cell_len("".join(pieces)) + 1 > width:
            pieces.pop()  # drop whole tokens, never half a date, to make room for the marker
        last = "".join(pieces).rstrip()
        kept[-1] = last + ELLIPSIS if cell_len(last) < width else cut(last, width)
        return kept, True
    return lines, False


def cut(text: str, width: int) -> str:
    """``text`` within ``width`` cells, ending in "…" if it was cut."""
    if cell_len(text) <= width:
        return text
    head, _ = _split_cells(text, width - 1)
    return head + ELLIPSIS


def _split_cells(text: str, width: int) -> tuple[str, str]:
    used = 0
    for i, char in enumerate(text):
        used += cell_len(char)
        if used > width:
            return text[:i], text[i:]
    return text, ""


class Layout:
    """The columns shown and their widths, or ``records=True`` for one record per row."""

    def __init__(self, shown: list[Column], widths: dict[str, int], hidden: list[Column]):
        self.shown = shown
        self.widths = widths
        self.hidden = hidden
        self.records = not shown


def layout(columns: Sequence[Column], cells: dict[str, list[str]], width: int, lang: str) -> Layout:
    """Choose columns by priority and give them widths for a terminal ``width`` cells wide."""
    minimum: dict[str, int] = {}
    natural: dict[str, int] = {}
    for col in columns:
        head = cell_len(col.header(lang))
        longest = max((cell_len(v) for v in cells[col.key]), default=0)
        if col.kind == "atom":
            natural[col.key] = max(head, min(longest, ATOM_CAP))
            minimum[col.key] = natural[col.key]
        else:
            widest_token = max(
                (cell_len(t) for v in cells[col.key] for t in tokens(v) if not t.isspace()),
                default=0,
            )
            minimum[col.key] = max(head, TEXT_MIN, min(widest_token, TOKEN_CAP))
            natural[col.key] = max(minimum[col.key], longest)
    chosen: list[Column] = []
    used = 0
    for col in sorted(columns, key=lambda c: c.priority):
        need = minimum[col.key] + (_GAP if chosen else 0)
        if used + need <= width:
            chosen.append(col)
            used += need
    hidden = [c for c in columns if c not in chosen]
    essential_hidden = any(c.priority <= ESSENTIAL for c in hidden)
    if essential_hidden or len(chosen) * 2 < len(columns):
        return Layout([], {}, list(columns))
    widths = dict(minimum)
    spare = width - used
    texts = [c for c in chosen if c.kind == "text"]
    # atoms already have their natural width; text columns share what is left
    want = sum(natural[c.key] - widths[c.key] for c in texts)
    for col in texts:
        if want <= 0 or spare <= 0:
            break
        room = natural[col.key] - widths[col.key]
        extra = min(room, spare * room // want + 1, spare)
        widths[col.key] += extra
        spare -= extra
    shown = [c for c in columns if c in chosen]  # in the frame's own order
    return Layout(shown, {c.key: widths[c.key] for c in shown}, hidden)


def render(
    records: Sequence[dict[str, Any]],
    keys: Sequence[str],
    *,
    width: int,
    lang: str = "zh",
    title: str | None = None,
    max_lines: int = 3,
    columns: dict[str, Column] | None = None,
) -> RenderableType:
    """``records`` (dicts) as a table ``width`` cells wide, or one record per row when too wide.
    ID numbers (and ids that are ID numbers) are masked in every cell unless --reveal-ids."""
    if not ids_revealed():
        records = [masked_value(r) for r in records]
    cols = [(columns or {}).get(k) or column(k) for k in keys]
    cells = {c.key: [plain(r.get(c.key)) for r in records] for c in cols}
    if records:  # a column with nothing in it (no errors, no flags) takes no room
        cols = [c for c in cols if any(cells[c.key])]
    plan = layout(cols, cells, width, lang)
    notes: list[str] = []
    if plan.records:
        body = _records(records, cols, cells, width, lang)
    else:
        table = Table(
            title=title,
            box=box.SIMPLE_HEAD,
            show_edge=False,
            pad_edge=False,
            padding=(0, 1),
            expand=False,
            title_justify="left",
        )
        for col in plan.shown:
            table.add_column(col.header(lang), width=plan.widths[col.key], no_wrap=True)
        any_cut = False
        for i in range(len(records)):
            row = []
            for col in plan.shown:
                w = plan.widths[col.key]
                value = cells[col.key][i]
                if col.kind == "atom":
                    shown = cut(value, w)
                    any_cut |= shown != value
                else:
                    lines, was_cut = wrap(value, w, max_lines)
                    any_cut |= was_cut
                    shown = "\n".join(lines)
                row.append(Text(shown))
            table.add_row(*row)
        body = table
        if plan.hidden:
            names = ", ".join(c.header(lang) for c in plan.hidden)
            notes.append(
                f"未显示的列（终端宽{width}）：{names}" if lang == "zh"
                else f"columns not shown (terminal {width} wide): {names}"
            )  # fmt: skip
        if any_cut:
            notes.append(
                "“…”表示内容被截断；完整内容请用 -o 文件 或 --format csv/jsonl"
                if lang == "zh"
                else "… marks cut text; -o FILE or --format csv/jsonl has all of it"
            )
    parts: list[RenderableType] = [body]
    if plan.records and title:
        parts.insert(0, Text(title, style="bold"))
    parts.extend(Text(n, style="dim") for n in notes)
    return Group(*parts)


def _records(
    records: Sequence[dict[str, Any]],
    cols: list[Column],
    cells: dict[str, list[str]],
    width: int,
    lang: str,
) -> RenderableType:
    """One block per record: ``label: value`` lines, values wrapped with a hanging indent."""
    label_width = max((cell_len(c.header(lang)) for c in cols), default=0)
    value_width = max(width - label_width - 2, TEXT_MIN)
    out = Text()
    for i in range(len(records)):
        if i:
            out.append("\n")
        out.append("─" * min(width, 40) + "\n", style="dim")
        for col in cols:
            value = cells[col.key][i]
            if not value:
                continue
            label = col.header(lang)
            pad = " " * (label_width - cell_len(label))
            lines, _ = wrap(value, value_width)
            out.append(f"{label}{pad}: ", style="bold")
            out.append(lines[0] + "\n")
            for line in lines[1:]:
                out.append(" " * (label_width + 2) + line + "\n")
    return out
