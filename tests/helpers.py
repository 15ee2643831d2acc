"""Small builders for hand-written test households."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from fangfan_rules import Household, Pack, load_household, load_pack

ROOT = Path(__file__).resolve().parents[1]
#: The bundled synthetic sample (300 invented households).
SAMPLE = ROOT / "examples" / "sample_households.jsonl"


def __getattr__(name: str) -> Any:
    """``QIANSHAN_MONEY_EDGES`` / ``QIANSHAN_WINDOWS``: the qianshan_2023 edges the differential
    and property suites were written around (the public aliases are deprecated for users in
    favour of pack_edges(pack); the suites keep this fixed set). Read on first use, so importing
    these helpers loads no hypothesis (tests/test_import.py checks what a plain import loads)."""
    if name in ("QIANSHAN_MONEY_EDGES", "QIANSHAN_WINDOWS"):
        from fangfan_rules.strategies import facts

        return getattr(facts, f"_{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


#: Marks the durable_rules backend's tests. They skip only where durable-rules 2.0.28 cannot import
#: (Python 3.13+); elsewhere the [test] extra installs it, so a missing backend fails them.
requires_durable = pytest.mark.skipif(
    sys.version_info >= (3, 13), reason="durable-rules 2.0.28 does not import on Python 3.13+"
)


def record(
    start: str,
    end: str,
    wage: str = "0",
    business: str = "0",
    prop: str = "0",
    transfer: str = "0",
    expense: str = "0",
) -> dict[str, Any]:
    return {
        "start": start,
        "end": end,
        "wage_income": wage,
        "business_income": business,
        "property_income": prop,
        "transfer_income": transfer,
        "business_expense": expense,
    }


def medical_stay(day: str, burden: str, care: str | None = "inpatient") -> dict[str, Any]:
    """A medical expenditure whose whole total is the personal burden (nothing reimbursed)."""
    return {
        "kind": "medical",
        "care": care,
        "date": day,
        "total": burden,
        "reimbursed": "0",
        "compliant_self_paid": "0",
    }


def household(**fields: Any) -> Household:
    data: dict[str, Any] = {
        "id": "T-1",
        "area": {"county": "千山区", "town": "甘泉镇", "village": "东村"},
        "hukou": "rural",
        "members": [{"id": "m1", "relation": "head"}],
    }
    data.update(fields)
    return load_household(data)


def quoted_rule(rule: dict[str, Any], words: str = "（测试用规则的原文）") -> dict[str, Any]:
    """A hand-written test rule with the quote every rule needs and, when it decides, deciding
    words — for tests of the engines on rules of their own (no document is checked)."""
    from fangfan_rules.rules.rule import Effect, RuleKind, decision_of

    out = {"quote": words, **rule}
    if decision_of(RuleKind(out["kind"]), Effect.model_validate(out.get("effect") or {})):
        out.setdefault("decides", words)
    return out


def sample_households() -> list[Household]:
    """The bundled synthetic sample, as households."""
    return [load_household(json.loads(line)) for line in SAMPLE.read_text("utf-8").splitlines()]


def latency_packs() -> dict[str, tuple[date, dict[str, str]]]:
    """Each pack's as_of and caller figures in the latency benchmark (one definition:
    ``benchmarks/native_latency.py``, not a package, so it is imported by path on first use)."""
    if str(ROOT / "benchmarks") not in sys.path:
        sys.path.insert(0, str(ROOT / "benchmarks"))
    from native_latency import PACKS

    packs: dict[str, tuple[date, dict[str, str]]] = PACKS
    return packs


def latency_pack(name: str) -> tuple[Pack, date]:
    """Pack ``name`` with the latency benchmark's caller figures, and its as_of."""
    as_of, figures = latency_packs()[name]
    pack = load_pack(name)
    return (pack.with_parameters(**figures) if figures else pack), as_of
