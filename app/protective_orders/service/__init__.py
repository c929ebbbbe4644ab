"""Use cases of the protective order, one module per verb; reads in
``app.protective_orders.reads``; what documents ask before serving a copy in
``app.protective_orders.gate``.

Invariants (threats in each module):
- the order's text, a challenge's reason and a clawback's basis are sealed under the case
  key and never appear in audit details, notifications, mails, logs or errors;
- every state change and every refused attempt is an audit event of ids, codes and hashes;
- notifications are written in the action's transaction (a transactional outbox).
"""

from app.protective_orders.reads import (
    acknowledgment_pdf,
    get_clawback,
    get_order,
    list_acknowledgments,
    list_challenges,
    order_content,
    room_status,
)
from app.protective_orders.service.acknowledge import acknowledge
from app.protective_orders.service.challenge import (
    challenge_designation,
    record_impasse,
    record_motion,
)
from app.protective_orders.service.check_filing import check_filing
from app.protective_orders.service.check_paper import (
    attach_documents,
    check_paper,
    paper_attacher,
    paper_checker,
)
from app.protective_orders.service.clawback import certify, claw_back
from app.protective_orders.service.enter import enter_order
from app.protective_orders.service.public_text import (
    add_public_text,
    list_public_texts,
    remove_public_text,
)

__all__ = ["acknowledge", "acknowledgment_pdf", "add_public_text", "attach_documents",
           "certify", "challenge_designation", "check_filing", "check_paper", "claw_back",
           "enter_order", "get_clawback", "get_order", "list_acknowledgments",
           "list_challenges", "list_public_texts", "order_content", "paper_attacher",
           "paper_checker", "record_impasse", "record_motion", "remove_public_text",
           "room_status"]
