"""A policy pack: a document's metadata, dated parameters and rules, loaded from data files.

A pack directory holds ``pack.yaml`` (document metadata, validity, category precedence),
``parameters.yaml`` (dated, cited values) and ``rules.yaml`` (cited rules over core variables).
Its Python module is one line: ``pack = Pack.from_directory(Path(__file__).parent)``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from fangfan_rules.errors import NotInForceError, PackError, ParameterError, RuleError
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


class DocumentInfo(BaseModel):
    """The source document of a pack."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: str
    issuer: str
    number: str | None = None
    date: date
    region: str
    file: str
    url: str | None = None


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
        """Load a pack from its data files (``pack.yaml``, ``parameters.yaml``, ``rules.yaml``)."""
        directory = Path(directory)
        meta = load_yaml(directory / "pack.yaml")
        if not isinstance(meta, Mapping):
            raise PackError(f"{directory / 'pack.yaml'}: expected a mapping")
        try:
            name = str(meta["name"])
            valid_from = meta["valid_from"]
            document = DocumentInfo.model_validate(meta["document"])
        except (KeyError, ValueError) as exc:
            raise PackError(f"{directory / 'pack.yaml'}: {exc}") from None
        parameters = parse_parameters(
            name, load_yaml(directory / "parameters.yaml"), str(directory / "parameters.yaml")
        )
        rules_data = load_yaml(directory / "rules.yaml")
        if not isinstance(rules_data, Mapping) or not isinstance(rules_data.get("rules"), list):
            raise PackError(f"{directory / 'rules.yaml'}: expected 'rules:' with a list")
        defaults = {"valid_from": valid_from, "valid_to": meta.get("valid_to")}
        rules = [parse_rule(name, r, defaults) for r in rules_data["rules"]]
        timeline_path = directory / "timeline.yaml"
        timeline = load_timeline(name, timeline_path) if timeline_path.exists() else None
        elimination_path = directory / "elimination.yaml"
        elimination = []
        if elimination_path.exists():
            data = load_yaml(elimination_path)
            if not isinstance(data, Mapping) or not isinstance(data.get("rules"), list):
                raise PackError(f"{elimination_path}: expected 'rules:' with a list")
            elimination = [parse_rule(name, r, defaults) for r in data["rules"]]
        return cls(
            name=name,
            version=str(meta.get("version", "0")),
            document=document,
            valid_from=valid_from,
            valid_to=meta.get("valid_to"),
            parameters=parameters,
            rules=rules,
            category_precedence=[
                MonitoringCategory(c) for c in meta.get("category_precedence", [])
            ],
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
        """The value of ``name`` in force on ``day`` (a caller override wins)."""
        if name in self.overrides:
            return self.overrides[name]
        try:
            return self.parameters[name].at(day)
        except KeyError:
            raise ParameterError(f"{self.name}: no parameter {name!r}") from None

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

    @property
    def reforms(self) -> tuple[str, ...]:
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
        }
        text = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
        return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()

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
        areas, flags, must-visit, green channel and deciding rule (proven by differential tests).
        """
        if engine == "durable":
            from fangfan_rules.engines.durable_backend import DurableEngine

            with DurableEngine(self, as_of=as_of) as durable:
                return durable.identify_many(households)
        from fangfan_rules.engines.vectorized import identify

        return identify(self, households, as_of=as_of, engine=engine)

    def __repr__(self) -> str:
        return f"<Pack {self.name} {self.version} ({self.document.region}, {self.document.date})>"


def _plain(value: Any) -> str:
    if isinstance(value, Decimal):
        return str(value)
    return str(value)
