"""Area-level planning with a pack's figures: village-team staffing and the secretaries' home visits.

Two calculations of 融安县 2022 (rongan_2022) that are about areas, not households:

- :func:`staffing_plan` (二、(二)3): how many 驻村工作队员 (or 第一书记) each area is to *add*
  (增加: extra members to select and send, by the due date of "新增驻村工作队员选派") or to *have in
  place* (配备: no date printed), given its kind and 脱贫人口;
- :func:`visit_plan` (二、(四)1): the 遍访 of the 驻村第一书记 and the 村党组织书记 — how many
  secretary-days the visits of a village's 脱贫户 and 监测户 take when each secretary visits at most N
  households a day (a larger cap in large relocation sites), and by when each group is due.

Every threshold, comparison, count and date is a pack parameter, read with
``pack.parameter_value(name, as_of)``: nothing is hard-coded here, so a pack stating other figures
(or a caller override through :meth:`Pack.with_parameters`) plans the same way. The parameters a
pack needs are listed in :data:`STAFFING_PARAMETERS` and :data:`VISIT_PARAMETERS`; a figure the
document does not state raises :class:`MissingParameterError`, and a day outside the pack's (or the
figure's) validity :class:`NotInForceError` — rongan_2022 is the plan of 2022 and plans nothing for
2023. Results are immutable, JSON-serialisable values; every line carries the clause it applies.

Example (rongan_2022: 超过5000 → one more member per resettlement community; 2000人以上 → one more
per 脱贫村; each secretary visits at most 20 households a day, and their visits add up):

>>> from datetime import date
>>> import fangfan_rules as ff
>>> from fangfan_rules.planning import PlanningArea, staffing_plan, visit_plan
>>> pack = ff.load_pack("rongan_2022")
>>> plan = staffing_plan(pack, [
...     PlanningArea(name="城东安置社区", kind="resettlement_community", lifted_population=5001),
...     PlanningArea(name="大洲村", kind="lifted_village", lifted_population=1999),
... ], as_of=date(2022, 2, 1))
>>> [(line.area, line.staff, line.action.value) for line in plan.lines], plan.to_add, plan.due
([('城东安置社区', 1, 'add'), ('大洲村', 0, 'add')], 1, datetime.date(2022, 3, 31))
>>> plan.lines[0].citations
('rongan_2022:二、(二)3',)
>>> homes = [ff.load_household({"id": f"h{i}", "hukou": "rural", "lifted_out_of_poverty": True,
...     "area": {"county": "融安县", "town": "长安镇", "village": "大洲村"}}) for i in range(41)]
>>> line = visit_plan(pack, homes, as_of=date(2022, 2, 1)).lines[0]
>>> line.daily_cap, line.secretary_days   # ceil(41 / 20) = 3 secretary-days, shared by the two
(20, 3)
>>> [(g.households, g.due) for g in line.groups]
[(41, datetime.date(2022, 3, 15))]
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
from fangfan_rules.facts import AreaTag, Household, known_at
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


class StaffingAction(StrEnum):
    """What the clause asks of an area: 增加 (add members) or 配备 (have one in place)."""

    ADD = "add"  # 增加: extra members to select and send (新增驻村工作队员选派)
    HAVE_IN_PLACE = "have_in_place"  # 配备: a member the area is staffed with (no date printed)


class PlanningArea(BaseModel):
    """One area to staff: its name, kind and 脱贫人口 (lifted-out-of-poverty population)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: Annotated[str, Field(min_length=1)]
    kind: AreaKind
    lifted_population: Annotated[int, Field(ge=0, description="脱贫人口 (persons)")]


class _Plan(BaseModel):
    model_config = ConfigDict(frozen=True)


class StaffingLine(_Plan):
    """What one area needs: ``staff`` people of ``role`` to add or to have in place, and why."""

    area: str
    kind: AreaKind
    lifted_population: int
    staff: int = Field(description="people the clause asks for (0: none)")
    action: StaffingAction = Field(
        description="add: extra members to select and send; have_in_place: members to have (配备)"
    )
    role: LocalText
    reason: LocalText
    due: date | None = Field(
        description="the date of 新增驻村工作队员选派 for members to add; None: no date printed"
    )
    reading: LocalText | None = Field(
        None, description="how the clause was read where its words leave the number open"
    )
    citations: tuple[str, ...]


class StaffingPlan(_Plan):
    """The staffing of a list of areas (二、(二)3): one line per area and the totals of each kind."""

    pack: str
    pack_version: str
    as_of: date
    lines: tuple[StaffingLine, ...]
    to_add: int = Field(description="members to select and send (增加), by ``due``")
    to_have_in_place: int = Field(description="members the areas are to be staffed with (配备)")
    due: date = Field(description="date of 新增驻村工作队员选派 (the members to add)")
    due_citation: str
    parameters: tuple[ParameterValue, ...] = Field(description="parameter values read")


class VisitGroup(_Plan):
    """Households of one village due by the same date, and the secretary-days they take."""

    who: LocalText
    households: int
    household_ids: tuple[str, ...]
    secretary_days: int = Field(description="ceil(households / daily cap): at least this many")
    due: date
    due_citation: str


class VisitLine(_Plan):
    """The secretaries' 遍访 of one village: its groups, daily cap and secretary-days."""

    area: str = Field(description="county/town/village")
    households: int
    large_site: bool = Field(description="tagged large_relocation_site (larger cap, two dates)")
    daily_cap: int = Field(description="households one secretary visits a day at most")
    secretary_days: int = Field(description="sum over the groups (each visited in its own period)")
    groups: tuple[VisitGroup, ...]
    citation: str


class NotVisited(_Plan):
    """A household given to :func:`visit_plan` that the 遍访 does not name, and why."""

    household_id: str
    reason: LocalText


class VisitPlan(_Plan):
    """Secretary-days of the 遍访 of the 脱贫户 and 监测户 of a list of households, per village."""

    pack: str
    pack_version: str
    as_of: date
    lines: tuple[VisitLine, ...]
    total_households: int
    total_secretary_days: int
    not_visited: tuple[NotVisited, ...] = Field(
        description="households of the list that are neither 脱贫户 nor 监测户 (or not known to be)"
    )
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
    action: StaffingAction  # 增加 (add to the team) or 配备 (have one in place)
    role: LocalText


_VERB = {
    StaffingAction.ADD: LocalText(zh="增加", en="add"),
    StaffingAction.HAVE_IN_PLACE: LocalText(zh="配备", en="have in place"),
}

_KINDS: dict[AreaKind, _KindSpec] = {
    AreaKind.RESETTLEMENT_COMMUNITY: _KindSpec(
        "staffing_resettlement_community", True, StaffingAction.ADD, _TEAM_MEMBER
    ),
    AreaKind.LIFTED_VILLAGE: _KindSpec(
        "staffing_lifted_village", True, StaffingAction.ADD, _TEAM_MEMBER
    ),
    AreaKind.NON_POOR_VILLAGE: _KindSpec(
        "staffing_non_poor_village", True, StaffingAction.HAVE_IN_PLACE, _TEAM_MEMBER
    ),
    AreaKind.KEY_VILLAGE: _KindSpec(
        "staffing_key_village", False, StaffingAction.HAVE_IN_PLACE, _SECRETARY_OR_MEMBER
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
    "visit_daily_cap",
    "visit_daily_cap_large_site",
    "visit_due",
    "visit_due_large_site_all",
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

    def day(self, name: str) -> date:
        raw = self.value(name).value
        if not isinstance(raw, date):
            raise ParameterError(
                f"{self.pack.name}: parameter {name!r} must be a date, got {raw!r}"
            )
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


#: The key village that also has the non-poor village's population: one member for both sentences.
_KEY_VILLAGE_READING = LocalText(
    zh=(
        "重点村也是非脱贫村：两句均要求“配备”1名（在岗），两句是否叠加本方案未规定；本包解读为同一名"
        "驻村工作队员同时满足两项，合计1名（也可能为2名），由县级确定"
    ),
    en=(
        "a key village is also a non-poor village: both sentences ask for one person 配备 (in "
        "place); whether they add up is not printed: the pack reads one 驻村工作队员 as meeting both"
        " (1; 2 if they add up), the county decides"
    ),
)


def _staff_area(reader: _Reader, area: PlanningArea, due: date) -> StaffingLine:
    spec = _KINDS[area.kind]
    citations: list[str] = []
    reading = None
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
            reading = _KEY_VILLAGE_READING
            if citation not in citations:
                citations.append(citation)
            zh += f"，且{test.zh}（两句是否叠加本方案未规定：本包按同一名驻村工作队员同时满足两项计，由县级确定）"
            en += (
                f", and {test.en} (whether the two sentences add up is not printed: the pack counts"
                " one team member for both; the county decides)"
            )
        met = staff > 0
    verb = _VERB[spec.action]
    adding = spec.action == StaffingAction.ADD
    if met and staff > 0:
        zh += f"：{verb.zh}{staff}名{role.zh}"
        en += f": {verb.en} {staff} {role.en}{'s' if staff > 1 else ''}"
        if adding:
            zh += f"，{due.month}月{due.day}日前完成选派"
            en += f", selected and sent by {due.isoformat()}"
        else:
            zh += "（本方案未规定配备完成日期）"
            en += " (the plan prints no date for 配备)"
    else:
        zh += "：无需新增" if adding else "：无需配备"
        en += ": none needed"
    return StaffingLine(
        area=area.name,
        kind=area.kind,
        lifted_population=area.lifted_population,
        staff=staff,
        action=spec.action,
        role=role,
        reason=LocalText(zh=zh, en=en),
        due=due if adding and staff > 0 else None,
        reading=reading,
        citations=tuple(citations),
    )


def staffing_plan(
    pack: Pack, areas: Iterable[PlanningArea | dict[str, Any]], *, as_of: date
) -> StaffingPlan:
    """Village-team staff each area is to add (增加) or have in place (配备) under ``pack``.

    ``areas`` are :class:`PlanningArea` values (or mappings of the same shape). Each kind is
    tested against its own parameters (``staffing_<kind>_min_population``, ``_comparison``
    ``gt`` for 超过 / ``ge`` for 以上, ``_staff``); a key village needs no population condition
    and, when it also meets the non-poor-village condition, one 驻村工作队员 counts for both (a
    reading, shown on the line). Resettlement communities and 脱贫村 *add* members, due by
    ``staffing_due`` (the date printed for 新增驻村工作队员选派); non-poor and key villages are to
    *have* one in place (配备), for which no date is printed. Raises :class:`MissingParameterError`
    for a figure the document does not state, :class:`NotInForceError` outside the pack's validity
    (rongan_2022: 2022 only), and :class:`PlanningError` for two areas of the same name.

    >>> from datetime import date
    >>> import fangfan_rules as ff
    >>> plan = staffing_plan(ff.load_pack("rongan_2022"),
    ...     [{"name": "某重点村", "kind": "key_village", "lifted_population": 300}],
    ...     as_of=date(2022, 2, 1))
    >>> line = plan.lines[0]
    >>> line.staff, line.action.value, line.role.zh, line.due
    (1, 'have_in_place', '驻村第一书记或驻村工作队员', None)
    >>> plan.to_add, plan.to_have_in_place
    (0, 1)
    """
    pack.check_in_force(as_of)
    reader = _Reader(pack, as_of)
    parsed = [a if isinstance(a, PlanningArea) else PlanningArea.model_validate(a) for a in areas]
    names = [a.name for a in parsed]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise PlanningError(f"areas listed twice: {duplicates}")
    due = reader.day("staffing_due")
    lines = tuple(_staff_area(reader, a, due) for a in parsed)
    return StaffingPlan(
        pack=pack.name,
        pack_version=pack.version,
        as_of=as_of,
        lines=lines,
        to_add=sum(line.staff for line in lines if line.action == StaffingAction.ADD),
        to_have_in_place=sum(
            line.staff for line in lines if line.action == StaffingAction.HAVE_IN_PLACE
        ),
        due=due,
        due_citation=reader.read["staffing_due"].citation,
        parameters=reader.used(),
    )


# --- the secretaries' 遍访 (二、(四)1) ----------------------------------------------------------

_ALL = LocalText(zh="脱贫户、监测户（含已消除风险户）", en="脱贫户 and monitored households")
_KEY = LocalText(
    zh="监测户（含已消除风险户）等重点户",
    en="monitored households (eliminated included) and other key households",
)
_OTHER_LIFTED = LocalText(zh="其余脱贫户", en="the other 脱贫户")
_NEITHER = LocalText(
    zh="既非脱贫户也非监测户：不在驻村第一书记、村党组织书记遍访之列",
    en="neither a 脱贫户 nor a monitored household: not in the secretaries' 遍访",
)
_UNKNOWN = LocalText(
    zh="是否脱贫户未知（lifted_out_of_poverty 未记录），且未纳入过监测",
    en="whether it is a 脱贫户 is unknown (lifted_out_of_poverty not recorded) and never monitored",
)


def visit_plan(
    pack: Pack,
    households: Iterable[Household],
    *,
    as_of: date,
    key_households: Iterable[str] = (),
) -> VisitPlan:
    """Secretary-days of the 遍访 of ``households`` under ``pack`` on ``as_of``, per village.

    The 遍访 (rongan_2022 二、(四)1) is the 驻村第一书记's and the 村党组织书记's: "对所有脱贫户、监测户
    原则上要实行遍访（可以合计遍访，每天走访不超过 20 户…）". Their visits add up (可以合计遍访), and the cap
    is per secretary per day, so a village takes at least ceil(households / cap) secretary-days,
    shared between the two. Of the households given, the 脱贫户 (``lifted_out_of_poverty``) and the
    监测户 (a monitoring spell known on ``as_of``, eliminated or not) are planned; any other is listed
    in ``not_visited`` with the reason (a 低保 household on the 大走访 list is not in the 遍访).

    Households are grouped by county/town/village. An ordinary village uses ``visit_daily_cap`` and
    one due date, ``visit_due`` (the 大走访's 3月15日). A village tagged ``large_relocation_site``
    uses ``visit_daily_cap_large_site`` and two groups: its 监测户 and the ``key_households`` the
    caller marks (等重点户 is not defined) in the first quarter, by ``visit_due``; the other 脱贫户
    within the year, by ``visit_due_large_site_all`` (第一季度以遍访监测户等重点户为主，全年要遍访所有
    脱贫户). 原则上 / 为主: the dates are the normal rule. The larger 3-person 大走访 teams have no
    daily cap in the plan and are not planned here.

    >>> from datetime import date
    >>> import fangfan_rules as ff
    >>> site = {"county": "融安县", "town": "长安镇", "village": "安置社区",
    ...         "tags": ["large_relocation_site"]}
    >>> homes = [ff.load_household({"id": f"s{i}", "hukou": "rural", "area": site,
    ...     "lifted_out_of_poverty": True}) for i in range(36)]
    >>> line = visit_plan(ff.load_pack("rongan_2022"), homes, as_of=date(2022, 2, 1),
    ...                   key_households=["s0", "s1"]).lines[0]
    >>> line.daily_cap, [(g.households, g.secretary_days, g.due.isoformat()) for g in line.groups]
    (35, [(2, 1, '2022-03-15'), (34, 1, '2022-12-31')])
    """
    pack.check_in_force(as_of)
    reader = _Reader(pack, as_of)
    cap = reader.positive("visit_daily_cap")
    cap_large = reader.positive("visit_daily_cap_large_site")
    due = reader.day("visit_due")
    due_all = reader.day("visit_due_large_site_all")
    marked = set(key_households)
    seen: set[str] = set()
    by_area: dict[str, list[tuple[Household, bool]]] = {}
    not_visited: list[NotVisited] = []
    for h in households:
        if h.id in seen:
            raise PlanningError(f"household {h.id!r} listed twice (it would be visited twice)")
        seen.add(h.id)
        view, _ = known_at(h, as_of)
        monitored = bool(view.monitoring)
        if not monitored and view.lifted_out_of_poverty is not True:
            reason = _UNKNOWN if view.lifted_out_of_poverty is None else _NEITHER
            not_visited.append(NotVisited(household_id=h.id, reason=reason))
            continue
        key = "/".join((h.area.county, h.area.town, h.area.village))
        by_area.setdefault(key, []).append((h, monitored or h.id in marked))
    unknown_marks = sorted(marked - seen)
    if unknown_marks:
        raise PlanningError(f"key households not in the list: {unknown_marks}")
    lines = []
    for key in sorted(by_area):
        members = by_area[key]
        large = {AreaTag.LARGE_RELOCATION_SITE in h.area.tags for h, _ in members}
        if len(large) > 1:
            raise PlanningError(
                f"{key}: some households are tagged large_relocation_site and some are not"
            )
        is_large = large.pop()
        daily = cap_large if is_large else cap
        cap_name = "visit_daily_cap_large_site" if is_large else "visit_daily_cap"
        if is_large:
            parts = [
                (_KEY, [h.id for h, first in members if first], "visit_due", due),
                (
                    _OTHER_LIFTED,
                    [h.id for h, first in members if not first],
                    "visit_due_large_site_all",
                    due_all,
                ),
            ]
        else:
            parts = [(_ALL, [h.id for h, _ in members], "visit_due", due)]
        groups = tuple(
            VisitGroup(
                who=who,
                households=len(ids),
                household_ids=tuple(ids),
                secretary_days=math.ceil(len(ids) / daily),
                due=when,
                due_citation=reader.read[name].citation,
            )
            for who, ids, name, when in parts
            if ids
        )
        lines.append(
            VisitLine(
                area=key,
                households=len(members),
                large_site=is_large,
                daily_cap=daily,
                secretary_days=sum(g.secretary_days for g in groups),
                groups=groups,
                citation=reader.read[cap_name].citation,
            )
        )
    return VisitPlan(
        pack=pack.name,
        pack_version=pack.version,
        as_of=as_of,
        lines=tuple(lines),
        total_households=sum(line.households for line in lines),
        total_secretary_days=sum(line.secretary_days for line in lines),
        not_visited=tuple(not_visited),
        parameters=reader.used(),
    )


__all__ = [
    "STAFFING_PARAMETERS",
    "VISIT_PARAMETERS",
    "AreaKind",
    "NotVisited",
    "PlanningArea",
    "PlanningError",
    "StaffingAction",
    "StaffingLine",
    "StaffingPlan",
    "VisitGroup",
    "VisitLine",
    "VisitPlan",
    "staffing_plan",
    "visit_plan",
]
