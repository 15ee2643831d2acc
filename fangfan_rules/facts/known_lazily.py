"""A household as known on as_of whose later lists of facts are filtered when first read.

The batch engine words its texts by running a few rules per household on the household as
known on as_of (:mod:`fangfan_rules.engines.vectorized_texts`). Most households hold a fact
dated after as_of (an income period ending later, a child's status from a later day), and
:func:`~fangfan_rules.facts.known.known_household` filters each list of facts holding one, while
the rules run on a row read few of those lists (on the README's compare() of 10,000 households,
making the views eagerly was a fifth of the call). :func:`known_lazily` gives the same view with
each later list (:data:`~fangfan_rules.facts.known.LISTS`) filtered when it is first read, by the
same walk (:func:`~fangfan_rules.facts.known.later_updates`, part by part), and kept: every field
read is the eager view's field. Equality, hashing, printing, dumps, copies and pickling act on
the eager view (:meth:`KnownLater.whole`), which is what they would read.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import date
from typing import Any

from fangfan_rules.facts.household import Household
from fangfan_rules.facts.known import (
    LISTS,
    _as_known,
    _copy_with,
    _parts_later,
    known_household,
    later_updates,
)
from fangfan_rules.facts.member import Member

#: (made once per row whose texts run a rule: looked up once, not per call)
_new = object.__new__
_set = object.__setattr__


def known_lazily(
    household: Household, as_of: date, latest: Mapping[str, date | None] | None = None
) -> Household:
    """:func:`~fangfan_rules.facts.known.known_household`'s view, its later lists of facts
    filtered when first read (the household itself when nothing is dated after as_of).
    ``latest``: the household's :func:`~fangfan_rules.facts.known.latest_by_part`, when the
    caller keeps it."""
    later = _parts_later(household, as_of, latest)
    lists = later & LISTS
    extra = household.__pydantic_extra__ is not None or household.__pydantic_private__
    if not lists or extra:  # nothing to put off (or a model _copy_with leaves to pydantic)
        return _as_known(household, as_of, later, listed=False)[0] if later else household
    others = later - lists
    update = later_updates(household, as_of, others, listed=False)[0] if others else {}
    view = _new(KnownLater)
    fields = household.__dict__.copy()  # (a copy and a few deletions: cheaper than a filter)
    for name in lists:
        del fields[name]
    if update:
        fields.update(update)
    _set(view, "__dict__", fields)
    # the fields the eager view sets: the household's, and every field of a later part
    fields_set = household.__pydantic_fields_set__ | lists
    if update:
        fields_set.update(update)
    _set(view, "__pydantic_fields_set__", fields_set)
    _set(view, "__pydantic_extra__", None)
    _set(view, "__pydantic_private__", None)
    _set(view, "_source", household)
    _set(view, "_as_of", as_of)
    return view


def members_known(household: Household, as_of: date) -> tuple[Member, ...]:
    """The members of the view on ``as_of``: :func:`~fangfan_rules.facts.known.later_updates`'s
    ``members`` walked without listing what is left out (the same members, each the same copy).

    A member born after as_of is left out; a member holding a later date is a copy with its
    disability (certificate issued later), dropout and education-aid dates, special major
    disease date (of its health) and child statuses from a later day left out, made in one copy
    (the eager walk's successive copies give the same fields, in the same order, and the same
    fields set). Why its own walk: the eager walk writes the path of each fact it compares
    (an f-string per date, for the list of facts left out) and copies a member up to three
    times; the texts of a batch read the members of most rows (``any_member`` rules), and the
    walk was a fifth of their time. Proven equal to the eager view on the sample and on drawn
    households (``tests/test_known_lazily.py``, ``tests/test_known_household.py``).
    """
    members: list[Member] = []
    for m in household.members:
        born = m.birth_date
        if born is not None and born > as_of:
            continue
        update: dict[str, Any] = {}
        day: date | None
        disability = m.disability
        if disability is not None:
            day = disability.certificate_date
            if day is not None and day > as_of:
                update["disability"] = None
        for name in ("dropout_since", "education_aid_since"):
            day = getattr(m, name)
            if day is not None and day > as_of:
                update[name] = None
        health = m.health
        day = health.special_major_disease_since
        statuses = m.child_status
        later_status = False
        for c in statuses:
            if c.since is not None and c.since > as_of:
                later_status = True
                break
        if not update and not later_status and (day is None or day <= as_of):
            members.append(m)  # nothing later (the eager walk keeps the member itself)
            continue
        if day is not None and day > as_of:
            health = _copy_with(health, {"special_major_disease_since": None})
        if later_status:
            statuses = tuple(c for c in statuses if c.since is None or c.since <= as_of)
        update["health"] = health
        update["child_status"] = statuses
        members.append(_copy_with(m, update))
    return tuple(members)


class KnownLater(Household):
    """A view made by :func:`known_lazily`: a :class:`~fangfan_rules.facts.Household` whose
    later lists are absent from its fields until read (``__getattr__`` is called only for a
    field absent)."""

    __slots__ = ("_as_of", "_source")
    _source: Household
    _as_of: date

    def __getattr__(self, name: str) -> Any:
        if name == "members":  # the list read most (any_member): walked without paths
            members = members_known(self._source, self._as_of)
            self.__dict__[name] = members
            return members
        if name in LISTS:
            # the part walked alone, as the eager view walks it; kept for the next reads
            found = later_updates(self._source, self._as_of, (name,), listed=False)[0][name]
            self.__dict__[name] = found
            return found
        return super().__getattr__(name)  # type: ignore[misc]

    def whole(self) -> Household:
        """The eager view (:func:`~fangfan_rules.facts.known.known_household`): what a read of
        the whole object reads."""
        return known_household(self._source, self._as_of)

    # Reads of the whole object: the eager view's (they would read the fields not yet made).
    def __eq__(self, other: object) -> bool:
        return self.whole() == (other.whole() if isinstance(other, KnownLater) else other)

    def __hash__(self) -> int:
        return hash(self.whole())

    def __repr__(self) -> str:
        return repr(self.whole())

    def __str__(self) -> str:
        return str(self.whole())

    def __iter__(self) -> Any:
        return iter(self.whole())

    def __reduce_ex__(self, protocol: Any) -> Any:
        return (_unpickled, (self.whole(),))  # pickled as the eager view, a Household

    # (copies are the eager view, a Household: not Self, as pydantic types them)
    def __copy__(self) -> Household:  # type: ignore[override]
        return copy.copy(self.whole())

    def __deepcopy__(self, memo: dict[int, Any] | None = None) -> Household:  # type: ignore[override]
        return copy.deepcopy(self.whole(), memo)

    def model_copy(self, *args: Any, **kwargs: Any) -> Household:  # type: ignore[override]
        return self.whole().model_copy(*args, **kwargs)

    def model_dump(self, **options: Any) -> dict[str, Any]:
        return self.whole().model_dump(**options)

    def model_dump_json(self, **options: Any) -> str:
        return self.whole().model_dump_json(**options)


def _unpickled(view: Household) -> Household:
    return view
