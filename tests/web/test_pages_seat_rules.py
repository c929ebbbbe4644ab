"""Pages for the party's own choices: counsel's control of a client's access to offers on
the members page, and each party's confirmation of the ENE evaluator on the session page."""

from __future__ import annotations

from tests.web.helpers import page_csrf, sign_in_as


def _client_seat(api, room) -> str:  # noqa: ANN001
    rows = api.client.get(f"/api/v1/cases/{room.id}/members",
                          headers=room.admin.headers).json()
    return next(m["id"] for m in rows if m["user_id"] == room.users["defense_client"].id)


def test_counsel_switches_its_clients_offer_access_and_others_get_no_control(api, client,
                                                                             room):
    seat = _client_seat(api, room)
    action = f"/cases/{room.id}/members/{seat}/offer-access"
    for label in ("plaintiff_counsel", "room_admin", "defense_client"):
        sign_in_as(client, room.users[label])
        assert action not in client.get(f"/cases/{room.id}/members").text, label
    r = client.post(action, data={"reads_offers": "no",
                                  "csrf_token": page_csrf(client, f"/cases/{room.id}/members")})
    assert r.status_code == 403

    offer = api.offer(room, by="plaintiff_counsel", from_party="plaintiff",
                      to_party="defendant")
    sign_in_as(client, room.users["defense_counsel"])
    page = client.get(f"/cases/{room.id}/members")
    assert action in page.text and "Stop showing offers" in page.text
    r = client.post(action, data={"reads_offers": "no", "csrf_token": page_csrf(
        client, f"/cases/{room.id}/members")})
    assert r.status_code == 200 and "Show offers" in r.text
    read = api.client.get(f"/api/v1/cases/{room.id}/offers/{offer['id']}",
                          headers=room.users["defense_client"].headers)
    assert read.status_code == 404
    r = client.post(action, data={"reads_offers": "yes", "csrf_token": page_csrf(
        client, f"/cases/{room.id}/members")})
    assert r.status_code == 200 and "Stop showing offers" in r.text


def test_each_party_confirms_the_evaluator_on_the_session_page(api, client, room):
    ene = api.ene_session(room, confirmed=False)
    path = f"/cases/{room.id}/ene/{ene['id']}"
    sign_in_as(client, room.users["neutral"])
    page = client.get(path)
    assert "not answered yet" in page.text
    assert f"{path}/evaluator-confirmation" not in page.text  # the evaluator answers nothing
    assert f'{path}/messages"' not in page.text  # and cannot write before confirmation
    for label in ("plaintiff_counsel", "defense_counsel", "pro_se"):
        sign_in_as(client, room.users[label])
        page = client.get(path)
        assert page.text.count(f"{path}/evaluator-confirmation") == 1, label
        party = {"plaintiff_counsel": "plaintiff", "defense_counsel": "defendant",
                 "pro_se": "defendant2"}[label]
        r = client.post(f"{path}/evaluator-confirmation", data={
            "decision": "confirm", "party_id": room.parties[party],
            "csrf_token": page_csrf(client, path)})
        assert r.status_code == 200 and "confirmation of the evaluator is recorded" in r.text
    assert "Every party confirmed the evaluator." in r.text
    sign_in_as(client, room.users["neutral"])
    assert f'{path}/messages"' in client.get(path).text
