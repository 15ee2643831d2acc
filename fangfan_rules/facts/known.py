"""What was known at the evaluation date.

Facts dated after ``as_of`` were not known then: they are left out of that evaluation and listed in
its trace, so a past decision can be reproduced from today's records.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict

from fangfan_rules.facts.household import Household, MonitoringRecord


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
        if m.disability is not None and not keep(
            f"members[{m.id}].disability", m.disability.certificate_date, "certificate issued"
        ):
            m = m.model_copy(update={"disability": None})
        members.append(m)
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
        _monitoring_known(r, as_of, f"monitoring[{r.identified_on}]", keep)
        for r in household.monitoring
        if keep(f"monitoring[{r.identified_on}]", r.identified_on, "identified")
    )
    green = household.green_channel
    if green is not None:
        updates: dict[str, object] = {}
        for name in ("town_confirmed_on", "village_confirmed_on"):
            if not keep(f"green_channel.{name}", getattr(green, name), "confirmed"):
                updates[name] = None
        green = green.model_copy(update=updates) if updates else green
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
            "green_channel": green,
        }
    )
    return view, tuple(sorted(excluded, key=lambda e: (e.path, e.dated)))


def _monitoring_known(record: MonitoringRecord, as_of: date, path: str, keep) -> MonitoringRecord:
    updates: dict[str, object] = {}
    for name in ("system_entry_on", "plan_filed_on", "eliminated_on"):
        if not keep(f"{path}.{name}", getattr(record, name), name.removesuffix("_on")):
            updates[name] = None
    return record.model_copy(update=updates) if updates else record
