"""Tools to check a policy pack: its worked cases, its CLAUSES.md and its fidelity to the document.

- :mod:`.cases` — the YAML case format and :func:`check_case` (one case, every difference);
- :mod:`.clauses` — :func:`check_clauses` (CLAUSES.md agrees with the rules and the cases);
- :mod:`.fidelity` — :func:`check_pack` (quotes verbatim in their clauses, figures printed in their
  quotes, decisions on the document's deciding words) and :func:`decisions_table`;
- :mod:`.runner` — :func:`run`, what ``fangfan-rules test PACK_OR_DIR`` runs;
- :mod:`.plugin` — the same as a pytest plugin (``fangfan_cases`` ini option).
"""

from fangfan_rules.testing.cases import CaseFormatError, CaseResult, check_case, read_case_file
from fangfan_rules.testing.clauses import check_clauses
from fangfan_rules.testing.documents import Document, find_passage, normalise
from fangfan_rules.testing.fidelity import Problem, check_pack, decisions_table, find_document
from fangfan_rules.testing.runner import PackReport, run

__all__ = [
    "CaseFormatError",
    "CaseResult",
    "Document",
    "PackReport",
    "Problem",
    "check_case",
    "check_clauses",
    "check_pack",
    "decisions_table",
    "find_document",
    "find_passage",
    "normalise",
    "read_case_file",
    "run",
]
