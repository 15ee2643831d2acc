"""The documentation site's generated pages (docs/_ext/fangfan_docs.py), on a small pack of our own:
the generators must work on any pack, not only on the five shipped ones. CI builds the site itself
(strict) with every installed pack."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

import fangfan_rules as ff
from fangfan_rules.testing.fidelity import BEGIN, END, decisions_table
from tests import mini_pack

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "docs" / "_ext"))

import fangfan_docs  # noqa: E402


@pytest.fixture
def pack(tmp_path):
    return ff.Pack.from_directory(mini_pack.write_pack(tmp_path / "mini"))


def json_blocks(markdown: str) -> list[object]:
    return [json.loads(b) for b in re.findall(r"```json\n(.*?)\n```", markdown, flags=re.S)]


def test_pack_page_from_the_packs_data(pack):
    page = fangfan_docs.pack_page(pack)
    assert page.startswith(f"# mini_pack — {pack.document.title}\n")
    # Every dated parameter value: its value, dates, clause and the document's words.
    table = fangfan_docs.parameter_values_table(pack)
    assert table in page
    assert (
        "| `monitoring_income_line` | 6,000元 | 2024-03-01 – | 一、(二) | 低于6000元 | — |" in table
    )
    assert "| `spending_lookback_start` | caller-supplied |" in table
    # Every rule with its clause (the card), and what the pack decides on which words.
    for rule in pack.rules:
        assert rule.id.removeprefix("mini_pack.") in page
    assert decisions_table(pack) in page
    assert "识别为监测对象" in page and "全乡所有农村户籍人口" in page
    assert "*This pack has no CLAUSES.md.*" in page


def test_pack_page_includes_clauses_md_under_its_own_headings(pack):
    clauses = Path(pack.directory) / "CLAUSES.md"
    clauses.write_text(
        "# mini_pack — clause map\n\n| Clause | Encoded by |\n| --- | --- |\n| 一、(二) | x |\n\n"
        "```text\n# not a heading inside a code block\n```\n\n"
        f"## What this pack decides\n\n{BEGIN}\nan old table\n{END}\n",
        encoding="utf-8",
    )
    page = fangfan_docs.pack_page(pack)
    assert "\n### mini_pack — clause map\n" in page  # under the page's "## CLAUSES.md"
    assert "\n#### What this pack decides\n" in page
    assert "\n# not a heading inside a code block\n" in page
    assert "an old table" not in page  # the freshly generated table is shown instead, once
    assert page.count(decisions_table(pack)) == 1


def test_pack_index_links_every_pack(pack):
    pages = fangfan_docs.pack_pages([pack])
    assert set(pages) == {"packs/index.md", "packs/mini_pack.md"}
    assert "[mini_pack](mini_pack.md)" in pages["packs/index.md"]
    assert "\nmini_pack\n```" in pages["packs/index.md"]  # in the toctree


def test_schema_page_holds_the_models_schemas():
    from fangfan_rules.holiday_schedule import schedule_json_schema
    from fangfan_rules.io import mapping_json_schema

    page = fangfan_docs.schema_page(fangfan_docs.default_schemas())
    expected = [ff.household_json_schema(), schedule_json_schema(), mapping_json_schema()]
    assert json_blocks(page) == expected
    assert "`fangfan-rules schema household`" in page


def test_api_reference_covers_every_module_once():
    modules = fangfan_docs.public_modules()
    assert "fangfan_rules.rules.rule" in modules  # fangfan_rules/rules is a namespace package
    assert "fangfan_rules.facts.household" in modules and "fangfan_rules" in modules
    assert not [m for m in modules if m.startswith(fangfan_docs.EXCLUDED)]
    assert not [m for m in modules if "._" in m]
    pages = fangfan_docs.api_pages()
    assert set(pages) == {f"api/{m}.rst" for m in modules} | {"api/index.rst"}
    assert all(f"   {m}\n" in pages["api/index.rst"] for m in modules)
    # A module documents its members; a package only links what it re-exports, to where each is
    # defined, so every object is documented once.
    assert ":members:" in pages["api/fangfan_rules.facts.household.rst"]
    package = pages["api/fangfan_rules.rst"]
    assert ":members:" not in package
    assert "- :py:obj:`Household <fangfan_rules.facts.household.Household>`" in package
    assert "- :py:obj:`load_pack <fangfan_rules.packs.registry.load_pack>`" in package
    assert "- ``NOT_STATED`` (:py:mod:`fangfan_rules.rules.parameters`)" in package


def test_reexported_names_resolve_to_where_they_are_defined():
    assert fangfan_docs._defined_at("fangfan_rules.facts.Household") == (
        "fangfan_rules.facts.household.Household"
    )
    assert fangfan_docs._defined_at("fangfan_rules.no_such_name") is None
    assert fangfan_docs._exists("NOT_STATED", "fangfan_rules.rules.parameters", None)
    assert fangfan_docs._exists("fangfan_rules.rules.parameters.NOT_STATED", None, None)
    assert not fangfan_docs._exists("NO_SUCH_CONSTANT", "fangfan_rules.rules.parameters", None)
    assert not fangfan_docs._exists("date", None, None)  # not the library's: not "real" here


def test_write_pages_rewrites_only_what_changed(tmp_path, pack):
    written = fangfan_docs.write_pages(tmp_path, [pack])
    page = tmp_path / "packs" / "mini_pack.md"
    assert page in written and (tmp_path / "schemas.md").is_file()
    assert (tmp_path / "api" / "index.rst").is_file()
    before = page.stat().st_mtime_ns
    fangfan_docs.write_pages(tmp_path, [pack])
    assert page.stat().st_mtime_ns == before
