"""Scheduled jobs started on two hosts at once run once: the second finds the job's lock taken
and says so; once the first is done, the job runs again as usual. On PostgreSQL (advisory locks)
and on the embedded SQLite default (a file lock)."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from application.bootstrap import build_core
from application.settings import Settings


def run_twice_at_once(first, second) -> tuple[list[dict], int]:  # type: ignore[no-untyped-def]
    started = threading.Barrier(2)
    ran = []

    def work() -> str:
        ran.append(True)
        time.sleep(0.5)  # long enough for the other host to try meanwhile
        return "done"

    def host(core) -> dict:  # type: ignore[no-untyped-def]
        started.wait()
        return core.scheduled.run("holds release", work)

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(pool.map(host, (first, second)))
    return outcomes, len(ran)


def check(first, second) -> None:  # type: ignore[no-untyped-def]
    outcomes, ran = run_twice_at_once(first, second)
    assert ran == 1
    assert sorted("skipped" in o for o in outcomes) == [False, True]
    assert second.scheduled.run("holds release", lambda: "again") == {
        "job": "holds release", "result": "again"}  # free once the first is done
    # Another job is not held up by this one's lock.
    with first.scheduled._locks.held("holds release"):
        assert second.scheduled.run("media sweep", lambda: "swept")["result"] == "swept"


def test_on_postgresql(make_core) -> None:
    check(make_core(), make_core())


def test_on_sqlite(tmp_path, clock) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path}/lyra.sqlite", environment="test",
                        media_dir=str(tmp_path / "media"))
    first, second = build_core(settings, clock=clock), build_core(settings, clock=clock)
    try:
        check(first, second)
    finally:
        first.close()
        second.close()


@pytest.mark.parametrize("job", ["holds", "chat"])
def test_the_cli_runs_the_job_under_its_lock(make_core, capsys, job) -> None:  # type: ignore[no-untyped-def]
    import json

    from cli.main import _dispatch

    core = make_core()
    args = type("Args", (), {"command": job, "action": "release" if job == "holds"
                             else "settle-stale"})()
    assert _dispatch(args, core) == 0  # type: ignore[arg-type]
    assert json.loads(capsys.readouterr().out) in ({"released": 0}, {"given_back": 0})
    with core.scheduled._locks.held("holds release" if job == "holds" else "chat settle-stale"):
        _dispatch(args, core)  # type: ignore[arg-type]
    assert "skipped" in json.loads(capsys.readouterr().out)
