"""Issue 13 §5: pack cards from Jinja2 templates, Chinese headings with lang="zh", and
``describe()`` an object a notebook renders (still the Markdown text for every caller)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

import fangfan_rules as ff
from fangfan_rules.analysis.card import PackCard, pack_card, pack_card_html, pack_card_markdown
from fangfan_rules.cli import EXIT_OK, main

ZH_HEADINGS = ("参数", "重点关注农户", "绿色通道", "时限", "风险消除", "条款原文")
EN_HEADINGS = ("Parameters", "Key-attention groups", "Green channel", "Deadlines", "Clauses quoted")


@pytest.fixture(scope="module")
def jimo():
    return ff.load_pack("jimo_2022")


def _tables(markdown: str) -> list[list[str]]:
    """Each Markdown table as its lines: a header, its rule, then rows, with no blank line."""
    tables, current = [], []
    for line in markdown.splitlines():
        if line.startswith("|"):
            current.append(line)
        elif current:
            tables.append(current)
            current = []
    return tables


def test_describe_is_the_markdown_and_renders_in_a_notebook(jimo):
    card = jimo.describe()
    assert isinstance(card, PackCard) and isinstance(card, str)
    assert str(card) == card._repr_markdown_() == pack_card_markdown(jimo)
    assert card.startswith("# jimo_2022 — ") and "即乡振发〔2022〕1号" in card
    page = card._repr_html_()
    assert page.count("<table>") == pack_card_html(jimo).count("<table>") > 3
    assert repr(card) == f"<PackCard jimo_2022 {jimo.version}>"


@pytest.mark.parametrize("lang", [None, "zh", "en"])
def test_markdown_tables_are_whole_and_cells_escaped(jimo, lang):
    text = pack_card_markdown(jimo, lang)
    for table in _tables(text):
        assert re.fullmatch(r"\|(---\|)+", table[1]), table[:2]
        columns = table[0].count(" | ")
        assert all(len(re.split(r"(?<!\\) \| ", row)) == columns + 1 for row in table[2:])


def test_chinese_headings_with_lang_zh(jimo):
    markdown = pack_card_markdown(jimo, "zh")
    html = pack_card_html(jimo, "zh")
    for heading in ZH_HEADINGS:
        assert f"## {heading}\n" in markdown
        assert f">{heading}<" in html
    for english in (*EN_HEADINGS, "Number", "Issuer", "In force", "description", "clause"):
        assert english not in markdown and english not in html
    assert "| 文号 | 即乡振发〔2022〕1号 |" in markdown and 'lang="zh-CN"' in html
    english = pack_card_markdown(jimo, "en")
    assert "## Parameters\n" in english and "| Number | 即乡振发〔2022〕1号 |" in english
    assert "文号" not in english and "## 参数" not in english


def test_html_card_is_well_formed_and_escaped(jimo):
    html = pack_card(jimo, "zh")._repr_html_()

    class Checker(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.stack: list[str] = []

        def handle_starttag(self, tag, attrs):
            if tag not in ("br", "meta"):
                self.stack.append(tag)

        def handle_endtag(self, tag):
            assert self.stack.pop() == tag

    checker = Checker()
    checker.feed(html)
    assert checker.stack == []
    assert 'class="ff-cite"' in html and "<script" not in html


def test_describe_command_lang(capsys):
    assert main(["describe", "jimo_2022", "--lang", "zh"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "## 参数\n" in out and "Parameters" not in out
    with pytest.raises(ValueError, match="lang"):
        pack_card_markdown(ff.load_pack("jimo_2022"), "fr")
