"""The house rules of ARCHITECTURE.md, checked on the source: which layer may import which, and
no import cycle (imports inside functions count too: a late import only hides a cycle)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "nlc_toolkit"


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every module this file imports, absolute (relative imports resolved)."""
    module, is_package = _module(path), path.name == "__init__.py"
    found = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")[: len(module.split(".")) - node.level + (1 if is_package else 0)]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            found.add(name)
            found.update(f"{name}.{alias.name}" for alias in node.names)
    return found


SOURCES = {_module(p): p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts}
GRAPH = {m: {i for i in _imports(p) if i in SOURCES and i != m} for m, p in SOURCES.items()}
EXTERNAL = {m: {i.split(".")[0] for i in _imports(p)} for m, p in SOURCES.items()}


def _in(module: str, layer: str) -> bool:
    return module == f"nlc_toolkit.{layer}" or module.startswith(f"nlc_toolkit.{layer}.")


@pytest.mark.parametrize("layer, forbidden_packages, forbidden_layers", [
    ("core", {"reflex", "sqlalchemy"}, {"db", "services", "ui", "api"}),
    ("db", {"reflex"}, {"services", "ui", "api"}),
    ("services", {"reflex"}, {"ui", "api"}),
    ("ui", {"sqlalchemy", "pandas"}, {"db"}),
])
def test_layers_import_only_downwards(layer, forbidden_packages, forbidden_layers):
    wrong = []
    for module in SOURCES:
        if not _in(module, layer):
            continue
        wrong += [f"{module} imports {p}" for p in EXTERNAL[module] & forbidden_packages]
        wrong += [f"{module} imports {i}" for i in GRAPH[module] if any(_in(i, other) for other in forbidden_layers)]
    assert not wrong, "\n".join(sorted(wrong))


def test_no_import_cycle():
    """Strongly connected components of the module graph: each must be a single module. A
    package's __init__ importing its own submodules is not a cycle of code, so packages are
    skipped as nodes."""
    nodes = [m for m, p in SOURCES.items() if p.name != "__init__.py"]
    graph = {m: [i for i in GRAPH[m] if i in nodes] for m in nodes}
    index, low, stack, on_stack, cycles, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in nodes:
        if v not in index:
            visit(v)
    assert not cycles, cycles


def test_every_route_is_registered_once():
    """routes.py lists every page; each page module attaches itself to exactly one of them."""
    import nlc_toolkit.nlc_toolkit  # noqa: F401 - registers the pages
    from nlc_toolkit import routes
    from nlc_toolkit.ui.components import shell

    assert sorted(shell.registered_routes()) == sorted(r.path for r in routes.ALL)
