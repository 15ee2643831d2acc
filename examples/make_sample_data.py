"""Generate the bundled SYNTHETIC sample households (deterministic; no real person is described).

    python examples/make_sample_data.py            # rewrites examples/sample_households.jsonl

Every household is marked ``"synthetic": true`` and has an id starting ``SYN-``. ID numbers are
well-formed (GB 11643 check digit) but invented. The mix is chosen so that each qianshan_2023
key-attention group, the green channel, deadlines, unknown facts and out-of-scope households all
occur in a few hundred rows.
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
    ("千山区", town, f"{town}{v}村")
    for town in ("甘泉镇", "唐家房镇", "大屯镇")
    for v in ("东", "西", "南")
]


def _id_number(rng: random.Random, born: date) -> str:
    first17 = f"210311{born:%Y%m%d}{rng.randrange(1000):03d}"
    return first17 + check_digit(first17)


def _day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange((end - start).days + 1))


def _money(rng: random.Random, low: float, high: float) -> str:
    return f"{rng.uniform(low, high):.2f}"


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
            "certificate_date": _day(rng, date(2021, 6, 1), date(2023, 6, 30)).isoformat(),
        }
    if relation == "head":
        member["id_number"] = _id_number(rng, born)
    return member


def household(rng: random.Random, n: int) -> dict:
    county, town, village = rng.choice(VILLAGES)
    size = rng.randint(1, 6)
    relations = ["head", "spouse", "child", "child", "parent", "child"][:size]
    members = [_member(rng, i + 1, r) for i, r in enumerate(relations)]
    lifted = rng.choices([True, False, None], [0.4, 0.55, 0.05])[0]
    level = rng.choice(
        [rng.uniform(3000, 7500), rng.uniform(7500, 10500), rng.uniform(10500, 30000)]
    )
    incomes = [
        _income(rng, "2021-01-01", "2021-12-31", level * rng.uniform(0.85, 1.25), size),
        _income(rng, "2022-01-01", "2022-12-31", level, size),
    ]
    if rng.random() > 0.05:  # 5 %: the 2023 months are not recorded → income window unknown
        incomes.append(
            _income(rng, "2023-01-01", "2023-04-30", level * rng.uniform(0.8, 1.1), size)
        )
    h: dict = {
        "id": f"SYN-QS-{n:04d}",
        "synthetic": True,
        "area": {
            "county": county,
            "town": town,
            "village": village,
            "tags": rng.sample(
                ["no_monitoring_object", "heavy_consolidation_task", "epidemic_or_disaster_hit"],
                k=rng.choice([0, 0, 0, 1]),
            ),
        },
        "hukou": rng.choices(["rural", "urban", "relocated_urban"], [0.94, 0.03, 0.03])[0],
        "members": members,
        "lifted_out_of_poverty": lifted,
        "income": incomes,
        "guarantees": {
            "housing_grade": rng.choices(["A", "B", "C", "D", None], [0.5, 0.35, 0.06, 0.02, 0.07])[
                0
            ],
            "basic_medical_insured": rng.choices([True, False, None], [0.9, 0.03, 0.07])[0],
            "compulsory_education_ok": rng.choices([True, False, None], [0.92, 0.02, 0.06])[0],
            "drinking_water_safe": rng.choices([True, False, None], [0.9, 0.04, 0.06])[0],
        },
        "self_coping": rng.choices([True, False, None], [0.6, 0.3, 0.1])[0],
    }
    if lifted:
        h["lifted_year"] = rng.choice([2016, 2017, 2018, 2019, 2020])
    events = []
    if rng.random() < 0.3:
        kind = rng.choice(
            ["illness", "natural_disaster", "accident", "unstable_employment", "industry_failure"]
        )
        events.append(
            {
                "type": kind,
                "date": _day(rng, date(2022, 1, 1), date(2023, 5, 31)).isoformat(),
                "description": "synthetic event",
            }
        )
    h["risk_events"] = events
    if any(e["type"] == "illness" for e in events) or rng.random() < 0.1:
        total = float(_money(rng, 2000, 60000))
        reimbursed = total * rng.uniform(0.4, 0.8)
        h["expenditures"] = [
            {
                "kind": "medical",
                "date": _day(rng, date(2022, 3, 1), date(2023, 5, 31)).isoformat(),
                "total": f"{total:.2f}",
                "reimbursed": f"{reimbursed:.2f}",
                "compliant_self_paid": f"{(total - reimbursed) * rng.uniform(0.5, 1):.2f}",
            }
        ]
    if rng.random() < 0.12:
        h["social_assistance"] = [
            {
                "kind": rng.choice(["dibao", "dispersed_tekun"]),
                "start": _day(rng, date(2021, 1, 1), date(2023, 5, 31)).isoformat(),
            }
        ]
    if any(e["type"] in ("natural_disaster", "accident") for e in events):
        h["serious_difficulty"] = rng.random() < 0.6
        confirmed = rng.random() < 0.5
        h["green_channel"] = {
            "facts_clear": True,
            "urgent": rng.random() < 0.8,
            "town_confirmed_on": "2023-05-25" if confirmed else None,
            "village_confirmed_on": "2023-05-24" if confirmed else None,
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
