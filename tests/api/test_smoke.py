def test_health(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {
        "status": "ready", "checks": {"database": "ok", "blob_store": "ok", "key_store": "ok"}}


def test_room(api):
    room = api.room()
    r = api.client.get(f"/api/v1/cases/{room.id}/members", headers=room.users["auditor"].headers)
    assert r.status_code == 200
    assert len(r.json()) == 8
