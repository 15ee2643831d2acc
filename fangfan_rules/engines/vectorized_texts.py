"""``first_reason`` and ``missing_facts`` of a vectorized batch's rows, from the plan's rule values.

Both texts are worded from what the native evaluator records for a few rules only: the reason
that weighs most is one rule's recorded checks (or a review point), and the missing facts are the
``run.missing`` of the rules :func:`fangfan_rules.engines.native.identify` notes (unknown scope
rules, unknown outcome / green-channel rules with an effect outcome, the category rule that
stopped the precedence, unknown key-attention / key-area / must-visit / risk / flag rules). The
polars plan already knows every rule's Kleene value on every row, so :class:`RowTexts` picks those
rules from the plan's values: the one rule whose checks are worded, the noted unknown rules (and
the unknown rules they refer to with ``fired``, whose missing facts they pass on). Nothing else of
the native answer is built (no trace, no other reasons, no English words).

Those rules are run over the plan's own leaf values when the caller gives them (:meth:`RowTexts.read_plan`,
:mod:`~fangfan_rules.engines.vectorized_texts_leaves`: the native closures' algorithm over two
bits a leaf, the fixed path of a missing fact written where the variable has one, a checked value
worked out from the leaf's result, read from the plan for a few enums, or computed natively for
that leaf only on the household's as-of view); rows alike in everything the plan gives them
share their texts. Otherwise (a rule whose leaves the plan does not give) through the native
closures on the native view of the household (its later lists of facts filtered when first read,
:func:`~fangfan_rules.facts.known_lazily.known_lazily`): the recording closure of the rule whose
checks are worded, the quick closures of the noted rules.

Why not the whole native answer: it evaluates every rule twice (the quick pass, then the replay
that records checks for the reasons) and words every reason in two languages, to read one Chinese
reason (two thirds of a native answer's time in a profile), and its quick pass repeats what the
plan has already decided. Why not every value from the plan's columns: a missing fact's path
(``income records for … days``) and a checked number or date as native prints it are not in the
plan's columns for every variable; those are computed natively, for the leaf that needs them.

The choice of the rule and of the review point follows ``native._identify`` step by step; each
rule run here is checked to give the plan's value (a difference is a bug, raised, never a text).
The words are :func:`~fangfan_rules.rules.wording.check_text` and
:func:`~fangfan_rules.rules.wording.reason_text`, each distinct check worded once per process
(keyed by every argument, with the exact type of each value). Proven equal to
``identify(...).first_reason("zh")`` and the masked ``missing_facts`` on every row by
``tests/test_vectorized_wording.py`` and ``tests/test_compare_texts_leaves.py``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, NamedTuple

import polars as pl

# the native answer's own constants and its memo of review texts, not copies of them
from fangfan_rules.engines.native import (
    KIND_ORDER,
    SCOPE_UNKNOWN,
    cached_missing_facts_text,
)
from fangfan_rules.engines.native_program import Node, Recorder, RuleRun, program_of
from fangfan_rules.facts import Household
from fangfan_rules.facts.known_lazily import known_lazily
from fangfan_rules.idnumber import ids_revealed, masked
from fangfan_rules.logic import UNKNOWN, Truth
from fangfan_rules.result_rows import joined
from fangfan_rules.rules.conditions import (
    All,
    Compare,
    Condition,
    Const,
    Fired,
    IsTrue,
    Not,
    rules_referenced,
)
from fangfan_rules.rules.parameters import LocalText
from fangfan_rules.rules.rule import Rule, RuleKind
from fangfan_rules.rules.wording import check_text, reason_text
from fangfan_rules.variables import get_variable
from fangfan_rules.vocabulary import MonitoringCategory

if TYPE_CHECKING:
    from fangfan_rules.engines.vectorized import CompiledPack
    from fangfan_rules.engines.vectorized_texts_leaves import PlanLeaves
    from fangfan_rules.packs.pack import Pack

#: Unknown rules of these kinds name their missing facts without changing the outcome.
_SCREENING = (
    RuleKind.KEY_ATTENTION,
    RuleKind.KEY_AREA,
    RuleKind.MUST_VISIT,
    RuleKind.RISK,
    RuleKind.FLAG,
)
_IDENTIFY, _REVIEW = "identify", "needs_review"
#: A rule's value by its digit in a row's code (:func:`plan_codes`).
_DECODED: tuple[Truth, Truth, Truth] = (False, True, UNKNOWN)
#: Rules per word of a code: 40 base-3 digits fit in an unsigned 64-bit integer (3**40 < 2**64).
_PER_WORD = 40


def plan_codes(rows: pl.DataFrame, columns: list[str]) -> list[tuple[int, ...]]:
    """Each row's values of the rule ``columns`` (Kleene booleans, null unknown) as a few
    integers, made by polars: rule ``j``'s value is the base-3 digit ``j % 40`` of word
    ``j // 40`` (0 false, 1 true, 2 unknown; :func:`decoded`).

    Why: the rows of a batch take a few hundred distinct sets of values; one or two integers
    per row are read from polars at once and hashed cheaply, where a tuple of every rule's value
    per row was read cell by cell and hashed again by each lookup.
    """
    if not columns:
        return [()] * rows.height
    words = [
        pl.sum_horizontal(
            pl.col(c).cast(pl.UInt64).fill_null(2) * pl.lit(3**j, dtype=pl.UInt64)
            for j, c in enumerate(columns[k : k + _PER_WORD])
        ).alias(f"__word{k // _PER_WORD}")
        for k in range(0, len(columns), _PER_WORD)
    ]
    found = rows.select(words)
    return list(zip(*(found.get_column(w).to_list() for w in found.columns), strict=True))


def decoded(code: tuple[int, ...], count: int) -> Iterator[Truth]:
    """The values of the ``count`` rules a :func:`plan_codes` code holds, in order."""
    for j in range(count):
        word, digit = divmod(j, _PER_WORD)
        yield _DECODED[code[word] // 3**digit % 3]


class _Script(NamedTuple):
    """What the texts of rows whose rules took one set of values need (made once per set).

    ``fired``: the plan's values for ``fired`` references (every rule, the ones not in force
    false); ``outside``: the scope rule whose negated reason is the first (out of scope, nothing
    missing); ``early`` / ``noted``: the rules whose missing facts make the review point and the
    ``missing_facts`` column; ``runs``: those and the unknown rules they refer to, in plan order;
    ``review``: the first review point when it is a fixed text; ``from_missing``: the first
    reason is the review point naming the early missing facts when there are any; ``reason``:
    the rule whose reason is the first otherwise (None: no reason, ""); ``quick``: each rule of
    ``runs`` with its quick closure (looked up once per set, not per row).
    """

    fired: dict[str, Truth]
    outside: Rule | None
    early: tuple[str, ...]
    noted: tuple[str, ...]
    runs: tuple[Rule, ...]
    review: LocalText | None
    from_missing: bool
    reason: Rule | None
    quick: tuple[tuple[Rule, Node], ...] = ()
    #: every rule a row runs (``runs``, ``outside``, ``reason``) is read from the plan's leaves
    #: (:class:`~fangfan_rules.engines.vectorized_texts_leaves.PlanLeaves`)
    from_plan: bool = False


class RowTexts:
    """The texts of one compiled pack's rows (one instance per batch: its memo of words)."""

    def __init__(self, pack: Pack, as_of: date, in_force: Iterable[Rule]):
        self.pack = pack
        self.as_of = as_of
        self.program = program_of(pack)
        #: the rules in force in the native plan's order (scope first)
        self.rules = tuple(in_force)
        self.ids = tuple(r.id for r in self.rules)
        self.scope = [r for r in self.rules if r.kind == RuleKind.SCOPE]
        self.decisive = [r for r in self.rules if r.kind == RuleKind.OUTCOME] + [
            r for r in self.rules if r.kind == RuleKind.GREEN_CHANNEL
        ]
        # as native builds it: a later rule of one category stands for it
        self.by_category = {r.effect.category: r for r in self.rules if r.kind == RuleKind.CATEGORY}
        self.screening = [r for kind in _SCREENING for r in self.rules if r.kind == kind]
        self.reasons_order = sorted(
            (r for r in self.rules if r.kind != RuleKind.SCOPE),
            key=lambda r: (KIND_ORDER[r.kind], r.id),
        )
        self.position = {r.id: i for i, r in enumerate(self.rules)}
        self.refs = {r.id: sorted(rules_referenced(r.condition)) for r in self.rules}
        self.never = dict.fromkeys((r.id for r in pack.rules), False)
        self._scripts: dict[tuple[int, ...], _Script] = {}
        self._reasons: dict[tuple[str, bool, tuple[str, ...]], str] = {}
        #: the rules whose reason, when they hold, is worded alike on every row (:func:`_same_checks`)
        self.same_words = {r.id for r in self.rules if _same_checks(r.condition)}
        #: the reasons of those rules, worded on the first row that needed one
        self._same_reasons: dict[str, str] = {}
        #: masked texts and missing-facts cells by (ids revealed, what was masked)
        self._cells: dict[tuple[bool, str | tuple[str, ...]], str] = {}
        #: the plan's leaf values, when the caller gave them (:meth:`read_plan`)
        self._leaves: PlanLeaves | None = None
        #: the texts of rows read from the plan alone, by what the plan gives them (_from_plan)
        self._alike: dict[Any, tuple[str, str]] = {}

    def read_plan(
        self,
        compiled: CompiledPack,
        frames: Callable[[], tuple[pl.DataFrame, pl.DataFrame | None]],
        hrows: pl.Series,
        codes: list[tuple[int, ...]],
    ) -> None:
        """Read the rules the rows run from the plan's leaf values
        (:class:`~fangfan_rules.engines.vectorized_texts_leaves.PlanLeaves`) instead of running
        the native closures: the missing facts of the noted rules, and the checks of the rule
        whose reason is worded; ``codes``: the rows' :func:`plan_codes`, whose ``hrows`` (the
        plan's ``__hrow``) in the same order; ``frames``: the plan's household and member frames
        with the variables' columns. :meth:`texts` is then called with each row's position."""
        from fangfan_rules.engines.vectorized_texts_leaves import PlanLeaves

        for code in set(codes):
            self.script(code)
        read = {c: {r.id for r in _read(s)} for c, s in self._scripts.items()}
        wanted = set().union(*read.values())

        def member_rows(rule_ids: set[str]) -> list[int]:
            """The positions of the rows that read one of ``rule_ids``."""
            reads = {c: not ids.isdisjoint(rule_ids) for c, ids in read.items()}
            return [k for k, code in enumerate(codes) if reads[code]]

        ordered = [r for r in self.rules if r.id in wanted]  # plan order
        leaves = PlanLeaves(self.pack, compiled, frames, hrows, ordered, member_rows)
        for code, script in self._scripts.items():
            if all(leaves.serves(r) for r in read[code]):
                self._scripts[code] = script._replace(from_plan=True)
        self._leaves = leaves

    # -- one row --------------------------------------------------------------------------------
    def script(self, code: tuple[int, ...]) -> _Script:
        """What the texts of rows whose rules took the values ``code`` holds need (made once
        per distinct code): ``code`` is a row's :func:`plan_codes`, the rules in :attr:`rules`
        order."""
        script = self._scripts.get(code)
        if script is None:  # a function of the values only: made once per distinct set
            kleene = decoded(code, len(self.ids))
            script = self._script(dict(zip(self.ids, kleene, strict=True)))
            quick = self.program.quick_condition
            script = self._scripts[code] = script._replace(
                quick=tuple((rule, quick(rule)) for rule in script.runs)
            )
        return script

    def texts(
        self,
        household: Household,
        script: _Script,
        population: Mapping[tuple[str, str], Any],
        view: Callable[[], Household] | None = None,
        position: int | None = None,
    ) -> tuple[str, str]:
        """(first_reason, missing_facts) of ``household``, whose rules in force took the values
        of ``script`` (:meth:`script`) in the plan, with its population-level values as the
        native batch gives them (``Population.values[household.id]``); both masked as the
        native row masks them. ``view``: gives the household as known on as_of
        (:func:`~fangfan_rules.facts.known_lazily.known_lazily`, or the eager view) when the
        caller has it; called only for a row that runs a rule natively or reads a variable
        whose missing facts have no fixed path (no view is made for the others). ``position``:
        the row's position in the codes given to :meth:`read_plan`, if it was called."""
        revealed = ids_revealed()  # read once per row (both texts are masked alike)
        if script.outside is None and not script.runs:  # nothing noted, so nothing missing
            first = self._first_without_runs(script)
            if first is not None:  # and no rule to run: no view, no closure
                return self._shown(first, revealed), ""
        if script.from_plan and self._leaves is not None and position is not None:
            return self._from_plan(household, script, population, view, position, revealed)
        known = view() if view is not None else known_lazily(household, self.as_of)
        rec = self._recorder(known, script, population)
        if script.outside is not None:
            return self._shown(self._reason(rec, script.outside, negated=True), revealed), ""
        for rule, node in script.quick:
            self._run(rec, rule, node)
        done = rec.missing_by_rule
        early = _union([done[r] for r in script.early]) if script.early else []
        if script.review is not None:
            first = script.review("zh")
        elif script.from_missing and early:
            first = cached_missing_facts_text(tuple(early))("zh")
        elif script.reason is not None:
            held = script.reason
            first = self._held(held, lambda: self._reason(rec, held, negated=False))
        else:
            first = ""
        return self._shown(first, revealed), self._missing_cell(script, done, revealed)

    def _from_plan(
        self,
        household: Household,
        script: _Script,
        population: Mapping[tuple[str, str], Any],
        view: Callable[[], Household] | None,
        position: int,
        revealed: bool,
    ) -> tuple[str, str]:
        """:meth:`texts` of a row whose rules are all read from the plan's leaves
        (:meth:`read_plan`): no native closure run, the view made only when a variable's native
        value is needed."""
        leaves = self._leaves
        assert leaves is not None
        # Rows alike in all the plan gives them (the script's rule values, the leaves' codes,
        # the members' ids and codes) get the same texts, unless a native value was read.
        key = (id(script), leaves.signature(position), revealed)
        found = self._alike.get(key)
        if found is not None:
            return found
        return self._new_from_plan(key, household, script, population, view, position, revealed)

    def _new_from_plan(
        self,
        key: Any,
        household: Household,
        script: _Script,
        population: Mapping[tuple[str, str], Any],
        view: Callable[[], Household] | None,
        position: int,
        revealed: bool,
    ) -> tuple[str, str]:
        """:meth:`_from_plan` of a row whose ``key`` was not met before."""
        leaves = self._leaves
        assert leaves is not None
        if view is None:
            view = functools.partial(known_lazily, household, self.as_of)
        row = leaves.row(position, script.fired, view, population)
        texts = self._plan_texts(leaves, row, script, revealed)
        if not row.made:  # no native value read: a function of the key
            self._alike[key] = texts
        return texts

    def fill(
        self,
        households: Sequence[Household],
        codes: Sequence[tuple[int, ...]],
        figures: Iterable[Mapping[tuple[str, str], Any]],
        view_of: Callable[[int], Callable[[], Household] | None],
        advance: Callable[[int], None] = lambda n: None,
    ) -> tuple[list[str], list[str]]:
        """:meth:`texts` of every row (``households``, their :func:`plan_codes`, population
        values and, by position, the view callable :meth:`texts` takes), in order; made once
        per row alike in all the plan gives it when :meth:`read_plan` was called (the texts of
        such a row are looked up, with no call per row). The reveal switch is read once."""
        revealed = ids_revealed()
        leaves = self._leaves
        alike, scripts = self._alike, self._scripts
        firsts: list[str] = []
        missings: list[str] = []
        done = 0
        for k, (household, code, own) in enumerate(zip(households, codes, figures, strict=True)):
            script = scripts.get(code)
            if script is None:
                script = self.script(code)
            if leaves is not None and script.from_plan:
                key = (id(script), leaves.signature(k), revealed)
                found = alike.get(key)
                if found is None:
                    found = self._new_from_plan(
                        key, household, script, own, view_of(k), k, revealed
                    )
            else:
                found = self.texts(household, script, own, view_of(k), k)
            firsts.append(found[0])
            missings.append(found[1])
            if k - done >= 1023:  # the progress bar moved every 1,024 rows
                advance(k + 1 - done)
                done = k + 1
        advance(len(firsts) - done)
        return firsts, missings

    def _plan_texts(
        self, leaves: PlanLeaves, row: Any, script: _Script, revealed: bool
    ) -> tuple[str, str]:
        """:meth:`_from_plan` of ``row``."""
        if script.outside is not None:
            details = leaves.checks(row, script.outside, wanted=False)
            return self._shown(self._worded(script.outside, True, details), revealed), ""
        done = leaves.missing_facts(row, script.runs) if script.runs else {}
        early = _union([done[r] for r in script.early]) if script.early else []
        if script.review is not None:
            first = script.review("zh")
        elif script.from_missing and early:
            first = cached_missing_facts_text(tuple(early))("zh")
        elif script.reason is not None:
            held = script.reason
            first = self._held(
                held, lambda: self._worded(held, False, leaves.checks(row, held, wanted=True))
            )
        else:
            first = ""
        return self._shown(first, revealed), self._missing_cell(script, done, revealed)

    def _missing_cell(self, script: _Script, done: Mapping[str, list[str]], revealed: bool) -> str:
        """The masked ``missing_facts`` cell of the noted rules' facts (each distinct list's
        cell made once per batch)."""
        if not script.noted:
            return ""
        missing = tuple(_union([done[r] for r in script.noted]))
        key = (revealed, missing)
        cell = self._cells.get(key)
        if cell is None:
            cell = self._cells[key] = joined(masked(m) for m in missing)
        return cell

    def _recorder(
        self, known: Household, script: _Script, population: Mapping[tuple[str, str], Any]
    ) -> Recorder:
        """A native recorder of the row's household as known on as_of."""
        rec = Recorder(self.pack, known, self.as_of, population)
        # The script's own dict, not a copy per row: a rule run here writes its value into it,
        # and that value is the plan's, already there (checked by _run; a difference raises,
        # ending the batch whose texts these are).
        rec.fired = script.fired
        return rec

    def _first_without_runs(self, script: _Script) -> str | None:
        """The first reason of a row that runs no rule for its missing facts, when no rule needs
        to run for it either (None: the reason's rule must be run on the row)."""
        if script.review is not None:
            return script.review("zh")
        if script.reason is None:
            return ""
        return self._same_reasons.get(script.reason.id)

    def _held(self, rule: Rule, worded: Callable[[], str]) -> str:
        """The reason of ``rule``, which holds on the row: ``worded()`` on the row, or once for
        every row when its words are the same on all (:attr:`same_words`)."""
        text = self._same_reasons.get(rule.id)
        if text is None:
            text = worded()
            if rule.id in self.same_words:
                self._same_reasons[rule.id] = text
        return text

    def _shown(self, text: str, revealed: bool) -> str:
        """``masked(text)``, made once per batch for each distinct text (the first reasons of
        a batch are a few hundred texts over thousands of rows); ``revealed``: ids_revealed()."""
        key = (revealed, text)
        shown = self._cells.get(key)
        if shown is None:
            shown = self._cells[key] = masked(text)
        return shown

    def _script(self, values: Mapping[str, Truth]) -> _Script:
        """``native._identify``'s choices for rules that took ``values``, step by step."""
        fired = {**self.never, **values}
        outside = [r for r in self.scope if values[r.id] is False]
        if outside:  # out of scope: the first scope rule not met, negated; nothing missing
            return _Script(fired, outside[0], (), (), (), None, False, None)
        noted: list[Rule] = [r for r in self.scope if values[r.id] is UNKNOWN]
        review = SCOPE_UNKNOWN if noted else None
        outcome = "not_eligible"
        for r in self.decisive:
            v, effect = values[r.id], r.effect.outcome
            if v is True and effect == _IDENTIFY:
                outcome = _IDENTIFY
            elif v is True and effect == _REVIEW:
                if outcome != _IDENTIFY:
                    outcome = _REVIEW
                if r.effect.review_reason and review is None:
                    review = r.effect.review_reason
            elif v is UNKNOWN and effect is not None:
                noted.append(r)
                if outcome == "not_eligible":
                    outcome = _REVIEW
        if outcome == _IDENTIFY and any(values[r.id] is UNKNOWN for r in self.scope):
            outcome = _REVIEW
        early = tuple(r.id for r in noted)
        category = self._category(values, outcome, noted)
        noted.extend(r for r in self.screening if values[r.id] is UNKNOWN)
        reasons = [
            r
            for r in self.reasons_order
            if values[r.id] is True
            and (r.kind != RuleKind.CATEGORY or r.effect.category == category)
        ]
        deciding = [r for r in reasons if r.kind in (RuleKind.GREEN_CHANNEL, RuleKind.OUTCOME)]
        # the review point is the first reason of a review nothing decided (native's first_reason)
        by_review = outcome == _REVIEW and not deciding
        return _Script(
            fired=fired,
            outside=None,
            early=early,
            noted=tuple(r.id for r in noted),
            runs=self._runs(values, noted),
            review=review if by_review else None,
            from_missing=by_review,
            reason=(deciding or reasons)[0] if deciding or reasons else None,
        )

    def _category(
        self, values: Mapping[str, Truth], outcome: str, noted: list[Rule]
    ) -> MonitoringCategory | None:
        """The category by the pack's precedence (noting the rule that stopped it unknown)."""
        if outcome not in (_IDENTIFY, _REVIEW):
            return None
        for wanted in self.pack.category_precedence:
            rule = self.by_category.get(wanted)
            if rule is None:
                continue
            if values[rule.id] is True:
                return wanted
            if values[rule.id] is UNKNOWN:
                noted.append(rule)
                return None
        return None

    def _runs(self, values: Mapping[str, Truth], noted: list[Rule]) -> tuple[Rule, ...]:
        """The noted rules and the unknown rules they refer to (whose missing facts they pass
        on), in plan order: each is run once per row, a referenced rule first."""
        wanted: set[str] = set()
        todo = [r.id for r in noted]
        while todo:
            rule_id = todo.pop()
            if rule_id in wanted:
                continue
            wanted.add(rule_id)
            todo.extend(ref for ref in self.refs[rule_id] if values.get(ref) is UNKNOWN)
        return tuple(self.rules[i] for i in sorted(self.position[r] for r in wanted))

    # -- the native closures --------------------------------------------------------------------
    def _run(self, rec: Recorder, rule: Rule, node: Node) -> RuleRun:
        """``rule`` run on the row by ``node`` (its quick or its recording closure), checked to
        give the plan's value."""
        expected = rec.fired[rule.id]
        value, run = rec.evaluate(rule, node)
        if value is not expected:  # pragma: no cover - a bug, never a text
            raise AssertionError(
                f"rule {rule.id}: {value!r} natively, {expected!r} in the batch plan"
            )
        return run

    def _reason(self, rec: Recorder, rule: Rule, *, negated: bool) -> str:
        """``native._reason(rule, run, negated).text_zh``: the checks with the wanted result (or
        all of them), each worded once per process by check_text's memo."""
        run = self._run(rec, rule, self.program.condition(rule))
        wanted = not negated
        relevant = [c for c in run.checks if c[6] is wanted] or run.checks
        # check_text words each distinct check once per process (its exactly keyed memo)
        details = tuple(check_text(*c[:7], lang="zh", parameter=c[7]) for c in relevant)
        return self._worded(rule, negated, details)

    def _worded(self, rule: Rule, negated: bool, details: tuple[str, ...]) -> str:
        """The reason of ``rule`` with the words of its checks (made once per batch)."""
        key = (rule.id, negated, details)
        text = self._reasons.get(key)
        if text is None:
            text = self._reasons[key] = reason_text(rule.title, details, negated=negated, lang="zh")
        return text


def _read(script: _Script) -> Iterator[Rule]:
    """The rules whose runs a row of ``script`` may read: the rules run for its missing facts
    and the rule whose reason is worded (a scope rule not met, or the reason)."""
    yield from script.runs
    if script.outside is not None:
        yield script.outside
    if script.reason is not None:
        yield script.reason


def _same_checks(condition: Condition) -> bool:
    """Whether the reason the native evaluator words for ``condition``, when it holds, is the
    same on every household of one day: an ``all`` (or one item; an ``all`` inside it is read
    as its items) of

    - ``fired`` references and their negations, which record no check;
    - household-level ``is_true`` leaves, ``eq`` comparisons of a yes/no variable with a
      constant True or False, and ``contains`` comparisons of a set variable with a constant:
      when the rule holds each records its one statement that holds (``is_true``: the value
      True; ``eq``: a value equal to the constant, worded as a yes/no fact by its truth;
      ``contains``: worded as the constant contained, the set itself not shown,
      :func:`~fangfan_rules.rules.wording.check_text`), with the day's arguments and no member;
    - negated ``is_true`` leaves of a yes/no variable: when the rule holds the leaf does not,
      on a value that is not True (False, or None: no such thing on record), worded by its truth
      as the statement that does not hold;
    - other negated leaves, when at least one check above holds: the reason then keeps only the
      checks that hold (``native._reason``), so these, which do not, are left out.

    Why: a rule that holds holds every item of its ``all``, and its reason is its title with the
    words of the checks that hold (of every check when none does). Any other node may record a
    value, a member or the items that held, which differ between households. Proven on the
    sample and on drawn batches of every pack by ``tests/test_vectorized_same_words.py``.
    """
    items = _all_items(condition)
    holding = [i for i in items if isinstance(i, IsTrue) or _bool_equal(i) or _set_contains(i)]
    for item in items:
        if isinstance(item, Fired) or item in holding:
            continue
        if not isinstance(item, Not):
            return False
        inner = item.item
        if isinstance(inner, Fired):
            continue
        if isinstance(inner, IsTrue) and get_variable(inner.var.name).value_type == "bool":
            continue  # worded as the statement that does not hold (its value is not True)
        if not (holding and isinstance(inner, IsTrue | Compare)):
            return False
    return True


def _all_items(condition: Condition) -> list[Condition]:
    """The items of an ``all``, an ``all`` inside it read as its items (a condition that is
    not an ``all``: itself)."""
    if not isinstance(condition, All):
        return [condition]
    return [leaf for item in condition.items for leaf in _all_items(item)]


def _set_contains(condition: Condition) -> bool:
    """Whether ``condition`` is a ``contains`` comparison of a set variable (its value a set or
    a tuple of items) with a constant text: a value that contains it is worded as the label,
    "contains" and the constant, whatever else it holds."""
    return (
        isinstance(condition, Compare)
        and condition.op == "contains"
        and isinstance(condition.right, Const)
        and isinstance(condition.right.value, str)
        and get_variable(condition.left.name).value_type == "set"
    )


def _bool_equal(condition: Condition) -> bool:
    """Whether ``condition`` compares a yes/no variable with a constant True or False by
    ``eq`` (a value equal to True is true, one equal to False is false: worded alike)."""
    return (
        isinstance(condition, Compare)
        and condition.op == "eq"
        and isinstance(condition.right, Const)
        and type(condition.right.value) is bool
        and get_variable(condition.left.name).value_type == "bool"
    )


def _union(lists: list[list[str]]) -> list[str]:
    """The sorted distinct facts of several rules' missing facts."""
    if len(lists) == 1:  # the common case: one rule noted
        return sorted(set(lists[0]))
    facts: set[str] = set()
    for found in lists:
        facts.update(found)
    return sorted(facts)
