"""Python's cyclic garbage collector paused for a block that allocates many objects and no cycle.

Why: while a whole batch of households is alive, each burst of allocations makes the collector
walk every object of the batch again (its youngest generations often, the whole heap when enough
objects have survived): a third of :func:`~fangfan_rules.engines.columnar.to_tables`' time at
10,000 households, and two full walks of the batch inside one ``compare()`` (the imports of
pandas and polars, then the packs loaded, were where they fell). Kept free of heavy imports, so
that a block can pause the collector before it imports pandas or polars.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for the block (back on after it if it was on).

    Only for a block whose allocations hold no reference cycle (a cycle made inside it is
    collected once the collector runs again, after the block)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
