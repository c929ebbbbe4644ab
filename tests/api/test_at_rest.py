"""Nothing confidential is stored in clear: every content endpoint is exercised with marker
strings, then the database (the SQLite file with its WAL, or a pg_dump of the PostgreSQL
database) and the whole data directory (blob store and key files) are scanned for them."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from sqlalchemy import make_url, text

AMOUNT = 7_316_029  # an amount whose digits would stand out
MARKERS = {
    "offer terms": "ZQX-OFFER-TERMS-5521",
    "counter terms": "ZQX-COUNTER-TERMS-8843",
    "rule68 terms": "ZQX-RULE68-TERMS-1177",
    "joint message": "ZQX-JOINT-MSG-3094",
    "caucus message": "ZQX-CAUCUS-MSG-6620",
    "statement": "ZQX-STATEMENT-4410",
    "evaluation": "ZQX-EVALUATION-9902",
    "document text": "ZQX-DOCUMENT-BODY-2718",
    "filename": "ZQX-FILENAME-3141",
}


def exercise(api, room):
    u = room.users
    api.consent_all(room)
    offer = api.offer(room, terms=f"Pay and release. {MARKERS['offer terms']}",
                      amount_cents=AMOUNT)
    counter = api.offer(room, by="defense_counsel", from_party="defendant",
                        to_party="plaintiff", replies_to=offer["id"],
                        terms=f"Counter. {MARKERS['counter terms']}", amount_cents=AMOUNT + 1)
    r = api.client.post(f"/api/v1/cases/{room.id}/offers/{counter['id']}/accept",
                        headers=u["plaintiff_counsel"].headers,
                        json={"terms_sha256": counter["terms_sha256"]})
    assert r.status_code == 200, r.text
    assert MARKERS["counter terms"] in r.text  # the content is really there to be found
    api.rule68_offer(room, terms=f"Judgment. {MARKERS['rule68 terms']}", amount_cents=AMOUNT)
    session = api.ene_session(room)
    base = f"/api/v1/cases/{room.id}/ene-sessions/{session['id']}"
    for body, channel in ((MARKERS["joint message"], "joint"),
                          (MARKERS["caucus message"], f"caucus:{room.parties['plaintiff']}")):
        r = api.client.post(f"{base}/messages", headers=u["plaintiff_counsel"].headers,
                            json={"channel": channel, "body": body})
        assert r.status_code == 201, r.text
    r = api.client.post(f"{base}/statements", headers=u["plaintiff_counsel"].headers,
                        json={"party_id": room.parties["plaintiff"],
                              "body": MARKERS["statement"]})
    assert r.status_code == 201, r.text
    r = api.client.post(f"{base}/evaluation", headers=u["neutral"].headers,
                        json={"body": MARKERS["evaluation"], "share_with_party_ids": []})
    assert r.status_code in (200, 201), r.text
    doc = api.document(room, f"Settlement letter.\n{MARKERS['document text']}\n".encode(),
                       filename=f"{MARKERS['filename']}.txt")
    copy = api.download(room, doc["id"], "defense_counsel")
    assert copy.status_code == 200 and MARKERS["document text"] in copy.text


def database_bytes(app) -> bytes:
    engine = app.state.engine
    url = make_url(app.state.settings.database_url)
    if engine.dialect.name == "sqlite":
        data = b""  # the file and its write-ahead log: recent pages live in the WAL
        for suffix in ("", "-wal", "-shm"):
            path = f"{url.database}{suffix}"
            if os.path.exists(path):
                data += open(path, "rb").read()
        return data
    if shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed")
    env = {**os.environ, "PGPASSWORD": url.password or ""}
    dump = subprocess.run(
        ["pg_dump", "-h", url.host or "127.0.0.1", "-p", str(url.port or 5432),
         "-U", url.username or "postgres", "--data-only", url.database],
        capture_output=True, check=True, env=env)
    with engine.connect() as conn:  # the dump must hold the data it should
        assert conn.execute(text("SELECT count(*) FROM audit_events")).scalar_one() > 0
    return dump.stdout


def data_dir_bytes(app) -> bytes:
    data = b""
    for root, _, files in os.walk(app.state.settings.data_dir):
        for name in files:
            data += name.encode() + b"\0" + open(os.path.join(root, name), "rb").read()
    return data


def test_no_confidential_marker_is_stored_in_clear(api, app):
    room = api.room()
    exercise(api, room)
    stored = database_bytes(app) + data_dir_bytes(app)
    assert b"Doe v. Acme Corp." in database_bytes(app)  # captions are not confidential
    found = [what for what, marker in MARKERS.items() if marker.encode() in stored]
    found += [f"amount {AMOUNT}" for _ in [1] if str(AMOUNT).encode() in stored]
    assert found == []
