"""What was known at the evaluation date.

Facts dated after ``as_of`` were not known then: they are left out of that evaluation and listed in
its trace, so a past decision can be reproduced from today's records.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from datetime import date
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict

from fangfan_rules.facts.household import Household, MonitoringRecord
from fangfan_rules.facts.member import Member
from fangfan_rules.facts.records import Clue


class ExcludedFact(BaseModel):
    """A fact dated after ``as_of``, left out of the evaluation."""

    model_config = ConfigDict(frozen=True)

    path: str
    dated: date
    reason: str


def known_at(household: Household, as_of: date) -> tuple[Household, tuple[ExcludedFact, ...]]:
    """Return the household as it was known on ``as_of`` and the facts that were left out."""
    view, left_out = known_view(household, as_of)
    return view, excluded_facts(left_out)


#: A fact left out, before it becomes an :class:`ExcludedFact`: (path, dated, reason).
#: The path may be a function writing it: the facts left out are many (income periods after
#: as_of) and their paths are read only in a trace.
LeftOut = tuple[str | Callable[[], str], date, str]


def known_view(
    household: Household, as_of: date, latest: Mapping[str, date | None] | None = None
) -> tuple[Household, tuple[LeftOut, ...]]:
    """:func:`known_at` with the facts left out as plain tuples, in no order (the native engine
    makes them :class:`ExcludedFact`, in order, only when a trace is read: :func:`excluded_facts`).

    ``latest``: the household's :func:`latest_by_part`, when the caller keeps it to compare with
    several days (the parts found later are the same: the latest date of a part is after as_of
    exactly when one of its dates is)."""
    later = _parts_later(household, as_of, latest)
    if not later:
        # Nothing dated after as_of: the household is its own view (equal to the copy the walk
        # would make), and nothing is left out.
        return household, ()
    return _as_known(household, as_of, later)


def known_household(
    household: Household, as_of: date, latest: Mapping[str, date | None] | None = None
) -> Household:
    """The view of :func:`known_view` alone, without listing the facts left out (the batch
    engine's texts read the view only; most views leave out several income periods)."""
    later = _parts_later(household, as_of, latest)
    return _as_known(household, as_of, later, listed=False)[0] if later else household


def excluded_facts(left_out: Iterable[LeftOut]) -> tuple[ExcludedFact, ...]:
    """The :class:`ExcludedFact` of each fact :func:`known_view` left out, by path and date."""
    written = [(p if isinstance(p, str) else p(), d, r) for p, d, r in left_out]
    written.sort(key=lambda e: (e[0], e[1]))
    return tuple(ExcludedFact(path=p, dated=d, reason=r) for p, d, r in written)


def latest_day(household: Household) -> date | None:
    """The latest date :func:`known_at` compares with as_of, or None without any: a household
    whose latest date is on or before as_of loses nothing. A 脱贫 year counts as its 1 January
    (``lifted_year > as_of.year`` exactly when that day is after as_of)."""
    return _latest(latest_by_part(household).values())


def _latest(days: Iterable[date | None]) -> date | None:
    return max((d for d in days if d is not None), default=None)


def latest_by_part(household: Household) -> dict[str, date | None]:
    """The latest date of each part of the household the walk compares with as_of (a dict of
    dates only: the cyclic collector does not track it, so a batch's can be kept cheaply)."""
    members: list[date | None] = []
    for m in household.members:
        members += _member_days(m)
    return {
        "members": _latest(members),
        "income": _latest([r.end for r in household.income]),
        "expenditures": _latest([e.date for e in household.expenditures]),
        "risk_events": _latest([e.date for e in household.risk_events]),
        "social_assistance": _latest(
            [d for a in household.social_assistance for d in (a.start, a.end)]
        ),
        "monitoring": _latest([d for r in household.monitoring for d in _monitoring_days(r)]),
        "clues": _latest([d for c in household.clues for d in _clue_days(c)]),
        "renovations": _latest([r.included_on for r in household.renovations]),
        "household": _latest(_household_days(household)),
    }


# The dates of one item the walk compares with as_of (the same lists serve latest_day, so the
# quick answer and the walk cannot disagree on which dates count).
def _member_days(m: Member) -> list[date | None]:
    days = [m.birth_date, m.dropout_since, m.education_aid_since]
    days.append(m.health.special_major_disease_since)
    if m.disability is not None:
        days.append(m.disability.certificate_date)
    days += [c.since for c in m.child_status]
    return days


def _monitoring_days(r: MonitoringRecord) -> list[date | None]:
    return [r.identified_on, *(getattr(r, name) for name in MONITORING_LATER_DATES)]


def _clue_days(c: Clue) -> list[date | None]:
    return [c.received_on, *(getattr(c, name) for name in CLUE_LATER_DATES)]


def _household_days(household: Household) -> list[date | None]:
    """The dates of the household's single facts (guarantees, judgement, green channel, 脱贫)."""
    days = [household.guarantees.housing_appraised_on]
    if household.judgement is not None:
        days.append(household.judgement.decided_on)
    green = household.green_channel
    if green is not None:
        days += (green.town_confirmed_on, green.village_confirmed_on)
    if household.lifted_year is not None:
        days.append(date(household.lifted_year, 1, 1))
    return days


def _after(days: Iterable[date | None], as_of: date) -> bool:
    # A loop, not any() over a generator: called for every part of every household evaluated.
    for d in days:
        if d is not None and d > as_of:
            return True
    return False


def _parts_later(
    household: Household, as_of: date, latest: Mapping[str, date | None] | None
) -> set[str]:
    """The parts of ``household`` holding a date after ``as_of``: from its
    :func:`latest_by_part` when the caller keeps it, else found by walking it."""
    return _later_parts(household, as_of) if latest is None else _parts_after(latest, as_of)


def _parts_after(latest: Mapping[str, date | None], as_of: date) -> set[str]:
    """The parts of a :func:`latest_by_part` whose latest date is after ``as_of``."""
    return {part for part, day in latest.items() if day is not None and day > as_of}


def _later_parts(household: Household, as_of: date) -> set[str]:
    """The parts of :func:`latest_by_part` whose latest date is after ``as_of``, each found
    without the maxima (a part stops at its first later date): called once per evaluation."""
    parts = set()
    for m in household.members:
        if _after(_member_days(m), as_of):
            parts.add("members")
            break
    if _after([r.end for r in household.income], as_of):
        parts.add("income")
    if _after([e.date for e in household.expenditures], as_of):
        parts.add("expenditures")
    if _after([e.date for e in household.risk_events], as_of):
        parts.add("risk_events")
    if any(_after((a.start, a.end), as_of) for a in household.social_assistance):
        parts.add("social_assistance")
    if any(_after(_monitoring_days(r), as_of) for r in household.monitoring):
        parts.add("monitoring")
    if any(_after(_clue_days(c), as_of) for c in household.clues):
        parts.add("clues")
    if _after([r.included_on for r in household.renovations], as_of):
        parts.add("renovations")
    if _after(_household_days(household), as_of):
        parts.add("household")
    return parts


def _as_known(
    household: Household,
    as_of: date,
    later_parts: Collection[str] | None = None,
    listed: bool = True,
) -> tuple[Household, tuple[LeftOut, ...]]:
    """:func:`known_at` by walking the dated facts: a copy without what was dated later.

    Only the parts holding a later date are copied; the others are kept as they are (equal to
    a copy, and cheaper); ``later_parts``: :func:`_later_parts`, when the caller has it.
    ``listed=False``: the same view, the facts left out not listed (none returned)."""
    update, excluded = later_updates(household, as_of, later_parts, listed)
    view = _copy_with(household, update) if update else household
    return view, excluded


def later_updates(
    household: Household,
    as_of: date,
    later_parts: Collection[str] | None = None,
    listed: bool = True,
) -> tuple[dict[str, object], tuple[LeftOut, ...]]:
    """The fields of :func:`_as_known`'s view that differ from the household's, and the facts
    left out (listed when ``listed``).

    Each part of ``later_parts`` is walked on its own: a part's fields are made from that part
    of the household only (:data:`LISTS`: the part is the one field of that name; ``household``:
    the guarantees, judgement, green channel and 脱贫 year), so a part may be walked later than
    the others (:mod:`fangfan_rules.facts.known_lazily`)."""
    if later_parts is None:
        later_parts = _parts_after(latest_by_part(household), as_of)

    def later(part: str) -> bool:
        return part in later_parts

    excluded: list[LeftOut] = []

    def keep(path: str | Callable[[], str], dated: date | None, what: str) -> bool:
        if dated is not None and dated > as_of:
            if listed:
                excluded.append((path, dated, f"{what} after as_of"))
            return False
        return True

    update: dict[str, object] = {}
    if later("members"):
        members = []
        for m in household.members:
            if not _after(_member_days(m), as_of):
                members.append(m)
                continue
            if not keep(f"members[{m.id}]", m.birth_date, "born"):
                continue
            path = f"members[{m.id}]"
            if m.disability is not None and not keep(
                f"{path}.disability", m.disability.certificate_date, "certificate issued"
            ):
                m = _copy_with(m, {"disability": None})
            m = _blank_later(m, path, ("dropout_since", "education_aid_since"), keep)
            health = _blank_later(
                m.health, f"{path}.health", ("special_major_disease_since",), keep
            )
            statuses = tuple(
                c
                for c in m.child_status
                if keep(f"{path}.child_status[{c.kind.value} {c.since}]", c.since, "status from")
            )
            members.append(_copy_with(m, {"health": health, "child_status": statuses}))
        update["members"] = tuple(members)
    if later("income") and not listed:  # the same periods kept, none listed (no path made)
        update["income"] = tuple(r for r in household.income if r.end <= as_of)
    elif later("income"):
        # (``d <= as_of or keep(...)``: a path is written only for a fact left out)
        update["income"] = tuple(
            r
            for r in household.income
            if r.end <= as_of
            or keep(lambda r=r: f"income[{r.start}..{r.end}]", r.end, "period ends")  # type: ignore[misc]
        )
    if later("expenditures"):
        update["expenditures"] = tuple(
            e
            for e in household.expenditures
            if e.date <= as_of or keep(f"expenditures[{e.kind.value} {e.date}]", e.date, "spent")
        )
    if later("risk_events"):
        update["risk_events"] = tuple(
            e
            for e in household.risk_events
            if e.date <= as_of or keep(f"risk_events[{e.type.value} {e.date}]", e.date, "occurred")
        )
    if later("social_assistance"):
        assistance = []
        for a in household.social_assistance:
            path = f"social_assistance[{a.kind.value} {a.start}]"
            if not keep(path, a.start, "started"):
                continue
            # an end after as_of: still running as far as as_of knew, the end left out and
            # listed like every other date blanked in the view
            assistance.append(_blank_later(a, path, ("end",), keep))
        update["social_assistance"] = tuple(assistance)
    if later("monitoring"):
        update["monitoring"] = tuple(
            _blank_later(r, f"monitoring[{r.identified_on}]", MONITORING_LATER_DATES, keep)
            for r in household.monitoring
            if keep(f"monitoring[{r.identified_on}]", r.identified_on, "identified")
        )
    if later("clues"):
        update["clues"] = tuple(
            _blank_later(c, f"clues[{c.channel.value} {c.received_on}]", CLUE_LATER_DATES, keep)
            for c in household.clues
            if keep(f"clues[{c.channel.value} {c.received_on}]", c.received_on, "received")
        )
    if later("renovations"):
        update["renovations"] = tuple(
            r
            for r in household.renovations
            if keep(f"renovations[{r.included_on}]", r.included_on, "included")
        )
    if later("household"):
        guarantees = _blank_later(
            household.guarantees, "guarantees", ("housing_appraised_on",), keep
        )
        if guarantees is not household.guarantees:
            update["guarantees"] = guarantees
        judgement = household.judgement
        if judgement is not None and not keep("judgement", judgement.decided_on, "decided"):
            update["judgement"] = None
        green = household.green_channel
        if green is not None:
            update["green_channel"] = _blank_later(
                green, "green_channel", ("town_confirmed_on", "village_confirmed_on"), keep
            )
        if household.lifted_year is not None and household.lifted_year > as_of.year:
            if listed:
                excluded.append(
                    (
                        "lifted_out_of_poverty",
                        date(household.lifted_year, 1, 1),
                        "脱贫 year after as_of",
                    )
                )
            update["lifted_out_of_poverty"] = False
            update["lifted_year"] = None
    return update, tuple(excluded)


#: The parts of :func:`latest_by_part` that are each one field of the household, of that name.
LISTS = frozenset(
    "members income expenditures risk_events social_assistance monitoring clues renovations".split()
)


#: The dates of a monitoring record / a clue that are blanked in the view on as_of when they fall
#: after it (the record itself is known from identified_on / received_on); the batch engine's
#: as-of view (``engines.columnar.view_at``) blanks the same columns.
MONITORING_LATER_DATES = (
    "system_entry_on",
    "plan_filed_on",
    "eliminated_on",
    "helper_assigned_on",
    "development_confirmed_on",
    "safety_net_determined_on",
)
CLUE_LATER_DATES = ("verified_on", "feedback_on", "closed_on")
M = TypeVar("M", bound=BaseModel)


def _blank_later(model: M, path: str, fields: tuple[str, ...], keep: Callable[..., bool]) -> M:
    """The model with each of its date ``fields`` dated after as_of set to None (not yet known)."""
    updates = {
        name: None
        for name in fields
        if not keep(f"{path}.{name}", getattr(model, name), name.removesuffix("_on"))
    }
    return _copy_with(model, updates) if updates else model


def _copy_with(model: M, update: dict[str, Any]) -> M:
    """``model.model_copy(update=update)`` made in one step: the same ``__dict__`` (in field
    order), fields set, extra and private state (the facts' models forbid extra fields and keep
    no private attributes; a model that has either is copied by pydantic). A view copies a few
    models per household evaluated."""
    if model.__pydantic_extra__ is not None or getattr(model, "__pydantic_private__", None):
        return model.model_copy(update=update)
    copied = type(model).__new__(type(model))
    object.__setattr__(copied, "__dict__", {**model.__dict__, **update})
    object.__setattr__(copied, "__pydantic_fields_set__", {*model.__pydantic_fields_set__, *update})
    object.__setattr__(copied, "__pydantic_extra__", None)
    object.__setattr__(copied, "__pydantic_private__", None)
    return copied
