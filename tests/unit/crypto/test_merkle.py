"""Tests for crypto.merkle: CT reference vectors, exhaustive small trees, properties."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto.merkle import (
    EMPTY_ROOT,
    Frontier,
    ProofError,
    append_leaf,
    consistency_proof,
    frontier_ranges,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root_from_leaf_hashes,
    store_consistency_proof,
    store_frontier,
    store_inclusion_proof,
    store_root,
    verify_consistency,
    verify_inclusion,
)

# ---------------------------------------------------------------------------
# Reference vectors: the RFC 6962 test data of the Certificate Transparency
# implementations, as published in transparency-dev/merkle proof/verify_test.go
# (inherited from google/certificate-transparency-go merkletree tests).
# Leaf *numbers* there are 1-based; they are converted to 0-based indexes here.
# ---------------------------------------------------------------------------

VECTOR_LEAVES = [
    bytes.fromhex(h)
    for h in [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ]
]
VECTOR_ROOTS = [
    bytes.fromhex(h)
    for h in [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ]
]


def _hx(*hs: str) -> list[bytes]:
    return [bytes.fromhex(h) for h in hs]


# (0-based leaf index, tree size, proof)
VECTOR_INCLUSION = [
    (0, 1, []),
    (
        0,
        8,
        _hx(
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ),
    ),
    (
        5,
        8,
        _hx(
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ),
    ),
    (2, 3, _hx("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125")),
    (
        1,
        5,
        _hx(
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ),
    ),
]

# (first size, second size, proof)
VECTOR_CONSISTENCY = [
    (1, 1, []),
    (
        1,
        8,
        _hx(
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ),
    ),
    (
        6,
        8,
        _hx(
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ),
    ),
    (
        2,
        5,
        _hx(
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ),
    ),
    (
        6,
        7,
        _hx(
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ),
    ),
]

VECTOR_HASHES = [leaf_hash(e) for e in VECTOR_LEAVES]
SOME_HASH = bytes.fromhex("abacaba000000000000000000000000000000000000000000060061e00123456")


# ---------------------------------------------------------------------------
# Independent reference: a literal transcription of the RFC 9162 recursive
# definitions (MTH, PATH, SUBPROOF), plus the left/right "shape" of each proof.
# ---------------------------------------------------------------------------


def _k(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def ref_mth(d: Sequence[bytes]) -> bytes:
    if not d:
        return hashlib.sha256(b"").digest()
    if len(d) == 1:
        return d[0]
    k = _k(len(d))
    return node_hash(ref_mth(d[:k]), ref_mth(d[k:]))


def ref_path(m: int, d: Sequence[bytes]) -> list[bytes]:
    if len(d) == 1:
        return []
    k = _k(len(d))
    if m < k:
        return ref_path(m, d[:k]) + [ref_mth(d[k:])]
    return ref_path(m - k, d[k:]) + [ref_mth(d[:k])]


def ref_subproof(m: int, d: Sequence[bytes], complete: bool) -> list[bytes]:
    if m == len(d):
        return [] if complete else [ref_mth(d)]
    k = _k(len(d))
    if m <= k:
        return ref_subproof(m, d[:k], complete) + [ref_mth(d[k:])]
    return ref_subproof(m - k, d[k:], False) + [ref_mth(d[:k])]


def ref_consistency(m: int, d: Sequence[bytes]) -> list[bytes]:
    return [] if m in (0, len(d)) else ref_subproof(m, d, True)


def inclusion_shape(m: int, n: int) -> tuple[str, ...]:
    """Which side each proof sibling sits on: all a verifier learns from (m, n)."""
    if n == 1:
        return ()
    k = _k(n)
    if m < k:
        return inclusion_shape(m, k) + ("R",)
    return inclusion_shape(m - k, n - k) + ("L",)


def consistency_shape(m: int, n: int, complete: bool = True) -> tuple[str, ...]:
    if m == n:
        return () if complete else ("T",)
    k = _k(n)
    if m <= k:
        return consistency_shape(m, k, complete) + ("R",)
    return consistency_shape(m - k, n - k, False) + ("L",)


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def make_leaves(n: int, salt: bytes = b"") -> list[bytes]:
    return [leaf_hash(salt + i.to_bytes(4, "big")) for i in range(n)]


class DictStore:
    """A SubtreeStore filled only by append_leaf, counting reads."""

    def __init__(self) -> None:
        self.nodes: dict[tuple[int, int], bytes] = {}
        self.frontier = Frontier(0)
        self.reads = 0

    def append(self, h: bytes) -> list[tuple[int, int, bytes]]:
        completed, self.frontier = append_leaf(self.frontier, h)
        for start, end, node in completed:
            assert (start, end) not in self.nodes
            self.nodes[(start, end)] = node
        return completed

    def subtree_hash(self, start: int, end: int) -> bytes:
        width = end - start
        assert width > 0 and width & (width - 1) == 0 and start % width == 0
        self.reads += 1
        return self.nodes[(start, end)]


def build_store(leaves: Sequence[bytes]) -> DictStore:
    store = DictStore()
    for h in leaves:
        store.append(h)
    return store


def perfect_subtrees(n: int) -> set[tuple[int, int]]:
    out = set()
    width = 1
    while width <= n:
        out |= {(s, s + width) for s in range(0, n - width + 1, width)}
        width *= 2
    return out


def flip(b: bytes, pos: int, mask: int = 0x01) -> bytes:
    return b[:pos] + bytes([b[pos] ^ mask]) + b[pos + 1 :]


def fails(fn: Callable[[], None]) -> bool:
    try:
        fn()
    except ProofError:
        return True
    return False


def inclusion_mutations(proof: list[bytes], root: bytes) -> list[list[bytes]]:
    muts: list[list[bytes]] = [proof + [b""], proof + [root], [b""] + proof, [root] + proof]
    muts += [proof[:i] + proof[i + 1 :] for i in range(len(proof))]
    muts += [proof[:i] + [SOME_HASH] + proof[i:] for i in range(len(proof) + 1)]
    muts += [proof[:i] + [flip(p, 0, 8)] + proof[i + 1 :] for i, p in enumerate(proof)]
    muts += [proof[:i] + [flip(p, 31, 0x80)] + proof[i + 1 :] for i, p in enumerate(proof)]
    muts += [proof[:i] + [p[:31]] + proof[i + 1 :] for i, p in enumerate(proof)]
    return muts


def check_inclusion_tampering(leaves: list[bytes], index: int, proof: list[bytes]) -> None:
    n, root, leaf = len(leaves), root_from_leaf_hashes(leaves), leaves[index]
    verify_inclusion(leaf, index, n, proof, root)
    for bad in inclusion_mutations(proof, root):
        assert fails(lambda b=bad: verify_inclusion(leaf, index, n, b, root))
    for other in range(-1, n + 1):
        if other != index:
            assert fails(lambda o=other: verify_inclusion(leaf, o, n, proof, root))
    # A wrong size can only verify if it yields the very same path shape: the
    # size is bound by the signed tree head, not by the proof itself.
    for size in {0, n - 1, n + 1, 2 * n, n // 2, n + 7}:
        same = 0 <= index < size and inclusion_shape(index, size) == inclusion_shape(index, n)
        assert same != fails(lambda s=size: verify_inclusion(leaf, index, s, proof, root))
    for wrong_root in (EMPTY_ROOT, SOME_HASH, flip(root, 5), root[:31]):
        assert fails(lambda r=wrong_root: verify_inclusion(leaf, index, n, proof, r))
    for wrong_leaf in (flip(leaf, 0), b"WrongLeaf", leaf + b"\x00", SOME_HASH):
        assert fails(lambda w=wrong_leaf: verify_inclusion(w, index, n, proof, root))


def check_consistency_tampering(leaves: list[bytes], m: int, proof: list[bytes]) -> None:
    n = len(leaves)
    r1, r2 = root_from_leaf_hashes(leaves[:m]), root_from_leaf_hashes(leaves)
    verify_consistency(m, n, r1, r2, proof)
    if not proof:
        return
    for bad in inclusion_mutations(proof, r1) + [[r2] + proof, proof + [r2], [proof[0]] + proof]:
        assert fails(lambda b=bad: verify_consistency(m, n, r1, r2, b))
    assert fails(lambda: verify_consistency(m, n, r1, r2, []))
    for a, b in ((r2, r1), (SOME_HASH, r2), (r1, SOME_HASH), (flip(r1, 3), r2), (r1, flip(r2, 3))):
        assert fails(lambda a=a, b=b: verify_consistency(m, n, a, b, proof))
    pairs = {(m - 1, n), (m + 1, n), (m ^ 2, n), (m, n - 1), (m, n + 1), (m, 2 * n), (m, n // 2)}
    for m2, n2 in pairs - {(m, n)}:
        same = 0 < m2 < n2 and consistency_shape(m2, n2) == consistency_shape(m, n)
        assert same != fails(lambda a=m2, b=n2: verify_consistency(a, b, r1, r2, proof))


# ---------------------------------------------------------------------------
# Vector tests
# ---------------------------------------------------------------------------


def test_empty_tree_root_is_sha256_of_nothing() -> None:
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert root_from_leaf_hashes([]) == EMPTY_ROOT
    assert store_root(DictStore(), 0) == EMPTY_ROOT
    assert Frontier(0).root() == EMPTY_ROOT


@pytest.mark.parametrize("size", range(1, 9))
def test_vector_roots(size: int) -> None:
    leaves = VECTOR_HASHES[:size]
    assert root_from_leaf_hashes(leaves) == VECTOR_ROOTS[size - 1]
    assert ref_mth(leaves) == VECTOR_ROOTS[size - 1]
    assert store_root(build_store(leaves), size) == VECTOR_ROOTS[size - 1]
    assert build_store(leaves).frontier.root() == VECTOR_ROOTS[size - 1]


@pytest.mark.parametrize(("index", "size", "proof"), VECTOR_INCLUSION)
def test_vector_inclusion(index: int, size: int, proof: list[bytes]) -> None:
    leaves = VECTOR_HASHES[:size]
    assert inclusion_proof(leaves, index) == proof
    assert store_inclusion_proof(build_store(leaves), index, size) == proof
    verify_inclusion(leaves[index], index, size, proof, VECTOR_ROOTS[size - 1])
    check_inclusion_tampering(leaves, index, proof)


@pytest.mark.parametrize(("first", "second", "proof"), VECTOR_CONSISTENCY)
def test_vector_consistency(first: int, second: int, proof: list[bytes]) -> None:
    leaves = VECTOR_HASHES[:second]
    assert consistency_proof(leaves, first) == proof
    assert store_consistency_proof(build_store(leaves), first, second) == proof
    verify_consistency(first, second, VECTOR_ROOTS[first - 1], VECTOR_ROOTS[second - 1], proof)
    check_consistency_tampering(leaves, first, proof)


def test_degenerate_consistency_cases() -> None:
    r1, r2 = VECTOR_ROOTS[0], VECTOR_ROOTS[1]
    verify_consistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])
    verify_consistency(0, 2, EMPTY_ROOT, r2, [])
    verify_consistency(1, 1, r1, r1, [])
    bad = [
        (0, 2, SOME_HASH, r2, []),  # size 0 must carry the empty root
        (1, 1, r1, r2, []),  # equal sizes, different roots
        (1, 1, r1, r1, [EMPTY_ROOT]),  # equal sizes with a non-empty proof
        (0, 1, EMPTY_ROOT, r1, [EMPTY_ROOT]),
        (2, 1, r2, r1, []),  # time travel
        (1, 0, r1, EMPTY_ROOT, []),
        (-1, 1, r1, r1, []),
        (1, 2, r1, r2, []),  # empty proof for a real extension
    ]
    for first, second, a, b, proof in bad:
        assert fails(lambda f=first, s=second, a=a, b=b, p=proof: verify_consistency(f, s, a, b, p))


def test_single_entry_inclusion() -> None:
    h = leaf_hash(b"data")
    verify_inclusion(h, 0, 1, [], h)
    for leaf, root in ((h, b""), (b"", h), (b"", b"")):
        assert fails(lambda a=leaf, b=root: verify_inclusion(a, 0, 1, [], b))
    for index, size in ((0, 0), (1, 0), (2, 1), (-1, 1)):
        assert fails(lambda i=index, s=size: verify_inclusion(SOME_HASH, i, s, [], EMPTY_ROOT))


# ---------------------------------------------------------------------------
# Exhaustive: every tree size 1..64, every leaf index and consistency pair
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("n", range(1, 65))
def test_every_inclusion_proof_up_to_64(n: int) -> None:
    leaves = make_leaves(n)
    store = build_store(leaves)
    for index in range(n):
        proof = inclusion_proof(leaves, index)
        assert proof == ref_path(index, leaves)
        store.reads = 0
        assert store_inclusion_proof(store, index, n) == proof
        assert store.reads <= 2 * n.bit_length()
        check_inclusion_tampering(leaves, index, proof)


@pytest.mark.parametrize("n", range(1, 65))
def test_every_consistency_proof_up_to_64(n: int) -> None:
    leaves = make_leaves(n)
    store = build_store(leaves)
    for m in range(0, n + 1):
        proof = consistency_proof(leaves, m)
        assert proof == ref_consistency(m, leaves)
        store.reads = 0
        assert store_consistency_proof(store, m, n) == proof
        assert store.reads <= 2 * n.bit_length()
        check_consistency_tampering(leaves, m, proof)


@pytest.mark.parametrize("n", range(1, 65))
def test_appender_yields_exactly_the_perfect_subtrees(n: int) -> None:
    leaves = make_leaves(n)
    store = DictStore()
    for i, h in enumerate(leaves):
        completed = store.append(h)
        end = i + 1
        expected = [(end - (1 << j), end) for j in range(end.bit_length()) if end % (1 << j) == 0]
        assert [(s, e) for s, e, _ in completed] == expected
        for s, e, node in completed:
            assert node == ref_mth(leaves[s:e])
        assert store.frontier.root() == ref_mth(leaves[:end])
        assert store_root(store, end) == ref_mth(leaves[:end])
        assert store_frontier(store, end) == store.frontier
    assert set(store.nodes) == perfect_subtrees(n)


def test_small_trees_verify_only_under_identical_shapes() -> None:
    """Across all (index, size) claims for n <= 16, a proof verifies iff shapes match."""
    leaves = make_leaves(16)
    for n in range(1, 17):
        root = root_from_leaf_hashes(leaves[:n])
        for i in range(n):
            proof = inclusion_proof(leaves[:n], i)
            for n2 in range(0, 18):
                for i2 in range(0, n2):
                    same = inclusion_shape(i2, n2) == inclusion_shape(i, n)
                    ok = not fails(
                        lambda a=i2, b=n2: verify_inclusion(leaves[i], a, b, proof, root)
                    )
                    assert ok == same


# ---------------------------------------------------------------------------
# Property-based: random larger trees
# ---------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(data=st.data(), n=st.integers(min_value=65, max_value=3000), salt=st.binary(max_size=8))
def test_random_large_trees(data: st.DataObject, n: int, salt: bytes) -> None:
    leaves = make_leaves(n, salt)
    store = build_store(leaves)
    root = root_from_leaf_hashes(leaves)
    assert store_root(store, n) == root == store.frontier.root()
    assert set(store.nodes) == perfect_subtrees(n)

    index = data.draw(st.integers(0, n - 1), label="index")
    store.reads = 0
    proof = store_inclusion_proof(store, index, n)
    assert store.reads <= 2 * n.bit_length()
    assert proof == inclusion_proof(leaves, index)
    check_inclusion_tampering(leaves, index, proof)
    for pos in range(len(proof) * 32):  # every single byte of the proof matters
        bad = list(proof)
        bad[pos // 32] = flip(bad[pos // 32], pos % 32, 0xFF)
        assert fails(lambda b=bad: verify_inclusion(leaves[index], index, n, b, root))

    m = data.draw(st.integers(1, n), label="first")
    store.reads = 0
    cproof = store_consistency_proof(store, m, n)
    assert store.reads <= 2 * n.bit_length()
    assert cproof == consistency_proof(leaves, m) == ref_consistency(m, leaves)
    check_consistency_tampering(leaves, m, cproof)
    r1 = root_from_leaf_hashes(leaves[:m])
    for pos in range(len(cproof) * 32):
        bad = list(cproof)
        bad[pos // 32] = flip(bad[pos // 32], pos % 32, 0xFF)
        assert fails(lambda b=bad: verify_consistency(m, n, r1, root, b))


@settings(max_examples=40, deadline=None)
@given(n=st.integers(min_value=1, max_value=5000))
def test_frontier_ranges_partition_the_tree(n: int) -> None:
    ranges = frontier_ranges(n)
    assert len(ranges) == n.bit_count()
    assert ranges[0][0] == 0 and ranges[-1][1] == n
    for (a, b), (c, _) in zip(ranges, ranges[1:], strict=False):
        assert b == c and (b - a) > 0
    for a, b in ranges:
        width = b - a
        assert width & (width - 1) == 0 and a % width == 0


def test_fast_root_matches_appender_on_a_big_tree() -> None:
    leaves = make_leaves((1 << 16) + 3)
    frontier = Frontier(0)
    for h in leaves:
        _, frontier = append_leaf(frontier, h)
    assert root_from_leaf_hashes(leaves) == frontier.root()


# ---------------------------------------------------------------------------
# Misuse
# ---------------------------------------------------------------------------


def test_generation_rejects_bad_arguments() -> None:
    leaves = make_leaves(4)
    store = build_store(leaves)
    with pytest.raises(ValueError):
        inclusion_proof(leaves, 4)
    with pytest.raises(ValueError):
        inclusion_proof(leaves, -1)
    with pytest.raises(ValueError):
        consistency_proof(leaves, 5)
    with pytest.raises(ValueError):
        store_inclusion_proof(store, 4, 4)
    with pytest.raises(ValueError):
        store_consistency_proof(store, 3, 2)
    with pytest.raises(ValueError):
        root_from_leaf_hashes([b"short"])
    with pytest.raises(ValueError):
        frontier_ranges(-1)


def test_frontier_invariants_are_enforced() -> None:
    h = leaf_hash(b"x")
    with pytest.raises(ValueError):
        Frontier(3, (h,))  # popcount(3) == 2
    with pytest.raises(ValueError):
        Frontier(1, (b"short",))
    with pytest.raises(ValueError):
        append_leaf(Frontier(0), b"short")


def test_store_returning_a_bad_hash_is_rejected() -> None:
    class BadStore:
        def subtree_hash(self, start: int, end: int) -> bytes:
            return b"\x00" * 31

    with pytest.raises(ValueError):
        store_root(BadStore(), 3)
    with pytest.raises(ValueError):
        store_inclusion_proof(BadStore(), 0, 3)


def test_leaf_and_node_domains_are_separated() -> None:
    a, b = leaf_hash(b"a"), leaf_hash(b"b")
    assert leaf_hash(b"\x01" + a + b) != node_hash(a, b)
    assert node_hash(a, b) == hashlib.sha256(b"\x01" + a + b).digest()
    assert leaf_hash(b"a") == hashlib.sha256(b"\x00a").digest()
