"""A download's codeword for the PDF text layer of each mark scheme, as arrays.

Derived from the download code alone (crypto.fingerprint's keyed stream), so the embedder
and the detector compute the same values: `code_symbols` read four stream bytes per slot,
and these arrays are the same values computed in numpy (a long document has tens of
thousands of slots, and a trace scores every candidate). numpy is imported where it is used
(a server that marks nothing never loads it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from crypto.fingerprint import code_bit_bytes

from .lines import BITS, RADIX
from .model import PDF_LINES_LABEL, PDF_SPARSE_LABEL, PDF_TEXT_LABEL, SPARSE_RADIX

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt


def symbols(code: bytes, label: str, radix: int, n: int) -> npt.NDArray[np.uint32]:
    """`code_symbols(code, label, [radix] * n)` as an array."""
    import numpy as np

    raw = np.frombuffer(code_bit_bytes(code, label, 32 * n), dtype=">u4")
    return (raw % radix).astype(np.uint32)


def dense_bits(code: bytes, n: int) -> npt.NDArray[np.uint8]:
    """Scheme 1: one uniform bit per character slot."""
    import numpy as np

    raw = np.frombuffer(code_bit_bytes(code, PDF_TEXT_LABEL, n), dtype=np.uint8)
    return np.unpackbits(raw)[:n]


def sparse_bits(code: bytes, n: int) -> npt.NDArray[np.uint8]:
    """Scheme 2: a character slot shows its variant with probability 1/SPARSE_RADIX."""
    import numpy as np

    hit: npt.NDArray[np.uint8] = (symbols(code, PDF_SPARSE_LABEL, SPARSE_RADIX, n) == 0
                                   ).astype(np.uint8)
    return hit


def line_symbols(code: bytes, n: int) -> npt.NDArray[np.uint32]:
    """Scheme 2: the token symbol of every line end."""
    return symbols(code, PDF_LINES_LABEL, RADIX, n)


def line_bits(code: bytes, n: int) -> npt.NDArray[np.uint32]:
    """The same symbols as lines.BITS bits each, first bit highest (as lines.token)."""
    import numpy as np

    shifts = np.arange(BITS - 1, -1, -1, dtype=np.uint32)
    bits: npt.NDArray[np.uint32] = ((line_symbols(code, n)[:, None] >> shifts) & 1
                                    ).astype(np.uint32).ravel()
    return bits
