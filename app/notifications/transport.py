"""Handing a mail over: to an SMTP server, or to a folder of ``.eml`` files.

A transport either hands the message over or raises ``DeliveryFailed`` with a code and
whether trying again can help. Codes, never the server's reply: a reply can quote an
address or a header. STARTTLS verifies the server's certificate (the system's trust
store); credentials are sent only after it, when it is on.
"""

from __future__ import annotations

import smtplib
import ssl
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from app.config import Settings
from app.keyfiles import ensure_data_dir, write_secret_file

OUTBOX_DIR = "outbox"


class DeliveryFailed(Exception):
    def __init__(self, code: str, *, permanent: bool) -> None:
        super().__init__(code)
        self.code = code
        self.permanent = permanent


class Transport(Protocol):
    def send(self, mail_id: uuid.UUID, message: EmailMessage) -> None: ...

    def batch(self) -> AbstractContextManager[None]:
        """Mails sent inside share what can be shared (one SMTP connection)."""
        ...


class EmlFolder:
    """The embedded default: ``DATA_DIR/outbox/<mail id>.eml``, 0600, written once (a mail
    handed over again after a crash finds its file and leaves it as it is)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, mail_id: uuid.UUID, message: EmailMessage) -> None:
        ensure_data_dir(self.folder)
        write_secret_file(self.folder / f"{mail_id}.eml", bytes(message))

    def batch(self) -> AbstractContextManager[None]:
        return nullcontext()


class Smtp:
    def __init__(self, settings: Settings) -> None:
        assert settings.smtp_host is not None
        self.host, self.port = settings.smtp_host, settings.smtp_port
        self.starttls, self.timeout = settings.smtp_starttls, settings.smtp_timeout_seconds
        self.username = settings.smtp_username
        self.password = (settings.smtp_password.get_secret_value()
                         if settings.smtp_password is not None else None)
        self._connection: smtplib.SMTP | None = None
        self._held = False

    def batch(self) -> AbstractContextManager[None]:
        return self._batch()

    @contextmanager
    def _batch(self) -> Iterator[None]:
        """One connection for the mails of a batch, opened for the first and closed after
        the last (servers limit idle connections; batches are short)."""
        self._held = True
        try:
            yield
        finally:
            self._held = False
            self._close()

    def send(self, mail_id: uuid.UUID, message: EmailMessage) -> None:
        try:
            reused = self._connection is not None
            try:
                _mapped(lambda: self._connected().send_message(message))
            except smtplib.SMTPServerDisconnected:
                if not reused:
                    raise DeliveryFailed("smtp_unavailable", permanent=False) from None
                self._close()  # the server dropped a kept connection: once more, afresh
                _mapped(lambda: self._connected().send_message(message))
        except BaseException:
            self._close()  # after any failure, start the next mail on a new connection
            raise
        finally:
            if not self._held:
                self._close()

    def _connected(self) -> smtplib.SMTP:
        if self._connection is None:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            try:
                if self.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.username:
                    smtp.login(self.username, self.password or "")
            except BaseException:
                smtp.close()
                raise
            self._connection = smtp
        return self._connection

    def _close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                connection.quit()
            except (smtplib.SMTPException, OSError):
                connection.close()


def _mapped(step: Callable[[], object]) -> None:
    """Run an SMTP step; a failure becomes ``DeliveryFailed`` with a code, except a
    dropped connection, which the caller may retry."""
    try:
        step()
    except smtplib.SMTPServerDisconnected:
        raise
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        raise DeliveryFailed("smtp_recipient_refused",
                             permanent=all(c >= 500 for c in codes)) from None
    except smtplib.SMTPAuthenticationError:
        raise DeliveryFailed("smtp_authentication_failed", permanent=False) from None
    except smtplib.SMTPResponseException as exc:
        raise DeliveryFailed("smtp_refused", permanent=exc.smtp_code >= 500) from None
    except (smtplib.SMTPException, OSError):
        raise DeliveryFailed("smtp_unavailable", permanent=False) from None


def transport_from_settings(settings: Settings) -> Transport:
    if settings.smtp_host:
        return Smtp(settings)
    return EmlFolder(settings.data_dir / OUTBOX_DIR)
