"""A small content-stream walker: glyph positions and text of each page, in drawing order.

It follows the text and graphics state that matters for where glyphs land (q/Q/cm, BT, Tf, Tc,
Tw, Tz, TL, Td/TD/Tm/T*, Tj/TJ/'/") and decodes codes to Unicode through the font's ToUnicode
or encoding. Extraction joins glyphs like a reader would: nothing between touching glyphs, a
space across a gap, a newline when the baseline moves. A composite font in vertical writing mode
(Identity-V, or an embedded CMap with /WMode 1) advances its glyphs down a column by their
/W2 or /DW2 displacements and its TJ numbers move the pen along y; its text joins the same way
along the column, and a column is a line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pikepdf

from .pdffonts import FontInfo, font_info
from .prepared import Prepared

_NUMBER = (int, float, Decimal)
Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def open_original(prep: Prepared) -> Any:
    """The prepared original as a pikepdf document. One held in a file is read as the parse
    goes, never mapped: a mapping would count the whole file in the resident memory."""
    return pikepdf.open(prep.reader(), access_mode=pikepdf.AccessMode.stream)


def mul(m: Matrix, n: Matrix) -> Matrix:
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n  # noqa: N806
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D,
            e * A + f * C + E, e * B + f * D + F)


@dataclass
class Glyph:
    code: int
    text: str
    x: float  # device-space origin (pt); in vertical writing, the vertical origin
    y: float
    adv: float  # device-space advance (pt) along the writing direction (down, in vertical)
    adj: float = 0.0  # TJ number shown right before this glyph (thousandths of text space)
    raw: bytes = b""  # the code as written (1 byte in a simple font, 1-4 in a composite one)


@dataclass
class Show:
    """One text-showing operator with its glyphs."""

    op_index: int
    font: str
    size: float
    simple: bool
    glyphs: list[Glyph]
    scale: float  # device pt per text-space unit, along the writing direction
    operator: str
    vertical: bool = False  # a composite font in vertical writing mode
    tc: float = 0.0  # character spacing in force (unscaled text space units)


@dataclass
class _TextState:
    ctm: Matrix = IDENTITY
    tm: Matrix = IDENTITY
    tlm: Matrix = IDENTITY
    font: str = ""
    size: float = 0.0
    tc: float = 0.0
    tw: float = 0.0
    th: float = 1.0
    tl: float = 0.0
    stack: list[Matrix] = field(default_factory=list)


def _fonts(page: Any) -> dict[str, FontInfo]:
    res = page.obj.get("/Resources")
    fonts = res.get("/Font") if isinstance(res, pikepdf.Dictionary) else None
    out: dict[str, FontInfo] = {}
    if isinstance(fonts, pikepdf.Dictionary):
        for name, font in fonts.items():
            if isinstance(font, pikepdf.Dictionary):
                out[name] = font_info(font)
    return out


def _show(st: _TextState, items: list[Any], info: FontInfo) -> tuple[list[Glyph], float]:
    """Glyphs of one showing operator, the pen moved along the writing direction (PDF 32000
    9.4.4). Horizontal: each glyph by tx = (w0 * size + Tc + Tw) * Th, a TJ number n by
    -n / 1000 * size * Th. Vertical writing (a composite font with WMode 1): each glyph down
    by ty = w1y * size + Tc + Tw (w1y from /W2 or /DW2, negative), a TJ number by
    ty = -n / 1000 * size (a positive one moves the next glyph down); Th does not apply, and
    a glyph's advance is reported down the column. Both renderers the tests use (pdfium,
    poppler) move the pen so. Word spacing applies to the single-byte code 32 only, in any
    kind of font."""
    vertical = info.vertical
    trm = mul(st.tm, st.ctm)
    scale = (trm[2] ** 2 + trm[3] ** 2) ** 0.5 if vertical else (trm[0] ** 2 + trm[1] ** 2) ** 0.5
    th = 1.0 if vertical else st.th
    glyphs: list[Glyph] = []
    adj = 0.0
    for item in items:
        if isinstance(item, _NUMBER):
            n = float(item)
            adj += n
            st.tm = mul(_along(vertical, -n / 1000.0 * st.size * th), st.tm)
            continue
        for raw in info.split(bytes(item)):
            code = int.from_bytes(raw, "big")
            tw = st.tw if raw == b" " else 0.0
            w = info.vmetric(code)[0] if vertical else info.width(code)
            d = (w * st.size + st.tc + tw) * th
            pos = mul(st.tm, st.ctm)
            ch = info.unicode.get(code, "")
            glyphs.append(Glyph(code, ch, pos[4], pos[5], (-d if vertical else d) * scale,
                                adj, raw))
            adj = 0.0
            st.tm = mul(_along(vertical, d), st.tm)
    return glyphs, scale


def _along(vertical: bool, d: float) -> Matrix:
    """A move of the text matrix by `d` text-space units along the writing direction."""
    return (1.0, 0.0, 0.0, 1.0, 0.0, d) if vertical else (1.0, 0.0, 0.0, 1.0, d, 0.0)


def _move(st: _TextState, tx: float, ty: float) -> None:
    st.tlm = mul((1.0, 0.0, 0.0, 1.0, tx, ty), st.tlm)
    st.tm = st.tlm


def _state_op(st: _TextState, op: str, args: list[Any]) -> None:
    f = [float(a) for a in args if isinstance(a, _NUMBER)]
    if op == "q":
        st.stack.append(st.ctm)
    elif op == "Q":
        st.ctm = st.stack.pop() if st.stack else IDENTITY
    elif op == "cm" and len(f) == 6:
        st.ctm = mul((f[0], f[1], f[2], f[3], f[4], f[5]), st.ctm)
    elif op == "BT":
        st.tm = st.tlm = IDENTITY
    elif op == "Tf":
        st.font, st.size = str(args[0]), float(args[1])
    elif op == "Tc" and f:
        st.tc = f[0]
    elif op == "Tw" and f:
        st.tw = f[0]
    elif op == "Tz" and f:
        st.th = f[0] / 100.0
    elif op == "TL" and f:
        st.tl = f[0]
    elif op == "Td" and len(f) == 2:
        _move(st, f[0], f[1])
    elif op == "TD" and len(f) == 2:
        st.tl = -f[1]
        _move(st, f[0], f[1])
    elif op == "Tm" and len(f) == 6:
        st.tlm = st.tm = (f[0], f[1], f[2], f[3], f[4], f[5])
    elif op == "T*":
        _move(st, 0.0, -st.tl)


def walk(page: Any, ops: list[Any]) -> list[Show]:
    """Every text-showing operator of a parsed page content stream, with glyph positions."""
    fonts = _fonts(page)
    st = _TextState()
    shows: list[Show] = []
    for i, (operands, operator) in enumerate(ops):
        op = str(operator)
        args = list(operands)
        if op in ("Tj", "TJ", "'", '"'):
            if op == '"' and len(args) == 3:
                st.tw, st.tc = float(args[0]), float(args[1])
            if op in ("'", '"'):
                _move(st, 0.0, -st.tl)
            info = fonts.get(st.font, FontInfo(simple=True))
            items = list(args[-1]) if op == "TJ" else [args[-1]]
            glyphs, scale = _show(st, items, info)
            shows.append(Show(i, st.font, st.size, info.simple, glyphs, scale, op,
                              info.vertical, st.tc))
        else:
            _state_op(st, op, args)
    return shows


def join_text(shows: list[Show]) -> tuple[str, list[tuple[int, int] | None]]:
    """Reading text of a page and, per character, (show index, glyph index) or None."""
    out: list[str] = []
    where: list[tuple[int, int] | None] = []
    prev: Glyph | None = None
    prev_vertical = False
    for si, show in enumerate(shows):
        em = max(show.size * show.scale, 1.0)
        for gi, g in enumerate(show.glyphs):
            if prev is not None:
                if prev_vertical or show.vertical:
                    across, gap = _step(prev, prev_vertical, g, show.vertical)
                else:
                    across, gap = abs(g.y - prev.y), g.x - (prev.x + prev.adv)
                if across > 0.5 * em or gap < -0.5 * em:
                    out.append("\n")
                    where.append(None)
                elif gap > 0.15 * em and not g.text.isspace() and not prev.text.isspace():
                    out.append(" ")
                    where.append(None)
            for ch in g.text:
                out.append(ch)
                where.append((si, gi))
            prev, prev_vertical = g, show.vertical
    return "".join(out), where


def _step(prev: Glyph, prev_vertical: bool, g: Glyph, vertical: bool) -> tuple[float, float]:
    """(distance across the line, gap along it) from where `prev` left the pen to `g`, when
    either is in vertical writing. Down one column: the column's x, then the gap below the
    previous glyph. Between a column and horizontal text (a line token of lines.py beside
    a column's first or last glyph): the distance between the two, both ways (half an em
    apart is another line)."""
    if prev_vertical and vertical:
        return abs(g.x - prev.x), (prev.y - prev.adv) - g.y
    ex, ey = (prev.x, prev.y - prev.adv) if prev_vertical else (prev.x + prev.adv, prev.y)
    d = ((g.x - ex) ** 2 + (g.y - ey) ** 2) ** 0.5
    return d, d
