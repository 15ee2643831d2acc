"""The faster ways the batch engine's texts make what the native evaluator makes, proven the
same: the members of the as-of view walked without paths
(:func:`fangfan_rules.facts.known_lazily.members_known`, against the eager walk
:func:`fangfan_rules.facts.known.later_updates`) and the evaluator's contexts made without the
frozen dataclass's init (:func:`fangfan_rules.engines.native_program._made_context`).
(The texts themselves against the native answer: ``tests/test_vectorized_wording.py``.)"""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fangfan_rules as ff
from fangfan_rules import strategies as fs
from fangfan_rules.engines import native_program
from fangfan_rules.facts.known import later_updates
from fangfan_rules.facts.known_lazily import members_known
from fangfan_rules.variables import Context
from tests.helpers import sample_households
from tests.test_known_household import DAYS


def assert_members_as_walked(household: ff.Household, day: date) -> int:
    """members_known gives the eager walk's members: the same members, each the member itself
    exactly when the walk keeps it, else a copy with the same fields in the same order, the
    same fields set and the same type; the number of members copied."""
    walked = later_updates(household, day, ("members",), listed=False)[0]["members"]
    got = members_known(household, day)
    assert type(got) is tuple and len(got) == len(walked)
    copied = 0
    for mine, theirs in zip(got, walked, strict=True):
        assert type(mine) is type(theirs) and mine == theirs
        assert list(mine.__dict__.items()) == list(theirs.__dict__.items())
        assert mine.__pydantic_fields_set__ == theirs.__pydantic_fields_set__
        assert mine.health == theirs.health
        assert mine.health.__pydantic_fields_set__ == theirs.health.__pydantic_fields_set__
        kept = [m for m in household.members if m is theirs]
        assert (mine is theirs) == bool(kept)
        copied += not kept
    return copied


def test_members_known_on_the_sample() -> None:
    copied = sum(assert_members_as_walked(h, day) for h in sample_households() for day in DAYS)
    assert copied, "no member of the sample holds a later date: the test would prove little"


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(household=fs.households(), day=st.dates(date(2018, 1, 1), date(2031, 12, 31)))
def test_members_known_on_drawn_households(household: ff.Household, day: date) -> None:
    assert_members_as_walked(household, day)


def test_contexts_are_the_dataclass_contexts() -> None:
    household = sample_households()[0]
    member = household.members[0]
    # the fast path is the one in use while Context is the plain dataclass it copies
    assert native_program._context is native_program._made_context
    for who in (None, member):
        population = {("x", "y"): 1}
        made = native_program._made_context(household, date(2023, 6, 5), who, population)
        expected = Context(household, date(2023, 6, 5), who, population)
        assert type(made) is Context and made == expected
        assert list(made.__dict__.items()) == list(expected.__dict__.items())
        assert repr(made) == repr(expected)
