"""Python's cyclic garbage collector set for a serving process (``fangfan-rules serve``).

A request builds and drops thousands of container objects (the household's facts, the rule runs,
the trace's parts), nearly all freed by reference counting; the collector runs whenever the
objects allocated and not yet freed exceed its first threshold (700 by default). With fifty
requests in flight in a worker that threshold was crossed at almost every request, each time
traversing every young object still alive, and each tenth or so collection of the middle
generation and the full heap (the interpreter, FastAPI, pydantic's schemas: about 160,000
objects) followed. Measured in one process serving 50 concurrent identify calls
(qianshan_2023, issue 16): 0.6 ms of CPU per request went to collection (a seventh of a
request), and each full collection held the event loop for about 120 ms — every request waiting
on that worker waited that long.

So a serving process, once its app is built: (1) collects and then freezes what is alive (the
modules and the app live as long as the process; :func:`gc.freeze` keeps them out of every later
collection, so a full collection traverses only what was made since); (2) raises the first
threshold above what fifty requests in flight hold at once, so a collection runs when the
objects kept alive grow (caches filling), not at every burst of allocation. Nothing else
changes: every object is still freed by reference counting when its last reference goes, and
cyclic garbage (rare here: an exception's traceback, which refers to its frame) is still
collected, once the threshold's worth of objects has accumulated.
"""

from __future__ import annotations

import gc

__all__ = ["YOUNG_THRESHOLD", "tune_for_serving"]

#: The first generation's threshold in a serving process: above the young objects that 50
#: concurrent single-household requests hold at once in one process (between 10,000 and 20,000
#: measured), with room for more clients or larger requests.
YOUNG_THRESHOLD = 50_000


def tune_for_serving() -> None:
    """Freeze the objects alive now and raise the first generation's threshold (see the module
    docstring). Call once in a serving process, after building the app."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
