"""The as-of view whose later lists of facts are filtered when first read
(:func:`fangfan_rules.facts.known_lazily.known_lazily`) reads as the eager view
(:func:`fangfan_rules.facts.known.known_household`): every field, the fields set, and every read
of the whole object (equality, hashing, printing, dumps, copies, pickling). The checks run on
drawn households too, with the eager view's (``tests/test_known_household.py``)."""

from __future__ import annotations

import copy
import pickle
from datetime import date, timedelta

import fangfan_rules as ff
from fangfan_rules.facts.known import LISTS, known_household, latest_by_part, latest_day
from fangfan_rules.facts.known_lazily import KnownLater, known_lazily
from tests.helpers import sample_households
from tests.test_known_household import DAYS


def assert_reads_as_the_eager_view(household: ff.Household, day: date) -> int:
    """Fields read one by one (in field order, then in reverse: a list read late is made when
    read) equal the eager view's; the number of lists the view put off."""
    eager = known_household(household, day)
    put_off = 0
    for fields in (list(type(household).model_fields), list(type(household).model_fields)[::-1]):
        for latest in (None, latest_by_part(household)):
            view = known_lazily(household, day, latest)
            assert isinstance(view, ff.Household)
            if not isinstance(view, KnownLater):  # nothing to put off: the eager view itself
                assert type(view) is type(eager) and view == eager
                assert (view is household) == (eager is household)
                assert list(view.__dict__.items()) == list(eager.__dict__.items())
                continue
            put_off = sum(name not in view.__dict__ for name in LISTS)
            assert put_off  # a later list is made when read, not before
            assert view.model_fields_set == eager.model_fields_set
            for name in fields:
                assert getattr(view, name) == getattr(eager, name), name
                assert type(getattr(view, name)) is type(getattr(eager, name)), name
            # each list is made once, then read as a field
            assert all(getattr(view, name) is view.__dict__[name] for name in LISTS)
    return put_off


def assert_whole_reads_are_the_eager_views(household: ff.Household, day: date) -> None:
    eager = known_household(household, day)
    view = known_lazily(household, day)
    assert view == eager and eager == view and not view != eager
    assert view == known_lazily(household, day)
    assert hash(view) == hash(eager)
    assert repr(view) == repr(eager) and str(view) == str(eager)
    assert list(view) == list(eager)
    assert view.model_dump() == eager.model_dump()
    assert view.model_dump_json() == eager.model_dump_json()
    for made in (
        copy.copy(view),
        copy.deepcopy(view),
        view.model_copy(),
        pickle.loads(pickle.dumps(view)),
    ):
        assert type(made) is type(eager) and made == eager


def test_the_lazy_view_reads_as_the_eager_view_on_the_sample() -> None:
    put_off = 0
    for household in sample_households():
        latest = latest_day(household)
        assert latest is not None
        for day in (*DAYS, latest, latest - timedelta(days=1)):
            put_off += assert_reads_as_the_eager_view(household, day)
    assert put_off > 100  # most views put a list off on these days


def test_whole_reads_of_the_lazy_view_are_the_eager_views() -> None:
    checked = 0
    for household in sample_households()[:60]:
        for day in DAYS[1:4]:
            if isinstance(known_lazily(household, day), KnownLater):
                assert_whole_reads_are_the_eager_views(household, day)
                checked += 1
    assert checked > 20
