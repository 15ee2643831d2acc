"""A hand-written polars implementation of qianshan_2023's identification outcome (a baseline).

Written by hand from the pack's rules (policy_packs/qianshan_2023/rules.yaml) over the library's
columnar tables (the layout of ``fangfan_rules.engines.columnar``), with no library code: what a
competent analyst would write for this one document. ``bench.py`` times it beside the vectorized
engine on the same tables and checks that both give the same outcome for every household, so the
ratio library / baseline measures what the generic compiler (and its validation) costs.

Unknown facts are nulls and polars' ``&`` / ``|`` / ``~`` are Kleene's, as in the document's
reading ("unknown is not no": an unknown criterion makes the answer ``needs_review``). Amounts are
integer fen; the per-capita income is compared in floating point (the exact-boundary households
of the generated data are checked by the agreement test, which would show any disagreement).

    outcome = identify_outcome(tables, as_of=date(2023, 6, 5), line_yuan=7000,
                               window=(date(2022, 5, 1), date(2023, 4, 30)), lookback=None)
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import polars as pl

#: The twelve risk rules of qianshan_2023 (rules.yaml), by the facts each reads.
EVENT_RISKS = {  # risk: (risk-event types, self-paid spending kinds)
    "illness": (("illness",), ("medical",)),
    "disaster": (("natural_disaster",), ("disaster",)),
    "accident": (("accident",), ("accident",)),
    "industry_failure": (("industry_failure",), ()),
    "unstable_employment": (("unstable_employment",), ()),
    "schooling_spending": (("schooling",), ("schooling",)),
    # 等方面: the event types the sentence does not name (no spending kind)
    "other_difficulty": (
        ("disability", "lack_of_labour", "housing_safety", "drinking_water", "other"),
        (),
    ),
}
GUARANTEE_RISKS = ("housing", "drinking_water", "compulsory_education", "basic_medical")


def _latest(frame: pl.DataFrame, column: str, values: tuple[str, ...], name: str) -> pl.DataFrame:
    """household_id → latest date of a row whose ``column`` is one of ``values``."""
    return (
        frame.filter(pl.col(column).is_in(list(values)))
        .group_by("household_id")
        .agg(pl.col("date").max().alias(name))
    )


def _recent(present: pl.Expr, latest: pl.Expr, lookback: date | None) -> pl.Expr:
    """ "A dated record no later than as_of and no earlier than the lookback start": false without
    such a record; unknown when the lookback start is not supplied (the document leaves it open)."""
    if lookback is None:
        return pl.when(present).then(pl.lit(None, dtype=pl.Boolean)).otherwise(False)
    return present & (latest >= pl.lit(lookback))


def identify_outcome(
    tables: Mapping[str, pl.DataFrame],
    *,
    as_of: date,
    line_yuan: int,
    window: tuple[date, date],
    lookback: date | None,
) -> pl.DataFrame:
    """``household_id``, ``outcome`` for every household of ``tables`` (valid facts assumed)."""
    day = pl.lit(as_of)
    h = tables["households"]
    members = tables["members"].filter(
        pl.col("birth_date").is_null() | (pl.col("birth_date") <= day)
    )
    income = tables["income"].filter(pl.col("end") <= day)
    events = tables["risk_events"].filter(pl.col("date") <= day)
    spending = tables["expenditures"].filter(
        (pl.col("date") <= day) & (pl.col("compliant_self_paid_fen") > 0)
    )
    monitoring = tables["monitoring"].filter(pl.col("identified_on") <= day)

    # per-capita net income over the window: pro rata by days, known when the records cover it
    start, end = pl.lit(window[0]), pl.lit(window[1])
    days = (window[1] - window[0]).days + 1
    overlap = (
        (pl.min_horizontal("end", end) - pl.max_horizontal("start", start)).dt.total_days() + 1
    ).clip(lower_bound=0)
    length = (pl.col("end") - pl.col("start")).dt.total_days() + 1
    net = (
        pl.col("wage_income_fen")
        + pl.col("business_income_fen")
        + pl.col("property_income_fen")
        + pl.col("transfer_income_fen")
        - pl.col("business_expense_fen")
    )
    earned = (
        income.with_columns(overlap.alias("o"), length.alias("d"))
        .filter(pl.col("o") > 0)
        .group_by("household_id")
        .agg(
            (net.cast(pl.Float64) * pl.col("o") / pl.col("d")).sum().alias("net"),
            pl.col("o").sum().alias("covered"),
        )
        .filter(pl.col("covered") >= days)
    )
    counted = (
        members.filter(pl.col("counted_in_household"))
        .group_by("household_id")
        .agg(pl.len().alias("size"))
    )
    rural_member = (
        members.join(h.select("household_id", pl.col("hukou").alias("h_hukou")), on="household_id")
        .group_by("household_id")
        .agg(
            (pl.coalesce("hukou", "h_hukou") == "rural").any(ignore_nulls=False).alias("rm"),
            pl.lit(True).alias("has_members"),
        )
    )
    latest = []
    for risk, (types, kinds) in EVENT_RISKS.items():
        if types:
            latest.append(_latest(events, "type", types, f"ev_{risk}"))
        if kinds:
            latest.append(_latest(spending, "kind", kinds, f"sp_{risk}"))
    latest.append(_latest(events, "type", ("natural_disaster", "accident"), "ev_sudden"))
    open_spell = (
        monitoring.filter(pl.col("eliminated_on").is_null() | (pl.col("eliminated_on") > day))
        .select("household_id")
        .unique()
        .with_columns(pl.lit(True).alias("under"))
    )
    # the latest 风险消除 on or before as_of: a 2.(2) event counts only after it
    last_elimination = (
        monitoring.filter(pl.col("eliminated_on") <= day)
        .group_by("household_id")
        .agg(pl.col("eliminated_on").max().alias("last_elimination"))
    )
    frame = h.select(
        "household_id",
        "hukou",
        "lifted_out_of_poverty",
        "housing_grade",
        "drinking_water_safe",
        "compulsory_education_ok",
        "basic_medical_insured",
        "self_coping",
        "serious_difficulty",
        "green_channel",
        "green_channel_facts_clear",
        "green_channel_urgent",
        "green_channel_town_confirmed_on",
        "green_channel_village_confirmed_on",
    )
    for part in (earned, counted, rural_member, open_spell, last_elimination, *latest):
        frame = frame.join(part, on="household_id", how="left", maintain_order="left")

    def recent(risk: str) -> pl.Expr:
        types, kinds = EVENT_RISKS[risk]
        parts = []
        if types:  # an event, and one after the latest elimination (the latest one is, if any)
            latest_event = pl.col(f"ev_{risk}")
            since = pl.col("last_elimination").is_null() | (
                latest_event > pl.col("last_elimination")
            )
            parts.append(
                _recent(latest_event.is_not_null(), latest_event, lookback) & since.fill_null(False)
            )
        if kinds:
            parts.append(
                _recent(pl.col(f"sp_{risk}").is_not_null(), pl.col(f"sp_{risk}"), lookback)
            )
        return parts[0] if len(parts) == 1 else parts[0] | parts[1]

    per_capita = pl.col("net") / pl.col("size")  # null when not covered or nobody counted
    risks = {
        "income": per_capita < line_yuan * 100,
        "housing": pl.col("housing_grade").is_in(["C", "D"]),
        "drinking_water": pl.col("drinking_water_safe") == False,  # noqa: E712 (null stays null)
        "compulsory_education": pl.col("compulsory_education_ok") == False,  # noqa: E712
        "basic_medical": pl.col("basic_medical_insured") == False,  # noqa: E712
        **{risk: recent(risk) for risk in EVENT_RISKS},
    }
    frame = frame.with_columns(
        *(expr.alias(f"risk_{name}") for name, expr in risks.items()),
        pl.col("under").fill_null(False),
        pl.col("serious_difficulty").fill_null(False).alias("serious_recorded"),
        (
            pl.col("green_channel").fill_null(False)
            & (pl.col("green_channel_town_confirmed_on") <= day).fill_null(False)
            & (pl.col("green_channel_village_confirmed_on") <= day).fill_null(False)
        ).alias("confirmed"),
        pl.col("ev_sudden").is_not_null().alias("sudden"),
        pl.col("ev_illness").is_not_null().alias("ill"),
    )

    def any_risk(*names: str) -> pl.Expr:
        exprs = [pl.col(f"risk_{n}") for n in names]
        out = exprs[0]
        for e in exprs[1:]:
            out = out | e
        return out

    urgent_clear = (pl.col("green_channel_facts_clear") == True) & (  # noqa: E712
        pl.col("green_channel_urgent") == True  # noqa: E712
    )
    serious = pl.col("serious_difficulty") == True  # noqa: E712
    not_under = ~pl.col("under")
    all_risks = ["income", *GUARANTEE_RISKS, *EVENT_RISKS]
    frame = frame.with_columns(  # the green channel is not for a household already monitored
        (pl.col("sudden") & serious & urgent_clear & pl.col("confirmed") & not_under).alias(
            "gc_sudden"
        ),
        (pl.col("sudden") & serious & urgent_clear & ~pl.col("confirmed") & not_under).alias(
            "gc_waiting"
        ),
        (
            ~pl.col("sudden")
            & pl.col("ill")
            & pl.col("serious_recorded")
            & urgent_clear
            & not_under
        ).alias("gc_other"),
    )
    reviews = [
        pl.col("gc_sudden"),
        pl.col("gc_waiting"),
        pl.col("gc_other"),
        pl.col("under") & (any_risk(*all_risks) | pl.col("serious_recorded")),
        any_risk(*GUARANTEE_RISKS) & (pl.col("self_coping") == False) & not_under,  # noqa: E712
        any_risk("income") & (pl.col("self_coping") == False) & not_under,  # noqa: E712
        any_risk(*EVENT_RISKS) & not_under,  # a monitored household: already_monitored's
        any_risk("income", *GUARANTEE_RISKS) & (pl.col("self_coping") == True) & not_under,  # noqa: E712
        pl.col("serious_recorded")
        & ~(pl.col("gc_sudden") | pl.col("gc_waiting") | pl.col("gc_other"))
        & not_under,
    ]
    review = pl.any_horizontal([r.fill_null(True) for r in reviews])  # fired or unknown
    # any member: false without members, unknown when a member's hukou is unknown
    any_rural_member = pl.when(pl.col("has_members").is_null()).then(False).otherwise(pl.col("rm"))
    # a household under monitoring or a 脱贫户 stays in scope whatever its hukou (unknown
    # whether a 脱贫户 → scope unknown: answered as any other, with the question noted)
    in_scope = (
        (pl.col("hukou") == "rural")
        | any_rural_member
        | pl.col("under")
        | pl.col("lifted_out_of_poverty")
    )
    outcome = (
        pl.when(in_scope.not_())
        .then(pl.lit("out_of_scope"))
        .when(review)
        .then(pl.lit("needs_review"))
        .otherwise(pl.lit("not_eligible"))
    )
    return frame.select("household_id", outcome.alias("outcome"))
