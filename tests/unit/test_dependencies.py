"""Every library the service's code imports is one it declares: a module found only
through the development extras (or another package's dependencies) would work in the tests
and fail at `make run`, which installs the main dependencies alone."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIRST_PARTY = {"app", "crypto", "migrations"}
# Extras a deployment opts into on purpose (the HSM provider imports it only when chosen).
OPT_IN_EXTRAS = ("pkcs11",)
# Libraries that a declared one is built on and publishes as part of its own interface
# (FastAPI's requests and responses are Starlette's; boto3's errors are botocore's).
PART_OF = {"starlette": "fastapi", "pydantic-core": "pydantic", "botocore": "boto3"}


def _name(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = {_name(r) for r in project["dependencies"]}
    for extra in OPT_IN_EXTRAS:
        names |= {_name(r) for r in project["optional-dependencies"][extra]}
    return names


def _imported_modules() -> dict[str, set[str]]:
    """Top-level third-party modules imported anywhere in the service's code (lazy imports
    inside functions too: they run in production as well), with where."""
    found: dict[str, set[str]] = {}
    for folder in ("app", "crypto"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if isinstance(node, ast.Import):
                    modules = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    modules = [node.module]
                else:
                    continue
                for module in modules:
                    top = module.split(".")[0]
                    if top not in FIRST_PARTY and top not in sys.stdlib_module_names:
                        found.setdefault(top, set()).add(str(path.relative_to(ROOT)))
    return found


def test_every_imported_library_is_a_declared_dependency():
    declared = _declared()
    owners = packages_distributions()
    undeclared = {}
    for module, where in _imported_modules().items():
        dists = {d.lower().replace("_", "-") for d in owners.get(module, [])}
        dists |= {PART_OF[d] for d in dists if d in PART_OF}
        if not dists & declared:
            undeclared[module] = (sorted(dists), sorted(where)[:3])
    assert undeclared == {}
