"""The results page's state: the report of one assessment (services/results.py) as plain rows and
figures, the action plan's edits, downloads and the template import (both off the event loop)."""

from __future__ import annotations

import asyncio
import logging
import re
from typing import ClassVar

import reflex as rx

from nlc_toolkit.core.errors import Invalid, NotFound, Refused
from nlc_toolkit.core.exports.pdf import assessment_pdf
from nlc_toolkit.core.exports.spreadsheets import (
    answer_template,
    answers_csv,
    assessment_workbook,
)
from nlc_toolkit.core.network import MIN_PEERS
from nlc_toolkit.core.questionnaire import localized as pick
from nlc_toolkit.core.vocabulary import RESPONDENT_GROUPS
from nlc_toolkit.i18n import translate
from nlc_toolkit.services import results as svc
from nlc_toolkit.services.live import assessment_channel
from nlc_toolkit.services.uow import unit_of_work
from nlc_toolkit.ui.components import charts
from nlc_toolkit.ui.state.auth import AuthState
from nlc_toolkit.ui.state.follow import follow
from nlc_toolkit.ui.state.inputs import db_id, text
from nlc_toolkit.ui.state.page import PageState
from nlc_toolkit.ui.state.uploads import read_at_most

logger = logging.getLogger(__name__)
MESSAGES = ["error.forbidden", "assessment.error.locked", "assessment.error.note_too_long", "actions.error.title",
            "actions.error.status", "actions.error.due", "actions.error.not_found", "actions.saved",
            "assessment.error.bad_answer", "results.import_done", "results.import_refused"]
IMPORT_ID = "template-upload"
MAX_IMPORT_BYTES = 5 * 1024 * 1024
FOLLOW_INTERVAL = 1.0  # seconds: the least time between two live re-reads of a dashboard
PEERS_LABEL = {lang: translate("results.peer_median", lang) for lang in ("en", "fr", "ar")}




def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", str(text)).strip("-").lower()[:60] or "x"


def _file_name(report: dict, kind: str, lang: str) -> str:
    """A download's name from safe parts only: slugs, numbers and a supported language."""
    if kind == "template":
        return f"nlc-template-{_slug(report.get('questionnaire_id', ''))}-{lang}.xlsx"
    ext = {"pdf": "pdf", "xlsx": "xlsx", "csv": "csv"}[kind]
    return (f"nlc-{_slug(report.get('city', ''))}-{int(report.get('year') or 0)}-r{int(report.get('round') or 0)}"
            f"-{lang}.{ext}")


class ResultsState(PageState, AuthState):
    UPLOAD_LIMITS: ClassVar[dict[str, int]] = {"import_template": MAX_IMPORT_BYTES}
    report: dict = {}
    drill_domain: str = ""
    problems: list[str] = []
    import_label: str = ""
    import_group: str = "municipality"
    follow_id: str = ""  # the page's current live follower (see `follow`)

    def _id(self) -> int:
        return db_id(self._route_arg("assessment_id"))

    def _reload(self, s, actor) -> None:
        self.report = svc.report(s, actor, self._id()).to_dict()
        if self.drill_domain not in {d["id"] for d in self.report["domains"]} and self.report["domains"]:
            self.drill_domain = self.report["domains"][0]["id"]

    @rx.event(background=True)
    async def follow(self):
        """Keep the dashboard current while respondents answer elsewhere (ui/state/follow.py):
        woken when the assessment changes, re-read at most once a second."""
        async with self:
            assessment_id = self._id()

        def on_change(moved: bool, _urgent: bool) -> bool:
            if not moved:
                return True
            if self._id() != assessment_id:
                return False
            try:
                with unit_of_work() as s:
                    actor = self._actor(s)
                    if actor is None:
                        return False
                    self._reload(s, actor)
            except NotFound:
                return False
            return True

        await follow(self, assessment_channel(assessment_id), ("answers",), on_change, owner="follow_id",
                     interval=FOLLOW_INTERVAL)

    @rx.event
    def load(self):
        # A reload of the dashboard on screen keeps it while it is re-read (see AssessmentState.load:
        # a spinner would re-mount the action plan's forms under the user's typing).
        keep = bool(self.report.get("id") == self._id() and not self.error)
        self.problems = []
        # ?domain=<id> (links from the network heatmap) opens that domain's drill-down.
        self.drill_domain = text(self.router.url.query_parameters.get("domain"), 100)
        yield from self._load_with(self._reload, keep=keep)
        if self.error == "not_found":
            self.report = {}
        if not self.error and self.report:
            yield ResultsState.follow

    # ----------------------------------------------------------------- derived, plain rows

    @rx.var
    def domain_rows(self) -> list[dict]:
        def text(value):
            return "–" if value is None else f"{value:.0f}"

        return [dict(d, title_text=pick(d["title"], self.lang), number=i + 1, score_text=text(d["score"]),
                     previous_text=text(d["previous"]))
                for i, d in enumerate(self.report.get("domains", []))]

    @rx.var
    def overall_text(self) -> str:
        value = self.report.get("overall")
        return "–" if value is None else f"{value:.0f}"

    @rx.var
    def completeness_text(self) -> str:
        value = self.report.get("completeness")
        return "–" if value is None else f"{100 * value:.0f}%"

    @rx.var
    def band_text(self) -> str:
        return pick(self.report.get("band") or {}, self.lang) or "–"

    @rx.var
    def too_few_peers(self) -> bool:
        return self.report.get("peer_count", 0) < MIN_PEERS

    @rx.var
    def has_previous(self) -> bool:
        return bool(self.report.get("previous"))

    @rx.var
    def gaps(self) -> list[dict]:
        texts = {x["id"]: x["text"] for x in self.report.get("questions", [])}
        return [dict(g, text=pick(texts[g["question"]], self.lang), gap_text=f"{g['gap']:+.1f}",
                     local_text=f"{g['local']:.1f}", national_text=f"{g['national']:.1f}")
                for g in self.report.get("gaps", [])[:15]]

    def _recs(self, group: str) -> list[dict]:
        by_key = {f"{r['question']}:{r['rec']}": r for r in self.report.get("recommendations", [])}
        return [dict(by_key[k], key=k, text_now=pick(by_key[k]["text"], self.lang),
                     question_now=pick(by_key[k]["question_text"], self.lang), priority_text=f"{by_key[k]['priority']:.2f}")
                for k in self.report.get("groups", {}).get(group, [])]

    @rx.var
    def quick_wins(self) -> list[dict]:
        return self._recs("quick_wins")

    @rx.var
    def strategic(self) -> list[dict]:
        return self._recs("strategic")

    @rx.var
    def national_asks(self) -> list[dict]:
        return self._recs("national_asks")

    @rx.var
    def drill_rows(self) -> list[dict]:
        answers: dict[str, list[dict]] = {}
        for a in self.report.get("answers", []):
            answers.setdefault(a["question"], []).append(a)
        rows = []
        for x in self.report.get("questions", []):
            if x["domain"] != self.drill_domain or x["status"] == "not_applicable":
                continue
            rows.append({
                "id": x["id"], "text": pick(x["text"], self.lang),
                "level": "–" if x["level"] is None else f"{x['level']:g}",
                "disagreement": x["disagreement"],
                "answers": [{"respondent": a["respondent"], "group": a["group"], "answer": a["answer"] or "–",
                             "note": a["note"]} for a in answers.get(x["id"], [])],
            })
        return rows

    @rx.var
    def actions(self) -> list[dict]:
        return [dict(a, level_text="–" if a["current_level"] is None else f"{a['current_level']:g}")
                for a in self.report.get("actions", [])]

    # ----------------------------------------------------------------- figures (built from rows)

    @rx.var
    def radar(self) -> dict:
        domains = self.report.get("domains", [])
        previous = self.report.get("previous")
        return charts.radar_figure(
            [f"{i + 1}. {pick(d['title'], self.lang)[:28]}" for i, d in enumerate(domains)],
            [d["score"] or 0 for d in domains],
            [d["previous"] or 0 for d in domains] if previous else None, str(previous["year"]) if previous else "",
            [d["peers"] or 0 for d in domains] if self.too_few_peers is False else None, pick(PEERS_LABEL, self.lang),
            str(self.report.get("year", "")),
        )

    @rx.var
    def heatmap(self) -> dict:
        rows = self.report.get("by_group", [])
        groups = [g for g in RESPONDENT_GROUPS if any(g in r["levels"] for r in rows)]
        texts = {x["id"]: pick(x["text"], self.lang) for x in self.report.get("questions", [])}
        number = {x["id"]: i + 1 for i, x in enumerate(self.report.get("questions", []))}
        group_names = {"municipality": "M", "national": "N", "civil_society": "CS", "other": "O"}
        if not groups:
            rows = []
        return charts.group_heatmap(
            [("⚠ " if r["disagreement"] else "") + f"Q{number[r['question']]}" for r in rows],
            [group_names[g] for g in groups],
            [[r["levels"].get(g) for g in groups] for r in rows],
            [texts[r["question"]] for r in rows],
            self.report.get("max_level", 5),
        )

    # ----------------------------------------------------------------- events

    def _act(self, action, ok: str = "actions.saved"):
        """A change to this assessment's plan or answers: one unit of work with the re-read;
        other open dashboards are told."""
        return self._run(action, ok, reread=self._reload, notify=(assessment_channel(self._id()), "answers"))

    @rx.event
    def set_drill(self, domain: str):
        self.drill_domain = text(domain, 100)

    @rx.event
    def add_to_plan(self, question: str, title: str):
        question, title = text(question, 100), text(title, 5000)
        return self._act(lambda s, a: svc.add_action(s, a, self._id(), question, title))

    @rx.event
    def save_action(self, form: dict):
        # The action id rides in a hidden field: a form's handler cannot close over foreach vars.
        form = form if isinstance(form, dict) else {}
        fields = {k: text(form.get(k), 5000) for k in ("title", "owner", "due", "status", "note")}
        return self._act(lambda s, a: svc.update_action(s, a, self._id(), db_id(form.get("action_id")), **fields))

    async def _download(self, kind: str, build):
        """Build a file for the signed-in user in a worker thread (a PDF takes a second or two of
        CPU: on the event loop it would stall every socket of the process) and record who took it."""
        actor = self._actor()
        if actor is None:
            return self._to_login()
        assessment_id, lang = self._id(), self.lang

        def run() -> tuple[bytes, str]:
            with unit_of_work() as s:
                report = svc.report(s, actor, assessment_id)
                data = build(s, actor, report, lang)
                svc.record_download(s, actor, assessment_id, kind)
                return data, _file_name(report, kind, lang)

        try:
            data, filename = await asyncio.to_thread(run)
        except NotFound:
            self.error = "not_found"
            return None
        return rx.download(data=data, filename=filename)

    @rx.event
    async def download_pdf(self):
        return await self._download("pdf", lambda s, a, r, lang: assessment_pdf(r, lang))

    @rx.event
    async def download_xlsx(self):
        return await self._download("xlsx", lambda s, a, r, lang: assessment_workbook(r, lang))

    @rx.event
    async def download_csv(self):
        return await self._download("csv", lambda s, a, r, lang: answers_csv(r["answers"]))

    @rx.event
    async def download_template(self):
        return await self._download(
            "template", lambda s, a, r, lang: answer_template(svc.questionnaire_for(s, a, r["id"]), lang))

    @rx.event
    def set_import_label(self, value: str):
        self.import_label = text(value, 200)

    @rx.event
    def set_import_group(self, value: str):
        self.import_group = value if value in RESPONDENT_GROUPS else "municipality"

    @rx.event
    async def import_template(self, files: list[rx.UploadFile]):
        """Import a filled template. The session is checked before reading, the size while
        reading, and parsing and writing run in a worker thread: a large workbook must not stall
        every other socket of the process (a live workshop included)."""
        self.problems = []
        actor = self._actor()
        if actor is None:
            return self._to_login()
        if not files:
            return None
        if len(files) > 1:
            self._say("results.import_refused", error=True)
            self.problems = ["one file at a time"]
            return None
        data = await read_at_most(files[0], MAX_IMPORT_BYTES)
        if data is None:
            self._say("results.import_refused", error=True)
            self.problems = ["the file is larger than 5 MB"]
            return None
        assessment_id, label, group = self._id(), str(self.import_label)[:200], self.import_group
        group = group if group in RESPONDENT_GROUPS else "municipality"

        def run() -> tuple[list[str], int]:
            with unit_of_work() as s:
                problems, count = svc.import_template(s, actor, assessment_id, data, label, group)
                if problems:
                    s.rollback()
                return problems, count

        try:
            problems, count = await asyncio.to_thread(run)
        except NotFound:
            self.error = "not_found"
            return None
        except (Invalid, Refused) as e:
            self._say(str(e), error=True)
            return None
        if problems:
            self._say("results.import_refused", error=True)
            self.problems = problems
            return None
        result = self._act(lambda s, a: None, "results.import_done")  # the imported answers, shown
        self.message_detail = str(count)
        return result


