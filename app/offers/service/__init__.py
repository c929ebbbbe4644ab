"""Use cases of FRE 408 settlement offers, one module per verb; reads in ``app.offers.reads``.

Invariants:
- content (amount, currency, terms) is sealed at rest; ``terms_sha256`` binds it and an
  acceptance must quote the hash the acceptor saw (409 ``terms_mismatch``);
- exactly one terminal transition per offer: every transition locks the row, re-reads the
  status and refuses unless it is open (409 ``offer_not_open``); expiry is derived from
  ``svc.now()``, so an expired offer can never be accepted even if no job ever ran;
- only counsel or a pro se party speaks (ABA Model Rule 4.2) and a represented party is
  addressed through its counsel;
- an offer the caller may not see is answered exactly like an unknown id (404);
- every action and every refusal is an audit event with ids, codes and hashes only.
"""

from app.offers.reads import filing_texts, get_offer, list_offers, open_expiries, upcoming_expiries
from app.offers.service.accept import accept_offer
from app.offers.service.close import reject_offer, withdraw_offer
from app.offers.service.make import check_offer, make_offer
from app.offers.service.memorandum import FRE_408_LEGEND, FRE_408_MARKING, memorandum
from app.offers.service.reminders import fire_reminders

__all__ = ["FRE_408_LEGEND", "FRE_408_MARKING", "accept_offer", "check_offer", "filing_texts",
           "fire_reminders", "get_offer",
           "list_offers", "make_offer", "memorandum", "open_expiries", "reject_offer",
           "upcoming_expiries", "withdraw_offer"]
