"""A strict YAML loader for pack data: a pack is input we did not write, so read it defensively.

- a key written twice is an error, not "last one wins";
- anchors and aliases are refused (no alias bombs; packs have no use for them);
- nesting deeper than :data:`MAX_DEPTH` is refused (no recursion blow-up);
- files over :data:`MAX_FILE_BYTES` are refused before they are read;
- scalars follow the YAML 1.2 core schema, not YAML 1.1: ``yes`` / ``on`` are text, not booleans;
  ``2:46:40`` (sexagesimal) and ``10_000`` are text, not 10000; ``0x1F`` and ``0o17`` are text;
  so a figure is only ever what it plainly says;
- a date that does not exist (``2023-02-30``) is an error naming the file and the line;
- a file that is not UTF-8 is an error naming the file.

Every failure is a :class:`~fangfan_rules.errors.PackError` naming the file (and line where YAML
knows it).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from fangfan_rules.errors import PackError

#: The largest pack data file read (real packs are a few tens of KB).
MAX_FILE_BYTES = 2 * 1024 * 1024
#: The deepest nesting of mappings and lists accepted.
MAX_DEPTH = 64

_INT = re.compile(r"^[-+]?[0-9]+$")
# No exponent: "1e3" stays text, so a figure is never written in a form a reader misreads.
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$")
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


class _StrictComposer(yaml.composer.Composer):
    """Composing that refuses aliases and anchors and bounds the depth (on either parser)."""

    _depth = 0
    # the parser's, declared only (the Python parser or libyaml's, mixed in by the loader)
    check_event: Callable[..., bool]
    peek_event: Callable[[], Any]

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed in pack files", event.start_mark
            )
        event = self.peek_event()
        if getattr(event, "anchor", None) is not None:
            raise yaml.composer.ComposerError(
                None, None, "anchors (&name) are not allowed in pack files", event.start_mark
            )
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.composer.ComposerError(
                    None, None, f"nested deeper than {MAX_DEPTH} levels", event.start_mark
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _StrictLoader(_StrictComposer, yaml.SafeLoader):
    """SafeLoader with the YAML 1.2 core scalars, no aliases, bounded depth, unique keys."""

    yaml_implicit_resolvers: dict[Any, Any] = {}  # noqa: RUF012 (PyYAML's own class table)


for tag, pattern, first in (
    ("tag:yaml.org,2002:bool", _BOOL, "tTfF"),
    ("tag:yaml.org,2002:int", _INT, "-+0123456789"),
    ("tag:yaml.org,2002:float", _FLOAT, "-+0123456789."),
    ("tag:yaml.org,2002:null", _NULL, ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:timestamp", _DATE, "0123456789"),
):
    _StrictLoader.add_implicit_resolver(tag, pattern, list(first))


def _mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    result: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            raise yaml.constructor.ConstructorError(
                None, None, "merge keys (<<) are not allowed in pack files", key_node.start_mark
            )
        key = loader.construct_object(key_node, deep=True)
        if key in result:
            mark = key_node.start_mark
            raise PackError(
                f"{mark.name}:{mark.line + 1}: duplicate key {key!r} (each key may appear once)"
            )
        result[key] = loader.construct_object(value_node, deep=True)
    return result


def _date(loader: _StrictLoader, node: yaml.ScalarNode) -> dt.date:
    text = loader.construct_scalar(node)
    try:
        return dt.date.fromisoformat(str(text))
    except ValueError as exc:
        raise yaml.constructor.ConstructorError(
            None, None, f"not a date: {text!r} ({exc})", node.start_mark
        ) from None


def _integer(loader: _StrictLoader, node: yaml.ScalarNode) -> int:
    text = str(loader.construct_scalar(node))
    if len(text.lstrip("+-")) > 30:
        raise yaml.constructor.ConstructorError(
            None, None, f"integer too long: {text[:20]}…", node.start_mark
        )
    return int(text)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _date)
_StrictLoader.add_constructor("tag:yaml.org,2002:int", _integer)

if yaml.__with_libyaml__:
    from yaml._yaml import CParser

    class _StrictCLoader(  # type: ignore[misc]  # PyYAML's classes, as yaml.CSafeLoader mixes them
        _StrictComposer,
        CParser,
        yaml.constructor.SafeConstructor,
        yaml.resolver.Resolver,
    ):
        """:class:`_StrictLoader` on libyaml's parser: the same composing (Python, on libyaml's
        events), constructors and scalar resolvers; the scanning and parsing in C.

        Why: the pure-Python scanner and parser were four fifths of loading a pack (about
        0.3 s of a fresh process's first ``compare()`` over the five packs). A file libyaml
        does not load is loaded again by :class:`_StrictLoader` (its answer and its error
        messages are the ones given), so only the valid files take this path.
        """

        yaml_constructors = _StrictLoader.yaml_constructors
        yaml_implicit_resolvers = _StrictLoader.yaml_implicit_resolvers

        def __init__(self, stream: Any) -> None:
            CParser.__init__(self, stream)
            yaml.composer.Composer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)

    _LOADERS: tuple[type[Any], ...] = (_StrictCLoader, _StrictLoader)
else:  # pragma: no cover - PyYAML built without libyaml
    _LOADERS = (_StrictLoader,)


#: Characters where libyaml and the pure-Python loader are known to differ on the same text: a tab
#: as spacing (libyaml accepts ``a:\tb``, the Python scanner refuses it) and the bare non-specific
#: tag ``!`` (libyaml gives ``''``, Python ``None``). A text holding either is loaded by the Python
#: loader alone, so that a pack loads (or fails) the same way with or without libyaml.
_PYTHON_ONLY = ("\t", "!")


def _load(text: str, name: str) -> Any:
    if len(_LOADERS) > 1 and not any(c in text for c in _PYTHON_ONLY):
        try:
            return _parse(text, name, _LOADERS[0])
        except Exception:  # the Python loader answers (data or error) for what libyaml did not load
            pass
    return _parse(text, name, _StrictLoader)


def _parse(text: str, name: str, loader: type[Any]) -> Any:
    stream = io.StringIO(text)
    stream.name = name  # type: ignore[misc]  # YAML's marks (file:line) name the file
    try:
        return yaml.load(stream, Loader=loader)
    except PackError:
        raise
    except yaml.YAMLError as exc:
        raise PackError(f"{name}: invalid YAML: {exc}") from None
    except RecursionError:
        raise PackError(f"{name}: nested too deeply") from None


def load_yaml(path: Path) -> Any:
    """Load a pack data file strictly; errors name the file (and line)."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise PackError(f"{path}: file not found") from None
    except OSError as exc:
        raise PackError(f"{path}: cannot read: {exc.strerror}") from None
    if size > MAX_FILE_BYTES:
        raise PackError(
            f"{path}: {size:,} bytes, larger than the {MAX_FILE_BYTES:,} a pack file may be"
        )
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PackError(
            f"{path}: not UTF-8 (byte {exc.start}: {exc.reason}); save pack files as UTF-8"
        ) from None
    except OSError as exc:
        raise PackError(f"{path}: cannot read: {exc.strerror}") from None
    return _load(text, str(path))


def load_yaml_text(text: str, name: str = "<string>") -> Any:
    """Load YAML text with the same strict rules (cases, spec snippets)."""
    if len(text.encode("utf-8")) > MAX_FILE_BYTES:
        raise PackError(f"{name}: larger than the {MAX_FILE_BYTES:,} bytes a pack file may be")
    return _load(text, name)
