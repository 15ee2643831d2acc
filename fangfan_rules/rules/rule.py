"""A rule is a value: id, kind, condition, effect, citation and validity dates."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from fangfan_rules.errors import RuleError
from fangfan_rules.rules.conditions import Condition, VarRef, parse_condition
from fangfan_rules.rules.parameters import LocalText
from fangfan_rules.vocabulary import MonitoringCategory, RiskType


class RuleKind(StrEnum):
    """What a rule decides; the evaluator combines effects by kind, never by rule order."""

    SCOPE = "scope"  # 排查对象: false → out of scope
    KEY_AREA = "key_area"  # 重点关注区域
    KEY_ATTENTION = "key_attention"  # 重点关注农户 group
    RISK = "risk"  # a risk finding (adds risk types and a reason)
    OUTCOME = "outcome"  # sets the identification outcome (identify / needs_review)
    GREEN_CHANNEL = "green_channel"  # 绿色通道
    CATEGORY = "category"  # 监测对象类别
    MUST_VISIT = "must_visit"  # 入户 obligation
    DEADLINE = "deadline"  # a time limit that starts from a dated fact
    NOTE = "note"  # an obligation shown in the reasons (e.g. dibao is no substitute)
    FLAG = "flag"  # a record-keeping or procedure problem to fix (missing signature, special file)
    # Elimination (elimination.yaml):
    SAFETY_NET = "safety_net"  # 兜底保障: marked, not eliminated
    ELIMINATION_CONDITION = "elimination_condition"  # one of the conditions, all required
    # A point the document asks officials to check (e.g. a 回头看 checklist) without stating it as
    # an elimination condition: named as holding / failing / unknown, never decides (needs_review).
    REVIEW_POINT = "review_point"
    ROLLBACK = "rollback"  # 风险回退 of an eliminated household
    REIDENTIFY = "reidentify"  # new risk after elimination → identify again


class DeadlineSpec(BaseModel):
    """A time limit: ``count`` days (natural or working) from the date variable ``start``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    start: str = Field(description="a date variable, e.g. system_entry_date")
    met_by: str | None = Field(None, description="a date variable recording completion")
    days: int | dict[str, str]
    count: Literal["natural", "working"]
    normal_limit: bool = Field(False, description="原则上: exceeding it is a breach of the norm")
    label: LocalText


class Effect(BaseModel):
    """What a firing rule contributes to the result."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    group: str | None = None
    area: str | None = None
    flag: str | None = None
    condition: str | None = None
    outcome: Literal["identify", "needs_review"] | None = None
    review_reason: LocalText | None = None
    risk_types: tuple[RiskType, ...] = ()
    category: MonitoringCategory | None = None
    green_channel: bool = False
    must_visit: bool = False
    deadline: DeadlineSpec | None = None


class Rule(BaseModel):
    """One cited rule of a pack."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(description="namespaced: '<pack>.<local id>'")
    kind: RuleKind
    title: LocalText
    when: dict[str, Any] = Field(description="the condition, as data")
    effect: Effect = Effect()
    citation: str = Field(description="<pack>:<clause as printed>")
    quote: str | None = Field(None, description="the clause's words")
    interpretation: str | None = Field(None, description="how the wording was read, and why")
    decides: str | None = Field(
        None,
        description=(
            "the document's own words that make this rule decide (identify, out of scope, "
            "eliminate / not yet, hold under the safety net, roll back, identify again); a rule "
            "without them can only recommend (needs_review)"
        ),
    )
    valid_from: date
    valid_to: date | None = None

    _condition: Condition = PrivateAttr()

    def model_post_init(self, __context: Any) -> None:
        self._condition = parse_condition(self.when, rule_id=self.id)

    @property
    def condition(self) -> Condition:
        return self._condition

    def in_force(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    @property
    def decision(self) -> str | None:
        """What this rule decides when it applies (None: it recommends or screens only)."""
        return decision_of(self.kind, self.effect)


#: What a rule of each deciding kind decides (CONVENTIONS.md, "Who decides").
_DECIDING_KINDS: Mapping[RuleKind, str] = {
    RuleKind.SCOPE: "out_of_scope",
    RuleKind.ELIMINATION_CONDITION: "eliminate / not_yet",
    RuleKind.SAFETY_NET: "hold_safety_net",
    RuleKind.ROLLBACK: "rollback",
    RuleKind.REIDENTIFY: "reidentify",
}


def decision_of(kind: RuleKind, effect: Effect) -> str | None:
    """The outcome a rule of ``kind`` with ``effect`` decides, or None if it only recommends."""
    if effect.outcome == "identify":
        return "identify"
    return _DECIDING_KINDS.get(kind)


_EFFECT_REQUIRED: Mapping[RuleKind, str] = {
    RuleKind.KEY_ATTENTION: "group",
    RuleKind.KEY_AREA: "area",
    RuleKind.OUTCOME: "outcome",
    RuleKind.CATEGORY: "category",
    RuleKind.DEADLINE: "deadline",
    RuleKind.FLAG: "flag",
    RuleKind.ELIMINATION_CONDITION: "condition",
    RuleKind.REVIEW_POINT: "condition",
}


def parse_rule(pack: str, data: Mapping[str, Any], defaults: Mapping[str, Any]) -> Rule:
    """Build a rule from a pack's YAML entry (ids and citations get the pack's namespace)."""
    if not isinstance(data, Mapping) or "id" not in data:
        raise RuleError(f"{pack}: every rule needs an 'id' ({data!r})")
    local = str(data["id"])
    raw = dict(defaults) | dict(data)
    raw["id"] = f"{pack}.{local}"
    raw["citation"] = f"{pack}:{data.get('citation', '')}"
    if not data.get("citation"):
        raise RuleError(f"rule {raw['id']}: a rule must cite its clause")
    when = raw.get("when")
    if isinstance(when, Mapping):
        raw["when"] = _namespace_fired(pack, when)
    try:
        rule = Rule.model_validate(raw)
    except ValidationError as exc:
        raise RuleError(f"rule {raw['id']}: {exc}") from None
    needed = _EFFECT_REQUIRED.get(rule.kind)
    if needed and getattr(rule.effect, needed) is None:
        raise RuleError(f"rule {rule.id}: a {rule.kind} rule needs effect.{needed}")
    if rule.kind == RuleKind.GREEN_CHANNEL and not rule.effect.green_channel:
        raise RuleError(f"rule {rule.id}: a green_channel rule needs effect.green_channel: true")
    if not rule.quote or not rule.quote.strip():
        raise RuleError(f"rule {rule.id}: a rule must quote the words of its clause ('quote:')")
    if rule.decision and not (rule.decides and rule.decides.strip()):
        # Decide only what the text decides (CONVENTIONS.md, "Who decides"): a rule that would
        # answer identify / out_of_scope / eliminate / hold / rollback / reidentify must quote the
        # document's deciding words; otherwise it is a recommendation.
        raise RuleError(
            f"rule {rule.id}: it decides {rule.decision} but carries no deciding words "
            "('decides:' with the document's own words); if the document leaves the decision to "
            "officials, make it a recommendation (outcome: needs_review, or kind: review_point)"
        )
    if rule.decides is not None and not rule.decision:
        raise RuleError(
            f"rule {rule.id}: 'decides' is only for rules that decide "
            f"({', '.join(sorted({*_DECIDING_KINDS.values(), 'identify'}))})"
        )
    return rule


def _namespace_fired(pack: str, when: Any) -> Any:
    if isinstance(when, Mapping):
        out = {}
        for key, value in when.items():
            if key == "fired":
                ids = [value] if isinstance(value, str) else list(value)
                out[key] = [i if i.startswith(pack + ".") else f"{pack}.{i}" for i in ids]
            else:
                out[key] = _namespace_fired(pack, value)
        return out
    if isinstance(when, list):
        return [_namespace_fired(pack, w) for w in when]
    return when


__all__ = ["DeadlineSpec", "Effect", "Rule", "RuleKind", "VarRef", "parse_rule"]
