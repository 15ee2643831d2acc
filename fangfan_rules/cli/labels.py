"""How a table shows an outcome code: one rule for every command and both outcome kinds.

Chinese tables show the outcome's Chinese label (``识别为监测对象``); English tables show the code
itself (``identify``), which is what the CSV / JSON outputs carry and what a caller filters on. A
row that could not be evaluated shows ``错误`` / ``error``; a missing value shows nothing.
"""

from __future__ import annotations

from typing import Any

from fangfan_rules.results import EliminationOutcome, Outcome

#: the code of a row that could not be evaluated (a bad input row, a pack that cannot run)
ERROR = "error"


def outcome_label(
    code: Any, lang: str, outcomes: type[Outcome] | type[EliminationOutcome] = Outcome
) -> str:
    """``code`` (an outcome, or its code read as one of ``outcomes``; ``"error"``; None) as a
    ``lang`` table shows it."""
    if code is None:
        return ""
    if isinstance(code, Outcome | EliminationOutcome):
        return code.zh if lang == "zh" else code.value
    value = str(code)
    if value == ERROR:
        return "错误" if lang == "zh" else ERROR
    if lang != "zh":
        return value
    try:
        return outcomes(value).zh
    except ValueError:  # not an outcome of this kind: shown as given, never hidden
        return value
