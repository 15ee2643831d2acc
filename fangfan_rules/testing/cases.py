"""Worked cases as data: a YAML file of households, dates and the answers a document gives.

The format is documented in ``tests/cases/README.md`` (and the "Writing a pack" section of the
README). A case file names its pack and holds cases; each case is a household (or a timeline's
events), an evaluation date, the caller's parameters and the expected answer. :func:`check_case`
runs one and lists every difference between the expected and the actual answer.

This module is what ``fangfan-rules test`` and the pytest plugin (:mod:`.plugin`) both run, so a
third-party pack author checks their pack exactly as this repository checks its own.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fangfan_rules.errors import FangfanError
from fangfan_rules.rules.yamlload import load_yaml

FILE_KEYS = {"pack", "defaults", "cases"}
CASE_KEYS = {
    "name",
    "clause",
    "as_of",
    "parameters",
    "household",
    "neighbours",
    "expect",
    "xfail",
    "why",
    "question",
    "events",
}
DEFAULT_KEYS = CASE_KEYS - {"name", "clause", "expect", "xfail", "why"}
EXPECT_KEYS = {
    "outcome",
    "category",
    "key_attention",
    "key_attention_includes",
    "key_attention_excludes",
    "key_areas",
    "must_visit",
    "green_channel",
    "risk_types",
    "missing_facts",
    "missing_facts_include",
    "missing_facts_exclude",
    "review_points_include",
    "review_points_exclude",
    "reasons_include",
    "fired_include",
    "fired_exclude",
    "excluded_facts_include",
    "flags",
    "flags_includes",
    "population_include",
    "conditions_met",
    "conditions_unmet",
    "conditions_unknown",
    "violations",
    "deadlines",
    "error",
    "error_includes",
}
DEADLINE_KEYS = {
    "name",
    "start",
    "days",
    "count",
    "due",
    "met_on",
    "status",
    "normal_limit",
    "start_is_reading",
    "citation",
}
QUESTIONS = ("identify", "elimination", "timeline")

if TYPE_CHECKING:
    from fangfan_rules.packs.pack import Pack


class CaseFormatError(FangfanError):
    """A case file does not follow the documented format (tests/cases/README.md)."""


def deep_merge(base: Any, override: Any) -> Any:
    """``override`` on top of ``base``: mappings merge recursively, anything else replaces."""
    if isinstance(base, Mapping) and isinstance(override, Mapping):
        merged = dict(base)
        for key, value in override.items():
            merged[key] = deep_merge(base[key], value) if key in base else value
        return merged
    return override


def _as_date(value: Any, what: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise CaseFormatError(f"{what}: not a date: {value!r}") from None


@dataclass
class CaseFile:
    """One YAML file of cases for one pack."""

    path: Path
    pack: str
    cases: list[dict[str, Any]] = field(default_factory=list)


def is_case_file(path: Path) -> bool:
    """Whether ``path`` looks like a case file (a YAML mapping with ``pack`` and ``cases``)."""
    if path.suffix not in (".yaml", ".yml"):
        return False
    try:
        data = load_yaml(path)
    except FangfanError:
        return True  # a broken case file is reported, not skipped
    return isinstance(data, Mapping) and "cases" in data and "pack" in data


def read_case_file(path: Path) -> CaseFile:
    """Parse and check one case file; errors name the file and the case."""
    data = load_yaml(path)
    if not isinstance(data, Mapping):
        raise CaseFormatError(f"{path}: expected a mapping with 'pack' and 'cases'")
    unknown = set(data) - FILE_KEYS
    if unknown:
        raise CaseFormatError(f"{path}: unknown top-level keys {sorted(unknown)}")
    pack_name = data.get("pack")
    cases = data.get("cases")
    if not isinstance(pack_name, str) or not isinstance(cases, list) or not cases:
        raise CaseFormatError(f"{path}: needs 'pack: NAME' and a non-empty 'cases:' list")
    defaults = data.get("defaults") or {}
    if not isinstance(defaults, Mapping) or set(defaults) - DEFAULT_KEYS:
        raise CaseFormatError(
            f"{path}: 'defaults' may only hold {sorted(DEFAULT_KEYS)}, got {defaults!r}"
        )
    parsed = CaseFile(path=path, pack=pack_name)
    seen: set[str] = set()
    for index, raw in enumerate(cases):
        case = parse_case(path, index, raw, defaults)
        if case["name"] in seen:
            raise CaseFormatError(f"{path}: case name {case['name']!r} appears twice")
        seen.add(case["name"])
        parsed.cases.append(case)
    return parsed


def case_files(directory: Path) -> Iterator[CaseFile]:
    """Every case file under ``directory`` (sorted by path)."""
    for path in sorted(directory.rglob("*")):
        if path.is_file() and is_case_file(path):
            yield read_case_file(path)


def parse_case(path: Path, index: int, raw: Any, defaults: Mapping[str, Any]) -> dict[str, Any]:
    """One case laid over the file's defaults, checked against the format."""
    where = f"{path.name}: case #{index + 1}"
    if not isinstance(raw, Mapping):
        raise CaseFormatError(f"{where}: expected a mapping")
    unknown = set(raw) - CASE_KEYS
    if unknown:
        raise CaseFormatError(f"{where}: unknown keys {sorted(unknown)}")
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise CaseFormatError(f"{where}: every case needs a 'name'")
    if "|" in name or "<br>" in name:
        raise CaseFormatError(f"{where}: a case name may not contain '|' or '<br>' (CLAUSES.md)")
    where = f"{path.name}: case {name!r}"
    for key in ("clause", "expect", "as_of"):
        if key not in raw and key not in defaults:
            raise CaseFormatError(f"{where}: missing '{key}'")
    case = deep_merge(dict(defaults), dict(raw))
    expect = case["expect"]
    if not isinstance(expect, Mapping) or not expect:
        raise CaseFormatError(f"{where}: 'expect' must be a non-empty mapping")
    unknown = set(expect) - EXPECT_KEYS
    if unknown:
        raise CaseFormatError(f"{where}: unknown expect keys {sorted(unknown)}")
    if "error" in expect and set(expect) - {"error", "error_includes"}:
        raise CaseFormatError(f"{where}: 'error' cannot be combined with result expectations")
    if case.get("question", "identify") not in QUESTIONS:
        raise CaseFormatError(f"{where}: 'question' must be one of {QUESTIONS}")
    for deadline in expect.get("deadlines") or []:
        if not isinstance(deadline, Mapping) or "name" not in deadline:
            raise CaseFormatError(f"{where}: each expected deadline needs a 'name'")
        if set(deadline) - DEADLINE_KEYS:
            raise CaseFormatError(
                f"{where}: unknown deadline keys {sorted(set(deadline) - DEADLINE_KEYS)}"
            )
    case["as_of"] = _as_date(case["as_of"], where)
    case["name"] = name
    return case


# -- running ------------------------------------------------------------------------------------


class TimelineAnswer:
    """What a timeline case checks: the deadlines and the procedure violations of one case."""

    def __init__(self, deadlines: tuple[Any, ...], violations: tuple[Any, ...]):
        self.deadlines = deadlines
        self.violations = violations

    def explain(self, lang: str = "en") -> str:
        return "\n".join(
            [
                *(f"{d.name}: due {d.due} {d.status}" for d in self.deadlines),
                *(f"{v.kind} {v.rule_id}: {v.text_en}" for v in self.violations),
            ]
        )


def run_case(pack: Pack, case: Mapping[str, Any]) -> Any:
    """Run one case: identification (default), ``question: elimination`` or ``timeline``."""
    import fangfan_rules as ff

    parameters = case.get("parameters") or {}
    if parameters:
        pack = pack.with_parameters(**parameters)
    question = case.get("question", "identify")
    if question == "timeline":
        from fangfan_rules.timeline import Case

        record = Case(household_id="case", events=tuple(case.get("events") or ()))
        return TimelineAnswer(
            deadlines=pack.deadlines(record, as_of=case["as_of"]),
            violations=pack.check_procedure(record, as_of=case["as_of"]),
        )
    household = ff.load_household(case.get("household") or {})
    if question == "elimination":
        return pack.assess_elimination(household, as_of=case["as_of"])
    neighbours = case.get("neighbours")
    if neighbours:
        # Population-level rules: the case household is evaluated in a batch with its neighbours.
        batch = [household, *(ff.load_household(n) for n in neighbours)]
        return pack.identify_many(batch, as_of=case["as_of"])[0]
    return pack.identify(household, as_of=case["as_of"])


@dataclass
class CaseResult:
    """One case run: the differences found (none: it passed) and the answer, if any."""

    pack: str
    case: dict[str, Any]
    problems: list[str]
    result: Any = None
    error: BaseException | None = None

    @property
    def passed(self) -> bool:
        return not self.problems

    def report(self) -> str:
        """The failure as an official reads it: case, clause, differences, reasoning, answer."""
        lines = [
            f"case:   {self.case['name']}",
            f"clause: {self.case['clause']}",
            "differences (expected vs actual):",
            *(f"  - {line}" for line in self.problems),
        ]
        if self.case.get("why"):
            lines += ["why (the case's own reasoning):", f"  {str(self.case['why']).strip()}"]
        if self.result is not None:
            lines += ["", "explain('en'):", self.result.explain("en")]
        return "\n".join(lines)


def check_case(pack: Pack, case: Mapping[str, Any], clauses: set[str] | None) -> CaseResult:
    """Run ``case`` and compare every expected key; ``clauses`` are CLAUSES.md's rows (None: the
    pack keeps no CLAUSES.md, the clause is not checked)."""
    import fangfan_rules as ff

    pack_name = pack.name
    expect = case["expect"]
    problems: list[str] = []
    if clauses is not None and (case["clause"] is None or str(case["clause"]) not in clauses):
        problems.append(f"clause {case['clause']!r} is not a row of the pack's CLAUSES.md")
    result = None
    try:
        result = run_case(pack, case)
    except Exception as exc:
        if "error" not in expect:
            return CaseResult(pack_name, dict(case), [f"{type(exc).__name__}: {exc}"], error=exc)
        names = [c.__name__ for c in type(exc).__mro__]
        if expect["error"] not in names:
            problems.append(f"error: expected {expect['error']}, got {type(exc).__name__}: {exc}")
        for text in expect.get("error_includes") or []:
            if text not in str(exc):
                problems.append(f"error_includes: {text!r} not in the message: {exc}")
    else:
        if "error" in expect:
            problems.append(f"error: expected {expect['error']}, but no exception was raised")
        elif isinstance(result, ff.Identification):
            problems.extend(compare_identification(pack_name, expect, result))
        else:
            problems.extend(compare_other(pack_name, expect, result))
    return CaseResult(pack_name, dict(case), problems, result)


# -- comparing ------------------------------------------------------------------------------------


def local_id(pack_name: str, rule_id: str) -> str:
    return rule_id.removeprefix(f"{pack_name}.")


def _suffixes(pack_name: str, groups: tuple[Any, ...]) -> set[str]:
    return {g.id.removeprefix(f"{pack_name}:") for g in groups}


def _check_set(problems: list[str], key: str, expected: Any, actual: set[str]) -> None:
    wanted = {str(x) for x in expected or []}
    if wanted != actual:
        extra, lacking = sorted(actual - wanted), sorted(wanted - actual)
        problems.append(
            f"{key}: expected {sorted(wanted)}, got {sorted(actual)}"
            + (f" (unexpected {extra})" if extra else "")
            + (f" (missing {lacking})" if lacking else "")
        )


def _check_some(
    problems: list[str], key: str, wanted: Any, texts: list[str], *, present: bool
) -> None:
    for needle in wanted or []:
        found = any(str(needle) in t for t in texts)
        if found != present:
            verb = "no" if present else "an unwanted"
            problems.append(f"{key}: {verb} entry contains {needle!r}; entries: {texts}")


def _check_fired(problems: list[str], pack_name: str, expect: Mapping[str, Any], r: Any) -> None:
    fired = {local_id(pack_name, t.rule_id) for t in r.trace.fired()}
    for rule_id in expect.get("fired_include") or []:
        if str(rule_id) not in fired:
            problems.append(f"fired_include: rule {rule_id} did not fire; fired: {sorted(fired)}")
    for rule_id in expect.get("fired_exclude") or []:
        if str(rule_id) in fired:
            problems.append(f"fired_exclude: rule {rule_id} fired")


def compare_other(pack_name: str, expect: Mapping[str, Any], r: Any) -> list[str]:
    """Differences for elimination (``question: elimination``) and timeline cases."""
    problems: list[str] = []
    if isinstance(r, TimelineAnswer):
        if "deadlines" in expect:
            local = tuple(
                d.model_copy(update={"name": local_id(pack_name, d.name)}) for d in r.deadlines
            )
            problems.extend(compare_deadlines(expect["deadlines"], local))
        if "violations" in expect:
            actual = {f"{v.kind}:{local_id(pack_name, v.rule_id)}" for v in r.violations}
            _check_set(problems, "violations", expect["violations"], actual)
        return problems
    if "outcome" in expect and r.outcome.value != expect["outcome"]:
        problems.append(f"outcome: expected {expect['outcome']}, got {r.outcome.value}")
    _check_some(
        problems,
        "reasons_include",
        expect.get("reasons_include"),
        [t for reason in r.reasons for t in (reason.text_zh, reason.text_en, reason.rule_id)],
        present=True,
    )
    _check_fired(problems, pack_name, expect, r)
    for key in ("conditions_met", "conditions_unmet", "conditions_unknown", "flags"):
        if key in expect:
            _check_set(problems, key, expect[key], _suffixes(pack_name, getattr(r, key)))
    _check_some(
        problems,
        "missing_facts_include",
        expect.get("missing_facts_include"),
        list(r.missing_facts),
        present=True,
    )
    points = [t for p in r.review_points for t in (p.zh, p.en)]
    for key, present in (("review_points_include", True), ("review_points_exclude", False)):
        _check_some(problems, key, expect.get(key), points, present=present)
    return problems


def compare_identification(pack_name: str, expect: Mapping[str, Any], r: Any) -> list[str]:
    """Differences between the expected keys and an identification (empty when they agree)."""
    problems: list[str] = []
    if "outcome" in expect and r.outcome.value != expect["outcome"]:
        problems.append(f"outcome: expected {expect['outcome']}, got {r.outcome.value}")
    if "category" in expect:
        actual = r.category.value if r.category else None
        if actual != expect["category"]:
            problems.append(f"category: expected {expect['category']}, got {actual}")
    flags = _suffixes(pack_name, r.flags)
    if "flags" in expect:
        _check_set(problems, "flags", expect["flags"], flags)
    for f in expect.get("flags_includes") or []:
        if str(f) not in flags:
            problems.append(f"flags_includes: {f} not raised; raised {sorted(flags)}")
    _check_some(
        problems,
        "population_include",
        expect.get("population_include"),
        [f"{p.variable} {p.area} {p.value}" for p in r.trace.population],
        present=True,
    )
    groups = _suffixes(pack_name, r.key_attention)
    if "key_attention" in expect:
        _check_set(problems, "key_attention", expect["key_attention"], groups)
    for g in expect.get("key_attention_includes") or []:
        if str(g) not in groups:
            problems.append(f"key_attention_includes: {g} not matched; matched {sorted(groups)}")
    for g in expect.get("key_attention_excludes") or []:
        if str(g) in groups:
            problems.append(f"key_attention_excludes: {g} matched; matched {sorted(groups)}")
    if "key_areas" in expect:
        _check_set(problems, "key_areas", expect["key_areas"], _suffixes(pack_name, r.key_areas))
    for key, actual in (("must_visit", r.must_visit), ("green_channel", r.green_channel.applies)):
        if key in expect and bool(expect[key]) != actual:
            problems.append(f"{key}: expected {expect[key]}, got {actual}")
    if "risk_types" in expect:
        _check_set(problems, "risk_types", expect["risk_types"], {t.value for t in r.risk_types})
    missing = list(r.missing_facts)
    if "missing_facts" in expect and list(expect["missing_facts"] or []) != missing:
        problems.append(f"missing_facts: expected {expect['missing_facts']}, got {missing}")
    for key, present in (("missing_facts_include", True), ("missing_facts_exclude", False)):
        _check_some(problems, key, expect.get(key), missing, present=present)
    points = [f"{p.zh} / {p.en}" for p in r.review_points]
    for key, present in (("review_points_include", True), ("review_points_exclude", False)):
        _check_some(problems, key, expect.get(key), points, present=present)
    reasons = [f"{x.rule_id} [{x.citation}] {x.text_zh} / {x.text_en}" for x in r.reasons]
    _check_some(problems, "reasons_include", expect.get("reasons_include"), reasons, present=True)
    _check_fired(problems, pack_name, expect, r)
    excluded = [f"{f.path} ({f.dated}: {f.reason})" for f in r.trace.excluded_facts]
    _check_some(
        problems,
        "excluded_facts_include",
        expect.get("excluded_facts_include"),
        excluded,
        present=True,
    )
    if "deadlines" in expect:
        problems.extend(compare_deadlines(expect["deadlines"] or [], r.deadlines))
    return problems


def compare_deadlines(expected: list[Mapping[str, Any]], actual: tuple[Any, ...]) -> list[str]:
    problems: list[str] = []
    by_name = {d.name: d for d in actual}
    wanted_names = [str(d["name"]) for d in expected]
    if sorted(wanted_names) != sorted(by_name):
        problems.append(f"deadlines: expected {sorted(wanted_names)}, got {sorted(by_name)}")
    for want in expected:
        got = by_name.get(str(want["name"]))
        if got is None:
            continue
        for key, value in want.items():
            actual_value = getattr(got, key)
            if isinstance(actual_value, date) and value is not None:
                value = _as_date(value, f"deadline {want['name']}.{key}")
            if actual_value != value:
                problems.append(
                    f"deadline {want['name']}.{key}: expected {value}, got {actual_value}"
                )
    return problems
