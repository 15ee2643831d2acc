"""Plots for analysts (the optional ``[plot]`` extra: ``pip install 'fangfan-rules[plot]'``).

Every function returns a :class:`matplotlib.figure.Figure` built without pyplot (no global state,
headless-safe: nothing is shown, no GUI backend is needed); restyle it or save it with
``fig.savefig(...)``. In Jupyter, run ``%matplotlib inline`` once and the returned figure shows.

- :func:`plot_outcomes` — outcomes per pack for a household set (a :func:`compare` frame);
- :func:`plot_groups` — key-attention group counts per pack;
- :func:`plot_sweep` — a sweep curve (a :func:`sweep` frame);
- :func:`plot_deadlines` — a case's deadlines as a Gantt chart, working days shaded.

Labels are English by default. ``lang="zh"`` puts titles, axes, legends and labels in Chinese
with a font that has Chinese glyphs (:func:`cjk_font`): Noto Sans CJK from the ``[cjk]`` extra
(``pip install 'fangfan-rules[cjk]'``, the OFL font file packaged on PyPI as noto-cjk-sans-otc),
else one installed on the system (Debian: ``apt-get install fonts-noto-cjk`` or
``fonts-wqy-microhei``; Windows: SimHei / Microsoft YaHei). Without one the labels stay English
and a :class:`CJKFontWarning` says so once.
"""

from __future__ import annotations

import functools
import re
import warnings
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from fangfan_rules.errors import CalendarError, FangfanError, MissingExtraError
from fangfan_rules.result_rows import split_items
from fangfan_rules.results import Deadline, Identification

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from fangfan_rules.calendar import WorkingDayCalendar

OUTCOME_ORDER = ("identify", "needs_review", "not_eligible", "out_of_scope", "error")
OUTCOME_COLOURS = {
    "identify": "#c0392b",
    "needs_review": "#e67e22",
    "not_eligible": "#7f8c8d",
    "out_of_scope": "#bdc3c7",
    "error": "#2c3e50",
}
OUTCOME_ZH = {
    "identify": "识别",
    "needs_review": "需研判",
    "not_eligible": "未发现需纳入情形",  # not a refusal (see Outcome.NOT_ELIGIBLE)
    "out_of_scope": "不在范围",
    "error": "错误",
}
#: Deadline statuses: overdue (not done, past due) is the alarm red; missed (done, but late) an
#: orange of its own.
STATUS_COLOURS = {
    "met": "#27ae60",
    "pending": "#2980b9",
    "missed": "#e67e22",
    "overdue": "#c0392b",
    "closed": "#7f8c8d",
    "closed_overdue": "#8e44ad",
    "calendar_unknown": "#95a5a6",
    "done_date_unknown": "#16a085",
}
STATUS_ZH = {
    "met": "按时完成",
    "pending": "待办",
    "missed": "逾期完成",
    "overdue": "已逾期",
    "closed": "已办结",
    "closed_overdue": "逾期未完成即办结",
    "calendar_unknown": "日历未收录",
    "done_date_unknown": "已完成，完成日期未记录",
}
#: The words of the plots, by language.
TEXTS = {
    "outcomes_title": ("各政策包的识别结果", "Identification outcome per policy pack"),
    "share": ("占农户比例", "share of households"),
    "households_of": ("农户数（共{total}户）", "households (of {total})"),
    "groups_title": ("各政策包的重点关注农户", "Key-attention groups (重点关注农户) per pack"),
    "panel": ("{name}（{total}户）", "{name} — {total} households"),
    "no_groups": ("本政策包无重点关注农户类别", "no key-attention groups in this pack"),
    "households": ("农户数", "households"),
    "sweep_title": ("{parameter}取值变化的影响", "Sweep of {parameter}"),
    "monitored": ("纳入或待研判（识别 + 需研判）", "monitored (identify + review)"),
    "deadlines": ("办理时限", "Deadlines"),
    "no_deadlines": ("本案无适用的办理时限", "no deadlines apply to this case"),
    "working_day": ("法定工作日", "official working day"),
    "marks": ("| 起算日   ◆ 完成日", "| trigger date   ◆ done"),
    "as_of": ("   -- 评估日 {as_of}", "   -- as of {as_of}"),
    "calendar_gap": ("日历未覆盖图中每一天", "calendar does not cover every day shown"),
    "bar": ("{days}个{kind}，{due}：{status}", "{days} {kind} days, due {due}: {status}"),
    "working": ("工作日", "working"),
    "natural": ("自然日", "natural"),
    "due": ("{due}截止", "{due}"),
    "calendar_unknown": ("日历未收录", "calendar unknown"),
}
_CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
    "Heiti SC",
    "AR PL UMing CN",
    "Noto Sans CJK JP",  # a collection's first face (older matplotlib): the same Han glyphs
)


class CJKFontWarning(UserWarning):
    """``lang="zh"`` was asked for and no font with Chinese glyphs is installed."""


def _require_matplotlib() -> Any:
    try:
        import matplotlib
    except ImportError as exc:
        raise MissingExtraError("plots (matplotlib)", "plot") from exc
    return matplotlib


def _figure(width: float, height: float) -> Figure:
    _require_matplotlib()
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _font_files() -> list[str]:
    """Font files with Chinese glyphs that matplotlib's font cache may not list: the ``[cjk]``
    extra's, then the system's (installed after the cache was built)."""
    from matplotlib import font_manager

    files = []
    try:
        import noto_cjk_sans_otc  # type: ignore[import-not-found]

        files.append(str(noto_cjk_sans_otc.FONT_PATH))
    except ImportError:
        pass
    names = ("notosanscjk", "wqy", "sourcehansans", "simhei", "msyh")
    files += sorted(
        f
        for f in font_manager.findSystemFonts()
        if any(n in f.lower().replace("-", "").replace("_", "") for n in names)
    )
    return files


def _known_family() -> str | None:
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((family for family in _CJK_FAMILIES if family in installed), None)


@functools.cache
def cjk_font() -> str | None:
    """The family name of a font with Chinese glyphs (the ``[cjk]`` extra's Noto Sans CJK SC, or
    an installed one), or None."""
    _require_matplotlib()
    from matplotlib import font_manager

    family = _known_family()
    if family is None:
        for path in _font_files():
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):
                continue  # an unreadable file: try the next one
        family = _known_family()
    return family


@functools.cache
def _warn_no_cjk_font() -> None:
    warnings.warn(
        "lang='zh': no font with Chinese glyphs is installed, so the plot's labels are in "
        "English; install one with pip install 'fangfan-rules[cjk]' (or apt-get install "
        "fonts-noto-cjk)",
        CJKFontWarning,
        stacklevel=4,
    )


def _use_zh(lang: str) -> bool:
    if lang not in ("zh", "en"):
        raise ValueError(f"lang must be 'zh' or 'en', not {lang!r}")
    if lang == "zh" and cjk_font() is None:
        _warn_no_cjk_font()
        return False
    return lang == "zh"


def _text(key: str, lang: str, **values: Any) -> str:
    zh, en = TEXTS[key]
    return (zh if _use_zh(lang) else en).format(**values)


def _apply_font(fig: Figure, lang: str) -> None:
    """Let every text of ``fig`` fall back to a Chinese font when one is installed."""
    family = cjk_font()
    if family is None:
        return
    for text in fig.findobj(lambda o: hasattr(o, "set_fontfamily")):
        text.set_fontfamily(["DejaVu Sans", family])  # type: ignore[attr-defined]


#: Chinese terms that English titles keep, spelled out for fonts without Chinese glyphs.
GLOSSARY = {
    "两不愁三保障": "'two assurances, three guarantees'",
    "三保障": "'three guarantees'",
    "脱贫户": "lifted-out household",
    "脱贫村": "lifted-out village",
    "嘎查村": "gacha village",
    "特困": "tekun (extreme hardship)",
    "低保": "dibao",
    "农转非": "rural-to-urban hukou",
    "重点关注农户": "",
}
_HAN = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]+")


def latin(text: str) -> str:
    """``text`` without Chinese characters when no Chinese font can draw them (glossary terms
    spelled out, other runs dropped); unchanged when one can."""
    if not _HAN.search(text) or cjk_font() is not None:
        return text
    for term, english in GLOSSARY.items():
        text = text.replace(term, english)
    text = re.sub(r"\(\s*\)|（\s*）", "", _HAN.sub("", text))
    return re.sub(r"\s{2,}", " ", text).strip()


def _outcome_label(outcome: str, lang: str) -> str:
    return OUTCOME_ZH.get(outcome, outcome) if _use_zh(lang) else outcome.replace("_", " ")


def _status_label(status: str, lang: str) -> str:
    return STATUS_ZH.get(status, status) if _use_zh(lang) else status.replace("_", " ")


def plot_outcomes(
    comparison: pd.DataFrame,
    *,
    share: bool = False,
    title: str | None = None,
    lang: str = "en",
) -> Figure:
    """Outcomes per pack (stacked horizontal bars) from a :func:`compare` frame.

    ``share=True`` plots the share of households instead of counts.
    """
    counts = comparison.groupby(["pack", "outcome"]).size().unstack(fill_value=0)
    columns = [o for o in OUTCOME_ORDER if o in counts.columns] + [
        c for c in counts.columns if c not in OUTCOME_ORDER
    ]
    counts = counts[columns].sort_index(ascending=False)
    if share:
        counts = counts.div(counts.sum(axis=1), axis=0)
    fig = _figure(9, 1.2 + 0.55 * len(counts))
    ax = fig.subplots()
    left = [0.0] * len(counts)
    for outcome in columns:
        values = counts[outcome].tolist()
        bars = ax.barh(
            counts.index.astype(str),
            values,
            left=left,
            color=OUTCOME_COLOURS.get(outcome, "#34495e"),
            label=_outcome_label(outcome, lang),
            edgecolor="white",
        )
        for bar, value in zip(bars, values, strict=True):
            if value and bar.get_width() > (0.04 if share else 0.04 * counts.sum(axis=1).max()):
                ax.text(
                    bar.get_x() + bar.get_width() / 2,
                    bar.get_y() + bar.get_height() / 2,
                    f"{value:.0%}" if share else str(int(value)),
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white",
                )
        left = [a + b for a, b in zip(left, values, strict=True)]
    total = len(comparison["household_id"].unique())
    ax.set_xlabel(_text("share", lang) if share else _text("households_of", lang, total=total))
    ax.set_title(latin(title or _text("outcomes_title", lang)))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.25 if len(counts) < 4 else -0.12),
              ncol=len(columns), frameon=False, fontsize=8)  # fmt: skip
    ax.spines[["top", "right"]].set_visible(False)
    _apply_font(fig, lang)
    return fig


def _group_titles(pack_names: Iterable[str], lang: str) -> dict[str, str]:
    from fangfan_rules.packs import available_packs, load_pack
    from fangfan_rules.rules.rule import RuleKind

    titles: dict[str, str] = {}
    installed = set(available_packs())
    for name in pack_names:
        if name not in installed:
            continue
        try:
            pack = load_pack(name)
        except FangfanError:
            continue
        for rule in pack.rules:
            if rule.kind == RuleKind.KEY_ATTENTION and rule.effect.group:
                text = rule.title.zh if _use_zh(lang) else latin(rule.title.en)
                titles.setdefault(f"{name}:{rule.effect.group}", text)
    return titles


def _short(text: str, width: int = 48) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _group_label(key: str, title: str) -> str:
    """A group as people name it: its title; a short symbol of the document (①, 一户多残家庭)
    before it, never a machine id (ewenki's ``major_illness_self_paid``)."""
    group = key.split(":", 1)[1]
    machine_id = re.fullmatch(r"[a-z0-9_]+", group) is not None
    if (
        (title and machine_id)
        or title.startswith(group)
        or (_HAN.search(group) and cjk_font() is None)
    ):
        return _short(latin(title) or group)
    return _short(f"{group}  {title}".strip())


def plot_groups(
    comparison: pd.DataFrame,
    *,
    packs: Sequence[str] | None = None,
    title: str | None = None,
    lang: str = "en",
) -> Figure:
    """Key-attention group counts per pack (one panel per pack) from a :func:`compare` frame.

    Each document defines its own groups, so each pack gets its own panel, with every group of
    the pack shown (zero counts included) and labelled by its title.
    """
    names = list(packs) if packs is not None else sorted(comparison["pack"].unique())
    titles = _group_titles(names, lang)
    panels = []
    for name in names:
        rows = comparison[comparison["pack"] == name]
        counts: dict[str, int] = {g: 0 for g in titles if g.startswith(name + ":")}
        for cell in rows["key_attention"].dropna():
            for group in split_items(cell):
                counts[group] = counts.get(group, 0) + 1
        panels.append((name, counts, len(rows)))
    height = sum(0.8 + 0.28 * len(c) if c else 0.5 for _, c, _ in panels) + 0.6
    fig = _figure(10, max(height, 2.5))
    axes = fig.subplots(
        len(panels), 1, squeeze=False, height_ratios=[len(c) + 2 if c else 1 for _, c, _ in panels]
    )[:, 0]
    for ax, (name, counts, total) in zip(axes, panels, strict=True):
        keys = list(counts)[::-1]
        labels = [_group_label(k, titles.get(k, "")) for k in keys]
        ax.barh(range(len(keys)), [counts[k] for k in keys], color="#2980b9")
        ax.set_yticks(range(len(keys)), labels)
        for y, key in enumerate(keys):
            ax.text(counts[key], y, f" {counts[key]}", va="center", fontsize=7)
        ax.set_title(_text("panel", lang, name=name, total=total), fontsize=9, loc="left")
        ax.tick_params(axis="y", labelsize=7)
        ax.set_xlim(0, max([*counts.values(), 1]) * 1.12)
        ax.spines[["top", "right"]].set_visible(False)
        if not keys:
            ax.text(0.02, 0.5, _text("no_groups", lang), transform=ax.transAxes,
                    va="center", fontsize=8)  # fmt: skip
            ax.set_axis_off()
    fig.suptitle(latin(title or _text("groups_title", lang)))
    _apply_font(fig, lang)
    return fig


def plot_sweep(
    frame: pd.DataFrame,
    *,
    measure: str = "outcome",
    items: Sequence[str] | None = None,
    monitored: bool = True,
    title: str | None = None,
    lang: str = "en",
) -> Figure:
    """A sweep curve: counts per value of the swept parameter (a :func:`sweep` frame).

    One line per item of ``measure`` (default: each outcome that occurs), plus the households
    that are or may be monitored (identify + needs_review) as a dashed line. With one pack the
    colours are the outcomes'; a frame of several packs (concatenated sweeps) gets one colour per
    pack and one line style per item.
    """
    fig = _figure(8, 4.5)
    ax = fig.subplots()
    styles = ("-", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1)))
    packs = list(dict.fromkeys(frame["pack"]))
    several = len(packs) > 1
    palette = [f"C{i}" for i in range(10)]
    parameter = ", ".join(dict.fromkeys(frame["parameter"]))
    titles = _group_titles(packs, lang) if measure == "key_attention" else {}
    for index, pack in enumerate(packs):
        own = frame[frame["pack"] == pack]
        chosen = own[own["measure"] == measure]
        wanted = list(items) if items is not None else list(dict.fromkeys(chosen["item"]))
        lines: list[tuple[str, Any]] = []
        for item in wanted:
            line = chosen[chosen["item"] == item]
            if line.empty or (items is None and measure == "outcome" and not line["count"].any()):
                continue
            label = (
                _outcome_label(item, lang)
                if measure == "outcome"
                else _group_label(item, titles[item])
                if item in titles
                else item.split(":", 1)[-1]
            )
            lines.append((label, line))
        for number, (label, line) in enumerate(lines):
            item = str(line["item"].iloc[0])
            colour = (
                palette[index % len(palette)]
                if several
                else OUTCOME_COLOURS.get(item)
                if measure == "outcome"
                else None
            )
            ax.plot(
                [float(v) for v in line["value"]],
                line["count"].tolist(),
                marker="o",
                markersize=3,
                linestyle=styles[number % len(styles)] if several else "-",
                color=colour,
                label=f"{pack}: {label}" if several else label,
            )
        if monitored:
            line = own[own["measure"] == "monitored"]
            if not line.empty:
                ax.plot(
                    [float(v) for v in line["value"]],
                    line["count"].tolist(),
                    linestyle="--",
                    color=palette[index % len(palette)] if several else "black",
                    linewidth=1.5,
                    label=(f"{pack}: " if several else "") + _text("monitored", lang),
                )
    ax.set_xlabel(parameter)
    ax.set_ylabel(_text("households", lang))
    ax.set_title(latin(title or _text("sweep_title", lang, parameter=parameter)))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    _apply_font(fig, lang)
    return fig


def plot_deadlines(
    case: Identification | Iterable[Identification] | Sequence[Deadline],
    *,
    as_of: date | None = None,
    calendar: WorkingDayCalendar | None = None,
    title: str | None = None,
    lang: str = "en",
) -> Figure:
    """Deadline timelines as a Gantt chart: one bar per deadline over its period, the trigger
    date and the completion date marked, the evaluation date drawn, official working days shaded
    (调休 make-up days count as working days, statutory holidays do not).

    ``case`` is one result, several results (one row per household × deadline) or deadlines.
    A natural-day period starts the day after its trigger (民法典 第201条) and ends at the end of
    its due day (第203条), so a bar spans the day after the start to the end of the due day.
    """
    from matplotlib.dates import DateFormatter, date2num
    from matplotlib.patches import Patch

    from fangfan_rules.calendar import default_calendar

    rows: list[tuple[str, Deadline]] = []
    items: list[Identification | Deadline] = (
        [case] if isinstance(case, Identification) else list(case)
    )
    households = [i for i in items if isinstance(i, Identification)]
    for item in items:
        if isinstance(item, Identification):
            prefix = f"{item.household_id}: " if len(households) > 1 else ""
            rows.extend((prefix, d) for d in item.deadlines)
        else:
            rows.append(("", item))
    if as_of is None and households:
        as_of = max(h.as_of for h in households)
    fig = _figure(10, 2.2 + 0.45 * max(len(rows), 1))
    ax = fig.subplots()
    if not rows:
        ax.text(0.5, 0.5, _text("no_deadlines", lang), ha="center", transform=ax.transAxes)
        ax.set_axis_off()
        return fig
    deadlines = [d for _, d in rows]
    days = [d.start for d in deadlines] + [d.due for d in deadlines if d.due]
    days += [d.met_on for d in deadlines if d.met_on] + ([as_of] if as_of else [])
    first, last = min(days) - timedelta(days=3), max(days) + timedelta(days=3)
    shaded, unknown = _working_days(first, last, calendar or default_calendar())
    for day in shaded:
        ax.axvspan(date2num(day), date2num(day) + 1, color="#d6eaf8", zorder=0, lw=0)
    labels = []
    for y, (prefix, d) in enumerate(rows):
        labels.append(prefix + _short(d.label.zh if _use_zh(lang) else latin(d.label.en), 36))
        end = d.due or d.met_on or as_of or d.start
        ax.barh(
            y,
            date2num(end) - date2num(d.start),
            left=date2num(d.start) + 1,
            height=0.36,
            color=STATUS_COLOURS.get(d.status, "#34495e"),
            alpha=0.9,
            zorder=2,
        )
        ax.plot(date2num(d.start) + 0.5, y, marker="|", color="black", markersize=12, zorder=3)
        if d.met_on:
            ax.plot(date2num(d.met_on) + 0.5, y, marker="D", color="black", markersize=5, zorder=4)
        kind = _text("working" if d.count == "working" else "natural", lang)
        due = (
            _text("due", lang, due=d.due.isoformat()) if d.due else _text("calendar_unknown", lang)
        )
        status = _status_label(d.status, lang)
        if d.normal_limit and d.status in ("missed", "overdue", "closed_overdue"):
            # 原则上 / 一般: a breach of the normal limit, not proof of a violation (CONVENTIONS)
            status += "（原则上的期限）" if _use_zh(lang) else " (a normal limit)"
        if d.start_is_reading and d.status in ("missed", "overdue", "closed_overdue"):
            # late only under the pack's reading of an unprinted start: never shown as a plain breach
            status += "（起算日为本包解读）" if _use_zh(lang) else " (start: the pack's reading)"
        ax.text(max(date2num(end), date2num(d.met_on or end)) + 1.6, y,
                _text("bar", lang, days=d.days, kind=kind, due=due, status=status),
                va="center", fontsize=7)  # fmt: skip
    if as_of:
        ax.axvline(date2num(as_of) + 0.5, color="#c0392b", linestyle="--", linewidth=1, zorder=3)
    ax.set_yticks(range(len(rows)), labels, fontsize=8)
    ax.set_ylim(len(rows) - 0.4, -0.9)
    ax.set_xlim(date2num(first), date2num(last) + 1 + 0.3 * (date2num(last) - date2num(first)))
    ax.xaxis.set_major_formatter(DateFormatter("%Y-%m-%d"))
    ax.tick_params(axis="x", labelsize=7, rotation=30)
    legend = [
        Patch(color="#d6eaf8", label=_text("working_day", lang)),
        *(Patch(color=c, label=_status_label(s, lang)) for s, c in STATUS_COLOURS.items()
          if any(d.status == s for d in deadlines)),
        Patch(color="none", label=_text("marks", lang)
              + (_text("as_of", lang, as_of=as_of) if as_of else "")),
    ]  # fmt: skip
    if unknown:
        legend.append(Patch(color="none", label=_text("calendar_gap", lang)))
    ax.legend(handles=legend, loc="upper center", bbox_to_anchor=(0.5, -0.22), fontsize=7,
              frameon=False, ncol=len(legend))  # fmt: skip
    single = households[0].household_id if len(households) == 1 else None
    ax.set_title(latin(title or _text("deadlines", lang) + (f" — {single}" if single else "")))
    ax.spines[["top", "right"]].set_visible(False)
    _apply_font(fig, lang)
    return fig


def _working_days(first: date, last: date, calendar: WorkingDayCalendar) -> tuple[list[date], bool]:
    days, unknown, day = [], False, first
    while day <= last:
        try:
            if calendar.is_working_day(day):
                days.append(day)
        except CalendarError:
            unknown = True
        day += timedelta(days=1)
    return days, unknown


__all__ = [
    "CJKFontWarning",
    "cjk_font",
    "plot_deadlines",
    "plot_groups",
    "plot_outcomes",
    "plot_sweep",
]
