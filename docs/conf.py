"""Sphinx configuration of the fangfan-rules documentation.

Build (strict: every warning is an error, every cross-reference must resolve)::

    sphinx-build -W --keep-going -n -b html docs build/docs

Why Sphinx rather than MkDocs: the library's docstrings are reStructuredText with Sphinx roles
(:func:, :class:, :mod: — about 250 of them) and doctest examples; Sphinx renders them as written
and, in nitpicky mode, fails the build on every reference that names nothing — MkDocs would print
them as literal text and check none. The hand-written pages are Markdown (MyST), the command-line
reference comes from the click command tree (sphinx-click), the pack pages and the JSON Schemas
are generated from the installed library at build time (``_ext/fangfan_docs.py``).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "_ext"))

import fangfan_rules

project = "fangfan-rules"
author = "fangfan-rules developers"
release = version = fangfan_rules.__version__
language = "en"

extensions = [
    "sphinx.ext.autodoc",
    "myst_parser",
    "sphinx_click",
    "fangfan_docs",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build", "_ext", "Thumbs.db", ".DS_Store"]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
suppress_warnings = [
    # The packs' CLAUSES.md and cards jump heading levels (a table under "###"): not a broken link.
    "myst.header",
    # "More than one target found": a type annotation written `date` also matches every field
    # named `date`. Sphinx links the first; a reference that names nothing still fails the build.
    "ref.python",
]

html_theme = "furo"
html_title = f"fangfan-rules {release}"

autodoc_member_order = "bysource"
autodoc_typehints = "signature"
# pytest's and pydantic's own docstrings (inherited by the plugin's items, the models) refer to
# their projects' pages; the reference shows the library's docstrings only.
autodoc_inherit_docstrings = False

# Every reference must resolve (nitpicky), except to objects of other projects: their inventories
# (intersphinx) would be fetched from the web, and a build here has only the package registries.
nitpicky = True
_EXTERNAL = (
    "datetime|decimal|fractions|pathlib|collections|typing|types|enum|re|io|os|json|threading",
    "pandas|pd|polars|pl|pyarrow|pa|numpy|np|pydantic|pydantic_core|annotated_types",
    "hypothesis|st|matplotlib|click|rich|rich_click|durable|openpyxl|jinja2|yaml|dateutil",
    "pytest|_pytest|dt",
)
nitpick_ignore_regex = [
    ("py:.*", rf"({'|'.join(_EXTERNAL)})(\..*)?"),
    # Names of the standard library and of annotations written unqualified.
    ("py:.*", r"(date|datetime|Decimal|Fraction|Path|Figure|Any|Callable|Iterable|Iterator)"),
    ("py:.*", r"(Mapping|Sequence|Literal|Self|TypeVar|T|F|PydanticUndefined|Console|Progress)"),
    ("py:.*", r"(Strict(Int|Str|Bool)|BaseModel|ConfigDict|Field|SearchStrategy|DataFrame|Series)"),
    # Fragments of a subscripted annotation autodoc could not evaluate (`'dict[str`): not names.
    ("py:.*", r".*[\[\]'\"].*"),
    ("py:.*", r"(lambda|always|json|python)"),
    ("py:.*", r"(int|str|bool|float|bytes|dict|list|tuple|set|frozenset|object|type|None)"),
]
