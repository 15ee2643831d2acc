"""A hand-written, plain-Python version of qianshan_2023's identification outcome — the yardstick.

No library code: the households are the raw JSON dicts of ``examples/sample_households.jsonl``
and the rules are qianshan_2023's (``policy_packs/qianshan_2023/rules.yaml``, from the plan in
/work/shared/seeds/000_*.txt) written out by hand for the benchmark's figures: as of 2023-06-05,
the caller's monitoring income line 7,000 yuan, the plan's income window 2022-05-01..2023-04-30,
no screening look-back start (the caller did not supply it, so "in the period" is unknown).

Unknown is not no (CONVENTIONS.md): each check is True, False or None (unknown), combined in
Kleene logic; an outcome rule that could apply (unknown) makes the answer ``needs_review`` as
surely as one that applies. Only the outcome is computed — no reasons, no trace: this is what the
library's evaluation costs against, not what it offers. :func:`check` compares it with the library
on every household of a run.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from typing import Any

AS_OF = "2023-06-05"
LINE = Fraction(7000)
WINDOW = (date(2022, 5, 1), date(2023, 4, 30))

Truth = bool | None  # None: unknown


def k_and(*values: Truth) -> Truth:
    if any(v is False for v in values):
        return False
    return None if any(v is None for v in values) else True


def k_or(*values: Truth) -> Truth:
    if any(v is True for v in values):
        return True
    return None if any(v is None for v in values) else False


def k_not(value: Truth) -> Truth:
    return None if value is None else not value


def equals(value: Any, wanted: Any) -> Truth:
    return None if value is None else value == wanted


def _yuan(text: str) -> Fraction:
    return Fraction(text)


def per_capita_below_line(household: dict[str, Any], members: list[dict[str, Any]]) -> Truth:
    """Per-capita net income over the window < the line: income records pro rata by days, exact;
    unknown when the records do not cover the whole window or nobody is counted."""
    start, end = WINDOW
    total, covered = Fraction(0), 0
    for record in household.get("income", ()):
        if record["end"] > AS_OF:  # a period ending after as_of was not known then
            continue
        r_start, r_end = date.fromisoformat(record["start"]), date.fromisoformat(record["end"])
        overlap = (min(end, r_end) - max(start, r_start)).days + 1
        if overlap <= 0:
            continue
        covered += overlap
        net = (
            _yuan(record["wage_income"])
            + _yuan(record["business_income"])
            + _yuan(record["property_income"])
            + _yuan(record["transfer_income"])
            - _yuan(record["business_expense"])
        )
        total += net * overlap / ((r_end - r_start).days + 1)
    size = sum(1 for m in members if m.get("counted_in_household", True))
    if covered < (end - start).days + 1 or size == 0:
        return None
    return total < LINE * size


def outcome(household: dict[str, Any]) -> str:
    """qianshan_2023's identification outcome for one household (as a dict), on AS_OF."""
    members = [m for m in household.get("members", ()) if (m.get("birth_date") or "") <= AS_OF]
    spells = [r for r in household.get("monitoring", ()) if r["identified_on"] <= AS_OF]
    monitored = any((r.get("eliminated_on") or "9999") > AS_OF for r in spells)
    # Scope (一、(一)1): rural hukou, the household's or a member's own; or under monitoring or a
    # 脱贫户 whatever the hukou (unknown whether a 脱贫户: scope unknown, answered as any other).
    hukou = household.get("hukou")
    rural = hukou == "rural" or any((m.get("hukou") or hukou) == "rural" for m in members)
    if k_or(rural, monitored, household.get("lifted_out_of_poverty")) is False:
        return "out_of_scope"
    # a 2.(2) event counts only after the latest 风险消除 on or before as_of
    eliminated = [r["eliminated_on"] for r in spells if (r.get("eliminated_on") or "9999") <= AS_OF]
    last_elimination = max(eliminated, default="")

    guarantees = household.get("guarantees") or {}
    events = [e for e in household.get("risk_events", ()) if e["date"] <= AS_OF]
    paid = [
        e
        for e in household.get("expenditures", ())
        if e["date"] <= AS_OF and Fraction(e["compliant_self_paid"]) > 0
    ]

    def event_on_record(*types: str) -> bool:
        return any(e["type"] in types for e in events)

    def event_since_elimination(*types: str) -> bool:
        return any(e["type"] in types and e["date"] > last_elimination for e in events)

    def event_risk(*types: str) -> Truth:
        return k_and(in_lookback(event_on_record(*types)), event_since_elimination(*types))

    def in_lookback(on_record: bool) -> Truth:
        # "on record, and since the caller's look-back start": the start is not supplied, so a
        # record's being in the period is unknown; no record at all is a plain no.
        return None if on_record else False

    def spending(kind: str) -> bool:
        return any(e["kind"] == kind for e in paid)

    income_risk = per_capita_below_line(household, members)
    housing = (
        None
        if guarantees.get("housing_grade") is None
        else guarantees["housing_grade"] in ("C", "D")
    )
    water = equals(guarantees.get("drinking_water_safe"), False)
    education = equals(guarantees.get("compulsory_education_ok"), False)
    medical = equals(guarantees.get("basic_medical_insured"), False)
    illness = k_or(event_risk("illness"), in_lookback(spending("medical")))
    schooling = k_or(event_risk("schooling"), in_lookback(spending("schooling")))
    other = event_risk("disability", "lack_of_labour", "housing_safety", "drinking_water", "other")
    disaster = k_or(event_risk("natural_disaster"), in_lookback(spending("disaster")))
    accident = k_or(event_risk("accident"), in_lookback(spending("accident")))
    employment = event_risk("unstable_employment")
    industry = event_risk("industry_failure")

    coping = household.get("self_coping")
    cannot_cope = equals(coping, False)
    can_cope = equals(coping, True)
    serious = household.get("serious_difficulty")
    serious_recorded = serious is True
    green = household.get("green_channel")
    clear = equals(green.get("facts_clear") if green else None, True)
    urgent = equals(green.get("urgent") if green else None, True)
    confirmed = bool(
        green
        and (green.get("town_confirmed_on") or "9999") <= AS_OF
        and (green.get("village_confirmed_on") or "9999") <= AS_OF
    )
    sudden = event_on_record("natural_disaster", "accident")

    guarantee_risk = k_or(housing, water, education, medical)
    # the green channel is not for a household already monitored
    green_confirmed = k_and(not monitored, sudden, equals(serious, True), clear, urgent, confirmed)
    green_waiting = k_and(
        not monitored, sudden, equals(serious, True), clear, urgent, not confirmed
    )
    green_other = k_and(
        not monitored, not sudden, event_on_record("illness"), serious_recorded, clear, urgent
    )
    rules = (
        k_and(income_risk, cannot_cope, not monitored),
        k_and(guarantee_risk, cannot_cope, not monitored),
        k_and(k_or(income_risk, guarantee_risk), can_cope, not monitored),
        k_and(
            k_or(illness, schooling, disaster, accident, employment, industry, other), not monitored
        ),
        k_and(
            serious_recorded,
            k_not(k_or(green_confirmed, green_waiting, green_other)),
            not monitored,
        ),
        k_and(
            monitored,
            k_or(
                serious_recorded,
                income_risk,
                guarantee_risk,
                illness,
                schooling,
                disaster,
                accident,
                employment,
                industry,
            ),
        ),
        green_confirmed,
        green_waiting,
        green_other,
    )
    # Every outcome rule of the pack recommends review: one that applies, or may apply, does.
    return "needs_review" if any(r is not False for r in rules) else "not_eligible"


def check(households: list[dict[str, Any]], library_outcomes: list[str]) -> int:
    """The number of households on which the baseline and the library agree; raises on the first
    disagreement (the baseline is only a yardstick if it answers the same)."""
    for household, expected in zip(households, library_outcomes, strict=True):
        got = outcome(household)
        if got != expected:
            raise AssertionError(
                f"baseline disagrees on {household['id']}: {got} vs the library's {expected}"
            )
    return len(households)
