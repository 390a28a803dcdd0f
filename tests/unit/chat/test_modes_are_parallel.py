"""Companion and intimate chat are parallel systems: neither mode's code imports the other's."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
MODES = {
    "companion": ["application/chat/companion", "api/routers/sfw_chat.py",
                  "domain/aggregates/companion_thread.py",
                  "domain/aggregates/companion_personality.py"],
    "intimate": ["application/chat/intimate", "api/routers/intimate_chat.py",
                 "domain/aggregates/intimate_thread.py"],
}
OWN_MODULES = {mode: {str(Path(p).with_suffix("")).replace("/", ".") for p in paths}
               for mode, paths in MODES.items()}


def modules_imported(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def files(paths: list[str]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        target = ROOT / p
        out += sorted(target.rglob("*.py")) if target.is_dir() else [target]
    return out


@pytest.mark.parametrize("mode, other", [("companion", "intimate"), ("intimate", "companion")])
def test_a_mode_never_imports_the_other(mode: str, other: str) -> None:
    checked = files(MODES[mode])
    assert checked, "the mode's files moved: update this test"
    for path in checked:
        imported = modules_imported(path)
        crossing = {m for m in imported if any(m == o or m.startswith(o + ".")
                                               for o in OWN_MODULES[other])}
        assert not crossing, f"{path.relative_to(ROOT)} imports {sorted(crossing)}"


def test_what_both_modes_share_holds_no_state() -> None:
    """The shared helpers are modules of functions and policy-driven classes: no module-level
    mutable state a mode could change under the other."""
    shared = [ROOT / "application/chat" / name for name in (
        "reply_rules.py", "checked_relay.py", "memory_notes.py", "pricing.py", "tip_rules.py")]
    for path in shared:
        tree = ast.parse(path.read_text())
        for node in tree.body:
            if isinstance(node, ast.Assign | ast.AnnAssign):
                value = node.value
                assert not isinstance(value, ast.List | ast.Dict | ast.Set), \
                    f"{path.name} holds module-level mutable state"
