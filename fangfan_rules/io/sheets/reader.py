"""Households out of a sheet of members: one row per member, grouped by the household key.

The rows of one household may be anywhere in the sheet, so each household's cells are kept until
the sheet ends; then every household is validated and yielded in the order of its first row,
together with the rows that belong to none (a blank key), as :class:`~fangfan_rules.io.Row`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from fangfan_rules.dates import DateRange
from fangfan_rules.errors import NO_VALUE, FactError
from fangfan_rules.facts import Household, load_household
from fangfan_rules.facts.forms import ASCII_BLANKS, check_identifier
from fangfan_rules.idnumber import scrub_id_numbers
from fangfan_rules.io.readers import Row
from fangfan_rules.io.sheets.cells import CellError, is_blank, reader_for, shown
from fangfan_rules.io.sheets.header import find_header, match_columns
from fangfan_rules.io.sheets.mapping import (
    Column,
    RecordGroup,
    SpreadsheetError,
    SpreadsheetMapping,
    load_mapping,
)
from fangfan_rules.io.sheets.sources import Table, open_table
from fangfan_rules.logic import Missing
from fangfan_rules.money import format_yuan
from fangfan_rules.variables.income import per_capita_net_income

Problem = tuple[str, object, str]


@dataclass(frozen=True, slots=True)
class _Cell:
    """A value read from the sheet, and where it came from (for error messages)."""

    value: Any
    row: int
    column: Column
    raw: Any


@dataclass
class _Household:
    key: str
    first_row: int
    problems: list[Problem] = field(default_factory=list)
    #: household-level target -> cell; records are keyed "<group index>:<field>"
    values: dict[str, _Cell] = field(default_factory=dict)
    #: per member row: its number and its cells (each knows its column, hence its field)
    members: list[tuple[int, list[_Cell]]] = field(default_factory=list)


def _set(target: dict[str, Any], path: str, value: Any) -> str | None:
    """Put ``value`` at the dotted ``path``; the sub-field it contradicts, if any (a 健康状况 word
    and a 慢性病 column may both speak of ``health.chronic_illness``)."""
    *parents, leaf = path.split(".")
    for part in parents:
        target = target.setdefault(part, {})
    if isinstance(value, dict):
        inner = target.setdefault(leaf, {})
        for key, sub in value.items():
            if key in inner and inner[key] != sub:
                return f"{path}.{key}"
            inner[key] = sub
        return None
    if leaf in target and target[leaf] != value:
        return path
    target[leaf] = value
    return None


def _decimals(raw: Any) -> int:
    """How many decimals the sheet shows for an amount (a rounding is judged at that precision)."""
    if isinstance(raw, float):
        text = repr(raw)
    elif isinstance(raw, int):
        return 0
    else:
        text = str(raw).strip(ASCII_BLANKS).removesuffix("元").strip(ASCII_BLANKS)
    scale = 4 if text.endswith("万") else 0
    text = text.removesuffix("万")
    return (len(text.split(".", 1)[1]) if "." in text else 0) - scale


class SpreadsheetRows(Iterator[Row]):
    """The rows of one sheet as households (an iterator of :class:`Row`), and what was read.

    Attributes filled before the first row: ``sheet``, ``encoding`` (CSV: the encoding used and
    why), ``header_row``, ``columns`` (header -> fact), ``missing_columns`` (mapped headers the sheet
    lacks: those facts stay unknown), ``unmapped_columns`` (headers no mapping entry reads),
    ``ignored_columns``. Counted while reading: ``member_rows``, ``blank_rows``, ``totals_rows``,
    ``households``, ``bad_rows``.
    """

    def __init__(self, table: Table, mapping: SpreadsheetMapping) -> None:
        self.mapping = mapping
        self.sheet = table.sheet
        self.encoding = table.encoding
        self._table = table
        header, self._rows = find_header(table, mapping)
        self.header_row = header.last_row
        layout = match_columns(header, mapping, table.sheet)
        self._index = layout.index
        self.columns = {c.header: c.target for c in mapping.columns() if id(c) in layout.index}
        self.missing_columns = layout.missing
        self.unmapped_columns = layout.unmapped
        self.ignored_columns = layout.ignored
        self.member_rows = self.blank_rows = self.totals_rows = 0
        self.households = self.bad_rows = 0
        for group in mapping.records:
            every = (*group.columns, *((group.per_capita,) if group.per_capita else ()))
            found = [c.header for c in every if id(c) in self._index]
            if group.into == "income" and group.period is None and found:
                raise SpreadsheetError(
                    f"sheet {self.sheet}: the income columns ({', '.join(map(str, found))}) cover "
                    f"a period mapping {mapping.name!r} does not state; give it (income_period= "
                    "in Python, --income-period START..END on the command line)"
                )
        self._readers: dict[int, Callable[[Any], Any]] = {
            id(c): reader_for(c, mapping.money_forms, mapping.date_forms) for c in mapping.columns()
        }
        # Record slots are "<group>:<field>" (one record per household: cells on any row must
        # agree) or "<group>@{row}:<field>" for groups read on each row (one record per row).
        record_columns = [
            (f"{g}@{{row}}:{c.target}" if group.each_row else f"{g}:{c.target}", c, "household")
            for g, group in enumerate(mapping.records)
            for c in (*group.columns, *((group.per_capita,) if group.per_capita else ()))
        ]
        slots = [
            *((c.target, c, "household") for c in mapping.household if c is not mapping.key),
            *record_columns,
            *((c.target, c, "member") for c in mapping.member),
        ]
        self._plan = [
            (self._index[id(c)], slot, c, level == "member", self._readers[id(c)])
            for slot, c, level in slots
            if id(c) in self._index
        ]
        self._out: Iterator[Row] | None = None

    # -- iteration ---------------------------------------------------------------------------

    def __next__(self) -> Row:
        if self._out is None:
            self._out = self._read()
        return next(self._out)

    def __iter__(self) -> SpreadsheetRows:
        return self

    def _where(self, cell: _Cell) -> str:
        index = self._index[id(cell.column)]
        return (
            f"sheet {self.sheet} row {cell.row}, column {cell.column.header} "
            f"({self._table.column_name(index)})"
        )

    def _read(self) -> Iterator[Row]:
        households: dict[str, _Household] = {}
        orphans: list[Row] = []
        key = self.mapping.key
        key_index = self._index[id(key)]
        markers = set(self.mapping.totals_markers)
        for number, cells in self._rows:
            raw_key = cells[key_index] if key_index < len(cells) else None
            key_text = None if is_blank(raw_key) else shown(raw_key).strip(ASCII_BLANKS)
            if key_text is None and all(is_blank(c) for c in cells):
                self.blank_rows += 1
                continue
            if (key_text is None or key_text in markers) and any(
                isinstance(c, str) and c.strip(ASCII_BLANKS) in markers for c in cells
            ):
                self.totals_rows += 1
                continue
            if key_text is None:
                filled = [
                    h
                    for c in self.mapping.columns()
                    if (i := self._index.get(id(c))) is not None
                    and i < len(cells)
                    and not is_blank(cells[i])
                    and (h := c.header)
                ]
                orphans.append(
                    Row(
                        number,
                        None,
                        error=(
                            f"sheet {self.sheet} row {number}: column {key.header} is blank, so the row "
                            "belongs to no household ("
                            + (
                                f"it has {', '.join(map(str, filled))})"
                                if filled
                                else "no mapped cell)"
                            )
                        ),
                    )
                )
                continue
            try:
                hid = self._readers[id(key)](raw_key)
                if isinstance(hid, str):
                    # as the facts read an id (forms.Identifier): a full-width space around it is
                    # not trimmed, it makes the id refused — never merged with another household
                    try:
                        check_identifier(hid)
                    except ValueError as exc:
                        raise CellError(str(exc)) from None
            except CellError as exc:
                orphans.append(
                    Row(
                        number,
                        None,
                        error=scrub_id_numbers(
                            f"{self._where(_Cell(None, number, key, raw_key))}"
                            f" = {shown(raw_key)!r}: {exc}"
                        ),
                    )
                )
                continue
            self.member_rows += 1
            house = households.get(hid)
            if house is None:
                house = households[hid] = _Household(hid, number)
            self._take_row(house, number, cells)
        emitted = sorted(
            [(h.first_row, h) for h in households.values()] + [(r.line, r) for r in orphans],
            key=lambda pair: pair[0],
        )
        households.clear()
        emitted.reverse()
        while emitted:
            _, item = emitted.pop()  # popped: each household's cells go once it is built
            row = self._finish(item) if isinstance(item, _Household) else item
            self.households += row.household is not None
            self.bad_rows += row.household is None
            yield row

    def _take_row(self, house: _Household, number: int, cells: list[Any]) -> None:
        member: list[_Cell] = []
        width = len(cells)
        for index, slot, column, is_member, read in self._plan:
            if index >= width:
                continue
            raw = cells[index]
            # inline is_blank: this loop runs once per mapped cell of the sheet
            if raw is None or raw == "" or (raw.__class__ is str and not raw.strip(ASCII_BLANKS)):
                continue
            try:
                cell = _Cell(read(raw), number, column, raw)
            except CellError as exc:
                where = self._where(_Cell(None, number, column, raw))
                house.problems.append((where, shown(raw, column), str(exc)))
                continue
            if is_member:
                member.append(cell)
                continue
            if "{row}" in slot:
                slot = slot.replace("{row}", str(number))
            seen = house.values.get(slot)
            if seen is None:
                house.values[slot] = cell
            elif seen.value != cell.value:
                house.problems.append(
                    (
                        self._where(cell),
                        shown(raw, column),
                        f"differs from {self._where(seen)} = {shown(seen.raw, column)!r} "
                        "(one household, one value)",
                    )
                )
        house.members.append((number, member))

    # -- building the household --------------------------------------------------------------

    def _finish(self, house: _Household) -> Row:
        data: dict[str, Any] = {"id": house.key}
        where: dict[str, _Cell | int] = {}
        problems = list(house.problems)
        for column in self.mapping.household:
            if column.header is None:
                _set(data, column.target, column.value)
        for slot, cell in house.values.items():
            if ":" not in slot and cell.value is not None:
                clash = _set(data, slot, cell.value)
                if clash:
                    problems.append(
                        (
                            self._where(cell),
                            shown(cell.raw, cell.column),
                            f"contradicts another column of this household on {clash}",
                        )
                    )
                where[slot] = cell
        members = []
        seen_ids: dict[str, int] = {}
        for position, (number, cells) in enumerate(house.members):
            member: dict[str, Any] = {"id": f"m{position + 1}"}
            where[f"members[{position}]"] = number
            for column in self.mapping.member:
                if column.header is None:
                    _set(member, column.target, column.value)
            for cell in cells:
                target = cell.column.target
                if cell.value is not None:
                    clash = _set(member, target, cell.value)
                    if clash:
                        problems.append(
                            (
                                self._where(cell),
                                shown(cell.raw, cell.column),
                                f"contradicts another column of this row on {clash}",
                            )
                        )
                    where[f"members[{position}].{target}"] = cell
            for cell in cells:
                if cell.column.kind != "id_number":
                    continue
                if cell.value in seen_ids:
                    problems.append(
                        (
                            self._where(cell),
                            shown(cell.value, cell.column),
                            f"the same ID number as the member on row {seen_ids[cell.value]}",
                        )
                    )
                seen_ids[cell.value] = number
            members.append(member)
        data["members"] = members
        checks = self._records(house, data, where, problems)
        if problems:
            return _bad_house(house.first_row, house.key, problems)
        try:
            household = load_household(data)
        except FactError as exc:
            located = [
                (self._locate(path, where), _as_given(path, value, where), message)
                for path, value, message in exc.problems
            ]
            return _bad_house(house.first_row, house.key, located)
        problems = [p for check in checks if (p := check(household)) is not None]
        if problems:
            return _bad_house(house.first_row, house.key, problems)
        return Row(house.first_row, house.key, household=household)

    def _records(
        self,
        house: _Household,
        data: dict[str, Any],
        where: dict[str, _Cell | int],
        problems: list[Problem],
    ) -> list[Callable[[Household], Problem | None]]:
        checks = []
        for g, group in enumerate(self.mapping.records):
            if group.each_row:
                by_row: dict[int, dict[str, _Cell]] = {}
                for slot, cell in house.values.items():
                    if slot.startswith(f"{g}@"):
                        by_row.setdefault(cell.row, {})[slot.split(":", 1)[1]] = cell
                for number in sorted(by_row):
                    self._record(group, by_row[number], data, where, problems)
                continue
            cells = {
                c.target: house.values[f"{g}:{c.target}"]
                for c in group.columns
                if f"{g}:{c.target}" in house.values
            }
            stated = house.values.get(f"{g}:per_capita_net_income")
            if not cells or all(cell.value is None for cell in cells.values()):
                if stated is not None:
                    problems.append(
                        (
                            self._where(stated),
                            shown(stated.raw),
                            "cannot be checked: the income components it derives from are blank",
                        )
                    )
                if not cells:
                    continue
            made = self._record(group, cells, data, where, problems)
            if made and group.per_capita is not None and stated is not None and group.period:
                checks.append(self._per_capita_check(stated, group.period, group))
        return checks

    def _record(
        self,
        group: RecordGroup,
        cells: dict[str, _Cell],
        data: dict[str, Any],
        where: dict[str, _Cell | int],
        problems: list[Problem],
    ) -> bool:
        """Append one record made of ``cells`` to ``data``; False when the cells say there is
        none (a word mapped to null, such as 享受低保 = 否)."""
        absent = [cell for cell in cells.values() if cell.value is None]
        if absent:
            others = [cell for cell in cells.values() if cell.value is not None]
            if others:
                problems.append(
                    (
                        self._where(others[0]),
                        shown(others[0].raw, others[0].column),
                        f"filled, but {self._where(absent[0])} = {shown(absent[0].raw)!r} says "
                        "there is no such record",
                    )
                )
            return False
        record: dict[str, Any] = dict(group.fixed)
        if group.period is not None:
            record.update(start=group.period.start, end=group.period.end)
        target_list = data.setdefault(group.into, [])
        prefix = f"{group.into}[{len(target_list)}]"
        for target, cell in cells.items():
            record[target] = cell.value
            where[f"{prefix}.{target}"] = cell
        where[prefix] = next(iter(cells.values()))
        target_list.append(record)
        return True

    def _per_capita_check(
        self, cell: _Cell, period: DateRange, group: RecordGroup
    ) -> Callable[[Household], Problem | None]:
        figure = cell.value

        def check(household: Household) -> Problem | None:
            computed = per_capita_net_income(household, period)
            parts = "、".join(str(c.header) for c in group.columns if c.header)
            if isinstance(computed, Missing):
                return (
                    self._where(cell),
                    shown(cell.raw),
                    "cannot be checked: " + "; ".join(computed.facts),
                )
            tolerance = Decimal(1).scaleb(-_decimals(cell.raw)) / 2
            if abs(Decimal(figure) - computed) <= tolerance:
                return None
            return (
                self._where(cell),
                shown(cell.raw),
                f"differs from the per-capita net income computed from the components "
                f"({parts}) over {period}: {format_yuan(computed)} yuan for "
                f"{sum(m.counted_in_household for m in household.members)} member(s); the sheet's "
                "figure is not used, and neither is preferred: correct one of them",
            )

        return check

    def _locate(self, path: str, where: dict[str, _Cell | int]) -> str:
        """A fact path from validation (``members[1].birth_date``) as the sheet cell it came from."""
        probe = path
        while probe:
            found = where.get(probe)
            if isinstance(found, _Cell):
                return self._where(found) + ("" if probe == path else f" ({path})")
            if isinstance(found, int):
                return f"sheet {self.sheet} row {found} ({path})"
            cut = max(probe.rfind("."), probe.rfind("["))
            probe = probe[:cut] if cut > 0 else ""
        return f"sheet {self.sheet} ({path})"


def _as_given(path: str, value: Any, where: dict[str, _Cell | int]) -> Any:
    """The value of a refused fact as the sheet gave it (``'-5'``, not the ``-5.00`` read from
    it), when the fact is one cell's; else as validation saw it."""
    found = where.get(path)
    if value is NO_VALUE or not isinstance(found, _Cell) or is_blank(found.raw):
        return value
    return shown(found.raw, found.column)


def _bad_house(row: int, key: str, problems: list[tuple[str, Any, str]]) -> Row:
    error = FactError(key, problems)
    return Row(row, key, error=str(error), fact_error=error)


def read_spreadsheet(
    path: str | Path,
    mapping: SpreadsheetMapping | str | Path = "default",
    sheet: str | None = None,
    *,
    encoding: str | None = None,
    income_period: DateRange | tuple[dt.date, dt.date] | None = None,
) -> SpreadsheetRows:
    """Read households from a workbook (XLSX, XLS, ODS) or CSV file of member rows.

    ``mapping`` is a :class:`SpreadsheetMapping`, a mapping file or a shipped mapping's name
    (``"default"``). ``sheet`` overrides the mapping's sheet (default: the first). ``encoding``
    (CSV only) overrides detection. ``income_period`` gives the period the income columns cover
    when the mapping does not state it.

    Returns an iterator of :class:`~fangfan_rules.io.Row`, one per household (or per row that
    belongs to none): a validated household, or an error naming the household and each bad cell
    by sheet, row, column header and value (ID numbers masked). Raises
    :class:`SpreadsheetError` when the file cannot be read at all (no header, a required column
    missing, an undecidable encoding).
    """
    loaded = mapping if isinstance(mapping, SpreadsheetMapping) else load_mapping(mapping)
    if income_period is not None:
        start, end = (
            (income_period.start, income_period.end)
            if isinstance(income_period, DateRange)
            else income_period
        )
        loaded = loaded.with_income_period(start, end)
    assert loaded.key.header is not None
    table = open_table(
        Path(path),
        sheet=sheet if sheet is not None else loaded.sheet,
        encoding=encoding,
        key_header=loaded.key.header,
        search_lines=loaded.header_search_rows,
    )
    return SpreadsheetRows(table, loaded)
