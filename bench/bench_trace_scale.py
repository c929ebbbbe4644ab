"""Tracing a text excerpt in a room of 1,000 documents that share their legal vocabulary,
against the same trace in a room of one (issue #15 item 5).

Corpus, built in this run: legal letters generated from the court orders of
``shared/context`` (their sentences shuffled and recombined into paragraphs, framed as a
letter between counsel, with the parties, judges, dates, docket and ECF numbers, amounts and
Bates ranges varied per letter). Every letter uses the same few hundred sentences, so any
two letters share most of their vocabulary and many whole sentences: the room where a
tracer that aligns every similar document is slowest.

Both rooms are built through the HTTP API (TestClient, one process, SQLite): upload every
letter as a text document, download every letter once (a trace compares only versions that
were downloaded), and the traced letter by three recipients. A 20 % excerpt (about 3,000
characters) from the middle of one recipient's copy, without its footer, is traced by the
room's auditor in each room, interleaved, best of ``--rounds``.

Prints the ratio time(1,000-document room) / time(1-document room) (target < 3), the
absolute times as a comment line, whether each trace named the right document and
recipient, and the upload rate.

Usage: PYTHONPATH=. .venv/bin/python bench/bench_trace_scale.py [--docs 1000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fastapi.testclient import TestClient  # noqa: E402

from app.config import Settings  # noqa: E402
from app.main import create_app  # noqa: E402
from app.migrate import upgrade  # noqa: E402
from tests.factories import Api, Room  # noqa: E402

CONTEXT = Path("/work/shared/context")
SURNAMES = ["Hernandez", "Okafor", "Lindqvist", "Ramirez", "Chen", "Abernathy", "Novak",
            "Patel", "Delacroix", "Whitfield", "Nakamura", "Osei", "Brennan", "Castellano",
            "Ivanova", "Kowalski", "Mbeki", "Fitzgerald", "Haddad", "Sorensen", "Quintero",
            "Adeyemi", "Van Houten", "Galloway", "Thibodeaux", "Marchetti", "Holloway"]
GIVEN = ["Maria", "James", "Aisha", "Robert", "Mei", "Daniel", "Sofia", "Thomas", "Grace",
         "Samuel", "Elena", "Victor", "Priya", "Jonathan", "Leila", "Marcus", "Hannah"]
COMPANIES = ["Northgate Logistics, Inc.", "Calloway Freight LLC", "Bayside Medical Group",
             "Harbor Point Insurance Co.", "Summit Ridge Properties", "Redwood Analytics Corp.",
             "Lakeshore Manufacturing Co.", "Pacific Crest Bank", "Ironwood Builders, Inc."]
COURTS = ["N.D. Cal.", "E.D. Cal.", "C.D. Cal.", "S.D. Cal.", "W.D. Wash.", "D. Or."]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
# Names in the orders, replaced by each letter's own people.
ORDER_NAMES = ["Jennifer", "Thurston", "Lakewood", "Unigard", "Anthony", "Battaglia",
               "Thompson", "Roto", "Rooter", "Parciasepe", "Joseph", "Alonzo", "James"]
STOCK = [
    "We write on behalf of our client, {client}, regarding the matters discussed below.",
    "As you know, the parties met and conferred on {date} and again on {date2}.",
    "Please let us know by {date2} whether {other} will agree to the proposed schedule.",
    "Enclosed please find the documents Bates-numbered {bates} through {bates2}.",
    "Our client remains willing to resolve this matter for ${amount}, inclusive of fees.",
    "We reserve all rights, remedies and objections, none of which are waived by this letter.",
    "This letter is a confidential settlement communication under Federal Rule of Evidence 408.",
    "Counsel for {other} agreed during the call that the deposition of {person} would proceed "
    "on {date2}.",
    "The declaration of {person} filed as ECF No. {ecf} does not change our position.",
]


def order_sentences() -> list[str]:
    """The orders' sentences (pleading-paper line numbers and captions dropped), with the
    names in them made slots."""
    out: list[str] = []
    for path in sorted(CONTEXT.glob("*.txt")):
        lines = [re.sub(r"^\d{1,2}\s+", "", ln.strip()) for ln in
                 path.read_text("utf-8").splitlines() if not ln.strip().isdigit()]
        text = " ".join(ln for ln in lines if ln)
        for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", text):
            s = " ".join(s.split())
            letters = [c for c in s if c.isalpha()]
            if not 40 <= len(s) <= 500 or sum(c.isupper() for c in letters) > len(letters) / 3:
                continue
            for name in ORDER_NAMES:
                s = re.sub(rf"\b{name}\b", "{person}", s)
            if s not in out:
                out.append(s)
    return out


def _date(rng: random.Random) -> str:
    return f"{rng.choice(MONTHS)} {rng.randint(1, 28)}, {rng.randint(2019, 2026)}"


def letter(rng: random.Random, pool: list[str], chars: int = 15_000) -> str:
    """One letter between counsel: a header, about ``chars`` characters of recombined
    paragraphs, a closing. Names and numbers drawn per letter."""
    people = [f"{rng.choice(GIVEN)} {rng.choice(SURNAMES)}" for _ in range(4)]
    client, other = rng.sample(COMPANIES, 2)
    slots = {
        "client": client, "other": other, "date": _date(rng), "date2": _date(rng),
        "bates": f"ACME{rng.randint(1, 90000):06d}", "amount": f"{rng.randint(5, 950) * 1000:,}",
        "ecf": str(rng.randint(10, 400)),
    }
    slots["bates2"] = f"ACME{int(slots['bates'][4:]) + rng.randint(5, 900):06d}"

    def fill(s: str) -> str:
        s = re.sub(r"\b(?:ECF|Doc\.) No\. \d+", f"ECF No. {rng.randint(10, 400)}", s)
        s = re.sub(r"\b(19|20)\d\d\b", str(rng.randint(2015, 2026)), s)
        return s.format(person=rng.choice(people), **slots) if "{" in s else s

    head = (f"{people[0].split()[-1].upper()} & {people[1].split()[-1].upper()} LLP\n"
            f"{rng.randint(100, 9999)} Market Street, Suite {rng.randint(100, 4800)}\n"
            f"San Francisco, CA 941{rng.randint(0, 99):02d}\n\n{_date(rng)}\n\n"
            f"VIA ELECTRONIC MAIL\n\n{people[2]}, Esq.\n{other}\n\n"
            f"Re: {client.split(',')[0]} v. {other.split(',')[0]}, No. "
            f"{rng.randint(1, 5)}:{rng.randint(18, 26)}-cv-{rng.randint(1, 9999):05d} "
            f"({rng.choice(COURTS)})\n\nDear {people[2].split()[-1]}:\n\n")
    body: list[str] = []
    size = 0
    while size < chars:
        n = rng.randint(3, 7)
        picks = [rng.choice(pool) if rng.random() < 0.85 else rng.choice(STOCK)
                 for _ in range(n)]
        para = " ".join(fill(s) for s in picks)
        body.append(para)
        size += len(para) + 2
    tail = f"\n\nVery truly yours,\n\n{people[0]}\n"
    return head + "\n\n".join(body) + tail


def build_app(tmp: str) -> object:
    url = f"sqlite:///{tmp}/bench.db"
    upgrade(url)
    return create_app(Settings(  # type: ignore[call-arg]
        env="dev", data_dir=Path(tmp) / "data", database_url=url,
        secret_key="bench-secret-key-0123456789abcdef0123456789",
        argon2_time_cost=1, argon2_memory_kib=64, argon2_parallelism=1))


RECIPIENTS = ("defense_counsel", "defense_client", "pro_se")


def fill_room(api: Api, room: Room, letters: list[str]) -> tuple[list[str], float]:
    """Upload every letter, download each once; returns the document ids and the upload
    seconds."""
    ids = []
    start = time.perf_counter()
    for i, text in enumerate(letters):
        ids.append(api.document(room, text.encode(), filename=f"letter-{i}.txt")["id"])
    uploaded = time.perf_counter() - start
    for i, doc_id in enumerate(ids):
        r = api.download(room, doc_id, RECIPIENTS[i % len(RECIPIENTS)])
        assert r.status_code == 200, r.text
    return ids, uploaded


def excerpt(copy: str, share: float = 0.2) -> str:
    body = copy.split("\n\n--\n")[0]
    n = int(len(body) * share)
    start = body.find(" ", len(body) // 2 - n // 2) + 1
    end = body.rfind(" ", 0, start + n)
    return body[start:end]


def trace(api: Api, room: Room, text: str) -> tuple[float, dict]:
    start = time.perf_counter()
    r = api.client.post("/api/v1/traces", headers=room.users["auditor"].headers,
                        json={"text": text})
    took = time.perf_counter() - start
    assert r.status_code == 200, r.text
    return took, r.json()


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    rng = random.Random(15)
    pool = order_sentences()
    letters = [letter(rng, pool) for _ in range(args.docs)]
    with tempfile.TemporaryDirectory() as tmp:
        app = build_app(tmp)
        with TestClient(app) as client:
            api = Api(client, app)  # type: ignore[arg-type]
            small, large = api.room(), api.room()
            target = rng.randrange(args.docs)
            alone, _ = fill_room(api, small, [letters[target]])
            ids, upload_seconds = fill_room(api, large, letters)
            evidence = {}
            for label, room, doc_id in (("1", small, alone[0]), ("N", large, ids[target])):
                r = api.download(room, doc_id, "defense_client")
                evidence[label] = (room, doc_id, r.headers["x-download-id"],
                                   excerpt(r.content.decode()))
            times: dict[str, list[float]] = {"1": [], "N": []}
            right: dict[str, bool] = {}
            for _ in range(args.rounds):
                for label, (room, doc_id, download_id, text) in evidence.items():
                    took, got = trace(api, room, text)
                    times[label].append(took)
                    matches = got["matches"]
                    right[label] = (got["verdict"] == "identified" and len(matches) == 1
                                    and matches[0]["document_id"] == doc_id
                                    and matches[0]["download_id"] == download_id
                                    and matches[0]["user_id"]
                                    == room.users["defense_client"].id)
    one, many = min(times["1"]), min(times["N"])
    chars = len(evidence["N"][3])
    print(f"trace of a {chars}-character excerpt, {args.docs}-document room vs 1-document "
          f"room: ratio = {many / one:.2f} (target < 3)")
    print(f"# absolute, best of {args.rounds}: {many * 1000:.0f} ms ({args.docs} documents), "
          f"{one * 1000:.0f} ms (1 document); upload of {args.docs} letters: "
          f"{upload_seconds:.1f} s ({upload_seconds / args.docs * 1000:.0f} ms each)")
    print(f"right document and recipient: {args.docs}-document room {right['N']}, "
          f"1-document room {right['1']}")


if __name__ == "__main__":
    main()
