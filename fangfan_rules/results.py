"""Results are values: immutable, JSON-serialisable, explainable in Chinese and English."""

from __future__ import annotations

import functools
import html
import threading
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from enum import StrEnum
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, create_model, model_serializer

from fangfan_rules.errors import DUPLICATED_HOUSEHOLD
from fangfan_rules.facts import ExcludedFact
from fangfan_rules.facts.base import masked_json, masked_value
from fangfan_rules.idnumber import ids_revealed, masked, scrub_id_numbers
from fangfan_rules.rules.parameters import LocalText, ParameterValue
from fangfan_rules.rules.render import format_value
from fangfan_rules.rules.wording import (
    fact_text,
    missing_facts_list,
    parameter_label,
    reform_text,
)
from fangfan_rules.vocabulary import MonitoringCategory, RiskType


class Outcome(StrEnum):
    """The identification answer (纳入监测)."""

    # The document's own words decide that the household is identified (rules with `decides`).
    IDENTIFY = "identify"
    # Something points to monitoring, or is unknown, and the decision is the officials' (综合研判,
    # the identification procedure): review_points say what to judge, missing_facts what to find.
    NEEDS_REVIEW = "needs_review"
    # None of the pack's checks found anything pointing to monitoring on the facts given, and no
    # unknown fact could change that. Not a refusal: deciding not to identify is the officials'
    # (recorded on a clue as meets_criteria: false, with its reason).
    NOT_ELIGIBLE = "not_eligible"
    # The document's own words put this household outside what it covers.
    OUT_OF_SCOPE = "out_of_scope"

    @property
    def zh(self) -> str:
        return {
            "identify": "识别为监测对象",
            "needs_review": "需综合研判",
            "not_eligible": "未发现需纳入监测的情形",
            "out_of_scope": "不在本文件规定的排查或识别范围",
        }[self.value]

    @property
    def en(self) -> str:
        return {
            "identify": "identify for monitoring",
            "needs_review": "needs the officials' judgement",
            "not_eligible": "nothing found that calls for monitoring",
            "out_of_scope": "outside the document's scope",
        }[self.value]

    def label(self, lang: str = "zh") -> str:
        """The outcome as a person reads it (the code stays in ``value``)."""
        return self.zh if lang == "zh" else self.en


class _Value(BaseModel):
    """A result value: immutable; ID numbers masked in every text and dump it gives.

    ``repr`` / ``str``, ``model_dump`` / ``model_dump_json`` and the texts of
    :meth:`Identification.explain` and friends mask ID numbers wherever they appear (a household
    or member id that is an ID number, a member named in a reason) unless the caller reveals
    them (:func:`fangfan_rules.idnumber.reveal_ids`, or ``context={"reveal_ids": True}``).
    The attributes keep the values as given (a caller matches results to its own records).
    """

    model_config = ConfigDict(frozen=True)

    def model_dump(self, **options: Any) -> dict[str, Any]:
        """As pydantic's, with ID numbers masked unless revealed."""
        data = super().model_dump(**options)
        return data if ids_revealed(options.get("context")) else masked_value(data)

    def model_dump_json(self, **options: Any) -> str:
        """As pydantic's, with ID numbers masked unless revealed."""
        return masked_json(super().model_dump_json(**options), options)

    def __repr__(self) -> str:
        return masked(super().__repr__())

    def __str__(self) -> str:
        return masked(super().__str__())


class Check(_Value):
    """One leaf of a condition as evaluated: the value read, what it was compared with, the result."""

    variable: str
    arguments: dict[str, str] = {}
    member: str | None = None
    value: str | None = Field(None, description="machine text of the value; None if unknown")
    op: str | None = None
    against: str | None = None
    result: Literal["true", "false", "unknown"]
    text_zh: str
    text_en: str


class RuleTrace(_Value):
    """How one rule evaluated."""

    rule_id: str
    kind: str
    citation: str
    status: Literal["fired", "not_fired", "unknown", "not_in_force", "skipped"]
    checks: tuple[Check, ...] = ()
    missing_facts: tuple[str, ...] = ()
    parameters: tuple[str, ...] = ()

    def status_text(self, lang: str = "zh") -> str:
        """The status as a person reads it: 已触发 / 未触发 / 未知 / 未生效 / 已跳过."""
        zh, en = _RULE_STATUS_LABELS[self.status]
        return zh if lang == "zh" else en

    def explain(self, lang: str = "zh") -> str:
        """The rule's lines of the trace: status and clause, then each check, then what is missing."""
        zh = lang == "zh"
        lines = [
            f"{clause_text(self.citation, lang)}：{self.status_text(lang)}"
            if zh
            else f"{self.citation}: {self.status_text(lang)}"
        ]
        lines.extend(f"    {c.text_zh if zh else c.text_en}" for c in self.checks)
        if self.missing_facts:
            lines.append(f"    {missing_facts_list(self.missing_facts, lang)}")
        return "\n".join(lines)


#: Trace statuses in words (the machine value stays in ``RuleTrace.status``).
_RULE_STATUS_LABELS = {
    "fired": ("已触发", "fired"),
    "not_fired": ("未触发", "not fired"),
    "unknown": ("未知（缺少事实）", "unknown (facts missing)"),
    "not_in_force": ("评估日未生效", "not in force on the date"),
    "skipped": ("已跳过（不在本文件规定的排查或识别范围）", "skipped (out of scope)"),
}


def clause_text(citation: str, lang: str = "zh") -> str:
    """A citation as printed under its pack's name: ``qianshan_2023:一、(一)1`` → ``一、(一)1``."""
    return citation.split(":", 1)[1] if ":" in citation else citation


class PopulationFigure(_Value):
    """An aggregate over the batch's households (area percentiles, village counts)."""

    variable: str
    arguments: str
    area: str
    count: int
    value: str


class Trace(_Value):
    """Everything needed to see why, and to reproduce the answer."""

    rules: tuple[RuleTrace, ...]
    parameters: tuple[ParameterValue, ...] = Field(description="parameter values read, with dates")
    excluded_facts: tuple[ExcludedFact, ...] = Field(description="facts dated after as_of")
    population: tuple[PopulationFigure, ...] = Field(
        (), description="batch aggregates read by population-level rules"
    )

    def fired(self) -> tuple[RuleTrace, ...]:
        return tuple(r for r in self.rules if r.status == "fired")

    def explain(self, lang: str = "zh") -> str:
        """规则运行记录: every rule with its status, clause and checks, then the figures read."""
        zh = lang == "zh"
        lines = ["规则运行记录：" if zh else "Trace:"]
        lines.extend("  " + r.explain(lang).replace("\n", "\n  ") for r in self.rules)
        if self.parameters:
            lines.append("读取的参数：" if zh else "Figures read:")
        for value in self.parameters:
            lines.append(f"  {_parameter_line(value, lang)}")
        return masked("\n".join(lines))

    def _repr_html_(self) -> str:
        from fangfan_rules.analysis.card import trace_html

        return masked(trace_html(self))


#: Held while a deferred answer builds its fields (a result may be shared between threads).
_BUILDING = threading.RLock()

#: The placeholder a deferred answer is validated with (never seen: the field is built on use).
_NO_TRACE = Trace(rules=(), parameters=(), excluded_facts=())


def _parameter_line(value: ParameterValue, lang: str) -> str:
    source = {
        "document": ("文件规定", "stated"),
        "caller": ("调用方提供", "caller"),
        "reform": ("参数调整", "override"),
    }[value.source]
    if value.source != "document":  # a caller's figure has no clause to cite
        return (
            f"{parameter_label(value.name, lang)}：{value.text(lang)}（{source[0]}）"
            if lang == "zh"
            else f"{parameter_label(value.name, lang)}: {value.text(lang)} ({source[1]})"
        )
    if lang == "zh":
        return (
            f"{parameter_label(value.name, lang)}：{value.text(lang)}"
            f"（{source[0]}，{clause_text(value.citation)}）"
        )
    return (
        f"{parameter_label(value.name, lang)}: {value.text(lang)} ({source[1]}, {value.citation})"
    )


class Reason(_Value):
    """A reason for the answer, with its clause, ready for a 公示 list or a written reply."""

    rule_id: str
    kind: str
    citation: str
    text_zh: str
    text_en: str
    quote: str | None = None

    def text(self, lang: str = "zh") -> str:
        return self.text_zh if lang == "zh" else self.text_en


class GroupMatch(_Value):
    """A key-attention group (重点关注对象) or key area matched, with its clause."""

    id: str = Field(description="namespaced by pack, e.g. 'qianshan_2023:①'")
    label: LocalText
    rule_id: str
    citation: str


class GreenChannel(_Value):
    applies: bool
    why: LocalText | None = None
    citation: str | None = None


#: Said of a late step on a normal limit (原则上 / 一般): exceeding it is a breach of the normal
#: limit, exceptions being possible — not proof of a violation (CONVENTIONS.md).
NORMAL_LIMIT_ZH = "（原则上的期限）"
NORMAL_LIMIT_EN = " (a normal limit: 原则上 / 一般, exceptions possible)"

_DEADLINE_STATUS_ZH = {
    "met": "按时完成",
    "missed": "逾期完成",
    "pending": "待办",
    "overdue": "已逾期",
    "calendar_unknown": "日历未收录该年，无法计算",
    "closed": "已办结，不再计时",
    "closed_overdue": "逾期未完成，已办结",
    "done_date_unknown": "已完成（已有后续步骤），完成日期未记录，无法判断是否按时",
}


_DEADLINE_STATUS_EN = {
    "met": "done in time",
    "missed": "done late",
    "pending": "pending",
    "overdue": "overdue",
    "calendar_unknown": "the calendar does not cover the year",
    "closed": "case closed, no longer timed",
    "closed_overdue": "overdue when the case was closed",
    "done_date_unknown": "done (a later step is recorded) on a date not recorded: in time or not cannot be said",
}


class Deadline(_Value):
    """A time limit that applies to the household's case."""

    name: str
    label: LocalText
    start: date
    days: int
    count: Literal["natural", "working"]
    due: date | None = Field(None, description="None if the calendar cannot answer for the year")
    met_on: date | None = None
    status: Literal[
        "met",
        "missed",
        "pending",
        "overdue",
        "calendar_unknown",
        "closed",
        "closed_overdue",
        "done_date_unknown",
    ] = Field(
        description=(
            "closed: the case was closed (办结销号) before the step was due; closed_overdue: "
            "closed after the due date without the step — the limit was missed; "
            "done_date_unknown: the step is not recorded but a later step that presupposes it is, "
            "after the due date — it was done, whether in time cannot be said"
        )
    )
    normal_limit: bool = Field(False, description="原则上: a norm, exceptions are possible")
    start_is_reading: bool = Field(
        False,
        description=(
            "when this period starts is the pack's reading (the document prints no start, or may "
            "not have been issued yet, or gives the same households another date): a late step is "
            "shown, never a procedure violation"
        ),
    )
    citation: str
    note: str | None = None

    @property
    def status_zh(self) -> str:
        """The status as an official says it."""
        return self.status_text("zh")

    def status_text(self, lang: str = "zh") -> str:
        """The status in ``lang``; a lateness counted from a start the document does not print
        says so (it is the pack's reading, not a breach the document defines)."""
        zh = lang == "zh"
        text = (_DEADLINE_STATUS_ZH if zh else _DEADLINE_STATUS_EN)[self.status]
        if self.normal_limit and self.status in ("missed", "overdue", "closed_overdue"):
            # 原则上 / 一般: a breach of the normal limit, not proof of a violation (CONVENTIONS)
            text += NORMAL_LIMIT_ZH if zh else NORMAL_LIMIT_EN
        if self.start_is_reading and self.status in ("missed", "overdue", "closed_overdue"):
            text += (
                "（按本包对何时起算的解读计算，不认定为违反时限）"
                if zh
                else (
                    " (counted on the pack's reading of when it starts; not asserted as a breach)"
                )
            )
        return text

    @classmethod
    def compute(
        cls,
        *,
        name: str,
        label: LocalText,
        start: date,
        as_of: date,
        citation: str,
        days: int = 0,
        count: Literal["natural", "working"] = "natural",
        due: date | None = None,
        met_on: date | None = None,
        normal_limit: bool = False,
        start_is_reading: bool = False,
        note: str | None = None,
        calendar: Any = None,
    ) -> Deadline:
        """The deadline ``days`` (natural or working) after ``start`` — or the fixed ``due`` date —
        with its status on ``as_of``: met / missed (done late) / overdue / pending, or
        ``calendar_unknown`` when the calendar cannot answer for the year (never a guess)."""
        from fangfan_rules import calendar as cal
        from fangfan_rules.errors import CalendarError

        fields = dict(
            name=name,
            label=label,
            start=start,
            days=days,
            count=count,
            met_on=met_on,
            normal_limit=normal_limit,
            start_is_reading=start_is_reading,
            citation=citation,
        )
        if due is None:
            try:
                due = (
                    cal.add_working_days(start, days, calendar=calendar)
                    if count == "working"
                    else cal.natural_day_deadline(start, days, calendar=calendar)
                )
            except CalendarError as exc:
                # A period never ends before start + N days (natural: start + N, moved only
                # later past a rest day; working: N working days take at least N days), so a step
                # done by then is in time on any calendar (audit TA-10).
                if met_on is not None and met_on <= start + timedelta(days=days):
                    return cls(**fields, due=None, status="met", note=note)
                return cls(**fields, due=None, status="calendar_unknown", note=str(exc))
        if met_on is not None:
            status = "met" if met_on <= due else "missed"
        else:
            status = "overdue" if as_of > due else "pending"
        return cls(**fields, due=due, status=status, note=note)


class Identification(_Value):
    """The answer to "should this household be identified for monitoring?" (纳入监测)."""

    pack: str
    pack_version: str
    pack_hash: str
    household_id: str
    as_of: date
    outcome: Outcome
    category: MonitoringCategory | None = None
    risk_types: tuple[RiskType, ...] = ()
    key_attention: tuple[GroupMatch, ...] = ()
    key_areas: tuple[GroupMatch, ...] = ()
    flags: tuple[GroupMatch, ...] = Field(
        (), description="record-keeping / procedure problems to fix (e.g. missing special file)"
    )
    must_visit: bool = False
    green_channel: GreenChannel = GreenChannel(applies=False)
    reasons: tuple[Reason, ...] = ()
    review_points: tuple[LocalText, ...] = Field(
        (), description="what officials must judge (综合研判) or find out"
    )
    deadlines: tuple[Deadline, ...] = ()
    missing_facts: tuple[str, ...] = Field((), description="facts that could change the answer")
    reforms: tuple[str, ...] = Field((), description="parameter overrides or reforms applied")
    trace: Trace

    # -- deferred fields ----------------------------------------------------------------------
    # The native engine answers thousands of households whose reasons and trace nobody reads: it
    # records the machine values it evaluated and hands a builder for each field below, which runs
    # on first use (attribute, dump, comparison, copy, pickle) and never again; reading the
    # reasons (a summary, a results row) does not build the trace. The answer is the same value
    # either way: the builders only word and package what evaluation recorded.
    _DEFERRED: ClassVar[tuple[str, ...]] = ("reasons", "trace")
    _pending: dict[str, Callable[[], Any]] | None = PrivateAttr(None)
    #: (rule id, kind, status) of every rule, from what evaluation recorded (no trace built).
    _statuses: tuple[tuple[str, str, str], ...] | None = PrivateAttr(None)
    #: Writes the deferred trace's JSON text (given the dump's context) without building it: the
    #: text, or (text, whether an ID number is in it) as ``trace_json.Written`` is.
    _trace_json: Callable[[Any], str | tuple[str, bool]] | None = PrivateAttr(None)

    def rule_statuses(self) -> tuple[tuple[str, str, str], ...]:
        """``(rule id, kind, status)`` of every rule in trace order — the trace's statuses
        without building the trace (a results row asks which outcome rule was left unknown)."""
        private = self.__pydantic_private__
        statuses = private.get("_statuses") if private else None
        if statuses is not None:
            return statuses
        return tuple((r.rule_id, r.kind, r.status) for r in self.trace.rules)

    @classmethod
    def deferred(
        cls,
        builders: Mapping[str, Callable[[], Any]],
        *,
        trusted: bool = False,
        trace_json: Callable[[Any], str | tuple[str, bool]] | None = None,
        **fields: Any,
    ) -> Identification:
        """An answer whose ``reasons`` and ``trace`` are built by ``builders[name]()`` when first
        needed, each on its own.

        ``fields`` are validated as usual; each builder returns its field as a ready value (a
        tuple of :class:`Reason`, a :class:`Trace`). ``trusted=True``: the caller vouches that
        every value already has its field's exact type (the native engine, from validated
        parts), and the answer is assembled without validating them again — the same fields,
        fields set and private state as validation gives (a test compares the two).
        ``trace_json(context)``, if given, returns the JSON text pydantic would write for the
        built trace with that serialization context: a dump of an answer whose trace is not
        built yet writes it without building it (the trace is still built when read); or that
        text and whether :func:`~fangfan_rules.idnumber.scrub_id_numbers` would change it
        (the dump then reads for ID numbers only the rest of the answer).
        """
        pending = {name: builders[name] for name in cls._DEFERRED}
        if not trusted:
            answer = cls(**fields, reasons=(), trace=_NO_TRACE)
            for name in cls._DEFERRED:
                del answer.__dict__[name]
            answer._pending = pending
            answer._trace_json = trace_json
            return answer
        values = {}
        for name, default in _identification_defaults():
            if name in fields:
                values[name] = fields[name]
            elif default is not _REQUIRED:
                values[name] = default
            else:
                raise TypeError(f"Identification.deferred: {name} is required")
        answer = cls.__new__(cls)
        object.__setattr__(answer, "__dict__", values)
        object.__setattr__(answer, "__pydantic_fields_set__", {*fields, *cls._DEFERRED})
        object.__setattr__(answer, "__pydantic_extra__", None)
        object.__setattr__(
            answer,
            "__pydantic_private__",
            {"_pending": pending, "_statuses": None, "_trace_json": trace_json},
        )
        return answer

    def _materialise(self, only: str | None = None) -> None:
        """Build the deferred fields (``only`` one of them, if given) not built yet."""
        private = self.__pydantic_private__
        if not private or not private.get("_pending"):
            return
        with _BUILDING:
            pending = private.get("_pending")
            if not pending:  # another thread built them meanwhile
                return
            names = [n for n in pending if only is None or n == only]
            if not names:
                return
            values = {**self.__dict__, **{name: pending[name]() for name in names}}
            # One new dict, in field order (dumps follow it), swapped in at once: a reader in
            # another thread sees the field before or after, never half-built.
            object.__setattr__(
                self,
                "__dict__",
                {name: values[name] for name in type(self).model_fields if name in values},
            )
            private["_pending"] = {n: b for n, b in pending.items() if n not in names} or None
            if "trace" in names:  # the built trace answers rule_statuses and dumps from now on
                private["_statuses"] = None
                private["_trace_json"] = None

    def __getattr__(self, name: str) -> Any:
        if name in type(self).model_fields:
            self._materialise(name if name in Identification._DEFERRED else None)
            if name in self.__dict__:
                return self.__dict__[name]
        return super().__getattr__(name)  # type: ignore[misc]

    @model_serializer(mode="wrap")
    def _serialise(self, handler: Any) -> Any:
        self._materialise()
        return handler(self)

    def model_dump_json(self, **options: Any) -> str:
        """As pydantic's, with ID numbers masked unless revealed.

        Without options (the service's and the store's call, once per answer) the built answer
        is written by a serializer without the wrap hook above, with which pydantic made the
        whole answer Python objects before writing them as JSON: a third of the dump's time
        (0.21 -> 0.13 ms, qianshan); the same text (tested). A native answer whose trace is not
        built yet has it written from what evaluation recorded, without building it
        (:mod:`fangfan_rules.engines.trace_json`: the same text, tested); so with a ``context``
        alone (IDs revealed)."""
        if options.keys() - {"context"}:
            return super().model_dump_json(**options)
        context = options.get("context")
        written = self._written_unbuilt(context)
        if written is None:
            self._materialise()
            plain = _plain_answer().model_construct(self.model_fields_set, **self.__dict__)
            return masked_json(plain.model_dump_json(context=context), options)
        text, holds_id = written
        if holds_id is False:  # nothing to mask: what masked_json would return, not read again
            return text
        return masked_json(text, options)

    def _written_unbuilt(self, context: Any) -> tuple[str, bool | None] | None:
        """The answer's JSON text with its trace written by ``trace_json`` rather than built
        (the trace is the last field: the rest of the answer is written by pydantic, then the
        trace's text), or None when the trace is built or cannot be written so; and whether
        :func:`~fangfan_rules.idnumber.scrub_id_numbers` would change the text (None: not known,
        when the writer gives the trace's text alone). The trace's text begins with a brace,
        which no ID number's match spans or looks at: the whole text holds one exactly when the
        rest of the answer or the trace does."""
        private = self.__pydantic_private__
        if not private or private.get("_trace_json") is None:
            return None
        with _BUILDING:  # the writer replays the rules as the builders do
            write = private.get("_trace_json")
            pending = private.get("_pending")
            if write is None or not pending or "trace" not in pending:
                return None
            self._materialise("reasons")
            fields = {name: value for name, value in self.__dict__.items() if name != "trace"}
            head = _answer_without_trace().model_construct(
                self.model_fields_set - {"trace"}, **fields
            )
            start = f'{head.model_dump_json(context=context)[:-1]},"trace":'
            trace = write(context)
            if isinstance(trace, str):
                return f"{start}{trace}}}", None
            text, holds_id = trace
            return f"{start}{text}}}", holds_id or scrub_id_numbers(start) != start

    def __eq__(self, other: object) -> bool:
        self._materialise()
        if isinstance(other, Identification):
            other._materialise()
        return super().__eq__(other)

    def __hash__(self) -> int:
        self._materialise()
        return super().__hash__()

    def __iter__(self) -> Any:
        self._materialise()
        return super().__iter__()

    def __repr_args__(self) -> Any:
        self._materialise()
        return super().__repr_args__()

    def __getstate__(self) -> dict[Any, Any]:
        self._materialise()
        return super().__getstate__()

    def __copy__(self) -> Identification:
        self._materialise()
        return super().__copy__()

    def __deepcopy__(self, memo: dict[int, Any] | None = None) -> Identification:
        self._materialise()
        return super().__deepcopy__(memo)

    def explain(self, lang: str = "zh", *, trace: bool = False) -> str:
        """A readable explanation: outcome, groups, reasons with clauses, missing facts; with
        ``trace=True`` the 规则运行记录 (every rule's status and checks) follows."""
        zh = lang == "zh"
        sep = "、" if zh else ", "
        lines = [
            (
                f"户 {self.household_id}（{self.pack} {self.pack_version}，"
                f"评估日 {format_value(self.as_of, lang)}）：{self.outcome.zh}"
            )
            if zh
            else f"Household {self.household_id} ({self.pack} {self.pack_version}, as of "
            f"{self.as_of}): {self.outcome.en}",
        ]
        if self.category:
            lines.append(("类别：" if zh else "Category: ") + self.category.label(lang))
        if self.risk_types:
            lines.append(
                ("风险类型：" if zh else "Risk types: ")
                + sep.join(r.label(lang) for r in self.risk_types)
            )
        if self.green_channel.applies and self.green_channel.why:
            lines.append(("绿色通道：" if zh else "Green channel: ") + self.green_channel.why(lang))
        for group in self.key_attention:
            lines.append(
                ("重点关注农户：" if zh else "Key-attention group: ")
                + f"{group.label(lang)}{_cited(group.citation, lang)}"
            )
        for area in self.key_areas:
            lines.append(
                ("重点关注区域：" if zh else "Key area: ")
                + f"{area.label(lang)}{_cited(area.citation, lang)}"
            )
        if self.must_visit:
            lines.append("须入户排查" if zh else "Must be visited at home")
        for flag in self.flags:
            lines.append(
                ("需处理：" if zh else "To fix: ")
                + f"{flag.label(lang)}{_cited(flag.citation, lang)}"
            )
        lines.append("理由：" if zh else "Reasons:")
        lines.extend(f"  - {r.text(lang)}{_cited(r.citation, lang)}" for r in self.reasons)
        for point in self.review_points:
            lines.append(("  待研判：" if zh else "  To judge: ") + point(lang))
        for d in self.deadlines:
            due = (
                format_value(d.due, lang) if d.due else ("日历未覆盖" if zh else "calendar unknown")
            )
            lines.append(
                ("时限：" if zh else "Deadline: ")
                + f"{d.label(lang)} → {due}（{d.status_text(lang)}）{_cited(d.citation, lang)}"
                if zh
                else f"Deadline: {d.label(lang)} → {due} ({d.status_text(lang)}) [{d.citation}]"
            )
        if self.missing_facts:
            lines.append(
                ("缺少的事实：" if zh else "Missing facts: ")
                + missing_facts_list(self.missing_facts, lang)
            )
        if self.trace.excluded_facts:
            lines.append(
                (
                    "评估日后的事实未计入："
                    if zh
                    else "Facts dated after the evaluation date, left out: "
                )
                + sep.join(_excluded_text(f, lang) for f in self.trace.excluded_facts)
            )
        if self.reforms:
            lines.append(
                ("参数调整：" if zh else "Overrides: ")
                + ("；" if zh else "; ").join(reform_text(r, lang) for r in self.reforms)
            )
        if trace:
            lines.append(self.trace.explain(lang))
        return masked("\n".join(lines))

    def first_reason(self, lang: str = "zh") -> str:
        """The reason that weighs most: what decided the outcome, or what officials must judge."""
        deciding = [r for r in self.reasons if r.kind in ("scope", "green_channel", "outcome")]
        if self.outcome == Outcome.NEEDS_REVIEW and self.review_points and not deciding:
            return masked(self.review_points[0](lang))
        if deciding:
            return masked(deciding[0].text(lang))
        return masked(self.reasons[0].text(lang)) if self.reasons else ""

    def summary(self) -> dict[str, Any]:
        """One flat row for tables and CSV (ID numbers masked unless revealed)."""
        return {
            "household_id": masked(self.household_id),
            "pack": self.pack,
            "as_of": self.as_of.isoformat(),
            "outcome": self.outcome.value,
            "category": self.category.value if self.category else "",
            "risk_types": ";".join(r.value for r in self.risk_types),
            "key_attention": ";".join(g.id for g in self.key_attention),
            "key_areas": ";".join(g.id for g in self.key_areas),
            "flags": ";".join(g.id for g in self.flags),
            "must_visit": self.must_visit,
            "green_channel": self.green_channel.applies,
            "first_reason": self.first_reason("zh"),
            "missing_facts": masked(";".join(self.missing_facts)),
        }

    def __rich__(self) -> str:
        return self.explain("zh")

    def _repr_html_(self) -> str:
        return masked(self._html())

    def _html(self) -> str:
        rows = "".join(
            f"<tr><td>{html.escape(r.text_zh)}<br><small>{html.escape(r.text_en)}</small></td>"
            f"<td>{html.escape(clause_text(r.citation))}</td></tr>"
            for r in self.reasons
        )
        groups = "、".join(html.escape(g.label.zh) for g in self.key_attention) or "无"
        missing = ""
        if self.missing_facts:
            missing = (
                f"<p>缺少的事实：{html.escape(missing_facts_list(self.missing_facts, 'zh'))}"
                f"<br><small>{html.escape(missing_facts_list(self.missing_facts, 'en'))}</small></p>"
            )
        yes_no = {True: "是", False: "否"}
        return (
            f"<div><b>{html.escape(self.household_id)}</b> · {html.escape(self.pack)} · "
            f"{html.escape(format_value(self.as_of, 'zh'))} → <b>{html.escape(self.outcome.zh)}</b>"
            f" <small>({html.escape(self.outcome.en)})</small>"
            f"<br>重点关注农户：{groups}；绿色通道：{yes_no[self.green_channel.applies]}；"
            f"须入户排查：{yes_no[self.must_visit]}"
            f"<table><tr><th>理由 / reason</th><th>条款 / clause</th></tr>{rows}</table>"
            + missing
            + "</div>"
        )


def _excluded_text(fact: ExcludedFact, lang: str) -> str:
    """A fact left out for its date, with the date unless its name already says it."""
    name, day = fact_text(fact.path, lang), format_value(fact.dated, lang)
    if day in name:
        return name
    return f"{name}（{day}）" if lang == "zh" else f"{name} ({day})"


def _cited(citation: str, lang: str) -> str:
    """A clause after a sentence: "（一、(一)1）" in Chinese, " [pack:clause]" in English."""
    return f"（{clause_text(citation)}）" if lang == "zh" else f" [{citation}]"


class EliminationOutcome(StrEnum):
    """The answer to "may this household leave monitoring?" (风险消除) and the review of it."""

    ELIMINATE = "eliminate"  # every stated condition is met
    NEEDS_REVIEW = "needs_review"  # a condition is unknown or left to officials (综合研判)
    NOT_YET = "not_yet"  # a condition is not met (listed)
    HOLD_SAFETY_NET = "hold_safety_net"  # 整户无劳动能力兜底保障: marked, not eliminated
    ROLLBACK = "rollback"  # 风险回退 of an eliminated household
    REIDENTIFY = "reidentify"  # new risk after elimination: identify again
    REMAINS_ELIMINATED = "remains_eliminated"  # the review found nothing to undo
    NOT_MONITORED = "not_monitored"  # no monitoring record: nothing to eliminate
    NOT_COVERED = "not_covered"  # the document states no elimination rule

    @property
    def zh(self) -> str:
        return {
            "eliminate": "符合风险消除条件",
            "needs_review": "需综合研判",
            "not_yet": "暂不符合风险消除条件",
            "hold_safety_net": "兜底保障户，暂不消除风险",
            "rollback": "应按程序申请“风险回退”",
            "reidentify": "应按监测对象认定程序重新识别",
            "remains_eliminated": "已标注风险消除",
            "not_monitored": "非监测对象",
            "not_covered": "文件未规定风险消除规则",
        }[self.value]

    @property
    def en(self) -> str:
        return {
            "eliminate": "meets the conditions to eliminate the risk",
            "needs_review": "needs the officials' judgement",
            "not_yet": "does not yet meet the conditions to eliminate the risk",
            "hold_safety_net": "safety-net household: risk not eliminated",
            "rollback": "apply for 风险回退 by the procedure",
            "reidentify": "identify again by the monitoring procedure",
            "remains_eliminated": "risk marked eliminated",
            "not_monitored": "not a monitored household",
            "not_covered": "the document states no elimination rule",
        }[self.value]

    def label(self, lang: str = "zh") -> str:
        """The outcome as a person reads it (the code stays in ``value``)."""
        return self.zh if lang == "zh" else self.en


class Elimination(_Value):
    """The elimination answer with its conditions, reasons, flags and trace."""

    pack: str
    pack_version: str
    pack_hash: str
    household_id: str
    as_of: date
    outcome: EliminationOutcome
    conditions_met: tuple[GroupMatch, ...] = ()
    conditions_unmet: tuple[GroupMatch, ...] = ()
    conditions_unknown: tuple[GroupMatch, ...] = ()
    flags: tuple[GroupMatch, ...] = ()
    reasons: tuple[Reason, ...] = ()
    review_points: tuple[LocalText, ...] = ()
    missing_facts: tuple[str, ...] = ()
    reforms: tuple[str, ...] = ()
    trace: Trace

    def explain(self, lang: str = "zh", *, trace: bool = False) -> str:
        """Outcome, the conditions met / not met / unknown, reasons, what to judge and find out;
        with ``trace=True`` the 规则运行记录 follows."""
        zh = lang == "zh"
        head = (
            f"户 {self.household_id}（{self.pack}，评估日 {format_value(self.as_of, lang)}）："
            f"{self.outcome.zh}"
            if zh
            else f"Household {self.household_id} ({self.pack}, as of {self.as_of}): "
            f"{self.outcome.en}"
        )
        lines = [head]
        for title, items in (
            (("已满足", "Met"), self.conditions_met),
            (("未满足", "Not met"), self.conditions_unmet),
            (("未知", "Unknown"), self.conditions_unknown),
            (("需处理", "To fix"), self.flags),
        ):
            for item in items:
                lines.append(
                    f"  {title[0]}：{item.label(lang)}{_cited(item.citation, lang)}"
                    if zh
                    else f"  {title[1]}: {item.label(lang)}{_cited(item.citation, lang)}"
                )
        lines.extend(f"  - {r.text(lang)}{_cited(r.citation, lang)}" for r in self.reasons)
        lines.extend(("  待研判：" if zh else "  To judge: ") + p(lang) for p in self.review_points)
        if self.missing_facts:
            lines.append(
                ("缺少的事实：" if zh else "Missing facts: ")
                + missing_facts_list(self.missing_facts, lang)
            )
        if trace:
            lines.append(self.trace.explain(lang))
        return masked("\n".join(lines))


#: The reasons a household of a batch is not answered, in Chinese (the machine text is English).
_BAD_ROW_ZH = {DUPLICATED_HOUSEHOLD: "同一批数据中该户编号出现不止一次：每一条都列出，均不作答"}


class BadRow(_Value):
    """A household of a batch that could not be answered, in its place in the batch.

    ``identify_many`` returns one per such household, where its answer would be: the batch is
    never refused as a whole. Today the one reason is a household id that appears more than once
    in the batch: every copy is a bad row (which copy is right is not for the engine to guess),
    every other household is answered. ``outcome`` is always ``"error"``.
    """

    pack: str
    household_id: str
    as_of: date
    position: int = Field(description="0-based position in the batch")
    outcome: Literal["error"] = "error"
    error: str = Field(description="the reason, ID numbers masked")

    def explain(self, lang: str = "zh") -> str:
        """The reason, as a line of a report."""
        head = (
            f"户 {self.household_id}（{self.pack}，评估日 {format_value(self.as_of, lang)}）：无法评估"
            if lang == "zh"
            else f"Household {self.household_id} ({self.pack}, as of {self.as_of}): not evaluated"
        )
        if lang == "zh":
            return masked(f"{head}：{_BAD_ROW_ZH.get(self.error, self.error)}")
        return masked(f"{head}: {self.error}")


_REQUIRED = object()
_DEFAULTS: list[tuple[str, Any]] = []


@functools.cache
def _plain_answer() -> type[BaseModel]:
    """A model with the fields and configuration of :class:`Identification` and none of its
    hooks, to write a built answer's JSON (made on first use: the class is complete by then)."""
    fields: dict[str, Any] = {
        name: (field.annotation, field) for name, field in Identification.model_fields.items()
    }
    return create_model("Identification", __config__=Identification.model_config, **fields)


@functools.cache
def _answer_without_trace() -> type[BaseModel]:
    """:func:`_plain_answer` without the trace, which is the last field (asserted): the text of
    an answer is this model's text with the trace's text added at its end."""
    names = list(Identification.model_fields)
    assert names[-1] == "trace", names
    fields: dict[str, Any] = {
        name: (field.annotation, field)
        for name, field in Identification.model_fields.items()
        if name != "trace"
    }
    return create_model("Identification", __config__=Identification.model_config, **fields)


def _identification_defaults() -> list[tuple[str, Any]]:
    """(field, default or _REQUIRED) of every field of an answer but the deferred ones, in field
    order (made on first use: the class is complete by then)."""
    if not _DEFAULTS:
        _DEFAULTS.extend(
            (
                name,
                _REQUIRED if field.is_required() else field.get_default(call_default_factory=True),
            )
            for name, field in Identification.model_fields.items()
            if name not in Identification._DEFERRED
        )
    return _DEFAULTS
