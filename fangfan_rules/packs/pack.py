"""A policy pack: a document's metadata, dated parameters and rules, loaded from data files.

A pack directory holds ``pack.yaml`` (document metadata, validity, category precedence),
``parameters.yaml`` (dated, cited values) and ``rules.yaml`` (cited rules over core variables).
Its Python module is one line: ``pack = Pack.from_directory(Path(__file__).parent)``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from fangfan_rules.errors import (
    MissingParameterError,
    NotInForceError,
    PackError,
    ParameterError,
    RuleError,
    UnsuppliedParameterError,
    validation_message,
)
from fangfan_rules.rules.conditions import parameters_used, rules_referenced
from fangfan_rules.rules.parameters import (
    NOT_STATED,
    Parameter,
    ParameterValue,
    coerce_value,
    parse_parameters,
)
from fangfan_rules.rules.rule import Rule, parse_rule
from fangfan_rules.rules.yamlload import load_yaml
from fangfan_rules.timeline import Timeline, load_timeline
from fangfan_rules.vocabulary import MonitoringCategory

if TYPE_CHECKING:
    from fangfan_rules.calendar import WorkingDayCalendar
    from fangfan_rules.facts import Household
    from fangfan_rules.results import BadRow, Deadline, Elimination, Identification
    from fangfan_rules.timeline import Case, Violation


#: Top-level keys of ``pack.yaml`` (anything else is a typo or a foreign file: refused).
PACK_KEYS = frozenset(
    {"name", "version", "document", "valid_from", "valid_to", "category_precedence"}
)


@contextmanager
def _naming(path: Path) -> Iterator[None]:
    """Re-raise anything a pack file's content can cause as a PackError naming the file."""
    try:
        yield
    except (RuleError, ParameterError) as exc:
        text = str(exc)
        raise type(exc)(text if str(path) in text else f"{path}: {text}") from None
    except PackError as exc:
        text = str(exc)
        raise PackError(text if str(path) in text else f"{path}: {text}") from None
    except (ValueError, TypeError, KeyError, RecursionError) as exc:
        raise PackError(f"{path}: {type(exc).__name__}: {exc}") from None


def _mapping(path: Path, allowed: frozenset[str]) -> Mapping[str, Any]:
    data = load_yaml(path)
    if not isinstance(data, Mapping):
        raise PackError(f"{path}: expected a mapping of keys")
    unknown = sorted(str(k) for k in set(data) - allowed)
    if unknown:
        raise PackError(f"{path}: unknown keys {unknown} (allowed: {sorted(allowed)})")
    return data


def _rules(name: str, path: Path, defaults: Mapping[str, Any]) -> list[Rule]:
    data = _mapping(path, frozenset({"rules"}))
    if not isinstance(data.get("rules"), list):
        raise PackError(f"{path}: expected 'rules:' with a list")
    with _naming(path):
        return [parse_rule(name, r, defaults) for r in data["rules"]]


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"])
    message = validation_message(error)
    return f"{where}: {message}" if where else message


class DocumentInfo(BaseModel):
    """The source document of a pack."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: str
    issuer: str
    number: str | None = None
    #: the issue date; for a document that prints no day, a labelled reading (see date_printed)
    date: date
    date_printed: str | None = Field(
        None,
        description=(
            "what the document prints of its date when it prints no day (e.g. only the year): "
            "shown instead of ``date``, which then stands only for the pack's reading"
        ),
    )
    region: str
    file: str
    url: str | None = None

    @property
    def date_shown(self) -> str:
        """The date as a card shows it: what the document prints when it prints no day
        (``date_printed``), else ``date``."""
        return self.date_printed or self.date.isoformat()


class Pack:
    """One jurisdiction's identification rules. Immutable: overrides return a new pack."""

    def __init__(
        self,
        *,
        name: str,
        version: str,
        document: DocumentInfo,
        valid_from: date,
        valid_to: date | None,
        parameters: Mapping[str, Parameter],
        rules: Iterable[Rule],
        category_precedence: Iterable[MonitoringCategory],
        overrides: Mapping[str, ParameterValue] | None = None,
        directory: Path | None = None,
        timeline: Timeline | None = None,
        elimination: Iterable[Rule] = (),
        rule_changes: Mapping[str, str] | None = None,
    ):
        self.name = name
        self.version = version
        self.document = document
        self.valid_from = valid_from
        self.valid_to = valid_to
        self.parameters: Mapping[str, Parameter] = dict(parameters)
        self.rules: tuple[Rule, ...] = tuple(rules)
        self.category_precedence = tuple(category_precedence)
        self.overrides: Mapping[str, ParameterValue] = dict(overrides or {})
        self.directory = directory
        #: deadlines, step order and minimum spans (``timeline.yaml``; empty if the pack has none)
        self.timeline = timeline or Timeline()
        #: elimination rules (``elimination.yaml``; empty → the document states no elimination rule)
        self.elimination: tuple[Rule, ...] = tuple(elimination)
        #: reforms of the rules themselves: local rule id → "added" / "removed" / "replaced"
        self.rule_changes: Mapping[str, str] = dict(rule_changes or {})
        self._validate()

    # -- loading ----------------------------------------------------------------------------
    @classmethod
    def from_directory(cls, directory: Path | str) -> Pack:
        """Load a pack from its data files (``pack.yaml``, ``parameters.yaml``, ``rules.yaml`` and
        the optional ``timeline.yaml`` / ``elimination.yaml``).

        A pack is input: every problem is a :class:`PackError` (or its :class:`RuleError` /
        :class:`ParameterError` kinds) naming the file and the key.
        """
        directory = Path(directory)
        if not directory.is_dir():
            raise PackError(f"{directory}: not a pack directory")
        meta_path = directory / "pack.yaml"
        meta = _mapping(meta_path, PACK_KEYS)
        with _naming(meta_path):
            missing = sorted({"name", "valid_from", "document"} - set(meta))
            if missing:
                raise PackError(f"missing keys {missing}")
            name = meta["name"]
            if not isinstance(name, str) or not name.isidentifier():
                raise PackError(f"name: {name!r} is not a pack name (letters, digits, _)")
            valid_from, valid_to = meta["valid_from"], meta.get("valid_to")
            for key, value in (("valid_from", valid_from), ("valid_to", valid_to)):
                if value is not None and not isinstance(value, date):
                    raise PackError(f"{key}: {value!r} is not a date (YYYY-MM-DD)")
            try:
                document = DocumentInfo.model_validate(meta["document"])
            except ValidationError as exc:
                raise PackError(f"document: {_first_error(exc)}") from None
            try:
                precedence = [MonitoringCategory(c) for c in meta.get("category_precedence", [])]
            except (ValueError, TypeError) as exc:
                raise PackError(f"category_precedence: {exc}") from None
        parameters_path = directory / "parameters.yaml"
        with _naming(parameters_path):
            parameters = parse_parameters(name, load_yaml(parameters_path), str(parameters_path))
        defaults = {"valid_from": valid_from, "valid_to": valid_to}
        rules = _rules(name, directory / "rules.yaml", defaults)
        timeline_path = directory / "timeline.yaml"
        timeline = None
        if timeline_path.exists():
            with _naming(timeline_path):
                timeline = load_timeline(name, timeline_path)
        elimination_path = directory / "elimination.yaml"
        elimination = _rules(name, elimination_path, defaults) if elimination_path.exists() else []
        with _naming(directory):
            return cls(
                name=name,
                version=str(meta.get("version", "0")),
                document=document,
                valid_from=valid_from,
                valid_to=valid_to,
                parameters=parameters,
                rules=rules,
                category_precedence=precedence,
                directory=directory,
                timeline=timeline,
                elimination=elimination,
            )

    def _validate(self) -> None:
        ids = [r.id for r in (*self.rules, *self.elimination)]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise RuleError(f"{self.name}: duplicate rule ids {duplicates}")
        known = set(ids)
        for rule in (*self.rules, *self.elimination):
            for param in parameters_used(rule.condition):
                if param not in self.parameters:
                    raise RuleError(f"rule {rule.id}: unknown parameter {param!r}")
            deadline = rule.effect.deadline
            if deadline and isinstance(deadline.days, dict):
                if deadline.days.get("param") not in self.parameters:
                    raise RuleError(f"rule {rule.id}: unknown parameter in deadline days")
            for ref in rules_referenced(rule.condition):
                if ref not in known:
                    raise RuleError(f"rule {rule.id}: 'fired' refers to unknown rule {ref!r}")
        self.ordered_rules()  # detects cycles
        from fangfan_rules.engines.native import order_rules

        order_rules(self.elimination, self.name)

    # -- parameters -------------------------------------------------------------------------
    def parameter_value(self, name: str, day: date) -> ParameterValue:
        """The value of ``name`` in force on ``day`` (a caller override wins).

        A stated value that has ended (ewenki's 2024 income line after 2024-12-31) raises
        :class:`NotInForceError` saying which value ends when and how to supply a later one."""
        if name in self.overrides:
            return self.overrides[name]
        if name not in self.parameters:
            raise ParameterError(f"{self.name}: no parameter {name!r}")
        try:
            return self.parameters[name].at(day)
        except NotInForceError:
            raise NotInForceError(
                f"{self.name}: {name} has no value in force on {day}: "
                f"{self.validity_text(name)}; supply --param {name}=… (in Python "
                f"pack.with_parameters({name}=…)) for other dates"
            ) from None

    def validity_text(self, name: str) -> str:
        """When the document's values of ``name`` are in force, with their clauses, e.g.
        ``monitoring_income_line (8300.00, 一、(一)) is in force 2024-05-11..2024-12-31``."""
        values = self.parameters[name].values
        spans = [
            (f"{_plain(v.value)}, {v.citation.removeprefix(self.name + ':')}",
             f"{v.valid_from}..{v.valid_to or ''}")
            for v in values
        ]  # fmt: skip
        if len(spans) == 1:
            return f"{name} ({spans[0][0]}) is in force {spans[0][1]}"
        return f"{name} is in force " + ", ".join(f"{when} ({what})" for what, when in spans)

    def needed_parameters(self) -> tuple[str, ...]:
        """Parameters the identification and elimination rules read (conditions and deadlines)."""
        names: set[str] = set()
        for rule in (*self.rules, *self.elimination):
            names.update(parameters_used(rule.condition))
            deadline = rule.effect.deadline
            if deadline and isinstance(deadline.days, dict) and deadline.days.get("param"):
                names.add(str(deadline.days["param"]))
        return tuple(sorted(names))

    def answerable_ranges(self) -> tuple[tuple[date, date | None], ...]:
        """The date ranges (``None``: open-ended) on which the pack is in force *and* every
        parameter its rules read has a value (stated, or supplied by the caller)."""
        ranges: list[tuple[date, date | None]] = [(self.valid_from, self.valid_to)]
        for name in self.needed_parameters():
            if name in self.overrides:
                continue
            spans = [(v.valid_from, v.valid_to) for v in self.parameters[name].values]
            ranges = [r for a in ranges for b in spans if (r := _overlap(a, b)) is not None]
        return tuple(sorted(ranges))

    def parameter_limits(self) -> tuple[ParameterValue, ...]:
        """The last stated value of each parameter the rules read that ends before the pack
        does (e.g. ewenki's 2024 income line): after it, the caller must supply the figure."""
        out = []
        for name in self.needed_parameters():
            if name in self.overrides:
                continue
            last = self.parameters[name].values[-1]
            ends = last.valid_to
            if ends is not None and (self.valid_to is None or ends < self.valid_to):
                out.append(last)
        return tuple(out)

    def stated_value(self, name: str, day: date, rule_id: str | None = None) -> ParameterValue:
        """The value of ``name`` in force on ``day``, refusing one the document does not state and
        the caller has not supplied: :class:`UnsuppliedParameterError` when the parameter is
        declared ``when_not_supplied: review`` (the engines make the reading condition unknown),
        :class:`MissingParameterError` otherwise."""
        value = self.parameter_value(name, day)
        if value.stated:
            return value
        error = (
            UnsuppliedParameterError
            if self.parameters[name].when_not_supplied == "review"
            else MissingParameterError
        )
        raise error(self.name, name, value.citation, rule_id)

    def with_parameters(self, **values: Any) -> Pack:
        """A new pack with caller-supplied values (e.g. the provincial monitoring income line).

        The values are recorded as overrides: they appear in every trace and change the content
        hash, so a result always shows which figures the caller supplied.
        """
        overrides = dict(self.overrides)
        for name, raw in values.items():
            if name not in self.parameters:
                known = ", ".join(sorted(self.parameters))
                raise ParameterError(f"{self.name}: no parameter {name!r} (known: {known})")
            parameter = self.parameters[name]
            value = coerce_value(name, parameter.type, raw)
            if value == NOT_STATED:
                raise ParameterError(
                    f"{self.name}: a supplied value for {name!r} cannot be 'not_stated'"
                )
            overrides[name] = ParameterValue(
                name=name,
                value=value,
                type=parameter.type,
                unit=parameter.unit,
                citation="caller-supplied",
                valid_from=self.valid_from,
                valid_to=self.valid_to,
                source="caller",
            )
        return Pack(
            name=self.name,
            version=self.version,
            document=self.document,
            valid_from=self.valid_from,
            valid_to=self.valid_to,
            parameters=self.parameters,
            rules=self.rules,
            category_precedence=self.category_precedence,
            overrides=overrides,
            directory=self.directory,
            timeline=self.timeline,
            elimination=self.elimination,
            rule_changes=self.rule_changes,
        )

    @cached_property
    def reforms(self) -> tuple[str, ...]:
        """The caller's figures and rule reforms, as every answer lists them (computed once: a
        pack is immutable)."""
        values = tuple(
            f"{name}={_plain(value.value)} ({value.source})"
            for name, value in sorted(self.overrides.items())
        )
        rules = tuple(
            f"rule:{rid}={change} (reform)" for rid, change in sorted(self.rule_changes.items())
        )
        return values + rules

    def caller_supplied(self) -> tuple[str, ...]:
        """Parameters the document does not state and the caller has not supplied yet."""
        return tuple(
            name
            for name, p in sorted(self.parameters.items())
            if name not in self.overrides and any(not v.stated for v in p.values)
        )

    # -- rules ------------------------------------------------------------------------------
    def ordered_rules(self) -> tuple[Rule, ...]:
        """Rules sorted so that every ``fired`` reference is evaluated first (stable by id)."""
        from fangfan_rules.engines.native import order_rules

        return order_rules(self.rules, self.name)

    def rule(self, rule_id: str) -> Rule:
        full = rule_id if rule_id.startswith(self.name + ".") else f"{self.name}.{rule_id}"
        for rule in self.rules:
            if rule.id == full:
                return rule
        raise RuleError(f"{self.name}: no rule {rule_id!r}")

    def check_in_force(self, day: date) -> None:
        if day < self.valid_from or (self.valid_to is not None and day > self.valid_to):
            until = self.valid_to.isoformat() if self.valid_to else "open-ended"
            raise NotInForceError(
                f"{self.name} is in force from {self.valid_from} ({until}); cannot evaluate as of {day}"
            )

    # -- identity ---------------------------------------------------------------------------
    @cached_property
    def content_hash(self) -> str:
        """sha256 of the pack's metadata, parameters (with overrides) and rules."""
        payload = {
            "name": self.name,
            "version": self.version,
            "document": self.document.model_dump(mode="json"),
            "validity": [str(self.valid_from), str(self.valid_to)],
            "category_precedence": [c.value for c in self.category_precedence],
            "parameters": {
                n: p.model_dump(mode="json") for n, p in sorted(self.parameters.items())
            },
            "overrides": {n: v.model_dump(mode="json") for n, v in sorted(self.overrides.items())},
            "rules": [r.model_dump(mode="json") for r in sorted(self.rules, key=lambda r: r.id)],
            "elimination": [
                r.model_dump(mode="json") for r in sorted(self.elimination, key=lambda r: r.id)
            ],
            "timeline": self.timeline.model_dump(mode="json"),
            "rule_changes": dict(sorted(self.rule_changes.items())),
            # Every data file that shapes an output (ledger.yaml shapes the jimo 台账): its bytes.
            "files": self._data_file_hashes(),
        }
        text = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
        return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()

    def _data_file_hashes(self) -> dict[str, str]:
        if self.directory is None:
            return {}
        return {
            path.name: hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(Path(self.directory).glob("*.yaml"))
        }

    # -- evaluation -------------------------------------------------------------------------
    def identify(
        self,
        household: Household,
        *,
        as_of: date,
        calendar: WorkingDayCalendar | None = None,
    ) -> Identification:
        """Should ``household`` be identified for monitoring on ``as_of``? Explained answer."""
        from fangfan_rules.engines.native import identify

        return identify(self, household, as_of=as_of, calendar=calendar)

    def identify_many(
        self,
        households: Iterable[Household],
        *,
        as_of: date,
        calendar: WorkingDayCalendar | None = None,
    ) -> list[Identification | BadRow]:
        """Identify a batch of households, in input order (the batch API later engines share).

        Population-level rules (area percentiles, village aggregates) are computed once over the
        batch and shown in each trace; every other rule is per household, so a result does not
        depend on the order of the batch. A household id that appears more than once: every
        copy is a :class:`~fangfan_rules.results.BadRow` in its place (``outcome == "error"``),
        every other household is answered.
        """
        from fangfan_rules.engines.native import identify_many

        return identify_many(self, households, as_of=as_of, calendar=calendar)

    def assess_elimination(self, household: Household, *, as_of: date) -> Elimination:
        """May ``household`` leave monitoring on ``as_of``? (``not_covered`` if the document
        states no elimination rule.)"""
        from fangfan_rules.engines.elimination import assess_elimination

        return assess_elimination(self, household, as_of=as_of)

    def deadlines(
        self, case: Case, *, as_of: date, calendar: WorkingDayCalendar | None = None
    ) -> tuple[Deadline, ...]:
        """Every deadline of this pack that applies to ``case``, with its status on ``as_of``."""
        from fangfan_rules.timeline import deadlines

        return deadlines(self, case, as_of=as_of, calendar=calendar)

    def check_procedure(
        self,
        case: Case,
        *,
        as_of: date | None = None,
        calendar: WorkingDayCalendar | None = None,
    ) -> tuple[Violation, ...]:
        """Procedure violations in ``case``: missing steps, wrong order, deadlines, publicity."""
        from fangfan_rules.timeline import check_procedure

        return check_procedure(self, case, as_of=as_of, calendar=calendar)

    def describe(self) -> str:
        """The pack card as Markdown (document, parameters, groups, deadlines, elimination…)."""
        from fangfan_rules.analysis.card import pack_card_markdown

        return pack_card_markdown(self)

    def _repr_html_(self) -> str:
        from fangfan_rules.analysis.card import pack_card_html

        return pack_card_html(self)

    def identify_frame(self, households: Any, *, as_of: date, engine: str = "vectorized") -> Any:
        """compare()'s columns for a batch as a pandas DataFrame, from any engine.

        ``engine``: ``"vectorized"`` (default; polars, columnar, the fast path for large batches),
        ``"native"`` (the reference evaluator, full explanations) or ``"durable"`` (the
        durable_rules backend). All three give the same outcome, category, risk types, groups,
        areas, flags, must-visit, green channel and deciding rule (proven by differential tests),
        and every one fills every column: the durable backend decides, and ``first_reason``,
        ``citation`` and ``missing_facts`` are worded by the native evaluator as in the others.

        List columns (``risk_types``, ``key_attention``, ``key_areas``, ``flags``,
        ``missing_facts``) are strings, the items joined by ``;`` (``""`` for none), so
        ``frame.key_attention.str.contains("①")`` and ``frame.to_excel(...)`` work;
        ``deciding_rule`` is a rule id and ``decided_by_unknown`` is True when the answer is a
        review because that rule's facts are missing (:mod:`fangfan_rules.result_rows`).
        """
        if engine == "durable":
            from fangfan_rules.engines.durable_backend import DurableEngine

            with DurableEngine(self, as_of=as_of) as durable:
                return durable.identify_many(households, explain=True)
        from fangfan_rules.engines.vectorized import identify

        return identify(self, households, as_of=as_of, engine=engine)

    def __repr__(self) -> str:
        return f"<Pack {self.name} {self.version} ({self.document.region}, {self.document.date_shown})>"


def _overlap(
    a: tuple[date, date | None], b: tuple[date, date | None]
) -> tuple[date, date | None] | None:
    start = max(a[0], b[0])
    ends = [e for e in (a[1], b[1]) if e is not None]
    end = min(ends) if ends else None
    return (start, end) if end is None or start <= end else None


def _plain(value: Any) -> str:
    if isinstance(value, Decimal):
        return str(value)
    return str(value)
