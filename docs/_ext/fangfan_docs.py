"""The documentation's generated pages, and the Sphinx extension that writes them at build time.

Nothing here is hand-maintained content: every page comes from the installed library and packs.

- :func:`pack_page` — one page per policy pack from its data: the pack card (document,
  parameters with their dates and clauses, rules by kind with their conditions and quoted
  clauses), every dated parameter value with the document's words it comes from, what the pack
  decides and on which words (:func:`fangfan_rules.testing.fidelity.decisions_table`), and the
  pack's CLAUSES.md.
- :func:`schema_page` — the JSON Schemas (household input, calendar schedule).
- :func:`api_pages` — one reference page per module of the library (autodoc), each object
  documented once, where it is defined; a package's page lists what it re-exports.
- :func:`write_pages` — all of them into a directory; :func:`setup` runs it when Sphinx starts
  and resolves short cross-references (``:class:`Pack```) to the one object they name.

Works on any pack (the tests run it on a small pack of their own).
"""

from __future__ import annotations

import ast
import functools
import importlib
import importlib.util
import json
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fangfan_rules.packs import Pack

#: Module trees not in the API reference, and why: the command line has its own reference
#: generated from the click commands; the HTTP service documents itself (OpenAPI at /docs) and
#: needs the [service] extra; the store's migrations are Alembic scripts, not an API.
EXCLUDED = ("fangfan_rules.cli", "fangfan_rules.service", "fangfan_rules.store")
GENERATED = "_generated"


def _demote(markdown: str, levels: int = 1) -> str:
    """Headings one level down (``#`` → ``##``), outside fenced code blocks."""
    out, fenced = [], False
    for line in markdown.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        if not fenced and re.match(r"#{1,6} ", line):
            line = "#" * levels + line
        out.append(line)
    return "\n".join(out)


def _cell(text: Any) -> str:
    return " ".join(str(text).split()).replace("|", "\\|") if text not in (None, "") else "—"


def parameter_values_table(pack: Pack) -> str:
    """Every dated value of every parameter: value, dates in force, clause, the document's words
    and, where the figure is not printed as such, how it was read."""
    from fangfan_rules.analysis.card import clause, parameter_values, validity_text, value_text

    rows = [
        "| Parameter | Value | In force | Clause | The document's words | Reading |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name in sorted(pack.parameters):
        for value in parameter_values(pack, name):
            rows.append(
                f"| `{name}` | {_cell(value_text(value))} | "
                f"{_cell(validity_text(value.valid_from, value.valid_to))} | "
                f"{_cell(clause(value.citation))} | {_cell(value.quote)} | "
                f"{_cell(value.interpretation)} |"
            )
    return "\n".join(rows)


def _clauses_md(pack: Pack) -> str | None:
    """The pack's CLAUSES.md, headings demoted under the page's own, without its generated
    decisions block (the page shows the table freshly generated)."""
    from fangfan_rules.testing.fidelity import current_block

    if pack.directory is None:
        return None
    path = Path(pack.directory) / "CLAUSES.md"
    if not path.is_file():
        return None
    text = path.read_text(encoding="utf-8")
    block = current_block(text)
    if block is not None:
        text = text.replace(block, "*(The table is shown above, under “What it decides”.)*")
    return _demote(text, 2)


def pack_page(pack: Pack) -> str:
    """The documentation page of one pack, in Markdown (MyST), generated from its data."""
    from fangfan_rules.analysis.card import pack_card_markdown
    from fangfan_rules.testing.fidelity import decisions_table

    card = pack_card_markdown(pack)
    parts = [
        card.rstrip(),
        "",
        "## 参数原文 · Parameter values and the document's words",
        "",
        "Each value as the pack states it, the dates it is in force, its clause and the "
        "document's own words (checked verbatim by `fangfan-rules test`). A value the document "
        "does not state is supplied by the caller and never guessed.",
        "",
        parameter_values_table(pack),
        "",
        "## 决定 · What it decides, and on which words",
        "",
        "Every rule whose answer is a decision, with the document's own deciding words "
        "(`fangfan_rules.testing.fidelity.decisions_table`). Every other answer is a "
        "recommendation that officials judge (`needs_review`).",
        "",
        decisions_table(pack),
        "",
        "## CLAUSES.md",
        "",
    ]
    clauses = _clauses_md(pack)
    parts.append(clauses if clauses is not None else "*This pack has no CLAUSES.md.*")
    return "\n".join(parts).rstrip() + "\n"


def schema_page(schemas: Iterable[tuple[str, str, Callable[[], dict[str, Any]]]]) -> str:
    """The JSON Schemas page: (title, how to get it, function returning the schema)."""
    parts = [
        "# JSON Schemas",
        "",
        "Generated from the models at build time; `fangfan-rules schema [household|calendar]` "
        "prints the same documents.",
    ]
    for title, command, make in schemas:
        parts += [
            "",
            f"## {title}",
            "",
            f"`{command}`",
            "",
            "```json",
            json.dumps(make(), ensure_ascii=False, indent=2),
            "```",
        ]
    return "\n".join(parts) + "\n"


def default_schemas() -> list[tuple[str, str, Callable[[], dict[str, Any]]]]:
    from fangfan_rules.facts import household_json_schema
    from fangfan_rules.holiday_schedule import schedule_json_schema
    from fangfan_rules.io import mapping_json_schema

    return [
        (
            "Household (input of every command)",
            "fangfan-rules schema household",
            household_json_schema,
        ),
        (
            "Calendar schedule (a year's holidays)",
            "fangfan-rules schema calendar",
            schedule_json_schema,
        ),
        (
            "Spreadsheet mapping (columns and words → facts)",
            "fangfan_rules.io.mapping_json_schema()",
            mapping_json_schema,
        ),
    ]


def public_modules(root: str = "fangfan_rules") -> list[str]:
    """Every module of the library that the API reference documents, in dotted order. Found by
    its files, so that namespace packages (``fangfan_rules/rules`` has no ``__init__.py``) count."""
    package_dir = Path(importlib.import_module(root).__path__[0])
    names = []
    for path in sorted(package_dir.rglob("*.py")):
        parts = [root, *path.relative_to(package_dir).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        name = ".".join(parts)
        if name.startswith(EXCLUDED) or any(p.startswith("_") for p in parts):
            continue
        names.append(name)
    return sorted(names)


@functools.cache
def _assigned(module_name: str) -> frozenset[str]:
    """The names a module assigns at its top level (where a constant is defined)."""
    spec = importlib.util.find_spec(module_name)
    if spec is None or spec.origin is None:
        return frozenset()
    tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
    names = set()
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        names.update(t.id for t in targets if isinstance(t, ast.Name))
    return frozenset(names)


def _reexports(module_name: str) -> list[str]:
    """The list items of what a package re-exports from its modules: a link to where each class
    or function is defined, and the defining module of a constant."""
    module = importlib.import_module(module_name)
    items = []
    for name in getattr(module, "__all__", ()):
        obj = getattr(module, name)
        home, qualname = getattr(obj, "__module__", None), getattr(obj, "__qualname__", None)
        if home and qualname and home != module_name and home.startswith("fangfan_rules"):
            items.append(f"- :py:obj:`{name} <{home}.{qualname}>`")
        elif not name.startswith("__"):
            defined = next((m for m in public_modules() if name in _assigned(m)), None)
            items.append(f"- ``{name}``" + (f" (:py:mod:`{defined}`)" if defined else ""))
    return items


def api_page(module_name: str) -> str:
    """One module's reference page (reStructuredText for autodoc)."""
    module = importlib.import_module(module_name)
    title = f"``{module_name}``"
    lines = [title, "=" * len(title), "", f".. automodule:: {module_name}"]
    is_package = hasattr(module, "__path__")
    if is_package:
        # A package only re-exports: its objects are documented where they are defined.
        lines += ["", ""]
        exported = _reexports(module_name)
        if exported:
            lines += ["Exports", "-------", "", *exported]
    else:
        # Every public name the module defines, not only its __all__: docstrings refer to helpers
        # (``counted_members``) that a module does not export but a reader needs to look up.
        lines += [
            "   :members:",
            "   :undoc-members:",
            "   :ignore-module-all:",
            "   :show-inheritance:",
        ]
    return "\n".join(lines) + "\n"


def api_pages() -> dict[str, str]:
    """``api/<module>.rst`` → page, and ``api/index.rst``, the table of contents."""
    names = public_modules()
    pages = {f"api/{name}.rst": api_page(name) for name in names}
    index = [
        "Python API",
        "==========",
        "",
        "Generated from the docstrings. ``import fangfan_rules as ff`` gives the public names "
        "of :doc:`fangfan_rules`; each object is documented in the module that defines it.",
        "",
        ".. toctree::",
        "   :maxdepth: 1",
        "",
    ]
    index += [f"   {name}" for name in names]
    pages["api/index.rst"] = "\n".join(index) + "\n"
    return pages


def pack_pages(packs: Iterable[Pack]) -> dict[str, str]:
    """``packs/<name>.md`` → page for each pack, and ``packs/index.md``."""
    packs = list(packs)
    pages = {f"packs/{p.name}.md": pack_page(p) for p in packs}
    rows = ["| Pack | Document | Region | Date |", "| --- | --- | --- | --- |"]
    rows += [
        f"| [{p.name}]({p.name}.md) | {_cell(p.document.title)} | {_cell(p.document.region)} | "
        f"{p.document.date.isoformat()} |"
        for p in packs
    ]
    toctree = ["```{toctree}", ":hidden:", "", *(p.name for p in packs), "```"]
    pages["packs/index.md"] = (
        "\n".join(
            [
                "# Policy packs",
                "",
                "One page per installed pack, generated from its data when the site is built.",
                "",
                *rows,
                "",
                *toctree,
            ]
        )
        + "\n"
    )
    return pages


def write_pages(directory: Path, packs: Iterable[Pack]) -> list[Path]:
    """Write every generated page under ``directory`` (rewritten only where it changed, so
    Sphinx rebuilds only what changed); returns the files written."""
    pages = {**api_pages(), **pack_pages(packs), "schemas.md": schema_page(default_schemas())}
    written = []
    for relative, text in pages.items():
        path = directory / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def installed_packs() -> list[Pack]:
    """Every pack of the entry-point group; one that does not load stops the build."""
    from fangfan_rules.packs import available_packs, load_pack

    return [load_pack(name) for name in available_packs()]


# -- Sphinx ---------------------------------------------------------------------------------------


def _generate(app: Any) -> None:
    write_pages(Path(app.srcdir) / GENERATED, installed_packs())


_MISSING = object()


def _imported(dotted: str) -> Any:
    """The object a dotted name of the library names (a module, then attributes), or _MISSING."""
    if not dotted.startswith("fangfan_rules"):
        return _MISSING
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attribute in parts[cut:]:
            obj = getattr(obj, attribute, _MISSING)
            if obj is _MISSING:
                break
        return obj
    return _MISSING


def _defined_at(dotted: str) -> str | None:
    """``fangfan_rules.facts.Household`` → ``fangfan_rules.facts.household.Household``: the name
    under which an object reached through a package's re-export is defined (None if none)."""
    obj = _imported(dotted)
    module, qualname = getattr(obj, "__module__", None), getattr(obj, "__qualname__", None)
    return f"{module}.{qualname}" if module and qualname else None


def _exists(target: str, module: str | None, cls: str | None) -> bool:
    """Whether ``target`` names an object of the library: as written, or from the referring
    module or class."""
    candidates = [target]
    if module:
        candidates += [f"{module}.{cls}.{target}"] if cls else []
        candidates.append(f"{module}.{target}")
    return any(_imported(name) is not _MISSING for name in candidates)


def _matches(domain: Any, target: str, role: str) -> list[str]:
    """Documented objects named ``target`` or ending with ``.target``, of a type ``role`` may
    refer to (a ``:func:`` never lands on a module of the same name)."""
    types = set(domain.objtypes_for_role(role) or ()) or None
    return sorted(
        name
        for name, entry in domain.objects.items()
        if (name == target or name.endswith(f".{target}"))
        and (types is None or entry.objtype in types)
    )


def _resolve_short_name(app: Any, env: Any, node: Any, contnode: Any) -> Any:
    """A Python reference Sphinx could not resolve in the current module: resolve it when exactly
    one documented object's dotted name ends with it (``Pack.with_parameters``), render a
    private name (``_row``: not documented by design) as code, and leave anything else to fail
    the build."""
    if node.get("refdomain") != "py":
        return None
    target = node["reftarget"].removeprefix("~").lstrip(".")
    if target.rsplit(".", 1)[-1].startswith("_") and not target.endswith("__"):
        return contnode
    domain = env.get_domain("py")
    canonical = _defined_at(target)
    if canonical in domain.objects:  # a name re-exported by a package: where it is defined
        matches = [canonical]
    else:
        matches = _matches(domain, target, node.get("reftype", "obj"))
        if not matches and "." in target and not target.startswith("fangfan_rules."):
            # `cal.WorkingDayCalendar`, `dt.date`: a module alias of the annotation's source.
            matches = _matches(domain, target.rsplit(".", 1)[1], node.get("reftype", "obj"))
    if not matches and _exists(target, node.get("py:module"), node.get("py:class")):
        # A module constant or type alias without a doc comment (``NOT_STATED``, ``Operand``):
        # autodoc cannot document it, but the name is real, so it is shown as code. A name that
        # does not exist still fails the build.
        return contnode
    if len(matches) != 1:
        return None
    from sphinx.util.nodes import make_refnode

    entry = domain.objects[matches[0]]
    return make_refnode(
        app.builder, node["refdoc"], entry.docname, entry.node_id, contnode, matches[0]
    )


def setup(app: Any) -> dict[str, Any]:
    app.connect("builder-inited", _generate)
    app.connect("missing-reference", _resolve_short_name)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
