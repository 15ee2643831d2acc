"""The load a county's systems put on the service — one household's identify / eliminate call, a
case event — answered without FastAPI's per-request machinery, with the same answer.

FastAPI spends on every request what these calls do not need: the dependency graph solved anew
(the token, the headers, the path parameters, the body validated by a model built for it), its
route handler's bookkeeping. Measured with ``benchmarks/service_load.py`` (issue 16: 50 clients,
2 workers), that was about a sixth of a request's CPU, and the token's look-up (a pooled
connection's SELECT) a twentieth more.

This middleware sits inside Starlette's error middleware and in front of the app. For
``POST /packs/{name}/identify``, ``POST /packs/{name}/eliminate`` and ``POST
/cases/{household}/{pack}/events`` it reads the body with the library's strict parser, validates
it with the routes' own request models and calls the same code as the routes
(:class:`fangfan_rules.service.api.HotPaths`): the same evaluation, the same group-commit job, the
same answer bytes. It answers only when everything went well; anything else — no
``Authorization: Bearer`` header (a cookie), a header sent twice, another content type, a body the
parser or the model refuses, an unknown pack, a household outside the token's area, bad facts, an
idempotency key re-used for another request, a failed write — is passed to the FastAPI app as it
came (the body replayed), which answers it as it always has: problem document, audit entry and
all. Passing it on never writes twice: a hot call's rows are written by its group-commit job, the
last thing it does — an error raised by the job or its commit means nothing of it was kept (a
commit whose outcome the database would not tell, ``CommitUncertain``, is the one exception: it is
answered here, 503, never handed over) — and
the answer is built and sent from the job's (status, text) outside the part that may hand over (an
error there is the server's 500, never the request run again).

The token: each valid token's principal is memoised by the token (:class:`api.KnownTokens`) and
checked again in the transaction that stores the request's rows (:meth:`Store.principal_in`, one
indexed SELECT on the write connection): a token revoked (or changed) before that transaction
runs stores nothing, and the request is answered by the FastAPI route, which reads the token
afresh and refuses it (401). A revocation therefore stops a token's writes from the first
transaction that begins after it is committed, in every worker process at once — stricter than
before, when the token was read once at the start of the request.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fangfan_rules import jsonparse
from fangfan_rules.service.api import EventRequest, HotPaths, IdentifyRequest, StaleToken
from fangfan_rules.service.problems import problem_for
from fangfan_rules.store.store import CommitUncertain

__all__ = ["FastPath"]

#: the content types the hot path reads (others go to FastAPI, which decides)
_JSON_TYPES = frozenset({b"application/json", b"application/json; charset=utf-8"})
_KINDS = {"identify": "identify", "eliminate": "elimination"}


class FastPath:
    """ASGI middleware: the hot calls answered directly, everything else passed on."""

    def __init__(self, app: ASGIApp, hot: HotPaths) -> None:
        self.app = app
        self.hot = hot

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope.get("root_path"):
            await self.app(scope, receive, send)
            return
        parts = scope["path"].split("/")
        if len(parts) == 4 and parts[1] == "packs" and parts[2] and parts[3] in _KINDS:
            event = False
        elif (
            len(parts) == 5
            and parts[1] == "cases"
            and parts[2]
            and parts[3]
            and parts[4] == "events"
        ):
            event = True
        else:
            await self.app(scope, receive, send)
            return
        authorization = content_type = key = None
        twice = False  # a header sent twice: FastAPI's reading of it decides
        for name, value in scope["headers"]:
            if name == b"authorization":
                twice = twice or authorization is not None
                authorization = value
            elif name == b"content-type":
                twice = twice or content_type is not None
                content_type = value
            elif name == b"idempotency-key":
                twice = twice or key is not None
                key = value
        token = (authorization or b"").decode("latin-1").removeprefix("Bearer ").strip()
        if twice or not token or (content_type or b"").lower() not in _JSON_TYPES:
            await self.app(scope, receive, send)
            return
        messages, body = await _read_body(receive)
        replay = _replaying(messages, receive)
        if body is None:  # the client went away, or something unexpected: as it came
            await self.app(scope, replay, send)
            return
        try:
            answered = await self._answer(scope, replay, parts, event, token, key, body)
        except CommitUncertain as exc:
            # perhaps committed: handed over, the route could store the request a second time
            await problem_for(exc)(scope, replay, send)
            return
        if answered is None:
            await self.app(scope, _replaying(messages, receive), send)
            return
        # Written and committed: from here on nothing hands the request over (an error is a 500).
        status, text = answered
        await _response(text, status)(scope, replay, send)

    async def _answer(
        self,
        scope: Scope,
        receive: Receive,
        parts: list[str],
        event: bool,
        token: str,
        key: bytes | None,
        body: bytes,
    ) -> tuple[int, str] | None:
        """The hot call's answer (status, JSON text), its rows committed; or None, nothing
        written: pass the request on to the app."""
        known = self.hot.tokens.get(token)
        if known is None:
            return None
        who, hashed = known
        try:
            parsed = jsonparse.loads(body)
            request = Request(scope, receive)
            if event:
                events = EventRequest.model_validate(parsed)
                return await self.hot.event(request, who, hashed, parts[2], parts[3], events)
            model = IdentifyRequest.model_validate(parsed)
            idempotency_key = key.decode("latin-1") if key is not None else None
            return await self.hot.decide(
                request, who, hashed, parts[2], model, idempotency_key, _KINDS[parts[3]]
            )
        except StaleToken:
            self.hot.tokens.forget(token)
            return None
        except CommitUncertain:  # perhaps written: never handed over (the caller answers it)
            raise
        except Exception:  # the body refused, bad facts, outside the area, a failed write…
            # nothing was written (a hot call writes only when it succeeds): FastAPI answers it
            return None


def _response(text: str, status: int) -> Response:
    return Response(content=text, media_type="application/json", status_code=status)


async def _read_body(receive: Receive) -> tuple[list[Message], bytes | None]:
    """The request's messages as received and its body (None if one was not a body part)."""
    messages: list[Message] = []
    chunks: list[bytes] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return messages, None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return messages, b"".join(chunks)


def _replaying(messages: list[Message], receive: Receive) -> Receive:
    """A ``receive`` that gives ``messages`` again, then what ``receive`` gives."""
    pending = list(messages)

    async def replay() -> Any:
        if pending:
            return pending.pop(0)
        return await receive()

    return replay
