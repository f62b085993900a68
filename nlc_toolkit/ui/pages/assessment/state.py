"""The assessment page's state: the section on screen as plain rows (the questionnaire stays on
the server); every write goes through services/assessments.py, which checks the user and the
assessment's status, in one unit of work with the re-read (ui/state/page.py)."""

from __future__ import annotations

import asyncio
from typing import ClassVar

import reflex as rx

from nlc_toolkit import routes
from nlc_toolkit.core.errors import Invalid, NotFound, Refused
from nlc_toolkit.i18n import format_datetime, plural
from nlc_toolkit.services import assessments as svc
from nlc_toolkit.services import evidence
from nlc_toolkit.services.live import assessment_channel, hub
from nlc_toolkit.services.uow import unit_of_work
from nlc_toolkit.ui.state.auth import AuthState
from nlc_toolkit.ui.state.inputs import db_id, text
from nlc_toolkit.ui.state.inputs import form as as_form
from nlc_toolkit.ui.state.page import PageState, unwrapped
from nlc_toolkit.ui.state.uploads import read_at_most

MAX_NOTE = svc.MAX_NOTE
MESSAGES = [
    "error.forbidden", "assessment.error.locked", "assessment.error.bad_answer", "assessment.error.note_too_long",
    "evidence.error.bad_link", "evidence.error.too_many", "evidence.error.not_found", "evidence.error.file_type",
    "evidence.error.file_size", "invite.error.group", "invite.error.email", "invite.error.already",
    "review.error.not_submitted", "review.error.comment_required", "assessment.saved", "assessment.submitted_ok",
    "review.done", "invite.done", "error.session", "evidence.error.too_many_files", "save.retrying", "save.lost",
]
UPLOAD_ID = "evidence-upload"


def _progress(answered: int, total: int, unanswered) -> dict:
    return {"answered": answered, "total": total, "left": len(unanswered),
            "percent": round(100 * answered / total) if total else 0}


class AssessmentState(PageState, AuthState):
    UPLOAD_LIMITS: ClassVar[dict[str, int]] = {"upload": evidence.MAX_FILES_PER_UPLOAD * evidence.MAX_FILE_BYTES}
    assessment_id: int = 0
    info: dict = {}
    # What changes on a click is kept apart from what does not: `domains` (id, title, question
    # ids) is sent when the page is read, `progress` (answered, total, left, per domain id) on
    # every answer, a few hundred bytes instead of every domain's titles in three languages.
    domains: list[dict] = []
    progress: dict[str, dict] = {}
    respondents: list[dict] = []
    history: list[dict] = []
    section: str = "profile"
    cards: list[dict] = []
    profile: list[dict] = []
    context: dict[str, str] = {}
    values: dict[str, str] = {}
    notes: dict[str, str] = {}
    evidence: dict[str, list[dict]] = {}
    upload_question: str = ""
    invited_password: str = ""
    invited_email: str = ""
    # A next round's record of what it took over from the round before ({} for a first round).
    carried: dict = {}

    # ----------------------------------------------------------------- derived

    @rx.var
    def total_questions(self) -> int:
        return sum(p["total"] for p in unwrapped(self.progress).values())

    @rx.var
    def total_answered(self) -> int:
        return sum(p["answered"] for p in unwrapped(self.progress).values())

    @rx.var
    def overall_progress(self) -> int:
        total = self.total_questions
        return round(100 * self.total_answered / total) if total else 0

    @rx.var
    def unanswered(self) -> list[dict]:
        """The domains with questions left, in order: their id and how many (the page takes the
        title from `domains`)."""
        progress = unwrapped(self.progress)
        return [{"domain": d["id"], "count": progress.get(d["id"], {}).get("left", 0)} for d in unwrapped(self.domains)
                if progress.get(d["id"], {}).get("left", 0)]

    @rx.var
    def section_progress(self) -> str:
        """For the domain on screen: "3 of 10 questions answered", in the user's language."""
        p = unwrapped(self.progress).get(self.section)
        return plural("assessment.answered_of", p["total"], self.lang, answered=p["answered"]) if p else ""

    @rx.var
    def respondent_rows(self) -> list[dict]:
        return [dict(r, answered_text=plural("assessment.answered_count", r["answered"], self.lang))
                for r in self.respondents]

    @rx.var
    def history_rows(self) -> list[dict]:
        return [dict(h, at_text=format_datetime(h["at"], self.lang)) for h in self.history]

    @rx.var
    def new_questions(self) -> list[str]:
        """The ids of the questions this round's version added: nothing was carried into them."""
        return [x["id"] for x in self.carried.get("new", [])]

    @rx.var
    def carried_summary(self) -> str:
        """"12 answers carried from round 1 (2025), version 1.0.0 → 1.1.0; 3 new questions, 0 dropped"."""
        c = self.carried
        if not c:
            return ""
        return " ".join([
            plural("carry.answers", c.get("answers") or 0, self.lang, round=c.get("from_round"), year=str(c.get("from_year") or ""),
                   old=c.get("from_version"), new=c.get("version")),
            plural("carry.new_count", len(c.get("new", [])), self.lang),
            plural("carry.dropped_count", len(c.get("dropped", [])), self.lang),
        ])

    @rx.var
    def titles(self) -> dict[str, dict]:
        return {d["id"]: d["title"] for d in self.domains}

    @rx.var
    def can_answer(self) -> bool:
        return bool(self.info.get("can_answer"))

    @rx.var
    def can_manage(self) -> bool:
        return bool(self.info.get("can_manage"))

    @rx.var
    def editable(self) -> bool:
        return self.info.get("status") in ("draft", "returned")

    # ----------------------------------------------------------------- loading

    def _id_from_route(self) -> int:
        return db_id(self._route_arg("assessment_id"))

    def _refresh(self, s, actor, keep_section: bool = True) -> None:
        """Re-read what the page shows, in the event's unit of work `s`."""
        view = svc.view(s, actor, self.assessment_id)
        q = svc.questionnaire_of(svc.load(s, actor, self.assessment_id))
        if not keep_section:
            self.section = svc.last_section(s, actor, self.assessment_id) or "profile"
        self.info = {k: view[k] for k in ("id", "city", "title", "year", "round", "status", "can_manage", "can_answer",
                                          "can_review", "my_group")}
        self.domains = [{"id": d["id"], "title": d["title"], "ids": d["ids"]} for d in view["domains"]]
        self.progress = {d["id"]: _progress(d["answered"], d["total"], d["unanswered"]) for d in view["domains"]}
        self.respondents = view["respondents"]
        self.history = view["history"]
        self.context = view["context"]
        self.values = {k: v["value"] for k, v in view["answers"].items() if v["value"]}
        self.notes = {k: v["note"] for k, v in view["answers"].items()}
        self.evidence = {k: v["evidence"] for k, v in view["answers"].items()}
        self.profile = svc.context_cards(q)
        self.carried = view["carried_over"]
        known = {d["id"] for d in self.domains} | {"profile", "overview"}
        if self.section not in known:
            self.section = "profile"
        if self.section in {d["id"] for d in self.domains}:
            applicable = {i for d in self.domains if d["id"] == self.section for i in d["ids"]}
            self.cards = svc.question_cards(q, self.section, view["my_group"], applicable)
        else:
            self.cards = []

    @rx.event
    async def load(self):
        wanted = self._id_from_route()
        # A reload of the page on screen keeps its content while it is re-read: the tab's state
        # outlives a reload, so the hydrated page already shows it, and swapping it for a spinner
        # would re-mount every form under the user's typing (input lost, seen as flaky tests).
        keep = bool(wanted == self.assessment_id and self.info and not self.error)
        self.invited_password = self.invited_email = self.upload_question = ""
        self.assessment_id = wanted
        async for update in self._load_with(lambda s, actor: self._refresh(s, actor, keep_section=False), keep=keep):
            yield update
        if self.error == "not_found":
            self.info, self.domains, self.cards = {}, [], []

    def _act(self, action, ok: str = "", refresh: bool = True, changes: bool = True, away=None):
        """An action on this assessment (see PageState._run). `changes`: it changed the
        assessment, so open dashboards are told; `away`: what to do if the database is away."""
        recovered = not self.assessment_id
        if recovered:  # the backend restarted and lost this tab's state: the route says which assessment
            self.assessment_id = self._id_from_route()
        reread = (lambda s, actor: self._refresh(s, actor, keep_section=not recovered)) if refresh or recovered else None
        return self._run(action, ok, reread=reread,
                         notify=(assessment_channel(self.assessment_id), "answers") if changes else None, away=away)

    # ------------------------------------------- saves retried while the database is away

    def _save_unsaved(self, s, actor, key: str, value: str):
        """Save one change kept in `unsaved` ("answer:Q", "note:Q" or "context:Q"), in unit of work `s`."""
        kind, question_id = key.split(":", 1)
        if kind == "answer":
            return svc.answer(s, actor, self.assessment_id, question_id, value)
        if kind == "note":
            return svc.set_note(s, actor, self.assessment_id, question_id, value)
        return svc.set_context(s, actor, self.assessment_id, question_id, value)

    def _unsaved_done(self, key: str, value: str, result) -> None:
        kind, question_id = key.split(":", 1)
        if kind == "answer":
            self._answered(result)
        elif kind == "note":
            self.notes[question_id] = value
        hub.notify(assessment_channel(self.assessment_id), "answers")

    def _unsaved_lost(self, key: str, before: str) -> None:
        """Show what is stored again (a note's box keeps the text typed, so it can be sent again)."""
        kind, question_id = key.split(":", 1)
        shown = {"answer": self.values, "context": self.context}.get(kind)
        if shown is not None and before:
            shown[question_id] = before
        elif shown is not None:
            shown.pop(question_id, None)

    @rx.event(background=True)
    async def retry_unsaved(self):
        await self._retry_unsaved(self._save_unsaved, self._unsaved_done, self._unsaved_lost, "assessment.saved")

    def _answered(self, done) -> None:
        """What a stored answer changes on the page: its value and its domain's progress."""
        self.values[done.question_id] = done.value
        self.progress[done.domain_id] = _progress(done.answered, done.total, done.unanswered)
        if any(d["id"] == done.domain_id and d["ids"] != list(done.ids) for d in self.domains):
            self.domains = [dict(d, ids=list(done.ids)) if d["id"] == done.domain_id else d for d in self.domains]

    # ----------------------------------------------------------------- events

    @rx.event
    def go(self, section: str):
        known = {d["id"] for d in self.domains} | {"profile", "overview"}
        # Not a section of this page: shown as the profile, nothing kept. (With no domains loaded,
        # after a backend restart, the service checks the section once the tab has recovered.)
        if not isinstance(section, str) or (self.domains and section not in known):
            self.section = "profile"
            return rx.call_script("window.scrollTo(0, 0)")
        self.section = section
        self.message = ""
        result = self._act(lambda s, a: svc.remember_section(s, a, self.assessment_id, section), changes=False)
        return [result, rx.call_script("window.scrollTo(0, 0)")] if result else rx.call_script("window.scrollTo(0, 0)")

    @rx.event
    def answer(self, question_id: str, value: str):
        question_id, value = text(question_id, 100), text(value, 20)
        previous = self.values.get(question_id)
        self.values[question_id] = value  # shown at once; undone below if the server refuses
        key = "answer:" + question_id
        if self._retrying():  # saves wait for the database: this one joins them (the newest value wins)
            return self._save_later(key, value, previous)
        stored = {}

        def action(s, actor):
            stored["answer"] = svc.answer(s, actor, self.assessment_id, question_id, value)

        # No re-read of the page: the service returns what a click changes on it (the stored
        # value and the domain's progress). A tab that lost its state re-reads (see _act).
        result = self._act(action, "assessment.saved", refresh=False, away=lambda: self._save_later(key, value, previous))
        if key in self.unsaved:
            return result
        if self.message_is_error:
            if previous is None:
                self.values.pop(question_id, None)
            else:
                self.values[question_id] = previous
        elif "answer" in stored:
            self._answered(stored["answer"])
        return result

    @rx.event
    def save_note(self, question_id: str, note: str):
        question_id = text(question_id, 100)
        note = note if isinstance(note, str) else ""  # over-long notes are refused with a message
        key = "note:" + question_id
        if note == self.unsaved.get(key, self.notes.get(question_id, "")):
            return None
        if self._retrying():
            return self._save_later(key, note, None)
        # A note changes nothing else on the page: no re-read (a tab that lost its state re-reads).
        result = self._act(lambda s, a: svc.set_note(s, a, self.assessment_id, question_id, note), "assessment.saved",
                           refresh=False, away=lambda: self._save_later(key, note, None))
        if key not in self.unsaved and not self.message_is_error and not self.error:
            self.notes[question_id] = note
        return result

    @rx.event
    def add_link(self, form: dict):
        # The question id rides in a hidden field: a form's handler cannot close over foreach vars.
        form = as_form(form)
        question_id, url = text(form.get("question"), 100), text(form.get("url"), 2001).strip()
        return self._act(lambda s, a: svc.add_evidence(s, a, self.assessment_id, question_id, {"kind": "link", "url": url}),
                         "assessment.saved")

    @rx.event
    def remove_evidence(self, question_id: str, index: int):
        question_id, index = text(question_id, 100), index if isinstance(index, int) and not isinstance(index, bool) else -1
        return self._act(lambda s, a: svc.remove_evidence(s, a, self.assessment_id, question_id, index), "assessment.saved")

    @rx.event
    def choose_upload(self, question_id: str):
        self.upload_question = text(question_id, 100)
        self.message = ""

    @rx.event
    def close_upload(self, _open: bool = False):
        self.upload_question = ""

    def _refuse_upload(self, key: str):
        self._say(key, error=True)
        self.upload_question = ""

    @rx.event
    async def upload(self, files: list[rx.UploadFile]):
        """Store evidence files. Reflex has received the request before this runs; the HTTP guard
        (api/evidence.py) already refused an unknown session, another handler and an oversize
        body. Here, in order: the session and the permission, then each file's size (counted
        while reading) and type (name and first bytes), and only then our storage
        (services/evidence.py). Anything refused leaves nothing behind in it."""
        question_id = self.upload_question if isinstance(self.upload_question, str) else ""
        if not self.assessment_id:  # the backend restarted: the route says which assessment
            self.assessment_id = self._id_from_route()
        if not files:
            return None
        try:
            with unit_of_work() as s:
                actor = self._actor(s)
                if actor is None:
                    return self._to_login()
                evidence.check(s, actor, self.assessment_id, question_id, len(files))
            items = []
            for file in files:
                data = await read_at_most(file, evidence.MAX_FILE_BYTES)
                items.append((evidence.accept(self.assessment_id, file.name, data), data))
        except NotFound:
            self.error, self.upload_question = "not_found", ""
            return None
        except (Invalid, Refused) as e:
            return self._refuse_upload(str(e))
        await asyncio.to_thread(evidence.store, items)  # disk writes off the event loop
        stored = [item for item, _ in items]
        result = self._act(lambda s, a: evidence.attach(s, a, self.assessment_id, question_id, stored), "assessment.saved")
        if self.message_is_error:
            evidence.discard(stored)
        self.upload_question = ""
        return result

    @rx.event
    def set_context(self, question_id: str, value: str):
        question_id, value = text(question_id, 100), text(value, 100)
        key = "context:" + question_id

        def later():  # shown at once, reverted if it cannot be saved in time
            before = self.context.get(question_id)
            self.context[question_id] = value
            return self._save_later(key, value, before)

        if self._retrying():
            return later()
        return self._act(lambda s, a: svc.set_context(s, a, self.assessment_id, question_id, value), "assessment.saved",
                         away=later)

    @rx.event
    def submit(self):
        return self._act(lambda s, a: svc.submit(s, a, self.assessment_id), "assessment.submitted_ok")

    @rx.event
    def review(self, form: dict):
        form = as_form(form)
        approve = form.get("decision") == "approve"
        comment = text(form.get("comment"), 5000)
        return self._act(lambda s, a: svc.review(s, a, self.assessment_id, approve, comment), "review.done")

    @rx.event
    def new_round(self):
        created = {}

        def action(s, a):
            created["id"] = svc.new_round(s, a, self.assessment_id).id

        result = self._act(action, refresh=False)
        return rx.redirect(routes.assessment_url(created["id"])) if created else result

    @rx.event
    async def invite(self, form: dict):
        form, out = as_form(form), {}

        def action(s, a):
            user, password = svc.invite(s, a, self.assessment_id, text(form.get("email"), 254), text(form.get("name"), 200),
                                        text(form.get("group"), 20))
            out.update(email=user.email, password=password)

        result = await asyncio.to_thread(self._act, action, "invite.done")  # a new account's argon2 hash: off the loop
        self.invited_email, self.invited_password = out.get("email", ""), out.get("password", "")
        return result
