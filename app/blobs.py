"""Where ciphertext blobs of a case live on disk (documents write there)."""

from __future__ import annotations

import uuid
from pathlib import Path

from app.config import Settings


def case_blob_dir(settings: Settings, case_id: uuid.UUID) -> Path:
    return settings.data_dir / "blobs" / str(case_id)
