"""The document rows of POLICY.md as a table over the pure policy."""

import uuid

import pytest

from app.authz.permissions import Role
from app.authz.policy import Membership
from app.authz.policy_documents import (
    DocumentFacts,
    can_delete,
    can_manage_folder,
    can_see_document,
    can_see_folder,
    can_trace_document,
    check_audience,
    check_production,
    sees_download_origin,
    uploading_party,
)
from app.authz.policy_ene import SessionFacts, Viewer

P, D, D2 = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
EVALUATOR = uuid.uuid4()
ROLES = {
    "p_counsel": Membership(Role.COUNSEL, P), "p_client": Membership(Role.CLIENT, P),
    "d_counsel": Membership(Role.COUNSEL, D), "d_client": Membership(Role.CLIENT, D),
    "d2_pro_se": Membership(Role.PRO_SE, D2), "neutral": Membership(Role.NEUTRAL, None),
    "auditor": Membership(Role.AUDITOR, None), "admin": Membership(Role.ROOM_ADMIN, None),
}


def viewer(label: str) -> Viewer:
    return Viewer(EVALUATOR if label == "neutral" else uuid.uuid4(),
                  frozenset({ROLES[label]}))


ENE = SessionFacts(EVALUATOR, frozenset({P, D, D2}), evaluator_confirmed=True)
TABLE = [
    (DocumentFacts(P, "CONFIDENTIAL", False, frozenset({D})),
     {"p_counsel", "p_client", "d_counsel", "d_client"}),
    (DocumentFacts(P, "CONFIDENTIAL", True), {"p_counsel", "p_client", "d_counsel",
                                              "d_client", "d2_pro_se"}),
    (DocumentFacts(P, "AEO", True), {"p_counsel", "d_counsel", "d2_pro_se"}),
    (DocumentFacts(P, "ENE", False, frozenset({P}), ENE), {"p_counsel", "p_client", "neutral"}),
    (DocumentFacts(P, "ENE", True, frozenset(), ENE),
     {"p_counsel", "p_client", "d_counsel", "d_client", "d2_pro_se", "neutral"}),
    (DocumentFacts(P, "ENE", True), set()),  # an ENE document without its session: no one
]


@pytest.mark.parametrize(("doc", "allowed"), TABLE)
def test_visibility_table(doc, allowed):
    assert {label for label in ROLES if can_see_document(viewer(label), doc)} == allowed


def test_trace_rights():
    doc = DocumentFacts(P, "AEO", True)
    allowed = {label for label, m in ROLES.items() if can_trace_document(frozenset({m}), doc)}
    assert allowed == {"p_counsel", "auditor", "admin"}


def test_uploading_party():
    assert uploading_party(frozenset({ROLES["p_counsel"]}), None) == P
    assert not uploading_party(frozenset({ROLES["p_client"]}), None)
    assert not uploading_party(frozenset({ROLES["p_counsel"]}), D)
    both = frozenset({ROLES["p_counsel"], ROLES["d_counsel"]})
    assert uploading_party(both, None).code == "party_required"
    assert uploading_party(both, D) == D


def test_check_audience():
    parties = frozenset({P, D, D2})
    assert check_audience("AEO", P, frozenset({D}), parties, None)
    assert check_audience("X", P, frozenset(), parties, None).code == "invalid_designation"
    assert check_audience("AEO", P, frozenset({uuid.uuid4()}), parties,
                          None).code == "invalid_audience"
    assert check_audience("ENE", P, frozenset(), parties, None).code == "ene_session_required"
    assert check_audience("AEO", P, frozenset(), parties, ENE).code == "ene_session_not_allowed"
    outside = SessionFacts(EVALUATOR, frozenset({D, D2}), evaluator_confirmed=True)
    assert check_audience("ENE", P, frozenset(), parties, outside).code == "not_a_participant"


def test_download_origin_only_for_the_downloaders_side() -> None:
    """A download by D's client: its address and browser are shown to D's side and to the
    downloader, never to the uploading side, the auditor, the room admin or the neutral."""
    downloader = viewer("d_client")
    assert sees_download_origin(downloader, downloader.user_id, D)
    seen = {label for label in ROLES if sees_download_origin(viewer(label), uuid.uuid4(), D)}
    assert seen == {"d_counsel", "d_client"}
    # The evaluator's own download has no party: only the evaluator sees where from.
    assert sees_download_origin(viewer("neutral"), EVALUATOR, None)
    assert not sees_download_origin(viewer("admin"), EVALUATOR, None)


@pytest.mark.parametrize("label", sorted(ROLES))
def test_document_room_rows(label: str) -> None:
    """Folders, deletion and productions: only the party's speakers act; a folder's path
    is seen by the party's own members, and by others only through a document they see."""
    m = frozenset({ROLES[label]})
    speaks_for_p = label == "p_counsel"
    doc = DocumentFacts(P, "CONFIDENTIAL", True)
    assert bool(can_delete(m, doc)) is speaks_for_p
    assert bool(can_manage_folder(m, P)) is speaks_for_p
    assert can_see_folder(m, P, holds_visible_document=False) is (label in ("p_counsel",
                                                                             "p_client"))
    assert can_see_folder(m, P, holds_visible_document=True) is True


def test_production_shapes() -> None:
    conf = DocumentFacts(P, "CONFIDENTIAL", True)
    assert check_production(P, [conf, conf])
    assert check_production(D, [conf]).code == "not_own_document"  # type: ignore[union-attr]
    assert check_production(P, [conf, DocumentFacts(P, "AEO", True)]).code == (  # type: ignore[union-attr]
        "mixed_production_audience")
    assert check_production(P, [conf, DocumentFacts(P, "CONFIDENTIAL", False,
                                                    frozenset({D}))]).code == (  # type: ignore[union-attr]
        "mixed_production_audience")
    assert check_production(P, [DocumentFacts(P, "ENE", True, frozenset(), ENE)]).code == (  # type: ignore[union-attr]
        "not_producible")
