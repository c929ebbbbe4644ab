"""The web pages' upload forms on S3: the body is spooled on the local disk (never in the
bucket), the blob lands in the bucket, and the spool is empty afterwards."""

from __future__ import annotations

import pytest

from tests.api.documents.helpers import MARKER, text_doc
from tests.web.helpers import page_csrf, sign_in_as


@pytest.fixture
def settings(s3_settings):  # noqa: ANN001, ANN201
    return s3_settings


def test_a_page_upload_and_a_new_version_land_in_the_bucket(api, client, s3_server, bucket):
    room = api.room()
    sign_in_as(client, room.users["plaintiff_counsel"])
    r = client.post(f"/cases/{room.id}/documents", params={"csrf_token": page_csrf(client)},
                    data={"designation": "CONFIDENTIAL", "audience_mode": "all"},
                    files={"file": ("order.txt", text_doc(), "text/plain")})
    assert r.status_code == 200, r.text
    docs = api.client.get(f"/api/v1/cases/{room.id}/documents",
                          headers=room.users["plaintiff_counsel"].headers).json()
    assert len(docs) == 1
    r = client.post(f"/cases/{room.id}/documents/{docs[0]['id']}/versions",
                    params={"csrf_token": page_csrf(client)},
                    files={"file": ("v2.txt", text_doc("PAGE-V2-6161"), "text/plain")})
    assert r.status_code == 200 and "New version uploaded" in r.text
    objects = s3_server.objects(bucket)
    assert len(objects) == 2 and all(k.startswith(f"blobs/{room.id}/") for k in objects)
    assert not any(MARKER.encode() in v or b"PAGE-V2-6161" in v for v in objects.values())
    spool = api.app.state.settings.data_dir / "spool"
    assert [p for p in spool.rglob("*") if p.is_file()] == []
    assert not (api.app.state.settings.data_dir / "blobs" / room.id).exists()
