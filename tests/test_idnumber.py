import pytest

from fangfan_rules import load_household
from fangfan_rules.errors import FactError
from fangfan_rules.idnumber import check_digit, mask_id_number, validate_id_number

VALID = "11010519491231002X"  # GB 11643 standard's example


def test_check_digit_of_the_standard_example():
    assert check_digit(VALID[:17]) == "X"
    assert validate_id_number(VALID.lower()) == VALID


@pytest.mark.parametrize(
    "bad", ["110105194912310021", "11010519491331002X", "1101051949123100", "A1010519491231002X"]
)
def test_invalid_numbers_rejected_and_masked_in_the_message(bad):
    with pytest.raises(ValueError) as info:
        validate_id_number(bad)
    assert bad not in str(info.value)


def test_masking():
    assert mask_id_number(VALID) == "110105********002X"


def _household(id_number: str) -> dict:
    return {
        "id": "H",
        "area": {"county": "c", "town": "t", "village": "v"},
        "hukou": "rural",
        "members": [{"id": "m", "relation": "head", "id_number": id_number}],
    }


def test_masked_in_output_unless_revealed():
    h = load_household(_household(VALID))
    assert VALID not in h.model_dump_json()
    assert VALID not in repr(h)
    assert "110105********002X" in h.model_dump_json()
    assert VALID in h.model_dump_json(context={"reveal_ids": True})


def test_masked_in_fact_errors():
    with pytest.raises(FactError) as info:
        load_household(_household("110105194912310021"))
    assert "110105194912310021" not in str(info.value)
    assert "household H" in str(info.value) and "members[0].id_number" in str(info.value)


def test_scrub_masks_first_generation_15_digit_numbers() -> None:
    from fangfan_rules.idnumber import scrub_id_numbers

    assert scrub_id_numbers("旧证 210311640301977 号") == "旧证 210311*****1977 号"
    assert scrub_id_numbers("3401011990010112345") == "3401011990010112345"  # 19 digits: no ID
