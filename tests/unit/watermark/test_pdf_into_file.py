"""Large PDFs are marked file to file (``embed_into`` with ``Prepared.of_file``): the copy is
the one pikepdf makes from the same original in memory, marks and page images included, and
it traces back against the original held in memory, as the tracer holds it."""

import io
import tempfile

import pikepdf
import pytest

from app.watermark import Prepared, detect, embed, embed_into, prepare
from app.watermark.pdf import download_choice, embed_pdf_pikepdf
from tests.unit.watermark.test_pdf_layers import HAVE_POPPLER, ORIGINAL, cands, spec
from tests.unit.watermark.test_pdf_writer import LONG, decoded

PDF = "application/pdf"


def _originals() -> list[bytes]:
    if not HAVE_POPPLER:
        return [ORIGINAL, LONG]
    from tests.producers import scan_pdf  # page images: the image layer is marked too

    return [ORIGINAL, LONG, scan_pdf()]


def _images(data: bytes) -> list[bytes]:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return [bytes(x.read_raw_bytes()) for p in pdf.pages
                for x in (p.obj.Resources.get("/XObject") or {}).values()]


def _into_file(original: bytes, mark: object) -> bytes:
    with tempfile.TemporaryFile() as src, tempfile.TemporaryFile() as out:
        src.write(original)
        embed_into(Prepared.of_file(src, PDF), PDF, mark, out)  # type: ignore[arg-type]
        out.seek(0)
        return out.read()


@pytest.mark.parametrize("k", range(3), ids=["reportlab", "long", "scan"])
def test_a_copy_marked_from_a_file_is_the_copy_pikepdf_makes_in_memory(k):
    originals = _originals()
    if k >= len(originals):
        pytest.skip("poppler is needed to build a scanned original")
    original, cs = originals[k], cands(3)
    mark = spec(cs[2])
    in_memory = prepare(original, PDF)
    ref = embed_pdf_pikepdf(in_memory, mark, download_choice(in_memory, mark))
    got = _into_file(original, mark)
    assert decoded(got) == decoded(ref)
    assert _images(got) == _images(ref)
    assert detect(got, in_memory, PDF, cs).identified == (cs[2].id,)


def test_an_original_in_a_file_is_never_read_whole():
    with tempfile.TemporaryFile() as src:
        src.write(ORIGINAL)
        prep = Prepared.of_file(src, PDF)
        assert prep.size == len(ORIGINAL) and prep.nbytes == 0
        with pytest.raises(ValueError):
            prep.original  # noqa: B018 - the refusal is the point
        with pytest.raises(ValueError):
            embed(prep, PDF, spec(cands(1)[0]))  # the splice template would hold it all


def test_only_pdfs_are_marked_into_a_file():
    with pytest.raises(ValueError), tempfile.TemporaryFile() as out:
        embed_into(b"a letter\n", "text/plain", spec(cands(1)[0]), out)
