"""Nothing is sent by accident on the offers page: a review step with the amount in words,
a second question for a zero offer, a way back to the filled-in form, a counter-offer that
starts from the offer it answers, the gap between the sides, a settled thread that stops,
and confirmations whose first focus is Cancel."""

from __future__ import annotations

import html
import re

from tests.web.helpers import csrf_of, page_csrf, sign_in_as

# Cancel closes the dialog without the script and has the focus when it opens.
CANCEL_FIRST = r'<button[^>]*formmethod="dialog" formnovalidate autofocus>Cancel</button>'


def _offers(api, room, user: str) -> list[dict]:  # noqa: ANN001
    r = api.client.get(f"/api/v1/cases/{room.id}/offers", headers=room.users[user].headers)
    assert r.status_code == 200
    return r.json()


def _form(room, **fields: str) -> dict[str, str]:  # noqa: ANN001
    return {"from_party_id": room.parties["plaintiff"], "to_party_id": room.parties["defendant"],
            "amount": "250,000", "terms": "Mutual release; dismissal with prejudice.",
            "currency": "USD", "designation": "CONFIDENTIAL", **fields}


def test_an_offer_is_reviewed_with_its_amount_in_words_before_it_is_sent(api, client):
    room = api.room()
    sign_in_as(client, room.users["plaintiff_counsel"])
    token = page_csrf(client, f"/cases/{room.id}/offers")
    review = client.post(f"/cases/{room.id}/offers", data={"csrf_token": token, **_form(room)})
    assert review.status_code == 200 and "Review the offer before it is sent" in review.text
    assert "Two hundred and fifty thousand dollars, zero cents" in review.text
    assert re.search(r'class="review-recipient">Acme Corp\.<', review.text)
    assert "Mutual release; dismissal with prejudice." in review.text
    # The memorandum's FRE 408 legend: a limit on evidence, no confidentiality privilege.
    assert "Settlement record - FRE 408 limits its use as evidence; not privileged" in review.text
    assert "does not prevent proving this settlement to enforce it" in review.text
    assert "CONFIDENTIAL SETTLEMENT COMMUNICATION" not in review.text
    assert _offers(api, room, "plaintiff_counsel") == []  # nothing sent yet
    sent = client.post(f"/cases/{room.id}/offers", follow_redirects=False,
                       data={"csrf_token": token, "step": "send", **_form(room)})
    assert sent.status_code == 303 and "offer_made" in sent.headers["location"]
    [offer] = _offers(api, room, "plaintiff_counsel")
    assert offer["amount_cents"] == 25_000_000 and offer["status"] == "open"


def test_a_zero_offer_asks_twice(api, client):
    room = api.room()
    sign_in_as(client, room.users["plaintiff_counsel"])
    token = page_csrf(client, f"/cases/{room.id}/offers")
    zero = _form(room, amount="0")
    review = client.post(f"/cases/{room.id}/offers", data={"csrf_token": token, **zero})
    assert "This offer is for zero." in review.text and 'name="zero_confirmed"' in review.text
    again = client.post(f"/cases/{room.id}/offers",
                        data={"csrf_token": token, "step": "send", **zero})
    assert again.status_code == 200 and "Tick the box below to send it anyway" in again.text
    assert _offers(api, room, "plaintiff_counsel") == []
    sent = client.post(f"/cases/{room.id}/offers", follow_redirects=False, data={
        "csrf_token": token, "step": "send", "zero_confirmed": "yes", **zero})
    assert sent.status_code == 303
    assert [o["amount_cents"] for o in _offers(api, room, "plaintiff_counsel")] == [0]


def test_change_it_returns_to_the_form_with_every_field_filled_in(api, client):
    room = api.room()
    sign_in_as(client, room.users["plaintiff_counsel"])
    token = page_csrf(client, f"/cases/{room.id}/offers")
    draft = _form(room, amount="99,000.50", designation="AEO", share_with_neutral="yes",
                  terms="Release & dismissal <with> prejudice.",
                  expires_at="2031-01-31T14:00")
    page = client.post(f"/cases/{room.id}/offers",
                       data={"csrf_token": token, "step": "edit", **draft})
    assert page.status_code == 200 and "Make a settlement offer" in page.text
    make = page.text.split('id="make-h"')[1]
    assert 'value="99,000.50"' in make and 'value="2031-01-31T14:00"' in make
    assert html.escape("Release & dismissal <with> prejudice.", quote=False) in make
    assert '<option value="AEO" selected>' in make and 'value="yes" checked' in make
    assert f'<option value="{room.parties["defendant"]}" selected>' in make
    assert _offers(api, room, "plaintiff_counsel") == []


def test_a_counter_offer_starts_from_the_offer_it_answers_and_the_gap_is_shown(api, client):
    room = api.room()
    first = api.offer(room, amount_cents=25_000_000, terms="Release of all claims.")
    sign_in_as(client, room.users["defense_counsel"])
    page = client.get(f"/cases/{room.id}/offers").text
    counter = page.split(f'name="replies_to" value="{first["id"]}"')[1].split("</form>")[0]
    assert 'value="250000.00"' in counter and "Release of all claims.</textarea>" in counter
    assert "Gap between" not in page  # one side has spoken
    api.offer(room, by="defense_counsel", from_party="defendant", to_party="plaintiff",
              amount_cents=18_000_000, replies_to=first["id"])
    page = client.get(f"/cases/{room.id}/offers").text
    assert "Gap between the last two numbers: <strong>USD 70,000.00</strong>" in page


def test_a_settled_thread_says_so_and_offers_nothing_more_on_it(api, client):
    room = api.room()
    first = api.offer(room)
    second = api.offer(room, terms="A second proposal on the same claims.")
    r = api.client.post(f"/api/v1/cases/{room.id}/offers/{first['id']}/accept",
                        headers=room.users["defense_counsel"].headers,
                        json={"terms_sha256": first["terms_sha256"]})
    assert r.status_code == 200, r.text
    status = {o["id"]: o["status"] for o in _offers(api, room, "defense_counsel")}
    assert status[second["id"]] == "open"  # still open in the API: the page holds back
    sign_in_as(client, room.users["defense_counsel"])
    page = client.get(f"/cases/{room.id}/offers").text
    assert "Settled on" in page and ">Settled</span>" in page
    assert f'/offers/{second["id"]}/accept' not in page
    assert f'name="replies_to" value="{second["id"]}"' not in page


def test_withdrawing_and_accepting_ask_first_with_the_focus_on_cancel(api, client):
    room = api.room()
    offer = api.offer(room)
    sign_in_as(client, room.users["plaintiff_counsel"])
    page = client.get(f"/cases/{room.id}/offers").text
    dialog = page.split(f'<dialog id="withdraw-{offer["id"]}"')[1].split("</dialog>")[0]
    assert "Withdraw this offer?" in dialog and "cannot be undone" in dialog
    assert re.search(CANCEL_FIRST, dialog)
    sign_in_as(client, room.users["defense_counsel"])
    page = client.get(f"/cases/{room.id}/offers").text
    dialog = page.split(f'<dialog id="accept-{offer["id"]}"')[1].split("</dialog>")[0]
    assert re.search(CANCEL_FIRST, dialog)


def test_an_empty_offers_page_says_what_to_do_next(api, client):
    room = api.room()
    sign_in_as(client, room.users["plaintiff_counsel"])
    assert "No settlement offer yet. Make one below" in client.get(
        f"/cases/{room.id}/offers").text
    sign_in_as(client, room.users["plaintiff_client"])
    assert "You will be told when one you may see arrives" in client.get(
        f"/cases/{room.id}/offers").text


def test_irreversible_ene_and_member_actions_preselect_nothing_and_ask_first(api, client):  # noqa: ANN001
    room = api.room()
    session = api.ene_session(room)
    sign_in_as(client, room.users["plaintiff_counsel"])
    base = f"/api/v1/cases/{room.id}/ene-sessions/{session['id']}"
    headers = room.users["plaintiff_counsel"].headers
    assert api.client.post(f"{base}/attendance", headers=headers).status_code == 201
    r = api.client.post(f"{base}/messages", headers=headers, json={
        "channel": f"caucus:{room.parties['plaintiff']}", "body": "Our floor."})
    assert r.status_code == 201, r.text
    page = client.get(f"/cases/{room.id}/ene/{session['id']}").text
    release = page.split('value="message">')[1].split("</form>")[0]
    assert '<option value="" selected disabled>Choose the party</option>' in release
    assert re.search(r'<input id="rel-ok-[^"]+" type="checkbox" required>', release)
    assert " selected>" not in release.replace("selected disabled", "")
    sign_in_as(client, room.users["neutral"])
    page = client.get(f"/cases/{room.id}/ene/{session['id']}").text
    close = page.split('/close" class="stack narrow">')[1].split("</form>")[0]
    assert '<option value="" selected disabled>Choose the outcome</option>' in close
    assert 'id="close-ok" type="checkbox" required' in close
    sign_in_as(client, room.users["plaintiff_counsel"])
    members = client.get(f"/cases/{room.id}/members").text
    dialog = members.split('<dialog id="remove-')[1].split("</dialog>")[0]
    assert "Seating them again takes a new invitation" in dialog
    assert re.search(CANCEL_FIRST, dialog)


def test_after_an_acceptance_the_form_leaves_the_settled_pair_out(api, client):
    room = api.room()
    first = api.offer(room)
    r = api.client.post(f"/api/v1/cases/{room.id}/offers/{first['id']}/accept",
                        headers=room.users["defense_counsel"].headers,
                        json={"terms_sha256": first["terms_sha256"]})
    assert r.status_code == 200, r.text
    sign_in_as(client, room.users["plaintiff_counsel"])
    page = client.get(f"/cases/{room.id}/offers").text
    to_select = page.split('id="to-party"')[1].split("</select>")[0]
    assert f'value="{room.parties["defendant"]}"' not in to_select  # settled with plaintiff
    assert f'value="{room.parties["defendant2"]}"' in to_select  # not settled: still offered
    token = csrf_of(page)
    for step in ("review", "send"):  # a stale or forged form is refused by the service
        refused = client.post(f"/cases/{room.id}/offers", follow_redirects=False,
                              data={"csrf_token": token, "step": step, **_form(room)})
        assert refused.status_code == 409 and "no new settlement offer" in refused.text
    assert [o["id"] for o in _offers(api, room, "plaintiff_counsel")] == [first["id"]]
    # The defendant's counsel speaks only for the defendant: no one is left to offer to
    # but the pro se party, so the form stays; with the plaintiff gone from "To".
    sign_in_as(client, room.users["defense_counsel"])
    page = client.get(f"/cases/{room.id}/offers").text
    to_select = page.split('id="to-party"')[1].split("</select>")[0]
    assert f'value="{room.parties["plaintiff"]}"' not in to_select


def test_when_every_counterpart_has_settled_the_form_gives_way_to_a_note(api, client):
    room = api.room()
    for to_party, by in (("defendant", "defense_counsel"), ("defendant2", "pro_se")):
        offer = api.offer(room, to_party=to_party)
        r = api.client.post(f"/api/v1/cases/{room.id}/offers/{offer['id']}/accept",
                            headers=room.users[by].headers,
                            json={"terms_sha256": offer["terms_sha256"]})
        assert r.status_code == 200, r.text
    sign_in_as(client, room.users["plaintiff_counsel"])
    page = client.get(f"/cases/{room.id}/offers").text
    assert 'id="make-h"' not in page and 'id="all-settled"' in page
