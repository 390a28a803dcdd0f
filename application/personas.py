"""Personas: the model wizard's commands, the safety checks on every write, admin review.

Every text field a creator writes passes the rule layers first: a block refuses the write with
the fields and rules named, and nothing is recorded. When a persona goes to review, what the
rules sent to review, the likeness matches and the model's second opinion travel with it to the
admin queue; approving it then needs the admin's acknowledgement of the review findings, and a
model finding of a minor or of non-consent at the gate's confidence needs a second admin.
"""

import contextlib
import threading
from datetime import datetime
from importlib import resources
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from adapters.eventstore.ledger import ConcurrencyExhaustedError, Ledger
from application.clock import Clock
from application.moderation import SelfModerationError
from application.safety.blocked_terms import shipped_terms
from application.safety.checks import SafetyChecks
from application.safety.screen import Screen
from application.safety.second_opinion import SecondOpinions
from application.safety.verdict import NON_CONSENSUAL, UNDERAGE, Verdict
from domain import ids
from domain.aggregates.blocked_term_list import BlockedTermList
from domain.aggregates.creator import Creator
from domain.aggregates.persona import SUBMITTED, CreatorPersonas, Persona
from domain.aggregates.tag_vocabulary import PRIMARY, SECONDARY, TagVocabulary
from domain.errors import DomainError
from domain.persona_profile import text_fields, validate

SEED_ACTOR = "system:seed"


class CreatorNotApprovedError(DomainError):
    code = "creator_not_approved"


class UnknownPersonaError(DomainError):
    code = "unknown_persona"


class NotYourPersonaError(DomainError):
    code = "not_your_persona"


class Personas:
    def __init__(self, ledger: Ledger, clock: Clock, safety: SafetyChecks, limit: int,
                 opinions: SecondOpinions | None = None, gate_confidence: float = 0.6) -> None:
        self._ledger = ledger
        self._clock = clock
        self._safety = safety
        self._opinions = opinions
        self._gate_confidence = gate_confidence
        self._terms_adopted = False
        self._terms_cache: dict[UUID, Any] = {}
        self._terms_lock = threading.Lock()
        self.limit = limit

    # -- the creator's wizard ---------------------------------------------------------------

    def create(self, creator_user_id: str, profile: dict[str, Any]) -> Persona:
        self._approved_creator(creator_user_id)
        clean = self._checked(profile)
        for _ in range(5):
            index = (self._ledger.get_or_none(ids.creator_personas_id(creator_user_id))
                     or CreatorPersonas(creator_user_id=creator_user_id))
            persona = Persona(creator_user_id=creator_user_id, profile=clean, at=self._clock())
            index.add(persona.id, self.limit)
            try:
                self._ledger.save(index, persona)
                return persona
            except IntegrityError:  # another persona was added at the same moment: count again
                continue
        raise ConcurrencyExhaustedError("your personas kept changing; try again")

    def update(self, creator_user_id: str, persona_id: UUID, profile: dict[str, Any]) -> Persona:
        persona = self._own(creator_user_id, persona_id)
        clean = self._checked(profile)
        if persona.profile.get("images"):  # set only through set_image: never from a form
            clean["images"] = persona.profile["images"]
        persona.edit(clean, self._safety.likeness(text_fields(clean)), self._clock())
        self._with_opinion(persona)
        self._ledger.save(persona)
        return persona

    def set_images(self, creator_user_id: str, persona_id: UUID,
                   changed: dict[str, dict[str, Any]]) -> Persona:
        """The persona's avatar and/or cover (already processed and stored), in one edit like
        any other: a live persona goes back to review and keeps its approved images meanwhile."""
        persona = self._own(creator_user_id, persona_id)
        images = {**persona.profile.get("images", {}), **changed}
        profile = {**persona.profile, "images": images}
        persona.edit(profile, self._safety.likeness(text_fields(profile)), self._clock())
        self._with_opinion(persona)
        self._ledger.save(persona)
        return persona

    def _with_opinion(self, persona: Persona) -> None:
        """When the change sent the persona to review: what the rules sent to review, and the
        model's second opinion, for the reviewer beside the likeness findings; a model finding
        of a minor or of non-consent at the gate's confidence asks for a second admin."""
        if persona.review != SUBMITTED or \
                not any(isinstance(e, Persona.Submitted) for e in persona.pending_events):
            return
        fields = text_fields(persona.profile)
        now = self._clock()
        persona.record_findings([f.as_dict() for f in self.screen().check(fields).for_review],
                                now)
        if self._opinions is None:
            return
        opinion = self._opinions.assess(fields)
        persona.record_opinion(opinion, now)
        gated = sorted({UNDERAGE, NON_CONSENSUAL} & set(opinion.get("categories", [])))
        if opinion.get("status") == "given" and gated and \
                opinion.get("confidence", 0) >= self._gate_confidence:
            persona.require_second_review({"categories": gated,
                                           "confidence": opinion["confidence"],
                                           "threshold": self._gate_confidence}, now)

    def submit(self, creator_user_id: str, persona_id: UUID) -> Persona:
        self._approved_creator(creator_user_id)
        persona = self._own(creator_user_id, persona_id)
        persona.submit(self._safety.likeness(text_fields(persona.profile)), self._clock())
        self._with_opinion(persona)
        self._ledger.save(persona)
        return persona

    def publish(self, creator_user_id: str, persona_id: UUID, publish: bool) -> Persona:
        persona = self._own(creator_user_id, persona_id)
        if publish:
            self._approved_creator(creator_user_id)
            persona.publish(self._clock())
        else:
            persona.unpublish(self._clock())
        self._ledger.save(persona)
        return persona

    # -- admin review -----------------------------------------------------------------------

    def review(self, actor: str, persona_id: UUID, approve: bool, reason: str,
               acknowledged: bool = False) -> Persona:
        """Approve (or give the first of two approvals) or reject; `acknowledged` is the admin's
        word that they weighed the findings the rules sent to review."""
        persona = self._get(persona_id)
        if persona.creator_user_id == actor:
            raise SelfModerationError("admins cannot review their own personas")
        if approve:
            persona.approve(actor, reason or "approved", self._clock(), acknowledged)
        else:
            persona.reject(actor, reason, self._clock())
        self._ledger.save(persona)
        return persona

    def add_tag(self, actor: str, slug: str, label: str, kind: str) -> None:
        vocabulary = self.vocabulary()
        vocabulary.add(slug, label, kind, actor, self._clock())
        self._ledger.save(vocabulary)

    def retire_tag(self, actor: str, slug: str) -> None:
        vocabulary = self.vocabulary()
        vocabulary.retire(slug, actor, self._clock())
        self._ledger.save(vocabulary)

    def add_blocked_term(self, actor: str, term: str, category: str) -> None:
        terms = self.blocked_terms()
        terms.add(term, category, actor, self._clock())
        self._ledger.save(terms)

    def remove_blocked_term(self, actor: str, term: str) -> None:
        terms = self.blocked_terms()
        terms.remove(term, actor, self._clock())
        self._ledger.save(terms)

    # -- the admin-managed lists, seeded from shipped files on first use -------------------

    def vocabulary(self) -> TagVocabulary:
        return self._seeded(TagVocabulary.create_id(), self._seed_vocabulary)

    def blocked_terms(self) -> BlockedTermList:
        """The live list; on first use in a process, terms a newer release ships are adopted
        (those an admin removed stay removed)."""
        terms: BlockedTermList = self._seeded(BlockedTermList.create_id(), self._seed_terms)
        if not self._terms_adopted:
            shipped = [(t.term, t.category) for t in shipped_terms()]
            if terms.adopt(shipped, SEED_ACTOR, self._clock()):
                with contextlib.suppress(IntegrityError):  # else adopted by a concurrent start
                    self._ledger.save(terms)
                terms = self._ledger.repository.get(terms.id)
            self._terms_adopted = True
        return terms

    def _seeded(self, aggregate_id: UUID, seed: Any) -> Any:
        found = self._ledger.get_or_none(aggregate_id)
        if found is not None:
            return found
        with contextlib.suppress(IntegrityError):  # else seeded by a concurrent request
            self._ledger.save(seed(self._clock()))
        return self._ledger.repository.get(aggregate_id)

    @staticmethod
    def _seed_vocabulary(at: datetime) -> TagVocabulary:
        vocabulary = TagVocabulary(opened_by=SEED_ACTOR)
        text = resources.files("application.catalogue").joinpath("tags.txt").read_text()
        for line in text.splitlines():
            if line.strip() and not line.startswith("#"):
                kind, slug, label = line.split("\t")
                vocabulary.add(slug, label, kind, SEED_ACTOR, at)
        return vocabulary

    @staticmethod
    def _seed_terms(at: datetime) -> BlockedTermList:
        terms = BlockedTermList(opened_by=SEED_ACTOR)
        for term in shipped_terms():
            terms.add(term.term, term.category, SEED_ACTOR, at)
        return terms

    # -- for other capabilities that hang off a persona (offers, library items) --------------

    def owned(self, creator_user_id: str, persona_id: UUID) -> Persona:
        """The creator's own persona, the creator approved and in good standing."""
        self._approved_creator(creator_user_id)
        return self._own(creator_user_id, persona_id)

    def refuse_blocked_text(self, fields: dict[str, str]) -> Verdict:
        """Refuse a blocked text (BlockedTermsError); else its verdict."""
        terms = self._terms_now()
        return self._safety.refuse_blocked(fields, terms.terms, terms.version)

    def screen(self) -> Screen:
        """The rule layers with the list as it stands now, for several checks in a row."""
        terms = self._terms_now()
        return self._safety.screen(terms.terms, terms.version)

    # -- helpers ----------------------------------------------------------------------------

    def _terms_now(self) -> BlockedTermList:
        """The list as it stands, for reading: a kept copy fast-forwarded by the events recorded
        since (one small query), so a check per chat message does not replay the whole list."""
        with self._terms_lock:
            if not self._terms_cache:
                self.blocked_terms()  # seeded, and this release's terms adopted, once
            terms_id = BlockedTermList.create_id()
            found: BlockedTermList = self._ledger.get_many([terms_id], self._terms_cache)[terms_id]
            return found

    def _checked(self, profile: dict[str, Any]) -> dict[str, Any]:
        vocabulary = self.vocabulary()
        clean = validate(profile, vocabulary.active(PRIMARY), vocabulary.active(SECONDARY))
        terms = self._terms_now()
        self._safety.refuse_blocked(text_fields(clean), terms.terms, terms.version)
        return clean

    def _approved_creator(self, user_id: str) -> Creator:
        creator = self._ledger.get_or_none(ids.creator_id(user_id))
        if creator is None or not creator.can_receive_money:
            raise CreatorNotApprovedError("only approved creators in good standing can do this")
        return creator

    def _get(self, persona_id: UUID) -> Persona:
        persona = self._ledger.get_or_none(persona_id)
        if not isinstance(persona, Persona):
            raise UnknownPersonaError(f"no persona {persona_id}")
        return persona

    def _own(self, creator_user_id: str, persona_id: UUID) -> Persona:
        persona = self._get(persona_id)
        if persona.creator_user_id != creator_user_id:
            raise NotYourPersonaError("this persona belongs to another creator")
        return persona
