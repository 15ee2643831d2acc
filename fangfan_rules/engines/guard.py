"""The batch engines' boundary: a failure inside polars / pyarrow leaves as :class:`EngineError`.

polars reports a bug of its own as ``pyo3_runtime.PanicException``, a ``BaseException`` that
``except Exception`` does not catch: a caller guarding a batch with ``except FangfanError`` (as
documented) would lose the whole batch to it. Every public batch API is wrapped here so that only
the library's documented errors leave it. Interrupts and the library's own errors pass through.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import Any, ParamSpec, TypeVar

from fangfan_rules.errors import EngineError, FangfanError
from fangfan_rules.idnumber import scrub_id_numbers

P = ParamSpec("P")
R = TypeVar("R")
Y = TypeVar("Y")

_PASS_THROUGH = (FangfanError, KeyboardInterrupt, SystemExit, GeneratorExit)


def _engine_failure(exc: BaseException) -> bool:
    """An error raised inside polars or pyarrow (by the exception's module)."""
    if isinstance(exc, _PASS_THROUGH):
        return False
    module = type(exc).__module__ or ""
    return module.split(".")[0] in ("polars", "pyarrow", "pyo3_runtime")


def _engine_error(what: str, exc: BaseException) -> EngineError:
    detail = scrub_id_numbers(str(exc).strip().splitlines()[0] if str(exc).strip() else "")
    return EngineError(f"{what}: {type(exc).__name__} in the batch engine: {detail[:300]}")


def engine_boundary(what: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorate a public batch function: polars / pyarrow failures become :class:`EngineError`.

    The engine's exception is neither the cause nor the context of the new one (its text can
    quote the data): the error is raised outside the handler.
    """

    def wrap(fn: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(fn)
        def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return fn(*args, **kwargs)
            except BaseException as exc:
                if not _engine_failure(exc):
                    raise
                error = _engine_error(what, exc)
            raise error

        return guarded

    return wrap


def guarded_iter(what: str, items: Iterator[Y]) -> Iterator[Y]:
    """``items`` with polars / pyarrow failures turned into :class:`EngineError` (a stream)."""
    while True:
        try:
            item = next(items)
        except StopIteration:
            return
        except BaseException as exc:
            if not _engine_failure(exc):
                raise
            error = _engine_error(what, exc)
            break
        yield item
    raise error


def call_guarded(what: str, fn: Callable[..., R], *args: Any, **kwargs: Any) -> R:
    """``fn(*args, **kwargs)`` behind the boundary (for callables that are not decorated)."""
    return engine_boundary(what)(fn)(*args, **kwargs)


__all__ = ["call_guarded", "engine_boundary", "guarded_iter"]
