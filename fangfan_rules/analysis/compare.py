"""Compare regions: the same households through several packs, as a tidy pandas DataFrame.

``compare()`` returns one row per household × pack (long form). ``outcome_table()`` pivots it to
households × packs, and ``disagreements()`` lists the households whose answer differs between packs
with the rule that decided each answer — the comparison analysts otherwise make by reading the
documents side by side.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from fangfan_rules.collector import collector_paused
from fangfan_rules.engines.native import as_batch
from fangfan_rules.errors import FangfanError
from fangfan_rules.facts import Household
from fangfan_rules.idnumber import masked
from fangfan_rules.packs import Pack, load_pack
from fangfan_rules.result_rows import COLUMNS
from fangfan_rules.result_rows import result_row as _row
from fangfan_rules.result_rows import results_frame as results_frame  # public here too
from fangfan_rules.result_rows import split_items as split_items  # public here too

if TYPE_CHECKING:
    import pandas as pd


def _packs(packs: Iterable[str | Pack]) -> list[Pack]:
    return [p if isinstance(p, Pack) else load_pack(p) for p in packs]


def _with_parameters(pack: Pack, parameters: Mapping[str, Any] | None) -> Pack:
    """Apply per-pack values ``{pack: {name: value}}`` and flat values ``{name: value}``.

    A flat value is applied only to packs whose document does *not* state that parameter (the
    caller supplies what is missing; a stated figure such as ewenki's 8300 is never overwritten
    silently — override it per pack to run a reform).
    """
    if not parameters:
        return pack
    own = parameters.get(pack.name)
    values: dict[str, Any] = dict(own) if isinstance(own, Mapping) else {}
    for name, value in parameters.items():
        if isinstance(value, Mapping) or name in values:
            continue
        if name in pack.caller_supplied():
            values[name] = value
    return pack.with_parameters(**values) if values else pack


def compare(
    households: Iterable[Household],
    packs: Iterable[str | Pack],
    *,
    as_of: date | Mapping[str, date],
    parameters: Mapping[str, Any] | None = None,
    engine: str = "vectorized",
    reasons: bool = True,
    progress: bool = False,
) -> pd.DataFrame:
    """Evaluate every household under every pack; long form, one row per household × pack.

    ``as_of`` is one date or a date per pack (each document is in force at its own time).
    ``parameters`` supplies caller values: ``{"monitoring_income_line": 7000}`` fills the line in
    every pack that does not state it; ``{"puan_2025": {...}}`` targets one pack. A pack that
    cannot run (not in force, a parameter still missing) yields rows with ``outcome="error"`` and
    the message — never a silent gap. ``engine``: ``"vectorized"`` (default: the polars plan
    decides; the first reasons and missing facts are worded from the few rules they need, picked
    by the plan's value of each rule on the row and run over the plan's own leaf values —
    :mod:`fangfan_rules.engines.vectorized_texts`, :mod:`~fangfan_rules.engines.vectorized_texts_leaves`;
    every column equal to native's, proven by the differential tests), ``"native"`` or
    ``"durable"``; the engines differ only where documented
    (:mod:`fangfan_rules.engines.vectorized`: a parameter missing for a pack is an error for every
    row even when every household is out of scope). At 10,000 households × five packs (the
    README's call, the sample repeated) the default took 2.2–2.3 s of CPU as a fresh process's
    first call, against 3.6–4.2 s when every rule a row needed ran through the native closures
    (three runs each, alternating, on a 2-core Intel Xeon shared with other jobs, load 7.5–8;
    the wall time, 6–20 s at that load, follows the load).
    What the texts pass still runs per row: a row unlike the rows before it in what the plan
    gives it (rule values, leaf codes, its members' ids and codes), and a native variable where
    a missing fact or a checked value needs one (per-capita income, an age, a date). The cyclic
    garbage collector is paused
    during the call (it allocates no reference cycle per row): a full collection the batch would
    have made during it may come after it instead. ``reasons=False`` (vectorized engine only)
    skips that pass: ``first_reason`` and ``missing_facts`` are then absent from the frame, and
    the batch is evaluated at the polars plan's speed (0.8–0.9 s of CPU for the same batch, on
    the same machine, as the second call of the process). With the vectorized engine the households as known on a date several
    packs share are made once for those packs.
    ``progress=True`` shows a progress bar over households × packs with a time estimate on
    standard error.

    The list columns (``risk_types``, ``key_attention``, ``key_areas``, ``flags``,
    ``missing_facts``) are strings, the items joined by ``;`` in the native order
    (``"qianshan_2023:①;qianshan_2023:⑥"``, ``""`` for none, ``None`` on an error row): pandas
    string methods work on them (``frame.key_attention.str.contains("①", na=False)``,
    ``.str.split(";")``) and ``to_excel`` writes them as text.
    :func:`~fangfan_rules.result_rows.split_items` gives a cell's items. ``deciding_rule`` is the
    id of the rule that decided the outcome (``None`` for ``not_eligible``);
    ``decided_by_unknown`` is True when the outcome is a review because that rule's facts are
    missing (its outcome is unknown), False when the rule fired (or, out of scope, did not hold).
    """
    if not reasons and engine != "vectorized":
        raise ValueError("reasons=False is a vectorized-engine option (engine='vectorized')")
    batch = as_batch(households, "compare")  # one household or a string is no batch
    args = (batch, list(packs), as_of, parameters, engine, reasons, progress)
    if engine != "vectorized":
        return _compare(*args)
    # The batch engine's pass allocates a few objects per row and no reference cycle (a whole
    # compare() of 10,000 households leaves a few hundred cyclic objects) while the batch is
    # alive: with the collector on, its bursts (pandas and polars imported, the packs loaded,
    # the views and texts) made it walk every household of the batch twice or more.
    with collector_paused():
        return _compare(*args)


def _compare(
    batch: list[Household],
    wanted: list[str | Pack],
    as_of: date | Mapping[str, date],
    parameters: Mapping[str, Any] | None,
    engine: str,
    reasons: bool,
    progress: bool,
) -> pd.DataFrame:
    """:func:`compare` (pandas imported here, by the first call that builds a frame)."""
    import pandas as pd

    columns = [c for c in COLUMNS if reasons or c not in ("first_reason", "missing_facts")]
    prepared = None
    if engine == "vectorized":
        from fangfan_rules.engines import vectorized

        # converted and validated once for every pack; the households as known on a day that
        # several packs' texts are worded on, made once for them
        days = _days_shared(wanted, as_of, reasons)
        prepared = vectorized.prepare(batch, share_views_on=days)
    from fangfan_rules.engines.vectorized import progress_steps

    parts: list[Mapping[str, Any]] = []
    loaded = _packs(wanted)
    with progress_steps(progress, "compare", len(batch) * len(loaded)) as advance:
        for pack in loaded:
            parts.append(_pack_rows(batch, pack, as_of, parameters, engine, columns, prepared))
            advance(len(batch))
    if not batch or not parts:  # no rows: object columns, as pandas makes of no row dicts
        return pd.DataFrame([], columns=columns)
    # the dtypes pandas infers for flags and for texts (its options choose the string storage)
    kept = (pd.Series([True]).dtype, pd.Series(["text", None]).dtype)
    return pd.DataFrame({c: _column(pd, [part[c] for part in parts], kept) for c in columns})


def _column(pd: Any, parts: list[Any], kept: tuple[Any, ...]) -> Any:
    """One column of :func:`compare`'s frame from each pack's cells: the dtype pandas infers from
    all of its values, exactly as from a list of row dicts (without a dict per row).

    The packs' columns are put end to end as they are when every pack's column is a pandas
    column of one dtype that inference keeps for a union of such columns (``kept``) — ``bool``,
    or the string dtype pandas infers for texts, when one text at least is there (missing cells only
    are inferred from their NaNs) — instead of being read back into Python values and inferred
    again (a fifth of the time of the polars path at 10k × 5). Any other column (an error
    pack's cells, an object column of dates or of None) is made from its values.
    """
    first = getattr(parts[0], "dtype", None)
    if (
        first in kept
        and all(getattr(p, "dtype", None) == first for p in parts)
        # texts all missing are inferred from their NaNs (float), not as texts
        and any(p.notna().any() for p in parts)
    ):
        return pd.concat(parts, ignore_index=True)
    values: list[Any] = []
    for part in parts:
        values.extend(part.tolist() if hasattr(part, "tolist") else part)
    return values


def _days_shared(
    packs: list[str | Pack], as_of: date | Mapping[str, date], reasons: bool
) -> list[date]:
    """The days on which two packs or more word their texts (a pack named by its name is
    loaded as that pack)."""
    if not reasons:
        return []
    names = (p if isinstance(p, str) else getattr(p, "name", "") for p in packs)
    days = Counter(as_of.get(str(n)) if isinstance(as_of, Mapping) else as_of for n in names)
    return [day for day, n in days.items() if day is not None and n > 1]


def _pack_rows(
    batch: list[Household],
    pack: Pack,
    as_of: date | Mapping[str, date],
    parameters: Mapping[str, Any] | None,
    engine: str,
    columns: list[str],
    prepared: Any,
) -> Mapping[str, Any]:
    """compare()'s rows of one pack, as a list of cells or a pandas column per column (error rows
    naming why when the pack cannot run)."""
    day = as_of.get(pack.name) if isinstance(as_of, Mapping) else as_of
    try:
        if day is None:
            raise FangfanError(f"no as_of date given for {pack.name}")
        configured = _with_parameters(pack, parameters)
        if engine == "native":
            rows = [_row(r) for r in configured.identify_many(batch, as_of=day)]
            return {c: [row[c] for row in rows] for c in columns}
        if prepared is not None:  # vectorized: the batch converted and validated once
            from fangfan_rules.engines import vectorized

            reasons = "first_reason" in columns
            frame = vectorized.identify_frame(configured, prepared, as_of=day, reasons=reasons)
        else:  # durable: the same columns
            frame = configured.identify_frame(batch, as_of=day, engine=engine)
        return {c: frame[c] for c in columns}
    except FangfanError as exc:
        given = {"pack": pack.name, "as_of": day, "outcome": "error", "error": str(exc)}
        return {
            **{c: [given.get(c)] * len(batch) for c in columns},
            "household_id": [masked(h.id) for h in batch],
        }


def outcome_table(comparison: pd.DataFrame, value: str = "outcome") -> pd.DataFrame:
    """Pivot a :func:`compare` frame to households × packs (default: the outcome).

    Rows follow the households of the batch. When a household id is not unique within a pack
    (the copies of a duplicated id, or ids that are ID numbers masked alike), the rows are
    matched by position in the batch — :func:`compare` lists the same households in the same
    order for every pack — and the index repeats the id: no household is merged or dropped.
    """
    import pandas as pd

    per_pack = comparison.groupby("pack", sort=False)["household_id"]
    if not per_pack.apply(lambda ids: ids.duplicated().any()).any():
        return comparison.pivot(index="household_id", columns="pack", values=value)
    positioned = comparison.assign(_position=per_pack.cumcount())
    table = positioned.pivot(index="_position", columns="pack", values=value)
    ids = positioned.drop_duplicates("_position").set_index("_position")["household_id"]
    table.index = pd.Index(ids.reindex(table.index), name="household_id")
    return table


def disagreements(comparison: pd.DataFrame) -> pd.DataFrame:
    """Households whose outcome differs between packs, with each pack's outcome and deciding rule.

    Columns: ``household_id``, then for every pack ``<pack>`` (outcome), ``<pack>:rule`` (the
    ``deciding_rule``: the rule that decided it, ``None`` when none did) and ``<pack>:unknown``
    (its ``decided_by_unknown``: True when the answer is a review because that rule's facts are
    missing).
    """
    outcomes = outcome_table(comparison)
    differs = (outcomes.nunique(axis=1) > 1).to_numpy()
    differing = outcomes[differs]
    # the same rows, in order
    rules = outcome_table(comparison, "deciding_rule")[differs]
    unknown = outcome_table(comparison, "decided_by_unknown")[differs]
    frame = differing.copy()
    for pack in outcomes.columns:
        frame[f"{pack}:rule"] = rules[pack]
        frame[f"{pack}:unknown"] = unknown[pack]
    ordered = [c for pack in outcomes.columns for c in (pack, f"{pack}:rule", f"{pack}:unknown")]
    return frame[ordered].reset_index()
