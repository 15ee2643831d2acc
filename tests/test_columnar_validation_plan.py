"""The validation's checks gathered into fewer polars plans give exactly what they gave before.

``fixtures/validation_outcomes.json`` holds, for seeds 0–399 of
:func:`tests.validation_cases.bad_tables` (one to five problems of every kind the validator knows
in a few sample households), the fingerprint of what validation made of them before the checks
were gathered (main at fd18504, with only the crash on household ids given as numbers mended):
every error row (household, input row, message with its fields, values and masked ID numbers,
in order), a digest of every clean table, or the refusal of the whole batch. Validation today
must give the same for every seed. Regenerated once since, for 38 seeds, when the cross-field
money checks began naming the column given (``expenditures[0].reimbursed_fen = '…'``, a value in
fen, as the range checks already did): each of those seeds was checked to give the same error
rows up to that name and the order of a household's lines. Regenerated again (2026-12-07) for the
24 seeds whose batch is refused for a float money column: the refusal's message now says what
works (pandas 'Int64' / Arrow dtypes) instead of "round at the source"; each is still refused.
Regenerated again (2026-12-07, helper vec8) for the 191 seeds whose messages printed a problem
without a value as ``= None``: a null required cell now reads ``field: missing (a required
field)`` as the native loader words it, a rule between fields, an orphan table or a refusal
names the field without a value, and a bad ID number shows its masked form as the native loader
does (``= '110101********1234'``); each seed was checked to give the same rows, households,
clean-table digests and messages up to exactly these words (the old and new outcomes compared
after rewriting only them).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.validation_cases import bad_tables, fingerprint, outcome

EXPECTED = json.loads(
    (Path(__file__).parent / "fixtures" / "validation_outcomes.json").read_text("utf-8")
)


def _kind(result: dict[str, object]) -> str:
    if "raised" in result:
        return "refused"
    return "errors" if result["errors"] else "clean"


@pytest.mark.parametrize("first", range(0, 400, 50))
def test_bad_batches_give_the_errors_and_clean_tables_they_gave_before(first: int) -> None:
    for seed in range(first, first + 50):
        result = outcome(bad_tables(seed))
        assert [_kind(result), fingerprint(result)] == EXPECTED[str(seed)], (seed, result)


def test_the_stored_cases_hold_refusals_error_rows_and_clean_batches() -> None:
    kinds = [kind for kind, _ in EXPECTED.values()]
    assert kinds.count("errors") > 250 and kinds.count("refused") > 10
    assert kinds.count("clean") > 30
