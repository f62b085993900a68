"""Heavy work off the event loop: in a separate process, or in a low-priority thread.

A PDF report takes one to two seconds of CPU, a network workbook or a template import hundreds of
milliseconds. Reflex runs every event handler on the one event loop of a worker process, and a
worker thread does not help much: this work is Python and holds the GIL, so every socket of the
process (a live workshop in another room included) would stall for its share. Here it runs in a
pool of build processes, each with its own database connection; the event loop only awaits.

Each job below is a top-level function (a process pool pickles what it calls): it takes plain
values (the actor, ids, a language), opens its own unit of work, checks permissions through the
services as a page would, and returns plain values. The refusals it raises (NotFound, Refused,
Invalid) reach the awaiting handler as they were raised.

Password hashing (argon2 costs tens of milliseconds of CPU by design, on several threads of its
own) stays in this process, where a sign-in needs it at once, not queued behind a PDF, but runs in
`in_low_priority_thread`: its threads yield the CPU to the event loop's.

`NLC_BUILD_PROCESSES` sets the pool's size (default: one fewer than the machine's cores, at least
one: the event loop keeps a core of its own)."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import re
import tempfile
import threading
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from nlc_toolkit.core.errors import Invalid
from nlc_toolkit.core.exports.pdf import assessment_pdf
from nlc_toolkit.core.exports.spreadsheets import (
    answer_template,
    answers_csv,
    assessment_workbook,
)
from nlc_toolkit.core.network import NetworkQuery
from nlc_toolkit.core.policy import Actor
from nlc_toolkit.db.session import database_url
from nlc_toolkit.services import network, results, workshops
from nlc_toolkit.services.uow import signed_in, unit_of_work

logger = logging.getLogger(__name__)
ASSESSMENT_FILES = ("pdf", "xlsx", "csv", "template")
_pool: ProcessPoolExecutor | None = None


def pool_size() -> int:
    try:
        wanted = int(os.environ.get("NLC_BUILD_PROCESSES", ""))
    except ValueError:
        wanted = (os.cpu_count() or 2) - 1
    return max(1, min(wanted, 8))


def _the_pool() -> ProcessPoolExecutor:
    global _pool
    if _pool is None:
        # spawn, not fork: a forked child would share the parent's open database connections
        # and the event loop's threads' locks.
        _pool = ProcessPoolExecutor(max_workers=pool_size(), mp_context=multiprocessing.get_context("spawn"),
                                    initializer=_ready)
    return _pool


BUILD_NICENESS = 10


def _ready() -> None:
    """A build process's start: a lower CPU priority (a file may take a second longer when the
    machine is busy; a click on a page should not), and the libraries a job needs, imported once,
    not during a user's wait."""
    os.nice(BUILD_NICENESS)
    import weasyprint  # noqa: F401 - the PDF renderer is the slowest import


def warm_up() -> None:
    """Start the build processes now (at the app's start), so the first PDF does not wait for them."""
    pool = _the_pool()
    for _ in range(pool_size()):
        pool.submit(int)


def shut_down() -> None:
    global _pool
    if _pool is not None:
        _pool.shutdown(wait=False, cancel_futures=True)
        _pool = None


async def in_build_process(job, *args):
    """Await `job(*args)` run in a build process. A process that died (killed, out of memory) is
    replaced. The job is tried once more only if it had not started: one that died midway may
    have committed (an import), so it is never run twice; the caller is told, with the i18n key
    `files.interrupted`, to look and try again."""
    loop = asyncio.get_running_loop()
    url = database_url()
    started = _start_marker()
    try:
        try:
            return await loop.run_in_executor(_the_pool(), _in_child, url, started, job, *args)
        except BrokenProcessPool:
            logger.warning("a build process died; starting a new pool")
            shut_down()
            if os.path.exists(started):
                raise Invalid("files.interrupted") from None
            return await loop.run_in_executor(_the_pool(), _in_child, url, started, job, *args)
    finally:
        _remove(started)


def _start_marker() -> str:
    # A path the build process creates when it takes the job: after a crash, its presence tells
    # a job that began (and may have written) from one still queued.
    fd, path = tempfile.mkstemp(prefix="nlc-build-")
    os.close(fd)
    os.unlink(path)
    return path


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _in_child(url: str, started: str, job, *args):
    open(started, "x").close()
    # The job reads the database the caller reads (the environment a build process started
    # with may be older than the caller's: tests switch databases).
    os.environ["REFLEX_DB_URL"] = url
    return job(*args)


def _lower_this_thread() -> None:
    # Linux gives each thread its own nice value, and the threads argon2 starts inherit it.
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), BUILD_NICENESS)
    except (AttributeError, OSError):  # not Linux: the thread keeps the process's priority
        pass


_low_priority_threads = ThreadPoolExecutor(max_workers=4, thread_name_prefix="low-priority",
                                           initializer=_lower_this_thread)


async def in_low_priority_thread(fn, *args):
    """Await `fn(*args)` in a thread of this process that runs at a lower CPU priority (password
    hashing): the event loop's thread keeps the CPU first."""
    return await asyncio.get_running_loop().run_in_executor(_low_priority_threads, fn, *args)


# ---------------------------------------------------------------------- the jobs

def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", str(text)).strip("-").lower()[:60] or "x"


def assessment_file_name(report: dict, kind: str, lang: str) -> str:
    """A download's name from safe parts only: slugs, numbers and a supported language."""
    if kind == "template":
        return f"nlc-template-{_slug(report.get('questionnaire_id', ''))}-{lang}.xlsx"
    return (f"nlc-{_slug(report.get('city', ''))}-{int(report.get('year') or 0)}-r{int(report.get('round') or 0)}"
            f"-{lang}.{kind}")


def assessment_file(actor: Actor, assessment_id: int, kind: str, lang: str) -> tuple[bytes, str]:
    """An assessment's report as a PDF or workbook, its answers as CSV, or its blank template;
    the download is noted in the audit log. (bytes, file name)."""
    kind = kind if kind in ASSESSMENT_FILES else "pdf"
    with unit_of_work() as s:
        report = results.report(s, actor, assessment_id)
        if kind == "pdf":
            data = assessment_pdf(report, lang)
        elif kind == "xlsx":
            data = assessment_workbook(report, lang)
        elif kind == "csv":
            data = answers_csv(report["answers"])
        else:
            data = answer_template(results.questionnaire_for(s, actor, report["id"]), lang)
        results.record_download(s, actor, assessment_id, kind)
        return data, assessment_file_name(report, kind, lang)


def followed_report(token: str, assessment_id: int) -> dict | None:
    """The report of an assessment as plain values, for a dashboard that follows it live, as the
    holder of session `token` (the tab's cookie: any value) may see it; None once that session has
    ended. The sign-in check is in the same unit of work as the read."""
    with unit_of_work() as s:
        who = signed_in(s, token)
        actor = who.acting() if who is not None else None
        return results.report(s, actor, assessment_id).to_dict() if actor is not None else None


def import_template(actor: Actor, assessment_id: int, data: bytes, label: str,
                    group: str) -> tuple[list[dict], int, dict | None]:
    """A filled template read into the assessment: (problems, answers imported, the report as it
    now stands). With any problem nothing is kept and no report is read. The report is read here,
    in the same unit of work: read in the app's process it would share the GIL with every socket."""
    with unit_of_work() as s:
        problems, count = results.import_template(s, actor, assessment_id, data, label, group)
        if problems:
            s.rollback()
            return problems, count, None
        return problems, count, results.report(s, actor, assessment_id).to_dict()


def network_file(actor: Actor, questionnaire_id: str, query: dict, kind: str) -> tuple[bytes, str]:
    """The network view's rows as CSV or XLSX, noted in the audit log. (bytes, file name)."""
    with unit_of_work() as s:
        return network.export(s, actor, questionnaire_id, NetworkQuery.from_dict(query), kind)


def workshop_file(actor: Actor, code: str, kind: str, lang: str) -> bytes:
    """A workshop session's record as PDF or XLSX, noted in the audit log."""
    with unit_of_work() as s:
        return workshops.summary_file(s, actor, code, kind, lang)
