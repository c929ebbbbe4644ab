"""A streaming multipart/form-data reader that writes file parts to 0600 temp files.

Why not Starlette's ``request.form()``: it spools large parts to the system temp folder,
outside ``data_dir`` and with default permissions. Here every file part goes to a fresh
``O_EXCL`` 0600 file in a folder under ``data_dir`` while it is hashed and counted; a part
over the limit stops the read with 413 at once. Memory stays bounded by the chunk size plus
small text fields (capped). The caller deletes the temp files (``Form.cleanup``), normally
in a ``finally``.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from app.blobs import BlobStoreUnavailable, private_file
from app.errors import Invalid, PayloadTooLarge, UnsupportedMediaType

HEAD_BYTES = 8192
MAX_FIELD_BYTES = 4096
MAX_FIELDS = 16


@dataclass
class FilePart:
    name: str
    filename: str
    path: Path
    size: int = 0
    sha256: str = ""
    head: bytes = b""


@dataclass
class Form:
    fields: dict[str, str] = field(default_factory=dict)
    files: list[FilePart] = field(default_factory=list)

    def cleanup(self) -> None:
        for f in self.files:
            f.path.unlink(missing_ok=True)

    def files_named(self, name: str) -> list[FilePart]:
        return [f for f in self.files if f.name == name]


class _Reader:
    def __init__(self, folder: Path, max_file_bytes: int, max_files: int) -> None:
        self.folder, self.max_file_bytes, self.max_files = folder, max_file_bytes, max_files
        self.form = Form()
        self._headers: dict[bytes, bytes] = {}
        self._field: bytes = b""
        self._name = ""
        self._buf = bytearray()
        self._fd: int | None = None
        self._part: FilePart | None = None
        self._hash: Any = None

    def callbacks(self) -> dict[str, Any]:
        return {
            "on_part_begin": self._begin, "on_header_field": self._hfield,
            "on_header_value": self._hvalue, "on_header_end": self._hend,
            "on_headers_finished": self._headers_done, "on_part_data": self._data,
            "on_part_end": self._end,
        }

    def _begin(self) -> None:
        self._headers, self._field, self._buf = {}, b"", bytearray()
        self._part, self._fd = None, None

    def _hfield(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def _hvalue(self, data: bytes, start: int, end: int) -> None:
        key = self._field.lower()
        self._headers[key] = self._headers.get(key, b"") + data[start:end]

    def _hend(self) -> None:
        self._field = b""

    def _headers_done(self) -> None:
        _, params = parse_options_header(self._headers.get(b"content-disposition", b""))
        self._name = params.get(b"name", b"").decode("utf-8", "replace")
        if b"filename" not in params:
            return
        if len(self.form.files) >= self.max_files:
            raise Invalid("Too many files in one request.", code="too_many_files")
        path, self._fd = private_file(self.folder)
        self._part = FilePart(self._name, params[b"filename"].decode("utf-8", "replace"), path)
        self.form.files.append(self._part)
        self._hash = hashlib.sha256()

    def _data(self, data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        if self._part is None:
            self._buf += chunk
            if len(self._buf) > MAX_FIELD_BYTES:
                raise Invalid("A form field is too long.", code="field_too_long")
            return
        self._part.size += len(chunk)
        if self._part.size > self.max_file_bytes:
            raise PayloadTooLarge(f"The file exceeds the limit of {self.max_file_bytes} bytes.")
        if len(self._part.head) < HEAD_BYTES:
            self._part.head += chunk[: HEAD_BYTES - len(self._part.head)]
        self._hash.update(chunk)
        assert self._fd is not None
        view = memoryview(chunk)
        while view:
            view = view[os.write(self._fd, view):]

    def _end(self) -> None:
        if self._part is not None:
            self._close()
            self._part.sha256 = self._hash.hexdigest()
            return
        if len(self.form.fields) >= MAX_FIELDS:
            raise Invalid("Too many form fields.", code="too_many_fields")
        try:
            self.form.fields[self._name] = bytes(self._buf).decode("utf-8")
        except UnicodeDecodeError:
            raise Invalid("Form fields must be UTF-8.", code="validation_error") from None

    def _close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


async def read_form(request: Request, folder: Path, *, max_file_bytes: int,
                    max_files: int = 1) -> Form:
    """Read a multipart body into fields and 0600 temp files; raise on any malformation."""
    ctype, params = parse_options_header(request.headers.get("content-type", ""))
    boundary = params.get(b"boundary")
    if ctype != b"multipart/form-data" or not boundary:
        raise UnsupportedMediaType("Send multipart/form-data.", code="multipart_required")
    reader = _Reader(folder, max_file_bytes, max_files)
    try:
        parser = MultipartParser(boundary, reader.callbacks())
        async for chunk in request.stream():
            parser.write(chunk)
        parser.finalize()
    except (PayloadTooLarge, Invalid):
        reader._close()
        reader.form.cleanup()
        raise
    except OSError:
        # The spool's disk is full or failing: the server's fault, not a malformed body.
        reader._close()
        reader.form.cleanup()
        raise BlobStoreUnavailable() from None
    except Exception:  # noqa: BLE001 - any parser error is a malformed body
        reader._close()
        reader.form.cleanup()
        raise Invalid("The multipart body is malformed.", code="malformed_multipart") from None
    reader._close()
    return reader.form


@dataclass
class TextOrForm:
    """A body that is either JSON ``{text}`` or multipart file parts, before any file
    content is parsed (that is CPU work, done off the event loop)."""

    text: str | None = None
    form: Form | None = None

    def cleanup(self) -> None:
        if self.form is not None:
            self.form.cleanup()


async def read_text_or_form(request: Request, folder: Path, *, max_file_bytes: int,
                            max_files: int, text_model: type[BaseModel],
                            what: str) -> TextOrForm:
    """JSON validated by ``text_model`` (a model with a ``text`` field; ``what`` names the
    text in the error), or multipart file parts streamed to ``folder``; anything else is
    415. A NUL in the text is refused here, before it can reach a database."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == "application/json":
        try:
            body = text_model.model_validate(json.loads(await request.body()))
        except (ValueError, ValidationError):
            raise Invalid(f'Send {{"text": "..."}} with {what}.',
                          code="validation_error") from None
        text = str(body.text)
        if "\x00" in text:
            raise Invalid("The text contains a NUL character.", code="validation_error")
        return TextOrForm(text=text)
    if ctype != "multipart/form-data":
        raise UnsupportedMediaType("Send JSON {text} or multipart file parts.")
    form = await read_form(request, folder, max_file_bytes=max_file_bytes, max_files=max_files)
    return TextOrForm(form=form)
