"""Pack cards and rich displays, generated from the pack's data (never hand-written).

- :func:`pack_card_markdown` / :func:`pack_card_html`: a readable summary of a pack — document,
  issuer, date, validity, parameters with their values (or "caller-supplied"), key-attention groups,
  deadlines, green channel, elimination and record-keeping rules — with every clause quoted.
  ``fangfan-rules describe PACK`` prints the Markdown; ``Pack._repr_html_`` shows the HTML.
- :func:`identification_html`, :func:`trace_html`, :func:`frame_html`: results, traces and
  DataFrames of results as HTML tables whose citations link to the clause text (a tooltip and a
  footnote with the quoted words). :func:`linked` wraps a DataFrame so Jupyter and a rich
  terminal both show it that way.
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Iterable, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from fangfan_rules.idnumber import masked
from fangfan_rules.rules.parameters import ParameterValue
from fangfan_rules.rules.render import format_value
from fangfan_rules.rules.rule import Rule, RuleKind

if TYPE_CHECKING:
    import pandas as pd

    from fangfan_rules.packs import Pack
    from fangfan_rules.results import Identification, Trace
    from fangfan_rules.timeline import DeadlineRule

CALLER_SUPPLIED = "caller-supplied"

#: Rule kinds in card order, with their bilingual headings. Kinds added to the core later are
#: shown after these, under their own name.
SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("scope", "排查对象", "Scope"),
    ("key_area", "重点关注区域", "Key areas"),
    ("key_attention", "重点关注农户", "Key-attention groups"),
    ("risk", "风险", "Risks found"),
    ("outcome", "识别结果", "Identification outcomes"),
    ("green_channel", "绿色通道", "Green channel"),
    ("category", "监测对象类别", "Categories"),
    ("must_visit", "入户", "Home visits"),
    ("deadline", "时限", "Deadlines"),
    ("elimination", "风险消除", "Elimination (risk removed)"),
    ("flag", "需处理", "Record-keeping and procedure flags"),
    ("note", "说明", "Notes"),
)
#: Trace statuses and parameter sources as an official says them (the machine values stay in
#: the trace and in JSON).
TRACE_STATUS_ZH = {
    "fired": "已触发",
    "not_fired": "未触发",
    "unknown": "未知",
    "not_in_force": "未生效",
    "skipped": "未运行",
}
SOURCE_ZH = {"document": "文件规定", "caller": "调用方提供", "reform": "调整后取值"}
#: Sections shown even when the pack has no rule of that kind (saying so is information).
ALWAYS_SHOWN = ("key_attention", "green_channel", "deadline", "elimination")

_OPS = {
    "eq": "=",
    "ne": "≠",
    "lt": "<",
    "le": "≤",
    "gt": ">",
    "ge": "≥",
    "in": "∈",
    "not_in": "∉",
    "contains": "∋",
}


# -- shared helpers (also used by diff and plots) ---------------------------------------------


def local_id(pack_name: str, rule_id: str) -> str:
    return rule_id.removeprefix(pack_name + ".")


def clause(citation: str | None) -> str:
    """A citation without its ``<pack>:`` prefix (``"qianshan_2023:一、(一)4"`` → ``"一、(一)4"``)."""
    if not citation:
        return ""
    head, sep, tail = citation.partition(":")
    if sep and head and " " not in head and not head.startswith("reform"):
        return tail
    return citation


def rule_key(pack_name: str, rule: Rule) -> str:
    """What identifies a rule across packs: its group / area / flag / deadline / category, else
    its local id."""
    effect = rule.effect
    if rule.kind == RuleKind.KEY_ATTENTION and effect.group:
        return effect.group
    if rule.kind == RuleKind.KEY_AREA and effect.area:
        return effect.area
    if rule.kind == RuleKind.FLAG and effect.flag:
        return effect.flag
    if rule.kind == RuleKind.DEADLINE and effect.deadline:
        return effect.deadline.name
    if rule.kind == RuleKind.CATEGORY and effect.category:
        return effect.category.value
    return local_id(pack_name, rule.id)


def operand_text(operand: Any) -> str:
    if isinstance(operand, Mapping):
        if set(operand) == {"param"}:
            return str(operand["param"])
        if set(operand) == {"as_of_minus"}:
            parts = [f"{v} {k}" for k, v in operand["as_of_minus"].items() if v]
            return "as_of − " + (" ".join(parts) or "0 days")
        for edge, word in (("month_start", "first day"), ("month_end", "last day")):
            if set(operand) == {edge} and isinstance(operand[edge], Mapping):
                back = operand[edge].get("back", 0)
                return f"{word} of the month {back} month(s) before as_of"
        if set(operand) == {"from", "to"}:
            return f"{operand_text(operand['from'])}..{operand_text(operand['to'])}"
        return ", ".join(f"{k}={operand_text(v)}" for k, v in operand.items())
    if isinstance(operand, list | tuple):
        return "{" + ", ".join(operand_text(o) for o in operand) + "}"
    if isinstance(operand, bool):
        return "true" if operand else "false"
    if isinstance(operand, date):
        return operand.isoformat()
    return str(operand)


def condition_text(when: Any, pack_name: str | None = None) -> str:
    """A compact one-line rendering of a rule's condition (as written in ``rules.yaml``)."""

    def strip(rule_id: str) -> str:
        return local_id(pack_name, rule_id) if pack_name else rule_id

    def go(node: Any, top: bool) -> str:
        if not isinstance(node, Mapping):
            return operand_text(node)
        if set(node) in ({"all"}, {"any"}):
            word = " AND " if "all" in node else " OR "
            items = node.get("all") or node.get("any") or []
            text = word.join(go(item, False) for item in items)
            return text if top or len(items) == 1 else f"({text})"
        if set(node) == {"not"}:
            return f"NOT {go(node['not'], False)}"
        if set(node) == {"any_member"}:
            return f"any member: ({go(node['any_member'], True)})"
        if set(node) == {"fired"}:
            ids = node["fired"] if isinstance(node["fired"], list) else [node["fired"]]
            return "fired(" + ", ".join(strip(str(i)) for i in ids) + ")"
        var = str(node.get("var", "?"))
        args = node.get("args") or {}
        if args:
            var += "(" + ", ".join(f"{k}={operand_text(v)}" for k, v in args.items()) + ")"
        ops = [k for k in node if k in _OPS]
        if not ops:
            return var
        return f"{var} {_OPS[ops[0]]} {operand_text(node[ops[0]])}"

    return go(when, True)


def parameter_values(pack: Pack, name: str) -> tuple[ParameterValue, ...]:
    """The values a pack uses for ``name``: the override if one is set, else every dated value."""
    if name in pack.overrides:
        return (pack.overrides[name],)
    return tuple(pack.parameters[name].values)


def value_text(value: ParameterValue, lang: str = "zh") -> str:
    """A parameter value as text; a figure the document does not state is 'caller-supplied'."""
    if not value.stated:
        return CALLER_SUPPLIED
    text = format_value(value.value, lang)
    if value.source != "document":
        text += f" ({value.source})"
    return text


def validity_text(valid_from: date, valid_to: date | None) -> str:
    return f"{valid_from.isoformat()} – {valid_to.isoformat() if valid_to else ''}".rstrip()


def deadline_days_text(pack: Pack, rule: Rule) -> str:
    spec = rule.effect.deadline
    if spec is None:
        return ""
    return _limit_text(pack, spec.days)


def _limit_text(pack: Pack, limit: int | dict[str, str]) -> str:
    """A period of N days, or the parameter it is read from with its dated values."""
    if isinstance(limit, dict):
        name = limit.get("param", "?")
        values = parameter_values(pack, name) if name in pack.parameters else ()
        shown = "; ".join(value_text(v, "en") for v in values) or "?"
        return f"{shown} ({name})"
    return str(limit)


def timeline_limit_text(pack: Pack, limit: DeadlineRule, due_word: str = "due") -> str:
    """A case time limit's period (N days, or its parameter) or fixed due date (``due_word``
    first): the card and ``diff_packs`` word it alike."""
    if limit.days is not None:
        return _limit_text(pack, limit.days)
    return f"{due_word} {_limit_text(pack, limit.due or {})}"


def _timeline_deadlines(pack: Pack, notes: _Footnotes, lang: str | None) -> list[dict[str, Any]]:
    """The case time limits of the pack's timeline (timeline.yaml) as card rows: a pack whose
    limits run on a case's dated steps has them there, not among its rules. A limit a pack also
    states as a deadline rule on household dates (qianshan's 10日) shows twice, once per kind of
    input, and the "on" column says which."""
    rows = []
    for d in pack.timeline.deadlines:
        limit = timeline_limit_text(pack, d, _label("fixed_due", lang))
        met_by = ", ".join(step.value for step in d.met_by)
        rows.append(
            {
                "name": d.id,
                "on": _label("on_case", lang),
                "label": _pick(d.title, lang),
                "limit": limit,
                "counted": d.count or "—",  # a fixed due date: no count
                "normally": _label("normally", lang) if d.normal_limit else "",
                "start": ", ".join(step.value for step in d.start) + _start_reading(d, lang),
                "met_by": met_by
                + (" (all)" if d.met_when == "all" else "")
                + (
                    f" ({_label('implied', lang)}: {', '.join(s.value for s in d.implied_by)})"
                    if d.implied_by
                    else ""
                ),
                "cite": _cite(notes, d.citation, d.quote),
            }
        )
    for span in pack.timeline.spans:  # e.g. puan's 其中村内公示不少于5天
        rows.append(
            {
                "name": span.id,
                "on": _label("on_case", lang),
                "label": _pick(span.title, lang),
                "limit": f"{_label('at_least', lang)} {span.at_least_days}",
                "counted": "natural",
                "normally": "",
                "start": span.start.value,
                "met_by": span.end.value,
                "cite": _cite(notes, span.citation, span.quote),
            }
        )
    for task in pack.timeline.monthly:  # e.g. jimo's 每月4日前 / 每月30日前
        rows.append(
            {
                "name": task.id,
                "on": _label("on_month", lang),
                "label": _pick(task.title, lang),
                "limit": f"{_label('monthly_by', lang)} {task.day}",
                "counted": "—",
                "normally": "",
                "start": task.covers,
                "met_by": "",
                "cite": _cite(notes, task.citation, task.quote),
            }
        )
    return rows


def _start_reading(d: TimelineDeadline, lang: str | None) -> str:
    """When the start of a case limit is the pack's reading: always (start_is_reading), or only
    for a case whose step came before a date (start_is_reading_before: rongan's limits are
    asserted for later cases, so the card says which)."""
    if d.start_is_reading:
        return f" ({_label('start_reading', lang)})"
    if not d.start_is_reading_before:
        return ""
    zh = "、".join(f"{step.value}早于{day}" for step, day in d.start_is_reading_before.items())
    en = ", ".join(f"{step.value} before {day}" for step, day in d.start_is_reading_before.items())
    zh_text = f"{zh}时起算日为本包读法"
    en_text = f"start: the pack's reading when {en}"
    if lang == "zh":
        return f" ({zh_text})"
    if lang == "en":
        return f" ({en_text})"
    return f" ({zh_text} {en_text})"


def rules_by_kind(pack: Pack) -> dict[str, list[Rule]]:
    """The pack's rules grouped by kind, in card order, each group sorted by key and id; the
    rules of its ``elimination.yaml`` (whatever their kind) are the elimination section."""
    grouped: dict[str, list[Rule]] = {}
    for rule in pack.rules:
        grouped.setdefault(str(rule.kind.value), []).append(rule)
    for rule in pack.elimination:
        grouped.setdefault("elimination", []).append(rule)
    order = [k for k, _, _ in SECTIONS] + sorted(set(grouped) - {k for k, _, _ in SECTIONS})
    return {
        kind: sorted(grouped.get(kind, []), key=lambda r: (rule_key(pack.name, r), r.id))
        for kind in order
    }


def section_heading(kind: str, lang: str | None = None) -> str:
    extra = (("document", "文件", "Document"), ("parameter", "参数", "Parameters"))
    for k, zh, en in (*extra, *SECTIONS):
        if k == kind:
            return zh if lang == "zh" else en if lang == "en" else f"{zh} · {en}"
    return kind.replace("_", " ").capitalize()


class _Footnotes:
    """Numbered quotes of clauses: each (citation, quote) pair gets one number."""

    def __init__(self, prefix: str = "q") -> None:
        self.prefix = prefix
        self.items: dict[tuple[str, str], int] = {}

    def number(self, citation: str, quote: str | None) -> int | None:
        if not quote:
            return None
        key = (citation, quote)
        if key not in self.items:
            self.items[key] = len(self.items) + 1
        return self.items[key]


# -- Markdown ------------------------------------------------------------------------------


def _md(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ").strip()


def _md_cite(notes: _Footnotes, citation: str | None, quote: str | None) -> str:
    if not citation:
        return ""
    n = notes.number(clause(citation), quote)
    return f"{_md(clause(citation))}[^{n}]" if n else _md(clause(citation))


def pack_quotes(pack: Pack) -> dict[str, str]:
    """citation → the words of the clause, from the quotes of the pack's rules citing it."""
    found: dict[str, list[str]] = {}
    for rule in pack.rules:
        if rule.quote and rule.quote not in found.setdefault(rule.citation, []):
            found[rule.citation].append(rule.quote)
    return {c: " …… ".join(q) for c, q in found.items() if q}


def parameter_quote(pack: Pack, name: str, citation: str) -> str | None:
    """The words of the clause a parameter value cites: the quotes of the rules that read the
    parameter and cite the same clause (None when no rule quotes it)."""
    from fangfan_rules.rules.conditions import parameters_used

    quotes: list[str] = []
    for rule in pack.rules:
        days = rule.effect.deadline.days if rule.effect.deadline else None
        uses = name in parameters_used(rule.condition) or (
            isinstance(days, dict) and days.get("param") == name
        )
        if uses and rule.citation == citation and rule.quote and rule.quote not in quotes:
            quotes.append(rule.quote)
    return " …… ".join(quotes) or None


# -- HTML ----------------------------------------------------------------------------------

_CSS = (
    "<style>"
    ".ff-card table{border-collapse:collapse;margin:.3em 0 .8em 0;font-size:90%}"
    ".ff-card th,.ff-card td{border:1px solid #ccc;padding:2px 6px;text-align:left;"
    "vertical-align:top}"
    ".ff-card small{color:#666}.ff-card code{font-size:90%}"
    ".ff-card a.ff-cite{text-decoration:underline dotted}"
    ".ff-card ol.ff-notes{font-size:85%;color:#333}"
    "</style>"
)
_uid = itertools.count(1)


def _h(text: Any) -> str:
    return html.escape("" if text is None else str(text))


class _HtmlNotes(_Footnotes):
    def cite(self, citation: str | None, quote: str | None) -> str:
        """A clause linked to its quoted text: tooltip plus a jump to the footnote."""
        if not citation:
            return ""
        shown = clause(citation)
        n = self.number(shown, quote)
        if not n:
            return f"<code>{_h(shown)}</code>"
        return (
            f'<a class="ff-cite" href="#{self.prefix}-{n}" title="{_h(quote)}">{_h(shown)}'
            f"<sup>{n}</sup></a>"
        )

    def render(self) -> str:
        if not self.items:
            return ""
        items = "".join(
            f'<li id="{self.prefix}-{n}"><b>{_h(cite)}</b> — {_h(quote)}</li>'
            for (cite, quote), n in self.items.items()
        )
        return f'<details><summary>条款原文 · Clauses quoted</summary><ol class="ff-notes">{items}</ol></details>'


def _table(header: Iterable[str], rows: Iterable[Iterable[str]]) -> str:
    head = "".join(f"<th>{_h(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _both(text: Any) -> str:
    return f"{_h(text.zh)}<br><small>{_h(text.en)}</small>"


# -- pack cards: a model of the card, rendered by templates/pack_card.{md,html}.j2 ---------------

#: Labels of the card, by language; ``None`` shows both (``文号 Number``).
_LABELS: dict[str, tuple[str, str]] = {
    "number": ("文号", "Number"),
    "no_number": ("（无文号）", "(no number)"),
    "issuer": ("发文机关", "Issuer"),
    "date": ("日期", "Date"),
    "region": ("地区", "Region"),
    "file": ("文件", "File"),
    "in_force": ("有效期", "In force"),
    "open_ended": ("（未规定截止）", " (open-ended)"),  # both: " (open-ended 未规定截止)"
    "version": ("版本", "Version"),
    "hash": ("内容哈希", "Content hash"),
    "reforms": ("调整", "Overrides and reforms"),
    "caller": ("须由调用方提供", "Caller must supply"),
    "precedence": ("类别优先顺序", "Category precedence"),
    "none": ("无", "none"),
    "parameters": ("参数", "Parameters"),
    "parameter": ("参数", "parameter"),
    "description": ("说明", "description"),
    "value": ("取值", "value"),
    "unit": ("单位", "unit"),
    "valid": ("有效期", "valid"),
    "clause": ("条款", "clause"),
    "rule": ("规则", "rule"),
    "condition": ("条件", "condition"),
    "deadline": ("时限", "deadline"),
    "what": ("事项", "what"),
    "limit": ("期限", "limit"),
    "counted": ("计算方式", "counted"),
    "from": ("起算", "from"),
    "met_by": ("完成标志", "met by"),
    "normally": ("原则上", "normally"),
    "fixed_due": ("截止日期", "due on"),
    "on": ("依据", "on"),
    "on_facts": ("户信息日期", "household dates"),
    "on_case": ("案件步骤", "case steps"),
    "start_reading": ("起算日为本包读法", "start: the pack's reading"),
    "at_least": ("不少于（天）", "at least (days)"),
    "implied": ("未记录时由后续步骤推定已完成", "else presupposed by"),
    "on_month": ("每月任务", "monthly task"),
    "monthly_by": ("每月截止日", "by day of each month"),
    "no_rule": ("本规则包无此类规则。", "No rule of this kind in the pack."),
    "quoted": ("条款原文", "Clauses quoted"),
    "generated": ("由规则包数据生成", "Generated from the data of"),
}


def _label(key: str, lang: str | None) -> str:
    zh, en = _LABELS[key]
    if lang == "zh":
        return zh
    if lang == "en":
        return en.strip()
    if key == "open_ended":
        return " (open-ended 未规定截止)"
    if key == "no_rule":
        return f"{en} （{zh.rstrip('。')}）"
    if key == "no_number":
        return zh
    if key == "none":
        return en
    return f"{zh} {en}"


def _pick(text: Any, lang: str | None) -> tuple[str, str | None]:
    """A bilingual text as (main, second): one language, or Chinese with the English below."""
    if lang == "zh":
        return text.zh, None
    if lang == "en":
        return text.en, None
    return text.zh, text.en


def _cite(notes: _Footnotes, citation: str | None, quote: str | None) -> dict[str, Any] | None:
    if not citation:
        return None
    shown = clause(citation)
    return {"shown": shown, "n": notes.number(shown, quote), "quote": quote}


def pack_card_model(pack: Pack, lang: str | None = None) -> dict[str, Any]:
    """What a pack card shows, from the pack's data, with its labels in ``lang`` (``"zh"``,
    ``"en"``, or ``None`` for both). Clause quotes are numbered in card order."""
    if lang not in (None, "zh", "en"):
        raise ValueError(f"lang must be 'zh', 'en' or None, not {lang!r}")
    notes = _Footnotes()
    doc = pack.document
    none = _label("none", lang)
    facts = [
        ("number", doc.number or _label("no_number", lang), False),
        ("issuer", doc.issuer, False),
        ("date", doc.date_shown, False),
        ("region", doc.region, False),
        ("file", doc.file + (f" ({doc.url})" if doc.url else ""), False),
        (
            "in_force",
            validity_text(pack.valid_from, pack.valid_to)
            + ("" if pack.valid_to else _label("open_ended", lang)),
            False,
        ),
        ("version", pack.version, False),
        ("hash", pack.content_hash, True),
        ("reforms", "; ".join(pack.reforms) or none, False),
        ("caller", ", ".join(pack.caller_supplied()) or none, False),
        (
            "precedence",
            " > ".join(c.label("en" if lang == "en" else "zh") for c in pack.category_precedence)
            or "—",
            False,
        ),
    ]
    parameters = []
    for name in sorted(pack.parameters):
        parameter = pack.parameters[name]
        for value in parameter_values(pack, name):
            text = value_text(value)
            parameters.append(
                {
                    "name": name,
                    "description": _pick(parameter.description, lang),
                    "value": text,
                    "caller": text == CALLER_SUPPLIED,
                    "note": value.note,
                    "unit": parameter.unit or "",
                    "valid": validity_text(value.valid_from, value.valid_to),
                    "cite": _cite(
                        notes, value.citation, parameter_quote(pack, name, value.citation)
                    )
                    if value.source == "document"
                    else None,
                    "source": value.citation if value.source != "document" else "",
                }
            )
    sections = []
    for kind, rules in rules_by_kind(pack).items():
        if not rules and kind not in ALWAYS_SHOWN:
            continue
        section: dict[str, Any] = {"heading": section_heading(kind, lang), "kind": kind}
        if kind == "deadline":
            section["deadlines"] = [
                {
                    "name": d.name,
                    "on": _label("on_facts", lang),
                    "label": _pick(d.label, lang),
                    "limit": deadline_days_text(pack, r),
                    "counted": d.count,
                    "normally": _label("normally", lang) if d.normal_limit else "",
                    "start": d.start,
                    "met_by": d.met_by or "",
                    "cite": _cite(notes, r.citation, r.quote),
                }
                for r in rules
                for d in [r.effect.deadline]
                if d is not None
            ] + _timeline_deadlines(pack, notes, lang)
        section["rules"] = [
            {
                "key": rule_key(pack.name, r),
                "title": _pick(r.title, lang),
                "condition": condition_text(r.when, pack.name),
                "cite": _cite(notes, r.citation, r.quote),
            }
            for r in rules
        ]
        sections.append(section)
    return {
        "lang": lang,
        "name": pack.name,
        "version": pack.version,
        "title": doc.title,
        "facts": [(_label(key, lang), value, code) for key, value, code in facts],
        "parameters": parameters,
        "sections": sections,
        "notes": [(n, cite, quote) for (cite, quote), n in notes.items.items()],
        "label": {key: _label(key, lang) for key in _LABELS},
        "parameters_heading": section_heading("parameter", lang),
        "quoted_heading": {"zh": "条款原文", "en": "Clauses quoted"}.get(
            lang or "", "条款原文 · Clauses quoted"
        ),
    }


def pack_card_markdown(pack: Pack, lang: str | None = None) -> PackCard:
    """The pack card as Markdown (``fangfan-rules describe PACK``, ``Pack.describe()``), built
    from the pack's data; headings in ``lang`` (``"zh"``, ``"en"``, or ``None`` for both). The
    text is a :class:`PackCard`: a ``str`` that a notebook shows as the HTML card."""
    return PackCard(pack, lang)


def _markdown(pack: Pack, lang: str | None) -> str:
    from fangfan_rules.templating import render

    return render("pack_card.md.j2", card=pack_card_model(pack, lang)).rstrip("\n") + "\n"


def pack_card_html(pack: Pack, lang: str | None = None) -> str:
    """The pack card as HTML (``Pack._repr_html_`` in Jupyter), built from the pack's data;
    headings in ``lang`` (``"zh"``, ``"en"``, or ``None`` for both)."""
    from fangfan_rules.templating import render

    return render(
        "pack_card.html.j2",
        card=pack_card_model(pack, lang),
        prefix=f"ff-{pack.name}-{next(_uid)}",
    )


class PackCard(str):
    """A pack's card: the Markdown text itself (a ``str``, so code that prints, writes or searches
    it keeps working) that renders as the HTML card in Jupyter (``_repr_html_``), as Markdown in
    Markdown front ends (``_repr_markdown_``) and as rich Markdown on a terminal."""

    pack: Pack
    lang: str | None

    def __new__(cls, pack: Pack, lang: str | None = None) -> PackCard:
        card = super().__new__(cls, _markdown(pack, lang))
        card.pack = pack
        card.lang = lang
        return card

    def _repr_html_(self) -> str:
        return pack_card_html(self.pack, self.lang)

    def _repr_markdown_(self) -> str:
        return str.__str__(self)

    def __rich__(self) -> Any:
        from rich.markdown import Markdown

        return Markdown(str.__str__(self))

    def __str__(self) -> str:
        return str.__str__(self)

    def __repr__(self) -> str:
        return f"<PackCard {self.pack.name} {self.pack.version}>"


def pack_card(pack: Pack | str, lang: str | None = None) -> PackCard:
    """The card of a pack (or an installed pack's name), to display in Jupyter or print;
    headings in ``lang`` (``"zh"``, ``"en"``, or ``None`` for both)."""
    if isinstance(pack, str):
        from fangfan_rules.packs import load_pack

        pack = load_pack(pack)
    return PackCard(pack, lang)


# -- results, traces, frames ---------------------------------------------------------------


def _rule_quotes(pack_names: Iterable[str]) -> dict[str, str]:
    """rule id → quote, for installed packs (a pack that fails to load is skipped)."""
    from fangfan_rules.errors import FangfanError
    from fangfan_rules.packs import available_packs, load_pack

    quotes: dict[str, str] = {}
    installed = set(available_packs())
    for name in set(pack_names):
        if name not in installed:
            continue
        try:
            pack = load_pack(name)
        except FangfanError:
            continue
        quotes.update({r.id: r.quote for r in pack.rules if r.quote})
    return quotes


def _citation_quotes(pack_names: Iterable[str]) -> dict[str, str]:
    """citation → the quotes of the rules citing it (joined), for installed packs."""
    from fangfan_rules.errors import FangfanError
    from fangfan_rules.packs import available_packs, load_pack

    found: dict[str, list[str]] = {}
    installed = set(available_packs())
    for name in set(pack_names):
        if name not in installed:
            continue
        try:
            pack = load_pack(name)
        except FangfanError:
            continue
        for rule in pack.rules:
            if rule.quote and rule.quote not in found.setdefault(rule.citation, []):
                found[rule.citation].append(rule.quote)
    return {c: " …… ".join(q) for c, q in found.items()}


def identification_html(result: Identification, pack: Pack | None = None) -> str:
    """A result as HTML: outcome, groups, reasons with clauses linked to their words, deadlines,
    missing facts, reforms; the trace folded underneath."""
    notes = _HtmlNotes(prefix=f"ff-r-{next(_uid)}")
    by_rule = (
        {r.id: r.quote for r in pack.rules if r.quote}
        if pack is not None
        else _rule_quotes([result.pack])
    )
    head = (
        f"<b>{_h(result.household_id)}</b> · {_h(result.pack)} {_h(result.pack_version)} · "
        f"as of {result.as_of} → <b>{_h(result.outcome.value)}</b> ({_h(result.outcome.zh)})"
    )
    facts = [
        ["类别 category", _h(result.category.label("zh") if result.category else "—")],
        [
            "重点关注 key attention",
            "<br>".join(
                f"{_both(g.label)} {notes.cite(g.citation, by_rule.get(g.rule_id))}"
                for g in result.key_attention
            )
            or "—",
        ],
        ["须入户 must visit", "✓" if result.must_visit else "—"],
        [
            "绿色通道 green channel",
            _both(result.green_channel.why) if result.green_channel.why else "—",
        ],
    ]
    if result.reforms:
        facts.append(["调整 overrides / reforms", _h("; ".join(result.reforms))])
    reasons = _table(
        ["理由 reason", "条款 clause"],
        [
            [_both_text(r.text_zh, r.text_en), notes.cite(r.citation, r.quote)]
            for r in result.reasons
        ],
    )
    extra = ""
    if result.review_points:
        extra += "<p>待研判 to judge: " + "; ".join(_h(p.zh) for p in result.review_points) + "</p>"
    if result.deadlines:
        extra += _table(
            ["时限 deadline", "start", "days", "due", "met", "status", "clause"],
            [
                [
                    _both(d.label),
                    _h(d.start),
                    _h(f"{d.days} {d.count}"),
                    _h(d.due or "calendar unknown"),
                    _h(d.met_on or ""),
                    _h(d.status),
                    notes.cite(d.citation, None),
                ]
                for d in result.deadlines
            ],
        )
    if result.missing_facts:
        extra += "<p>缺少事实 missing facts: " + _h("; ".join(result.missing_facts)) + "</p>"
    trace = (
        f"<details><summary>trace</summary>{trace_html(result.trace, pack, notes=notes)}</details>"
    )
    return masked(  # ID numbers (an id that is one) masked unless revealed
        _CSS
        + f'<div class="ff-card"><p>{head}</p>{_table(["", ""], facts)}{reasons}{extra}'
        + f"{trace}{notes.render()}</div>"
    )


def _both_text(zh: str, en: str) -> str:
    return f"{_h(zh)}<br><small>{_h(en)}</small>"


def trace_html(trace: Trace, pack: Pack | None = None, *, notes: Any = None) -> str:
    """A trace as HTML: every rule with its status, clause (linked to its words) and checks, then
    the parameter values read with their dates and sources."""
    own = notes is None
    notes = notes or _HtmlNotes(prefix=f"ff-t-{next(_uid)}")
    if pack is not None:
        quotes = {r.id: r.quote for r in pack.rules if r.quote}
    else:
        quotes = _rule_quotes({r.rule_id.split(".", 1)[0] for r in trace.rules})
    rows = []
    for rule in trace.rules:
        checks = "<br>".join(_h(c.text_zh) for c in rule.checks)
        if rule.missing_facts:
            checks += "<br><i>缺少 missing: " + _h("; ".join(rule.missing_facts)) + "</i>"
        rows.append(
            [
                f"<code>{_h(rule.rule_id.split('.', 1)[-1])}</code>",
                _both_text(TRACE_STATUS_ZH.get(rule.status, rule.status), rule.status),
                notes.cite(rule.citation, quotes.get(rule.rule_id)),
                checks,
            ]
        )
    for value in trace.parameters:
        rows.append(
            [
                f"<code>param {_h(value.name)}</code>",
                _both_text(SOURCE_ZH.get(value.source, value.source), value.source),
                _h(clause(value.citation)),
                _h(f"{value_text(value)} ({validity_text(value.valid_from, value.valid_to)})"),
            ]
        )
    body = _table(["rule", "status", "clause", "checks"], rows)
    return masked((_CSS + f'<div class="ff-card">{body}{notes.render()}</div>') if own else body)


def frame_html(frame: pd.DataFrame, *, max_rows: int = 200) -> str:
    """A DataFrame of results (``compare`` / ``results_frame`` / ``diff``) as HTML, with the
    ``citation`` (and ``*citation``) columns linked to the clause words and ``deciding_rule``
    columns showing the rule's quote."""
    notes = _HtmlNotes(prefix=f"ff-f-{next(_uid)}")
    packs = set(frame["pack"].dropna().astype(str)) if "pack" in frame.columns else set()
    packs |= {str(c).split(":", 1)[0] for c in frame.columns if ":" in str(c)}
    for column in frame.columns:
        if str(column).endswith("citation") or str(column).endswith("rule"):
            packs |= {str(v).split(":", 1)[0].split(".", 1)[0] for v in frame[column].dropna()}
    by_citation = _citation_quotes(packs)
    by_rule = _rule_quotes(packs)
    shown = frame.head(max_rows)
    rows = []
    for record in shown.itertuples(index=False):
        cells = []
        for column, value in zip(shown.columns, record, strict=True):
            name = str(column)
            if value is None or (isinstance(value, float) and value != value):
                cells.append("")
            elif name.endswith("citation") and isinstance(value, str):
                quote = by_citation.get(value)
                if quote is None and name.endswith("_citation"):
                    quote = _quote_column(shown, record, name)
                cells.append(notes.cite(value, quote))
            elif (name.endswith("rule") or name.endswith(":rule")) and isinstance(value, str):
                quote = by_rule.get(value)
                title = f' title="{_h(quote)}"' if quote else ""
                cells.append(f"<code{title}>{_h(value)}</code>")
            elif isinstance(value, tuple):
                cells.append(_h(", ".join(map(str, value))))
            else:
                cells.append(_h(value))
        rows.append(cells)
    more = (
        f"<p><small>{len(frame) - max_rows} more rows not shown</small></p>"
        if len(frame) > max_rows
        else ""
    )
    return (
        _CSS
        + f'<div class="ff-card">{_table([str(c) for c in shown.columns], rows)}{more}'
        + f"{notes.render()}</div>"
    )


def _quote_column(frame: pd.DataFrame, record: Any, name: str) -> str | None:
    quote_column = name.removesuffix("citation") + "quote"
    if quote_column in frame.columns:
        value = record[list(frame.columns).index(quote_column)]
        return value if isinstance(value, str) and value else None
    return None


class LinkedFrame:
    """A DataFrame shown with linked citations (Jupyter) or as a rich table (terminal)."""

    def __init__(self, frame: pd.DataFrame, *, max_rows: int = 200) -> None:
        self.frame = frame
        self.max_rows = max_rows

    def _repr_html_(self) -> str:
        return frame_html(self.frame, max_rows=self.max_rows)

    def __rich__(self) -> Any:
        return rich_table(self.frame, max_rows=self.max_rows)

    def __repr__(self) -> str:
        return repr(self.frame)


def linked(frame: pd.DataFrame, *, max_rows: int = 200) -> LinkedFrame:
    """Wrap a results / comparison / diff DataFrame for display with linked citations."""
    return LinkedFrame(frame, max_rows=max_rows)


def rich_table(frame: pd.DataFrame, *, title: str | None = None, max_rows: int = 200) -> Any:
    """A DataFrame as a ``rich`` table for the terminal (tuples joined, NaN blank)."""
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=title, show_lines=False)
    for column in frame.columns:
        table.add_column(str(column), overflow="fold")
    for record in frame.head(max_rows).itertuples(index=False):
        table.add_row(*(escape(_plain(v)) for v in record))
    return table


def _plain(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, tuple | list):
        return ";".join(map(str, value))
    return str(value)


def identification_markdown(result: Identification) -> str:
    """A result as Markdown (explanation plus reasons with quoted clauses)."""
    lines = [f"**{result.household_id}** — {result.pack} {result.pack_version}, as of "
             f"{result.as_of}: **{result.outcome.value}** ({result.outcome.zh})", ""]  # fmt: skip
    notes = _Footnotes()
    for reason in result.reasons:
        lines.append(f"- {_md(reason.text_zh)} [{_md_cite(notes, reason.citation, reason.quote)}]")
    for (cite, quote), n in notes.items.items():
        lines.append(f"\n[^{n}]: **{_md(cite)}** — {_md(quote)}")
    return masked("\n".join(lines) + "\n")


__all__ = [
    "CALLER_SUPPLIED",
    "LinkedFrame",
    "PackCard",
    "condition_text",
    "frame_html",
    "identification_html",
    "identification_markdown",
    "linked",
    "pack_card",
    "pack_card_html",
    "pack_card_markdown",
    "rich_table",
    "trace_html",
]
