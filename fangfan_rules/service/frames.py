"""A results table (the batch engine's rows, the worklist) as JSON records, dates as dates.

pandas writes a column of ``datetime.date`` values as timestamps (``"2023-06-05T00:00:00.000"``
with ``date_format="iso"``); every other answer of the service, and the library's own rows, give a
day as ``YYYY-MM-DD``. So the day columns are written as such before the rest goes through
pandas' writer (an answer column is a day, never a time of day: nothing is lost).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["json_records"]


def _is_day(value: Any) -> bool:
    return isinstance(value, date) and not isinstance(value, datetime)


def json_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of ``frame`` as JSON objects (column → value), each day ``YYYY-MM-DD``."""
    days = [
        name
        for name in frame.columns
        if frame[name].dtype == object and any(_is_day(v) for v in frame[name])
    ]
    if days:
        frame = frame.assign(
            **{name: frame[name].map(lambda v: v.isoformat() if _is_day(v) else v) for name in days}
        )
    text = frame.to_json(orient="records", date_format="iso", force_ascii=False)
    return list(json.loads(text))
