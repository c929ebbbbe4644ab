"""The web application's routes and static files, mounted by ``create_app``."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from app.routing import mount
from app.web import (
    pages_admin,
    pages_audit,
    pages_auth,
    pages_cases,
    pages_ccp998,
    pages_deadlines,
    pages_destroy,
    pages_documents,
    pages_ene,
    pages_notifications,
    pages_offers,
    pages_password,
    pages_protective_order,
    pages_rule68,
    pages_seats,
    pages_traces,
)
from app.web.render import NOTICES as PAGE_NOTICES
from app.web.render import STATIC_DIR

NOTICES = {
    "signed_out": "You are signed out.",
    "signed_out_everywhere": "Every session of your account is signed out and every API "
                             "token revoked.",
    "password_changed": "Password changed. Your other browser sessions were signed out and "
                        "your API tokens revoked.",
    "password_chosen": "Your own password is set. Your other browser sessions were signed out "
                       "and your API tokens revoked.",
    "password_reset_done": "Your new password is set, and every session of your account was "
                           "signed out. Sign in with the new password.",
    "totp_enabled": "Second factor enabled: sign-in now asks for its code.",
    "totp_removed": "Second factor removed. Your other browser sessions were signed out and "
                    "your API tokens revoked.",
    "case_created": "Case room opened. You are its room admin.",
    "party_added": "Party added.",
    "case_updated": "Case details saved.",
    "claim_added": "Claim added.",
    "member_removed": "Member removed.",
    "member_left": "You left the room.",
    "offer_access_saved": "Saved: the client's access to the party's offers follows your "
                          "choice from now on.",
    "invitation_sent": "Invitation sent. The seat exists only once the invitee accepts.",
    "invitation_revoked": "Invitation withdrawn; its link no longer works.",
    "invitation_declined": "Invitation declined. No seat was created.",
    "invitation_accepted": "Invitation accepted: you have your seat in the room.",
    "user_created": "Account created.",
    "offer_made": "Settlement offer made.",
    "offer_countered": "Counter-offer sent; the earlier offer is now countered.",
    "offer_accepted": "Offer accepted; the acceptance is signed by the server.",
    "offer_rejected": "Offer rejected.",
    "offer_withdrawn": "Offer withdrawn.",
    "rule68_served": "Offer of judgment served. The 14-day acceptance window is running.",
    "rule68_accepted": "Written notice of acceptance given. The filing package is ready.",
    "ccp998_served": "Section 998 offer served. It is open until the last moment shown.",
    "ccp998_accepted": "Section 998 offer accepted with your signed statement.",
    "ccp998_revoked": "Section 998 offer revoked; it can no longer be accepted.",
    "consent_recorded": "Consent to electronic service recorded.",
    "other_means_recorded": "Consent to service by the stated other means recorded.",
    "rule68_acceptance_recorded": "Notice of acceptance served outside the room recorded with "
                                  "its certificate of service.",
    "ene_created": "ENE session scheduled.",
    "checked_in": "Your attendance is recorded.",
    "message_posted": "Message sent.",
    "statement_submitted": "Written statement submitted.",
    "released": "Released to the chosen party.",
    "evaluation_saved": "Evaluation saved and shared as chosen.",
    "ene_closed": "ENE session closed.",
    "evaluator_confirmed": "Your party's confirmation of the evaluator is recorded.",
    "evaluator_objected": "Your party's objection to the evaluator is recorded; the evaluator "
                          "cannot act until the room admin names another one.",
    "evaluator_named": "Evaluator named. Each party's counsel (or pro se party) must confirm "
                       "them before they act.",
    "ene_moved": "ENE session moved; its members are told and the calendar follows.",
    "document_uploaded": "Document uploaded and sealed.",
    "documents_uploaded": "Documents uploaded and sealed, each as its own document.",
    "version_uploaded": "New version uploaded and sealed; earlier downloads keep their version.",
    "channels_saved": "Watermark channels saved; they apply to the next downloads.",
    "folder_created": "Folder created.",
    "folder_renamed": "Folder renamed.",
    "document_filed": "Document filed.",
    "document_deleted": "Document deleted; no copy of it had been made.",
    "production_created": "Production numbered; every copy of its documents now bears "
                          "its Bates numbers.",
    "hearing_saved": "FRCP 68(c) liability hearing saved.",
    "hearing_cleared": "FRCP 68(c) liability hearing cleared.",
    "evaluation_shared": "Evaluation shared with the chosen parties; its text is unchanged.",
    "preferences_saved": "Mail preferences saved.",
    "order_recorded": "Protective order recorded. Members sign its Exhibit A before opening "
                      "designated documents.",
    "order_acknowledged": "Exhibit A signed.",
    "challenge_made": "Notice of the challenge given; the designating party is told.",
    "clawed_back": "Document clawed back: downloads stopped and its recipients are told.",
    "certified": "Certification recorded.",
    "public_text_added": "Public text registered: your party's filing checks no longer count "
                         "it; other parties' checks still do.",
    "public_text_removed": "Public text removed.",
}

PAGE_MODULES = (pages_auth, pages_password, pages_cases, pages_audit, pages_admin,
                pages_offers, pages_rule68, pages_ccp998,
                pages_ene, pages_documents, pages_traces, pages_deadlines,
                pages_destroy, pages_notifications, pages_seats, pages_protective_order)


def install(app: FastAPI) -> None:
    PAGE_NOTICES.update(NOTICES)
    for module in PAGE_MODULES:
        mount(app, module.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
