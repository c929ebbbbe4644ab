"""RFC 9162 (Certificate Transparency v2) Merkle tree hashing and proofs.

Hashes: ``leaf = SHA-256(0x00 || entry)``, ``node = SHA-256(0x01 || left || right)``,
and the empty tree hashes to ``SHA-256("")``. The 0x00/0x01 prefixes separate the
leaf and node domains, so no leaf can be passed off as an interior node.

Threat model: proofs, roots and tree sizes come from an untrusted log server.
Verification (``verify_inclusion``, ``verify_consistency``) accepts only a proof
of exactly the right length whose every element is 32 bytes and which recomputes
the trusted root(s); anything else raises the single opaque ``ProofError``.
Generation functions trust their inputs and raise ``ValueError`` on misuse.

Storage model: the application keeps every *perfect aligned subtree* (a node
covering ``[start, end)`` with ``end - start = 2**j`` and ``start % 2**j == 0``) in
a table. ``SubtreeStore`` reads one such node; the ``store_*`` functions build
roots and proofs of any tree size with O(log n) reads, hashing non-perfect
right-edge subtrees from their perfect pieces. ``append_leaf`` returns exactly
the perfect nodes completed by one new leaf, so the table is filled incrementally.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()
_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"


class ProofError(Exception):
    """A proof did not verify. Deliberately carries no detail about why."""


class SubtreeStore(Protocol):
    """Source of stored perfect-subtree hashes.

    ``subtree_hash(start, end)`` is only ever called with ``end - start`` a power of
    two and ``start`` a multiple of it; ``(i, i + 1)`` is the leaf hash of entry i.
    """

    def subtree_hash(self, start: int, end: int) -> bytes:
        """Return the stored hash of the perfect subtree over leaves [start, end)."""
        ...


def leaf_hash(entry: bytes) -> bytes:
    """RFC 9162 leaf hash of one log entry."""
    return hashlib.sha256(_LEAF_PREFIX + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 9162 interior node hash of two child hashes."""
    return hashlib.sha256(_NODE_PREFIX + left + right).digest()


def _largest_power_of_two_below(n: int) -> int:
    """Largest power of two strictly less than n (n >= 2): RFC 9162's split point k."""
    return 1 << ((n - 1).bit_length() - 1)


def frontier_ranges(size: int) -> list[tuple[int, int]]:
    """The perfect subtrees covering [0, size), largest (leftmost) first.

    One range per set bit of ``size``; this is the tree's right-edge "frontier".
    """
    if size < 0:
        raise ValueError("tree size must be non-negative")
    ranges: list[tuple[int, int]] = []
    start = 0
    for bit in reversed(range(size.bit_length())):
        width = 1 << bit
        if size & width:
            ranges.append((start, start + width))
            start += width
    return ranges


def _fold_right(hashes: Sequence[bytes]) -> bytes:
    """Combine descending-size perfect subtree hashes into their MTH."""
    if not hashes:
        return EMPTY_ROOT
    acc = hashes[-1]
    for h in reversed(hashes[:-1]):
        acc = node_hash(h, acc)
    return acc


# --- in-memory ---------------------------------------------------------------


def root_from_leaf_hashes(leaves: Sequence[bytes]) -> bytes:
    """MTH of a list of leaf hashes, hashed level by level.

    Pairing neighbours and promoting an odd last node unchanged builds exactly the
    RFC 9162 tree (its left subtrees are always perfect). About n SHA-256 calls;
    roughly 1.3 s per million leaves on CPython 3.11.
    """
    if not leaves:
        return EMPTY_ROOT
    level = list(leaves)
    if any(len(h) != HASH_SIZE for h in level):
        raise ValueError("leaf hashes must be 32 bytes")
    sha256 = hashlib.sha256
    while len(level) > 1:
        odd = level[-1] if len(level) % 2 else None
        level = [
            sha256(_NODE_PREFIX + left + right).digest()
            for left, right in zip(level[0::2], level[1::2], strict=False)
        ]
        if odd is not None:
            level.append(odd)
    return level[0]


def inclusion_proof(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """RFC 9162 PATH(index, D[n]) over in-memory leaf hashes, deepest sibling first."""
    if not 0 <= index < len(leaves):
        raise ValueError("leaf index out of range")
    proof: list[bytes] = []
    lo, hi = 0, len(leaves)
    while hi - lo > 1:
        k = _largest_power_of_two_below(hi - lo)
        if index < lo + k:
            proof.append(root_from_leaf_hashes(leaves[lo + k : hi]))
            hi = lo + k
        else:
            proof.append(root_from_leaf_hashes(leaves[lo : lo + k]))
            lo += k
    proof.reverse()
    return proof


def consistency_proof(leaves: Sequence[bytes], first: int) -> list[bytes]:
    """RFC 9162 PROOF(first, D[n]) over in-memory leaf hashes (empty if first is 0 or n)."""
    n = len(leaves)
    if not 0 <= first <= n:
        raise ValueError("first size out of range")
    if first in (0, n):
        return []
    proof: list[bytes] = []
    lo, hi, m, complete = 0, n, first, True
    while m != hi - lo:
        k = _largest_power_of_two_below(hi - lo)
        if m <= k:
            proof.append(root_from_leaf_hashes(leaves[lo + k : hi]))
            hi = lo + k
        else:
            proof.append(root_from_leaf_hashes(leaves[lo : lo + k]))
            lo, m, complete = lo + k, m - k, False
    if not complete:
        proof.append(root_from_leaf_hashes(leaves[lo:hi]))
    proof.reverse()
    return proof


# --- store-backed --------------------------------------------------------------


def _read(store: SubtreeStore, start: int, end: int) -> bytes:
    h = store.subtree_hash(start, end)
    if len(h) != HASH_SIZE:
        raise ValueError("store returned a hash of the wrong length")
    return h


def _store_range_hash(store: SubtreeStore, start: int, end: int) -> bytes:
    """MTH of leaves [start, end) where start is aligned to the range's top power.

    Every range met while walking RFC 9162's recursion has that alignment, so the
    range splits into popcount(end - start) stored perfect subtrees.
    """
    pieces = [(start + a, start + b) for a, b in frontier_ranges(end - start)]
    return _fold_right([_read(store, a, b) for a, b in pieces])


def store_root(store: SubtreeStore, size: int) -> bytes:
    """MTH of the first ``size`` leaves using popcount(size) store reads."""
    return _store_range_hash(store, 0, size)


def store_inclusion_proof(store: SubtreeStore, index: int, size: int) -> list[bytes]:
    """Inclusion proof of leaf ``index`` in the tree of ``size`` leaves, O(log n) reads.

    Only the first left turn of the walk can meet a non-perfect sibling (one ending
    at ``size``); after it every range is perfect, so reads stay O(log n).
    """
    if not 0 <= index < size:
        raise ValueError("leaf index out of range")
    proof: list[bytes] = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = _largest_power_of_two_below(hi - lo)
        if index < lo + k:
            proof.append(_store_range_hash(store, lo + k, hi))
            hi = lo + k
        else:
            proof.append(_read(store, lo, lo + k))
            lo += k
    proof.reverse()
    return proof


def store_consistency_proof(store: SubtreeStore, first: int, second: int) -> list[bytes]:
    """Consistency proof from size ``first`` to ``second``, O(log n) reads."""
    if not 0 <= first <= second:
        raise ValueError("need 0 <= first <= second")
    if first in (0, second):
        return []
    proof: list[bytes] = []
    lo, hi, m, complete = 0, second, first, True
    while m != hi - lo:
        k = _largest_power_of_two_below(hi - lo)
        if m <= k:
            proof.append(_store_range_hash(store, lo + k, hi))
            hi = lo + k
        else:
            proof.append(_read(store, lo, lo + k))
            lo, m, complete = lo + k, m - k, False
    if not complete:
        proof.append(_store_range_hash(store, lo, hi))
    proof.reverse()
    return proof


# --- incremental append --------------------------------------------------------


@dataclass(frozen=True)
class Frontier:
    """Hashes of ``frontier_ranges(size)``: all that is needed to append and to root.

    Invariant: ``len(hashes) == popcount(size)``, largest subtree first.
    """

    size: int
    hashes: tuple[bytes, ...] = ()

    def __post_init__(self) -> None:
        if self.size < 0 or len(self.hashes) != self.size.bit_count():
            raise ValueError("frontier must hold one hash per set bit of size")
        if any(len(h) != HASH_SIZE for h in self.hashes):
            raise ValueError("frontier hashes must be 32 bytes")

    def root(self) -> bytes:
        """MTH of the tree of ``size`` leaves."""
        return _fold_right(self.hashes)


def store_frontier(store: SubtreeStore, size: int) -> Frontier:
    """Load the frontier of a stored tree with popcount(size) reads."""
    return Frontier(size, tuple(_read(store, a, b) for a, b in frontier_ranges(size)))


def append_leaf(
    frontier: Frontier, new_leaf_hash: bytes
) -> tuple[list[tuple[int, int, bytes]], Frontier]:
    """Append leaf i = ``frontier.size``; return the nodes it completes and the new frontier.

    Completed nodes are exactly ``(i + 1 - 2**j, i + 1)`` for every ``j`` with ``2**j``
    dividing ``i + 1``: the leaf itself (j = 0) and one more per trailing zero bit of
    ``i + 1``, smallest first. No other perfect subtree changes, so inserting these
    rows keeps the table complete for the new size.
    """
    if len(new_leaf_hash) != HASH_SIZE:
        raise ValueError("leaf hash must be 32 bytes")
    i = frontier.size
    end = i + 1
    start, current = i, new_leaf_hash
    stack = list(frontier.hashes)
    completed = [(start, end, current)]
    width = 1
    while end % (2 * width) == 0:
        current = node_hash(stack.pop(), current)
        start -= width
        width *= 2
        completed.append((start, end, current))
    stack.append(current)
    return completed, Frontier(end, tuple(stack))


# --- verification (RFC 9162 §2.1.3.2 and §2.1.4.2) ----------------------------


def _check_hashes(*hashes: bytes) -> None:
    if any(len(h) != HASH_SIZE for h in hashes):
        raise ProofError("proof verification failed")


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """Raise ``ProofError`` unless ``proof`` puts leaf hash ``leaf`` at ``index`` under ``root``.

    ``size`` and ``root`` must come from the same verified tree head: a proof binds
    the claimed (index, size) only through its left/right shape, so e.g. leaf 0 of
    a 5-leaf tree and leaf 0 of a 6-leaf tree are checked by identical arithmetic.
    """
    _check_hashes(leaf, root, *proof)
    if not 0 <= index < size:
        raise ProofError("proof verification failed")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise ProofError("proof verification failed")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0 or r != root:
        raise ProofError("proof verification failed")


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> None:
    """Raise ``ProofError`` unless the tree of size ``second`` extends the one of ``first``.

    Degenerate cases are strict: size 0 must carry the empty-tree root and an empty
    proof; equal sizes need equal roots and an empty proof.
    """
    _check_hashes(first_root, second_root, *proof)
    if not 0 <= first <= second:
        raise ProofError("proof verification failed")
    if first == 0 or first == second:
        expected = EMPTY_ROOT if first == 0 else second_root
        if proof or first_root != expected:
            raise ProofError("proof verification failed")
        return
    if not proof:
        raise ProofError("proof verification failed")
    path = list(proof)
    if first & (first - 1) == 0:
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("proof verification failed")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0 or fr != first_root or sr != second_root:
        raise ProofError("proof verification failed")
