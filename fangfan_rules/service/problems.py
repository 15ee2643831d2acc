"""Errors as RFC 9457 problem details (``application/problem+json``), with the library's own
messages — ID numbers masked — and the HTTP status that says whose move it is."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from fangfan_rules.errors import (
    CalendarError,
    FactError,
    FangfanError,
    MissingParameterError,
    NotInForceError,
    PackError,
    ParameterError,
    RuleError,
    printable,
)
from fangfan_rules.idnumber import scrub_id_numbers
from fangfan_rules.service.strict_body import InvalidBody
from fangfan_rules.store import AccessDenied, StoreError
from fangfan_rules.store.store import CommitUncertain

PROBLEM = "application/problem+json"
BASE = "https://fangfan-rules.example/problems/"

#: exception class → (status, problem type slug, title); the first matching class wins.
_STATUS: tuple[tuple[type[Exception], int, str, str], ...] = (
    (AccessDenied, 403, "forbidden", "Outside the token's area"),
    (CommitUncertain, 503, "commit-uncertain", "The database did not confirm the write"),
    (StoreError, 409, "store", "The case store refused the request"),
    (FactError, 422, "invalid-facts", "Invalid household facts"),
    (MissingParameterError, 422, "missing-parameter", "A figure the caller must supply"),
    (NotInForceError, 422, "not-in-force", "Not in force on that date"),
    (CalendarError, 422, "calendar", "The official calendar does not know that date"),
    (RuleError, 500, "pack-rule", "A pack rule is broken"),
    (ParameterError, 422, "parameter", "Invalid parameter"),
    (PackError, 404, "pack", "Unknown or broken pack"),
    (FangfanError, 422, "fangfan", "The request cannot be answered"),
)


def problem(status: int, slug: str, title: str, detail: str, **extra: Any) -> JSONResponse:
    body = {
        "type": BASE + slug,
        "title": title,
        "status": status,
        "detail": _shown(detail),
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


def problem_for(exc: Exception) -> JSONResponse:
    for cls, status, slug, title in _STATUS:
        if isinstance(exc, cls):
            return problem(status, slug, title, str(exc), error=type(exc).__name__)
    return problem(500, "internal", "Internal error", "the service failed; see its log")


def _invalid_request(errors: list[tuple[Any, str]]) -> JSONResponse:
    """422 with each error's location and message (ID numbers masked)."""
    return problem(
        422,
        "invalid-request",
        "Invalid request",
        "the request body is malformed",
        errors=[
            # a location may be a key the caller sent (an ID number as a parameter's name)
            {"loc": [_shown(str(p)) for p in loc], "msg": _shown(msg)}
            for loc, msg in errors
        ],
    )


def _message(error: Any) -> str:
    """A request error's message; an unknown key is named (a misspelt key is never dropped)."""
    loc = error.get("loc", ())
    if error.get("type") == "extra_forbidden" and loc:
        # masked before it is quoted: repr's escapes (\u3000…) would join an ID number's digits
        key = scrub_id_numbers(str(loc[-1]))
        return f"unknown field {key!r}: not part of this request (misspelt?)"
    return str(error.get("msg"))


def _shown(text: str) -> str:
    """A problem's text: ID numbers masked, then a lone surrogate written as its escape (in that
    order: masked first, so an escape's digits never hide an ID number; escaped, so the document
    can be written as UTF-8 at all)."""
    return printable(scrub_id_numbers(text))


def install(app: FastAPI) -> None:
    """Every error the service can meet answers as a problem document."""

    @app.exception_handler(FangfanError)
    async def _library(_: Request, exc: FangfanError) -> JSONResponse:
        return problem_for(exc)

    @app.exception_handler(RequestValidationError)
    async def _request(_: Request, exc: RequestValidationError) -> JSONResponse:
        return _invalid_request([(e.get("loc", ()), _message(e)) for e in exc.errors()])

    @app.exception_handler(InvalidBody)
    async def _body(_: Request, exc: InvalidBody) -> JSONResponse:
        # the library's strict JSON reader refused the body (strict_body.py)
        return _invalid_request([(("body", *([exc.path] if exc.path else [])), exc.reason)])

    @app.exception_handler(HTTPException)
    async def _http(_: Request, exc: HTTPException) -> JSONResponse:
        slug = {401: "unauthorized", 403: "forbidden", 404: "not-found"}.get(
            exc.status_code, "http"
        )
        return problem(exc.status_code, slug, str(exc.detail), str(exc.detail))
