"""One signature of one version of one declaration text. Immutable: it has no event after Signed.

A new version of a text is a new aggregate (its id includes the version), never an edit.
"""

from datetime import datetime
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain import ids


class Declaration(Aggregate):
    @staticmethod
    def create_id(creator_user_id: str, kind: str, version: int, **_: object) -> UUID:
        return uuid5(ids.DECLARATION, f"{creator_user_id}\x1f{kind}\x1f{version}")

    class Signed(Aggregate.Created):
        creator_user_id: str
        kind: str
        version: int
        text_sha256: str
        signed_by: str
        signed_at: datetime
        ip: str
        user_agent: str

    @event(Signed)
    def __init__(self, creator_user_id: str, kind: str, version: int, text_sha256: str,
                 signed_by: str, signed_at: datetime, ip: str, user_agent: str) -> None:
        self.creator_user_id = creator_user_id
        self.kind = kind
        self.version = version
        self.text_sha256 = text_sha256
        self.signed_by = signed_by
        self.signed_at = signed_at
        self.ip = ip
        self.user_agent = user_agent
