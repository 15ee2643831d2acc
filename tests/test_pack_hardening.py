"""A pack is input we did not write (issue 12, finding 8): every poisoned pack directory is refused
with a PackError naming the file (and key), quickly, and a figure is only ever what it plainly
says. Built on the mini pack (tests/mini_pack.py)."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pytest

import fangfan_rules as ff
from fangfan_rules.errors import PackError, ParameterError, RuleError
from tests import mini_pack


def write(tmp_path: Path) -> Path:
    return mini_pack.write_pack(tmp_path / "mini")


def refused(directory: Path, *names: str) -> str:
    started = time.perf_counter()
    with pytest.raises(PackError) as info:
        ff.Pack.from_directory(directory)
    assert time.perf_counter() - started < 10, "a poisoned pack must be refused quickly"
    message = str(info.value)
    for name in names:
        assert name in message, f"{name!r} not in {message!r}"
    return message


def edit(directory: Path, name: str, old: str, new: str) -> None:
    path = directory / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_finding8_a_date_that_does_not_exist(tmp_path):
    directory = write(tmp_path)
    edit(directory, "pack.yaml", "valid_from: 2024-03-01", "valid_from: 2023-02-30")
    refused(directory, "pack.yaml", "2023-02-30")


def test_finding8_a_missing_rules_file(tmp_path):
    directory = write(tmp_path)
    (directory / "rules.yaml").unlink()
    refused(directory, "rules.yaml", "not found")


def test_finding8_a_file_that_is_not_utf8(tmp_path):
    directory = write(tmp_path)
    text = (directory / "rules.yaml").read_text(encoding="utf-8")
    (directory / "rules.yaml").write_bytes(text.encode("gbk"))
    refused(directory, "rules.yaml", "not UTF-8")


def test_finding8_a_condition_nested_thousands_deep(tmp_path):
    directory = write(tmp_path)
    deep = "{not: " * 3000 + "{var: self_coping}" + "}" * 3000
    edit(directory, "rules.yaml", "when:\n    var: hukou\n    eq: rural", f"when: {deep}")
    refused(directory, "rules.yaml", "deeper")


def test_finding8_a_condition_too_deep_for_the_rule_language(tmp_path):
    directory = write(tmp_path)
    deep = "{not: " * 40 + "{var: self_coping}" + "}" * 40
    edit(directory, "rules.yaml", "when:\n    var: hukou\n    eq: rural", f"when: {deep}")
    with pytest.raises(RuleError, match="nested deeper than 32"):
        ff.Pack.from_directory(directory)


def test_finding8_a_huge_file_is_refused_before_it_is_read(tmp_path):
    directory = write(tmp_path)
    with (directory / "pack.yaml").open("a", encoding="utf-8") as fh:
        fh.write("version: '" + "x" * (3 * 1024 * 1024) + "'\n")
    refused(directory, "pack.yaml", "larger than")


def test_finding8_aliases_and_anchors_are_refused(tmp_path):
    directory = write(tmp_path)
    with (directory / "rules.yaml").open("a", encoding="utf-8") as fh:
        fh.write("bomb: &a [x, x]\nmore: [*a, *a]\n")
    refused(directory, "rules.yaml", "anchors")


def test_finding8_unknown_top_level_keys_are_refused(tmp_path):
    directory = write(tmp_path)
    with (directory / "pack.yaml").open("a", encoding="utf-8") as fh:
        fh.write("extra_stuff: 1\n")
    refused(directory, "pack.yaml", "extra_stuff")


@pytest.mark.parametrize(
    "written",
    ["2:46:40", "10_000", "'１００００'", "1e4", "-6000", "0x2710"],
)
def test_finding8_figures_are_read_only_in_their_plain_form(tmp_path, written):
    directory = write(tmp_path)
    edit(directory, "parameters.yaml", "value: 6000", f"value: {written}")
    message = refused(directory, "parameters.yaml", "monitoring_income_line")
    assert "invalid money value" in message


def test_finding8_yaml_11_booleans_are_text(tmp_path):
    from fangfan_rules.rules.yamlload import load_yaml_text

    assert load_yaml_text("a: yes\nb: on\nc: true\nd: 2023-05-01\ne: 007") == {
        "a": "yes",
        "b": "on",
        "c": True,
        "d": date(2023, 5, 1),
        "e": 7,
    }


def test_finding8_every_data_file_is_in_the_content_hash(tmp_path):
    directory = write(tmp_path)
    before = ff.Pack.from_directory(directory).content_hash
    (directory / "ledger.yaml").write_text("title: 台账\n", encoding="utf-8")
    assert ff.Pack.from_directory(directory).content_hash != before


@pytest.mark.parametrize("value", ["-7000", "７０００", "7e3", "7_000", "7000.001", ""])
def test_finding8_caller_figures_are_refused_unless_plain(tmp_path, value):
    pack = ff.Pack.from_directory(write(tmp_path))
    with pytest.raises(ParameterError, match="monitoring_income_line"):
        pack.with_parameters(monitoring_income_line=value)


def test_finding8_the_real_packs_still_load_and_load_fast():
    for name in ff.available_packs():
        started = time.perf_counter()
        ff.load_pack.cache_clear()
        ff.load_pack(name)
        assert time.perf_counter() - started < 10
