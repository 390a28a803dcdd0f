"""Imports run one way, downward: a package imports only the layers below it, and no module
imports itself back through others. The one intended exception: adapters implement the
application's ports (`application.ports`), so they may import that module alone."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[3]
LAYERS = ["domain", "adapters", "projections", "replay", "application", "api", "demo", "cli"]  # bottom first
RANK = {name: rank for rank, name in enumerate(LAYERS)}
ALLOWED_UPWARD = {("adapters", "application.ports")}


def modules() -> dict[str, Path]:
    found = {}
    for package in LAYERS:
        for path in (ROOT / package).rglob("*.py"):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def imports(path: Path) -> set[str]:
    """Modules this one imports at its top level or inside functions (all of them count)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


MODULES = modules()


def own(name: str) -> str | None:
    """The project module an imported name refers to (a module, or a name in one)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


@pytest.mark.parametrize("module", sorted(MODULES))
def test_a_module_imports_only_the_layers_below_it(module: str) -> None:
    layer = module.split(".")[0]
    upward = sorted(
        target for target in {own(n) for n in imports(MODULES[module])} - {None, module}
        if RANK[target.split(".")[0]] > RANK[layer]  # type: ignore[union-attr]
        and (layer, target) not in ALLOWED_UPWARD)
    assert not upward, f"{module} imports the layer above it: {upward}"


def test_no_import_cycle_among_modules() -> None:
    graph = {m: {t for t in (own(n) for n in imports(p)) if t and t != m}
             for m, p in MODULES.items()}
    state: dict[str, int] = {}  # 1 visiting, 2 done
    cycle: list[str] = []

    def visit(node: str, path: list[str]) -> bool:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycle.extend(path[path.index(nxt):] + [nxt] if nxt in path else [node, nxt])
                return True
            if state.get(nxt) is None and visit(nxt, [*path, nxt]):
                return True
        state[node] = 2
        return False

    for start in sorted(graph):
        if state.get(start) is None and visit(start, [start]):
            break
    assert not cycle, " -> ".join(cycle)
