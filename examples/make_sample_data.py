"""Generate the bundled SYNTHETIC sample households (deterministic; no real person is described).

    python examples/make_sample_data.py            # rewrites examples/sample_households.jsonl

Every household is marked ``"synthetic": true`` and has an id starting ``SYN-``. ID numbers are
well-formed (GB 11643 check digit) but invented. One population serves all five packs, each
evaluated at its own date (facts dated later are simply not known yet); the mix is chosen so that
every pack's key-attention groups, warnings, green channels, flags, deadlines, unknown facts and
out-of-scope households occur in a few hundred rows. Income is recorded in periods cut at the
windows the documents use (calendar years, 05-01 .. 04-30) so each window is covered.
"""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from pathlib import Path

from fangfan_rules.idnumber import check_digit

SEED = 20230428
COUNT = 300
OUT = Path(__file__).with_name("sample_households.jsonl")
VILLAGES = [
    (county, town, f"{town}{v}村")
    for county, towns in (("示例甲县", ("东风镇", "红星镇")), ("示例乙县", ("新华乡", "团结乡")))
    for town in towns
    for v in ("东", "西", "南")
]
PERIODS = [
    ("2021-01-01", "2021-12-31"),
    ("2022-01-01", "2022-04-30"),
    ("2022-05-01", "2022-12-31"),
    ("2023-01-01", "2023-04-30"),
    ("2023-05-01", "2023-12-31"),
    ("2024-01-01", "2024-04-30"),
    ("2024-05-01", "2024-12-31"),
    ("2025-01-01", "2025-05-31"),
]
TAGS = [
    "no_monitoring_object",
    "heavy_consolidation_task",
    "epidemic_or_disaster_hit",
    "relocation_site",
    "former_deep_poverty_village",
    "disaster_site",
    "livestock_concentration",
    "non_poor_village",
]


def _id_number(rng: random.Random, born: date) -> str:
    first17 = f"210311{born:%Y%m%d}{rng.randrange(1000):03d}"
    return first17 + check_digit(first17)


def _day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange((end - start).days + 1))


def _money(rng: random.Random, low: float, high: float) -> str:
    return f"{rng.uniform(low, high):.2f}"


def _pick(rng: random.Random, options: list, weights: list[float]):
    return rng.choices(options, weights)[0]


def _income(rng: random.Random, start: str, end: str, per_capita: float, size: int) -> dict:
    days = (date.fromisoformat(end) - date.fromisoformat(start)).days + 1
    total = per_capita * size * days / 365
    wage = total * rng.uniform(0.3, 0.8)
    business = total * rng.uniform(0.0, 0.3)
    transfer = max(0.0, total - wage - business) * 0.9
    expense = business * rng.uniform(0.0, 0.3)
    prop = total - wage - business - transfer + expense
    return {
        "start": start,
        "end": end,
        "wage_income": f"{wage:.2f}",
        "business_income": f"{business:.2f}",
        "property_income": f"{prop:.2f}",
        "transfer_income": f"{transfer:.2f}",
        "business_expense": f"{expense:.2f}",
        "source": "synthetic",
    }


def _member(rng: random.Random, index: int, relation: str) -> dict:
    age = {"head": (35, 75), "spouse": (33, 75), "child": (2, 30), "parent": (60, 90)}[relation]
    born = date(2023 - rng.randint(*age), rng.randint(1, 12), rng.randint(1, 28))
    member: dict = {"id": f"m{index}", "relation": relation, "birth_date": born.isoformat()}
    years = 2023 - born.year
    if relation == "child":
        stage = (
            "preschool"
            if years < 6
            else "primary"
            if years < 12
            else "junior_secondary"
            if years < 15
            else "senior_secondary"
            if years < 18
            else rng.choice(["undergraduate", "higher_vocational", "not_in_school"])
        )
        member["schooling"] = stage if rng.random() > 0.05 else None
    else:
        member["schooling"] = "not_in_school"
    member["labour"] = rng.choices(["able", "weak", "none"], [0.6, 0.25, 0.15])[0]
    member["employment"] = rng.choice(["stable", "unstable", "unemployed", "not_in_labour_force"])
    member["health"] = {"major_illness": rng.random() < 0.08, "chronic_illness": rng.random() < 0.2}
    if rng.random() < 0.1:
        member["disability"] = {
            "grade": rng.randint(1, 4),
            "certificate_date": _day(rng, date(2021, 6, 1), date(2025, 3, 31)).isoformat(),
        }
    if relation == "head":
        member["id_number"] = _id_number(rng, born)
    if relation == "child" and years < 16 and rng.random() < 0.12:
        kind = rng.choice(["left_behind", "distressed", "orphan", "de_facto_unsupported"])
        since = _day(rng, date(2021, 1, 1), date(2025, 3, 1))
        member["child_status"] = [{"kind": kind, "since": since.isoformat()}]
    if relation == "child" and 6 <= years < 15 and rng.random() < 0.04:
        member["schooling"] = "dropout"
        member["dropout_since"] = _day(rng, date(2022, 1, 1), date(2025, 3, 1)).isoformat()
    if relation == "child" and years >= 15 and rng.random() < 0.15:
        member["education_aid_since"] = _day(rng, date(2021, 9, 1), date(2025, 3, 1)).isoformat()
    if rng.random() < 0.03:
        since = _day(rng, date(2021, 6, 1), date(2025, 3, 1))
        member["health"]["special_major_disease_since"] = since.isoformat()
    if relation in ("parent", "head") and years >= 60:
        member["health"]["loses_self_care"] = rng.random() < 0.1
        member["solitary"] = rng.random() < 0.05
    if relation == "spouse" and rng.random() < 0.03:
        member["hukou"] = "urban"
        member["has_urban_social_security"] = rng.random() < 0.5
    return member


def household(rng: random.Random, n: int) -> dict:
    county, town, village = rng.choice(VILLAGES)
    size = rng.randint(1, 6)
    relations = ["head", "spouse", "child", "child", "parent", "child"][:size]
    members = [_member(rng, i + 1, r) for i, r in enumerate(relations)]
    lifted = _pick(rng, [True, False, None], [0.4, 0.55, 0.05])
    level = rng.choice(
        [rng.uniform(3000, 7500), rng.uniform(7500, 10500), rng.uniform(10500, 30000)]
    )
    trend = rng.uniform(0.85, 1.15)
    gap = rng.randrange(len(PERIODS)) if rng.random() < 0.05 else None  # a period unrecorded
    incomes = [
        _income(rng, start, end, level * trend ** (i / 2), size)
        for i, (start, end) in enumerate(PERIODS)
        if i != gap
    ]
    flag = [True, False, None]
    h: dict = {
        "id": f"SYN-{n:04d}",
        "synthetic": True,
        "area": {
            "county": county,
            "town": town,
            "village": village,
            "tags": rng.sample(TAGS, k=rng.choice([0, 0, 0, 1, 2])),
        },
        "hukou": _pick(
            rng, ["rural", "urban", "relocated_urban", "nongzhuanfei"], [0.9, 0.03, 0.04, 0.03]
        ),
        "has_urban_social_security": _pick(rng, [False, True, None], [0.8, 0.1, 0.1]),
        "members": members,
        "lifted_out_of_poverty": lifted,
        "income": incomes,
        "guarantees": {
            "housing_grade": _pick(rng, ["A", "B", "C", "D", None], [0.5, 0.35, 0.06, 0.02, 0.07]),
            "basic_medical_insured": _pick(rng, flag, [0.9, 0.03, 0.07]),
            "compulsory_education_ok": _pick(rng, flag, [0.92, 0.02, 0.06]),
            "drinking_water_safe": _pick(rng, flag, [0.9, 0.04, 0.06]),
            "only_house": _pick(rng, flag, [0.85, 0.1, 0.05]),
        },
        "provenance": {
            "income_double_signed": _pick(rng, flag, [0.8, 0.1, 0.1]),
            "guarantees_double_signed": _pick(rng, flag, [0.8, 0.1, 0.1]),
            "phone_interview": rng.random() < 0.08,
        },
        "self_coping": _pick(rng, flag, [0.6, 0.3, 0.1]),
    }
    if lifted:
        h["lifted_year"] = rng.choice([2016, 2017, 2018, 2019, 2020])
    events = []
    if rng.random() < 0.3:
        kind = rng.choice(
            ["illness", "natural_disaster", "accident", "unstable_employment", "industry_failure"]
        )
        day = _day(rng, date(2021, 6, 1), date(2025, 4, 30))
        events.append({"type": kind, "date": day.isoformat(), "description": "synthetic event"})
    h["risk_events"] = events
    if any(e["type"] == "illness" for e in events) or rng.random() < 0.1:
        total = float(_money(rng, 2000, 60000))
        reimbursed = total * rng.uniform(0.4, 0.8)
        h["expenditures"] = [
            {
                "kind": "medical",
                "date": _day(rng, date(2021, 6, 1), date(2025, 4, 30)).isoformat(),
                "total": f"{total:.2f}",
                "reimbursed": f"{reimbursed:.2f}",
                "compliant_self_paid": f"{(total - reimbursed) * rng.uniform(0.5, 1):.2f}",
                "care": rng.choice(
                    ["inpatient", "chronic_special_outpatient", "general_outpatient"]
                ),
            }
        ]
    if rng.random() < 0.12:
        kind = rng.choice(["dibao", "dispersed_tekun", "dibao_marginal", "temporary_aid"])
        start = _day(rng, date(2021, 1, 1), date(2025, 4, 30))
        h["social_assistance"] = [{"kind": kind, "start": start.isoformat()}]
    if any(e["type"] in ("natural_disaster", "accident") for e in events):
        h["serious_difficulty"] = rng.random() < 0.6
        confirmed = rng.random() < 0.5
        h["green_channel"] = {
            "facts_clear": True,
            "urgent": rng.random() < 0.8,
            "town_confirmed_on": events[0]["date"] if confirmed else None,
            "village_confirmed_on": events[0]["date"] if confirmed else None,
            "publicly_recognised": rng.random() < 0.7,
        }
    if rng.random() < 0.15:
        h["clues"] = [
            {
                "channel": rng.choice(
                    [
                        "self_application",
                        "department_push",
                        "cadre_screening",
                        "routine_visit",
                        "petition",
                    ]
                ),
                "kind": rng.choice(
                    [
                        "income_fall",
                        "spending_rise",
                        "unsafe_housing",
                        "major_disease",
                        "new_dibao_or_tekun",
                    ]
                ),
                "department": rng.choice([None, "civil_affairs", "medical_insurance", "housing"]),
                "received_on": _day(rng, date(2022, 3, 1), date(2025, 5, 20)).isoformat(),
                "description": "synthetic clue",
            }
        ]
    if rng.random() < 0.05:
        included = _day(rng, date(2022, 1, 1), date(2025, 4, 1))
        h["renovations"] = [{"included_on": included.isoformat()}]
    if rng.random() < 0.3:
        h["livestock"] = {"head_count": rng.randint(0, 400)}
    if rng.random() < 0.05:
        h["judgement"] = {
            "decided_on": "2024-06-01",
            "included": False,
            "reason": "synthetic: risk judged resolved",
            "special_file": rng.random() < 0.5,
        }
    if rng.random() < 0.1:
        entry = _day(rng, date(2023, 5, 1), date(2023, 6, 1))
        filed = entry + timedelta(days=rng.randint(3, 16)) if rng.random() < 0.7 else None
        h["monitoring"] = [
            {
                "category": "unstable_lifted" if lifted else "marginal",
                "identified_on": (entry - timedelta(days=3)).isoformat(),
                "system_entry_on": entry.isoformat(),
                "plan_filed_on": filed.isoformat() if filed and filed <= date(2023, 6, 5) else None,
                "helper": "synthetic helper",
                "second_helper": "synthetic second helper" if rng.random() < 0.5 else None,
            }
        ]
    return h


def main() -> None:
    rng = random.Random(SEED)
    with OUT.open("w", encoding="utf-8") as fh:
        for n in range(1, COUNT + 1):
            fh.write(json.dumps(household(rng, n), ensure_ascii=False) + "\n")
    print(f"wrote {COUNT} synthetic households to {OUT}")


if __name__ == "__main__":
    main()
