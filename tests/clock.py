"""The services' clock, moved by a test: every use case reads ``svc.now()``, so a test that
sets this clock sees deadlines, expiries and reminders as they fall at that moment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class Clock:
    def __init__(self, app, start: datetime | None = None) -> None:  # noqa: ANN001
        self.now = start or datetime.now(UTC)
        app.state.services.clock = lambda: self.now

    def set(self, value: datetime) -> None:
        self.now = value

    def advance(self, seconds: float = 0.0, **delta: float) -> None:
        self.now += timedelta(seconds=seconds, **delta)
