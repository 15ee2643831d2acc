"""The FastAPI application: ``create_app(settings)`` wires the store, the API, the problem
documents and the web page; ``fangfan-rules serve`` runs it under uvicorn."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import RedirectResponse

from fangfan_rules.service import problems
from fangfan_rules.service.api import build_router
from fangfan_rules.service.fastpath import FastPath
from fangfan_rules.service.settings import Settings
from fangfan_rules.service.web import build_web
from fangfan_rules.store import Store

DESCRIPTION = """fangfan-rules as a service for a county office: identify and assess elimination
under a policy pack, with reasons and clauses; keep every decision with the facts and the pack it
was made on; case timelines and what falls due; access limited to each token's area. Errors are RFC
9457 problem documents; ID numbers are masked unless the token may reveal them."""


def create_app(
    settings: Settings | None = None, *, store: Store | None = None, fast_path: bool = True
) -> FastAPI:
    """The app; ``fast_path``: the single-household calls and case events answered by
    :mod:`fangfan_rules.service.fastpath` (False: every request by FastAPI's routes, as the
    tests compare)."""
    settings = settings or Settings()
    store = store or Store(settings.database)
    app = FastAPI(title="fangfan-rules", description=DESCRIPTION, version="0.1.0")
    app.state.store = store
    app.state.settings = settings
    problems.install(app)
    router = build_router(settings, store)
    app.include_router(router)
    if fast_path:
        app.add_middleware(FastPath, hot=router.hot)  # type: ignore[attr-defined]
    app.include_router(build_web(settings, store))

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/ui")

    return app
