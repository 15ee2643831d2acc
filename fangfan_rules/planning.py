"""Area-level planning with a pack's figures: extra village-team staff and home-visit team-days.

Two calculations of 融安县 2022 (rongan_2022) that are about areas, not households:

- :func:`staffing_plan` (二、(二)3): how many extra 驻村工作队员 (or 第一书记) each area needs, given
  its kind and 脱贫人口, and by when;
- :func:`visit_plan` (二、(四)1): how many team-days the home visits of a list of households take,
  per village, when a team visits at most N households a day (a larger cap in large relocation
  sites).

Every threshold, comparison, count and date is a pack parameter, read with
``pack.parameter_value(name, as_of)``: nothing is hard-coded here, so a pack stating other figures
(or a caller override through :meth:`Pack.with_parameters`) plans the same way. The parameters a
pack needs are listed in :data:`STAFFING_PARAMETERS` and :data:`VISIT_PARAMETERS`. Results are
immutable, JSON-serialisable values; every line carries the clause it applies.

Example (rongan_2022: 超过5000 → one more member per resettlement community; 2000人以上 → one more
per 脱贫村; teams visit at most 20 households a day):

>>> from datetime import date
>>> import fangfan_rules as ff
>>> from fangfan_rules.planning import PlanningArea, staffing_plan, visit_plan
>>> pack = ff.load_pack("rongan_2022")
>>> plan = staffing_plan(pack, [
...     PlanningArea(name="城东安置社区", kind="resettlement_community", lifted_population=5001),
...     PlanningArea(name="大洲村", kind="lifted_village", lifted_population=1999),
... ], as_of=date(2022, 2, 1))
>>> [(line.area, line.staff) for line in plan.lines], plan.total, plan.due
([('城东安置社区', 1), ('大洲村', 0)], 1, datetime.date(2022, 3, 31))
>>> plan.lines[0].citations
('rongan_2022:二、(二)3',)
>>> homes = [ff.load_household({"id": f"h{i}", "hukou": "rural",
...     "area": {"county": "融安县", "town": "长安镇", "village": "大洲村"}}) for i in range(41)]
>>> visits = visit_plan(pack, homes, as_of=date(2022, 2, 1))
>>> visits.lines[0].team_days, visits.lines[0].person_days   # ceil(41 / 20) = 3 teams of 3
(3, 9)
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from fangfan_rules.errors import FangfanError, MissingParameterError, ParameterError
from fangfan_rules.facts import AreaTag, Household
from fangfan_rules.rules.parameters import LocalText, ParameterValue

if TYPE_CHECKING:
    from fangfan_rules.packs.pack import Pack


class PlanningError(FangfanError, ValueError):
    """The input of a planning calculation is inconsistent (duplicate households, mixed tags...)."""


class AreaKind(StrEnum):
    """Kinds of area the staffing clause distinguishes (rongan_2022 二、(二)3)."""

    RESETTLEMENT_COMMUNITY = "resettlement_community"  # 易地安置社区
    LIFTED_VILLAGE = "lifted_village"  # 脱贫村
    NON_POOR_VILLAGE = "non_poor_village"  # 非脱贫村
    KEY_VILLAGE = "key_village"  # 非脱贫村的自治区乡村振兴重点村


class PlanningArea(BaseModel):
    """One area to staff: its name, kind and 脱贫人口 (lifted-out-of-poverty population)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: Annotated[str, Field(min_length=1)]
    kind: AreaKind
    lifted_population: Annotated[int, Field(ge=0, description="脱贫人口 (persons)")]


class _Plan(BaseModel):
    model_config = ConfigDict(frozen=True)


class StaffingLine(_Plan):
    """What one area needs: ``staff`` people of ``role``, and why (with the clause)."""

    area: str
    kind: AreaKind
    lifted_population: int
    staff: int = Field(description="extra people to select and send (0: none needed)")
    role: LocalText
    reason: LocalText
    citations: tuple[str, ...]


class StaffingPlan(_Plan):
    """The staffing of a list of areas (二、(二)3): one line per area, the total and the due date."""

    pack: str
    pack_version: str
    as_of: date
    lines: tuple[StaffingLine, ...]
    total: int
    due: date
    due_citation: str
    parameters: tuple[ParameterValue, ...] = Field(description="parameter values read")


class VisitLine(_Plan):
    """Team-days one village's visits take: ceil(households / daily cap)."""

    area: str = Field(description="county/town/village")
    households: int
    large_site: bool = Field(description="tagged large_relocation_site (larger daily cap)")
    daily_cap: int
    team_days: int
    person_days: int
    citation: str


class VisitPlan(_Plan):
    """Team-days and person-days of the home visits of a list of households, per village."""

    pack: str
    pack_version: str
    as_of: date
    team_size: int
    lines: tuple[VisitLine, ...]
    total_households: int
    total_team_days: int
    total_person_days: int
    due: date
    due_citation: str
    parameters: tuple[ParameterValue, ...] = Field(description="parameter values read")


# --- parameters ------------------------------------------------------------------------------

_TEAM_MEMBER = LocalText(zh="驻村工作队员", en="resident village team member")
_SECRETARY_OR_MEMBER = LocalText(
    zh="驻村第一书记或驻村工作队员", en="resident first secretary or village team member"
)


@dataclass(frozen=True)
class _KindSpec:
    prefix: str  # parameter names: <prefix>_min_population / _comparison / _staff
    thresholded: bool  # False: every area of the kind qualifies (no population condition)
    verb: LocalText  # 增加 (add to the team) or 配备 (have one in place)
    role: LocalText


_KINDS: dict[AreaKind, _KindSpec] = {
    AreaKind.RESETTLEMENT_COMMUNITY: _KindSpec(
        "staffing_resettlement_community", True, LocalText(zh="增加", en="add"), _TEAM_MEMBER
    ),
    AreaKind.LIFTED_VILLAGE: _KindSpec(
        "staffing_lifted_village", True, LocalText(zh="增加", en="add"), _TEAM_MEMBER
    ),
    AreaKind.NON_POOR_VILLAGE: _KindSpec(
        "staffing_non_poor_village", True, LocalText(zh="配备", en="staff with"), _TEAM_MEMBER
    ),
    AreaKind.KEY_VILLAGE: _KindSpec(
        "staffing_key_village", False, LocalText(zh="配备", en="staff with"), _SECRETARY_OR_MEMBER
    ),
}

#: Parameters :func:`staffing_plan` reads (a pack that plans staffing must define them).
STAFFING_PARAMETERS: tuple[str, ...] = (
    *(
        f"{spec.prefix}_{suffix}"
        for spec in _KINDS.values()
        for suffix in (
            ("min_population", "comparison", "staff") if spec.thresholded else ("staff",)
        )
    ),
    "staffing_due",
)
#: Parameters :func:`visit_plan` reads.
VISIT_PARAMETERS: tuple[str, ...] = (
    "visit_team_size",
    "visit_daily_cap",
    "visit_daily_cap_large_site",
    "visit_due",
)

#: comparison words of a threshold parameter: 超过 (exclusive) → gt, 以上 (inclusive) → ge
_COMPARISONS = {
    "gt": (lambda a, b: a > b, ">"),
    "ge": (lambda a, b: a >= b, "≥"),
}


class _Reader:
    """Reads parameters in force on ``as_of``, refusing any the document does not state."""

    def __init__(self, pack: Pack, as_of: date):
        self.pack, self.as_of = pack, as_of
        self.read: dict[str, ParameterValue] = {}

    def value(self, name: str) -> ParameterValue:
        value = self.pack.parameter_value(name, self.as_of)
        if not value.stated:
            raise MissingParameterError(self.pack.name, name, value.citation)
        self.read[name] = value
        return value

    def count(self, name: str) -> int:
        raw = self.value(name).value
        if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
            raise ParameterError(
                f"{self.pack.name}: parameter {name!r} must be a count, got {raw!r}"
            )
        return raw

    def positive(self, name: str) -> int:
        raw = self.count(name)
        if raw == 0:
            raise ParameterError(f"{self.pack.name}: parameter {name!r} must be at least 1")
        return raw

    def comparison(self, name: str) -> str:
        raw = self.value(name).value
        if raw not in _COMPARISONS:
            raise ParameterError(
                f"{self.pack.name}: parameter {name!r} must be one of {sorted(_COMPARISONS)} "
                f"(超过 → gt, 以上 → ge), got {raw!r}"
            )
        return str(raw)

    def used(self) -> tuple[ParameterValue, ...]:
        return tuple(self.read[k] for k in sorted(self.read))


# --- staffing (二、(二)3) ----------------------------------------------------------------------


def _threshold_test(
    reader: _Reader, spec: _KindSpec, population: int
) -> tuple[bool, int, str, LocalText]:
    """(met, staff, citation, text) of one population condition of ``spec``."""
    minimum = reader.count(f"{spec.prefix}_min_population")
    op = reader.comparison(f"{spec.prefix}_comparison")
    staff_param = f"{spec.prefix}_staff"
    staff = reader.count(staff_param)
    check, sign = _COMPARISONS[op]
    met = check(population, minimum)
    if op == "ge":
        zh = f"脱贫人口{population}人，{'达到' if met else '未达到'}{minimum}人以上"
    else:
        zh = f"脱贫人口{population}人，{'超过' if met else '未超过'}{minimum}人"
    en = f"lifted population {population:,} {'is' if met else 'is not'} {sign} {minimum:,}"
    return met, staff if met else 0, reader.read[staff_param].citation, LocalText(zh=zh, en=en)


def _staff_area(reader: _Reader, area: PlanningArea) -> StaffingLine:
    spec = _KINDS[area.kind]
    citations: list[str] = []
    if spec.thresholded:
        met, staff, citation, test = _threshold_test(reader, spec, area.lifted_population)
        citations.append(citation)
        role = spec.role
        zh, en = test.zh, test.en
    else:
        # A key village (非脱贫村的自治区乡村振兴重点村) qualifies whatever its population.
        staff_param = f"{spec.prefix}_staff"
        staff = reader.count(staff_param)
        citations.append(reader.read[staff_param].citation)
        role = spec.role
        zh = "非脱贫村的自治区乡村振兴重点村"
        en = "an autonomous-region key village that is not a 脱贫村"
        # It is also a 非脱贫村: when the non-poor-village condition holds too, both sentences ask
        # for one person "配备" (in place), so one 驻村工作队员 satisfies both; the role narrows.
        other = _KINDS[AreaKind.NON_POOR_VILLAGE]
        met_too, staff_too, citation, test = _threshold_test(reader, other, area.lifted_population)
        if met_too:
            staff = max(staff, staff_too)
            role = other.role
            if citation not in citations:
                citations.append(citation)
            zh += f"，且{test.zh}（同一名驻村工作队员同时满足两项）"
            en += f", and {test.en} (one team member meets both)"
        met = staff > 0
    if met and staff > 0:
        zh += f"：{spec.verb.zh}{staff}名{role.zh}"
        en += f": {spec.verb.en} {staff} {role.en}{'s' if staff > 1 else ''}"
    else:
        zh += "：无需新增"
        en += ": none needed"
    return StaffingLine(
        area=area.name,
        kind=area.kind,
        lifted_population=area.lifted_population,
        staff=staff,
        role=role,
        reason=LocalText(zh=zh, en=en),
        citations=tuple(citations),
    )


def staffing_plan(
    pack: Pack, areas: Iterable[PlanningArea | dict[str, Any]], *, as_of: date
) -> StaffingPlan:
    """Extra village-team staff each area needs under ``pack`` on ``as_of``, and the total.

    ``areas`` are :class:`PlanningArea` values (or mappings of the same shape). Each kind is
    tested against its own parameters (``staffing_<kind>_min_population``, ``_comparison``
    ``gt`` for 超过 / ``ge`` for 以上, ``_staff``); a key village needs no population condition
    and, when it also meets the non-poor-village condition, one 驻村工作队员 counts for both.
    The plan is due by ``staffing_due``. Raises :class:`MissingParameterError` for a figure the
    document does not state, :class:`NotInForceError` outside the pack's validity, and
    :class:`PlanningError` for two areas of the same name.

    >>> from datetime import date
    >>> import fangfan_rules as ff
    >>> plan = staffing_plan(ff.load_pack("rongan_2022"),
    ...     [{"name": "某重点村", "kind": "key_village", "lifted_population": 300}],
    ...     as_of=date(2022, 2, 1))
    >>> plan.lines[0].staff, plan.lines[0].role.zh
    (1, '驻村第一书记或驻村工作队员')
    """
    pack.check_in_force(as_of)
    reader = _Reader(pack, as_of)
    parsed = [a if isinstance(a, PlanningArea) else PlanningArea.model_validate(a) for a in areas]
    names = [a.name for a in parsed]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise PlanningError(f"areas listed twice: {duplicates}")
    lines = tuple(_staff_area(reader, a) for a in parsed)
    due = reader.value("staffing_due")
    return StaffingPlan(
        pack=pack.name,
        pack_version=pack.version,
        as_of=as_of,
        lines=lines,
        total=sum(line.staff for line in lines),
        due=due.value,
        due_citation=due.citation,
        parameters=reader.used(),
    )


# --- visits (二、(四)1) ------------------------------------------------------------------------


def visit_plan(pack: Pack, households: Iterable[Household], *, as_of: date) -> VisitPlan:
    """Team-days the home visits of ``households`` take under ``pack`` on ``as_of``, per village.

    Households are grouped by county/town/village; a village tagged ``large_relocation_site``
    uses ``visit_daily_cap_large_site``, any other ``visit_daily_cap`` (不超过: the cap itself is
    allowed). team-days = ceil(households / cap); person-days = team-days × ``visit_team_size``.
    The caller chooses the list (e.g. the households with ``must_visit`` from
    ``pack.identify_many``); this function does not filter it.

    >>> from datetime import date
    >>> import fangfan_rules as ff
    >>> site = {"county": "融安县", "town": "长安镇", "village": "安置社区",
    ...         "tags": ["large_relocation_site"]}
    >>> homes = [ff.load_household({"id": f"s{i}", "hukou": "rural", "area": site})
    ...          for i in range(36)]
    >>> line = visit_plan(ff.load_pack("rongan_2022"), homes, as_of=date(2022, 2, 1)).lines[0]
    >>> line.daily_cap, line.team_days   # ceil(36 / 35) = 2
    (35, 2)
    """
    pack.check_in_force(as_of)
    reader = _Reader(pack, as_of)
    team_size = reader.positive("visit_team_size")
    cap = reader.positive("visit_daily_cap")
    cap_large = reader.positive("visit_daily_cap_large_site")
    due = reader.value("visit_due")
    seen: set[str] = set()
    by_area: dict[str, list[Household]] = {}
    for h in households:
        if h.id in seen:
            raise PlanningError(f"household {h.id!r} listed twice (it would be visited twice)")
        seen.add(h.id)
        key = "/".join((h.area.county, h.area.town, h.area.village))
        by_area.setdefault(key, []).append(h)
    lines = []
    for key in sorted(by_area):
        group = by_area[key]
        large = {AreaTag.LARGE_RELOCATION_SITE in h.area.tags for h in group}
        if len(large) > 1:
            raise PlanningError(
                f"{key}: some households are tagged large_relocation_site and some are not"
            )
        is_large = large.pop()
        cap_name = "visit_daily_cap_large_site" if is_large else "visit_daily_cap"
        daily = cap_large if is_large else cap
        team_days = math.ceil(len(group) / daily)
        lines.append(
            VisitLine(
                area=key,
                households=len(group),
                large_site=is_large,
                daily_cap=daily,
                team_days=team_days,
                person_days=team_days * team_size,
                citation=reader.read[cap_name].citation,
            )
        )
    return VisitPlan(
        pack=pack.name,
        pack_version=pack.version,
        as_of=as_of,
        team_size=team_size,
        lines=tuple(lines),
        total_households=sum(line.households for line in lines),
        total_team_days=sum(line.team_days for line in lines),
        total_person_days=sum(line.person_days for line in lines),
        due=due.value,
        due_citation=due.citation,
        parameters=reader.used(),
    )


__all__ = [
    "STAFFING_PARAMETERS",
    "VISIT_PARAMETERS",
    "AreaKind",
    "PlanningArea",
    "PlanningError",
    "StaffingLine",
    "StaffingPlan",
    "VisitLine",
    "VisitPlan",
    "staffing_plan",
    "visit_plan",
]
