"""The build processes (services/builds.py): a job runs in another process (not the event loop's
thread, not this process), its refusal arrives as raised, with its i18n key, and a build process
that dies is replaced without the caller noticing."""

import os
import signal

from nlc_toolkit.core.errors import Invalid
from nlc_toolkit.services import builds
from tests.helpers import run_coroutine


def _pid() -> int:
    return os.getpid()


def _refuse(key: str) -> None:
    raise Invalid(key, reason="too big")


def _nice() -> int:
    return os.nice(0)


def test_a_job_runs_in_a_build_process_at_a_lower_priority():
    async def steps():
        return await builds.in_build_process(_pid), await builds.in_build_process(_nice)

    try:
        pid, niceness = run_coroutine(steps(), 120)
    finally:
        builds.shut_down()
    assert pid != os.getpid()
    assert niceness >= os.nice(0) + builds.BUILD_NICENESS or niceness == 19


def test_a_refusal_arrives_as_raised():
    async def steps():
        try:
            await builds.in_build_process(_refuse, "results.import_refused")
        except Invalid as e:
            return str(e), e.values
        return None

    try:
        assert run_coroutine(steps(), 120) == ("results.import_refused", {"reason": "too big"})
    finally:
        builds.shut_down()


def test_a_dead_build_process_is_replaced():
    async def steps():
        first = await builds.in_build_process(_pid)
        os.kill(first, signal.SIGKILL)  # killed between two jobs (out of memory, an operator)
        return first, await builds.in_build_process(_pid)

    try:
        first, second = run_coroutine(steps(), 120)
    finally:
        builds.shut_down()
    assert second != first and second != os.getpid()


def _write_then_die(path: str) -> None:
    with open(path, "a") as f:  # the job's effect is kept (an import that committed)...
        f.write("ran\n")
    os.kill(os.getpid(), signal.SIGKILL)  # ...then its process dies before answering


def _append(path: str) -> int:
    with open(path, "a") as f:
        f.write("queued job ran\n")
    return os.getpid()


def test_a_job_whose_process_died_midway_is_not_run_twice(tmp_path):
    effects = tmp_path / "effects"

    async def steps():
        try:
            await builds.in_build_process(_write_then_die, str(effects))
        except Invalid as e:
            return str(e)
        return None

    try:
        assert run_coroutine(steps(), 120) == "files.interrupted"
    finally:
        builds.shut_down()
    assert effects.read_text() == "ran\n"


def test_a_job_queued_behind_a_dying_one_still_runs(tmp_path, monkeypatch):
    monkeypatch.setenv("NLC_BUILD_PROCESSES", "1")  # one process: the second job waits for the first
    effects = tmp_path / "effects"
    builds.shut_down()

    async def steps():
        import asyncio

        dying = asyncio.ensure_future(builds.in_build_process(_write_then_die, str(effects)))
        queued = asyncio.ensure_future(builds.in_build_process(_append, str(effects)))
        results = await asyncio.gather(dying, queued, return_exceptions=True)
        return [str(r) if isinstance(r, Exception) else r for r in results]

    try:
        died, queued_pid = run_coroutine(steps(), 120)
    finally:
        builds.shut_down()
    assert died == "files.interrupted"
    assert isinstance(queued_pid, int) and queued_pid != os.getpid()
    assert effects.read_text() == "ran\nqueued job ran\n"
