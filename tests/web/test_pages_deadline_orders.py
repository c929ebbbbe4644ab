"""A court order extending a Rule 68 offer's time to accept shows on the Rule 68 page with
the order's date and docket source, to each side that sees the offer."""

from __future__ import annotations

from tests.web.helpers import sign_in_as


def test_the_rule68_page_shows_the_order_with_its_date_and_source(web_api, client, room):
    offer = web_api.rule68_offer(room)
    r = web_api.client.post(
        f"/api/v1/cases/{room.id}/deadline-orders",
        headers=room.users["plaintiff_counsel"].headers,
        json={"kind": "court_order", "applies_to": f"rule68:{offer['id']}", "extra_days": 7,
              "order_date": offer["served_on"], "source": "ECF No. 42"})
    assert r.status_code == 201, r.text
    line = f"by order of the court of {offer['served_on']}, ECF No. 42"
    assert r.json()["explanation"][0] == (
        f"Extended to {r.json()['effective_deadline']} {line}")
    for who in ("plaintiff_counsel", "defense_counsel", "plaintiff_client"):
        sign_in_as(client, room.users[who])
        page = client.get(f"/cases/{room.id}/rule68")
        assert page.status_code == 200
        assert f"Extended to {r.json()['effective_deadline']} {line}" in page.text
