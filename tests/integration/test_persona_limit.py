"""Racing creations cannot exceed the per-creator persona limit."""

import threading

from domain import ids
from domain.errors import DomainError
from tests.api.test_personas_http import PROFILE


def test_concurrent_creates_respect_the_limit(make_core) -> None:
    cores = [make_core(persona_limit=2) for _ in range(4)]
    cores[0].creators.register("creator-1", "Luna", "adm")
    cores[0].personas.vocabulary()
    cores[0].personas.blocked_terms()
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def create(core) -> None:
        barrier.wait()
        try:
            core.personas.create("creator-1", dict(PROFILE))
            outcomes.append("created")
        except DomainError as error:
            outcomes.append(error.code)

    threads = [threading.Thread(target=create, args=(c,)) for c in cores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    index = cores[0].ledger.repository.get(ids.creator_personas_id("creator-1"))
    assert len(index.persona_ids) == outcomes.count("created") == 2
    assert sorted(outcomes) == ["created", "created", "persona_limit", "persona_limit"]
