"""The pages hold no inline script, style or event handler: the Content-Security-Policy
(`api/security_headers.py`) would refuse them, so a page would silently lose behaviour."""

import re
from pathlib import Path

import pytest

TEMPLATES = sorted((Path(__file__).parents[3] / "api" / "pages" / "templates").glob("*.html"))
INLINE = {
    "script without src": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),
    "style element": re.compile(r"<style\b", re.I),
    "style attribute": re.compile(r"\sstyle\s*=", re.I),
    "event handler attribute": re.compile(r"\son[a-z]+\s*=", re.I),
    "javascript: link": re.compile(r"javascript:", re.I),
}


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_a_template_has_no_inline_code(template: Path) -> None:
    text = template.read_text()
    found = [kind for kind, pattern in INLINE.items() if pattern.search(text)]
    assert not found, f"{template.name}: {found}"


def test_there_are_templates_to_check() -> None:
    assert len(TEMPLATES) > 20
