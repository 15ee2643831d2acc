"""Request bodies read by the library's strict JSON parser, not the standard one.

FastAPI reads a JSON body with :func:`json.loads`: a money amount sent as a JSON number
(``"wage_income": 30345.90``) became a float, which every fact refuses ("money cannot be a
float"), although the published household schema allows an exact JSON number and the library's
own readers accept it; a key sent twice silently kept its last value. Here every route of the API
reads its body with :func:`fangfan_rules.jsonparse.loads`, as the library's readers do: a number
with a fraction is an exact ``Decimal``, a number in another form is kept as written (and refused
by the fact that reads it, naming field and value), a duplicated key is refused naming it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException

from fangfan_rules import jsonparse

__all__ = ["BadElement", "BatchJSONRoute", "InvalidBody", "StrictJSONRoute", "batch_document"]


class InvalidBody(HTTPException):
    """The body is not acceptable JSON (answered 422 as an invalid request, with the path)."""

    def __init__(self, problem: jsonparse.JsonProblem) -> None:
        self.path = problem.path
        self.reason = problem.reason
        super().__init__(status_code=422, detail=str(problem))


class _StrictJSONRequest(Request):
    def _parse(self, body: bytes) -> Any:
        return jsonparse.loads(body)

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            try:
                self._json = self._parse(await self.body())
            except jsonparse.JsonProblem as problem:
                # an HTTPException passes FastAPI's body reader as it is (any other error would
                # become a bare 400 "There was an error parsing the body")
                raise InvalidBody(problem) from None
        return self._json


class StrictJSONRoute(APIRoute):
    """A route whose JSON body is parsed strictly (see the module docstring)."""

    request_class: type[_StrictJSONRequest] = _StrictJSONRequest

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        request_class = self.request_class

        async def strict(request: Request) -> Response:
            return await handler(request_class(request.scope, request.receive))

        return strict


class _BatchJSONRequest(_StrictJSONRequest):
    def _parse(self, body: bytes) -> Any:
        return batch_document(body)


class BatchJSONRoute(StrictJSONRoute):
    """:class:`StrictJSONRoute` for a batch: one unreadable element of ``households`` is a
    :class:`BadElement` in its place (a bad row), not a refused request."""

    request_class = _BatchJSONRequest


class BadElement:
    """An element of a batch's ``households`` array that could not be read as JSON (malformed,
    nested too deeply, a key twice, not UTF-8): the batch answers it as a bad row."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def __repr__(self) -> str:
        return f"<unreadable element: {self.reason}>"


def batch_document(body: bytes) -> Any:
    """A batch request's body, its ``households`` array read element by element, as the
    library's JSON-array reader does (:mod:`fangfan_rules.io.readers`): one unreadable element
    is a :class:`BadElement` in its place, the rest are read. Anything wrong outside that array
    refuses the whole document (:class:`jsonparse.JsonProblem`)."""
    try:
        return jsonparse.loads(body)
    except jsonparse.JsonProblem as whole:
        try:
            text = body.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise whole from None
        span = _households_span(text)
        if span is None:
            raise whole from None
        start, end = span
        document = jsonparse.loads(text[:start] + "[]" + text[end:])
        if isinstance(document, dict) and document.get("households") == []:
            document["households"] = _elements(text[start + 1 : end - 1])
            return document
        raise whole from None


def _skip(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position


def _households_span(text: str) -> tuple[int, int] | None:
    """Where the top-level ``households`` array is in ``text`` (start, end), or None."""
    from fangfan_rules.io.readers import _value_end

    strings = json.JSONDecoder()

    i = _skip(text, 0)
    if i >= len(text) or text[i] != "{":
        return None
    i += 1
    while True:
        i = _skip(text, i)
        if i >= len(text) or text[i] != '"':
            return None
        try:
            key, i = strings.raw_decode(text, i)
        except ValueError:
            return None
        i = _skip(text, i)
        if i >= len(text) or text[i] != ":":
            return None
        i = _skip(text, i + 1)
        end = _value_end(text, i)
        if end is None:
            return None
        if key == "households" and text[i] == "[":
            return i, end
        i = _skip(text, end)
        if i >= len(text) or text[i] != ",":
            return None
        i += 1


def _elements(text: str) -> list[Any]:
    """The elements of an array's inside, each parsed on its own (a bad one: BadElement)."""
    from fangfan_rules.io.readers import _value_end

    out: list[Any] = []
    parse = jsonparse.decoder()
    position = _skip(text, 0)
    while position < len(text):
        end = _value_end(text, position)
        piece = text[position:end] if end is not None else text[position:]
        out.append(_element(parse, piece))
        if end is None:
            break
        position = _skip(text, end)
        if position < len(text) and text[position] == ",":
            position = _skip(text, position + 1)
        elif position < len(text):
            out.append(BadElement("',' expected between elements"))
            break
    return out


def _element(parse: Any, piece: str) -> Any:
    before = jsonparse.duplicates_made()
    try:
        value, end = parse.raw_decode(piece)
    except RecursionError:
        return BadElement("not valid JSON: nested too deeply to read")
    except ValueError as exc:
        return BadElement(f"not valid JSON: {str(exc)[:100]}")
    if piece[end:].strip(" \t\r\n"):
        return BadElement("not valid JSON: text after the element")
    try:
        jsonparse.check(value, before)
    except jsonparse.JsonProblem as exc:
        return BadElement(f"{exc.path}: {exc.reason}" if exc.path else exc.reason)
    return value
