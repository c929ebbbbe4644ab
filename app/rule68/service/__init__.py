"""Use cases of FRCP 68 offers of judgment, one module per verb; reads in ``app.rule68.reads``.

Invariants:
- only counsel or a pro se party of a party defending a claim brought by every offeree
  serves (403 ``not_a_defending_party``); a represented offeree is served through counsel;
- several offers to the same offeree may be open at once (68(b));
- the offer is served at least 14 days before trial, or before the 68(c) hearing when the
  offeror is a party held liable on the claims offered (422 ``too_close_to_trial`` /
  ``too_close_to_hearing``);
- service and acceptance made outside the room are recorded with their certificate and
  dated by the party, flagged ``backdated`` when dated before the day of recording;
- acceptance is open until the end of the FRCP 6 deadline computed at service; inside it
  the offer is irrevocable (409 ``offer_irrevocable``), after it the offer is considered
  withdrawn (409 ``acceptance_window_closed``) and a later offer may be served;
- a joint offer is accepted only when every offeree has accepted;
- the neutral, room admin and auditor as such never see an offer (404, like unknown ids);
- transitions lock the offer row; content is sealed; audit events carry ids only.
"""

from app.rule68.reads import (
    get_hearing,
    get_offer,
    list_consents,
    list_offers,
    upcoming_deadlines,
)
from app.rule68.service.accept import accept_offer
from app.rule68.service.calendar_feed import deadlines_ics
from app.rule68.service.consent import give_consent
from app.rule68.service.filing import cost_comparison, export, filing_package
from app.rule68.service.hearing import set_hearing
from app.rule68.service.record_acceptance import record_acceptance
from app.rule68.service.reminders import fire_reminders
from app.rule68.service.serve import serve_offer
from app.rule68.service.withdraw import withdraw_offer

__all__ = ["accept_offer", "cost_comparison", "deadlines_ics", "export", "filing_package",
           "fire_reminders", "get_hearing", "get_offer", "give_consent", "list_consents",
           "list_offers", "record_acceptance", "serve_offer", "set_hearing", "upcoming_deadlines",
           "withdraw_offer"]
