"""Pack diff: what differs between two packs, side by side with both citations.

>>> d = diff_packs(load_pack("qianshan_2023"), load_pack("ewenki_2024"))   # doctest: +SKIP
>>> d.to_frame()                                                           # doctest: +SKIP

Compared, each under its own *section*:

- ``document``: title, issuer, number, date, region, file, validity, category precedence;
- ``parameter``: by name — the values used (an override wins; ``caller-supplied`` for a figure the
  document does not state), unit, clause and validity dates;
- one section per rule kind (``key_attention``, ``green_channel``, ``deadline``, ``flag``,
  ``outcome``, ``risk``, …, and ``elimination`` once packs have such rules). Rules are matched by
  what they decide: key-attention rules by their group, key areas by area, flags by flag,
  deadlines by deadline name, categories by category; any other rule by its local id. Rules are
  compared on title, condition, effect, clause, quoted words and validity.

Rows appear only for keys that differ (``status``: ``only_a``, ``only_b`` or ``differs``, with
``fields`` naming what differs). A diff of a pack with itself is empty, and ``diff_packs(b, a)``
is ``diff_packs(a, b)`` with the sides swapped (:meth:`PackDiff.mirrored`).
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from fangfan_rules.analysis.card import (
    _CSS,
    SECTIONS,
    _HtmlNotes,
    clause,
    condition_text,
    deadline_days_text,
    local_id,
    parameter_quote,
    parameter_values,
    rule_key,
    rules_by_kind,
    section_heading,
    timeline_limit_text,
    validity_text,
    value_text,
)
from fangfan_rules.rules.rule import Rule

if TYPE_CHECKING:
    import pandas as pd

    from fangfan_rules.packs import Pack

Status = Literal["only_a", "only_b", "differs"]
_MIRROR: dict[str, Status] = {"only_a": "only_b", "only_b": "only_a", "differs": "differs"}

#: Columns of :meth:`PackDiff.to_frame`.
DIFF_COLUMNS = (
    "section",
    "key",
    "status",
    "fields",
    "a",
    "a_detail",
    "a_citation",
    "a_quote",
    "b",
    "b_detail",
    "b_citation",
    "b_quote",
)


@dataclass(frozen=True)
class Side:
    """One pack's side of a differing item (empty when the pack lacks it)."""

    value: str = ""
    detail: str = ""
    citation: str = ""
    quote: str = ""


@dataclass(frozen=True)
class DiffRow:
    section: str
    key: str
    status: Status
    fields: tuple[str, ...]
    a: Side
    b: Side

    def mirrored(self) -> DiffRow:
        return DiffRow(self.section, self.key, _MIRROR[self.status], self.fields, self.b, self.a)


@dataclass(frozen=True, repr=False)
class PackDiff:
    """The differences between pack ``a`` and pack ``b`` (labels name them in displays)."""

    a: str
    b: str
    rows: tuple[DiffRow, ...] = field(default_factory=tuple)

    def __len__(self) -> int:
        return len(self.rows)

    def __bool__(self) -> bool:
        return bool(self.rows)

    def __iter__(self) -> Iterator[DiffRow]:
        return iter(self.rows)

    @property
    def sections(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r.section for r in self.rows))

    def section(self, name: str) -> tuple[DiffRow, ...]:
        return tuple(r for r in self.rows if r.section == name)

    def mirrored(self) -> PackDiff:
        """The same diff seen from the other side (what ``diff_packs(b, a)`` returns)."""
        return PackDiff(self.b, self.a, tuple(r.mirrored() for r in self.rows))

    def to_frame(self) -> pd.DataFrame:
        """One row per differing item: :data:`DIFF_COLUMNS`; ``frame.attrs`` names the packs."""
        import pandas as pd

        frame = pd.DataFrame(
            [
                {
                    "section": r.section,
                    "key": r.key,
                    "status": r.status,
                    "fields": ",".join(r.fields),
                    "a": r.a.value,
                    "a_detail": r.a.detail,
                    "a_citation": r.a.citation,
                    "a_quote": r.a.quote,
                    "b": r.b.value,
                    "b_detail": r.b.detail,
                    "b_citation": r.b.citation,
                    "b_quote": r.b.quote,
                }
                for r in self.rows
            ],
            columns=list(DIFF_COLUMNS),
        )
        frame.attrs["a"] = self.a
        frame.attrs["b"] = self.b
        return frame

    def to_records(self) -> list[dict[str, Any]]:
        """JSON-ready rows; the ``a`` / ``b`` sides are named by ``packs`` in each row."""
        return [
            {
                "section": r.section,
                "key": r.key,
                "status": r.status,
                "fields": list(r.fields),
                "packs": {"a": self.a, "b": self.b},
                "a": dict(r.a.__dict__),
                "b": dict(r.b.__dict__),
            }
            for r in self.rows
        ]

    def to_markdown(self) -> str:
        """Side-by-side tables per section, citations with the quoted words."""
        if not self.rows:
            return f"No differences between {self.a} and {self.b}.\n"
        lines = [f"# {self.a} ⇄ {self.b}", ""]
        for name in self.sections:
            lines += [f"## {section_heading(name)}", ""]
            lines.append(
                f"| key | what differs | {_md(self.a)} | clause | {_md(self.b)} | clause |"
            )
            lines.append("|---|---|---|---|---|---|")
            for r in self.section(name):
                lines.append(
                    f"| `{_md(r.key)}` | {_md(', '.join(r.fields))} | {_md(_cell(r.a))} | "
                    f"{_md(r.a.citation)} | {_md(_cell(r.b))} | {_md(r.b.citation)} |"
                )
            lines.append("")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        if not self.rows:
            return f"<p>No differences between <b>{_h(self.a)}</b> and <b>{_h(self.b)}</b>.</p>"
        notes = _HtmlNotes(prefix=f"ff-d-{id(self)}")
        parts = [_CSS, '<div class="ff-card">', f"<h3>{_h(self.a)} ⇄ {_h(self.b)}</h3>"]
        for name in self.sections:
            parts.append(f"<h4>{_h(section_heading(name))}</h4><table><thead><tr>")
            parts.append(
                "<th>key</th><th>differs</th>"
                f"<th>{_h(self.a)}</th><th>clause</th><th>{_h(self.b)}</th><th>clause</th>"
                "</tr></thead><tbody>"
            )
            for r in self.section(name):
                parts.append(
                    f"<tr><td><code>{_h(r.key)}</code></td><td>{_h(', '.join(r.fields))}</td>"
                    f"<td>{_side_html(r.a)}</td><td>{notes.cite(r.a.citation, r.a.quote)}</td>"
                    f"<td>{_side_html(r.b)}</td><td>{notes.cite(r.b.citation, r.b.quote)}</td></tr>"
                )
            parts.append("</tbody></table>")
        parts += [notes.render(), "</div>"]
        return "".join(parts)

    def __str__(self) -> str:
        return self.to_markdown()

    def __repr__(self) -> str:
        counts = ", ".join(f"{name}: {len(self.section(name))}" for name in self.sections)
        return f"<PackDiff {self.a} ⇄ {self.b}: {len(self.rows)} differences ({counts or 'none'})>"


def _h(text: Any) -> str:
    return html.escape(str(text))


def _md(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _cell(side: Side) -> str:
    if not side.value and not side.detail:
        return "—"
    return side.value + (f" ({side.detail})" if side.detail else "")


def _side_html(side: Side) -> str:
    if not side.value and not side.detail:
        return "<i>—</i>"
    detail = f"<br><small><code>{_h(side.detail)}</code></small>" if side.detail else ""
    return _h(side.value) + detail


# -- building -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Item:
    """One comparable item of a pack: what is compared, and how it is shown."""

    compared: dict[str, Any]
    side: Side


def _label(a: Pack, b: Pack) -> tuple[str, str]:
    if a.name != b.name:
        return a.name, b.name
    if a.version != b.version:
        return f"{a.name} {a.version}", f"{b.name} {b.version}"
    return f"{a.name} ({a.content_hash[7:15]})", f"{b.name} ({b.content_hash[7:15]})"


def _document_items(pack: Pack) -> dict[str, _Item]:
    doc = pack.document
    entries = {
        "title": doc.title,
        "issuer": doc.issuer,
        "number": doc.number or "",
        "date": doc.date_shown,
        "region": doc.region,
        "file": doc.file,
        "validity": validity_text(pack.valid_from, pack.valid_to),
        "category_precedence": " > ".join(c.value for c in pack.category_precedence),
    }
    return {k: _Item({"value": v}, Side(value=v)) for k, v in entries.items()}


def _parameter_items(pack: Pack) -> dict[str, _Item]:
    items = {}
    for name in sorted(pack.parameters):
        parameter = pack.parameters[name]
        values = parameter_values(pack, name)
        compared = {
            # what the figure counts: two packs' parameters of one name may measure different
            # things (jimo's 15天 runs 入户核实→公示结束, puan's 线索→完成识别认定; audit TA-8)
            "description": parameter.description.model_dump(),
            "type": parameter.type,
            "unit": parameter.unit,
            "value": [value_text(v, "en") for v in values],
            "clause": [clause(v.citation) for v in values],
            "validity": [validity_text(v.valid_from, v.valid_to) for v in values],
            "source": [v.source for v in values],
        }
        side = Side(
            value="; ".join(value_text(v) for v in values),
            detail="; ".join(
                f"{parameter.unit + ', ' if parameter.unit else ''}"
                f"{validity_text(v.valid_from, v.valid_to)}"
                for v in values
            ),
            citation="; ".join(dict.fromkeys(clause(v.citation) for v in values)),
            quote=" …… ".join(
                dict.fromkeys(q for v in values if (q := parameter_quote(pack, name, v.citation)))
            ),
        )
        items[name] = _Item(compared, side)
    return items


def _rule_compared(pack: Pack, rule: Rule) -> dict[str, Any]:
    effect = rule.effect.model_dump(mode="json", exclude_defaults=True)
    if rule.effect.deadline is not None:
        effect["deadline"]["days"] = deadline_days_text(pack, rule)
    return {
        "title": rule.title.model_dump(),
        "condition": condition_text(rule.when, pack.name),
        "effect": effect,
        "clause": clause(rule.citation),
        "quote": rule.quote,
        "validity": validity_text(rule.valid_from, rule.valid_to),
    }


def _rule_items(pack: Pack) -> dict[str, dict[str, _Item]]:
    sections: dict[str, dict[str, _Item]] = {}
    for kind, rules in rules_by_kind(pack).items():
        grouped: dict[str, list[Rule]] = {}
        for rule in rules:
            grouped.setdefault(rule_key(pack.name, rule), []).append(rule)
        items = {}
        for key, members in grouped.items():
            compared = {
                "rules": [local_id(pack.name, r.id) for r in members],
                **{
                    f: [_rule_compared(pack, r)[f] for r in members]
                    for f in ("title", "condition", "effect", "clause", "quote", "validity")
                },
            }
            value = " | ".join(f"{r.title.zh} / {r.title.en}" for r in members)
            if kind == "deadline":
                value += " — " + " | ".join(
                    f"{deadline_days_text(pack, r)} {r.effect.deadline.count} days"
                    for r in members
                    if r.effect.deadline is not None
                )
            items[key] = _Item(
                compared,
                Side(
                    value=value,
                    detail=" | ".join(condition_text(r.when, pack.name) for r in members),
                    citation="; ".join(dict.fromkeys(clause(r.citation) for r in members)),
                    quote=" …… ".join(dict.fromkeys(r.quote for r in members if r.quote)),
                ),
            )
        sections[kind] = items
    return sections


def _timeline_items(pack: Pack) -> dict[str, _Item]:
    """The case time limits of the pack's timeline (timeline.yaml), keyed by their id, for the
    deadline section beside the deadline rules."""
    items = {}
    for d in pack.timeline.deadlines:
        limit = timeline_limit_text(pack, d)
        compared = {
            "title": d.title.model_dump(),
            "limit": limit,
            "count": d.count,
            "normal_limit": d.normal_limit,
            "start": [step.value for step in d.start],
            "met_by": [step.value for step in d.met_by],
            "implied_by": [step.value for step in d.implied_by],
            "met_when": d.met_when,
            "clause": clause(d.citation),
            "quote": d.quote,
            "validity": validity_text(d.valid_from, d.valid_to) if d.valid_from else "",
        }
        counted = f" {d.count} days" if d.count else ""
        items["timeline." + d.id.partition(".")[2]] = _Item(
            compared,
            Side(
                value=f"{d.title.zh} / {d.title.en} — {limit}{counted}",
                detail=f"from {', '.join(s.value for s in d.start)} to "
                f"{', '.join(s.value for s in d.met_by)}",
                citation=clause(d.citation),
                quote=d.quote or "",
            ),
        )
    for span in pack.timeline.spans:  # e.g. puan's 其中村内公示不少于5天
        items["timeline." + span.id.partition(".")[2]] = _Item(
            {
                "title": span.title.model_dump(),
                "at_least_days": span.at_least_days,
                "start": span.start.value,
                "end": span.end.value,
                "clause": clause(span.citation),
                "quote": span.quote,
            },
            Side(
                value=f"{span.title.zh} / {span.title.en} — at least {span.at_least_days} days",
                detail=f"from {span.start.value} to {span.end.value}",
                citation=clause(span.citation),
                quote=span.quote or "",
            ),
        )
    for task in pack.timeline.monthly:  # e.g. jimo's 每月4日前 … 每月30日前
        items["timeline." + task.id.partition(".")[2]] = _Item(
            {
                "title": task.title.model_dump(),
                "day": task.day,
                "covers": task.covers,
                "extend_past_rest_day": task.extend_past_rest_day,
                "clause": clause(task.citation),
                "quote": task.quote,
            },
            Side(
                value=f"{task.title.zh} / {task.title.en} — by day {task.day} of each month",
                detail=f"covers the {task.covers.replace('_', ' ')}",
                citation=clause(task.citation),
                quote=task.quote or "",
            ),
        )
    return items


def _compare(section: str, a: dict[str, _Item], b: dict[str, _Item]) -> list[DiffRow]:
    rows = []
    for key in sorted(set(a) | set(b)):
        left, right = a.get(key), b.get(key)
        if left is None and right is not None:
            rows.append(DiffRow(section, key, "only_b", (), Side(), right.side))
        elif right is None and left is not None:
            rows.append(DiffRow(section, key, "only_a", (), left.side, Side()))
        elif left is not None and right is not None and left.compared != right.compared:
            fields = tuple(
                f
                for f in sorted(set(left.compared) | set(right.compared))
                if left.compared.get(f) != right.compared.get(f)
            )
            rows.append(DiffRow(section, key, "differs", fields, left.side, right.side))
    return rows


def diff_packs(
    a: Pack | str, b: Pack | str, *, sections: tuple[str, ...] | None = None
) -> PackDiff:
    """What differs between packs ``a`` and ``b`` (pack objects or installed names).

    ``sections`` limits the diff (e.g. ``("parameter", "key_attention", "deadline")``); by default
    every section is compared. Symmetric: ``diff_packs(b, a) == diff_packs(a, b).mirrored()``.
    """
    from fangfan_rules.packs import load_pack

    pa = load_pack(a) if isinstance(a, str) else a
    pb = load_pack(b) if isinstance(b, str) else b
    rows: list[DiffRow] = []
    rows += _compare("document", _document_items(pa), _document_items(pb))
    rows += _compare("parameter", _parameter_items(pa), _parameter_items(pb))
    rules_a, rules_b = _rule_items(pa), _rule_items(pb)
    for pack, rules in ((pa, rules_a), (pb, rules_b)):
        if timeline := _timeline_items(pack):
            rules.setdefault("deadline", {}).update(timeline)
    known = [k for k, _, _ in SECTIONS]
    for kind in sorted(
        {*rules_a, *rules_b}, key=lambda k: (known.index(k) if k in known else len(known), k)
    ):
        rows += _compare(kind, rules_a.get(kind, {}), rules_b.get(kind, {}))
    if sections is not None:
        rows = [r for r in rows if r.section in sections]
    label_a, label_b = _label(pa, pb)
    return PackDiff(label_a, label_b, tuple(rows))


__all__ = ["DIFF_COLUMNS", "DiffRow", "PackDiff", "Side", "diff_packs"]
