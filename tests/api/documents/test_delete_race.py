"""A deletion racing downloads of the same document: never both. Either the deletion wins
(every download after it answers 404 and no copy exists) or a copy was made first (the
deletion answers 409 ``document_already_accessed`` and the document stays).

PostgreSQL only: there the document row's locks (FOR UPDATE in the deletion, FOR SHARE in
the download) decide; without them a download could read the row, the deletion commit,
and the download then fail on its foreign key (a 500) or hand out a copy of a deleted
document. SQLite serialises write transactions, and a download that read before a
deletion committed is run again (``app.db``).
"""

from __future__ import annotations

import threading

import pytest

from tests import dbutil
from tests.api.documents.helpers import order_text, pdf_doc, text_doc
from tests.testclient import TestClient

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not dbutil.pg_server_url(), reason="only PostgreSQL shows a missing "
                       "row lock (SQLite serialises write transactions)"),
]

DOWNLOADS = 4
ROUNDS = 4


def _race(app, calls):  # noqa: ANN001, ANN202
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i: int) -> None:
        method, path, headers = calls[i]
        client = TestClient(app)
        barrier.wait()
        results[i] = client.request(method, path, headers=headers)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


@pytest.mark.parametrize("kind", ["in_memory", "spooled"])
def test_delete_racing_downloads_never_both(api, app, monkeypatch, kind):  # noqa: ANN001
    """``spooled``: a PDF copy made between two transactions (SETTLEROOM_PDF_SPOOL_ABOVE_BYTES
    0): its record's transaction takes the share lock again and finds the document gone."""
    if kind == "spooled":
        monkeypatch.setattr(app.state.services.settings, "pdf_spool_above_bytes", 0)
    room = api.room()
    outcomes = set()
    for k in range(ROUNDS):
        content = (text_doc(f"RACE-{k}") if kind == "in_memory"
                   else pdf_doc(f"Race {k}.\n\n" + order_text()[:2000]))
        doc = api.document(room, content, filename="order.pdf" if kind == "spooled"
                           else "order.txt")
        base = f"/api/v1/cases/{room.id}/documents/{doc['id']}"
        delete = ("DELETE", base, room.users["plaintiff_counsel"].headers)
        download = ("GET", base + "/content", room.users["defense_counsel"].headers)
        # The deletion starts first or in the middle of the downloads, by round.
        calls = [download] * DOWNLOADS
        calls.insert(k % (DOWNLOADS + 1), delete)
        results = _race(app, calls)
        assert None not in results, "a request raised (a 500 in the server)"
        deleted = results[calls.index(delete)]
        copies = [r for c, r in zip(calls, results, strict=True) if c is download]
        assert all(r.status_code in (200, 404) for r in copies), [r.text for r in copies]
        if deleted.status_code == 204:
            assert all(r.status_code == 404 for r in copies)
            outcomes.add("deleted")
        else:
            assert deleted.status_code == 409, deleted.text
            assert deleted.json()["code"] == "document_already_accessed"
            assert any(r.status_code == 200 for r in copies)
            records = api.client.get(base + "/downloads",
                                     headers=room.users["auditor"].headers).json()
            assert len(records) == sum(r.status_code == 200 for r in copies)
            outcomes.add("kept")
    assert outcomes  # each round ended in exactly one of the two consistent states
