"""Shared test configuration.

1. Hypothesis profiles: ``ci`` (the default) and ``thorough``. Choose one with the environment
   variable ``HYPOTHESIS_PROFILE`` or with pytest's ``--hypothesis-profile=NAME`` (the hypothesis
   pytest plugin loads it after this file has registered the profiles).
2. A collector for the YAML case files under ``tests/cases/<pack>/*.yaml``: every case becomes one
   test item named after the case. The format is documented in ``tests/cases/README.md``.
   For each pack one extra item checks ``policy_packs/<pack>/CLAUSES.md`` against the pack's rules
   and the cases (every rule is named in CLAUSES.md and fired by some case; every case's clause is
   a row of CLAUSES.md; every row that names a rule names existing cases).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

import fangfan_rules as ff
from fangfan_rules.rules.yamlload import load_yaml

# --- hypothesis profiles ---------------------------------------------------------------------

settings.register_profile("ci", max_examples=60, deadline=None, derandomize=False, print_blob=True)
settings.register_profile("thorough", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


# --- YAML case files -------------------------------------------------------------------------

CASES_DIR = Path(__file__).parent / "cases"

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
    "citation",
}


class CaseFormatError(Exception):
    """A case file does not follow tests/cases/README.md."""


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


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    if file_path.suffix in (".yaml", ".yml") and CASES_DIR in file_path.parents:
        return CaseFile.from_parent(parent, path=file_path)
    return None


class CaseFile(pytest.File):
    """One YAML file of cases for one pack."""

    def collect(self) -> Iterator[pytest.Item]:
        data = load_yaml(self.path)
        if not isinstance(data, Mapping):
            raise CaseFormatError(f"{self.path}: expected a mapping with 'pack' and 'cases'")
        unknown = set(data) - FILE_KEYS
        if unknown:
            raise CaseFormatError(f"{self.path}: unknown top-level keys {sorted(unknown)}")
        pack_name = data.get("pack")
        cases = data.get("cases")
        if not isinstance(pack_name, str) or not isinstance(cases, list) or not cases:
            raise CaseFormatError(f"{self.path}: needs 'pack: NAME' and a non-empty 'cases:' list")
        defaults = data.get("defaults") or {}
        if not isinstance(defaults, Mapping) or set(defaults) - DEFAULT_KEYS:
            raise CaseFormatError(
                f"{self.path}: 'defaults' may only hold {sorted(DEFAULT_KEYS)}, got {defaults!r}"
            )
        if _first_case_file(self.path):
            yield ClausesItem.from_parent(
                self, name=f"CLAUSES.md of {pack_name} matches rules and cases", pack_name=pack_name
            )
        seen: set[str] = set()
        for index, raw in enumerate(cases):
            case = _parse_case(self.path, index, raw, defaults)
            if case["name"] in seen:
                raise CaseFormatError(f"{self.path}: case name {case['name']!r} appears twice")
            seen.add(case["name"])
            item = CaseItem.from_parent(self, name=case["name"], pack_name=pack_name, case=case)
            if case.get("xfail"):
                item.add_marker(pytest.mark.xfail(reason=str(case["xfail"]), strict=True))
            yield item


def _first_case_file(path: Path) -> bool:
    siblings = sorted(p for p in path.parent.iterdir() if p.suffix in (".yaml", ".yml"))
    return bool(siblings) and siblings[0] == path


def _parse_case(path: Path, index: int, raw: Any, defaults: Mapping[str, Any]) -> dict[str, Any]:
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


class CaseFailure(AssertionError):
    pass


class CaseItem(pytest.Item):
    """One case: build the household, run the pack, compare the expected keys."""

    def __init__(self, *, pack_name: str, case: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.pack_name = pack_name
        self.case = case
        self.result: ff.Identification | None = None

    def runtest(self) -> None:
        case = self.case
        expect = case["expect"]
        problems: list[str] = []
        clauses = clause_rows(self.pack_name)
        if case["clause"] is None or str(case["clause"]) not in clauses:
            problems.append(
                f"clause {case['clause']!r} is not a row of policy_packs/{self.pack_name}/CLAUSES.md"
            )
        try:
            self.result = run_case(self.pack_name, case)
        except Exception as exc:
            if "error" not in expect:
                raise
            names = [c.__name__ for c in type(exc).__mro__]
            if expect["error"] not in names:
                problems.append(
                    f"error: expected {expect['error']}, got {type(exc).__name__}: {exc}"
                )
            for text in expect.get("error_includes") or []:
                if text not in str(exc):
                    problems.append(f"error_includes: {text!r} not in the message: {exc}")
        else:
            if "error" in expect:
                problems.append(f"error: expected {expect['error']}, but no exception was raised")
            else:
                if isinstance(self.result, ff.Identification):
                    problems.extend(compare(self.pack_name, expect, self.result))
                else:
                    problems.extend(compare_other(self.pack_name, expect, self.result))
        if problems:
            raise CaseFailure("\n".join(problems))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if not isinstance(excinfo.value, CaseFailure):
            return super().repr_failure(excinfo)  # type: ignore[return-value]
        lines = [
            f"case:   {self.case['name']}",
            f"file:   {self.path}",
            f"clause: {self.case['clause']}",
            "differences (expected vs actual):",
            *(f"  - {line}" for line in str(excinfo.value).splitlines()),
        ]
        if self.case.get("why"):
            lines += ["why (the case's own reasoning):", f"  {str(self.case['why']).strip()}"]
        if self.result is not None:
            lines += ["", "explain('en'):", self.result.explain("en")]
        return "\n".join(lines)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"{self.pack_name} case: {self.name} [{self.case['clause']}]"


def run_case(pack_name: str, case: Mapping[str, Any]) -> Any:
    """Run one case: identification (default), ``question: elimination`` or ``timeline``."""
    pack = ff.load_pack(pack_name)
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
    if question == "elimination":
        household = ff.load_household(case.get("household") or {})
        return pack.assess_elimination(household, as_of=case["as_of"])
    household = ff.load_household(case.get("household") or {})
    neighbours = case.get("neighbours")
    if neighbours:
        # Population-level rules: the case household is evaluated in a batch with its neighbours.
        batch = [household, *(ff.load_household(n) for n in neighbours)]
        return pack.identify_many(batch, as_of=case["as_of"])[0]
    return pack.identify(household, as_of=case["as_of"])


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


def compare_other(pack_name: str, expect: Mapping[str, Any], r: Any) -> list[str]:
    """Differences for elimination (``question: elimination``) and timeline cases."""
    problems: list[str] = []
    if isinstance(r, TimelineAnswer):
        if "deadlines" in expect:
            local = tuple(
                d.model_copy(update={"name": _local(pack_name, d.name)}) for d in r.deadlines
            )
            problems.extend(_compare_deadlines(expect["deadlines"], local))
        if "violations" in expect:
            actual = {f"{v.kind}:{_local(pack_name, v.rule_id)}" for v in r.violations}
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
    fired = {_local(pack_name, t.rule_id) for t in r.trace.fired()}
    for rule_id in expect.get("fired_include") or []:
        if str(rule_id) not in fired:
            problems.append(f"fired_include: {rule_id} did not fire; fired {sorted(fired)}")
    for rule_id in expect.get("fired_exclude") or []:
        if str(rule_id) in fired:
            problems.append(f"fired_exclude: {rule_id} fired")
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
    _check_some(
        problems,
        "review_points_include",
        expect.get("review_points_include"),
        [t for p in r.review_points for t in (p.zh, p.en)],
        present=True,
    )
    return problems


def _suffixes(pack_name: str, groups: tuple[ff.GroupMatch, ...]) -> set[str]:
    return {g.id.removeprefix(f"{pack_name}:") for g in groups}


def _local(pack_name: str, rule_id: str) -> str:
    return rule_id.removeprefix(f"{pack_name}.")


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


def compare(pack_name: str, expect: Mapping[str, Any], r: ff.Identification) -> list[str]:
    """Differences between the expected keys and the result (an empty list when they agree)."""
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
    _check_some(
        problems,
        "missing_facts_include",
        expect.get("missing_facts_include"),
        missing,
        present=True,
    )
    _check_some(
        problems,
        "missing_facts_exclude",
        expect.get("missing_facts_exclude"),
        missing,
        present=False,
    )
    points = [f"{p.zh} / {p.en}" for p in r.review_points]
    _check_some(
        problems, "review_points_include", expect.get("review_points_include"), points, present=True
    )
    _check_some(
        problems,
        "review_points_exclude",
        expect.get("review_points_exclude"),
        points,
        present=False,
    )
    reasons = [f"{x.rule_id} [{x.citation}] {x.text_zh} / {x.text_en}" for x in r.reasons]
    _check_some(problems, "reasons_include", expect.get("reasons_include"), reasons, present=True)
    fired = {_local(pack_name, t.rule_id) for t in r.trace.fired()}
    for rule_id in expect.get("fired_include") or []:
        if rule_id not in fired:
            problems.append(f"fired_include: rule {rule_id} did not fire; fired: {sorted(fired)}")
    for rule_id in expect.get("fired_exclude") or []:
        if rule_id in fired:
            problems.append(f"fired_exclude: rule {rule_id} fired")
    excluded = [f"{f.path} ({f.dated}: {f.reason})" for f in r.trace.excluded_facts]
    _check_some(
        problems,
        "excluded_facts_include",
        expect.get("excluded_facts_include"),
        excluded,
        present=True,
    )
    if "deadlines" in expect:
        problems.extend(_compare_deadlines(expect["deadlines"] or [], r.deadlines))
    return problems


def _compare_deadlines(
    expected: list[Mapping[str, Any]], actual: tuple[ff.Deadline, ...]
) -> list[str]:
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


# --- CLAUSES.md ------------------------------------------------------------------------------

_ROW = re.compile(r"^\|(.+)\|\s*$")
_TESTED = re.compile(r"^(?P<name>.+?)\s*\((?P<file>[\w.-]+\.ya?ml)\)$")


def clauses_path(pack_name: str) -> Path:
    pack = ff.load_pack(pack_name)
    if pack.directory is None:
        raise CaseFormatError(f"pack {pack_name} has no directory for CLAUSES.md")
    return Path(pack.directory) / "CLAUSES.md"


def clause_table(pack_name: str) -> list[list[str]]:
    """The rows of the first table of CLAUSES.md (header and separator dropped), as cells."""
    path = clauses_path(pack_name)
    if not path.exists():
        return []
    rows: list[list[str]] = []
    in_table = False
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _ROW.match(line.strip())
        if not match:
            if in_table:
                break
            continue
        cells = [c.strip() for c in match.group(1).split("|")]
        if not in_table:
            in_table = True  # header
            continue
        if all(set(c) <= set("-: ") for c in cells):
            continue
        rows.append(cells)
    return rows


def clause_rows(pack_name: str) -> set[str]:
    return {row[0].strip("` ") for row in clause_table(pack_name)}


class ClausesItem(pytest.Item):
    """CLAUSES.md names every rule, every rule fires in some case, every named case exists."""

    def __init__(self, *, pack_name: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.pack_name = pack_name

    def runtest(self) -> None:
        pack_name = self.pack_name
        pack = ff.load_pack(pack_name)
        rule_ids = {_local(pack_name, r.id) for r in (*pack.rules, *pack.elimination)}
        timeline_ids = {
            _local(pack_name, t.id)
            for t in (*pack.timeline.deadlines, *pack.timeline.order, *pack.timeline.spans)
        }
        rows = clause_table(pack_name)
        problems: list[str] = []
        if not rows:
            raise CaseFailure(f"{clauses_path(pack_name)} is missing or has no table")
        cases: dict[tuple[str, str], dict[str, Any]] = {}
        for path in sorted(self.path.parent.glob("*.y*ml")):
            data = load_yaml(path)
            defaults = data.get("defaults") or {}
            for index, raw in enumerate(data.get("cases") or []):
                case = _parse_case(path, index, raw, defaults)
                cases[(path.name, case["name"])] = case
        named_rules: set[str] = set()
        for row in rows:
            if len(row) < 4:
                problems.append(
                    f"row {row[0]!r}: expected 4 columns (clause, text, encoded by, tested by)"
                )
                continue
            clause, encoded, tested = row[0], row[2], row[3]
            ids = set(re.findall(r"`([\w.]+)`", encoded))
            rules_here = {i for i in ids if i in rule_ids | timeline_ids}
            unknown = {
                i for i in ids if i not in rule_ids | timeline_ids and i not in pack.parameters
            }
            if unknown:
                problems.append(f"row {clause}: unknown rule or parameter ids {sorted(unknown)}")
            named_rules |= rules_here
            names = [t.strip() for t in tested.split("<br>") if t.strip() and t.strip() != "—"]
            if rules_here and not names:
                problems.append(f"row {clause}: names rules {sorted(rules_here)} but no case")
            for entry in names:
                match = _TESTED.match(entry)
                if not match:
                    problems.append(f"row {clause}: cannot read case reference {entry!r}")
                elif (match["file"], match["name"]) not in cases:
                    problems.append(f"row {clause}: no case {match['name']!r} in {match['file']}")
        for rule_id in sorted((rule_ids | timeline_ids) - named_rules):
            problems.append(f"rule {rule_id} is not named in any row of CLAUSES.md")
        clauses = {row[0].strip("` ") for row in rows}
        for (file, name), case in sorted(cases.items()):
            if str(case["clause"]) not in clauses:
                problems.append(f"{file}: case {name!r} cites {case['clause']!r}, not a row")
        fired: set[str] = set()
        for case in cases.values():
            if "error" in case["expect"] or case.get("xfail"):
                continue
            try:
                result = run_case(pack_name, case)
            except Exception:
                continue  # the case's own item reports it
            if isinstance(result, TimelineAnswer):
                fired |= {_local(pack_name, d.name) for d in result.deadlines}
                fired |= {_local(pack_name, v.rule_id) for v in result.violations}
            else:
                fired |= {_local(pack_name, t.rule_id) for t in result.trace.fired()}
        for rule_id in sorted((rule_ids | timeline_ids) - fired):
            problems.append(f"rule {rule_id} fires in no (non-xfail) case")
        if problems:
            raise CaseFailure("\n".join(problems))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, CaseFailure):
            return f"{clauses_path(self.pack_name)}:\n" + "\n".join(
                f"  - {line}" for line in str(excinfo.value).splitlines()
            )
        return super().repr_failure(excinfo)  # type: ignore[return-value]

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, self.name
