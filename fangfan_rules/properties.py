"""Ready-made policy properties: checks to call inside a hypothesis ``@given`` test.

Each check evaluates a pack on a household (and on a changed copy of it), and raises
:class:`PropertyViolation` — an ``AssertionError``, so hypothesis shrinks it — naming the property,
the clause it protects, the household and the rules involved. Each works for any pack: what it
compares is read from the pack's own rules and from the trace of the answer.

* :func:`check_income_monotonicity` — more income never makes an income criterion (a
  ``per_capita_net_income`` comparison) more met in the wrong direction;
* :func:`check_spending_monotonicity` — more compliant self-paid spending never makes a
  ``… > threshold`` spending criterion less met;
* :func:`check_member_order_invariance`, :func:`check_household_id_invariance`,
  :func:`check_later_facts_invariance` — the order of members, the household id and facts dated
  after ``as_of`` never change an answer;
* :func:`check_boundary_agreement` — each income threshold the pack states flips its comparison
  exactly there (0.01 yuan below, on, 0.01 above);
* :func:`check_engine_agreement` — the native and vectorized engines (and durable_rules, where
  installed) give the same answer;
* :func:`check_reproducible` — the same input gives the same result, JSON and hash.

>>> from fangfan_rules import load_pack, properties, strategies as fs
>>> from hypothesis import given, settings
>>> qianshan = load_pack("qianshan_2023").with_parameters(monitoring_income_line=6900)
>>> @settings(max_examples=10, deadline=None)
... @given(fs.households(pack=qianshan), fs.as_of_dates(qianshan), fs.yuan("0.01", 50000))
... def test_income(household, as_of, more):
...     properties.check_income_monotonicity(qianshan, household, as_of, more=more)
>>> test_income()
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from fangfan_rules.dates import DateRange
from fangfan_rules.facts import Clue, Expenditure, Household, IncomeRecord, RiskEvent
from fangfan_rules.facts.known import known_at
from fangfan_rules.variables import counted_members
from fangfan_rules.vocabulary import Channel, ClueKind, ExpenditureKind, RiskType

if TYPE_CHECKING:
    from fangfan_rules.packs.pack import Pack
    from fangfan_rules.results import Check, Identification

__all__ = [
    "PropertyViolation",
    "check_boundary_agreement",
    "check_engine_agreement",
    "check_household_id_invariance",
    "check_income_monotonicity",
    "check_later_facts_invariance",
    "check_member_order_invariance",
    "check_reproducible",
    "check_spending_monotonicity",
]

_KLEENE = {"false": 0, "unknown": 1, "true": 2}
_DAY = timedelta(days=1)
_FEN = Decimal("0.01")
#: Income variables that rise with every record's income (a change between two years does not).
_INCOME_PREFIX = "per_capita_net_income"
_NOT_MONOTONE = ("per_capita_net_income_change", "per_capita_net_income_fall")
_SPENDING_PREFIXES = ("compliant_self_paid", "medical_burden")


class PropertyViolation(AssertionError):
    """A ready-made property does not hold: says which, the clause, household and rules."""

    def __init__(
        self,
        prop: str,
        clause: str,
        household: Household,
        as_of: date,
        rules: Iterable[str],
        detail: str,
    ) -> None:
        self.property = prop
        self.clause = clause
        self.household_id = household.id
        self.rules = tuple(rules)
        super().__init__(
            f"{prop} violated ({clause}) for household {household.id} on {as_of}; "
            f"rules {', '.join(self.rules) or '(none)'}: {detail}\n"
            f"household: {household.model_dump_json()}"
        )


def _revalidated(household: Household, **changes: Any) -> Household:
    """``household`` with ``changes``, validated again (``model_copy`` would skip validation)."""
    data = household.model_dump(context={"reveal_ids": True})
    data.update(changes)
    return Household.model_validate(data)


def _checks(result: Identification) -> dict[tuple[str, str, str, str, str], tuple[Check, str]]:
    """Every check of every rule, keyed by what it compares (rule, variable, arguments, member,
    threshold), with its rule's citation."""
    out = {}
    for rule in result.trace.rules:
        for check in rule.checks:
            key = (
                rule.rule_id,
                check.variable,
                repr(sorted(check.arguments.items())),
                check.member or "",
                f"{check.op} {check.against}",
            )
            out[key] = (check, rule.citation)
    return out


def _compare_checks(
    prop: str,
    pack: Pack,
    before_household: Household,
    before: Identification,
    after: Identification,
    as_of: date,
    select: Any,
) -> None:
    """For each check ``select(check)`` names a direction (+1: may only rise, −1: may only
    fall, None: not compared), the Kleene truth after must not move against it."""
    after_checks = _checks(after)
    for key, (check, citation) in _checks(before).items():
        direction = select(check)
        if direction is None or key not in after_checks:
            continue
        moved = _KLEENE[after_checks[key][0].result] - _KLEENE[check.result]
        if moved * direction < 0:
            raise PropertyViolation(
                prop,
                f"{pack.name} {citation}",
                before_household,
                as_of,
                [key[0]],
                f"{check.variable} {check.op} {check.against} was {check.result} "
                f"(value {check.value}), became {after_checks[key][0].result} "
                f"(value {after_checks[key][0].value})",
            )


def check_income_monotonicity(
    pack: Pack,
    household: Household,
    as_of: date,
    *,
    more: Decimal,
    record: int = 0,
    component: str = "wage_income",
) -> None:
    """More income never makes an income criterion more met in the wrong direction.

    ``more`` (> 0 yuan) is added to ``component`` of income record ``record`` (a household
    without income records is left alone). Per-capita net income in every window can only rise,
    so each ``per_capita_net_income`` comparison read by the pack's rules may only move (in
    Kleene order false < unknown < true) down for ``lt`` / ``le`` and up for ``gt`` / ``ge``: an
    unknown may settle, a met "below the line" never appears. Clause: the rule's citation.
    """
    if not household.income or more <= 0:
        return
    index = record % len(household.income)
    income = [r.model_dump() for r in household.income]
    income[index][component] = income[index][component] + more
    richer = _revalidated(household, income=income)
    before = pack.identify(household, as_of=as_of)
    after = pack.identify(richer, as_of=as_of)

    def direction(check: Check) -> int | None:
        if not check.variable.startswith(_INCOME_PREFIX) or check.variable in _NOT_MONOTONE:
            return None
        return {"lt": -1, "le": -1, "gt": 1, "ge": 1}.get(check.op or "")

    _compare_checks("income monotonicity", pack, household, before, after, as_of, direction)


def check_spending_monotonicity(
    pack: Pack, household: Household, as_of: date, *, more: Decimal, spending: int = 0
) -> None:
    """More compliant self-paid spending never removes a spending criterion it met.

    ``more`` (> 0 yuan) is added to spending ``spending``'s total and compliant self-paid part
    (reimbursement unchanged). Each ``compliant_self_paid`` / ``medical_burden`` comparison
    ``> / ≥ threshold`` may only move up in Kleene order. Clause: the rule's citation.
    """
    if not household.expenditures or more <= 0:
        return
    index = spending % len(household.expenditures)
    rows = [e.model_dump() for e in household.expenditures]
    rows[index]["total"] += more
    rows[index]["compliant_self_paid"] += more
    poorer = _revalidated(household, expenditures=rows)
    before = pack.identify(household, as_of=as_of)
    after = pack.identify(poorer, as_of=as_of)

    def direction(check: Check) -> int | None:
        if not check.variable.startswith(_SPENDING_PREFIXES):
            return None
        if check.variable.endswith("_before_month"):
            return None  # spending of the month itself is not "before" it
        return {"gt": 1, "ge": 1}.get(check.op or "")

    _compare_checks("spending monotonicity", pack, household, before, after, as_of, direction)


def _answer(result: Identification) -> dict[str, Any]:
    """What must not change: outcome, categories, and each rule's status."""
    return {
        "outcome": str(result.outcome),
        "rules": {r.rule_id: r.status for r in result.trace.rules},
        "category": str(result.category),
        "risk_types": sorted(str(r) for r in result.risk_types),
        "green_channel": result.green_channel.applies,
        "must_visit": result.must_visit,
    }


def _same_answer(
    prop: str, clause: str, pack: Pack, household: Household, changed: Household, as_of: date
) -> None:
    """``household`` and ``changed`` (which differ only in what must not matter) get the same
    answer from ``pack`` on ``as_of``."""
    first = _answer(pack.identify(household, as_of=as_of))
    second = _answer(pack.identify(changed, as_of=as_of))
    if first == second:
        return
    rules = [r for r in first["rules"] if first["rules"][r] != second["rules"].get(r)]
    detail = (
        f"outcome {first['outcome']} → {second['outcome']}"
        if first["outcome"] != second["outcome"]
        else "rule statuses differ: "
        + ", ".join(f"{r} {first['rules'][r]} → {second['rules'].get(r)}" for r in rules)
    )
    raise PropertyViolation(prop, f"{pack.name}: {clause}", household, as_of, rules, detail)


def check_member_order_invariance(
    pack: Pack, household: Household, as_of: date, *, seed: int = 0
) -> None:
    """The order in which members are listed never changes the answer (a household is a set of
    people; clause: the pack's identification rules as a whole)."""
    people = list(household.members)
    random.Random(seed).shuffle(people)
    reordered = household.model_copy(update={"members": tuple(people)})
    _same_answer("member order invariance", "members form a set", pack, household, reordered, as_of)


def check_household_id_invariance(
    pack: Pack, household: Household, as_of: date, *, other_id: str = "renamed"
) -> None:
    """A household's id never changes its answer (ids are labels, not facts)."""
    renamed = household.model_copy(update={"id": other_id})
    _same_answer("household id invariance", "the id is a label", pack, household, renamed, as_of)


def check_later_facts_invariance(
    pack: Pack, household: Household, as_of: date, *, days_after: int = 1
) -> None:
    """Facts dated after ``as_of`` never change the answer on ``as_of`` (an answer reads the
    household as known that day): a risk event, a large medical spending and a department
    warning, all ``days_after`` (≥ 1) days later, are added."""
    later = as_of + _DAY * max(1, days_after)
    changed = household.model_copy(
        update={
            "risk_events": (*household.risk_events, RiskEvent(type=RiskType.ILLNESS, date=later)),
            "expenditures": (
                *household.expenditures,
                Expenditure(
                    kind=ExpenditureKind.MEDICAL,
                    date=later,
                    total=Decimal("500000.00"),
                    reimbursed=Decimal("0.00"),
                    compliant_self_paid=Decimal("500000.00"),
                ),
            ),
            "clues": (
                *household.clues,
                Clue(
                    channel=Channel.DEPARTMENT_PUSH,
                    kind=ClueKind.MEDICAL_BURDEN,
                    received_on=later,
                ),
            ),
        }
    )
    clause = "facts after as_of are not yet known"
    _same_answer("later facts invariance", clause, pack, household, _revalidated(changed), as_of)


_EXPECTED = {  # the truth of "value OP threshold" 0.01 below, on and 0.01 above it
    "lt": ("true", "false", "false"),
    "le": ("true", "true", "false"),
    "gt": ("false", "false", "true"),
    "ge": ("false", "true", "true"),
}


def _income_at(
    household: Household, window: DateRange, per_capita: Decimal, as_of: date
) -> Household:
    """``household`` whose only income is one record over ``window`` with exactly
    ``per_capita`` × the members counted on ``as_of`` net (a member born later is not yet one)."""
    counted = counted_members(known_at(household, as_of)[0])
    total = per_capita * counted
    record = IncomeRecord(
        start=window.start,
        end=window.end,
        wage_income=max(total, Decimal("0.00")),
        business_income=Decimal("0.00"),
        property_income=min(total, Decimal("0.00")),
        transfer_income=Decimal("0.00"),
        business_expense=Decimal("0.00"),
    )
    return _revalidated(household, income=[record.model_dump()])


def check_boundary_agreement(pack: Pack, household: Household, as_of: date) -> list[str]:
    """Each per-capita income threshold the pack states flips its comparison exactly there.

    For every ``per_capita_net_income`` comparison over a window that the answer for
    ``household`` reads, the household's income is set to exactly 0.01 yuan below the threshold,
    on it and 0.01 above (one record over the window, per counted member), and the comparison
    must read true / false as its operator says (``lt``: true, false, false…) — nowhere else
    does it flip, since both neighbours are the nearest amounts in fen. Returns the thresholds
    checked (``rule: variable op threshold``) so a suite can count them; a household without a
    counted member has no per-capita income and checks nothing.
    """
    if not counted_members(known_at(household, as_of)[0]):
        return []
    checked: list[str] = []
    base = _checks(pack.identify(household, as_of=as_of))
    for key, (check, citation) in base.items():
        window_text = check.arguments.get("window")
        if (
            check.variable != _INCOME_PREFIX
            or check.op not in _EXPECTED
            or check.against is None
            or not window_text
        ):
            continue
        start, _, end = window_text.partition("..")
        window = DateRange(start=date.fromisoformat(start), end=date.fromisoformat(end))
        threshold = Decimal(check.against)
        seen = []
        for delta in (-_FEN, Decimal("0.00"), _FEN):
            probe = _income_at(household, window, threshold + delta, as_of)
            again = _checks(pack.identify(probe, as_of=as_of)).get(key)
            seen.append(again[0].result if again else "not evaluated")
        if tuple(seen) != _EXPECTED[check.op]:
            raise PropertyViolation(
                "boundary agreement",
                f"{pack.name} {citation}",
                household,
                as_of,
                [key[0]],
                f"{check.variable} {check.op} {threshold} over {window_text} read "
                f"{seen} at −0.01 / on / +0.01, expected {list(_EXPECTED[check.op])}",
            )
        checked.append(f"{key[0]}: {check.variable} {check.op} {threshold}")
    return checked


def check_engine_agreement(
    pack: Pack, households: Sequence[Household], as_of: date, *, durable: bool | None = None
) -> None:
    """The native and vectorized engines agree on every household of the batch (every exact
    column, and ``explain`` equals the native answer); so does durable_rules when ``durable`` is
    true, or when it is installed and ``durable`` is ``None``.

    Errors must agree too: both engines refuse the batch with the same kind of error, or the
    vectorized one refuses a parameter no household reached (every native answer out of scope).
    """
    from fangfan_rules.analysis.compare import results_frame
    from fangfan_rules.engines import vectorized as vz
    from fangfan_rules.errors import FangfanError, NotInForceError, ParameterError

    batch = list(households)
    if not batch:
        return
    clause = f"{pack.name}: one policy, every engine"
    try:
        native = pack.identify_many(batch, as_of=as_of)
    except FangfanError as exc:
        native_error: FangfanError | None = exc
    else:
        native_error = None
    try:
        run = vz.VectorizedBatch(pack, batch, as_of=as_of)
    except FangfanError as exc:
        if native_error is not None and type(exc) is type(native_error):
            return
        if native_error is None and isinstance(exc, ParameterError | NotInForceError):
            if all(str(r.outcome) == "out_of_scope" for r in native):
                return
        raise PropertyViolation(
            "engine agreement", clause, batch[0], as_of, [], f"vectorized refused: {exc!r}"
        ) from exc
    if native_error is not None:
        raise PropertyViolation(
            "engine agreement",
            clause,
            batch[0],
            as_of,
            [],
            f"only native refused: {native_error!r}",
        )
    expected = results_frame(native)
    got = run.frame
    for i in range(len(expected)):
        for column in vz.EXACT_COLUMNS:
            a, b = got.iloc[i][column], expected.iloc[i][column]
            if not _same_cell(a, b):
                raise PropertyViolation(
                    "engine agreement",
                    clause,
                    batch[i],
                    as_of,
                    [str(expected.iloc[i].get("deciding_rule", ""))],
                    f"{column}: vectorized {a!r}, native {b!r}",
                )
        if run.explain(i) != native[i]:
            raise PropertyViolation(
                "engine agreement", clause, batch[i], as_of, [], "explain() differs from native"
            )
    if durable is False:
        return
    try:
        from fangfan_rules.engines.durable_backend import DurableEngine

        engine = DurableEngine(pack, as_of=as_of)
    except ImportError:
        if durable:
            raise
        return
    with engine:
        durable_frame = results_frame_or_error(lambda: engine.identify_many(batch))
    native_frame = results_frame_or_error(lambda: results_frame(native))
    if durable_frame != native_frame:
        raise PropertyViolation(
            "engine agreement", clause, batch[0], as_of, [], "durable_rules differs from native"
        )


def results_frame_or_error(run: Any) -> Any:
    """A results frame as plain records (or the error's type and message), comparable with ==."""
    from fangfan_rules.errors import FangfanError

    try:
        frame = run()
    except FangfanError as exc:
        return (type(exc).__name__, str(exc))
    return frame.astype(object).where(frame.notna(), None).to_dict(orient="records")


def _same_cell(a: Any, b: Any) -> bool:
    def plain(v: Any) -> Any:
        return None if v is None or (isinstance(v, float) and v != v) else v

    return bool(plain(a) == plain(b))


def check_reproducible(pack: Pack, household: Household, as_of: date) -> str:
    """The same input gives the same result: evaluating twice, and evaluating the household read
    back from its own JSON, give identical JSON (so an identical hash). Returns the hash."""
    first = pack.identify(household, as_of=as_of)
    again = pack.identify(household, as_of=as_of)
    reread = Household.model_validate_json(household.model_dump_json(context={"reveal_ids": True}))
    third = pack.identify(reread, as_of=as_of)
    dumps = [r.model_dump_json(context={"reveal_ids": True}) for r in (first, again, third)]
    hashes = [hashlib.sha256(d.encode("utf-8")).hexdigest() for d in dumps]
    if len(set(hashes)) != 1:
        raise PropertyViolation(
            "reproducibility",
            f"{pack.name}: same facts, same answer",
            household,
            as_of,
            [],
            f"result hashes differ: {hashes}",
        )
    return hashes[0]
