"""Pack files loaded on libyaml's parser give what the pure-Python strict loader gives.

:func:`fangfan_rules.rules.yamlload.load_yaml` parses with libyaml first (the Python composing,
constructors and resolvers on libyaml's events) and loads a file libyaml refuses again with the
pure-Python loader. Proven here: the same data, of the same types, for every pack and case file in
the repository, and the same data or the same error message for inputs at the edges of the strict
rules (aliases, anchors, duplicate keys, YAML 1.1 scalars, tabs, directives, depth).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fangfan_rules.errors import PackError
from fangfan_rules.rules import yamlload

ROOT = Path(__file__).resolve().parents[1]
FILES = sorted(
    p
    for folder in ("policy_packs", "cases", "examples", "tests")
    if (ROOT / folder).is_dir()
    for p in (ROOT / folder).rglob("*.yaml")
)

EDGES = [
    "a: 1\nb: yes\nc: on\nd: 2:46:40\ne: 10_000\nf: 0x1F\ng: 1e3\nh: .5\ni: -3.\n",
    "a: 2023-02-30\n",
    "a: 2023-02-03\nb: '2023-02-03'\nc: null\nd: ~\ne:\nf: True\ng: FALSE\n",
    "a: 1\na: 2\n",
    "a: &x 1\nb: *x\n",
    "a: &x [1]\n",
    "base: {a: 1}\nother:\n  <<: {b: 2}\n",
    "a:\n\t- 1\n",
    "a: [1, 2\n",
    "a: {b: 1, b: 2}\n",
    "%YAML 1.2\n---\na: 1\n",
    "%YAML 1.1\n---\na: 1\n",
    "--- \na: 1\n---\nb: 2\n",
    "\ufeffa: 1\n",
    "a: 'it''s'\nb: \"\\u4e2d\"\nc: |\n  two\n  lines\nd: >\n  folded\n  text\n",
    "a: 1 # comment\n# only a comment\nb: [x, y, {z: 1}]\n",
    "? complex key\n: value\n",
    "a: !!str 1\nb: !!int '2'\n",
    "a: !custom 1\n",
    "[" * 70 + "]" * 70 + "\n",
    "a: 123456789012345678901234567890123\n",
    "a:\n  - b: 1\n    c: 2\n  - d\n",
    "a: b: c\n",
    "- 1\n -2\n",
    "",
    "   \n",
    "a: \x07\n",
    "中文: 值\n列表:\n  - 一\n  - 二\n",
    # where libyaml alone differs (found by review): a tab as spacing, the bare tag "!"
    "a:\tb\n",
    "a: b\t# c\n",
    "a: [1,\t2]\n",
    "a: {b:\t1}\n",
    "a:\t\n  b: 1\n",
    "a: 1 \t\n",
    "a: 'x'  \t\n",
    "a: !\n",
    "- !\n",
]


def _answer(load, text: str, name: str) -> tuple[str, str]:
    try:
        data = load(text, name)
    except (PackError, RecursionError) as exc:
        return "error", f"{type(exc).__name__}: {exc}"
    return "data", repr(data)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_repository_file_loads_alike(path):
    text = path.read_text("utf-8")
    fast = yamlload._parse(text, str(path), yamlload._LOADERS[0])
    slow = yamlload._parse(text, str(path), yamlload._StrictLoader)
    assert repr(fast) == repr(slow) and fast == slow


@pytest.mark.parametrize("text", EDGES)
def test_edge_inputs_give_the_python_loaders_answer(text):
    def python_only(t: str, n: str) -> object:
        return yamlload._parse(t, n, yamlload._StrictLoader)

    assert _answer(yamlload.load_yaml_text, text, "edge.yaml") == _answer(
        python_only, text, "edge.yaml"
    )


def test_the_repository_has_files_to_compare_on_libyaml():
    assert len([p for p in FILES if p.parts[-3] == "policy_packs"]) >= 20
    assert yamlload._LOADERS[0] is not yamlload._StrictLoader  # this machine's PyYAML has libyaml
