"""A small web page in Chinese for village and town staff (``/ui``): sign in with a token, enter
or upload households, see each answer with its reasons and clauses, follow a case's timeline and
the worklist, print the draft 公示 list. Server-rendered (Jinja2), no build step, no script.

It talks to the same store and packs as the API, under the same rules: the token's area bounds
every household, every answer is kept, ID numbers are masked.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from fangfan_rules.errors import FangfanError
from fangfan_rules.facts import Household
from fangfan_rules.facts.forms import check_text, iso_date, shown
from fangfan_rules.idnumber import scrub_id_numbers
from fangfan_rules.io.sheets import SpreadsheetError
from fangfan_rules.messages_zh import reason_zh
from fangfan_rules.results import BadRow, Identification
from fangfan_rules.rules.wording import missing_facts_list
from fangfan_rules.service.api import reveals, shown_text
from fangfan_rules.service.frames import json_records
from fangfan_rules.service.settings import Settings
from fangfan_rules.service.uploads import UploadedRow, is_spreadsheet, json_rows, spreadsheet_rows
from fangfan_rules.store import AccessDenied, Principal, Store
from fangfan_rules.templating import render
from fangfan_rules.timeline import Case, CaseEvent, Step, procedures_known_on, worklist

COOKIE = "ffr_token"


def _page(template: str, **context: Any) -> HTMLResponse:
    return HTMLResponse(render(template, **context))


class FormError(ValueError):
    """A form field the page cannot use: shown on the error page, naming field and value."""

    def __init__(self, field: str, value: str, why: str) -> None:
        super().__init__(f"{field}：{scrub_id_numbers(shown(value))}（{why}）")


def _form_day(field: str, text: str) -> date:
    """A date typed in a form: ``YYYY-MM-DD`` only (no epoch seconds, no time)."""
    try:
        return iso_date(text)
    except ValueError:
        raise FormError(field, text, "日期应写作 YYYY-MM-DD") from None


def _form_step(text: str) -> Step:
    try:
        return Step(text)
    except ValueError:
        raise FormError("step", text, "不是已知的步骤") from None


def _form_note(text: str) -> str | None:
    """A case event's note: free text as the facts' Text (no control characters but tab and
    line breaks, no lone surrogates); empty is none."""
    if not text:
        return None
    try:
        return check_text(text)
    except ValueError as exc:
        raise FormError("note", text, str(exc)) from None


def _error_page(principal: Principal, exc: Exception) -> HTMLResponse:
    return HTMLResponse(
        render("ui_error.html.j2", principal=principal, message=scrub_id_numbers(str(exc))),
        status_code=422,
    )


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
        as_of: Annotated[str, Form()],
        parameters: Annotated[str, Form()] = "",
        households: Annotated[str, Form()] = "",
        income_period: Annotated[str, Form()] = "",
        upload: UploadFile | None = None,
    ) -> Response:
        principal = signed_in(request)
        if not isinstance(principal, Principal):
            return principal
        try:
            day = _form_day("as_of", as_of)
            chosen = pack_named(pack)
            figures = {**settings.parameters.get(pack, {}), **_figures(parameters)}
            configured = chosen.with_parameters(**figures) if figures else chosen
        except (FangfanError, ValueError) as exc:
            return _error_page(principal, exc)
        try:
            read = await _uploaded(households, upload, income_period)
        except (FangfanError, ValueError) as exc:
            return _error_page(principal, exc)
        rows: list[dict[str, Any]] = []
        good: list[Household] = []
        wheres: list[str] = []  # of each household in ``good``: its place in the file
        for item in read:
            if item.household is None:
                rows.append({"where": item.where, "error": item.error})
                continue
            try:
                store.check_access(principal, item.household)
                good.append(item.household)
                wheres.append(item.where)
            except AccessDenied as exc:
                store.audit(
                    principal.name, "ui.evaluate", item.household.id, "refused", {"why": str(exc)}
                )
                rows.append({"where": item.where, "error": reason_zh(scrub_id_numbers(str(exc)))})
        try:
            results = configured.identify_many(good, as_of=day) if good else []
        except FangfanError as exc:
            return _page(
                "ui_error.html.j2", principal=principal, message=scrub_id_numbers(str(exc))
            )
        decisions: list[int] = []
        answered = []
        for household, result in zip(good, results, strict=True):
            if isinstance(result, BadRow):  # e.g. a household id given twice: both are bad rows
                rows.append({"where": wheres[result.position], "error": reason_zh(result.error)})
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
            as_of=day,
            answers=[_answer(r, h, d) for (h, r), d in zip(answered, decisions, strict=True)],
            bad=rows,
            decision_ids=",".join(str(d) for d in decisions),
        )

    @web.post("/publicity")
    def publicity(
        request: Request, decisions: Annotated[str, Form()] = "", place: Annotated[str, Form()] = ""
    ) -> Response:
        from fangfan_rules.publicity import publicity_html, publicity_rows

        principal = signed_in(request)
        if not isinstance(principal, Principal):
            return principal
        results, households = [], []
        try:
            for text in decisions.split(",") if decisions.strip() else []:
                stored = _stored_identification(store, principal, text)
                results.append(Identification.model_validate(stored.result))
                households.append(store.snapshot(stored.snapshot_id))
        except (FangfanError, ValueError) as exc:
            return _error_page(principal, exc)
        if not results:
            return _page("ui_error.html.j2", principal=principal, message="没有可列入的评估结果。")
        # one list is one pack on one day: decisions of another pack or day are not printed
        # under the first one's heading
        heads = sorted({(r.pack, r.as_of.isoformat()) for r in results})
        if len(heads) > 1:
            return _error_page(principal, ValueError(
                "所选评估结果属于不同的政策包或评估日，请分别打印公示名单：" + "；".join(f"{p} {d}" for p, d in heads)
            ))  # fmt: skip
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
        request: Request, household_id: str, pack_name: str, as_of: str | None = None
    ) -> Response:
        principal = signed_in(request)
        if not isinstance(principal, Principal):
            return principal
        return case_page(principal, household_id, pack_name, as_of)

    # The results page and the worklist link a case by a handle the store resolves (a decision's
    # number, a case's number), never by the household id: the page shows that id masked when it
    # is an ID number, and a link to the masked id is dead — or opens the case of another
    # household whose id masks alike (attack 2026-12-08, finding 11).
    @web.get("/decisions/{decision_id}/case")
    def decision_case(request: Request, decision_id: int, as_of: str | None = None) -> Response:
        return handled_case(request, "ui.case", decision_id, decided_case,
                            lambda who, hid, pack: case_page(who, hid, pack, as_of))  # fmt: skip

    @web.post("/decisions/{decision_id}/case")
    def decision_case_event(
        request: Request,
        decision_id: int,
        step: Annotated[str, Form()],
        day: Annotated[str, Form()],
        note: Annotated[str, Form()] = "",
    ) -> Response:
        return handled_case(
            request, "ui.case.event", decision_id, decided_case,
            lambda who, hid, pack: event_added(who, hid, pack, step, day, note,
                                               f"/ui/decisions/{decision_id}/case"),
        )  # fmt: skip

    @web.get("/case/{case_id}")
    def numbered_case(request: Request, case_id: int, as_of: str | None = None) -> Response:
        return handled_case(request, "ui.case", case_id, store.case_of,
                            lambda who, hid, pack: case_page(who, hid, pack, as_of))  # fmt: skip

    @web.post("/case/{case_id}")
    def numbered_case_event(
        request: Request,
        case_id: int,
        step: Annotated[str, Form()],
        day: Annotated[str, Form()],
        note: Annotated[str, Form()] = "",
    ) -> Response:
        return handled_case(
            request, "ui.case.event", case_id, store.case_of,
            lambda who, hid, pack: event_added(who, hid, pack, step, day, note,
                                               f"/ui/case/{case_id}"),
        )  # fmt: skip

    def handled_case(
        request: Request,
        action: str,
        handle: int,
        resolve: Callable[[Principal, int], tuple[str, str]],
        then: Callable[[Principal, str, str], Response],
    ) -> Response:
        """A case page or step reached by a handle (``resolve``: a decision's or a case's number
        to its household and pack, the token's area checked), then ``then``; a refused or
        unknown handle is the error page."""
        principal = signed_in(request)
        if not isinstance(principal, Principal):
            return principal
        try:
            household_id, pack_name = resolve(principal, handle)
        except AccessDenied as exc:
            return refused_page(principal, action, str(handle), exc)
        except FangfanError as exc:
            return _error_page(principal, exc)
        return then(principal, household_id, pack_name)

    def decided_case(principal: Principal, decision_id: int) -> tuple[str, str]:
        stored = store.decision(principal, decision_id)  # the token's area is checked
        return stored.household_id, stored.pack

    def refused_page(
        principal: Principal, action: str, target: str, exc: AccessDenied
    ) -> HTMLResponse:
        store.audit(principal.name, action, target, "refused", {"why": str(exc)})
        return _page("ui_error.html.j2", principal=principal, message=str(exc))

    def case_page(
        principal: Principal, household_id: str, pack_name: str, as_of: str | None
    ) -> Response:
        try:
            day = _form_day("as_of", as_of) if as_of is not None else date.today()
        except FormError as exc:
            return _error_page(principal, exc)
        pack = pack_named(pack_name)
        try:
            events = store.case_events(principal, household_id, pack_name)
        except AccessDenied as exc:
            store.audit(principal.name, "ui.case", household_id, "refused", {"why": str(exc)})
            return _page("ui_error.html.j2", principal=principal, message=str(exc))
        record = Case(household_id=household_id,
                      events=tuple(CaseEvent(step=Step(s), date=d, note=n) for s, d, n in events))  # fmt: skip
        # the household id and the notes: ID numbers masked unless the token may reveal them
        show = shown_text(principal)
        if reveals(principal, household_id, *(e.note or "" for e in record.events)):
            store.audit(principal.name, "reveal_ids", household_id, "ok", {"ui.case": pack_name})
        return _page(
            "ui_case.html.j2",
            principal=principal,
            household_id=show(household_id),
            pack=pack,
            as_of=day,
            events=[
                e.model_copy(update={"note": show(e.note)}) if e.note else e for e in record.events
            ],
            # one event list per household: each procedure timed on its own (timeline.procedures)
            deadlines=[
                d
                for part in procedures_known_on(record, day)
                for d in pack.deadlines(part, as_of=day)
            ],
            violations=[
                v
                for part in procedures_known_on(record, day)
                for v in pack.check_procedure(part, as_of=day)
            ],
            steps=list(Step),
        )

    @web.post("/cases/{household_id}/{pack_name}")
    def add_event(
        request: Request,
        household_id: str,
        pack_name: str,
        step: Annotated[str, Form()],
        day: Annotated[str, Form()],
        note: Annotated[str, Form()] = "",
    ) -> Response:
        principal = signed_in(request)
        if not isinstance(principal, Principal):
            return principal
        return event_added(principal, household_id, pack_name, step, day, note,
                           f"/ui/cases/{household_id}/{pack_name}")  # fmt: skip

    def event_added(
        principal: Principal,
        household_id: str,
        pack_name: str,
        step: str,
        day: str,
        note: str,
        page: str,
    ) -> Response:
        try:
            pack_named(pack_name)
            chosen, on, text = _form_step(step), _form_day("day", day), _form_note(note)
        except (FangfanError, ValueError) as exc:
            return _error_page(principal, exc)
        try:
            store.add_event(principal, household_id, pack_name, chosen.value, on, text)
        except AccessDenied as exc:
            store.audit(principal.name, "ui.case.event", household_id, "refused", {"why": str(exc)})
            return _page("ui_error.html.j2", principal=principal, message=str(exc))
        return RedirectResponse(f"{page}?as_of={on.isoformat()}", status_code=303)

    @web.get("/worklist/{pack_name}")
    def due(
        request: Request, pack_name: str, as_of: str | None = None, horizon: int = 5
    ) -> Response:
        principal = signed_in(request)
        if not isinstance(principal, Principal):
            return principal
        try:
            day = _form_day("as_of", as_of) if as_of is not None else date.today()
        except FormError as exc:
            return _error_page(principal, exc)
        pack = pack_named(pack_name)
        # Each case goes into the worklist under a label that sorts as its masked id does; the
        # label then gives the row its masked id and its link, the case's number (a masked id
        # cannot be linked: finding 11 of the attack of 2026-12-08).
        numbered = sorted(
            (scrub_id_numbers(hid), hid, number, events)
            for number, hid, events in store.numbered_cases_in_area(principal, pack_name)
        )
        labels = {f"{rank:012d}": (shown_id, number)
                  for rank, (shown_id, _, number, _) in enumerate(numbered)}  # fmt: skip
        cases = [
            part
            for rank, label in enumerate(labels)
            for part in procedures_known_on(
                Case(household_id=label,
                     events=tuple(CaseEvent(step=Step(s), date=d) for s, d in numbered[rank][3])),
                day,
            )
        ]  # fmt: skip
        frame = worklist(cases, pack, as_of=day, horizon=max(0, min(horizon, 60)))
        items = json_records(frame)
        for item in items:
            item["household_id"], item["case"] = labels[item["household_id"]]
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
        if name.strip() in out:  # the same figure twice: refused, not the last one silently
            raise FangfanError(f"参数 {name.strip()!r} 写了两次")
        out[name.strip()] = value.strip()
    return out


def _stored_identification(store: Store, principal: Principal, text: str) -> Any:
    """The stored single-household identification a publicity form names (its number)."""
    number = text.strip()
    if not number.isascii() or not number.isdigit():
        raise FormError("decisions", text, "应为评估结果编号")
    stored = store.decision(principal, int(number))
    if stored.kind != "identify":
        raise FormError(
            "decisions",
            text,
            f"该结果是{stored.kind}，不能列入公示名单（批量结果请在系统中逐户评估）",
        )
    return stored


async def _uploaded(typed: str, upload: UploadFile | None, income_period: str) -> list[UploadedRow]:
    """The households of the form: the uploaded file if there is one (a spreadsheet by its
    name's ending, read off the event loop; otherwise JSON), else the typed JSON. A spreadsheet
    that cannot be read at all raises :class:`SheetUnreadable`."""
    if upload is None or not upload.filename:
        return json_rows(typed.encode("utf-8", "surrogatepass"))
    data = await upload.read()  # bytes: what is not UTF-8 is a bad row saying so
    if not is_spreadsheet(upload.filename):
        return json_rows(data)
    period = _form_period("income_period", income_period) if income_period.strip() else None
    try:
        return await run_in_threadpool(spreadsheet_rows, upload.filename, data, period)
    except SpreadsheetError as exc:
        raise SheetUnreadable(str(exc), period_given=period is not None) from None


class SheetUnreadable(ValueError):
    """An uploaded spreadsheet that cannot be read at all: what the reader said, in a Chinese
    sentence, with the 收入周期 hint when none was given."""

    def __init__(self, detail: str, *, period_given: bool) -> None:
        hint = (
            ""
            if period_given
            else "表格含收入列时，请填写“收入周期”（如 2022-05-01..2023-04-30）。"
        )
        super().__init__(f"表格无法读取：{scrub_id_numbers(detail)}。{hint}")


def _form_period(field: str, text: str) -> tuple[date, date]:
    """A period typed in a form: ``YYYY-MM-DD..YYYY-MM-DD``, its end not before its start."""
    start, sep, end = text.strip().partition("..")
    if not sep:
        raise FormError(field, text, "应写作 开始日期..结束日期，如 2022-05-01..2023-04-30")
    first, last = _form_day(field, start.strip()), _form_day(field, end.strip())
    if last < first:
        raise FormError(field, text, "结束日期早于开始日期")
    return first, last


def _answer(result: Identification, household: Household, decision: int) -> dict[str, Any]:
    return {
        "decision": decision,
        "household_id": scrub_id_numbers(result.household_id),
        "village": scrub_id_numbers(household.area.village),  # masked like the id beside it
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
