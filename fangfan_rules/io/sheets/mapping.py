"""Mapping files: which spreadsheet column is which fact, and which word is which value.

A mapping is YAML (docs/spreadsheets.md), checked against the JSON Schema shipped beside the
mappings (``fangfan_rules/io/mappings/mapping.schema.json``) and then against the fact models:
every word must be a value its field accepts, so a typo in a mapping is an error when the mapping
is loaded, never a wrong fact on some row later.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from fangfan_rules.dates import DateRange
from fangfan_rules.errors import FangfanError, PackError
from fangfan_rules.io.sheets.fields import (
    CellKind,
    cell_kind,
    check_word_value,
    household_fields,
    is_object,
    member_fields,
    record_fields,
)
from fangfan_rules.rules.yamlload import load_yaml, load_yaml_text

#: The mappings shipped in the package, by name (``load_mapping("default")``).
SHIPPED = {"default": "default.yaml", "office_example": "office_example.yaml"}
_SCHEMA_FILE = "mapping.schema.json"


class SpreadsheetError(FangfanError, ValueError):
    """A spreadsheet cannot be read at all (no header, a required column missing, encoding)."""


class MappingError(SpreadsheetError):
    """A mapping file is malformed; the message names the file and the place in it."""


@dataclass(frozen=True)
class Column:
    """One column (or fixed value) and the field it fills."""

    target: str
    header: str | None
    kind: CellKind
    words: Mapping[str, Any] | None = None
    suffixes: tuple[str, ...] = ()
    required: bool = False
    value: Any = None
    #: the field is a whole fact (``health``): each word gives several of its sub-fields
    is_object: bool = False


@dataclass(frozen=True)
class RecordGroup:
    """Columns that together make one dated record (an income period, a 低保 spell…)."""

    into: str
    columns: tuple[Column, ...]
    fixed: Mapping[str, Any] = field(default_factory=dict)
    period: DateRange | None = None
    per_capita: Column | None = None
    #: one record per row that fills the group (a member's own spending), instead of one per
    #: household whose cells must agree on every row
    each_row: bool = False


@dataclass(frozen=True)
class SpreadsheetMapping:
    """A loaded, checked mapping. Build one with :func:`load_mapping`."""

    name: str
    source: str
    key: Column
    household: tuple[Column, ...]
    member: tuple[Column, ...]
    records: tuple[RecordGroup, ...] = ()
    sheet: str | None = None
    header_rows: int = 1
    header_search_rows: int = 20
    totals_markers: tuple[str, ...] = ("合计", "总计", "小计")
    money_forms: frozenset[str] = frozenset({"plain", "thousands", "yuan_suffix"})
    date_forms: frozenset[str] = frozenset({"ymd_slash", "ymd_dash", "ymd_chinese", "excel_date"})
    ignore: tuple[str, ...] = ()
    description: str = ""

    def columns(self) -> list[Column]:
        """Every column read from the sheet (fixed values left out), in mapping order."""
        everything = [*self.household, *self.member]
        for group in self.records:
            everything += group.columns
            if group.per_capita is not None:
                everything.append(group.per_capita)
        return [c for c in everything if c.header is not None]

    def with_income_period(self, start: dt.date, end: dt.date) -> SpreadsheetMapping:
        """This mapping with the period its income columns cover (for mappings that leave it to
        the caller, such as the default one: the documents' surveys cover different periods)."""
        period = DateRange(start=start, end=end)
        groups = []
        for group in self.records:
            if group.into == "income":
                if group.period is not None and group.period != period:
                    raise MappingError(
                        f"mapping {self.name!r} states the income period {group.period}; "
                        f"{period} was also given (one period per income group)"
                    )
                group = dataclasses.replace(group, period=period)
            groups.append(group)
        return dataclasses.replace(self, records=tuple(groups))


@cache
def mapping_schema() -> dict[str, Any]:
    """The shipped JSON Schema of mapping files."""
    text = resources.files("fangfan_rules.io.mappings").joinpath(_SCHEMA_FILE).read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def _jsonable(value: Any) -> Any:
    """YAML dates as ISO text, so the schema sees what the file says."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


def _schema_problems(document: Any) -> list[str]:
    import jsonschema  # imported here: only mapping loading needs it

    validator = jsonschema.Draft202012Validator(mapping_schema())
    problems = []
    for error in sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.path))):
        where = ".".join(str(p) for p in error.path) or "<top>"
        best = jsonschema.exceptions.best_match([error])
        problems.append(f"{where}: {best.message}")
    return problems


class _Builder:
    """Turns a schema-valid mapping document into checked :class:`Column` objects."""

    def __init__(self, document: dict[str, Any], name: str) -> None:
        self.vocabularies: dict[str, Any] = document.get("vocabularies", {})
        self.name = name
        self.problems: list[str] = []
        self.headers: dict[str, str] = {}

    def column(self, where: str, target: str, annotation: Any, spec: dict[str, Any]) -> Column:
        words = spec.get("words")
        if isinstance(words, str):
            if words not in self.vocabularies:
                self.problems.append(f"{where}: no vocabulary named {words!r}")
                words = None
            else:
                words = self.vocabularies[words]
        kind = "words" if words is not None else cell_kind(target, annotation)
        if kind == "words" and words is None and "value" not in spec:
            self.problems.append(
                f"{where}: {target} takes a value of the vocabulary; say which word is which "
                "with `words`"
            )
        for word, value in (words or {}).items():
            problem = check_word_value(annotation, value)
            if problem:
                self.problems.append(f"{where}.words.{word}: {problem}")
        if "value" in spec:
            problem = check_word_value(annotation, _jsonable(spec["value"]))
            if problem:
                self.problems.append(f"{where}.value: {problem}")
        header = spec.get("header")
        if header is not None:
            if header in self.headers:
                self.problems.append(
                    f"{where}: header {header!r} is already read as {self.headers[header]}"
                )
            self.headers[header] = where
        return Column(
            target=target,
            header=header,
            kind=kind,
            words=words,
            suffixes=tuple(spec.get("suffixes", ())),
            required=bool(spec.get("required", False)),
            value=_jsonable(spec.get("value")),
            is_object=is_object(annotation),
        )

    def columns(self, section: str, specs: dict[str, Any], fields: dict[str, Any]) -> list[Column]:
        return [
            self.column(f"{section}.{target}", target, fields[target], spec)
            for target, spec in specs.items()
        ]

    def record(self, index: int, spec: dict[str, Any]) -> RecordGroup:
        into = spec["into"]
        fields = record_fields(into)
        where = f"records[{index}]"
        columns = self.columns(f"{where}.columns", spec["columns"], fields)
        fixed = _jsonable(spec.get("fixed", {}))
        for target, value in fixed.items():
            problem = check_word_value(fields[target], value)
            if problem:
                self.problems.append(f"{where}.fixed.{target}: {problem}")
        period = None
        if "period" in spec:
            try:
                period = DateRange(start=spec["period"]["start"], end=spec["period"]["end"])
            except ValueError as exc:
                self.problems.append(f"{where}.period: {exc}")
        per_capita = None
        if "per_capita_net_income" in spec.get("check", {}):
            per_capita = self.column(
                f"{where}.check.per_capita_net_income",
                "per_capita_net_income",
                fields["wage_income"],  # an amount, read like any other
                spec["check"]["per_capita_net_income"],
            )
        return RecordGroup(
            into, tuple(columns), fixed, period, per_capita, bool(spec.get("each_row", False))
        )


def _build(document: Any, source: str) -> SpreadsheetMapping:
    problems = _schema_problems(_jsonable(document))
    if problems:
        raise MappingError(
            f"mapping {source}: does not follow the mapping schema:\n  - "
            + "\n  - ".join(problems[:20])
        )
    builder = _Builder(document, document["name"])
    household = builder.columns("household", document["household"], household_fields())
    member = builder.columns("member", document["member"], member_fields())
    records = tuple(builder.record(i, spec) for i, spec in enumerate(document.get("records", [])))
    key = next((c for c in household if c.target == "id"), None)
    if key is None or key.header is None:
        builder.problems.append("household.id: the household key column (户编号) must be mapped")
    if not any(c.target == "relation" for c in member):
        builder.problems.append("member.relation: 与户主关系 must be mapped (every member has one)")
    if builder.problems:
        raise MappingError(f"mapping {source}:\n  - " + "\n  - ".join(builder.problems))
    assert key is not None
    required_key = dataclasses.replace(key, required=True)
    household = [required_key if c is key else c for c in household]
    options: dict[str, Any] = {}
    for name in ("sheet", "header_rows", "header_search_rows", "description"):
        if name in document:
            options[name] = document[name]
    for name in ("totals_markers", "ignore"):
        if name in document:
            options[name] = tuple(document[name])
    for name in ("money_forms", "date_forms"):
        if name in document:
            options[name] = frozenset(document[name])
    return SpreadsheetMapping(
        name=document["name"],
        source=source,
        key=required_key,
        household=tuple(household),
        member=tuple(member),
        records=records,
        **options,
    )


def load_mapping(source: str | Path | Mapping[str, Any]) -> SpreadsheetMapping:
    """Load and check a mapping: a YAML file, a shipped mapping's name (``"default"``,
    ``"office_example"``) or an already-parsed document.

    Raises :class:`MappingError` naming the file and every problem (schema, unknown vocabulary,
    a word whose value its field does not accept, a header read twice).
    """
    if isinstance(source, Mapping):
        return _build(dict(source), "<mapping>")
    if isinstance(source, str) and source in SHIPPED:
        text = (
            resources.files("fangfan_rules.io.mappings")
            .joinpath(SHIPPED[source])
            .read_text("utf-8")
        )
        try:
            document = load_yaml_text(text, SHIPPED[source])
        except PackError as exc:
            raise MappingError(str(exc).replace("pack file", "mapping file")) from None
        return _build(document, source)
    path = Path(source)
    try:
        document = load_yaml(path)
    except PackError as exc:
        raise MappingError(str(exc).replace("pack file", "mapping file")) from None
    return _build(document, str(path))
