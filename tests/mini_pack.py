"""A tiny pack and its tiny document, written to a directory: for tests of the mechanisms
(deciding words, quotes, figures, elimination combination, caller figures) that should not depend
on the five real packs."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import yaml

DOCUMENT = """关于测试监测帮扶工作的通知
各村：现将有关事项通知如下。
一、识别认定
（一）排查对象。全乡所有农村户籍人口。
（二）识别条件。家庭年人均纯收入低于6000元且无力自主应对的农户，识别为监测对象。
（三）重点关注。对因病刚性支出较大的农户，进行综合研判。
二、风险消除
（一）消除条件。应同时满足以下2项指标：①家庭年人均纯收入超过监测线；②“三保障”和饮水安全有保障。
（二）回头看。对已消除风险的户，排查收入是否稳定、是否出现新增风险。
测试乡人民政府
2024年3月1日
"""

PACK = {
    "name": "mini_pack",
    "version": "1",
    "document": {
        "title": "关于测试监测帮扶工作的通知",
        "issuer": "测试乡人民政府",
        "date": date(2024, 3, 1),
        "region": "测试乡",
        "file": "mini.txt",
    },
    "valid_from": date(2024, 3, 1),
    "category_precedence": [],
}

PARAMETERS: dict[str, Any] = {
    "monitoring_income_line": {
        "description": {"zh": "监测收入标准", "en": "income line"},
        "type": "money",
        "values": {
            date(2024, 3, 1): {
                "value": 6000,
                "citation": "一、(二)",
                "quote": "低于6000元",
            }
        },
    },
    "income_window": {
        "description": {"zh": "收入期间", "en": "income window"},
        "type": "window",
        "values": {date(2024, 3, 1): {"value": "not_stated", "citation": "一、(二)"}},
    },
    "spending_lookback_start": {
        "description": {"zh": "支出回看起点", "en": "spending look-back"},
        "type": "date",
        "when_not_supplied": "review",
        "values": {date(2024, 3, 1): {"value": "not_stated", "citation": "一、(三)"}},
    },
}

SCOPE = {
    "id": "scope.rural",
    "kind": "scope",
    "title": {"zh": "农村户籍", "en": "rural hukou"},
    "citation": "一、(一)",
    "quote": "全乡所有农村户籍人口",
    "decides": "全乡所有农村户籍人口",
    "when": {"var": "hukou", "eq": "rural"},
}
IDENTIFY = {
    "id": "outcome.identify",
    "kind": "outcome",
    "title": {"zh": "收入低且无力应对", "en": "low income, cannot cope"},
    "citation": "一、(二)",
    "quote": "家庭年人均纯收入低于6000元且无力自主应对的农户，识别为监测对象",
    "decides": "识别为监测对象",
    "when": {
        "all": [
            {
                "var": "per_capita_net_income",
                "args": {"window": {"param": "income_window"}},
                "lt": {"param": "monitoring_income_line"},
            },
            {"var": "self_coping", "eq": False},
        ]
    },
    "effect": {"outcome": "identify"},
}
REVIEW_SPENDING = {
    "id": "outcome.review_spending",
    "kind": "outcome",
    "title": {"zh": "因病刚性支出", "en": "medical spending"},
    "citation": "一、(三)",
    "quote": "对因病刚性支出较大的农户，进行综合研判",
    "interpretation": "较大 has no figure: any compliant self-paid medical spending is shown (gt 0).",
    "when": {
        "var": "compliant_self_paid",
        "args": {
            "window": {"from": {"param": "spending_lookback_start"}, "to": "as_of"},
            "kinds": ["medical"],
        },
        "gt": 0,
    },
    "effect": {
        "outcome": "needs_review",
        "review_reason": {
            "zh": "支出是否较大，综合研判",
            "en": "judge whether the spending is large",
        },
    },
}
RULES = [SCOPE, IDENTIFY, REVIEW_SPENDING]

ELIMINATION = [
    {
        "id": "elimination.income",
        "kind": "elimination_condition",
        "title": {"zh": "收入超过监测线", "en": "income above the line"},
        "citation": "二、(一)①",
        "quote": "家庭年人均纯收入超过监测线",
        "decides": "应同时满足以下2项指标",
        "when": {
            "var": "per_capita_net_income",
            "args": {"window": {"param": "income_window"}},
            "gt": {"param": "monitoring_income_line"},
        },
        "effect": {"condition": "income"},
    },
    {
        "id": "elimination.guarantees",
        "kind": "elimination_condition",
        "title": {"zh": "三保障", "en": "guarantees"},
        "citation": "二、(一)②",
        "quote": "“三保障”和饮水安全有保障",
        "decides": "应同时满足以下2项指标",
        "when": {"var": "guarantees_secure"},
        "effect": {"condition": "guarantees"},
    },
]


def write_pack(
    directory: Path,
    *,
    rules: list[dict[str, Any]] | None = None,
    elimination: list[dict[str, Any]] | None = None,
    parameters: dict[str, Any] | None = None,
    document: str = DOCUMENT,
) -> Path:
    """Write the mini pack (with overrides) and its document into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)

    def dump(name: str, data: Any) -> None:
        (directory / name).write_text(
            yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )

    dump("pack.yaml", PACK)
    dump("parameters.yaml", PARAMETERS if parameters is None else parameters)
    dump("rules.yaml", {"rules": RULES if rules is None else rules})
    if elimination is not None:
        dump("elimination.yaml", {"rules": elimination})
    (directory / "mini.txt").write_text(document, encoding="utf-8")
    return directory
