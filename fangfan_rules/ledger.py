"""Warning ledgers (预警信息办理台账): one row per warning, columns from a pack's ``ledger.yaml``.

A pack that prescribes a ledger (jimo_2022 附件2 防止返贫监测预警信息办理情况汇总表) describes it
as data: the title, the clause, and the columns in the printed order, each with the fact it is read
from. This module is generic over such a spec:

>>> rows = ledger_rows(households, results, pack=pack)           # doctest: +SKIP
>>> write_ledger("台账.xlsx", rows, format="xlsx")                # doctest: +SKIP

Each household is read as known on its result's ``as_of`` (warnings received later, closing dates
after it, are left out), so a ledger matches the results it is filed with. ID numbers are masked
unless ``reveal_ids=True``.

Spec keys (``ledger.yaml``): ``title``, ``citation``, ``row_per: clue``, ``booleans`` (words for
true / false) and ``columns``: a list of ``{name, source, values?, fallback?, only_channels?}``.
Sources: ``household.id``, ``area.county|town|village``, ``head.name|id_number`` (the member whose
relation is head) and ``clue.<field>`` for every field of :class:`fangfan_rules.facts.Clue`.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from fangfan_rules.errors import FangfanError
from fangfan_rules.facts import Household, known_at
from fangfan_rules.facts.records import Clue
from fangfan_rules.idnumber import ids_revealed, mask_id_number, scrub_id_numbers
from fangfan_rules.rules.yamlload import load_yaml
from fangfan_rules.vocabulary import Channel, Relation

if TYPE_CHECKING:
    from fangfan_rules.packs.pack import Pack
    from fangfan_rules.results import Identification

SPEC_FILE = "ledger.yaml"
_CLUE_FIELDS = frozenset(Clue.model_fields)
_SOURCES = frozenset(
    {"household.id", "area.county", "area.town", "area.village", "head.name", "head.id_number"}
    | {f"clue.{name}" for name in _CLUE_FIELDS}
)
_COLUMN_KEYS = frozenset({"name", "source", "values", "fallback", "only_channels"})
_SPEC_KEYS = frozenset({"title", "citation", "row_per", "booleans", "columns"})
# Text that a spreadsheet would run as a formula when the file is opened (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class LedgerError(FangfanError, ValueError):
    """A ledger spec is malformed, or households and results do not fit together."""


@dataclass(frozen=True)
class LedgerColumn:
    """One column: its printed name and the fact it is read from."""

    name: str
    source: str
    values: Mapping[str, str] = field(default_factory=dict)
    fallback: str | None = None
    only_channels: frozenset[Channel] | None = None


@dataclass(frozen=True)
class LedgerSpec:
    """A pack's ledger: title, clause and columns in the printed order."""

    title: str
    citation: str
    columns: tuple[LedgerColumn, ...]
    true_text: str = "是"
    false_text: str = "否"

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @classmethod
    def from_mapping(cls, data: Any, *, where: str = "ledger spec") -> LedgerSpec:
        if not isinstance(data, Mapping):
            raise LedgerError(f"{where}: expected a mapping")
        unknown = set(data) - _SPEC_KEYS
        if unknown:
            raise LedgerError(f"{where}: unknown keys {sorted(unknown)}")
        for key in ("title", "citation", "columns"):
            if not data.get(key):
                raise LedgerError(f"{where}: '{key}' is required")
        if data.get("row_per", "clue") != "clue":
            raise LedgerError(f"{where}: only 'row_per: clue' is supported")
        booleans = data.get("booleans") or {}
        if not isinstance(booleans, Mapping) or set(booleans) - {"true", "false"}:
            raise LedgerError(f"{where}: 'booleans' takes the keys 'true' and 'false'")
        columns: list[LedgerColumn] = []
        for index, raw in enumerate(data["columns"]):
            here = f"{where}: column #{index + 1}"
            if not isinstance(raw, Mapping) or set(raw) - _COLUMN_KEYS:
                raise LedgerError(f"{here}: expected {sorted(_COLUMN_KEYS)}, got {raw!r}")
            name, source = raw.get("name"), raw.get("source")
            if not isinstance(name, str) or not name.strip():
                raise LedgerError(f"{here}: needs a 'name'")
            for what in (source, raw.get("fallback")):
                if what is not None and what not in _SOURCES:
                    raise LedgerError(
                        f"{here} ({name}): unknown source {what!r}; known: {sorted(_SOURCES)}"
                    )
            if source is None:
                raise LedgerError(f"{here} ({name}): needs a 'source'")
            only = raw.get("only_channels")
            try:
                channels = None if only is None else frozenset(Channel(c) for c in only)
            except ValueError as exc:
                raise LedgerError(f"{here} ({name}): {exc}") from None
            values = raw.get("values") or {}
            if not isinstance(values, Mapping):
                raise LedgerError(f"{here} ({name}): 'values' must map codes to words")
            columns.append(
                LedgerColumn(
                    name=name,
                    source=source,
                    values={str(k): str(v) for k, v in values.items()},
                    fallback=raw.get("fallback"),
                    only_channels=channels,
                )
            )
        names = [c.name for c in columns]
        if len(set(names)) != len(names):
            raise LedgerError(f"{where}: a column name appears twice")
        return cls(
            title=str(data["title"]),
            citation=str(data["citation"]),
            columns=tuple(columns),
            true_text=str(booleans.get("true", "是")),
            false_text=str(booleans.get("false", "否")),
        )


def ledger_spec(pack: Pack) -> LedgerSpec:
    """The ledger spec of ``pack`` (its ``ledger.yaml``); :class:`LedgerError` if it has none."""
    if pack.directory is None or not (Path(pack.directory) / SPEC_FILE).exists():
        raise LedgerError(f"pack {pack.name} prescribes no ledger ({SPEC_FILE})")
    path = Path(pack.directory) / SPEC_FILE
    return LedgerSpec.from_mapping(load_yaml(path), where=str(path))


class LedgerRows(list):  # type: ignore[type-arg]
    """The rows of a ledger (dicts keyed by column name, in column order) with its columns."""

    def __init__(self, rows: Iterable[dict[str, Any]], *, columns: Sequence[str], title: str):
        super().__init__(rows)
        self.columns = tuple(columns)
        self.title = title


def _head(household: Household):
    heads = [m for m in household.members if m.relation == Relation.HEAD]
    if len(heads) > 1:
        raise LedgerError(
            f"household {scrub_id_numbers(household.id)}: {len(heads)} members have relation "
            "'head'; the ledger needs exactly one head of household"
        )
    return heads[0] if heads else None


def _raw(source: str, household: Household, clue: Clue, reveal_ids: bool) -> Any:
    scope, _, name = source.partition(".")
    if scope == "household":
        return household.id
    if scope == "area":
        return getattr(household.area, name)
    if scope == "head":
        head = _head(household)
        if head is None:
            return None
        if name == "id_number":
            number = head.id_number
            if number is None:
                return None
            return number if reveal_ids else mask_id_number(number)
        return head.name
    return getattr(clue, name)


def _text(value: Any, column: LedgerColumn, spec: LedgerSpec) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return spec.true_text if value else spec.false_text
    if isinstance(value, Enum):
        code = str(value.value)
        if code in column.values:
            return column.values[code]
        label = getattr(value, "zh", None)
        return label if isinstance(label, str) else code
    if isinstance(value, date):
        return value  # the writer formats dates (ISO text in CSV, date cells in XLSX)
    return str(value)


def _cell(
    column: LedgerColumn, spec: LedgerSpec, household: Household, clue: Clue, reveal_ids: bool
) -> Any:
    if column.only_channels is not None and clue.channel not in column.only_channels:
        return ""
    value = _text(_raw(column.source, household, clue, reveal_ids), column, spec)
    if value == "" and column.fallback:
        value = _text(_raw(column.fallback, household, clue, reveal_ids), column, spec)
    if isinstance(value, str) and not reveal_ids:
        # a household id that is an ID number, a number written into a note: masked too
        return scrub_id_numbers(value)
    return value


def ledger_rows(
    households: Iterable[Household],
    results: Iterable[Identification],
    *,
    pack: Pack | str,
    reveal_ids: bool = False,
) -> LedgerRows:
    """One row per warning (clue) of each household, with the pack's ledger columns.

    ``results`` are the pack's results for the same households (matched by household id): each
    household is read as known on its result's ``as_of``. Households keep their input order;
    a household's warnings are listed by date received. ID numbers — in every cell, a household
    id that is one included — are masked unless ``reveal_ids=True`` (or within
    :func:`fangfan_rules.idnumber.reveal_ids`).
    """
    reveal_ids = reveal_ids or ids_revealed()
    if isinstance(pack, str):
        from fangfan_rules.packs import load_pack

        pack = load_pack(pack)
    spec = ledger_spec(pack)
    by_id: dict[str, Identification] = {}
    for result in results:
        if result.pack != pack.name:
            raise LedgerError(
                f"result for household {scrub_id_numbers(result.household_id)} comes from pack "
                f"{result.pack}, not {pack.name}"
            )
        if result.household_id in by_id:
            raise LedgerError(f"two results for household {scrub_id_numbers(result.household_id)}")
        by_id[result.household_id] = result
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for household in households:
        hid = scrub_id_numbers(household.id)
        if household.id in seen:
            raise LedgerError(f"household {hid} appears twice")
        seen.add(household.id)
        found = by_id.get(household.id)
        if found is None:
            raise LedgerError(f"no result for household {hid}: identify it with {pack.name} first")
        view, _ = known_at(household, found.as_of)
        clues = sorted(view.clues, key=lambda c: (c.received_on, c.channel.value))
        for clue in clues:
            rows.append({c.name: _cell(c, spec, view, clue, reveal_ids) for c in spec.columns})
    return LedgerRows(rows, columns=spec.names, title=spec.title)


def _csv_text(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def write_ledger(
    path: str | Path,
    rows: Sequence[Mapping[str, Any]],
    format: Literal["csv", "xlsx"] = "csv",
    *,
    columns: Sequence[str] | None = None,
    title: str | None = None,
) -> Path:
    """Write ledger rows as CSV (UTF-8 with BOM, for Excel) or XLSX; returns the path.

    Columns come from ``columns``, else from the rows (:class:`LedgerRows` carries them), else
    from the first row. Text is always written as text: in CSV a cell starting with = + - @ is
    prefixed with ' so that a spreadsheet does not run it as a formula; in XLSX cells are typed
    as strings. Dates are ISO text in CSV and date cells in XLSX.
    """
    path = Path(path)
    names = tuple(columns or getattr(rows, "columns", ()) or (tuple(rows[0]) if rows else ()))
    if not names:
        raise LedgerError("write_ledger: no columns (pass columns= or rows from ledger_rows)")
    for index, row in enumerate(rows):
        missing = [n for n in names if n not in row]
        if missing:
            raise LedgerError(f"write_ledger: row {index + 1} lacks columns {missing}")
    if format == "csv":
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(names)
            for row in rows:
                writer.writerow([_csv_text(row[n]) for n in names])
        return path
    if format == "xlsx":
        _write_xlsx(path, rows, names, title or getattr(rows, "title", None))
        return path
    raise LedgerError(f"write_ledger: format must be 'csv' or 'xlsx', not {format!r}")


def _write_xlsx(
    path: Path, rows: Sequence[Mapping[str, Any]], names: Sequence[str], title: str | None
) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    # Sheet names: at most 31 characters, none of []:*?/\ .
    cleaned = "".join(ch for ch in (title or "台账") if ch not in "[]:*?/\\")[:31]
    sheet.title = cleaned or "台账"
    sheet.append(list(names))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for r, row in enumerate(rows, start=2):
        for c, name in enumerate(names, start=1):
            value = row[name]
            cell = sheet.cell(row=r, column=c)
            if isinstance(value, date):
                cell.value = value
                cell.number_format = "yyyy-mm-dd"
            elif value is not None and value != "":
                cell.value = str(value)
                cell.data_type = "s"  # never a formula, whatever the text starts with
    for c, name in enumerate(names, start=1):
        widest = max([len(str(name))] + [len(str(row[name])) for row in rows])
        sheet.column_dimensions[get_column_letter(c)].width = min(max(8, widest * 2 + 2), 60)
    sheet.freeze_panes = "A2"
    book.save(path)


__all__ = [
    "LedgerColumn",
    "LedgerError",
    "LedgerRows",
    "LedgerSpec",
    "ledger_rows",
    "ledger_spec",
    "write_ledger",
]
