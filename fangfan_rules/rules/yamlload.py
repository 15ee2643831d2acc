"""A strict YAML loader for pack data: duplicate keys are an error, not "last one wins"."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from fangfan_rules.errors import PackError


class _StrictLoader(yaml.SafeLoader):
    pass


def _mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    result: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in result:
            mark = key_node.start_mark
            raise PackError(
                f"{mark.name}:{mark.line + 1}: duplicate key {key!r} (each key may appear once)"
            )
        result[key] = loader.construct_object(value_node, deep=True)
    return result


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def load_yaml(path: Path) -> Any:
    """Load a YAML file strictly; errors name the file and line."""
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.load(fh, Loader=_StrictLoader)
    except yaml.YAMLError as exc:
        raise PackError(f"{path}: invalid YAML: {exc}") from None


def load_yaml_text(text: str, name: str = "<string>") -> Any:
    try:
        return yaml.load(text, Loader=_StrictLoader)
    except yaml.YAMLError as exc:
        raise PackError(f"{name}: invalid YAML: {exc}") from None
