"""The questionnaires page's state: the stored versions, and one uploaded file on its way in
(checked, previewed, registered). services/questionnaires.py decides everything; the uploaded text
stays on the server (a backend var) and is validated again when it is registered."""

from __future__ import annotations

import asyncio
from pathlib import PurePath
from typing import ClassVar

import reflex as rx

from nlc_toolkit.core.errors import Invalid, Refused
from nlc_toolkit.i18n import format_datetime
from nlc_toolkit.services import questionnaires as svc
from nlc_toolkit.services.uow import unit_of_work
from nlc_toolkit.ui.state.auth import AuthState
from nlc_toolkit.ui.state.inputs import text
from nlc_toolkit.ui.state.page import PageState
from nlc_toolkit.ui.state.uploads import read_at_most

UPLOAD_ID = "questionnaire-upload"
MESSAGES = [
    "error.forbidden", "questionnaires.error.no_file", "questionnaires.error.one_file",
    "questionnaires.error.not_yaml", "questionnaires.error.too_large", "questionnaires.error.not_text",
    "questionnaires.error.invalid", "questionnaires.error.conflict", "questionnaires.error.nothing",
    "questionnaires.registered", "questionnaires.already_registered",
]
STATUSES = (svc.NEW, svc.NEW_VERSION, svc.IDENTICAL, svc.CONFLICT, svc.INVALID)


class QuestionnairesState(PageState, AuthState):
    UPLOAD_LIMITS: ClassVar[dict[str, int]] = {"check_file": svc.MAX_BYTES}
    versions: list[dict] = []
    checking: bool = False  # a file is being validated or registered (off the event loop)
    file_name: str = ""  # the uploaded file, as its name was sent
    status: str = ""  # "" (nothing uploaded) or one of STATUSES
    problems: list[dict[str, str]] = []  # {path, message} of a file that does not validate
    summary: dict[str, str] = {}  # id, version, languages, questions, versions (already stored)
    title: dict[str, str] = {}
    domains: list[dict] = []  # {id, title, questions}
    _text: str = ""  # the previewed text: never sent to the browser

    @rx.var
    def version_rows(self) -> list[dict]:
        return [dict(v, registered_text=format_datetime(v["registered"], self.lang)) for v in self.versions]

    @rx.var
    def can_register(self) -> bool:
        return self.status in (svc.NEW, svc.NEW_VERSION)

    def _read(self, s, actor) -> None:
        self.versions = svc.versions(s, actor)

    def _forget_file(self) -> None:
        self.file_name, self.status, self._text = "", "", ""
        self.problems, self.summary, self.title, self.domains = [], {}, {}, []

    @rx.event
    async def load(self):
        self._forget_file()
        async for update in self._load_with(self._read):
            yield update

    @rx.event
    def clear(self):
        self._forget_file()
        self._say("")

    @rx.event
    async def check_file(self, files: list[rx.UploadFile]):
        """Validate one uploaded questionnaire and show its preview or its problems. The permission
        first, then the size (counted while reading), then the validation in a worker thread: a
        large questionnaire takes a second or more of CPU, which must not stall other sockets."""
        self._forget_file()
        self._say("")
        try:
            with unit_of_work() as s:
                actor = self._actor(s)
                if actor is None:
                    yield self._to_login()
                    return
                svc.check(actor)
        except Refused:
            self.error = "forbidden"
            return
        if not files:
            self._say("questionnaires.error.no_file", error=True)
            return
        if len(files) > 1:
            self._say("questionnaires.error.one_file", error=True)
            return
        name = PurePath(text(getattr(files[0], "name", "") or "", 300).replace("\\", "/")).name
        if not name.lower().endswith((".yaml", ".yml")):
            self._say("questionnaires.error.not_yaml", error=True)
            return
        data = await read_at_most(files[0], svc.MAX_BYTES)
        if data is None:
            self._say("questionnaires.error.too_large", error=True)
            return
        self.checking = True
        # The preview names the file from here on. The file input is emptied too: a browser
        # does not report choosing the same file again (a re-check after a fix) otherwise.
        yield [rx.clear_selected_files(UPLOAD_ID),
               rx.call_script("document.querySelectorAll('input[type=file]').forEach(i => { i.value = ''; })")]

        def run() -> tuple[str, dict]:
            content = svc.decode(data)
            with unit_of_work() as s:
                return content, svc.preview(s, actor, content)

        try:
            content, result = await asyncio.to_thread(run)
        except Invalid as e:
            self._say(str(e), error=True)
            return
        except Refused:
            self.error = "forbidden"
            return
        finally:
            self.checking = False
        self.file_name, self.status, self.problems = name, result["status"], result["problems"]
        if result["ok"]:
            self.summary = {"id": result["id"], "version": result["version"],
                            "languages": ", ".join(result["languages"]), "questions": str(result["questions"]),
                            "versions": ", ".join(result["versions"])}
            self.title, self.domains = result["title"], result["domains"]
            self._text = content if self.can_register else ""

    @rx.event
    async def register(self):
        """Register the previewed file. Its text comes from the server's own copy and the service
        validates it again: nothing the browser sends is trusted."""
        content = self._text
        if not content or not self.can_register:
            self._say("questionnaires.error.nothing", error=True)
            return
        self.checking = True
        yield
        outcome: dict = {}
        try:
            redirect = await asyncio.to_thread(self._run, lambda s, actor: outcome.update(svc.register(s, actor, content)),
                                               "questionnaires.registered", reread=self._read)
        finally:
            self.checking = False
        if redirect is not None:
            yield redirect
            return
        if outcome:
            self._forget_file()
            self._say("questionnaires.already_registered" if outcome["status"] == svc.IDENTICAL
                      else "questionnaires.registered", f"{outcome['id']} {outcome['version']}")
