"""The documents flows on an S3 bucket (moto's server): upload, download, replace, trace,
destroy and sweep, with the store's invariants: only ciphertext in the bucket, the object
before the row, no plaintext left in the local spool, a sweep that spares what is young."""

from __future__ import annotations

import os
import time
import uuid

import pytest
from sqlalchemy import func, select

from app.documents import repository as doc_repo
from app.documents.storage import sweep_orphans
from app.models.documents import DocumentVersion
from tests.api.documents.helpers import MARKER, text_doc
from tests.s3server import free_port

NAME_MARKER = "QWVZ-FILENAME-4410"


@pytest.fixture
def settings(s3_settings):  # noqa: ANN001, ANN201
    return s3_settings


def _versions(api) -> int:  # noqa: ANN001
    with api.app.state.sessionmaker() as s:
        return s.execute(select(func.count()).select_from(DocumentVersion)).scalar_one()


def _local_files(api) -> list[str]:  # noqa: ANN001
    data_dir = api.app.state.settings.data_dir
    return [str(p.relative_to(data_dir)) for sub in ("blobs", "spool")
            for p in (data_dir / sub).rglob("*") if p.is_file()]


def _forget_originals(api, room) -> None:  # noqa: ANN001
    """Empty the decrypted-originals cache, so the next read goes to the bucket."""
    api.app.state.services.originals.drop_case(uuid.UUID(room.id))


def test_upload_download_replace_keep_only_ciphertext_in_the_bucket(api, s3_server, bucket):
    room = api.room()
    doc = api.document(room, text_doc(), filename=f"{NAME_MARKER}.txt")
    assert set(s3_server.objects(bucket)) == {f"blobs/{room.id}/{doc['version_id']}"}
    _forget_originals(api, room)
    r = api.download(room, doc["id"], "defense_counsel")
    assert r.status_code == 200 and MARKER.encode() in r.content

    url = f"/api/v1/cases/{room.id}/documents/{doc['id']}/versions"
    r = api.client.post(url, headers=room.users["plaintiff_counsel"].headers,
                        files={"file": ("v2.txt", text_doc("SECOND-VERSION-9911"),
                                        "application/octet-stream")})
    assert r.status_code == 201, r.text
    v2 = r.json()["version_id"]
    _forget_originals(api, room)
    r = api.download(room, doc["id"], "defense_counsel")
    assert r.status_code == 200 and b"SECOND-VERSION-9911" in r.content

    objects = s3_server.objects(bucket)
    assert set(objects) == {f"blobs/{room.id}/{doc['version_id']}", f"blobs/{room.id}/{v2}"}
    for key, data in objects.items():
        for marker in (MARKER, NAME_MARKER, "SECOND-VERSION-9911"):
            assert marker.encode() not in data, key
            assert marker.encode("utf-16-le") not in data, key
    # Nothing of the uploads stays on the local disk: no blob, no spooled plaintext.
    assert _local_files(api) == []


def test_a_copy_downloaded_from_the_bucket_is_traced_to_its_recipient(api):
    room = api.room()
    doc = api.document(room, text_doc())
    _forget_originals(api, room)
    r = api.download(room, doc["id"], "defense_counsel")
    assert r.status_code == 200
    download_id = r.headers["x-download-id"]
    _forget_originals(api, room)  # the trace decrypts the original from the bucket again
    r = api.client.post("/api/v1/traces", headers=room.users["auditor"].headers,
                        json={"text": r.content.decode()})
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["verdict"] == "identified" and got["errors"] == []
    assert [m["download_id"] for m in got["matches"]] == [download_id]


def test_the_object_is_stored_before_the_row_that_names_it(api, s3_server, bucket,
                                                           monkeypatch):
    seen = []
    real_add = doc_repo.add

    def add(session, row):  # noqa: ANN001, ANN202
        if isinstance(row, DocumentVersion):
            key = f"blobs/{row.case_id}/{row.id}"
            s3_server.client().head_object(Bucket=bucket, Key=key)  # raises if absent
            seen.append(key)
        return real_add(session, row)

    monkeypatch.setattr(doc_repo, "add", add)
    room = api.room()
    doc = api.document(room, text_doc())
    assert seen == [f"blobs/{room.id}/{doc['version_id']}"]


def test_a_failure_after_the_upload_leaves_an_orphan_object_never_a_row(api, s3_server,
                                                                       bucket, monkeypatch):
    room = api.room()
    before = _versions(api)

    real_add = doc_repo.add

    def fail(session, row):  # noqa: ANN001, ANN202
        if isinstance(row, DocumentVersion):
            raise RuntimeError("the insert failed")
        return real_add(session, row)

    monkeypatch.setattr(doc_repo, "add", fail)
    with pytest.raises(RuntimeError):  # the test client re-raises what the app answers 500
        api.upload(room, text_doc())
    monkeypatch.undo()
    assert _versions(api) == before
    orphans = [k for k in s3_server.objects(bucket) if k.startswith(f"blobs/{room.id}/")]
    assert len(orphans) == 1  # the blob came first; the sweep removes it once it is old
    with api.app.state.sessionmaker() as s:
        removed = sweep_orphans(s, api.app.state.services.blob_store, now=time.time() + 7200)
    assert [f"blobs/{e.key.case_id}/{e.key.name}" for e in removed] == orphans
    assert s3_server.objects(bucket) == {}


def test_the_sweep_spares_young_orphans_and_named_objects(api, s3_server, bucket):
    room = api.room()
    doc = api.document(room, text_doc())
    store = api.app.state.services.blob_store
    c = s3_server.client()
    old_key = f"blobs/{room.id}/{uuid.uuid4()}"
    c.put_object(Bucket=bucket, Key=old_key, Body=b"ciphertext of a failed request")
    old_at = c.head_object(Bucket=bucket, Key=old_key)["LastModified"].timestamp()
    young_key = f"blobs/{room.id}/{uuid.uuid4()}"
    while True:  # the bucket's clock has one-second steps: the young one must be later
        c.put_object(Bucket=bucket, Key=young_key, Body=b"an upload in flight")
        young_at = c.head_object(Bucket=bucket, Key=young_key)["LastModified"].timestamp()
        if young_at > old_at:
            break
        time.sleep(0.2)
    # A crashed request's spooled plaintext, old, and one still being read, young.
    spool = store.spool_dir(uuid.UUID(room.id))
    spool.mkdir(parents=True, exist_ok=True)
    stale, live = spool / ".tmp-stale", spool / ".tmp-live"
    stale.write_bytes(b"plaintext of a crashed request")
    live.write_bytes(b"plaintext of an upload being read")
    os.utime(stale, (old_at - 1, old_at - 1))
    os.utime(live, (young_at, young_at))

    grace = 3600
    with api.app.state.sessionmaker() as s:
        removed = sweep_orphans(s, store, now=old_at + grace + 0.5, grace_seconds=grace)
    assert sorted(e.key.name for e in removed) == sorted([old_key.rsplit("/", 1)[1],
                                                          ".tmp-stale"])
    assert set(s3_server.objects(bucket)) == {f"blobs/{room.id}/{doc['version_id']}",
                                              young_key}
    assert live.exists() and not stale.exists()
    _forget_originals(api, room)
    assert api.download(room, doc["id"], "defense_counsel").status_code == 200


def test_destruction_deletes_the_case_objects_after_its_keys(api, s3_server, bucket,
                                                           monkeypatch):
    room, other = api.room(), api.room()
    api.document(room, text_doc())
    api.document(room, text_doc("ANOTHER-ONE-5521"))
    kept = api.document(other, text_doc())
    assert len(s3_server.objects(bucket)) == 3
    svc = api.app.state.services
    keys_when_deleted = []
    real = svc.blob_store.delete_case

    def delete_case(case_id):  # noqa: ANN001, ANN202
        keys_when_deleted.append(svc.key_provider.has_keys(str(case_id)))
        return real(case_id)

    monkeypatch.setattr(svc.blob_store, "delete_case", delete_case)
    r = api.client.post(f"/api/v1/cases/{room.id}/destroy",
                        headers=room.users["room_admin"].headers,
                        json={"confirm_caption": "Doe v. Acme Corp."})
    assert r.status_code == 200, r.text
    assert set(s3_server.objects(bucket)) == {f"blobs/{other.id}/{kept['version_id']}"}
    assert keys_when_deleted == [False]  # crypto-shredded first, then deleted


def test_objects_left_by_a_destruction_go_at_the_next_sweep(api, s3_server, bucket,
                                                           monkeypatch):
    """The store unreachable during a destruction does not hold it back (the keys are
    already gone); the sweep deletes the leftovers whatever their age."""
    room = api.room()
    api.document(room, text_doc())
    store = api.app.state.services.blob_store
    real = store.delete_case
    from app.blobs import BlobStoreUnavailable

    def down(case_id):  # noqa: ANN001, ANN202
        raise BlobStoreUnavailable()

    monkeypatch.setattr(store, "delete_case", down)
    r = api.client.post(f"/api/v1/cases/{room.id}/destroy",
                        headers=room.users["room_admin"].headers,
                        json={"confirm_caption": "Doe v. Acme Corp."})
    assert r.status_code == 200, r.text
    assert len(s3_server.objects(bucket)) == 1
    monkeypatch.setattr(store, "delete_case", real)
    with api.app.state.sessionmaker() as s:
        removed = sweep_orphans(s, store)  # default grace: the object is seconds old
    assert len(removed) == 1 and s3_server.objects(bucket) == {}


def test_the_sweep_command_works_on_the_bucket(api, s3_server, bucket, monkeypatch, capsys):
    from app import cli

    room = api.room()
    doc = api.document(room, text_doc())
    orphan = f"blobs/{room.id}/{uuid.uuid4()}"
    s3_server.client().put_object(Bucket=bucket, Key=orphan, Body=b"left by a failed request")
    monkeypatch.setattr(cli, "get_settings", lambda: api.app.state.settings)
    assert cli.main(["blobs", "sweep"]) == 0  # the orphan is young: kept
    assert "removed 0 orphan blob(s)" in capsys.readouterr().out
    assert cli.main(["blobs", "sweep", "--grace-seconds", "0"]) == 0
    assert "removed 1 orphan blob(s)" in capsys.readouterr().out
    assert set(s3_server.objects(bucket)) == {f"blobs/{room.id}/{doc['version_id']}"}
    unreachable = api.app.state.settings.model_copy(
        update={"s3_endpoint_url": f"http://127.0.0.1:{free_port()}"})
    monkeypatch.setattr(cli, "get_settings", lambda: unreachable)
    assert cli.main(["blobs", "sweep"]) == 1
    assert "blob store is unavailable" in capsys.readouterr().err
