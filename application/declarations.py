"""Declaration texts, versioned as data files (application/declaration_texts/KIND.vN.txt).

The current version of each kind is the highest N on disk; a signature records the SHA-256 of the
exact bytes shown, so a later edit of a text can never be passed off as what was signed.
"""

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

REQUIRED_KINDS = ("age_18_plus", "content_rights", "no_real_person_likeness", "ai_disclosure",
                  "platform_rules")
_FILE = re.compile(r"^(?P<kind>[a-z0-9_]+)\.v(?P<version>\d+)\.txt$")


@dataclass(frozen=True)
class DeclarationText:
    kind: str
    version: int
    text: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()


@lru_cache
def all_texts() -> dict[tuple[str, int], DeclarationText]:
    found: dict[tuple[str, int], DeclarationText] = {}
    for entry in resources.files("application.declaration_texts").iterdir():
        match = _FILE.match(entry.name)
        if match:
            kind, version = match["kind"], int(match["version"])
            found[(kind, version)] = DeclarationText(kind, version, entry.read_text("utf-8"))
    return found


def current() -> dict[str, DeclarationText]:
    """The version of each required kind that a creator must sign now."""
    latest: dict[str, DeclarationText] = {}
    for (kind, version), text in all_texts().items():
        if kind in REQUIRED_KINDS and (kind not in latest or version > latest[kind].version):
            latest[kind] = text
    missing = set(REQUIRED_KINDS) - set(latest)
    if missing:
        raise RuntimeError(f"declaration texts missing for: {', '.join(sorted(missing))}")
    return latest


def required_versions() -> dict[str, int]:
    return {kind: text.version for kind, text in current().items()}
