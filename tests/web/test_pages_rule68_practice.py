"""Rule 68 page, as practiced: plain words for a client, the warnings both sides see, the
attorney's-fees term, certificates of service, and a mailed acceptance recorded from the
page after the window closed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.api.offers.conftest import Clock
from tests.web.helpers import page_csrf, sign_in_as


@pytest.fixture(scope="module")
def clock(web_app):  # noqa: ANN001, ANN201
    return Clock(web_app, datetime(2026, 11, 12, 15, 0, tzinfo=UTC))


@pytest.fixture(scope="module")
def offer(web_api, room, clock):  # noqa: ANN001, ANN201
    return web_api.rule68_offer(room, service_method="mail",
                                served_at="2026-11-10T17:00:00Z",
                                certificate={"served_by_name": "A. Paralegal",
                                             "served_on": "Jane Doe's counsel, by mail",
                                             "text": "Served by first-class mail."})


def test_client_reads_plain_words_and_both_sides_see_the_warnings(client, room, offer):
    sign_in_as(client, room.users["plaintiff_client"])
    page = client.get(f"/cases/{room.id}/rule68").text
    # 14 days after Tue Nov 10 is Tue Nov 24; mail adds 3: Fri Nov 27 is the day after
    # Thanksgiving in California, then the weekend: Monday, November 30.
    assert "by 11:59 pm Pacific, Monday, November 30" in page
    assert "talk to your lawyer" in page and "settlement conference" in page
    for who in ("plaintiff_client", "defense_counsel"):
        sign_in_as(client, room.users[who])
        page = client.get(f"/cases/{room.id}/rule68").text
        assert 'data-code="attorney_fees_silent"' in page and "Nusom" in page
        assert 'data-code="backdated_service"' in page and "Service backdated" in page
        assert "A. Paralegal served" in page and "FRCP 5(b)(2)(C)" in page
    assert "talk to your lawyer" not in page


def test_mailed_acceptance_recorded_from_the_page(client, room, offer, clock):
    clock.set(datetime(2026, 12, 3, 17, 0, tzinfo=UTC))
    sign_in_as(client, room.users["plaintiff_counsel"])
    page = client.get(f"/cases/{room.id}/rule68").text
    assert "Record a notice of acceptance served outside the room" in page
    r = client.post(f"/cases/{room.id}/rule68/{offer['id']}/acceptances", data={
        "csrf_token": page_csrf(client, f"/cases/{room.id}/rule68"), "service_method": "mail",
        "served_at": "2026-11-30T21:00", "cert_by": "Plaintiff-Counsel",
        "cert_on": "Counsel for Acme Corp., by mail", "cert_text": "Mailed the notice.",
        "terms_sha256": offer["terms_sha256"]})
    assert r.status_code == 200, r.text
    assert "Status: accepted" in r.text and "by mail service outside the room" in r.text
    assert "backdated" in r.text
