"""What was known at the evaluation date.

Facts dated after ``as_of`` were not known then: they are left out of that evaluation and listed in
its trace, so a past decision can be reproduced from today's records.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TypeVar

from pydantic import BaseModel, ConfigDict

from fangfan_rules.facts.household import Household


class ExcludedFact(BaseModel):
    """A fact dated after ``as_of``, left out of the evaluation."""

    model_config = ConfigDict(frozen=True)

    path: str
    dated: date
    reason: str


def known_at(household: Household, as_of: date) -> tuple[Household, tuple[ExcludedFact, ...]]:
    """Return the household as it was known on ``as_of`` and the facts that were left out."""
    excluded: list[ExcludedFact] = []

    def keep(path: str, dated: date | None, what: str) -> bool:
        if dated is not None and dated > as_of:
            excluded.append(ExcludedFact(path=path, dated=dated, reason=f"{what} after as_of"))
            return False
        return True

    members = []
    for m in household.members:
        if not keep(f"members[{m.id}]", m.birth_date, "born"):
            continue
        path = f"members[{m.id}]"
        if m.disability is not None and not keep(
            f"{path}.disability", m.disability.certificate_date, "certificate issued"
        ):
            m = m.model_copy(update={"disability": None})
        m = _blank_later(m, path, ("dropout_since", "education_aid_since"), keep)
        health = _blank_later(m.health, f"{path}.health", ("special_major_disease_since",), keep)
        statuses = tuple(
            c
            for c in m.child_status
            if keep(f"{path}.child_status[{c.kind.value} {c.since}]", c.since, "status from")
        )
        members.append(m.model_copy(update={"health": health, "child_status": statuses}))
    income = tuple(
        r for r in household.income if keep(f"income[{r.start}..{r.end}]", r.end, "period ends")
    )
    spending = tuple(
        e
        for e in household.expenditures
        if keep(f"expenditures[{e.kind.value} {e.date}]", e.date, "spent")
    )
    events = tuple(
        e
        for e in household.risk_events
        if keep(f"risk_events[{e.type.value} {e.date}]", e.date, "occurred")
    )
    assistance = []
    for a in household.social_assistance:
        if not keep(f"social_assistance[{a.kind.value} {a.start}]", a.start, "started"):
            continue
        if a.end is not None and a.end > as_of:
            a = a.model_copy(update={"end": None})  # still running as far as as_of knew
        assistance.append(a)
    monitoring = tuple(
        _blank_later(r, f"monitoring[{r.identified_on}]", _MONITORING_DATES, keep)
        for r in household.monitoring
        if keep(f"monitoring[{r.identified_on}]", r.identified_on, "identified")
    )
    clues = tuple(
        _blank_later(c, f"clues[{c.channel.value} {c.received_on}]", _CLUE_DATES, keep)
        for c in household.clues
        if keep(f"clues[{c.channel.value} {c.received_on}]", c.received_on, "received")
    )
    renovations = tuple(
        r
        for r in household.renovations
        if keep(f"renovations[{r.included_on}]", r.included_on, "included")
    )
    guarantees = _blank_later(household.guarantees, "guarantees", ("housing_appraised_on",), keep)
    judgement = household.judgement
    if judgement is not None and not keep("judgement", judgement.decided_on, "decided"):
        judgement = None
    green = household.green_channel
    if green is not None:
        green = _blank_later(
            green, "green_channel", ("town_confirmed_on", "village_confirmed_on"), keep
        )
    lifted: dict[str, object] = {}
    if household.lifted_year is not None and household.lifted_year > as_of.year:
        excluded.append(
            ExcludedFact(
                path="lifted_out_of_poverty",
                dated=date(household.lifted_year, 1, 1),
                reason="脱贫 year after as_of",
            )
        )
        lifted = {"lifted_out_of_poverty": False, "lifted_year": None}
    view = household.model_copy(
        update={
            **lifted,
            "members": tuple(members),
            "income": income,
            "expenditures": spending,
            "risk_events": events,
            "social_assistance": tuple(assistance),
            "monitoring": monitoring,
            "clues": clues,
            "renovations": renovations,
            "guarantees": guarantees,
            "judgement": judgement,
            "green_channel": green,
        }
    )
    return view, tuple(sorted(excluded, key=lambda e: (e.path, e.dated)))


_MONITORING_DATES = (
    "system_entry_on",
    "plan_filed_on",
    "eliminated_on",
    "helper_assigned_on",
    "development_confirmed_on",
    "safety_net_determined_on",
)
_CLUE_DATES = ("verified_on", "feedback_on", "closed_on")
M = TypeVar("M", bound=BaseModel)


def _blank_later(model: M, path: str, fields: tuple[str, ...], keep: Callable[..., bool]) -> M:
    """The model with each of its date ``fields`` dated after as_of set to None (not yet known)."""
    updates = {
        name: None
        for name in fields
        if not keep(f"{path}.{name}", getattr(model, name), name.removesuffix("_on"))
    }
    return model.model_copy(update=updates) if updates else model
