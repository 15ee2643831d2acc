"""ID numbers masked in every line the serving process logs.

A request's path may hold a household id that is an ID number (``/cases/{household_id}/…``,
``/households/{household_id}``): uvicorn's access line (``--access-log``) printed it as sent, and
an error's traceback prints its message, which may quote it. The store keeps such an id unmasked
(it is the household's key, and the audit log's ``target``: :mod:`fangfan_rules.store.models`);
nothing the service shows or logs does. So each handler of the server's loggers — uvicorn's
access and error logs, the root logger — gets a filter that writes the record's message and its
traceback with every ID number masked, before any formatter sees it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fangfan_rules.idnumber import scrub_id_numbers

__all__ = ["MaskIdNumbers", "mask_logs"]

#: the loggers whose handlers write the serving process's lines
LOGGERS = ("", "uvicorn", "uvicorn.error", "uvicorn.access")


class MaskIdNumbers(logging.Filter):
    """Masks every ID number of a record's message and traceback (the record is kept)."""

    def filter(self, record: logging.LogRecord) -> bool:
        # The arguments are masked one by one, not the message formatted: uvicorn's access
        # formatter reads them (client, method, path, HTTP version, status) from the record.
        record.msg = _masked(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_masked(a) for a in record.args)
        elif isinstance(record.args, Mapping):
            record.args = {k: _masked(v) for k, v in record.args.items()}
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub_id_numbers(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub_id_numbers(record.stack_info)
        return True


def _masked(value: Any) -> Any:
    """A log argument with its ID numbers masked (as text if it had any; a number as it is)."""
    if isinstance(value, int | float):
        return value
    text = str(value)
    scrubbed = scrub_id_numbers(text)
    return value if scrubbed == text else scrubbed


def mask_logs() -> None:
    """Put the filter on every handler of the server's loggers (once each); call it after
    uvicorn has configured its logging, which replaces those handlers."""
    for name in LOGGERS:
        for handler in logging.getLogger(name).handlers:
            if not any(isinstance(f, MaskIdNumbers) for f in handler.filters):
                handler.addFilter(MaskIdNumbers())
