"""How one deployment of the service is configured: its database, the figures the county supplies
for each pack, and (for tests) the packs it serves.

Caller figures (the monitoring income line…) come with each request, or from this deployment's
configuration (``--config county.yaml``) — never from a default of the service's own::

    database: postgresql://ffr@db.example/ffr   # optional; SQLite file by default
    parameters:
      qianshan_2023: {monitoring_income_line: "7000"}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fangfan_rules.errors import PackError, ParameterError
from fangfan_rules.idnumber import scrub_id_numbers
from fangfan_rules.rules.yamlload import load_yaml
from fangfan_rules.store import DEFAULT_URL
from fangfan_rules.store.store import quoted

if TYPE_CHECKING:
    from fangfan_rules.packs import Pack


@dataclass(frozen=True)
class Settings:
    """One deployment: database URL, per-pack caller figures, packs served (None: installed)."""

    database: str = DEFAULT_URL
    parameters: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    packs: Mapping[str, Pack] | None = None

    def pack(self, name: str) -> Pack:
        """A pack this deployment serves (the installed ones unless ``packs`` is given)."""
        if self.packs is None:
            from fangfan_rules.packs import load_pack

            if scrub_id_numbers(name) != name:  # never a pack; the loader's message quotes it raw
                raise PackError(f"no policy pack named {quoted(name)}")
            return load_pack(name)
        if name not in self.packs:
            raise PackError(
                f"no policy pack named {quoted(name)} (available: {sorted(self.packs)})"
            )
        return self.packs[name]

    def pack_names(self) -> list[str]:
        if self.packs is None:
            from fangfan_rules.packs import available_packs

            return available_packs()
        return sorted(self.packs)

    def check(self) -> None:
        """Refuse a deployment whose figures cannot be used, before any request is answered: a
        pack name the service does not serve, or a figure its pack refuses (a misspelt name, a
        value such as ``6_000``), each named with its pack and value (:class:`PackError` /
        :class:`ParameterError`). Otherwise every request for that pack would be refused as if
        the caller had sent the bad figure."""
        served = self.pack_names()
        for name, figures in self.parameters.items():
            if name not in served:
                raise PackError(
                    f"deployment parameters: no policy pack named {name!r} is served "
                    f"(available: {', '.join(served)})"
                )
            pack = self.pack(name)
            for figure, value in figures.items():
                try:
                    pack.with_parameters(**{figure: value})
                except ParameterError as exc:
                    raise ParameterError(
                        f"deployment parameters: {name}.{figure} = {value!r} cannot be used: {exc}"
                    ) from None
            if len(figures) > 1:
                pack.with_parameters(**figures)

    @classmethod
    def read(cls, path: Path, *, database: str | None = None) -> Settings:
        """Read a deployment file (YAML); ``database`` (e.g. ``--db``) wins over the file's."""
        data: Any = load_yaml(path)
        if not isinstance(data, Mapping) or set(data) - {"database", "parameters"}:
            raise PackError(f"{path}: expected 'database' and / or 'parameters' only")
        parameters = data.get("parameters") or {}
        if not isinstance(parameters, Mapping) or not all(
            isinstance(v, Mapping) for v in parameters.values()
        ):
            raise PackError(f"{path}: 'parameters' maps a pack name to its figures")
        return cls(
            database=database or str(data.get("database") or DEFAULT_URL),
            parameters={
                str(p): {str(k): str(v) for k, v in figures.items()}
                for p, figures in parameters.items()
            },
        )
