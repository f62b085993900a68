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
