"""Scheduled jobs (hold releases, payout runs, stale chat turns, media sweeps and preparation,
checkpoints) run by cron on any number of hosts: each job is safe to repeat, and its lock makes
sure two hosts starting it at once do it once (the other says so and exits)."""

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any, Protocol


class JobLocks(Protocol):
    def held(self, job: str) -> AbstractContextManager[bool]: ...


class ScheduledJobs:
    def __init__(self, locks: JobLocks) -> None:
        self._locks = locks

    def run(self, job: str, work: Callable[[], Any]) -> dict[str, Any]:
        with self._locks.held(job) as mine:
            if not mine:
                return {"job": job, "skipped": "already running on another host or process"}
            return {"job": job, "result": work()}
