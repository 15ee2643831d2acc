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
from typing import TYPE_CHECKING, Any, NamedTuple

import polars as pl

from fangfan_rules.engines.native_program import (
    _COMPARE,
    Recorder,
    RuleRun,
    program_of,
    unsupplied_fact,
)
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
    Param,
    VarRef,
)
from fangfan_rules.rules.rule import Rule
from fangfan_rules.rules.wording import check_text
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

#: Enum variables whose plan column holds the native value's text (the input's own field):
#: a check's value is read from it (the enum member of that text; :class:`_Codes`).
COLUMN_VALUES = frozenset({"hukou", "member_hukou", "relation"})
_DECODED: tuple[Truth, Truth, Truth] = (False, True, UNKNOWN)


class _Row:
    """One household's leaf values and the state of the rules run on it (a Recorder's part
    that the quick closures use); ``native``: a variable's native value for the household (or
    a member), computed on its as-of view, made for the row when first needed."""

    __slots__ = ("fired", "hwords", "made", "members", "missing", "missing_by_rule", "native")

    def __init__(
        self,
        hwords: tuple[int, ...],
        members: list[tuple[str, tuple[int, ...]]],
        fired: dict[str, Truth],
        native: Callable[[Variable, Mapping[str, Any], str | None], Any],
    ):
        self.hwords = hwords
        self.members = members
        self.fired = fired
        self.native = native
        self.missing: list[str] = []
        self.missing_by_rule: dict[str, list[str]] = {}
        #: the household's view once a native value was computed on it
        self.made: list[Household] = []


def _native_facts(
    row: _Row, variable: Variable, args: Mapping[str, Any], member_id: str | None
) -> tuple[str, ...]:
    """The missing facts of a variable the plan found missing, from its native value."""
    value = row.native(variable, args, member_id)
    if type(value) is not Missing:  # pragma: no cover - the plan's leaf was unknown
        raise AssertionError(
            f"variable {variable.name}: {value!r} natively, unknown in the batch plan"
        )
    return value.facts


class _Check(NamedTuple):
    """A recording leaf's fixed part: its check's variable, arguments, operator, compared-with
    value and parameter, as the native recording leaf records them, and where its code is."""

    name: str
    variable: Variable
    args: Mapping[str, Any]
    op: str | None
    right: Any
    parameter: str | None
    word: int
    shift: int
    #: the values of an enum read from the plan (:data:`COLUMN_VALUES`), by code; where its
    #: code is (word, shift, mask)
    values: tuple[Any, ...]
    value_word: int
    value_shift: int
    value_mask: int


#: a leaf evaluated by a recording node: (its check, the member id or None, its result, the
#: words it was read from)
_Recorded = tuple[_Check, "str | None", Truth, "tuple[int, ...]"]
#: a recording node: the row, the member's words and id, where its checks go
_Recording = Callable[[_Row, "tuple[int, ...] | None", "str | None", list[_Recorded]], None]
#: a check's value worked out from its result, when it is (see :func:`_stated_value`)
_FROM_NATIVE = object()
_UNKNOWN_VALUE = Missing(())


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
        self._household = _Codes()
        self._member = _Codes()
        self.nodes: dict[str, _Node] = {}
        self.recordings: dict[str, _Recording] = {}
        #: the words of each check by (id of its _Check, member, result, value code)
        self._words: dict[tuple[int, str | None, Truth, int], str] = {}
        member_rules: set[str] = set()
        for rule in rules:
            h, m = self._household.mark(), self._member.mark()
            try:
                self._resolver.rule = rule
                node, recording = self._compile(rule, rule.condition, member=False)
            except _Unservable:
                self._household.reset(h)
                self._member.reset(m)
                continue
            self.nodes[rule.id], self.recordings[rule.id] = node, recording
            if self._member.mark() != m:
                member_rules.add(rule.id)
        h_frame, m_frame = frames() if self.nodes else (None, None)
        self.hwords: list[tuple[int, ...]] = []
        if h_frame is not None:
            found = (
                h_frame.select("household_id", *self._household.words())
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
            self.members = _members(m_frame, hrows.gather(wanted), self._member.words())
        self._hrows: list[int] = hrows.to_list() if self.members else []

    def serves(self, rule_id: str) -> bool:
        """Whether ``rule_id`` is read from the plan's leaves (else: native closures)."""
        return rule_id in self.nodes

    def row(
        self,
        position: int,
        fired: dict[str, Truth],
        view: Callable[[], Household],
        population: Mapping[tuple[str, str], Any],
    ) -> _Row:
        """The row at ``position``: ``fired``, the plan's rule values on it; ``view``, the
        household as known on as_of (made only when a variable's native value is needed)."""
        as_of = self.as_of
        made: list[Household] = []

        def native(variable: Variable, args: Mapping[str, Any], member_id: str | None) -> Any:
            if not made:
                made.append(view())
            known = made[0]
            member: Member | None = None
            if member_id is not None:
                member = next(m for m in known.members if m.id == member_id)
            return variable.compute(Context(known, as_of, member, population), **args)

        hrow = self._hrows[position] if self.members else None
        row = _Row(
            self.hwords[position] if self.hwords else (),
            self.members.get(hrow, []) if hrow is not None else [],
            fired,
            native,
        )
        row.made = made
        return row

    def signature(self, position: int) -> tuple[tuple[int, ...], tuple[Any, ...]]:
        """Everything of the row at ``position`` that :meth:`missing_facts` and :meth:`checks`
        read, apart from the plan's rule values and the native values (:attr:`_Row.made`):
        its leaves' codes, and its members' ids and codes, in order."""
        hrow = self._hrows[position] if self.members else None
        members = self.members.get(hrow) if hrow is not None else None
        return (
            self.hwords[position] if self.hwords else (),
            tuple(members) if members else (),
        )

    def missing_facts(self, row: _Row, runs: Iterable[Rule]) -> dict[str, list[str]]:
        """The missing facts of each rule of ``runs`` (in plan order, each served) on ``row``:
        ``RuleRun.missing`` of its native quick closure."""
        done = row.missing_by_rule
        for rule in runs:
            done[rule.id] = self._missing(row, rule)
        return done

    def _missing(self, row: _Row, rule: Rule) -> list[str]:
        """The missing facts of ``rule`` on ``row``, checked to give the plan's value."""
        missing: list[str] = []
        row.missing = missing
        value = self.nodes[rule.id](row, None, None)
        if value is not row.fired[rule.id]:  # pragma: no cover - a bug, never a text
            raise AssertionError(
                f"rule {rule.id}: {value!r} from the plan's leaves, "
                f"{row.fired[rule.id]!r} in the batch plan"
            )
        return missing

    def checks(self, row: _Row, rule: Rule, wanted: bool) -> tuple[str, ...]:
        """The words of the checks ``native._reason`` words for ``rule`` on ``row``: those of
        its recording closure's checks with the ``wanted`` result (or all of them), each worded
        by :func:`~fangfan_rules.rules.wording.check_text` from the value the native leaf
        records (worked out from the leaf's result when the words depend on nothing else:
        :func:`_stated_value`; else the native variable's on the household's as-of view)."""
        self._missing(row, rule)  # the rule's value on the row, checked against the plan's
        recorded: list[_Recorded] = []
        self.recordings[rule.id](row, None, None, recorded)
        relevant = [r for r in recorded if r[2] is wanted] or recorded
        words = []
        memo = self._words
        for check, member_id, result, found in relevant:
            value = _stated_value(check, result)
            key: tuple[int, str | None, Truth, int] | None = None
            if value is not _FROM_NATIVE:  # a function of the check and its result
                key = (id(check), member_id, result, -1)
            elif check.values:  # the enum's value in the plan, by its code
                code = found[check.value_word] >> check.value_shift & check.value_mask
                key = (id(check), member_id, result, code)
            if key is not None:
                text = memo.get(key)
                if text is not None:
                    words.append(text)
                    continue
                if value is _FROM_NATIVE:
                    value = check.values[key[3]]
            else:
                value = row.native(check.variable, check.args, member_id)
            if _result(check, value) is not result:  # pragma: no cover - a bug
                raise AssertionError(
                    f"rule {rule.id}: {check.name}={value!r} natively, {result!r} in the plan"
                )
            text = check_text(
                check.name,
                check.args,
                member_id,
                value,
                check.op,
                check.right,
                result,
                "zh",
                parameter=check.parameter,
            )
            if key is not None:  # (the checks live as long as this object: keyed by id)
                memo[key] = text
            words.append(text)
        return tuple(words)

    # -- compiling a rule ------------------------------------------------------------------------
    def _compile(self, rule: Rule, node: Condition, member: bool) -> tuple[_Node, _Recording]:
        """``node`` as a quick node (value and missing facts) and a recording node (its leaves'
        checks, every item and member evaluated, as the native recording closures do)."""
        if isinstance(node, All | AnyOf):
            parts = [self._compile(rule, i, member) for i in node.items]
            quick = _junction([q for q, _ in parts], settles=isinstance(node, AnyOf))
            return quick, _recorded_all([r for _, r in parts])
        if isinstance(node, Not):
            quick, recording = self._compile(rule, node.item, member)
            return _negated(quick), recording
        if isinstance(node, AnyMember):
            if member:
                raise _Unservable
            quick, recording = self._compile(rule, node.item, member=True)
            return _any_member(quick), _recorded_members(recording)
        if isinstance(node, Fired):
            if member:
                raise _Unservable
            return _fired(node.rule_ids), _records_nothing
        if isinstance(node, IsTrue):
            return self._leaf(rule, node, node.var, member, None)
        if isinstance(node, Compare):
            return self._leaf(rule, node, node.left, member, node)
        raise _Unservable

    def _leaf(
        self, rule: Rule, node: Condition, ref: VarRef, member: bool, compare: Compare | None
    ) -> tuple[_Node, _Recording]:
        variable = get_variable(ref.name)
        resolver = self._resolver
        try:
            found = resolver.arguments_of(ref, variable)
            right = resolver.operand_of(compare.right) if compare is not None else None
        except Exception as exc:  # resolved as the native leaf resolves it, or not served
            raise _Unservable from exc
        compiled = self._compiled.leaves.get((rule.id, id(node)))
        if found.unsupplied:  # the native leaf names the figure, reads no variable, records none
            return _fixed_unknown(unsupplied_fact(found.value.parameter)), _records_nothing
        args = found.value
        facts = _facts(variable, args, member)
        if compiled is None:
            raise _Unservable
        spec, expr = compiled
        codes = self._member if member else self._household
        absent = pl.col(f"{spec.column}__absent")
        if right is not None and right.unsupplied:  # no check recorded (native: returns first)
            if expr is not None:
                raise _Unservable
            missing = pl.col(spec.column).is_null() & ~absent
            # unknown when missing, else false
            word, shift = codes.add(missing.cast(pl.UInt64) * 2, 2)
            fact = unsupplied_fact(right.value.parameter)
            return _unsupplied_leaf(word, shift, facts, fact), _records_nothing
        if expr is None:
            raise _Unservable
        word, shift = codes.add(
            pl.when(expr.is_null()).then(pl.lit(2, pl.UInt64)).otherwise(expr.cast(pl.UInt64)),
            2,
        )
        values: tuple[Any, ...] = ()
        value_at = (0, 0, 0)
        if variable.name in COLUMN_VALUES and variable.enum is not None:
            # the value's code: 0 missing, 1 None (absent), 2 + its index among the members
            values = (_UNKNOWN_VALUE, None, *list(variable.enum))  # type: ignore[call-overload]
            column = pl.col(spec.column)
            index = column.replace_strict(
                [v.value for v in values[2:]], list(range(2, len(values))), return_dtype=pl.UInt64
            )
            code = (
                pl.when(absent)
                .then(pl.lit(1, pl.UInt64))
                .when(column.is_null())
                .then(pl.lit(0, pl.UInt64))
                .otherwise(index)
            )
            width = (len(values) - 1).bit_length()
            value_at = (*codes.add(code, width), (1 << width) - 1)
        operand = compare.right if compare is not None else None
        check = _Check(
            ref.name,
            variable,
            args,
            compare.op if compare is not None else None,
            right.value if right is not None else None,
            operand.name if isinstance(operand, Param) else None,
            word,
            shift,
            values,
            *value_at,
        )
        return _leaf(word, shift, facts), _recorded_leaf(check)


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
    return lambda row, member_id: _native_facts(row, variable, args, member_id)


class _Codes:
    """The codes of a frame's leaves packed into UInt64 words: each code takes ``width`` bits
    of one word (a leaf's Kleene value: 0 false, 1 true, 2 unknown; an enum value: see
    :meth:`PlanLeaves._leaf`)."""

    def __init__(self) -> None:
        self.items: list[tuple[pl.Expr, int, int]] = []
        self.bits = 0

    def add(self, expr: pl.Expr, width: int) -> tuple[int, int]:
        """Place ``expr`` (UInt64, below ``2**width``): its (word, shift)."""
        if self.bits % 64 + width > 64:
            self.bits += 64 - self.bits % 64
        word, shift = divmod(self.bits, 64)
        self.items.append((expr, word, shift))
        self.bits += width
        return word, shift

    def mark(self) -> tuple[int, int]:
        return len(self.items), self.bits

    def reset(self, mark: tuple[int, int]) -> None:
        del self.items[mark[0] :]
        self.bits = mark[1]

    def words(self) -> list[pl.Expr]:
        """The words, each the sum of its codes shifted into place."""
        count = -(-self.bits // 64)
        return [
            pl.sum_horizontal(
                [pl.lit(0, dtype=pl.UInt64)]
                + [e * pl.lit(1 << shift, dtype=pl.UInt64) for e, w, shift in self.items if w == k]
            ).alias(f"__lw{k}")
            for k in range(count)
        ]


def _members(
    m: pl.DataFrame, hrows: pl.Series, words: list[pl.Expr]
) -> dict[int, list[tuple[str, tuple[int, ...]]]]:
    """Each wanted household's members in id order (as the native evaluator walks them), each
    with its leaf words."""
    found = (
        m.filter(pl.col("household_id").is_in(hrows.implode()))
        .select("household_id", "member_id", *words)
        .sort("household_id", "member_id")
    )
    keys = found.get_column("household_id").to_list()
    ids = found.get_column("member_id").to_list()
    codes = found.select(pl.exclude("household_id", "member_id")).rows()
    out: dict[int, list[tuple[str, tuple[int, ...]]]] = {}
    for key, member_id, word in zip(keys, ids, codes, strict=True):
        listed = out.get(key)
        if listed is None:
            listed = out[key] = []
        listed.append((member_id, word))
    return out


# -- the native recording closures' order of checks, over the codes


def _records_nothing(
    row: _Row, words: tuple[int, ...] | None, member_id: str | None, out: list[_Recorded]
) -> None:
    return None


def _recorded_leaf(check: _Check) -> _Recording:
    word, shift = check.word, check.shift

    def node(
        row: _Row, words: tuple[int, ...] | None, member_id: str | None, out: list[_Recorded]
    ) -> None:
        found = row.hwords if words is None else words
        out.append((check, member_id, _DECODED[found[word] >> shift & 3], found))

    return node


def _recorded_all(items: list[_Recording]) -> _Recording:
    """``all`` / ``any`` / ``not``: every item recorded, in order (native ``_combined``)."""

    def node(
        row: _Row, words: tuple[int, ...] | None, member_id: str | None, out: list[_Recorded]
    ) -> None:
        for item in items:
            item(row, words, member_id, out)

    return node


def _recorded_members(item: _Recording) -> _Recording:
    """``any_member``: every member recorded, in id order (native ``_any_member``)."""

    def node(
        row: _Row, words: tuple[int, ...] | None, member_id: str | None, out: list[_Recorded]
    ) -> None:
        for mid, mwords in row.members:
            item(row, mwords, mid, out)

    return node


def _stated_value(check: _Check, result: Truth) -> Any:
    """A value the native leaf could have recorded for ``result`` that check_text words alike,
    or :data:`_FROM_NATIVE` when the result does not tell the words.

    Unknown: any Missing (every wording of a Missing value says it is unknown, whatever its
    facts). A yes/no variable read as true, or compared with True / False by ``eq`` / ``ne``
    (check_text words these by the value's truth only, :func:`~fangfan_rules.rules.wording._bool_text`;
    None, no such thing on record, reads as false): the truth the result implies, when it
    implies one (``eq False`` not holding is a True or a None: told apart natively)."""
    if result is UNKNOWN:
        return _UNKNOWN_VALUE
    if check.variable.value_type != "bool":
        return _FROM_NATIVE
    op, right = check.op, check.right
    if op is None:
        return result
    if op not in ("eq", "ne") or type(right) is not bool:
        return _FROM_NATIVE
    # None (no such thing on record) never holds: eq / ne not holding is the other value or None
    if op == "eq":
        if result:
            return right
        return False if right is True else _FROM_NATIVE
    if result:
        return not right
    return False if right is False else _FROM_NATIVE


def _result(check: _Check, value: Any) -> Truth:
    """The native recording leaf's result for ``value``."""
    if type(value) is Missing:
        return UNKNOWN
    if check.op is None:
        return value is True
    if value is None:
        return False
    return bool(_COMPARE[check.op](value, check.right))


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
