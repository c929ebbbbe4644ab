"""The SMTP transport keeps one connection for a batch and opens a new one when the server
has dropped the kept connection; failures come back as codes."""

from __future__ import annotations

import socket
import uuid
from email.message import EmailMessage

import pytest

from app.config import Settings
from app.notifications.transport import DeliveryFailed, Smtp
from tests.mailserver import smtp_server


def _smtp(port: int) -> Smtp:
    return Smtp(Settings(smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False))  # type: ignore[call-arg]


def _message(n: int) -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "a@example.org", "b@example.org", f"n{n}"
    msg.set_content("x\n")
    return msg


def test_a_batch_shares_one_connection_and_mails_alone_each_get_one(inbox):
    smtp = _smtp(inbox.port)
    with smtp.batch():
        for n in range(5):
            smtp.send(uuid.uuid4(), _message(n))
    assert (len(inbox.received), inbox.greetings) == (5, 1)
    smtp.send(uuid.uuid4(), _message(5))
    smtp.send(uuid.uuid4(), _message(6))
    assert (len(inbox.received), inbox.greetings) == (7, 3)


def test_a_dropped_connection_is_opened_again_for_the_next_mail(inbox):
    smtp = _smtp(inbox.port)
    with smtp.batch():
        smtp.send(uuid.uuid4(), _message(0))
        assert smtp._connection is not None and smtp._connection.sock is not None
        smtp._connection.sock.shutdown(socket.SHUT_RDWR)  # as a server that timed it out
        smtp.send(uuid.uuid4(), _message(1))
    assert [str(r.message["Subject"]) for r in inbox.received] == ["n0", "n1"]
    assert inbox.greetings == 2


def test_no_server_is_a_temporary_failure_with_a_code():
    with smtp_server() as gone:
        port = gone.port
    with pytest.raises(DeliveryFailed) as failed:
        _smtp(port).send(uuid.uuid4(), _message(0))
    assert (failed.value.code, failed.value.permanent) == ("smtp_unavailable", False)
