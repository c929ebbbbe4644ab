"""Turn a candidate-free Reading into per-candidate scores and a verdict.

Union bound: every candidate is tested on every layer in model.LAYERS, so a candidate is
identified only when its best p-value times (candidates x layers) is below the target. Under the
null (evidence unrelated to an innocent candidate) that bounds the chance of naming ANY innocent.
Colluders who keep only the common part match every surviving slot and are each identified;
innocents match about half of them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from crypto.fingerprint import (
    DEFAULT_FP_TARGET,
    LayerScore,
    code_bits,
    code_symbols,
    score_bits,
    score_sparse,
    union_bound,
)

from . import codes
from .footer import TagText, scan_tags, tag_strings
from .lines import BITS
from .model import (
    DENSE_SCHEME,
    LAYERS,
    PDF_TEXT_LABEL,
    SPARSE_RADIX,
    Candidate,
    CandidateResult,
    Detection,
    Verdict,
)
from .reading import BitReading, Reading


def _tag_score(layer: str, tag: str, distances: dict[str, int], p: float) -> LayerScore:
    hit = tag in distances
    return LayerScore(layer, int(hit), 1, p if hit else 1.0)


def _candidate_layers(
    c: Candidate, reading: Reading, tag_text: TagText, radices: Mapping[str, Sequence[int]]
) -> list[LayerScore]:
    out: list[LayerScore] = []
    scan = scan_tags(tag_text, [c.tag])
    out.append(_tag_score("footer", c.tag, scan.distances, scan.p_value(len(c.tag))))
    if reading.metadata_tags:
        tried = len(set(reading.metadata_tags))
        hit = c.tag in reading.metadata_tags
        out.append(LayerScore("metadata", int(hit), 1, min(1.0, tried / 10 ** len(c.tag))
                              if hit else 1.0))
    for key, br in reading.bits.items():
        layer = key.partition("/")[0]
        if layer not in c.channels or br.read == 0 or (br.schemes and c.scheme not in br.schemes):
            continue
        if br.label == PDF_TEXT_LABEL:
            out.append(_pdf_text_score(c, br))
            continue
        if br.symbols:
            want = code_symbols(c.download_code, br.label, radices[layer])
        else:
            want = code_bits(c.download_code, br.label, len(br.values))
        out.append(score_bits(layer, br.values, want, br.p_null))
    return out


def _pdf_text_score(c: Candidate, br: BitReading) -> LayerScore:
    """A PDF's text layer by the candidate's own scheme: scheme 1 copies carry a uniform bit
    per character slot and no tokens (tokens read from other copies are not theirs to
    score); scheme 2 copies a sparse bit at the first slot of each word (the other slots are
    never marked, so they are not read) and a token of uniform bits per line edge."""
    n = len(br.values) - br.tokens
    bits, tokens = br.values[:n], br.values[n:]
    if c.scheme == DENSE_SCHEME:
        return score_bits("text", bits, code_bits(c.download_code, PDF_TEXT_LABEL, n))
    bits = [v if first else None for v, first in zip(bits, br.primary, strict=True)]
    return score_sparse("text", bits, codes.sparse_bits(c.download_code, n).tolist(),
                        SPARSE_RADIX, tokens,
                        codes.line_bits(c.download_code, len(tokens) // BITS).tolist(), 2)


def score(
    reading: Reading,
    candidates: Sequence[Candidate],
    radices: Mapping[str, Sequence[int]] | None = None,
    fp_target: float = DEFAULT_FP_TARGET,
) -> Detection:
    tests = max(1, len(candidates)) * len(LAYERS)
    results = []
    tag_text = TagText("\n".join(reading.tag_texts))
    for c in candidates:
        layers = _candidate_layers(c, reading, tag_text, radices or {})
        best = min((s.p_value for s in layers), default=1.0)
        bound = union_bound(best, tests)
        results.append(CandidateResult(c.id, tuple(layers), bound, bound < fp_target))
    results.sort(key=lambda r: (r.bound, r.candidate_id))
    found = set(reading.found)
    if _has_tag_shape(reading):
        found.add("footer")
    verdict: Verdict
    if any(r.identified for r in results):
        verdict = "identified"
    elif found or reading.errors:  # a failed layer read nothing: it did not read "no marks"
        verdict = "inconclusive"
    else:
        verdict = "no_watermark"
    return Detection(verdict, tuple(results), tuple(sorted(found)), tests, tuple(reading.notes),
                     tuple(reading.errors))


def _has_tag_shape(reading: Reading) -> bool:
    return bool(reading.metadata_tags) or any(
        "tag" in t.lower() and tag_strings(t) for t in reading.tag_texts
    )
