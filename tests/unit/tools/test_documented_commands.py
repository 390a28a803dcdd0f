"""Every command the README and docs/ give runs as written from the project's folder: each
`python -m` module and each `lyra` subcommand they name answers `--help` (which imports all it
needs, so a module path that does not resolve fails here, not in a newcomer's shell)."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
DOCS = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").glob("*.md"))]
_MODULE = re.compile(r"\.venv/bin/python -m ([a-z_]+(?:\.[a-z_]+)+)")
_LYRA = re.compile(r"`(?:\.venv/bin/)?lyra ((?:[a-z][a-z-]*)(?: [a-z][a-z-]*)*)")


def documented() -> list[list[str]]:
    commands: dict[str, list[str]] = {}
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        for module in _MODULE.findall(text):
            commands[module] = ["-m", module]
        for words in _LYRA.findall(text):
            commands["lyra " + words] = ["-m", "cli", *words.split()]
    return list(commands.values())


COMMANDS = documented()


def test_the_docs_name_the_benches_tools_and_subcommands() -> None:
    modules = {c[1] for c in COMMANDS if c[1] != "cli"}
    assert {"bench.blocked_terms", "bench.rebuild", "tools.soak", "tools.filter_eval",
            "tools.screenshots"} <= modules
    assert any(c[2:4] == ["safety", "eval"] for c in COMMANDS if c[1] == "cli")


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_each_documented_command_runs(command: list[str]) -> None:
    done = subprocess.run([sys.executable, *command, "--help"], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "usage" in done.stdout.lower()
