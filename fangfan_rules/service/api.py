"""The HTTP API: packs and their cards, identify / eliminate / explain (one household or a batch),
cases with deadlines and procedure checks, the worklist by area, stored decisions re-evaluated.

Every request carries a token (``Authorization: Bearer …``) whose area bounds what it may read and
write; every answer is kept (snapshot, decision, audit entry) in one transaction; a POST with an
``Idempotency-Key`` header is answered once and stored once, however often it is re-sent.

The single-household endpoints and case events (the load a county's systems put on it) run on the
event loop, with no hop to a worker thread: the evaluation is a millisecond of CPU that the
interpreter's lock would serialise anyway, and their rows are written by the group commit
(:mod:`fangfan_rules.store.groupcommit`) — each request answered once its own rows are committed.
"""

import hashlib
import json
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request
from fastapi.responses import PlainTextResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from fangfan_rules.engines.native import identify as identify_recorded
from fangfan_rules.errors import DUPLICATED_HOUSEHOLD, FactError, FangfanError, printable
from fangfan_rules.facts import Household, household_json_schema, load_household
from fangfan_rules.facts.forms import Day, Text
from fangfan_rules.idnumber import scrub_id_numbers
from fangfan_rules.packs import Pack
from fangfan_rules.results import Deadline, Elimination, Identification
from fangfan_rules.service.frames import json_records
from fangfan_rules.service.settings import Settings
from fangfan_rules.service.strict_body import BadElement, BatchJSONRoute, StrictJSONRoute
from fangfan_rules.store import AccessDenied, Principal, Store, StoredDecision, token_hash
from fangfan_rules.store.groupcommit import GroupCommit
from fangfan_rules.store.store import decision_answer
from fangfan_rules.timeline import Case, CaseEvent, Step, procedures_known_on, worklist

JSON = "application/json"
T = TypeVar("T")


class IdentifyRequest(BaseModel):
    """One household to evaluate on ``as_of`` with the caller's figures for this pack."""

    # an unknown key (a misspelt "parameters") is refused, naming it: never silently dropped
    model_config = ConfigDict(extra="forbid")

    household: dict[str, Any] = Field(description="the household facts (see /schema/household)")
    as_of: Day
    parameters: dict[str, str] = Field(
        default_factory=dict,
        description="figures the document does not state (e.g. monitoring_income_line); "
        "the deployment's configured figures fill the rest, the service never guesses one",
    )


class BatchRequest(BaseModel):
    """Many households, evaluated by the vectorized engine; bad rows are reported per row."""

    model_config = ConfigDict(extra="forbid")

    # read element by element (strict_body.BatchJSONRoute): an element that is not a household
    # object, or not readable JSON, is a bad row of its own, the rest are answered
    households: list[Any]
    as_of: Day
    parameters: dict[str, str] = Field(default_factory=dict)


class EventRequest(BaseModel):
    """One step of a household's case under a pack."""

    model_config = ConfigDict(extra="forbid")

    step: Step
    date: Day
    note: Text | None = Field(None, description="free text: no control characters but tab and "
                              "line breaks, no lone surrogates; ID numbers in it are masked when "
                              "shown to a token that may not reveal them")  # fmt: skip


class Decided(BaseModel):
    decision_id: int
    result: Identification


class EliminationDecided(BaseModel):
    decision_id: int
    result: Elimination


class BatchRow(BaseModel):
    index: int
    household_id: str | None
    decision_id: int | None = None
    outcome: str | None = None
    row: dict[str, Any] | None = Field(None, description="the engine's columns for this household")
    error: str | None = None


class EventRecorded(BaseModel):
    event_id: int


class Reevaluation(BaseModel):
    decision_id: int
    same_pack: bool = Field(description="the pack's content hash is the one the decision used")
    same_result: bool
    differences: list[str]
    stored: dict[str, Any]
    now: dict[str, Any]


class CaseAnswer(BaseModel):
    household_id: str
    pack: str
    events: list[CaseEvent]
    deadlines: list[Deadline]
    violations: list[dict[str, Any]]


def _json(text: str, status: int = 200) -> Response:
    return Response(content=text, media_type=JSON, status_code=status)


def build_router(settings: Settings, store: Store) -> APIRouter:
    settings.check()  # the deployment's figures and pack names, before any request
    router = APIRouter(route_class=StrictJSONRoute)

    pack_named = settings.pack
    pack_names = settings.pack_names
    writer = GroupCommit(store)

    @lru_cache(maxsize=256)
    def with_figures(pack: Pack, figures: tuple[tuple[str, str], ...]) -> Pack:
        # A pack is immutable, so one configured copy per set of figures serves every request
        # (configuring costs more than evaluating a household); a bad figure raises, uncached.
        return pack.with_parameters(**dict(figures))

    def configured(pack: Pack, supplied: dict[str, str]) -> tuple[Pack, dict[str, str]]:
        figures = {**settings.parameters.get(pack.name, {}), **supplied}
        return (with_figures(pack, tuple(sorted(figures.items()))) if figures else pack), figures

    async def principal(
        request: Request, authorization: Annotated[str | None, Header()] = None
    ) -> Principal:
        # On the loop (no thread hop for every request): one indexed SELECT.
        token = (authorization or "").removeprefix("Bearer ").strip()
        if not token:
            token = request.cookies.get("ffr_token", "")
        found = store.authenticate(token) if token else None
        if found is None:
            path, remote = request.url.path, _remote(request)
            await writer.run(lambda c: store.audit("anonymous", path, None, "refused",
                                                   {"why": "no valid token"}, remote, session=c))  # fmt: skip
            raise HTTPException(401, "a valid token is required (Authorization: Bearer …)")
        return found

    Caller = Annotated[Principal, Depends(principal)]

    def refuse(request: Request, who: Principal, exc: AccessDenied, target: str | None) -> None:
        store.audit(
            who.name, request.url.path, target, "refused", {"why": str(exc)}, _remote(request)
        )

    async def refused(
        request: Request, who: Principal, exc: AccessDenied, target: str | None
    ) -> None:
        """:func:`refuse` from the event loop (the audit entry goes in the next group)."""
        path, remote, why = request.url.path, _remote(request), str(exc)
        await writer.run(lambda c: store.audit(who.name, path, target, "refused", {"why": why},
                                               remote, session=c))  # fmt: skip

    def idempotent(
        request: Request,
        who: Principal,
        key: str | None,
        body: BaseModel,
        run: Callable[[Any], Response],
    ) -> Response:
        """Answer once per key: a re-sent request gets the stored response, nothing is redone."""
        digest = _request_digest(request, body) if key else ""
        if key:
            seen = store.remembered(key, who.name, digest)
            if seen is not None:
                return _json(seen[1], seen[0])
        with store.transaction() as s:
            response = run(s)
            if key:
                store.remember(
                    s, key, who.name, digest, response.status_code, bytes(response.body).decode()
                )
        return response

    # -- packs and schemas -----------------------------------------------------------------------
    @router.get("/packs", summary="Installed packs and the figures each needs from the caller")
    def packs() -> list[dict[str, Any]]:
        out = []
        for name in pack_names():
            pack = pack_named(name)
            out.append(
                {
                    "name": name,
                    "version": pack.version,
                    "document": pack.document.title,
                    "region": pack.document.region,
                    "valid_from": pack.valid_from,
                    "valid_to": pack.valid_to,
                    "content_hash": pack.content_hash,
                    "caller_supplied": list(pack.caller_supplied()),
                    "configured": sorted(settings.parameters.get(name, {})),
                }
            )
        return out

    @router.get("/packs/{name}", summary="One pack's card: parameters with dates and citations")
    def card(name: str) -> dict[str, Any]:
        pack = pack_named(name)
        return {
            "name": pack.name,
            "version": pack.version,
            "document": pack.document.model_dump(mode="json"),
            "content_hash": pack.content_hash,
            "caller_supplied": list(pack.caller_supplied()),
            "parameters": {
                pname: {
                    "description": p.description.model_dump(),
                    "type": p.type,
                    "unit": p.unit,
                    "when_not_supplied": p.when_not_supplied,
                    "values": [v.model_dump(mode="json") for v in p.values],
                }
                for pname, p in sorted(pack.parameters.items())
            },
            "rules": [
                {
                    "id": r.id,
                    "kind": r.kind.value,
                    "title": r.title.model_dump(),
                    "citation": r.citation,
                    "quote": r.quote,
                    "decides": r.decision,
                    "deciding_words": r.decides,
                }
                for r in (*pack.rules, *pack.elimination)
            ],
        }

    @router.get("/schema/{name}", summary="JSON Schema of the household or of a result type")
    def schema(
        name: Literal["household", "identification", "elimination", "deadline", "case"],
    ) -> dict[str, Any]:
        if name == "household":
            return household_json_schema()
        models: dict[str, type[BaseModel]] = {
            "identification": Identification,
            "elimination": Elimination,
            "deadline": Deadline,
            "case": Case,
        }
        return models[name].model_json_schema()

    # -- evaluation ------------------------------------------------------------------------------
    def evaluation(
        name: str, body: IdentifyRequest, household: Household, kind: str
    ) -> tuple[Identification | Elimination, dict[str, str]]:
        """The answer for a loaded household (no side effect; a FangfanError if none)."""
        pack, figures = configured(pack_named(name), body.parameters)
        # Every answer's trace is written below: its checks are recorded as the rules run
        # (one run, not a quick one and a replay for the trace).
        result: Identification | Elimination = (
            identify_recorded(pack, household, as_of=body.as_of, recorded=True)
            if kind == "identify"
            else pack.assess_elimination(household, as_of=body.as_of)
        )
        return result, figures

    def decision_write(
        request: Request,
        who: Principal,
        name: str,
        household: Household,
        result: Identification | Elimination,
        figures: dict[str, str],
        key: str | None,
        digest: str,
        kind: str,
    ) -> Callable[[Any], tuple[int, str]]:
        """The group commit's job that stores one answer and gives (status, answer text)."""
        # Built once, before the group: the group's transaction only writes (the trace, built and
        # dumped here, is most of a request's time).
        stored_json = result.model_dump_json()  # masked: what the store keeps
        shown = _dump(result, who) if who.reveal_ids else stored_json
        facts = household.model_dump_json(context={"reveal_ids": True})
        remote = _remote(request)
        outcome = str(result.outcome.value)

        def write(s: Any) -> tuple[int, str]:
            # The idempotency key is checked in the transaction that stores the answer: two
            # requests with one key, however concurrent, store one decision (the second finds
            # the first's record; across worker processes the key's primary key refuses the
            # second, whose group is run again and then finds it).
            if key:
                seen = store.remembered_in(s, key, who.name, digest)
                if seen is not None:
                    return seen
            snapshot = store.submit(s, household, who, facts=facts)
            decision = store.record_decision(
                s, kind=kind, snapshot_id=snapshot, result=result, parameters=figures,
                principal=who, request_key=key, result_json=stored_json,
            )  # fmt: skip
            store.audit(who.name, kind, household.id, "ok",
                        {"pack": name, "decision": decision, "outcome": outcome},
                        remote, session=s)  # fmt: skip
            if who.reveal_ids:
                store.audit(who.name, "reveal_ids", household.id, "ok", {"decision": decision},
                            remote, session=s)  # fmt: skip
            answer = decision_answer(decision, shown)
            if key and shown is stored_json:
                # the answer is the stored result: remembered by reference, not a second copy
                store.remember_decision(s, key, who.name, digest, decision)
            elif key:  # IDs revealed: the answer differs from what the decision keeps
                store.remember(s, key, who.name, digest, 200, answer)
            return 200, answer

        return write

    async def evaluate_one(
        request: Request,
        who: Principal,
        name: str,
        body: IdentifyRequest,
        key: str | None,
        kind: Literal["identify", "elimination"],
    ) -> Response:
        digest = _request_digest(request, body) if key else ""

        def answered_before() -> Response | None:
            # A request answered before is answered the same, even if it could not be now (the
            # deployment's figures or packs changed since).
            seen = store.remembered(key, who.name, digest) if key else None
            return None if seen is None else _json(seen[1], seen[0])

        try:
            household = load_household(body.household)
        except FangfanError:
            if (before := answered_before()) is not None:
                return before
            raise
        try:
            store.check_access(who, household)
        except AccessDenied as exc:
            await refused(request, who, exc, household.id)
            raise
        try:
            result, figures = evaluation(name, body, household, kind)
        except FangfanError:
            if (before := answered_before()) is not None:
                return before
            raise
        write = decision_write(request, who, name, household, result, figures, key, digest, kind)
        status, text = await writer.run(write)
        return _json(text, status)

    @router.post("/packs/{name}/identify", response_model=Decided, summary="Identify one household")
    async def identify(
        name: str,
        body: IdentifyRequest,
        request: Request,
        who: Caller,
        idempotency_key: Annotated[str | None, Header()] = None,
    ) -> Response:
        return await evaluate_one(request, who, name, body, idempotency_key, "identify")

    @router.post(
        "/packs/{name}/eliminate",
        response_model=EliminationDecided,
        summary="May one monitored household leave monitoring (风险消除)?",
    )
    async def eliminate(
        name: str,
        body: IdentifyRequest,
        request: Request,
        who: Caller,
        idempotency_key: Annotated[str | None, Header()] = None,
    ) -> Response:
        return await evaluate_one(request, who, name, body, idempotency_key, "elimination")

    @router.post(
        "/packs/{name}/explain",
        response_class=PlainTextResponse,
        summary="The reasons of an identification, in Chinese (zh) or English (en)",
    )
    def explain(
        name: str,
        body: IdentifyRequest,
        request: Request,
        who: Caller,
        lang: Literal["zh", "en"] = "zh",
    ) -> PlainTextResponse:
        household = load_household(body.household)
        try:
            store.check_access(who, household)
        except AccessDenied as exc:
            refuse(request, who, exc, household.id)
            raise
        pack, _ = configured(pack_named(name), body.parameters)
        return PlainTextResponse(pack.identify(household, as_of=body.as_of).explain(lang))

    def identify_batch(
        name: str,
        body: BatchRequest,
        request: Request,
        who: Caller,
        idempotency_key: Annotated[str | None, Header()] = None,
    ) -> Response:
        pack, figures = configured(pack_named(name), body.parameters)
        rows: list[BatchRow] = []
        good: list[tuple[int, Household]] = []
        ids = [h.get("id") if isinstance(h, dict) else None for h in body.households]
        counts = Counter(i for i in ids if isinstance(i, str))  # one pass, not ids.count per row
        shown = shown_text(who)  # ID numbers masked unless the token may reveal them
        for index, raw in enumerate(body.households):
            hid = str(ids[index]) if ids[index] is not None else None
            if isinstance(raw, BadElement):
                rows.append(BatchRow(index=index, household_id=None,
                                     error=_printed(shown, f"households[{index}]: {raw.reason}")))  # fmt: skip
                continue
            if not isinstance(raw, dict):  # a string is not read as JSON text here
                kind = "null" if raw is None else type(raw).__name__
                rows.append(BatchRow(index=index, household_id=None,
                                     error=f"households[{index}]: expected a JSON object (a household), got {kind}"))  # fmt: skip
                continue
            if isinstance(raw_id := ids[index], str) and counts[raw_id] > 1:
                # the engines' error for a repeated id (masked before it is quoted, with its
                # Chinese reason), never the id's repr, whose escapes can hide an ID number
                duplicated = FactError(raw_id, [("id", raw_id, DUPLICATED_HOUSEHOLD)])
                rows.append(BatchRow(index=index, household_id=_shown_id(shown, hid),
                                     error=_printed(shown, str(duplicated))))  # fmt: skip
                continue
            try:
                household = load_household(raw)
                store.check_access(who, household)
            except FactError as exc:
                rows.append(BatchRow(index=index, household_id=_shown_id(shown, hid),
                                     error=_printed(shown, str(exc))))  # fmt: skip
                continue
            except AccessDenied as exc:
                refuse(request, who, exc, hid)
                rows.append(BatchRow(index=index, household_id=_shown_id(shown, hid),
                                     error=_printed(shown, str(exc))))  # fmt: skip
                continue
            good.append((index, household))
        # The engine's rows, by position: the frame has one row per household given, in order
        # (its household_id column is masked, so it cannot key them: two ID numbers may mask alike)
        records: list[dict[str, Any]] = []
        if good:
            frame = pack.identify_frame([h for _, h in good], as_of=body.as_of, engine="vectorized")
            records = json_records(frame)
            if len(records) != len(good):
                raise RuntimeError(f"the batch engine gave {len(records)} rows for {len(good)} households")  # fmt: skip

        def run(s: Any) -> Response:
            out = list(rows)
            for (index, household), record in zip(good, records, strict=True):
                if record.get("error"):
                    out.append(BatchRow(index=index, household_id=_shown_id(shown, household.id),
                                        error=_printed(shown, str(record["error"]))))  # fmt: skip
                    continue
                snapshot = store.submit(s, household, who)
                decision = store.record_batch_row(
                    s, snapshot_id=snapshot, household=household, pack=pack, as_of=body.as_of,
                    row=record, parameters=figures, principal=who, request_key=idempotency_key,
                )  # fmt: skip
                out.append(BatchRow(index=index, household_id=_shown_id(shown, household.id), decision_id=decision,
                                    outcome=record.get("outcome"), row=record))  # fmt: skip
            out.sort(key=lambda r: r.index)
            shown_ids = [r.household_id for r in out if r.household_id is not None]
            if reveals(who, *shown_ids, *(r.error or "" for r in out)):  # each reveal is audited
                store.audit(who.name, "reveal_ids", name, "ok",
                            {"batch_rows": len(out)}, _remote(request), session=s)  # fmt: skip
            store.audit(who.name, "identify.batch", name, "ok",
                        {"rows": len(out), "bad": sum(1 for r in out if r.error)},
                        _remote(request), session=s)  # fmt: skip
            return _json("[" + ",".join(r.model_dump_json() for r in out) + "]")

        return idempotent(request, who, idempotency_key, body, run)

    router.add_api_route(
        "/packs/{name}/identify/batch",
        identify_batch,
        methods=["POST"],
        response_model=list[BatchRow],
        summary="Identify many households (vectorized engine); bad rows are reported per row",
        route_class_override=BatchJSONRoute,
    )

    # -- stored households and decisions -------------------------------------------------------
    @router.get("/households/{household_id}", summary="The latest stored facts of a household")
    def stored_household(household_id: str, request: Request, who: Caller) -> Response:
        try:
            household, version = store.household(who, household_id)
        except AccessDenied as exc:
            refuse(request, who, exc, household_id)
            raise
        if who.reveal_ids:
            store.audit(
                who.name, "reveal_ids", household_id, "ok", {"version": version}, _remote(request)
            )
        text = household.model_dump_json(context={"reveal_ids": True} if who.reveal_ids else None)
        return _json(f'{{"version": {version}, "household": {text}}}')

    @router.get("/decisions/{decision_id}", summary="A stored decision with what it was made on")
    def decision(decision_id: int, request: Request, who: Caller) -> dict[str, Any]:
        try:
            stored = store.decision(who, decision_id)
        except AccessDenied as exc:
            refuse(request, who, exc, str(decision_id))
            raise
        shown = shown_text(who)
        if reveals(who, stored.household_id):  # each reveal is audited
            store.audit(who.name, "reveal_ids", stored.household_id, "ok",
                        {"decision": decision_id}, _remote(request))  # fmt: skip
        return {**_stored_json(stored), "household_id": shown(stored.household_id)}

    @router.post(
        "/decisions/{decision_id}/reevaluate",
        response_model=Reevaluation,
        summary="Re-run a stored decision on its stored facts and show whether it still matches",
    )
    def reevaluate(decision_id: int, request: Request, who: Caller) -> Reevaluation:
        try:
            stored = store.decision(who, decision_id)
        except AccessDenied as exc:
            refuse(request, who, exc, str(decision_id))
            raise
        household = store.snapshot(stored.snapshot_id)
        pack = pack_named(stored.pack)
        if stored.parameters:
            pack = pack.with_parameters(**stored.parameters)
        if stored.kind == "identify":
            now: dict[str, Any] = json.loads(
                pack.identify(household, as_of=stored.as_of).model_dump_json()
            )
        elif stored.kind == "elimination":
            now = json.loads(
                pack.assess_elimination(household, as_of=stored.as_of).model_dump_json()
            )
        else:
            frame = pack.identify_frame([household], as_of=stored.as_of, engine="vectorized")
            now = json_records(frame)[0]
        differences = sorted(
            k for k in set(stored.result) | set(now) if stored.result.get(k) != now.get(k)
        )
        store.audit(who.name, "decision.reevaluate", str(decision_id), "ok",
                    {"same": not differences}, _remote(request))  # fmt: skip
        return Reevaluation(
            decision_id=decision_id,
            same_pack=stored.pack_hash == pack.content_hash,
            same_result=not differences,
            differences=differences,
            stored=stored.result,
            now=now,
        )

    # -- cases, deadlines, worklist ----------------------------------------------------------------
    @router.post(
        "/cases/{household_id}/{pack_name}/events",
        status_code=201,
        response_model=EventRecorded,
        summary="Record a case step",
    )
    async def add_event(
        household_id: str, pack_name: str, body: EventRequest, request: Request, who: Caller
    ) -> Response:
        pack_named(pack_name)
        remote = _remote(request)
        try:
            event_id = await writer.run(lambda s: store.record_event(
                s, who, household_id, pack_name, body.step.value, body.date, body.note, remote
            ))  # fmt: skip
        except AccessDenied as exc:
            await refused(request, who, exc, household_id)
            raise
        return _json(f'{{"event_id": {event_id}}}', 201)

    @router.get("/cases/{household_id}/{pack_name}", response_model=CaseAnswer,
                summary="A case's events, its deadlines on as_of and its procedure problems")  # fmt: skip
    def case(
        household_id: str, pack_name: str, as_of: Day, request: Request, who: Caller
    ) -> CaseAnswer:
        pack = pack_named(pack_name)
        try:
            events = store.case_events(who, household_id, pack_name)
        except AccessDenied as exc:
            refuse(request, who, exc, household_id)
            raise
        record = Case(household_id=household_id,
                      events=tuple(CaseEvent(step=Step(s), date=d, note=n) for s, d, n in events))  # fmt: skip
        shown = shown_text(who)  # the path's id and the notes: ID numbers masked unless revealed
        if reveals(who, household_id, *(e.note or "" for e in record.events)):
            store.audit(who.name, "reveal_ids", household_id, "ok", {"case": pack_name},
                        _remote(request))  # fmt: skip
        # the store keeps one event list per household: a clue after a closure is the next
        # procedure, each timed on its own (timeline.procedures)
        parts = procedures_known_on(record, as_of)
        return CaseAnswer(
            household_id=shown(household_id),
            pack=pack_name,
            events=[_shown_event(shown, e) for e in record.events],
            deadlines=[d for part in parts for d in pack.deadlines(part, as_of=as_of)],
            violations=[
                v.model_dump(mode="json")
                for part in parts
                for v in pack.check_procedure(part, as_of=as_of)
            ],
        )

    @router.get(
        "/worklist/{pack_name}",
        summary="What falls due in the next N working days, in the token's area",
    )
    def due(
        pack_name: str,
        as_of: Day,
        who: Caller,
        horizon: Annotated[int, Query(ge=0, le=60)] = 5,
    ) -> list[dict[str, Any]]:
        pack = pack_named(pack_name)
        cases = [
            part
            for hid, events in store.cases_in_area(who, pack_name)
            for part in procedures_known_on(
                Case(household_id=hid,
                     events=tuple(CaseEvent(step=Step(s), date=d) for s, d in events)),
                as_of,
            )
        ]  # fmt: skip
        frame = worklist(cases, pack, as_of=as_of, horizon=horizon)
        return json_records(frame)

    # -- the hot paths without FastAPI's request handling (fangfan_rules.service.fastpath) ------
    def checked(who: Principal, hashed: str, job: Callable[[Any], T]) -> Callable[[Any], T]:
        """``job`` run only if the token, read in the job's own transaction, is still valid and
        the same: the hot path's principal comes from a process-wide memo of tokens seen."""

        def run(s: Any) -> T:
            if store.principal_in(s, hashed) != who:
                raise StaleToken(who.name)
            return job(s)

        return run

    async def decide_fast(
        request: Request,
        who: Principal,
        hashed: str,
        name: str,
        body: IdentifyRequest,
        key: str | None,
        kind: Literal["identify", "elimination"],
    ) -> tuple[int, str]:
        """:func:`evaluate_one`'s answer (status, JSON text) when all goes well, its rows
        committed; raises on anything else, having written nothing (the caller then answers by
        the FastAPI route, which handles it)."""
        digest = _request_digest(request, body) if key else ""
        household = load_household(body.household)
        store.check_access(who, household)
        result, figures = evaluation(name, body, household, kind)
        write = decision_write(request, who, name, household, result, figures, key, digest, kind)
        # the last step: an error of the job or its commit means nothing of it was kept
        return await writer.run(checked(who, hashed, write))

    async def event_fast(
        request: Request,
        who: Principal,
        hashed: str,
        household_id: str,
        pack_name: str,
        body: EventRequest,
    ) -> tuple[int, str]:
        """:func:`add_event`'s answer (201, JSON text) when all goes well, its rows committed;
        raises on anything else, having written nothing."""
        pack_named(pack_name)
        remote = _remote(request)

        def record(s: Any) -> tuple[int, str]:
            event_id = store.record_event(
                s, who, household_id, pack_name, body.step.value, body.date, body.note, remote
            )
            return 201, f'{{"event_id": {event_id}}}'

        # the last step: an error of the job or its commit means nothing of it was kept
        return await writer.run(checked(who, hashed, record))

    router.hot = HotPaths(  # type: ignore[attr-defined]
        decide=decide_fast, event=event_fast, tokens=KnownTokens(store)
    )
    return router


class StaleToken(Exception):
    """The token of a hot-path write was revoked (or changed) since it was memoised."""


class KnownTokens:
    """The principal of each valid token seen, by the token (a dict look-up: no hash, no SELECT),
    with its sha256 for the write's own check (:meth:`Store.principal_in`, in the transaction
    that stores the request's rows). A token is refused — and its requests answered by the
    FastAPI route, which reads it afresh — as soon as a revocation has been committed."""

    def __init__(self, store: Store, *, maxsize: int = 4096):
        self.store = store
        self.maxsize = maxsize
        self._known: dict[str, tuple[Principal, str]] = {}

    def get(self, token: str) -> tuple[Principal, str] | None:
        """(principal, token hash) of a token valid now or seen valid before; None if not."""
        known = self._known.get(token)
        if known is None:
            found = self.store.authenticate(token)
            if found is None:
                return None
            if len(self._known) >= self.maxsize:
                self._known.clear()
            known = self._known[token] = (found, token_hash(token))
        return known

    def forget(self, token: str) -> None:
        self._known.pop(token, None)


@dataclass(frozen=True)
class HotPaths:
    """What :mod:`fangfan_rules.service.fastpath` calls: the single-household decisions and case
    events without FastAPI's dependency and body handling."""

    #: each gives the answer (status, JSON text) once its rows are committed, and raises having
    #: written nothing otherwise
    decide: Callable[..., Awaitable[tuple[int, str]]]
    event: Callable[..., Awaitable[tuple[int, str]]]
    tokens: KnownTokens


def _dump(result: Identification | Elimination, who: Principal) -> str:
    # ID numbers stay masked unless the token may reveal them (each reveal is audited by the caller).
    return result.model_dump_json(
        context={"reveal_ids": who.reveal_ids} if who.reveal_ids else None
    )


def shown_text(who: Principal) -> Callable[[str], str]:
    """How a text is shown to ``who``: as it is if the token may reveal ID numbers, else with
    every ID number in it masked."""
    return (lambda text: text) if who.reveal_ids else scrub_id_numbers


def reveals(who: Principal, *texts: str) -> bool:
    """Does showing ``texts`` to ``who`` reveal an ID number (the token may, and one is there)?
    Such an answer is audited (issue 16: each reveal is audited)."""
    return who.reveal_ids and any(scrub_id_numbers(text) != text for text in texts)


def _printed(shown: Callable[[str], str], text: str) -> str:
    """``text`` as an answer shows it: ID numbers masked first (unless revealed), then a lone
    surrogate written as its escape — in that order, so an escape's digits never join an ID
    number's and hide it from the mask; and any answer can be written as UTF-8 (a batch row
    that could not be is a batch lost: attack 2026-12-08, findings 2 and 3)."""
    return printable(shown(text))


def _shown_id(shown: Callable[[str], str], hid: str | None) -> str | None:
    return None if hid is None else _printed(shown, hid)


def _shown_event(shown: Callable[[str], str], event: CaseEvent) -> CaseEvent:
    if event.note is None:
        return event
    return event.model_copy(update={"note": shown(event.note)})


def _stored_json(stored: StoredDecision) -> dict[str, Any]:
    return {
        "id": stored.id,
        "kind": stored.kind,
        "household_id": stored.household_id,
        "snapshot_id": stored.snapshot_id,
        "pack": stored.pack,
        "pack_version": stored.pack_version,
        "pack_hash": stored.pack_hash,
        "parameters": stored.parameters,
        "as_of": stored.as_of.isoformat(),
        "outcome": stored.outcome,
        "result": stored.result,
        "decided_by": stored.decided_by,
        "decided_at": stored.decided_at.isoformat(),
    }


def _request_digest(request: Request, body: BaseModel) -> str:
    """What an idempotency key stands for: the path and the request as validated (a number in a
    form the facts refuse is written as it was sent: the request is still remembered as the one
    that was refused)."""
    # keys sorted: the same request re-serialised with its keys in another order is the same
    # one (a client retrying with another JSON library); anything not JSON by its repr
    fields = {name: getattr(body, name) for name in type(body).model_fields}
    try:
        text = json.dumps(fields, sort_keys=True, default=repr, check_circular=False)
    except RecursionError:  # nested as deep as the parser reads: pydantic's writer has no limit
        text = body.model_dump_json(fallback=repr)
    return hashlib.sha256((request.url.path + text).encode("utf-8")).hexdigest()


def _remote(request: Request) -> str | None:
    return request.client.host if request.client else None
