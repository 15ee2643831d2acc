"""The columnar layout's definitions: tables, column dtypes, required columns, enums, limits.

Shared by the converters (:mod:`fangfan_rules.engines.columnar`, which documents the layout) and
the validation (:mod:`fangfan_rules.engines.columnar_validation`): both import this module and
neither imports the other's internals, so the two form no import cycle.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, Final

import polars as pl

from fangfan_rules.errors import NO_VALUE, FactError
from fangfan_rules.facts import AreaTag
from fangfan_rules.vocabulary import (
    AssistanceMeasure,
    CareType,
    Channel,
    ChildStatus,
    ClueKind,
    Department,
    DibaoKind,
    EmploymentStability,
    ExpenditureKind,
    HousingGrade,
    HukouKind,
    LabourCapacity,
    MonitoringCategory,
    Relation,
    RiskType,
    SchoolingStage,
)

# instances, not the dtype classes: the schema is typed as data types
S, D, B, I64 = pl.String(), pl.Date(), pl.Boolean(), pl.Int64()
LS = pl.List(pl.String)

#: Column dtypes of every table (the documented layout).
SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "households": {
        "household_id": S,
        "county": S,
        "town": S,
        "village": S,
        "area_tags": LS,
        "hukou": S,
        "lifted_out_of_poverty": B,
        "lifted_year": pl.Int32(),
        "has_urban_social_security": B,
        "self_coping": B,
        "serious_difficulty": B,
        "housing_grade": S,
        "basic_medical_insured": B,
        "compulsory_education_ok": B,
        "drinking_water_safe": B,
        "only_house": B,
        "housing_appraised_on": D,
        "green_channel": B,
        "green_channel_facts_clear": B,
        "green_channel_urgent": B,
        "green_channel_town_confirmed_on": D,
        "green_channel_village_confirmed_on": D,
        "green_channel_publicly_recognised": B,
        "livestock_head_count": I64,
        "livestock_estimated_value_fen": I64,
        "judgement_decided_on": D,
        "judgement_included": B,
        "judgement_reason": S,
        "judgement_special_file": B,
        "income_double_signed": B,
        "guarantees_double_signed": B,
        "phone_interview": B,
        "interview_recorded": B,
        "synthetic": B,
    },
    "members": {
        "household_id": S,
        "member_id": S,
        "name": S,
        "relation": S,
        "birth_date": D,
        "hukou": S,
        "labour": S,
        "major_illness": B,
        "chronic_illness": B,
        "diseases": LS,
        "special_major_disease_since": D,
        "loses_self_care": B,
        "disability_grade": I64,
        "disability_certificate_date": D,
        "schooling": S,
        "employment": S,
        "id_number": S,
        "counted_in_household": B,
        "has_urban_social_security": B,
        "dropout_since": D,
        "education_aid_since": D,
        "solitary": B,
    },
    "child_status": {"household_id": S, "member_id": S, "kind": S, "since": D},
    "income": {
        "household_id": S,
        "start": D,
        "end": D,
        "wage_income_fen": I64,
        "business_income_fen": I64,
        "property_income_fen": I64,
        "transfer_income_fen": I64,
        "business_expense_fen": I64,
        "policy_transfer_income_fen": I64,
        "source": S,
    },
    "expenditures": {
        "household_id": S,
        "kind": S,
        "date": D,
        "total_fen": I64,
        "reimbursed_fen": I64,
        "compliant_self_paid_fen": I64,
        "care": S,
        "description": S,
    },
    "risk_events": {"household_id": S, "type": S, "date": D, "description": S},
    "social_assistance": {
        "household_id": S,
        "kind": S,
        "start": D,
        "end": D,
        "full_or_top_grade": B,
    },
    "monitoring": {
        "household_id": S,
        "category": S,
        "identified_on": D,
        "system_entry_on": D,
        "risk_types": LS,
        "measures": LS,
        "helper": S,
        "second_helper": S,
        "helper_assigned_on": D,
        "plan_filed_on": D,
        "eliminated_on": D,
        "risk_resolved": B,
        "new_risk": B,
        "willing_to_develop": B,
        "development_confirmed_on": D,
        "safety_net_determined_on": D,
    },
    "clues": {
        "household_id": S,
        "channel": S,
        "received_on": D,
        "kind": S,
        "department": S,
        "source": S,
        "description": S,
        "verified_on": D,
        "feedback_on": D,
        "meets_criteria": B,
        "reason_not_met": S,
        "applicant_informed": B,
        "checker": S,
        "closed_on": D,
    },
    "renovations": {"household_id": S, "included_on": D, "description": S},
}
TABLES: tuple[str, ...] = tuple(SCHEMAS)
#: Child tables (every table but ``households``).
CHILDREN: tuple[str, ...] = TABLES[1:]

#: Columns without which a row is not a fact (a missing column is an error for the whole table).
REQUIRED: dict[str, tuple[str, ...]] = {
    "households": ("household_id", "county", "town", "village", "hukou"),
    "members": ("household_id", "member_id", "relation"),
    "child_status": ("household_id", "member_id", "kind", "since"),
    "income": (
        "household_id",
        "start",
        "end",
        "wage_income_fen",
        "business_income_fen",
        "property_income_fen",
        "transfer_income_fen",
        "business_expense_fen",
    ),
    "expenditures": (
        "household_id",
        "kind",
        "date",
        "total_fen",
        "reimbursed_fen",
        "compliant_self_paid_fen",
    ),
    "risk_events": ("household_id", "type", "date"),
    "social_assistance": ("household_id", "kind", "start"),
    "monitoring": ("household_id", "category", "identified_on"),
    "clues": ("household_id", "channel", "received_on"),
    "renovations": ("household_id", "included_on"),
}

#: Defaults of facts that have one (a null takes it).
DEFAULTS: dict[str, dict[str, Any]] = {
    "households": {"synthetic": False, "judgement_special_file": False, "area_tags": []},
    "members": {"counted_in_household": True, "diseases": []},
    "monitoring": {"risk_types": [], "measures": []},
    "clues": {"kind": ClueKind.OTHER.value},
}

#: Enum-valued columns (lists: every element).
ENUMS: dict[str, dict[str, type[Enum]]] = {
    "households": {"hukou": HukouKind, "housing_grade": HousingGrade, "area_tags": AreaTag},
    "members": {
        "relation": Relation,
        "hukou": HukouKind,
        "labour": LabourCapacity,
        "schooling": SchoolingStage,
        "employment": EmploymentStability,
    },
    "child_status": {"kind": ChildStatus},
    "expenditures": {"kind": ExpenditureKind, "care": CareType},
    "risk_events": {"type": RiskType},
    "social_assistance": {"kind": DibaoKind},
    "monitoring": {
        "category": MonitoringCategory,
        "risk_types": RiskType,
        "measures": AssistanceMeasure,
    },
    "clues": {"channel": Channel, "kind": ClueKind, "department": Department},
}

#: Money columns that cannot be negative (财产性收入 can: a loss).
NON_NEGATIVE_MONEY: dict[str, tuple[str, ...]] = {
    "households": ("livestock_estimated_value_fen",),
    "income": (
        "wage_income_fen",
        "business_income_fen",
        "transfer_income_fen",
        "business_expense_fen",
        "policy_transfer_income_fen",
    ),
    "expenditures": ("total_fen", "reimbursed_fen", "compliant_self_paid_fen"),
}
#: ``|amount|`` < 10**16 yuan, as :func:`fangfan_rules.money.to_yuan` accepts.
MAX_FEN = 10**18

#: The polars engine of every lazy plan the batch engine collects on tables in memory. Polars 2.2's
#: default (``engine="auto"``) is the streaming engine, made for data larger than memory: on
#: tables already in memory each of its collects cost about twice the in-memory engine's fixed
#: time (about 0.23 against 0.10 ms for a small plan), and at 100,000 households the evaluation
#: took about a quarter more CPU time (0.20–0.22 against 0.15–0.16 s, in-process, polars 2.2).
IN_MEMORY: Final = "in-memory"

#: The column a CSV table reader adds for a record it could not read (its reason; see
#: :func:`csv_table_batches`); validation reports such a row in its household's place.
LINE_ERROR = "__line_error"

#: Members of child tables are nested under these names in the nested layout.
NESTED_NAMES = {t: t for t in CHILDREN if t != "child_status"}


def as_polars(frame: Any) -> pl.DataFrame:
    """A polars DataFrame from polars, pandas or Arrow input.

    A frame that cannot be converted at all (a pandas column mixing types, text that is not
    valid Unicode) is a :class:`~fangfan_rules.errors.FactError` naming the problem.
    """
    if isinstance(frame, pl.DataFrame):
        return frame
    try:
        if isinstance(frame, pl.LazyFrame):
            return frame.collect(engine=IN_MEMORY)
        if hasattr(frame, "schema") and hasattr(frame, "column"):
            result = pl.from_arrow(frame)
            if isinstance(result, pl.DataFrame):
                return result
        try:
            return pl.from_pandas(frame)
        except UnicodeEncodeError:
            # a lone surrogate in a text cell: its rows become bad rows, not the whole table
            readable = _unencodable_as_line_errors(frame)
            if readable is None:
                raise
            return pl.from_pandas(readable)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # polars / pyarrow conversion errors, a panic included
        problem = f"cannot be read as a table ({type(exc).__name__}: {str(exc)[:200]})"
    raise FactError(None, [(type(frame).__name__, NO_VALUE, problem)])


def _unencodable_as_line_errors(frame: Any) -> Any:
    """A copy of a pandas ``frame`` whose text cells that are not valid Unicode (a lone
    surrogate) are shown as their escapes, each such row carrying its reason in
    :data:`LINE_ERROR` (validation reports it as a bad row of its household, naming the table);
    None if there is no such cell (the table itself cannot be read)."""
    from fangfan_rules.errors import printable
    from fangfan_rules.idnumber import scrub_id_numbers

    if LINE_ERROR in frame.columns:
        return None
    reasons: dict[int, str] = {}
    fixed = {}
    for name in frame.columns:
        cells = frame[name].tolist()
        changed = False
        for at, cell in enumerate(cells):
            if isinstance(cell, str) and not cell.isascii():
                try:
                    cell.encode("utf-8")
                except UnicodeEncodeError:
                    cells[at] = printable(cell)  # an id too: its household named by the escape
                    changed = True
                    value = repr(scrub_id_numbers(cell))  # masked, then escaped
                    reasons.setdefault(
                        at,
                        f"column {printable(str(name))}, row {at} = {value}: text that is not "
                        "valid Unicode (a lone surrogate, shown as its escape)",
                    )
        if changed:
            fixed[name] = cells
    if not reasons:
        return None
    out = frame.copy()
    for name, cells in fixed.items():
        out[name] = frame[name].__class__(cells, index=frame.index, dtype=object)
    out[LINE_ERROR] = frame[frame.columns[0]].__class__(
        [reasons.get(at) for at in range(len(frame))], index=frame.index, dtype=object
    )
    return out


@dataclass(frozen=True)
class HouseholdRuns:
    """A child table's runs of equal household ids: ``run``, each row's run number (0, 1, …),
    and ``heads``, the household id of each run."""

    run: pl.Series
    heads: pl.Series
    #: Whether ``heads`` are the households' ids in order, when already compared with the ids
    #: :func:`household_keys` will be given (None: not compared).
    in_order: bool | None = None

    def follow(self, ids: pl.Series) -> bool:
        """Whether the runs are exactly the households ``ids`` in order (one run each)."""
        if self.in_order is not None:
            return self.in_order
        return self.heads.len() == ids.len() and self.heads.equals(ids, check_names=False)


def household_runs(frame: pl.DataFrame) -> HouseholdRuns:
    """The runs of equal ``household_id`` of a child table (see :func:`household_keys`)."""
    run = frame.select(pl.col("household_id").rle_id()).to_series()
    return HouseholdRuns(run, frame.get_column("household_id").filter(run.ne_missing(run.shift(1))))


def household_keys(
    tables: Mapping[str, pl.DataFrame], runs: Mapping[str, HouseholdRuns] | None = None
) -> dict[str, pl.DataFrame]:
    """The tables with ``__hkey`` on every child row: the ``__hrow`` of its household.

    ``__hkey`` is the row number of a households row with the child row's id (the first one;
    a duplicated household id is an error that removes all its rows), null when there is none.
    ``runs`` may give the :func:`household_runs` of some child tables, already computed for
    their current ``household_id`` (validation reads them to check the ids once per run).

    Why: the engine groups and joins child rows by household many times, and at a million
    households an integer key is several times cheaper than the string id. Child rows usually
    come grouped by household (nested files, :func:`to_tables`), so the id is looked up once per
    run of equal ids; when the runs are exactly the households in order (members, as a rule) no
    lookup is needed, and when ``__hrow`` is 0, 1, … (validated input) the run number is the
    key itself. The other tables' runs are looked up together, in one join on a 64-bit hash of
    the id checked string by string (a collision or a duplicated household id falls back to
    joining the strings).
    """
    h = tables["households"]
    ids = h.get_column("household_id")
    rows = h.get_column("__hrow")
    numbered = h.select((pl.col("__hrow") == pl.int_range(pl.len())).all()).item()
    out = dict(tables)
    found: dict[str, HouseholdRuns] = {}
    looked_up: list[str] = []
    for t in CHILDREN:
        frame = tables[t]
        if "__hkey" in frame.columns:  # drop() copies the frame even when the column is absent
            frame = frame.drop("__hkey")
        out[t] = frame
        given = runs.get(t) if runs is not None else None
        found[t] = given if given is not None else household_runs(frame)
        if found[t].follow(ids):
            run = found[t].run
            keys = run.cast(rows.dtype) if numbered else rows.gather(run)
            out[t] = frame.with_columns(keys.alias("__hkey"))
        else:
            looked_up.append(t)
    if looked_up:
        heads = pl.concat([found[t].heads for t in looked_up]).alias("household_id").to_frame()
        # one key per head, in the heads' order: each table's keys are a slice of them
        matched = _match_ids(heads, h).get_column("__hkey")
        offset = 0
        for t in looked_up:
            length = found[t].heads.len()
            keys = matched.slice(offset, length)
            offset += length
            out[t] = out[t].with_columns(keys.gather(found[t].run).alias("__hkey"))
    return out


def _match_ids(heads: pl.DataFrame, households: pl.DataFrame) -> pl.DataFrame:
    """``heads`` with ``__hkey`` (by hash, verified; by string on a collision or duplicate)."""
    keys = households.select(
        pl.col("household_id").alias("__id"),
        pl.col("household_id").hash().alias("__hash"),
        pl.col("__hrow").alias("__hkey"),
    ).drop_nulls("__id")
    joined = heads.with_columns(pl.col("household_id").hash().alias("__hash")).join(
        keys, on="__hash", how="left", maintain_order="left"
    )
    exact = pl.col("__hkey").is_null() | (pl.col("__id") == pl.col("household_id"))
    if joined.height == heads.height and joined.select(exact.fill_null(False).all()).item():
        return joined.drop("__hash", "__id")
    first = keys.unique("__id", keep="first", maintain_order=True)
    return heads.join(
        first.select(pl.col("__id").alias("household_id"), "__hkey"),
        on="household_id",
        how="left",
        maintain_order="left",
    )
