"""One download's page bodies for a whole document in a few numpy calls.

Every page template (see pdftemplate.PageTemplate) is laid out once per original as a
"superset" buffer: fixed chunks once, and for each hook its alternatives side by side.
A download selects one alternative per hook; the body bytes are the superset compressed through
a byte mask (fixed chunks always kept), so the cost is a few passes over ~30 KB per page instead
of a Python-level join over thousands of fragments.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .pdftemplate import PageTemplate

PAGE_OPEN = b"q\n"
PAGE_CLOSE = b"Q\n"


@dataclass(frozen=True)
class DocFill:
    superset: npt.NDArray[np.uint8]
    sublens: npt.NDArray[np.int32]  # bytes per sub-chunk
    keys: npt.NDArray[np.int32]  # choice index deciding each sub-chunk (-1: the fixed 0)
    wants: npt.NDArray[np.uint8]  # the sub-chunk is kept when choice[key] == want
    page_starts: npt.NDArray[np.int64]  # first sub-chunk of each page


def build_fill(pages: Sequence[PageTemplate]) -> DocFill:
    subs: list[bytes] = []
    keys: list[int] = []
    wants: list[int] = []
    page_starts: list[int] = []

    def add(data: bytes, key: int, want: int) -> None:
        if key < 0 and keys and keys[-1] < 0:
            subs[-1] += data  # merge runs of fixed bytes
            return
        subs.append(data)
        keys.append(key)
        wants.append(want)

    for pt in pages:
        page_starts.append(len(subs))
        subs.append(PAGE_OPEN)
        keys.append(-1)
        wants.append(0)
        for data, key, want in pt.subs:
            add(data, key, want)
        add(PAGE_CLOSE, -1, 0)
    return DocFill(
        superset=np.frombuffer(b"".join(subs), dtype=np.uint8),
        sublens=np.fromiter(map(len, subs), dtype=np.int32, count=len(subs)),
        keys=np.array(keys, dtype=np.int32),
        wants=np.array(wants, dtype=np.uint8),
        page_starts=np.array(page_starts, dtype=np.int64),
    )


def fill_bodies(df: DocFill, choice: npt.NDArray[np.uint8]) -> list[memoryview]:
    """Each page's content for one download; `choice` holds one value per hook key (see
    PageTemplate.index: text bits, geometry bits, line symbols, the line flag)."""
    ext = np.append(choice, np.uint8(0))  # key -1 reads this fixed 0
    flags = ext[df.keys] == df.wants
    out = df.superset[np.repeat(flags, df.sublens)]
    sizes = np.add.reduceat(df.sublens * flags, df.page_starts)
    ends = np.cumsum(sizes).tolist()
    view = memoryview(out)
    return [view[s:e] for s, e in zip([0, *ends[:-1]], ends, strict=True)]
