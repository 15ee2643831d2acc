"""A small web page in Chinese for village and town staff (``/ui``): sign in with a token, enter
or upload households, see each answer with its reasons and clauses, follow a case's timeline and
the worklist, print the draft 公示 list. Server-rendered (Jinja2), no build step, no script.

It talks to the same store and packs as the API, under the same rules: the token's area bounds
every household, every answer is kept, ID numbers are masked.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from fangfan_rules.errors import FangfanError
from fangfan_rules.facts import Household, load_household
from fangfan_rules.idnumber import scrub_id_numbers
from fangfan_rules.results import BadRow, Identification
from fangfan_rules.rules.wording import missing_facts_list
from fangfan_rules.service.settings import Settings
from fangfan_rules.store import AccessDenied, Principal, Store
from fangfan_rules.templating import render
from fangfan_rules.timeline import Case, CaseEvent, Step, worklist

COOKIE = "ffr_token"


def _page(template: str, **context: Any) -> HTMLResponse:
    return HTMLResponse(render(template, **context))


def build_web(settings: Settings, store: Store) -> APIRouter:
    web = APIRouter(prefix="/ui", include_in_schema=False)
    pack_named, pack_names = settings.pack, settings.pack_names

    def who(request: Request) -> Principal | None:
        token = request.cookies.get(COOKIE, "")
        return store.authenticate(token) if token else None

    def signed_in(request: Request) -> Principal | Response:
        principal = who(request)
        if principal is None:
            return RedirectResponse("/ui/login", status_code=303)
        return principal

    @web.get("/login")
    def login_form(request: Request, error: str | None = None) -> HTMLResponse:
        return _page("ui_login.html.j2", error=error, principal=None)

    @web.post("/login")
    def login(request: Request, token: Annotated[str, Form()]) -> Response:
        principal = store.authenticate(token.strip())
        remote = request.client.host if request.client else None
        if principal is None:
            store.audit("anonymous", "ui.login", None, "refused", {"why": "invalid token"}, remote)
            return _page(
                "ui_login.html.j2", error="令牌无效或已停用，请联系县级管理员。", principal=None
            )
        store.audit(principal.name, "ui.login", None, "ok", {}, remote)
        response = RedirectResponse("/ui", status_code=303)
        response.set_cookie(COOKIE, token.strip(), httponly=True, samesite="strict")
        return response

    @web.get("/logout")
    def logout() -> Response:
        response = RedirectResponse("/ui/login", status_code=303)
        response.delete_cookie(COOKIE)
        return response

    @web.get("")
    def home(request: Request) -> Response:
        principal = signed_in(request)
        if not isinstance(principal, Principal):
            return principal
        packs = [pack_named(n) for n in pack_names()]
        return _page(
            "ui_home.html.j2",
            principal=principal,
            packs=packs,
            figures={p.name: settings.parameters.get(p.name, {}) for p in packs},
            today=date.today().isoformat(),
        )

    @web.post("/evaluate")
    async def evaluate(
        request: Request,
        pack: Annotated[str, Form()],
        as_of: Annotated[date, Form()],
        parameters: Annotated[str, Form()] = "",
        households: Annotated[str, Form()] = "",
        upload: UploadFile | None = None,
    ) -> Response:
        principal = signed_in(request)
        if not isinstance(principal, Principal):
            return principal
        chosen = pack_named(pack)
        figures = {**settings.parameters.get(pack, {}), **_figures(parameters)}
        configured = chosen.with_parameters(**figures) if figures else chosen
        text = households
        if upload is not None and upload.filename:
            text = (await upload.read()).decode("utf-8-sig", errors="replace")
        rows: list[dict[str, Any]] = []
        good: list[Household] = []
        for line, raw in _records(text):
            if isinstance(raw, _Unreadable):
                rows.append({"line": line, "error": str(raw)})
                continue
            try:
                household = load_household(raw)
                store.check_access(principal, household)
                good.append(household)
            except (FangfanError, ValueError) as exc:
                if isinstance(exc, AccessDenied):
                    store.audit(principal.name, "ui.evaluate", str(raw.get("id") if isinstance(raw, dict) else None),
                                "refused", {"why": str(exc)})  # fmt: skip
                rows.append({"line": line, "error": scrub_id_numbers(str(exc))})
        try:
            results = configured.identify_many(good, as_of=as_of) if good else []
        except FangfanError as exc:
            return _page(
                "ui_error.html.j2", principal=principal, message=scrub_id_numbers(str(exc))
            )
        decisions: list[int] = []
        answered = []
        for household, result in zip(good, results, strict=True):
            if isinstance(result, BadRow):  # e.g. a household id given twice: both are bad rows
                rows.append({"line": result.position + 1, "error": result.error})
            else:
                answered.append((household, result))
        with store.transaction() as s:
            for household, result in answered:
                snapshot = store.submit(s, household, principal)
                decisions.append(
                    store.record_decision(
                        s,
                        kind="identify",
                        snapshot_id=snapshot,
                        result=result,
                        parameters=figures,
                        principal=principal,
                    )
                )
            store.audit(principal.name, "ui.evaluate", pack, "ok",
                        {"households": len(good), "bad": len(rows)}, session=s)  # fmt: skip
        return _page(
            "ui_results.html.j2",
            principal=principal,
            pack=configured,
            as_of=as_of,
            answers=[_answer(r, h, d) for (h, r), d in zip(answered, decisions, strict=True)],
            bad=rows,
            decision_ids=",".join(str(d) for d in decisions),
        )

    @web.post("/publicity")
    def publicity(
        request: Request, decisions: Annotated[str, Form()], place: Annotated[str, Form()] = ""
    ) -> Response:
        from fangfan_rules.publicity import publicity_html, publicity_rows

        principal = signed_in(request)
        if not isinstance(principal, Principal):
            return principal
        results, households = [], []
        for text in decisions.split(","):
            stored = store.decision(principal, int(text))
            results.append(Identification.model_validate(stored.result))
            households.append(store.snapshot(stored.snapshot_id))
        if not results:
            return _page("ui_error.html.j2", principal=principal, message="没有可列入的评估结果。")
        pack = pack_named(results[0].pack)
        return HTMLResponse(
            publicity_html(
                publicity_rows(results, households),
                place=place,
                as_of=results[0].as_of,
                pack_title=pack.document.title,
            )
        )

    @web.get("/cases/{household_id}/{pack_name}")
    def case(
        request: Request, household_id: str, pack_name: str, as_of: date | None = None
    ) -> Response:
        principal = signed_in(request)
        if not isinstance(principal, Principal):
            return principal
        day = as_of or date.today()
        pack = pack_named(pack_name)
        try:
            events = store.case_events(principal, household_id, pack_name)
        except AccessDenied as exc:
            store.audit(principal.name, "ui.case", household_id, "refused", {"why": str(exc)})
            return _page("ui_error.html.j2", principal=principal, message=str(exc))
        record = Case(household_id=household_id,
                      events=tuple(CaseEvent(step=Step(s), date=d, note=n) for s, d, n in events))  # fmt: skip
        return _page(
            "ui_case.html.j2",
            principal=principal,
            household_id=household_id,
            pack=pack,
            as_of=day,
            events=record.events,
            deadlines=pack.deadlines(record, as_of=day),
            violations=pack.check_procedure(record, as_of=day),
            steps=list(Step),
        )

    @web.post("/cases/{household_id}/{pack_name}")
    def add_event(
        request: Request,
        household_id: str,
        pack_name: str,
        step: Annotated[str, Form()],
        day: Annotated[date, Form()],
        note: Annotated[str, Form()] = "",
    ) -> Response:
        principal = signed_in(request)
        if not isinstance(principal, Principal):
            return principal
        pack_named(pack_name)
        try:
            store.add_event(principal, household_id, pack_name, Step(step).value, day, note or None)
        except AccessDenied as exc:
            store.audit(principal.name, "ui.case.event", household_id, "refused", {"why": str(exc)})
            return _page("ui_error.html.j2", principal=principal, message=str(exc))
        return RedirectResponse(
            f"/ui/cases/{household_id}/{pack_name}?as_of={day}", status_code=303
        )

    @web.get("/worklist/{pack_name}")
    def due(
        request: Request, pack_name: str, as_of: date | None = None, horizon: int = 5
    ) -> Response:
        principal = signed_in(request)
        if not isinstance(principal, Principal):
            return principal
        day = as_of or date.today()
        pack = pack_named(pack_name)
        cases = [
            Case(household_id=hid, events=tuple(CaseEvent(step=Step(s), date=d) for s, d in events))
            for hid, events in store.cases_in_area(principal, pack_name)
        ]
        frame = worklist(cases, pack, as_of=day, horizon=max(0, min(horizon, 60)))
        items = json.loads(frame.to_json(orient="records", date_format="iso", force_ascii=False))
        return _page("ui_worklist.html.j2", principal=principal, pack=pack, as_of=day,
                     horizon=horizon, items=items)  # fmt: skip

    return web


def _figures(text: str) -> dict[str, str]:
    """``NAME=VALUE`` per line (blank lines and ``#`` comments ignored)."""
    out = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        name, sep, value = line.partition("=")
        if not sep:
            raise FangfanError(f"参数应写作 名称=数值：{line!r}")
        out[name.strip()] = value.strip()
    return out


class _Unreadable(str):
    """A line that is not a household record (reported as a bad row)."""


def _records(text: str) -> list[tuple[int, Any]]:
    """Households from a JSON array, one JSON object, or JSON Lines; a bad line is a bad row."""
    stripped = text.strip()
    if not stripped:
        return []
    if stripped.startswith("["):
        try:
            items = json.loads(stripped)
        except ValueError as exc:
            return [(1, _Unreadable(f"不是有效的JSON：{exc}"))]
        return list(enumerate(items, start=1))
    out: list[tuple[int, Any]] = []
    for number, line in enumerate(stripped.splitlines(), start=1):
        if line.strip():
            try:
                out.append((number, json.loads(line)))
            except (ValueError, RecursionError) as exc:
                out.append((number, _Unreadable(f"第{number}行不是有效的JSON：{exc}")))
    return out


def _answer(result: Identification, household: Household, decision: int) -> dict[str, Any]:
    return {
        "decision": decision,
        "household_id": scrub_id_numbers(result.household_id),
        "village": household.area.village,
        "outcome": result.outcome.zh,
        "outcome_code": result.outcome.value,
        "category": result.category.zh if result.category else "",
        "reasons": [(r.text_zh, r.citation.split(":", 1)[-1]) for r in result.reasons],
        "review": [p.zh for p in result.review_points],
        # In words for village staff, the line the answer's review point uses (缺少：… /
        # 需由调用方提供：…), shown once: a needs_review answer already carries it as a review point.
        # The machine names stay in the stored result and the API.
        "missing": [line]
        if (line := missing_facts_list(result.missing_facts, "zh"))
        and line not in {p.zh for p in result.review_points}
        else [],
        "groups": [g.label.zh for g in result.key_attention],
        "must_visit": result.must_visit,
        "green_channel": result.green_channel.applies,
        "pack": result.pack,
    }
