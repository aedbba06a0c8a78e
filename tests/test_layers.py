"""Imports run one way: between the project's packages and socle's sub-packages (and its
top-level modules), the import graph has no cycle, so each layer can be read, tested and
changed without the ones above it."""

from __future__ import annotations

import ast

from socle.config import PROJECT_ROOT

PACKAGES = ("schemas", "socle", "assets", "pipelines")


def _unit(module: str) -> str:
    """`socle.indicators.engine` → `socle.indicators`; `assets.x` → `assets`."""
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "socle" and len(parts) > 1 else parts[0]


def _imports() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    for package in PACKAGES:
        for path in (PROJECT_ROOT / package).rglob("*.py"):
            module = ".".join(path.relative_to(PROJECT_ROOT).with_suffix("").parts)
            source = _unit(module.removesuffix(".__init__"))
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                elif isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                else:
                    continue
                for name in names:
                    if name.split(".")[0] in PACKAGES and _unit(name) != source:
                        edges.setdefault(source, set()).add(_unit(name))
    return edges


def _reachable(edges: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        for nxt in edges.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def test_no_import_cycle_between_layers():
    edges = _imports()
    assert "socle.indicators" in edges["socle.export"]  # the graph is really read
    cycles = sorted((a, b) for a, targets in edges.items() for b in targets
                    if a in _reachable(edges, b))
    assert cycles == []


def test_the_engine_does_not_import_what_uses_it():
    edges = _imports()
    above = {"socle.export", "socle.publish", "socle.pipeline", "socle.cli", "assets",
             "pipelines"}
    assert not (_reachable(edges, "socle.indicators") & above)
