import shutil
from datetime import date
from pathlib import Path

import pytest

import fangfan_rules as ff
from fangfan_rules.errors import NotInForceError, PackError, RuleError
from tests.helpers import household, record

QIANSHAN_DIR = Path(ff.load_pack("qianshan_2023").directory)


def test_discovery_through_entry_points():
    assert "qianshan_2023" in ff.available_packs()
    pack = ff.load_pack("qianshan_2023")
    assert pack.document.number == "鞍千乡村振兴发〔2023〕3号"
    assert pack.document.date == date(2023, 4, 28)
    with pytest.raises(PackError, match="available"):
        ff.load_pack("atlantis_2030")


def test_every_rule_and_parameter_value_cites_the_document():
    pack = ff.load_pack("qianshan_2023")
    for rule in pack.rules:
        assert rule.citation.startswith("qianshan_2023:") and len(rule.citation) > len(
            "qianshan_2023:"
        )
        assert rule.valid_from == date(2023, 4, 28)
    for parameter in pack.parameters.values():
        for value in parameter.values:
            assert value.citation.startswith("qianshan_2023:")


def test_content_hash_is_stable_and_changes_with_rules(tmp_path):
    copy = tmp_path / "qianshan_copy"
    shutil.copytree(QIANSHAN_DIR, copy)
    same = ff.Pack.from_directory(copy)
    assert same.content_hash == ff.load_pack("qianshan_2023").content_hash
    rules = (
        (copy / "rules.yaml")
        .read_text(encoding="utf-8")
        .replace("重点关注农户要100%入户", "重点关注农户要百分之百入户")
    )
    (copy / "rules.yaml").write_text(rules, encoding="utf-8")
    assert ff.Pack.from_directory(copy).content_hash != same.content_hash


def test_a_broken_pack_fails_at_load_naming_the_rule(tmp_path):
    copy = tmp_path / "broken"
    shutil.copytree(QIANSHAN_DIR, copy)
    text = (copy / "rules.yaml").read_text(encoding="utf-8")
    (copy / "rules.yaml").write_text(
        text.replace("fired: [key_attention.8]", "fired: [key_attention.9]"), encoding="utf-8"
    )
    with pytest.raises(RuleError, match=r"note\.dibao_is_no_substitute"):
        ff.Pack.from_directory(copy)


def test_not_in_force_before_the_document():
    pack = ff.load_pack("qianshan_2023").with_parameters(monitoring_income_line=7000)
    with pytest.raises(NotInForceError):
        pack.identify(household(), as_of=date(2023, 4, 27))


def test_result_is_reproducible_and_carries_its_provenance():
    pack = ff.load_pack("qianshan_2023").with_parameters(monitoring_income_line=7000)
    h = household(
        lifted_out_of_poverty=True,
        self_coping=False,
        income=[
            record("2022-01-01", "2022-12-31", "6000"),
            record("2023-01-01", "2023-12-31", "6000"),
        ],
    )
    r = pack.identify(h, as_of=date(2023, 6, 1))
    assert (
        r.pack == "qianshan_2023"
        and r.pack_version == "2023.1"
        and r.pack_hash == pack.content_hash
    )
    read = {p.name: p for p in r.trace.parameters}
    assert read["income_window"].valid_from == date(2023, 4, 28)
    assert read["monitoring_income_line"].source == "caller"
    assert [e.path for e in r.trace.excluded_facts] == [
        "income[2023-01-01..2023-12-31]"
    ]  # 2023 record ends after as_of
    again = ff.Identification.model_validate_json(r.model_dump_json())
    assert again == r
    assert pack.identify(h, as_of=date(2023, 6, 1)) == r


def test_identify_many_keeps_input_order():
    pack = ff.load_pack("qianshan_2023").with_parameters(monitoring_income_line=7000)
    batch = [
        household(id=f"H{i}", income=[record("2022-01-01", "2023-04-30", str(1000 * i))])
        for i in range(1, 6)
    ]
    results = pack.identify_many(batch, as_of=date(2023, 6, 1))
    assert [r.household_id for r in results] == ["H1", "H2", "H3", "H4", "H5"]
    assert results == [pack.identify(h, as_of=date(2023, 6, 1)) for h in batch]
