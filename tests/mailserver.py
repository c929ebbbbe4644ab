"""A real SMTP server for the tests (aiosmtpd on a free loopback port).

It keeps every accepted message with its envelope, refuses chosen recipients with a chosen
code, and lets a test hold a message at DATA (``hold``) to stop a worker mid-batch."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class Received:
    to: list[str]
    message: EmailMessage

    @property
    def text(self) -> str:
        """Every header and every part, decoded: what a leak check must search."""
        parts = [f"{k}: {v}" for k, v in self.message.items()]
        for part in self.message.walk():
            if not part.is_multipart():
                parts.append(part.get_content())
        return "\n".join(parts)


@dataclass
class Inbox:
    received: list[Received] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)  # address -> "550 No such user"
    # Called at DATA before accepting; returns a reply to refuse the message, or None.
    hold: Callable[[list[str]], str | None] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    port: int = 0
    greetings: int = 0  # EHLO/HELO seen: one per connection

    async def handle_EHLO(self, server: Any, session: Any, envelope: Any, hostname: str,  # noqa: N802
                          responses: list[str]) -> list[str]:
        self.greetings += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,  # noqa: N802
                          rcpt_options: list[str]) -> str:
        reply = self.refuse.get(address)
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.hold is not None and (reply := self.hold(list(envelope.rcpt_tos))):
            return reply
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.received.append(Received(list(envelope.rcpt_tos), message))  # type: ignore[arg-type]
        return "250 Message accepted"

    def to(self, address: str) -> list[Received]:
        with self.lock:
            return [r for r in self.received if address in r.to]

    def addresses(self) -> list[str]:
        with self.lock:
            return sorted(a for r in self.received for a in r.to)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def smtp_server() -> Iterator[Inbox]:
    inbox = Inbox()
    inbox.port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()
