"""The case settings page: the room admin chooses where downloaded copies carry the visible
legend, from a closed list; other members get no such control and are refused."""

from __future__ import annotations

import re

from tests.web.helpers import page_csrf, sign_in_as


def _selected(html: str) -> list[str]:
    select = html.split('<select id="details-legend" name="legend_position">')[1]
    select = select.split("</select>")[0]
    assert re.findall(r'<option value="(\w+)"', select) == ["footer", "header", "diagonal"]
    return re.findall(r'<option value="(\w+)" selected>', select)


def test_room_admin_chooses_the_legend_position(web_api, api, client):
    room = web_api.room()
    sign_in_as(client, room.admin)
    assert _selected(client.get(f"/cases/{room.id}").text) == ["footer"]
    r = client.post(f"/cases/{room.id}/details", data={
        "csrf_token": page_csrf(client), "legend_position": "diagonal",
        "trial_date": ""})
    assert r.status_code == 200 and "Case details saved" in r.text
    assert _selected(r.text) == ["diagonal"]
    got = api.client.get(f"/api/v1/cases/{room.id}", headers=room.admin.headers).json()
    assert got["legend_position"] == "diagonal"
    r = client.post(f"/cases/{room.id}/details", data={
        "csrf_token": page_csrf(client), "legend_position": "upside-down"})
    assert r.status_code == 422 and "footer, the header or diagonally" in r.text


def test_other_members_get_no_control_and_are_refused(web_api, client):
    room = web_api.room()
    sign_in_as(client, room.users["plaintiff_counsel"])
    assert 'name="legend_position"' not in client.get(f"/cases/{room.id}").text
    r = client.post(f"/cases/{room.id}/details", data={
        "csrf_token": page_csrf(client), "legend_position": "header"})
    assert r.status_code == 403
