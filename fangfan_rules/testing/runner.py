"""Run a pack's worked cases and checks without pytest (``fangfan-rules test PACK_OR_DIR``).

A target is one of:

- an installed pack's name (``jimo_2022``): its cases are looked up in ``<pack dir>/cases`` and in
  ``tests/cases/<pack>`` under the current directory (``--cases DIR`` overrides);
- a pack directory (holding ``pack.yaml``): the pack is loaded from it, installed or not, and its
  cases are read from its ``cases/`` folder (or ``--cases``);
- a directory of case files for any installed packs.

For every pack found it runs each case (:func:`.cases.check_case`), checks CLAUSES.md when the
pack keeps one (:func:`.clauses.check_clauses`) and checks fidelity against the document when it
can be found (:func:`.fidelity.check_pack`; beside the pack, in ``--documents`` or in
``$FANGFAN_DOCUMENTS``) — a document that cannot be found is reported, not skipped silently.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from fangfan_rules.errors import PackError
from fangfan_rules.testing.cases import CaseFile, CaseResult, case_files, check_case

if TYPE_CHECKING:
    from fangfan_rules.packs.pack import Pack


@dataclass
class PackReport:
    """Everything checked for one pack."""

    pack: str
    cases: list[CaseResult] = field(default_factory=list)
    clauses: list[str] | None = None  # None: the pack keeps no CLAUSES.md
    fidelity: list[str] | None = None  # None: the document was not found
    document: str | None = None  # the document file name looked for

    @property
    def failed_cases(self) -> list[CaseResult]:
        """Cases that disagree with their expectation (an ``xfail`` case that passes fails)."""
        return [r for r in self.cases if r.passed == bool(r.case.get("xfail"))]

    @property
    def ok(self) -> bool:
        return (
            not self.failed_cases
            and not (self.clauses or [])
            and self.fidelity is not None
            and not self.fidelity
        )

    def lines(self) -> list[str]:
        """A plain-text report: a summary line, then every failure in full."""
        passed = len(self.cases) - len(self.failed_cases)
        out = [f"{self.pack}: {passed}/{len(self.cases)} cases agree with their expectation"]
        for result in self.failed_cases:
            if result.passed:
                out.append(f"  XPASS {result.case['name']}: marked xfail but now agrees")
            else:
                out += ["  FAIL " + line for line in result.report().splitlines()]
        if self.clauses is None:
            out.append("  CLAUSES.md: none kept (not checked)")
        else:
            out.append(f"  CLAUSES.md: {'ok' if not self.clauses else 'problems'}")
            out += [f"    - {p}" for p in self.clauses]
        if self.fidelity is None:
            out.append(f"  fidelity: document {self.document} not found — NOT CHECKED")
        else:
            out.append(
                f"  fidelity against {self.document}: {'ok' if not self.fidelity else 'problems'}"
            )
            out += [f"    - {p}" for p in self.fidelity]
        return out


def _check(pack: Pack, files: list[CaseFile], documents: Sequence[Path]) -> PackReport:
    from fangfan_rules.testing.clauses import check_clauses, clause_rows
    from fangfan_rules.testing.documents import Document
    from fangfan_rules.testing.fidelity import check_pack, find_document

    rows = clause_rows(pack)
    report = PackReport(pack=pack.name, document=pack.document.file)
    for case_file in files:
        report.cases += [check_case(pack, case, rows) for case in case_file.cases]
    if rows is not None:
        report.clauses = check_clauses(pack, files)
    found = find_document(pack, documents)
    if found is not None:
        report.fidelity = [str(p) for p in check_pack(pack, Document.read(found))]
    return report


def run(
    target: str | Path,
    *,
    cases: Path | None = None,
    documents: Iterable[Path | str] = (),
) -> list[PackReport]:
    """Check ``target`` (an installed pack's name, a pack directory or a directory of case
    files); one report per pack."""
    import fangfan_rules as ff
    from fangfan_rules.packs.pack import Pack

    search = [Path(d) for d in documents]
    path = Path(target)
    if path.is_dir() and (path / "pack.yaml").exists():
        own = Pack.from_directory(path)
        folder = cases or path / "cases"
        return [_check(own, list(case_files(folder)) if folder.is_dir() else [], search)]
    if path.is_dir():
        by_pack: dict[str, list[CaseFile]] = {}
        for case_file in case_files(cases or path):
            by_pack.setdefault(case_file.pack, []).append(case_file)
        return [
            _check(ff.load_pack(name), files, search) for name, files in sorted(by_pack.items())
        ]
    pack = ff.load_pack(str(target))
    candidates: list[Path] = [cases] if cases else []
    if pack.directory:
        candidates.append(Path(pack.directory) / "cases")
    candidates.append(Path.cwd() / "tests" / "cases" / pack.name)
    found = next((c for c in candidates if c.is_dir()), None)
    if found is None:
        raise PackError(
            f"no case files for {pack.name}: looked in "
            + ", ".join(str(c) for c in candidates)
            + " (give --cases DIR)"
        )
    return [_check(pack, list(case_files(found)), search)]
