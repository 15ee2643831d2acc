"""HTML for people: one Jinja2 environment over ``fangfan_rules/templates`` (autoescaped), used by
the 公示 list, written answers and the service's web page, so every printed page looks alike."""

from __future__ import annotations

from functools import cache
from typing import Any


@cache
def environment() -> Any:
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    return Environment(
        loader=PackageLoader("fangfan_rules", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,  # a misspelt variable is an error, never an empty cell
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(template: str, **context: Any) -> str:
    """Render ``template`` (a file of fangfan_rules/templates) with ``context``."""
    return str(environment().get_template(template).render(**context))
