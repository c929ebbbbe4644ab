"""Where a newcomer finds things: each domain's use cases in ``service.py`` or a
``service/`` package (one module per verb) with its read models in ``reads.py``; no module
that shadows the standard library or reads as packaging."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOMAINS = ["auth", "cases", "offers", "rule68", "ene", "documents", "deadlines", "audit"]
# Use cases of these many verbs are split into a package, one module per verb.
PACKAGED = ["auth", "offers", "rule68", "ene", "documents"]


def _modules() -> list[Path]:
    return [p for top in ("app", "crypto") for p in (ROOT / top).rglob("*.py")]


def test_no_module_shadows_the_standard_library_or_reads_as_packaging():
    clashes = [str(p.relative_to(ROOT)) for p in _modules()
               if p.stem in sys.stdlib_module_names or p.stem in {"setup", "conftest"}]
    assert clashes == []


def test_each_domain_has_its_use_cases_in_one_place():
    for domain in DOMAINS:
        base = ROOT / "app" / domain
        assert (base / "service.py").exists() != (base / "service").is_dir(), domain


def test_packaged_domains_have_one_module_per_verb_and_their_reads_apart():
    for domain in PACKAGED:
        package = ROOT / "app" / domain / "service"
        verbs = [p for p in package.glob("*.py") if p.name != "__init__.py"]
        assert len(verbs) >= 2, domain
        assert (ROOT / "app" / domain / "reads.py").exists() or domain == "auth", domain
        init = (package / "__init__.py").read_text()
        assert "\ndef " not in init and "\nclass " not in init, domain  # re-exports only
