"""A pytest plugin that runs a pack's YAML cases, checks its CLAUSES.md and its fidelity.

Registered by the package (entry point ``pytest11``), and idle until a project points it at its
case files, in ``pyproject.toml``::

    [tool.pytest.ini_options]
    fangfan_cases = ["tests/cases"]            # directories holding case files (*.yaml)
    fangfan_documents = ["../shared/seeds"]    # where the packs' documents are (optional)

Every case becomes one test item named after the case; each pack with cases gets one item that
checks its CLAUSES.md (:func:`.clauses.check_clauses`) and one that checks its quotes, figures and
deciding words against its document (:func:`.fidelity.check_pack`). The fidelity item fails —
never skips — when the document cannot be found: a pack's answers are only as good as the words
they were checked against. ``pytest -p no:fangfan_rules`` turns the plugin off.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fangfan_rules.testing.cases import (
    CaseFile,
    CaseResult,
    check_case,
    is_case_file,
    read_case_file,
)


class CaseFailure(AssertionError):
    """A case, a CLAUSES.md or a fidelity check found differences."""


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        "fangfan_cases", type="paths", default=[], help="directories of fangfan-rules case files"
    )
    parser.addini(
        "fangfan_documents",
        type="paths",
        default=[],
        help="directories holding the policy packs' source documents",
    )


def _case_dirs(config: pytest.Config) -> list[Path]:
    return [Path(p).resolve() for p in config.getini("fangfan_cases")]


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    dirs = _case_dirs(parent.config)
    resolved = file_path.resolve()
    if any(d in resolved.parents for d in dirs) and is_case_file(resolved):
        return CaseFileItems.from_parent(parent, path=file_path)
    return None


def _first_of_pack(case_file: CaseFile) -> bool:
    """The first case file (by name) of a pack's directory carries the pack-wide items."""
    siblings = sorted(p for p in case_file.path.parent.iterdir() if p.suffix in (".yaml", ".yml"))
    return bool(siblings) and siblings[0] == case_file.path


class CaseFileItems(pytest.File):
    """One YAML file of cases for one pack."""

    def collect(self) -> Iterator[pytest.Item]:
        case_file = read_case_file(self.path)
        if _first_of_pack(case_file):
            yield ClausesItem.from_parent(
                self,
                name=f"CLAUSES.md of {case_file.pack} matches rules and cases",
                pack_name=case_file.pack,
            )
            yield FidelityItem.from_parent(
                self,
                name=f"{case_file.pack} says only what its document says",
                pack_name=case_file.pack,
            )
        for case in case_file.cases:
            item = CaseItem.from_parent(
                self, name=case["name"], pack_name=case_file.pack, case=case
            )
            if case.get("xfail"):
                item.add_marker(pytest.mark.xfail(reason=str(case["xfail"]), strict=True))
            yield item


class CaseItem(pytest.Item):
    """One case: build the household, run the pack, compare the expected keys."""

    def __init__(self, *, pack_name: str, case: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.pack_name = pack_name
        self.case = case
        self.outcome: CaseResult | None = None

    def runtest(self) -> None:
        import fangfan_rules as ff
        from fangfan_rules.testing.clauses import clause_rows

        pack = ff.load_pack(self.pack_name)
        self.outcome = check_case(pack, self.case, clause_rows(pack))
        if self.outcome.error is not None:
            raise self.outcome.error
        if not self.outcome.passed:
            raise CaseFailure(self.outcome.report())

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, CaseFailure):
            return f"file:   {self.path}\n{excinfo.value}"
        return super().repr_failure(excinfo)  # type: ignore[return-value]

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"{self.pack_name} case: {self.name} [{self.case['clause']}]"


class _PackItem(pytest.Item):
    def __init__(self, *, pack_name: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.pack_name = pack_name

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, CaseFailure):
            return f"{self.pack_name}:\n" + "\n".join(
                f"  - {line}" for line in str(excinfo.value).splitlines()
            )
        return super().repr_failure(excinfo)  # type: ignore[return-value]

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, self.name


class ClausesItem(_PackItem):
    """CLAUSES.md names every rule, every rule fires in some case, every named case exists."""

    def runtest(self) -> None:
        import fangfan_rules as ff
        from fangfan_rules.testing.clauses import check_clauses

        files = [read_case_file(p) for p in sorted(self.path.parent.glob("*.y*ml"))]
        problems = check_clauses(ff.load_pack(self.pack_name), files)
        if problems:
            raise CaseFailure("\n".join(problems))


class FidelityItem(_PackItem):
    """Quotes verbatim in their clauses, figures in their quotes, decisions on deciding words."""

    def runtest(self) -> None:
        import fangfan_rules as ff
        from fangfan_rules.testing.documents import Document
        from fangfan_rules.testing.fidelity import DOCUMENTS_ENV, check_pack, find_document

        pack = ff.load_pack(self.pack_name)
        found = find_document(pack, self.config.getini("fangfan_documents"))
        if found is None:
            raise CaseFailure(
                f"document {pack.document.file} not found beside the pack, in the ini option "
                f"fangfan_documents or in ${DOCUMENTS_ENV}: the pack cannot be checked against it"
            )
        problems = check_pack(pack, Document.read(found))
        if problems:
            raise CaseFailure("\n".join(str(p) for p in problems))
