"""The durable_rules backend: the same rule values, run by durable_rules' Rete engine.

>>> from fangfan_rules.engines.durable_backend import DurableEngine, available
>>> with DurableEngine(pack, as_of=date(2023, 5, 20)) as engine:  # doctest: +SKIP
...     frame = engine.identify_many(households)

``identify_many`` returns the columns of :func:`fangfan_rules.analysis.compare`. ``outcome``,
``category``, ``risk_types``, ``key_attention``, ``key_areas``, ``flags``, ``must_visit``,
``green_channel``, ``deciding_rule`` and ``decided_by_unknown`` are decided by durable_rules and
equal the native evaluator's (a hypothesis suite checks it for every installed pack); list columns
are ``;``-joined strings (:mod:`fangfan_rules.result_rows`). ``citation`` is the deciding
rule's citation (``None`` when no rule decided). ``first_reason`` and ``missing_facts`` need the
native trace: they are ``None`` unless ``identify_many(..., explain=True)`` re-runs the native
evaluator for them, and :meth:`DurableEngine.explain` returns the native explained result.

How it works (details and the exactness proof in :mod:`.durable_compile`):

* each household is flattened into one fact of ``int`` / ``str`` fields computed by the core
  variables (money in integer fen at least, dates as day numbers, explicit ``__known`` flags);
* every rule condition is compiled into durable rules that decide TRUE and, where it matters,
  FALSE (Kleene); unknown = neither matched; actions record the rule into the household's result;
* effects are combined exactly as :mod:`fangfan_rules.engines.native` does
  (:func:`.durable_compile.combine`).

What durable_rules 2.0.28 gets wrong, and what this backend does about it:

* session ids are hashed to 32 bits (``530102000000720089`` and ``530102000001214000`` share a
  session): households are evaluated one at a time under small sequential sids, with
  ``delete_state`` after each; the action checks the sid it sees;
* joins that reference another fact's field segfault, ``assert_facts`` with several sids plus
  ``delete_state`` crashes: neither is used (one fact per stage, ``assert_fact`` only; ``post``
  would consume an event at the first matching rule);
* ``delete_state`` of a session that only received facts no rule matched corrupts the heap
  (``free(): invalid pointer``, the process aborts; found by the differential test): such a
  session first gets a sentinel fact that a no-op rule matches;
* more than 252 fields per fact fails, an expression holds at most 15 ``and``/``or``: the compiler
  splits (:mod:`.durable_compile`);
* missing fields make every comparison false and types are coerced: unknown is explicit, only
  ``int``/``str`` reach durable (checked before every assert);
* no dates: day numbers, evaluated against the injected ``as_of`` (no durable timers);
* exceptions in actions are swallowed into ``c.s.exception``: it is checked after every assert
  and raised as :class:`DurableActionError`;
* :class:`durable.engine.Host` starts timer threads that never stop: it is not used (rulesets are
  driven directly, no thread is started); rulesets are deleted in :meth:`DurableEngine.close`
  (each keeps ~250 KB in the C engine otherwise), and get unique names per pack content hash,
  ``as_of`` and household size.

Thread safety: a :class:`DurableEngine` may be shared between threads. Every call into the C
engine (which keeps global handle tables and does not release the GIL) happens under one
module-level lock, so evaluations are serialised, never interleaved.
"""

from __future__ import annotations

import itertools
import sys
import threading
import uuid
import weakref
from collections import Counter
from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

from fangfan_rules.engines.durable_compile import (
    Compiled,
    Plan,
    combine,
    derived_field,
    raise_first_error,
    resolve_operand,
)
from fangfan_rules.errors import DUPLICATED_HOUSEHOLD, FactError, FangfanError, MissingExtraError
from fangfan_rules.facts import Household, known_at
from fangfan_rules.idnumber import masked
from fangfan_rules.rules.conditions import Param
from fangfan_rules.rules.rule import RuleKind
from fangfan_rules.variables import Context

if TYPE_CHECKING:
    import pandas as pd

    from fangfan_rules.packs.pack import Pack
    from fangfan_rules.results import Identification

try:  # durable-rules 2.0.28 does not build or import on Python 3.13
    import durable_rules_engine as _dre
    from durable.engine import MessageNotHandledException as _NotHandled
    from durable.engine import Ruleset as _Ruleset

    _IMPORT_ERROR: BaseException | None = None
except Exception as exc:  # ImportError, or an OSError from a broken build
    _dre = None
    _Ruleset = None
    _NotHandled = None
    _IMPORT_ERROR = exc

__all__ = [
    "BackendUnavailable",
    "DurableActionError",
    "DurableEngine",
    "available",
]

#: Serialises every call into durable_rules' C engine (see the module docstring).
_LOCK = threading.RLock()
_NAMES = itertools.count(1)


class BackendUnavailable(MissingExtraError):
    """durable_rules cannot be imported here: the ``[durable]`` extra is not installed (it builds
    from source, so it is not part of the core install), or Python is 3.13+ (where durable-rules
    2.0.28 does not import)."""


class DurableActionError(FangfanError):
    """durable_rules reported an error from an action (it swallows them into ``c.s.exception``)."""


def available() -> bool:
    """Whether the durable_rules backend can run in this interpreter."""
    return _IMPORT_ERROR is None


def _require() -> None:
    if _IMPORT_ERROR is None:
        return
    error = f"{type(_IMPORT_ERROR).__name__}: {_IMPORT_ERROR}"
    cause = f"durable-rules 2.0.28 could not be imported: {error}"
    if sys.version_info >= (3, 13):
        detail = f"{cause}; it does not import on Python 3.13+: use engine='native' or 'vectorized'"
    else:
        detail = f"{cause}; it builds from source, so a C compiler is needed"
    raise BackendUnavailable(
        "the durable_rules engine (engine='durable')", "durable", detail=detail
    )


class _NoHost:
    """Stands in for durable's Host: our actions are callables, so it is never asked for one."""

    def get_action(self, name: str) -> Any:  # pragma: no cover - never called
        raise DurableActionError(f"no action named {name!r}")


class _DurableRuleset:
    """One compiled ruleset in the C engine, driven without a Host (no threads)."""

    def __init__(self, name: str, compiled: Compiled):
        self.name = name
        self.compiled = compiled
        self.sink: list[int] = []
        self.expected_sid: str | None = None
        self.fail_in_action: BaseException | None = None  # test hook: an action that raises
        self.asserted: set[str] = set()
        self.handled: set[str] = set()
        definition = compiled.definition(self._action)
        definition["sentinel"] = {"all": [{"m": {"g": 0}}], "run": _sentinel_action}
        assert _Ruleset is not None
        with _LOCK:
            self.ruleset = _Ruleset(name, _NoHost(), definition)
        self.handle = self.ruleset._handle

    def _action(self, target: int) -> Any:
        def action(c: Any) -> None:
            if self.fail_in_action is not None:
                raise self.fail_in_action
            sid = c.m.sid if c.m is not None else None
            if sid != self.expected_sid:
                raise DurableActionError(
                    f"durable matched a fact of session {sid!r} while evaluating {self.expected_sid!r}"
                )
            self.sink.append(target)

        return action

    def run(self, sid: str, fact: dict[str, Any]) -> list[int]:
        """Assert one fact, run the actions it triggers, return the targets they recorded."""
        for key, value in fact.items():
            if type(value) is not int and type(value) is not str:
                raise FangfanError(
                    f"durable backend: field {key}={value!r} ({type(value).__name__}) is not an "
                    "int or str; refusing to pass it to durable_rules"
                )
        self.sink = []
        self.expected_sid = sid
        self.asserted.add(sid)
        try:
            handle = self.ruleset.assert_fact(fact)
        except _NotHandled:  # type: ignore[misc]
            return []
        self.handled.add(sid)
        outcome: list[tuple[Any, Any]] = []
        self.ruleset.do_actions(handle, lambda error, state: outcome.append((error, state)))
        for error, state in outcome:
            if error:
                raise DurableActionError(f"durable_rules action failed: {error}")
            if isinstance(state, dict) and state.get("exception"):
                raise DurableActionError(f"durable_rules action failed: {state['exception']}")
        return self.sink

    def end_session(self, sid: str) -> None:
        """Forget the session ``sid`` (its state and facts).

        durable_rules 2.0.28 corrupts its heap (``free(): invalid pointer``, abort) when it deletes
        a session into which only unmatched facts were asserted: such a session first gets the
        sentinel fact, which a no-op rule matches. A session never asserted into is not deleted
        (durable: error 309).
        """
        if sid not in self.asserted:
            return
        try:
            if sid not in self.handled:
                self.run(sid, {"sid": sid, "g": 0})
            self.ruleset.delete_state(sid)
        finally:
            self.asserted.discard(sid)
            self.handled.discard(sid)

    def close(self) -> None:
        if self.handle is not None and _dre is not None:
            with _LOCK:
                _dre.delete_ruleset(self.handle)
            self.handle = None


def _sentinel_action(c: Any) -> None:
    """The no-op action of the sentinel rule (see :meth:`_DurableRuleset.end_session`)."""


def _close_all(rulesets: dict[int, _DurableRuleset]) -> None:
    for ruleset in rulesets.values():
        ruleset.close()
    rulesets.clear()


class DurableEngine:
    """A pack compiled to durable_rules for one evaluation date.

    ``pack`` carries the parameter values (``pack.with_parameters(...)``); ``as_of`` is the
    evaluation date (facts dated later are invisible, as in native). Compilation errors (a
    construct durable cannot run, mixed-type comparisons) raise :class:`RuleError` naming the rule
    here; errors native raises while evaluating (a parameter not supplied, a pack not in force)
    are raised by :meth:`identify_many` for the same households native raises them for.

    One ruleset is compiled per household size that occurs when the pack uses ``any_member`` (the
    member fields are flattened), lazily. Close the engine (or use it as a context manager) to
    free the rulesets in the C engine; a garbage-collected engine frees them too.
    """

    def __init__(self, pack: Pack, *, as_of: date):
        _require()
        self.pack = pack
        self.as_of = as_of
        self.plan = Plan(pack, as_of)
        self._rulesets: dict[int, _DurableRuleset] = {}
        self._sids = itertools.count(1)
        self._finalizer = weakref.finalize(self, _close_all, self._rulesets)
        self._ruleset_for(0)  # compile now: errors surface at construction

    # -- lifecycle -----------------------------------------------------------------------------
    def close(self) -> None:
        """Delete the compiled rulesets from durable_rules' C engine."""
        with _LOCK:
            self._finalizer()

    def __enter__(self) -> DurableEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def ruleset_names(self) -> tuple[str, ...]:
        return tuple(r.name for r in self._rulesets.values())

    def _ruleset_for(self, n_members: int) -> _DurableRuleset:
        n = n_members if self.plan.uses_members else 0
        with _LOCK:  # two threads must not compile the same size twice
            if not self._finalizer.alive:
                raise FangfanError("this DurableEngine is closed")
            if n not in self._rulesets:
                compiled = Compiled(self.plan, n)
                digest = self.pack.content_hash.removeprefix("sha256:")[:16]
                name = (
                    f"fangfan.{self.pack.name}.{digest}.{self.as_of.isoformat()}.m{n}."
                    f"{next(_NAMES)}.{uuid.uuid4().hex[:8]}"
                )
                self._rulesets[n] = _DurableRuleset(name, compiled)
            return self._rulesets[n]

    # -- evaluation ----------------------------------------------------------------------------
    def identify_many(
        self, households: Iterable[Household], *, explain: bool = False
    ) -> pd.DataFrame:
        """Evaluate a batch (population-level variables see the whole batch), in input order.

        Returns the :func:`fangfan_rules.analysis.compare` columns. With ``explain=True`` the
        ``first_reason``, ``citation`` and ``missing_facts`` columns are filled from a native
        re-run (slow: it is the native evaluator). A household id that appears more than once:
        every copy is an error row, the others are answered (as in every engine).
        """
        import pandas as pd

        from fangfan_rules.engines.native import identify, population_for
        from fangfan_rules.result_rows import COLUMNS
        from fangfan_rules.result_rows import result_row as _row

        batch = list(households)
        counts = Counter(h.id for h in batch)
        repeated = {hid for hid, n in counts.items() if n > 1}
        answered = [h for h in batch if h.id not in repeated]
        population = population_for(self.pack, answered, as_of=self.as_of)
        rows = []
        for h in batch:
            if h.id in repeated:
                error = FactError(h.id, [("id", h.id, DUPLICATED_HOUSEHOLD)])
                rows.append(
                    {
                        **dict.fromkeys(COLUMNS),
                        "household_id": masked(h.id),
                        "pack": self.pack.name,
                        "as_of": self.as_of,
                        "outcome": "error",
                        "error": str(error),
                    }
                )
                continue
            columns = self._evaluate(h, population.values.get(h.id, {}))
            row: dict[str, Any] = {
                "household_id": masked(h.id),
                "pack": self.pack.name,
                "as_of": self.as_of,
                **columns,
                "first_reason": None,
                "citation": (
                    None
                    if columns["decided_by_unknown"]
                    else self._citation(columns["deciding_rule"])
                ),
                "missing_facts": None,
                "error": None,
            }
            if explain:
                native = _row(identify(self.pack, h, as_of=self.as_of, population=population))
                for key in ("first_reason", "citation", "missing_facts"):
                    row[key] = native[key]
            rows.append(row)
        return pd.DataFrame(rows, columns=list(COLUMNS))

    def explain(
        self, household: Household, *, batch: Iterable[Household] | None = None
    ) -> Identification:
        """The native evaluator's explained result for one household (reasons, trace, missing
        facts); ``batch`` supplies the population for population-level variables."""
        from fangfan_rules.engines.native import identify, population_for

        population = population_for(
            self.pack, list(batch) if batch is not None else [household], as_of=self.as_of
        )
        return identify(self.pack, household, as_of=self.as_of, population=population)

    def _citation(self, rule_id: str | None) -> str | None:
        if not rule_id:
            return None  # nothing decided: native shows the first reason's citation, if any
        return self.plan.by_id[rule_id].citation

    def _evaluate(self, household: Household, population: Any) -> dict[str, Any]:
        plan = self.plan
        self.pack.check_in_force(self.as_of)
        view, _ = known_at(household, self.as_of)
        members = sorted(view.members, key=lambda m: m.id)
        n = len(members)
        scope_rules = [r for r in plan.rules if r.kind == RuleKind.SCOPE]
        main_rules = [r for r in plan.rules if r.kind != RuleKind.SCOPE]
        self._raise_errors(scope_rules, n)
        durable = self._ruleset_for(n)
        compiled = durable.compiled
        values: dict[str, int | str] = {}

        def field_value(name: str) -> int | str:
            if name not in values:  # compute the occurrence with the core variable, encode it
                occ, slot = compiled.field_source[name]
                member = None if slot is None else members[slot]
                ctx = Context(view, self.as_of, member, population)
                occ.encode(occ.variable(ctx, **occ.args), slot, values)
            return values[name]

        fired: set[int] = set()
        with _LOCK:
            sid = str(next(self._sids) % 1_000_000 + 1)
            try:
                for phase in ("scope", "main"):
                    if phase == "main":
                        truths = self._truths(compiled, fired)
                        if any(r.id in truths[1] for r in scope_rules):
                            break  # out of scope: native skips every other rule
                        self._raise_errors(main_rules, n)
                    for group in compiled.groups:
                        if group.phase != phase:
                            continue
                        fact: dict[str, int | str] = {"sid": sid, "g": group.gid}  # type: ignore[dict-item]
                        for name in group.base_fields:
                            fact[name] = field_value(name)
                        for target in group.ref_targets:
                            fact[derived_field(target)] = 1 if target in fired else 0
                        fired.update(durable.run(sid, fact))
            except BaseException:
                try:
                    durable.end_session(sid)
                except Exception:  # pragma: no cover - keep the original error
                    pass
                raise
            durable.end_session(sid)
        true, false = self._truths(compiled, fired)
        both = true & false
        if both:
            raise DurableActionError(f"durable matched both true and false for {sorted(both)}")
        columns = combine(plan, true, false)
        if columns["outcome"] != "out_of_scope":
            self._raise_deadline_errors(view, true)
        return columns

    @staticmethod
    def _truths(compiled: Compiled, fired: set[int]) -> tuple[set[str], set[str]]:
        true: set[str] = set()
        false: set[str] = set()
        for (rule_id, polarity), tid in compiled.rule_targets.items():
            if tid in fired:
                (true if polarity else false).add(rule_id)
        return true, false

    def _raise_errors(self, rules: list[Any], n_members: int) -> None:
        """Raise what native raises while evaluating ``rules`` (a parameter not supplied...)."""
        for rule in rules:
            status = self.plan.plans[rule.id].status
            if status == "error" or (status == "member_error" and n_members > 0):
                raise_first_error(self.pack, self.as_of, rule, n_members)

    def _raise_deadline_errors(self, view: Household, true: set[str]) -> None:
        from fangfan_rules.variables import get_variable

        erring = {r.id for r in self.plan.deadline_errors}
        for rule in (r for r in self.plan.rules if r.id in erring):
            spec = rule.effect.deadline
            if rule.id not in true or spec is None or not isinstance(spec.days, dict):
                continue
            start = get_variable(spec.start)(Context(view, self.as_of))
            if isinstance(start, date):
                resolve_operand(self.pack, self.as_of, Param(spec.days["param"]), rule.id)
