"""Plain values exchanged with the watermark package (no I/O, no clock, no keys stored)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from crypto.fingerprint import LayerScore

MEDIA_TYPES = frozenset(
    {"application/pdf", "text/plain", "text/markdown", "image/png", "image/jpeg"}
)
# Invisible channels a download may carry; the visible footer/stamp is always on.
CHANNELS = frozenset({"text", "geometry", "metadata", "image", "canary"})
# Every test the detector may run per candidate; the union bound counts all of them.
LAYERS = ("footer", "metadata", "text", "canary", "geometry", "image")
LEGENDS = ("Produced under protective order", "FRE 408 settlement communication")
# Where the visible mark (recipient and tag) is drawn on a PDF page: the bottom margin (the
# default, unchanged since the first release), the top margin, or across the page at 45
# degrees, semi-transparent. Text documents put a "header" or "diagonal" mark at the top;
# PNG/JPEG uploads keep their stamp in the bottom band the image pattern leaves free.
LEGEND_POSITIONS = ("footer", "header", "diagonal")
# Key-derivation labels of the PDF layers. Here rather than in pdf.py so that the embedder
# (pdf.py) and the pixel reader (geometry.py) share them without importing each other.
PDF_TEXT_LABEL = "pdftext/v1"
GEOMETRY_LABEL = "geometry/v1"
# How a PDF download's text layer is marked. Scheme 1 (downloads issued before scheme 2):
# every character slot carries one bit of the code, so about half the words of a copy's
# text differ from the original's. Scheme 2: a character slot shows its variant with
# probability 1/SPARSE_RADIX (a few words in a hundred), and every line starts and ends in an
# invisible token (lines.py) that extraction returns as a word of its own. A download
# records its scheme; tracing reads the evidence once (the slots are the same) and scores
# each candidate by its own scheme. Scheme 3 marks text as scheme 2 does, and the JPEG page
# images of a scanned PDF carry their bits in restart segments (scan.py), which a download
# assembles from two markings prepared once instead of re-encoding every page.
DENSE_SCHEME = 1
SPARSE_SCHEME = 2
SEGMENT_SCHEME = 3
MARK_SCHEMES = (DENSE_SCHEME, SPARSE_SCHEME, SEGMENT_SCHEME)
SPARSE_RADIX = 32
PDF_SPARSE_LABEL = "pdftext/v2-sparse"
PDF_LINES_LABEL = "pdftext/v2-lines"

Verdict = Literal["identified", "inconclusive", "no_watermark"]
Evidence = str | bytes | list[bytes]


@dataclass(frozen=True)
class Canary:
    """An author-approved wording choice: `phrase` in the original may be replaced by any of
    `alternatives` (equivalent wording). The only mark that survives re-typing."""

    phrase: str
    alternatives: tuple[str, ...]


@dataclass(frozen=True)
class MarkSpec:
    """What one download is marked with. `download_code` is the 32-byte per-download secret.
    `bates`: the Bates number of each page when the version was produced (a text document or
    an image is one page); stamped in the bottom right margin, beside the footer.
    `position`: one of LEGEND_POSITIONS. `order_legend`: the protective order's legend for the
    document's tier (e.g. "CONFIDENTIAL - SUBJECT TO PROTECTIVE ORDER"), printed on every
    page in the margin band; empty when no order's tier governs the document."""

    download_code: bytes
    recipient_name: str
    party_name: str
    designation: str
    legend: str
    tag: str
    channels: frozenset[str] = CHANNELS
    canaries: tuple[Canary, ...] = ()
    bates: tuple[str, ...] = ()
    position: str = "footer"
    order_legend: str = ""
    scheme: int = SEGMENT_SCHEME

    def __post_init__(self) -> None:
        if self.position not in LEGEND_POSITIONS:
            raise ValueError(f"unknown legend position: {self.position}")
        if self.scheme not in MARK_SCHEMES:
            raise ValueError(f"unknown mark scheme: {self.scheme}")
        if len(self.download_code) < 16:
            raise ValueError("download_code must be at least 16 bytes")
        if not self.tag.isdigit():
            raise ValueError("tag must be all digits")
        if any(not label.isascii() or not label.replace("-", "").replace("_", "").isalnum()
               for label in self.bates):
            raise ValueError("Bates numbers are ASCII letters, digits, - and _")
        unknown = set(self.channels) - CHANNELS
        if unknown:
            raise ValueError(f"unknown channels: {sorted(unknown)}")


@dataclass(frozen=True)
class Candidate:
    """A download that could have leaked: opaque id, its code, its tag, channels it carried,
    the scheme its PDF text layer was marked with."""

    id: str
    download_code: bytes
    tag: str
    channels: frozenset[str] = CHANNELS
    scheme: int = SEGMENT_SCHEME


@dataclass(frozen=True)
class CandidateResult:
    """Per-layer scores for one candidate. `bound` is min p-value times the number of tests
    (all candidates x all layers): the union bound on a chance match."""

    candidate_id: str
    layers: tuple[LayerScore, ...]
    bound: float
    identified: bool


@dataclass(frozen=True)
class Issue:
    """A failure while marking or reading, reported instead of hidden.

    Content-free by construction: `stage` is a layer of LAYERS or a step ("read", "ocr",
    "pdf_template", "detect"), `kind` the exception's class name -- never its message, which
    may quote the document. Evidence that simply is not readable as a PDF or an image is an
    expected outcome (no marks), not an Issue; see reading.Unreadable."""

    stage: str
    kind: str

    @classmethod
    def of(cls, stage: str, error: BaseException) -> Issue:
        return cls(stage, type(error).__name__)


@dataclass(frozen=True)
class Detection:
    """`errors` lists the layers that failed: a verdict other than "identified" is then
    "inconclusive", never "no_watermark" (a crashed layer read nothing, it did not read an
    absence of marks)."""

    verdict: Verdict
    results: tuple[CandidateResult, ...]  # best first
    found_layers: tuple[str, ...]  # layers where marks were read from the evidence
    tests: int
    notes: tuple[str, ...] = field(default=())
    errors: tuple[Issue, ...] = field(default=())

    @property
    def identified(self) -> tuple[str, ...]:
        return tuple(r.candidate_id for r in self.results if r.identified)
