"""The visibility matrix of POLICY.md's ENE rows, through HTTP: every role of a three-party
case (plaintiff; represented defendant; pro se defendant2) against every channel, statement,
the evaluation and releases. The expectations below are written from POLICY.md, not from the
code: a role that sees too much or too little fails its row."""

from __future__ import annotations

import pytest

from tests.api.ene.conftest import ACTS_FOR, CHANNELS, PARTIES, ROLES, Ene, sees_channel

AS_SUCH = {"room_admin", "auditor"}  # roles that never open ENE content


def _bodies(r) -> set[str]:
    return {m["body"] for m in r.json()}


@pytest.mark.parametrize("role", ROLES)
def test_channel_read(seeded: Ene, role):
    got, want = {}, {}
    for channel in CHANNELS:
        marker = "SECRET-joint-opening" if channel == "joint" else f"SECRET-caucus-{channel}"
        r = seeded.get(role, "/messages", channel=seeded.channel(channel))
        got[channel] = (r.status_code, _bodies(r) if r.status_code == 200 else r.json()["code"])
        want[channel] = ((200, {marker}) if sees_channel(role, channel)
                         else (404, "channel_not_found"))
        one = seeded.get(role, f"/messages/{seeded.messages[channel]}")
        assert one.status_code == (200 if sees_channel(role, channel) else 404)
        if one.status_code == 200:
            assert one.json()["body"] == marker
            assert one.json()["channel"] == seeded.channel(channel)
    assert got == want
    everything = seeded.get(role, "/messages")
    assert everything.status_code == 200
    assert len(everything.json()) == sum(sees_channel(role, c) for c in CHANNELS)


@pytest.mark.parametrize("role", ROLES)
def test_channel_write(seeded: Ene, role):
    got, want = {}, {}
    for channel in CHANNELS:
        r = seeded.post(role, "/messages", {"channel": seeded.channel(channel),
                                            "body": f"new-{role}-{channel}"})
        got[channel] = r.status_code
        want[channel] = 201 if sees_channel(role, channel) else (
            403 if role in AS_SUCH else 404)
        if r.status_code == 201:
            assert r.json()["channel"] == seeded.channel(channel)
            assert r.json()["author_user_id"] == seeded.user(role).id
    assert got == want


def _sees_statement(role: str, party: str) -> bool:
    if role == "neutral":
        return True
    mine = ACTS_FOR.get(role, set())
    return party in mine or (party == "defendant" and bool(mine))  # only it was shared


@pytest.mark.parametrize("role", ROLES)
def test_statements(seeded: Ene, role):
    r = seeded.get(role, "/statements")
    assert r.status_code == 200
    listed = {s["party_id"]: s["body"] for s in r.json()}
    want = {seeded.party(p): f"SECRET-statement-{p}" for p in PARTIES if _sees_statement(role, p)}
    assert listed == want
    for party in PARTIES:
        one = seeded.get(role, f"/statements/{seeded.statements[party]}")
        assert one.status_code == (200 if _sees_statement(role, party) else 404), party


@pytest.mark.parametrize("role", ROLES)
def test_evaluation(seeded: Ene, role):
    r = seeded.get(role, "/evaluation")
    if role == "neutral" or "plaintiff" in ACTS_FOR.get(role, set()):
        assert r.status_code == 200 and r.json()["body"] == "SECRET-evaluation"
        assert r.json()["shared_with_party_ids"] == [seeded.party("plaintiff")]
    else:
        assert r.status_code == 404 and r.json()["code"] == "evaluation_not_found"


@pytest.mark.parametrize("role", ROLES)
def test_release_visibility(seeded: Ene, role):
    """The plaintiff releases one caucus message to the defendant and its statement to
    defendant2: exactly those items become visible to exactly those parties."""
    kept = seeded.say("neutral", "plaintiff", "SECRET-caucus-plaintiff-kept")
    released_msg, released_st = seeded.messages["plaintiff"], seeded.statements["plaintiff"]
    assert seeded.post("plaintiff_counsel", f"/messages/{released_msg}/release",
                       {"to_party_id": seeded.party("defendant")}).status_code == 201
    assert seeded.post("plaintiff_counsel", f"/statements/{released_st}/release",
                       {"to_party_id": seeded.party("defendant2")}).status_code == 201
    mine = ACTS_FOR.get(role, set())
    home = role == "neutral" or "plaintiff" in mine
    sees_msg = home or "defendant" in mine
    sees_st = home or "defendant2" in mine
    assert seeded.get(role, f"/messages/{released_msg}").status_code == (200 if sees_msg else 404)
    assert seeded.get(role, f"/messages/{kept}").status_code == (200 if home else 404)
    assert seeded.get(role, f"/statements/{released_st}").status_code == (
        200 if sees_st else 404)
    caucus = seeded.get(role, "/messages", channel=seeded.channel("plaintiff"))
    if home:
        assert _bodies(caucus) == {"SECRET-caucus-plaintiff", "SECRET-caucus-plaintiff-kept"}
    elif sees_msg:
        assert _bodies(caucus) == {"SECRET-caucus-plaintiff"}
        assert caucus.json()[0]["released_to_party_ids"] == [seeded.party("defendant")]
    else:
        assert caucus.status_code == 404
    releases = seeded.get(role, "/releases").json()
    want = (2 if home else 1 if (sees_msg or sees_st) else 0)
    assert len(releases) == want


@pytest.mark.parametrize("role,status", [
    ("plaintiff_counsel", 201),  # the disclosing party's counsel
    ("neutral", 403),  # the evaluator never relays
    ("plaintiff_client", 403),  # consent is given through counsel
    ("defense_counsel", 404), ("defense_client", 403), ("pro_se", 404),
    ("auditor", 403), ("room_admin", 403),
])
def test_release_attempt(seeded: Ene, role, status):
    r = seeded.post(role, f"/messages/{seeded.messages['plaintiff']}/release",
                    {"to_party_id": seeded.party("defendant")})
    assert r.status_code == status, r.text
    r = seeded.post(role, f"/statements/{seeded.statements['plaintiff']}/release",
                    {"to_party_id": seeded.party("defendant2")})
    assert r.status_code == status, r.text
