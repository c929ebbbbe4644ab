"""create_app(): routers, the one error handler, middleware. ``app`` is importable by any
ASGI server (``uvicorn app.main:app``)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app.audit.publisher import WitnessPublisher
from app.audit.router import router as audit_router
from app.audit.sequencer import Sequencer
from app.audit.witnesses import configured_witnesses
from app.auth.account_cache import build_account_cache
from app.auth.router import router as auth_router
from app.auth.router import users_router
from app.cases.router import router as cases_router
from app.ccp998.router import router as ccp998_router
from app.config import Settings, get_settings
from app.db import make_engine, make_sessionmaker
from app.deadlines.router import router as deadlines_router
from app.documents.inspection import POOL as INSPECTION_WORKERS
from app.documents.router import router as documents_router
from app.documents.tracing.router import router as traces_router
from app.ene import service as ene_service
from app.ene.router import router as ene_router
from app.errors import install_error_handlers
from app.middleware import RequestsInFlight, ServiceMiddleware
from app.notifications.router import router as notifications_router
from app.notifications.worker import DeliveryWorker
from app.observability import configure_logging
from app.offers import service as offers_service
from app.offers.router import router as offers_router
from app.ops import router as ops_router
from app.protective_orders.router import router as protective_orders_router
from app.routing import deferred_openapi, mount
from app.rule68 import service as rule68_service
from app.rule68.router import router as rule68_router
from app.runtime import build_services
from app.seats.router import router as seats_router
from app.web import router as web

# Domains whose deadlines have reminders, fired by the delivery worker.
REMINDER_SOURCES = (offers_service.fire_reminders, rule68_service.fire_reminders,
                    ene_service.fire_reminders)


def configure(app: FastAPI, settings: Settings) -> None:
    """Bind ``app`` to ``settings``: database, keys, services. Routes are built once per app
    (building them is the costly part), so tests re-configure one app for each test."""
    settings.check_production()
    previous_sequencer = getattr(app.state, "sequencer", None)
    if previous_sequencer is not None:
        previous_sequencer.stop()
    for worker in ("mailer", "publisher"):
        previous_worker = getattr(app.state, worker, None)
        if previous_worker is not None:
            previous_worker.stop()
    previous_accounts = getattr(app.state, "accounts", None)
    if previous_accounts is not None:
        previous_accounts.stop()
    previous = getattr(app.state, "engine", None)
    if previous is not None:
        previous.dispose()
    app.state.settings = settings
    app.state.engine = make_engine(settings.resolved_database_url)
    app.state.services = build_services(settings)
    app.state.sessionmaker = make_sessionmaker(app.state.engine)
    app.state.accounts = build_account_cache(app.state.engine,
                                             max_size=settings.account_cache_size,
                                             ttl_seconds=settings.account_cache_seconds)
    app.state.accounts.attach(app.state.sessionmaker)
    app.state.sequencer = Sequencer(app.state.sessionmaker, app.state.services.log_signer,
                                    on_commit=settings.audit_sequencing == "on_commit")
    app.state.mailer = DeliveryWorker(app.state.sessionmaker, settings,
                                      clock=app.state.services.now,
                                      reminder_sources=REMINDER_SOURCES,
                                      secret=app.state.services.hmac_key,
                                      requests=getattr(app.state, "in_flight", None))
    app.state.publisher = WitnessPublisher(
        app.state.sessionmaker, configured_witnesses(settings),
        poll_seconds=settings.witness_poll_seconds,
        timeout_seconds=settings.witness_timeout_seconds)
    app.state.readiness_checks = {"blob_store": app.state.services.blob_store_problem,
                                  "key_store": app.state.services.key_store_problem}


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """The audit sequencer runs while the app serves (``configure`` may swap it); the
    inspection workers (started on first upload) stop when the last app stops. The
    account cache's listener (PostgreSQL) runs while the app serves; until it has
    subscribed, the cache is bypassed."""
    app.state.accounts.start()
    app.state.sequencer.start()
    app.state.publisher.start()
    if app.state.settings.worker == "internal":
        app.state.mailer.start()
    INSPECTION_WORKERS.hold()
    try:
        yield
    finally:
        app.state.accounts.stop()
        app.state.sequencer.stop()
        app.state.publisher.stop()
        app.state.mailer.stop()
        await asyncio.to_thread(INSPECTION_WORKERS.release)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    settings.check_production()
    app = FastAPI(
        # FastAPI's own OpenTelemetry stays off, whatever the process's global providers:
        # it records validation failures with their input and exceptions with their text,
        # either of which may quote confidential content, and it asked for the providers
        # on every request. Telemetry is ``app.observability``'s (labels without content).
        telemetry={"tracing": False, "metrics": False, "logs": False,
                   "operation_spans": False, "auto_configure": False},
        lifespan=_lifespan,
        title="settleroom",
        version="1.0.0",
        description="Encrypted per-case rooms for settlement offers, Rule 68 offers of "
        "judgment, Early Neutral Evaluation and traceable documents.",
    )
    app.state.in_flight = RequestsInFlight()  # before ``configure``: its mailer yields to it
    configure(app, settings)

    for router in (auth_router, users_router, cases_router, audit_router, ene_router,
                   offers_router, rule68_router, deadlines_router, documents_router,
                   traces_router, notifications_router, seats_router,
                   protective_orders_router, ccp998_router, ops_router):
        mount(app, router)
    web.install(app)
    install_error_handlers(app)
    app.add_middleware(ServiceMiddleware)  # the only one: ids, limits, headers (its docstring)
    deferred_openapi(app)
    configure_logging(settings.log_format)
    return app


def __getattr__(name: str) -> FastAPI:
    # ``app.main:app`` builds the app on first access, so importing this module for
    # create_app (tests, the CLI) does not read the environment or touch the data dir.
    if name == "app":
        application = create_app()
        globals()["app"] = application
        return application
    raise AttributeError(name)
