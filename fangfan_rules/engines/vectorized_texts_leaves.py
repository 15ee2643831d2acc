"""The missing facts of a batch's unknown rules, read from the polars plan's leaf values.

:class:`~fangfan_rules.engines.vectorized_texts.RowTexts` needs, for the rules a row notes
unknown, the facts each was missing (``RuleRun.missing`` of the native quick closures). Those
closures spent most of the texts pass making the as-of view of the household, a context per
member and every variable of every member they read (jimo's ``routine.solitary`` reads each
member's 鳏寡孤独 on every row where one member's is not recorded). The plan has already computed
every leaf of those rules on every household and member (:attr:`CompiledPack.leaves`), so
:class:`PlanLeaves` reads each leaf's Kleene value from the plan, two bits per leaf, and runs the
native quick closures' own algorithm over them (:func:`_compile`, node for node: the same order
of items and members, the same stop at the first item that settles a junction, the same facts
kept only under an unknown node, each fact listed once).

A leaf whose value is unknown names the facts its variable found missing. For the variables whose
missing facts are one fixed path (:data:`MEMBER_FACTS`: ``members[<id>].<path>``;
:data:`HOUSEHOLD_FACTS`: the path), that path is written here; for any other variable the native
variable is computed for that leaf only, on the household as known on as_of (made only for such a
row). A figure the caller did not supply is named as the native leaf names it
(:func:`~fangfan_rules.engines.native_program.unsupplied_fact`), after the variable's own facts
when its operand compared with is that figure.

Each rule run here is checked to give the plan's value on the row (a difference raises: never a
text). The paths of :data:`MEMBER_FACTS` / :data:`HOUSEHOLD_FACTS` are proven equal to the native
variables' on drawn households by ``tests/test_compare_texts_leaves.py``, and every row's texts
equal to native's there and in ``tests/test_vectorized_wording.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

import polars as pl

from fangfan_rules.engines.native_program import Recorder, RuleRun, program_of, unsupplied_fact
from fangfan_rules.facts import Household, Member
from fangfan_rules.logic import UNKNOWN, Missing, Truth
from fangfan_rules.rules.conditions import (
    All,
    AnyMember,
    AnyOf,
    Compare,
    Condition,
    Fired,
    IsTrue,
    Not,
    VarRef,
)
from fangfan_rules.rules.rule import Rule
from fangfan_rules.variables import Context, Variable, get_variable

if TYPE_CHECKING:
    from fangfan_rules.engines.vectorized import CompiledPack
    from fangfan_rules.packs.pack import Pack

#: Member variables whose only missing fact is ``members[<member id>].<path>``
#: (``fangfan_rules.variables.member._known``).
MEMBER_FACTS: Mapping[str, str] = {
    "age": "birth_date",
    "labour": "labour",
    "schooling": "schooling",
    "in_non_compulsory_school": "schooling",
    "employment": "employment",
    "major_illness": "health.major_illness",
    "chronic_illness": "health.chronic_illness",
    "member_urban_social_security": "has_urban_social_security",
    "loses_self_care": "health.loses_self_care",
    "solitary": "solitary",
}
#: Household variables whose only missing fact is a fixed path
#: (``fangfan_rules.variables.registry.known``).
HOUSEHOLD_FACTS: Mapping[str, str] = {
    "lifted_out_of_poverty": "lifted_out_of_poverty",
    "self_coping": "self_coping",
    "serious_difficulty": "serious_difficulty",
    "housing_grade": "guarantees.housing_grade",
    "basic_medical_insured": "guarantees.basic_medical_insured",
    "compulsory_education_ok": "guarantees.compulsory_education_ok",
    "drinking_water_safe": "guarantees.drinking_water_safe",
    "green_channel_facts_clear": "green_channel.facts_clear",
    "green_channel_urgent": "green_channel.urgent",
    "has_urban_social_security": "has_urban_social_security",
    "livestock_head_count": "livestock",
    "only_house": "guarantees.only_house",
    "income_double_signed": "provenance.income_double_signed",
    "guarantees_double_signed": "provenance.guarantees_double_signed",
    "phone_interview_recorded": "provenance.interview_recorded",
}

#: Leaves per 64-bit word of a row's code (two bits a leaf: 0 false, 1 true, 2 unknown).
_PER_WORD = 32
_DECODED: tuple[Truth, Truth, Truth] = (False, True, UNKNOWN)


class _Row:
    """One household's leaf values and the state of the rules run on it (a Recorder's part
    that the quick closures use)."""

    __slots__ = ("facts_of", "fired", "hwords", "members", "missing", "missing_by_rule")

    def __init__(
        self,
        hwords: tuple[int, ...],
        members: list[tuple[str, tuple[int, ...]]],
        fired: dict[str, Truth],
        facts_of: Callable[[Variable, Mapping[str, Any], str | None], tuple[str, ...]],
    ):
        self.hwords = hwords
        self.members = members
        self.fired = fired
        self.facts_of = facts_of
        self.missing: list[str] = []
        self.missing_by_rule: dict[str, list[str]] = {}


#: a compiled node: the row, the member's words (None: the household's) and its id
_Node = Callable[[_Row, "tuple[int, ...] | None", "str | None"], Truth]


class _Unservable(Exception):
    """A rule whose leaves the plan does not give as expected: run by the native closures."""


class PlanLeaves:
    """The missing facts of unknown rules on a batch's rows, from the plan's leaf values.

    ``compiled``: the batch's plan; ``frames``: gives its household and member frames with the
    variables' columns (``CompiledPack._variables``); ``hrows``: the ``__hrow`` of the rows in the
    caller's order; ``rules``: the rules to serve (those that cannot be are left out:
    :meth:`serves`); ``member_rows``: the positions of the rows whose members are read.
    """

    def __init__(
        self,
        pack: Pack,
        compiled: CompiledPack,
        frames: Callable[[], tuple[pl.DataFrame, pl.DataFrame | None]],
        hrows: pl.Series,
        rules: Iterable[Rule],
        member_rows: Callable[[set[str]], list[int]],
    ):
        self.pack = pack
        self.as_of = compiled.as_of
        self._compiled = compiled
        self._resolver = _resolver(pack, compiled.as_of)
        self._hexprs: list[pl.Expr] = []
        self._mexprs: list[pl.Expr] = []
        self.nodes: dict[str, _Node] = {}
        member_rules: set[str] = set()
        for rule in rules:
            h, m = len(self._hexprs), len(self._mexprs)
            try:
                self._resolver.rule = rule
                self.nodes[rule.id] = self._compile(rule, rule.condition, member=False)
            except _Unservable:
                del self._hexprs[h:], self._mexprs[m:]
                continue
            if len(self._mexprs) > m:
                member_rules.add(rule.id)
        h_frame, m_frame = frames() if self.nodes else (None, None)
        self.hwords: list[tuple[int, ...]] = []
        if h_frame is not None:
            found = (
                h_frame.select("household_id", *_words(self._hexprs))
                .sort("household_id")
                .drop("household_id")
            )
            if found.height != hrows.len():  # pragma: no cover - the plan's own rows
                raise AssertionError("the plan's households are not the batch's rows")
            self.hwords = found.rows() if found.width else [()] * found.height
        self.members: dict[int, list[tuple[str, tuple[int, ...]]]] = {}
        wanted = member_rows(member_rules) if member_rules else []
        if wanted:
            assert m_frame is not None  # a rule reads members: the plan made the member frame
            self.members = _members(m_frame, hrows.gather(wanted), self._mexprs)
        self._hrows: list[int] = hrows.to_list() if self.members else []

    def serves(self, rule_id: str) -> bool:
        """Whether the facts of ``rule_id`` are read from the plan (else: native closures)."""
        return rule_id in self.nodes

    def missing_facts(
        self,
        position: int,
        runs: Iterable[Rule],
        fired: dict[str, Truth],
        view: Callable[[], Household],
        population: Mapping[tuple[str, str], Any],
    ) -> dict[str, list[str]]:
        """The missing facts of each rule of ``runs`` (in plan order, each served) on the row
        at ``position``: ``RuleRun.missing`` of its native quick closure. ``fired``: the plan's
        rule values; ``view``: the household as known on as_of, made only if a variable without
        a fixed path is missing."""
        made: list[Household] = []

        def facts_of(
            variable: Variable, args: Mapping[str, Any], member_id: str | None
        ) -> tuple[str, ...]:
            if not made:
                made.append(view())
            known = made[0]
            member: Member | None = None
            if member_id is not None:
                member = next(m for m in known.members if m.id == member_id)
            value = variable.compute(Context(known, self.as_of, member, population), **args)
            if type(value) is not Missing:  # pragma: no cover - the plan's leaf was unknown
                raise AssertionError(
                    f"variable {variable.name}: {value!r} natively, unknown in the batch plan"
                )
            return value.facts

        hrow = self._hrows[position] if self.members else None
        row = _Row(
            self.hwords[position] if self.hwords else (),
            self.members.get(hrow, []) if hrow is not None else [],
            fired,
            facts_of,
        )
        done = row.missing_by_rule
        for rule in runs:
            missing: list[str] = []
            row.missing = missing
            value = self.nodes[rule.id](row, None, None)
            if value is not fired[rule.id]:  # pragma: no cover - a bug, never a text
                raise AssertionError(
                    f"rule {rule.id}: {value!r} from the plan's leaves, "
                    f"{fired[rule.id]!r} in the batch plan"
                )
            done[rule.id] = missing
        return done

    # -- compiling a rule ------------------------------------------------------------------------
    def _compile(self, rule: Rule, node: Condition, member: bool) -> _Node:
        if isinstance(node, All):
            return _junction([self._compile(rule, i, member) for i in node.items], settles=False)
        if isinstance(node, AnyOf):
            return _junction([self._compile(rule, i, member) for i in node.items], settles=True)
        if isinstance(node, Not):
            return _negated(self._compile(rule, node.item, member))
        if isinstance(node, AnyMember):
            if member:
                raise _Unservable
            return _any_member(self._compile(rule, node.item, member=True))
        if isinstance(node, Fired):
            if member:
                raise _Unservable
            return _fired(node.rule_ids)
        if isinstance(node, IsTrue):
            return self._leaf(rule, node, node.var, member, None)
        if isinstance(node, Compare):
            return self._leaf(rule, node, node.left, member, node)
        raise _Unservable

    def _leaf(
        self, rule: Rule, node: Condition, ref: VarRef, member: bool, compare: Compare | None
    ) -> _Node:
        variable = get_variable(ref.name)
        resolver = self._resolver
        try:
            found = resolver.arguments_of(ref, variable)
            right = resolver.operand_of(compare.right) if compare is not None else None
        except Exception as exc:  # resolved as the native leaf resolves it, or not served
            raise _Unservable from exc
        compiled = self._compiled.leaves.get((rule.id, id(node)))
        if found.unsupplied:  # the native leaf names the figure, reads no variable
            return _fixed_unknown(unsupplied_fact(found.value.parameter))
        args = found.value
        facts = _facts(variable, args, member)
        if compiled is None:
            raise _Unservable
        spec, expr = compiled
        exprs = self._mexprs if member else self._hexprs
        word, shift = divmod(len(exprs), _PER_WORD)
        shift *= 2
        if right is not None and right.unsupplied:
            if expr is not None:
                raise _Unservable
            missing = pl.col(spec.column).is_null() & ~pl.col(f"{spec.column}__absent")
            exprs.append(missing.cast(pl.UInt64) * 2)  # unknown when missing, else false
            return _unsupplied_leaf(word, shift, facts, unsupplied_fact(right.value.parameter))
        if expr is None:
            raise _Unservable
        exprs.append(
            pl.when(expr.is_null()).then(pl.lit(2, pl.UInt64)).otherwise(expr.cast(pl.UInt64))
        )
        return _leaf(word, shift, facts)


def _resolver(pack: Pack, as_of: date) -> Recorder:
    """A recorder without a household: the native leaves' operands resolved on as_of
    (as :meth:`~fangfan_rules.engines.native_program.Program.operands_resolve` resolves them)."""
    rec = Recorder.__new__(Recorder)
    rec.pack, rec.as_of, rec.rule = pack, as_of, None
    rec.resolved = program_of(pack).resolved_on(as_of)
    rec.idle = rec.run = RuleRun()
    rec.params_read = {}
    return rec


def _facts(
    variable: Variable, args: Mapping[str, Any], member: bool
) -> Callable[[_Row, str | None], tuple[str, ...]]:
    """The missing facts of ``variable`` (``args``) for the row (and member id)."""
    path = MEMBER_FACTS.get(variable.name) if variable.level == "member" else None
    if path is not None:
        cells: dict[str | None, tuple[str, ...]] = {}

        def member_path(row: _Row, member_id: str | None) -> tuple[str, ...]:
            found = cells.get(member_id)
            if found is None:
                found = cells[member_id] = (f"members[{member_id}].{path}",)
            return found

        return member_path
    fixed = HOUSEHOLD_FACTS.get(variable.name) if variable.level == "household" else None
    if fixed is not None:
        constant = (fixed,)
        return lambda row, member_id: constant
    return lambda row, member_id: row.facts_of(variable, args, member_id)


def _words(exprs: list[pl.Expr]) -> list[pl.Expr]:
    """The leaf codes (0, 1, 2) as UInt64 words, two bits a leaf."""
    return [
        pl.sum_horizontal(
            e * pl.lit(1 << (2 * j), dtype=pl.UInt64)
            for j, e in enumerate(exprs[k : k + _PER_WORD])
        ).alias(f"__lw{k // _PER_WORD}")
        for k in range(0, len(exprs), _PER_WORD)
    ]


def _members(
    m: pl.DataFrame, hrows: pl.Series, exprs: list[pl.Expr]
) -> dict[int, list[tuple[str, tuple[int, ...]]]]:
    """Each wanted household's members in id order (as the native evaluator walks them), each
    with its leaf words."""
    found = (
        m.filter(pl.col("household_id").is_in(hrows.implode()))
        .select("household_id", "member_id", *_words(exprs))
        .sort("household_id", "member_id")
    )
    keys = found.get_column("household_id").to_list()
    ids = found.get_column("member_id").to_list()
    words = found.select(pl.exclude("household_id", "member_id")).rows()
    out: dict[int, list[tuple[str, tuple[int, ...]]]] = {}
    for key, member_id, word in zip(keys, ids, words, strict=True):
        listed = out.get(key)
        if listed is None:
            listed = out[key] = []
        listed.append((member_id, word))
    return out


# -- the native quick closures' algorithm (fangfan_rules.engines.native_program), over the codes


def _leaf(word: int, shift: int, facts: Callable[[_Row, str | None], tuple[str, ...]]) -> _Node:
    def node(row: _Row, words: tuple[int, ...] | None, member_id: str | None) -> Truth:
        value = _DECODED[(row.hwords if words is None else words)[word] >> shift & 3]
        if value is UNKNOWN:
            missing = row.missing
            missing.extend(f for f in facts(row, member_id) if f not in missing)
        return value

    return node


def _unsupplied_leaf(
    word: int, shift: int, facts: Callable[[_Row, str | None], tuple[str, ...]], fact: str
) -> _Node:
    """A leaf compared with a figure not supplied: unknown, naming the variable's own facts
    when it is missing, then the figure."""

    def node(row: _Row, words: tuple[int, ...] | None, member_id: str | None) -> Truth:
        missing = row.missing
        if (row.hwords if words is None else words)[word] >> shift & 3:
            missing.extend(f for f in facts(row, member_id) if f not in missing)
        if fact not in missing:
            missing.append(fact)
        return UNKNOWN

    return node


def _fixed_unknown(fact: str) -> _Node:
    def node(row: _Row, words: tuple[int, ...] | None, member_id: str | None) -> Truth:
        if fact not in row.missing:
            row.missing.append(fact)
        return UNKNOWN

    return node


def _junction(items: list[_Node], settles: bool) -> _Node:
    def node(row: _Row, words: tuple[int, ...] | None, member_id: str | None) -> Truth:
        missing = row.missing
        before = len(missing)
        value: Truth = not settles
        for item in items:
            v = item(row, words, member_id)
            if v is settles:
                del missing[before:]
                return settles
            if v is UNKNOWN:
                value = UNKNOWN
        if value is not UNKNOWN:
            del missing[before:]
        return value

    return node


def _negated(item: _Node) -> _Node:
    def node(row: _Row, words: tuple[int, ...] | None, member_id: str | None) -> Truth:
        missing = row.missing
        before = len(missing)
        v = item(row, words, member_id)
        value: Truth = UNKNOWN if v is UNKNOWN else (not v)
        if value is not UNKNOWN:
            del missing[before:]
        return value

    return node


def _any_member(item: _Node) -> _Node:
    def node(row: _Row, words: tuple[int, ...] | None, member_id: str | None) -> Truth:
        missing = row.missing
        before = len(missing)
        value: Truth = False
        for mid, mwords in row.members:
            v = item(row, mwords, mid)
            if v is True:
                del missing[before:]
                return True
            if v is UNKNOWN:
                value = UNKNOWN
        if value is not UNKNOWN:
            del missing[before:]
        return value

    return node


def _fired(rule_ids: tuple[str, ...]) -> _Node:
    def node(row: _Row, words: tuple[int, ...] | None, member_id: str | None) -> Truth:
        missing = row.missing
        before = len(missing)
        fired = row.fired
        value: Truth = False
        for rule_id in rule_ids:
            v = fired[rule_id]
            if v is True:
                del missing[before:]
                return True
            if v is UNKNOWN:
                value = UNKNOWN
                missing.extend(f for f in row.missing_by_rule.get(rule_id, ()) if f not in missing)
        if value is not UNKNOWN:
            del missing[before:]
        return value

    return node
