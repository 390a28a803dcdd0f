"""The collector policy: settled servers stop walking their start-up heap; bulk work puts the
policy back as it found it, however it is nested or shared between threads."""

import gc
import threading
from collections.abc import Iterator

import pytest

from adapters import heap


@pytest.fixture(autouse=True)
def restored() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


def test_settle_freezes_what_exists_and_collects_the_young_less_often() -> None:
    survivor = [object() for _ in range(10)]
    heap.settle()
    assert gc.get_freeze_count() > len(survivor)
    assert gc.get_threshold()[0] == heap.YOUNG_THRESHOLD


def test_bulk_work_is_undone_afterwards() -> None:
    before = gc.get_threshold()
    with heap.bulk_work():
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold()[0] == heap.YOUNG_THRESHOLD
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == before


def test_nested_bulk_work_restores_only_when_the_outermost_ends() -> None:
    before = gc.get_threshold()
    with heap.bulk_work():
        with heap.bulk_work():
            pass
        assert gc.get_threshold()[0] == heap.YOUNG_THRESHOLD
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_bulk_work_in_a_settled_process_keeps_it_settled() -> None:
    heap.settle()
    with heap.bulk_work():
        pass
    assert gc.get_freeze_count() > 0  # not unfrozen by the bulk work's end
    assert gc.get_threshold()[0] == heap.YOUNG_THRESHOLD


def test_concurrent_bulk_work_restores_once_all_are_done() -> None:
    before = gc.get_threshold()
    inside = threading.Barrier(4)

    def work() -> None:
        with heap.bulk_work():
            inside.wait(timeout=5)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_bulk_work_is_undone_when_the_work_fails() -> None:
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), heap.bulk_work():
        raise RuntimeError("rebuild failed")
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
