"""Refusals in words: the rule behind each stable problem code, for the pages.

The service's own ``detail`` says what happened; this table says why the rule exists.
Neither ever carries case content.
"""

from __future__ import annotations

RULES: dict[str, str] = {
    # sessions and accounts
    "csrf_failed": "Every form carries a token tied to your session, so that another site "
                   "cannot submit forms in your name.",
    "invalid_credentials": "Sign-in needs the right email, password and, when enabled, the "
                           "current second-factor code.",
    "rate_limited": "Repeated failed sign-ins are slowed down to stop password guessing.",
    "wrong_password": "Changing the password or the second factor requires the current "
                      "password.",
    "invalid_second_factor": "A second-factor code is valid for 30 seconds and only once; a "
                             "recovery code, only once.",
    "password_too_common": "Passwords found in lists of common and breached passwords are "
                           "refused (ASVS V6.2.4).",
    "totp_not_enabled": "There is no second factor to remove.",
    "totp_not_pending": "Start the second-factor set-up before confirming a code.",
    "session_expired": "Browser sessions end after 30 minutes without activity and 12 hours "
                       "after sign-in.",
    # protective order
    "acknowledgment_required": "A protective order binds whoever reads designated material: "
                               "sign its Exhibit A on the protective order page first.",
    "clawed_back": "A clawed-back document may not be used until the claim of privilege is "
                   "resolved (Fed. R. Civ. P. 26(b)(5)(B); Fed. R. Evid. 502).",
    "order_mismatch": "An acknowledgment names the exact order read; the order was replaced.",
    "not_a_receiving_party": "A designation is challenged by a party that received the "
                             "document, through its counsel or pro se.",
    "not_the_producing_party": "Only the party that produced a document claws it back.",
    "not_a_recipient": "Only a member who held a copy when notice was given certifies.",
    "not_who_added": "A public text is removed by the member who registered it or by a room "
                     "admin.",
    "public_text_too_short": "A public text of fewer than five words changes no filing check.",
    # case room
    "case_not_found": "A case is visible only to its members; others cannot learn it exists.",
    "role_not_allowed": "Each role in a case room has the rights listed in the access policy.",
    "last_room_admin": "A case room keeps at least one room admin.",
    "member_exists": "A user holds each role in a case once.",
    "party_required": "Counsel, clients and pro se members act for a party.",
    "party_not_allowed": "Room admins, neutrals and auditors do not act for a party.",
    "party_is_represented": "ABA Model Rule 4.2: a represented party acts through counsel.",
    "party_is_pro_se": "A party not represented acts for itself (pro se).",
    "unknown_user": "Members are existing accounts; ask the platform admin to create one.",
    "case_destroyed": "The case keys were destroyed: its content can no longer be decrypted.",
    "caption_mismatch": "Destroying a case cannot be undone, so the exact caption must be "
                        "typed to confirm it.",
    # settlement offers
    "not_your_party": "You may act only for a party you represent or are.",
    "not_offering_party": "Only counsel or a pro se party of the offering side may make or "
                          "withdraw its offer.",
    "not_receiving_party": "Only counsel or a pro se party of the receiving side may accept, "
                           "reject or counter an offer.",
    "not_a_speaking_role": "Clients communicate with the other side through their counsel "
                           "(ABA Model Rule 4.2).",
    "recipient_has_no_counsel": "ABA Model Rule 4.2: a represented party is reached through "
                                "its counsel, who must be in the room.",
    "recipient_not_in_room": "An offer must reach someone in the room who speaks for the party.",
    "offer_not_open": "Only an open offer can be accepted, rejected, countered or withdrawn.",
    "terms_mismatch": "An acceptance binds the exact terms shown; their SHA-256 must match.",
    "not_a_reply": "A counter-offer answers an offer made to your party.",
    "expiry_in_past": "An offer cannot expire before it is made.",
    # Rule 68
    "not_a_defending_party": "FRCP 68(a): only a party defending a claim may serve an offer "
                             "of judgment.",
    "too_close_to_trial": "FRCP 68(a): an offer of judgment must be served at least 14 days "
                          "before the trial begins.",
    "too_close_to_hearing": "FRCP 68(c): after liability is determined, an offer must be "
                            "served at least 14 days before the hearing on its extent.",
    "acceptance_window_closed": "FRCP 68(a)-(b): an offer not accepted within 14 days after "
                                "service is considered withdrawn.",
    "offer_irrevocable": "FRCP 68: an offer of judgment cannot be withdrawn during the "
                         "14-day acceptance window.",
    "not_an_offeree": "FRCP 68(a): only the party served may accept the offer.",
    "offer_not_accepted": "FRCP 68(a): the filing package exists once the offer is accepted.",
    "offer_still_open": "FRCP 68(d) applies only to an offer that was not accepted.",
    "offer_accepted": "FRCP 68(d) applies only to an offer that was not accepted.",
    "no_electronic_service_consent": "FRCP 5(b)(2)(E): electronic service needs the "
                                     "recipient's written consent.",
    "served_at_in_future": "Service cannot be recorded before it happens.",
    "served_at_too_far_back": "Service made outside the room can be recorded only within "
                              "30 days after it was made.",
    "no_other_means_consent": "FRCP 5(b)(2)(F): service by other means needs the written "
                              "consent of the person served.",
    "apportionment_mismatch": "The amounts per offeree must add up to the offer's amount.",
    # ENE
    "not_a_participant": "ENE channels are open to the evaluator and the parties' "
                         "counsel, pro se parties and clients only.",
    "not_the_evaluator": "Only the session's evaluator may do this.",
    "not_the_disclosing_party": "Caucus content is relayed only after the disclosing party's "
                                "counsel or pro se party releases it.",
    "not_releasable": "Only caucus content can be released to another party.",
    "already_released": "This content was already released to that party.",
    "session_closed": "A closed ENE session accepts no further content.",
    "evaluator_not_neutral": "The evaluator must be a neutral of the case room.",
    "statement_not_yours": "A party writes only its own statement.",
    "scheduled_in_past": "An ENE session is scheduled in the future.",
    # documents and traces
    "invalid_designation": "Documents are designated CONFIDENTIAL, AEO (attorneys' eyes "
                           "only) or ENE.",
    "invalid_audience": "The audience is every party, or the parties you choose.",
    "not_the_uploading_party": "Only the uploading party may replace its document.",
    "document_not_found": "A document is visible only to its audience; AEO documents are "
                          "never shown to clients.",
    "ene_session_required": "ENE documents belong to an ENE session.",
    "unsupported_media_type": "Only PDF, text and image documents can be watermarked.",
    "not_allowed_to_trace": "Leak tracing is for the auditor, the room admin and the "
                            "uploading party's counsel.",
    "file_required": "Choose a file to send.",
    "invalid_channels": "Watermark channels are chosen from the listed ones, each once.",
    "invalid_legend_position": "The visible legend goes in the footer, the header or "
                               "diagonally across the page.",
    "invalid_deadline_input": "FRCP 6(a): a period counts whole days after or before a "
                              "valid date; the state is a two-letter code.",
    "evaluation_not_found": "An evaluation is shared only after the evaluator writes it.",
    "validation_error": "Each field has a required format; see the form's hints.",
}

STATUS_RULES = {
    401: "Sign in to continue.",
    403: "The case room's access policy does not give your role this right.",
    404: "Content is shown only to those the access policy lets see it.",
    409: "The action does not fit the current state of the item.",
    410: "The case keys were destroyed.",
    413: "The upload is larger than the limit.",
    415: "That file type is not accepted.",
    422: "Some input does not have the expected form.",
    429: "Too many attempts; wait and try again.",
}


def rule_for(code: str, status: int) -> str:
    return RULES.get(code) or STATUS_RULES.get(status, "")
