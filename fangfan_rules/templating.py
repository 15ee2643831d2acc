"""Text for people: one Jinja2 environment over ``fangfan_rules/templates``, used by the 公示 list,
written answers, pack cards and the service's web page, so every printed page looks alike.

HTML templates (``*.html.j2``) are autoescaped; Markdown templates (``*.md.j2``) are not, and
escape their table cells with the ``md`` filter."""

from __future__ import annotations

from functools import cache
from typing import Any


def markdown_cell(value: Any) -> str:
    """A Markdown table cell: ``|`` escaped, on one line; an empty cell shows ``—``."""
    text = "" if value is None else str(value).replace("|", "\\|").replace("\n", " ").strip()
    return text or "—"


def markdown_text(value: Any) -> str:
    """Text inside a Markdown line: ``|`` escaped, on one line."""
    return "" if value is None else str(value).replace("|", "\\|").replace("\n", " ").strip()


def _autoescape(name: str | None) -> bool:
    return name is None or name.endswith((".html.j2", ".html", ".htm"))


@cache
def environment() -> Any:
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(
        loader=PackageLoader("fangfan_rules", "templates"),
        autoescape=_autoescape,
        undefined=StrictUndefined,  # a misspelt variable is an error, never an empty cell
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["md_cell"] = markdown_cell
    env.filters["md"] = markdown_text
    return env


def render(template: str, **context: Any) -> str:
    """Render ``template`` (a file of fangfan_rules/templates) with ``context``."""
    return str(environment().get_template(template).render(**context))
