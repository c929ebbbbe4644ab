"""The inbox page and its header badge, and the Rule 68 page's service notice."""

from __future__ import annotations

from tests.web.helpers import page_csrf, sign_in_as


def test_the_inbox_badge_counts_unread_and_opening_an_item_marks_it_read(
        web_api, web_app, client, room):
    sign_in_as(client, room.users["defense_counsel"])
    home = client.get("/")
    assert 'href="/notifications"' in home.text and "unread" not in home.text
    web_api.offer(room, expires_at="2031-01-31T22:00:00+00:00")
    home = client.get("/")
    assert 'aria-label="1 unread"' in home.text
    page = client.get("/notifications")
    assert page.status_code == 200
    assert "A settlement offer was made in Doe v. Acme Corp. (3:25-cv-01234)" in page.text
    assert "It is open until 2:00 pm Pacific Standard Time, Friday, January 31, 2031" \
        in page.text
    for secret in ("12,345.67", "12345.67", "Mutual release"):
        assert secret not in page.text
    [item] = [line for line in page.text.splitlines() if "/open" in line]
    action = item.split('action="')[1].split('"')[0]
    r = client.post(action, data={"csrf_token": page_csrf(client)}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/cases/{room.id}/offers"
    assert "unread" not in client.get("/").text
    # Another user's item cannot be opened (nor learnt of).
    sign_in_as(client, room.users["plaintiff_counsel"])
    r = client.post(action, data={"csrf_token": page_csrf(client)}, follow_redirects=False)
    assert r.status_code == 404


def test_the_rule68_page_shows_the_service_notice(web_api, web_app, client, room):
    web_api.rule68_offer(room)
    sign_in_as(client, room.users["defense_counsel"])
    assert "Service notice to Jane Doe" in client.get(f"/cases/{room.id}/rule68").text
    assert "not yet delivered" in client.get(f"/cases/{room.id}/rule68").text
    web_app.state.mailer.drain()  # no SMTP host here: the .eml outbox folder
    page = client.get(f"/cases/{room.id}/rule68").text
    assert "delivered to the mail server" in page


def test_mail_preferences_are_set_on_the_inbox_page(web_api, web_app, client, room):
    sign_in_as(client, room.users["plaintiff_client"])
    page = client.get("/notifications").text
    assert 'name="mail" value="rule68.served"' in page and "disabled checked" in page
    r = client.post("/notifications/preferences", data={
        "csrf_token": page_csrf(client), "mail": ["offer.accepted", "rule68.served"]})
    assert r.status_code == 200 and "Mail preferences saved" in r.text
    prefs = web_api.client.get("/api/v1/me/notification-preferences",
                               headers=room.users["plaintiff_client"].headers).json()
    assert prefs["caption_in_mail"] is False
    assert "offer.received" in prefs["email_off"] and "offer.accepted" not in prefs["email_off"]
    assert "rule68.served" not in prefs["email_off"]
    r = client.post("/notifications/preferences", data={"mail": ["offer.received"]})
    assert r.status_code == 403  # no CSRF token


def test_the_evaluator_moves_a_session_from_its_page(web_api, web_app, client, room):
    ene = web_api.ene_session(room)
    path = f"/cases/{room.id}/ene/{ene['id']}"
    sign_in_as(client, room.users["plaintiff_counsel"])
    assert "Move the session" not in client.get(path).text
    sign_in_as(client, room.users["neutral"])
    assert f'action="{path}/move"' in client.get(path).text
    r = client.post(f"{path}/move", data={"csrf_token": page_csrf(client, path),
                                          "scheduled_at": "2030-07-18T10:00"})
    assert r.status_code == 200 and "ENE session moved" in r.text, r.text[-800:]
    moved = web_api.client.get(f"/api/v1/cases/{room.id}/ene-sessions/{ene['id']}",
                               headers=room.admin.headers).json()
    assert moved["scheduled_at"].startswith("2030-07-18T17:00:00")  # 10 am in Los Angeles
    assert moved["statement_due_date"] == "2030-07-11"
    r = client.post(f"{path}/move", data={"csrf_token": page_csrf(client, path),
                                          "scheduled_at": "2020-01-01T10:00"})
    assert r.status_code == 422 and "future" in r.text


def test_the_daily_summary_is_chosen_per_kind_on_the_inbox_page(web_api, web_app, client, room):
    sign_in_as(client, room.users["defense_client"])
    page = client.get("/notifications").text
    assert 'name="digest" value="offer.received"' in page
    assert 'name="digest" value="rule68.served"' not in page  # always at once
    r = client.post("/notifications/preferences", data={
        "csrf_token": page_csrf(client), "caption_in_mail": "yes",
        "mail": ["offer.received", "offer.accepted", "document.shared"],
        "digest": ["offer.received", "ene.message", "rule68.served"],
        "digest_timezone": "America/Chicago"})
    assert r.status_code == 200 and "Mail preferences saved" in r.text
    prefs = web_api.client.get("/api/v1/me/notification-preferences",
                               headers=room.users["defense_client"].headers).json()
    delivery = {k["kind"]: k["delivery"] for k in prefs["kinds"]}
    # Summary ticked without e-mail (ene.message) stays off; Rule 68 is never deferred.
    assert (delivery["offer.received"], delivery["offer.accepted"], delivery["ene.message"],
            delivery["rule68.served"]) == ("digest", "immediate", "off", "immediate")
    assert prefs["digest_timezone"] == "America/Chicago"
    assert '<option value="America/Chicago" selected>' in client.get("/notifications").text
    r = client.post("/notifications/preferences", data={
        "csrf_token": page_csrf(client), "digest_timezone": "Mars/Olympus"})
    assert r.status_code == 422
