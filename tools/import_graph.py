"""Draw fuling_batch's import graph and check its layering.

Every import counts, including those inside functions and under ``TYPE_CHECKING``. The check
fails on an import cycle between modules, or on a stage importing a later stage (the order is
``STAGES`` below; ``docs/architecture.md`` explains it). Run ``python tools/import_graph.py``
to print the graph; ``tests/test_layout.py`` runs the check.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

PACKAGE = "fuling_batch"
ROOT = Path(__file__).resolve().parents[1] / PACKAGE

# Lowest first. A module may import modules of its own stage or of an earlier one.
STAGES: tuple[tuple[str, ...], ...] = (
    ("errors", "oserrors"),
    ("config",),
    ("runtime",),
    ("rules",),
    ("intake",),
    ("history",),
    ("summary",),
    ("notices",),
    ("forms",),
    ("rectify",),
    ("report",),
    ("year_record",),
    ("outputs",),
    ("pipeline", "issuing"),
    ("console",),
    ("web",),
    ("cli", "__main__", "__init__"),
)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts.pop()
    return ".".join(parts)


def stage_of(module: str) -> int:
    head = module.split(".")[0]
    for index, names in enumerate(STAGES):
        if head in names:
            return index
    raise ValueError(f"{module} belongs to no stage: add it to STAGES")


def _resolve(module: str, is_package: bool, level: int, target: str | None) -> str:
    base = module.split(".") if module else []
    if not is_package:
        base = base[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join([*base, *([target] if target else [])])


def imports(path: Path) -> Iterator[str]:
    """Modules of the package that ``path`` imports (anywhere in the file)."""
    module = module_name(path)
    if module == "__init__":
        module = ""
    is_package = path.name == "__init__.py"
    known = {module_name(p) for p in ROOT.rglob("*.py")}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                target = _resolve(module, is_package, node.level, node.module)
            elif node.module and node.module.startswith(PACKAGE + "."):
                target = node.module[len(PACKAGE) + 1 :]
            else:
                continue
            for alias in node.names:
                sub = f"{target}.{alias.name}" if target else alias.name
                if sub in known:
                    yield sub
                elif target:
                    yield target
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith(PACKAGE + "."):
                    yield alias.name[len(PACKAGE) + 1 :]


def graph() -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for path in sorted(ROOT.rglob("*.py")):
        name = module_name(path)
        out[name] = {t for t in imports(path) if t != name}
    return out


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Each import cycle once, as a list of modules (Tarjan's strongly connected components)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in edges.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def problems(edges: dict[str, set[str]] | None = None) -> list[str]:
    """Every cycle and every import of a later stage, as sentences; empty when the layout holds."""
    edges = graph() if edges is None else edges
    out = [f"import cycle: {' -> '.join(group)}" for group in cycles(edges)]
    for source, targets in sorted(edges.items()):
        # A package's __init__ is its public face: it may import its own modules.
        for target in sorted(targets):
            if stage_of(target) > stage_of(source):
                out.append(f"{source} imports the later stage {target}")
    return out


def main() -> int:
    edges = graph()
    for source in sorted(edges):
        print(f"{source} -> {', '.join(sorted(edges[source])) or '(nothing)'}")
    found = problems(edges)
    for line in found:
        print("PROBLEM:", line, file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
