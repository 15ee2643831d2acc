"""Pack discovery through Python entry points.

Group ``fangfan_rules.packs``: each entry point names a :class:`Pack` object (or a zero-argument
callable returning one). This repository's five packs register themselves the same way as a
third party's would, in ``pyproject.toml``.
"""

from __future__ import annotations

from functools import cache
from importlib.metadata import entry_points

from fangfan_rules.errors import PackError
from fangfan_rules.packs.pack import Pack

ENTRY_POINT_GROUP = "fangfan_rules.packs"


def _entry_points() -> dict[str, object]:
    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def available_packs() -> list[str]:
    """Names of every installed pack, sorted."""
    return sorted(_entry_points())


@cache
def load_pack(name: str) -> Pack:
    """Load an installed pack by name (e.g. ``"qianshan_2023"``)."""
    eps = _entry_points()
    if name not in eps:
        known = ", ".join(sorted(eps)) or "none installed"
        raise PackError(f"no policy pack named {name!r} (available: {known})")
    try:
        obj = eps[name].load()  # type: ignore[attr-defined]
    except Exception as exc:  # a broken third-party pack must not look like a missing one
        raise PackError(f"pack {name!r} failed to load: {type(exc).__name__}: {exc}") from exc
    pack = obj() if callable(obj) and not isinstance(obj, Pack) else obj
    if not isinstance(pack, Pack):
        raise PackError(f"entry point {name!r} does not provide a fangfan_rules Pack")
    if pack.name != name:
        raise PackError(f"entry point {name!r} provides pack {pack.name!r}")
    return pack
