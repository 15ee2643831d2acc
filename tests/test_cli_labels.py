"""One rule for outcome labels in every command's table (fangfan_rules.cli.labels)."""

import pytest

from fangfan_rules.cli.labels import outcome_label
from fangfan_rules.results import EliminationOutcome, Outcome


@pytest.mark.parametrize("outcome", list(Outcome))
def test_an_identification_outcome_is_its_chinese_label_or_its_code(outcome: Outcome) -> None:
    assert outcome_label(outcome, "zh") == outcome.zh
    assert outcome_label(outcome.value, "zh") == outcome.zh
    assert outcome_label(outcome, "en") == outcome.value


@pytest.mark.parametrize("outcome", list(EliminationOutcome))
def test_an_elimination_outcome_is_labelled_by_its_own_kind(outcome: EliminationOutcome) -> None:
    assert outcome_label(outcome, "zh") == outcome.zh
    assert outcome_label(outcome.value, "zh", EliminationOutcome) == outcome.zh
    assert outcome_label(outcome.value, "en", EliminationOutcome) == outcome.value


def test_an_error_row_a_missing_value_and_an_unknown_code() -> None:
    assert outcome_label("error", "zh") == "错误"
    assert outcome_label("error", "en") == "error"
    assert outcome_label(None, "zh") == ""
    # a code that is not an outcome of the kind asked is shown as given, never hidden
    assert outcome_label("rollback", "zh") == "rollback"
