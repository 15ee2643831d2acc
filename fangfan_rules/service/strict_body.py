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

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException

from fangfan_rules import jsonparse

__all__ = ["InvalidBody", "StrictJSONRoute"]


class InvalidBody(HTTPException):
    """The body is not acceptable JSON (answered 422 as an invalid request, with the path)."""

    def __init__(self, problem: jsonparse.JsonProblem) -> None:
        self.path = problem.path
        self.reason = problem.reason
        super().__init__(status_code=422, detail=str(problem))


class _StrictJSONRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            try:
                self._json = jsonparse.loads(await self.body())
            except jsonparse.JsonProblem as problem:
                # an HTTPException passes FastAPI's body reader as it is (any other error would
                # become a bare 400 "There was an error parsing the body")
                raise InvalidBody(problem) from None
        return self._json


class StrictJSONRoute(APIRoute):
    """A route whose JSON body is parsed strictly (see the module docstring)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strict(request: Request) -> Response:
            return await handler(_StrictJSONRequest(request.scope, request.receive))

        return strict
