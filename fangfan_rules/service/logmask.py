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
from urllib.parse import quote, unquote_to_bytes

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
            args = record.args
            if record.name == "uvicorn.access" and len(args) == 5:
                # (client, method, path, HTTP version, status): the path as the client sent it,
                # decoded before it is scrubbed (scrubbing the encoded text first would mask the
                # wrong digits: "%B7" + an ID number)
                args = (*args[:2], masked_path(args[2]), *args[3:])
            record.args = tuple(_masked(a) for a in args)
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


#: what a logged path keeps unquoted (its delimiters and the mask's ``*``); every other
#: character — a blank, a line break, a letter outside ASCII — is written percent-encoded
_PATH_SAFE = "/?&=;:@!$'()*+,~-._"


def masked_path(path: Any) -> Any:
    """An access line's path with every ID number masked, however the client encoded it.

    uvicorn logs the path as sent: percent-encoded (``110105%2019491231%20109X``, an ID number in
    full-width digits as ``%EF%BC%91…``, ``户`` before one as ``%E6%88%B7``, whose ``7`` joined the
    ID number's digits). So the path is decoded (``+`` in the query read as a blank), scrubbed,
    and written percent-encoded again; a path with no ID number is logged as it came."""
    if not isinstance(path, str):
        return path
    try:
        raw = path.encode("latin-1")  # uvicorn decodes the raw path as latin-1
    except UnicodeEncodeError:
        raw = path.encode("utf-8")
    where, mark, query = raw.partition(b"?")
    # U+FFFD for bytes that are not UTF-8: never a digit that could join an ID number's
    parts = [unquote_to_bytes(where).decode("utf-8", "replace")]
    if mark:
        parts.append(unquote_to_bytes(query.replace(b"+", b" ")).decode("utf-8", "replace"))
    scrubbed = [scrub_id_numbers(p) for p in parts]
    if scrubbed == parts:
        return path
    return "?".join(quote(p, safe=_PATH_SAFE) for p in scrubbed)


def mask_logs() -> None:
    """Put the filter on every handler of the server's loggers (once each); call it after
    uvicorn has configured its logging, which replaces those handlers."""
    for name in LOGGERS:
        for handler in logging.getLogger(name).handlers:
            if not any(isinstance(f, MaskIdNumbers) for f in handler.filters):
                handler.addFilter(MaskIdNumbers())
