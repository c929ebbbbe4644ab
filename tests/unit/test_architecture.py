"""The import structure holds: no module-level import cycles in app/ and crypto/ (a lazy
import inside a function counts too), and the import contracts in pyproject.toml pass."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp

from tests.routes import api_routes

ROOT = Path(__file__).resolve().parents[2]


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(
                        graph.find_modules_directly_imported_by(child)))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def test_cycle_finder_finds_a_cycle(tmp_path, monkeypatch):
    pkg = tmp_path / "cyc"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from cyc import b\n")
    (pkg / "b.py").write_text("def f():\n    from cyc import a\n")
    (pkg / "c.py").write_text("from cyc import a\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert _cycles(grimp.build_graph("cyc", cache_dir=None)) == [["cyc.a", "cyc.b"]]


def test_no_import_cycles_in_app_and_crypto():
    graph = grimp.build_graph("app", "crypto", cache_dir=None)
    assert _cycles(graph) == []


def test_import_contracts_hold():
    tool = str(Path(sys.executable).parent / "lint-imports")
    run = subprocess.run([tool, "--no-cache"], cwd=ROOT, capture_output=True, text=True,
                         timeout=120, check=False)
    assert run.returncode == 0, run.stdout[-4000:]


def _dependencies(route) -> set[tuple[str, str]]:  # noqa: ANN001
    found: set[tuple[str, str]] = set()
    stack = list(route.dependant.dependencies)
    while stack:
        dep = stack.pop()
        call = dep.call
        module = getattr(call, "__module__", "") or ""
        found.add((module, getattr(call, "__qualname__", repr(call))))
        stack.extend(dep.dependencies)
    return found


# Input readers, not guards: like a body schema, each belongs to the code that reads it
# (and each depends on a guard from ``app.deps``, so a refused caller's body is not read).
INPUT_READERS = {
    ("app.documents.router", "upload_form"),
    ("app.documents.tracing.router", "raw_evidence"),
    ("app.protective_orders.router", "order_body"),
    ("app.protective_orders.router", "raw_draft"),
    ("app.protective_orders.router", "public_text_body"),
    ("app.pagination", "page_params"),
    ("app.web.pages_documents", "upload_form"),
    ("app.web.pages_traces", "evidence_form"),
    ("app.web.pages_audit", "filter_params"),
    ("app.runtime", "get_services"),  # what ``app.deps.ServicesDep`` wraps
}


def test_every_dependency_of_the_api_and_the_pages_lives_in_one_module(tmp_path):
    """Sessions, collaborators, principals and the case guards of API routes and pages are
    declared in ``app.deps`` (or are the framework's own, such as the bearer scheme)."""
    from app.config import Settings
    from app.main import create_app

    app = create_app(Settings(database_url="sqlite://", data_dir=tmp_path))
    routes = api_routes(app.router.routes)
    assert len(routes) > 100
    elsewhere = {(module, name) for route in routes for module, name in _dependencies(route)
                 if module.startswith("app.") and module != "app.deps"} - INPUT_READERS
    assert sorted(elsewhere) == []
