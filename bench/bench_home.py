"""Home page cost versus the number of cases: ``GET /`` for a member of 40 cases against a
member of 1 case, measured in the same run on the same database.

Prints ``ratio = time(40 cases) / time(1 case)`` (target <= 2) and the audit events one
view appends (target 0). Every case holds an expiring settlement offer, a Rule 68 offer
and an ENE session, so each has deadlines to show. Interleaved timings damp
scheduler noise: the ratio is of the medians of interleaved rounds. For context (SQLite,
2 shared and busy cores): before the content-free deadline query the 40-case page took
about 946 ms against 53 ms for 1 case (ratio ~18) and appended 120 audit events per view;
with it, about 40-60 ms against 25-35 ms. Absolute times are not compared, only the ratio.

Usage: .venv/bin/python bench/bench_home.py [--cases 40] [--rounds 41]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from app.config import Settings  # noqa: E402
from app.main import create_app  # noqa: E402
from app.migrate import upgrade  # noqa: E402
from app.models.audit import AuditEvent  # noqa: E402
from tests.factories import Api, User  # noqa: E402
from tests.web.helpers import sign_in  # noqa: E402


def build_case(api: Api, admin: User, counsel: list[User], defense: User,
               neutral: User) -> None:
    case_id = api.case(admin)
    plaintiff = api.party(case_id, admin, "Jane Doe", "plaintiff")
    defendant = api.party(case_id, admin, "Acme Corp.", "defendant")
    for user in counsel:
        api.member(case_id, admin, user, "counsel", plaintiff)
    api.member(case_id, admin, defense, "counsel", defendant)
    api.member(case_id, admin, neutral, "neutral")
    base, c = f"/api/v1/cases/{case_id}", api.client
    for user, party in ((counsel[0], plaintiff), (defense, defendant)):
        c.post(f"{base}/service-consents", headers=user.headers, json={"party_id": party})
    expires = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    for path, user, body in (
        ("offers", counsel[0], {"from_party_id": plaintiff, "to_party_id": defendant,
                                "amount_cents": 100_000, "terms": "Mutual release",
                                "expires_at": expires}),
        ("rule68-offers", defense, {"offeror_party_id": defendant,
                                    "offeree_party_id": plaintiff, "amount_cents": 5_000,
                                    "costs": "included", "terms": "Judgment as stated"}),
        ("ene-sessions", neutral, {"evaluator_user_id": neutral.id,
                                   "scheduled_at": "2030-06-20T17:00:00Z"}),
    ):
        r = c.post(f"{base}/{path}", headers=user.headers, json=body)
        assert r.status_code == 201, r.text


def audit_events(app) -> int:  # noqa: ANN001
    with app.state.sessionmaker() as s:
        return int(s.execute(select(func.count()).select_from(AuditEvent)).scalar_one())


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--cases", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=41)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        upgrade(url)
        app = create_app(Settings(  # type: ignore[call-arg]
            env="dev", data_dir=Path(tmp) / "data", database_url=url,
            secret_key="bench-secret-key-0123456789abcdef0123456789",
            argon2_time_cost=1, argon2_memory_kib=64, argon2_parallelism=1))
        with TestClient(app) as client:
            api = Api(client, app)
            admin, many, one = api.user("admin"), api.user("many"), api.user("one")
            defense, neutral = api.user("defense"), api.user("neutral")
            for i in range(args.cases):
                build_case(api, admin, [many, one] if i == 0 else [many], defense, neutral)
            viewers = {}
            for label, user in (("one", one), ("many", many)):
                viewer = TestClient(app)
                assert sign_in(viewer, user.email).status_code == 303
                viewers[label] = viewer
            times: dict[str, list[float]] = {label: [] for label in viewers}
            for _ in range(args.rounds):
                for label, viewer in viewers.items():
                    start = time.perf_counter()
                    assert viewer.get("/").status_code == 200
                    times[label].append(time.perf_counter() - start)
            median = {label: statistics.median(ts) for label, ts in times.items()}
            before = audit_events(app)
            viewers["many"].get("/")
            appended = audit_events(app) - before
        ratio = median["many"] / median["one"]
        print(f"home page, {args.cases} cases vs 1 case: ratio = {ratio:.2f} (target <= 2); "
              f"audit events per view: {appended} (target 0)")


if __name__ == "__main__":
    main()
