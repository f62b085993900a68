"""The results page's state: the report of one assessment (services/results.py) as plain rows and
figures, the action plan's edits, downloads and the template import (both off the event loop)."""

from __future__ import annotations

import asyncio
import logging
from typing import ClassVar

import reflex as rx

from nlc_toolkit.core.errors import Invalid, NotFound, Refused
from nlc_toolkit.core.network import MIN_PEERS
from nlc_toolkit.core.questionnaire import localized as pick
from nlc_toolkit.core.vocabulary import RESPONDENT_GROUPS
from nlc_toolkit.i18n import (
    format_number,
    format_percent,
    plural,
    translate,
    translate_message,
)
from nlc_toolkit.services import builds
from nlc_toolkit.services import results as svc
from nlc_toolkit.services.live import assessment_channel, hub
from nlc_toolkit.ui.components import charts
from nlc_toolkit.ui.state.auth import AuthState
from nlc_toolkit.ui.state.follow import follow
from nlc_toolkit.ui.state.inputs import db_id, text
from nlc_toolkit.ui.state.page import PageState, unwrapped
from nlc_toolkit.ui.state.uploads import read_at_most

logger = logging.getLogger(__name__)
MESSAGES = ["error.forbidden", "assessment.error.locked", "assessment.error.note_too_long", "actions.error.title",
            "actions.error.status", "actions.error.due", "actions.error.not_found", "actions.saved",
            "assessment.error.bad_answer", "results.import_done", "results.import_refused", "results.import_one_file",
            "results.import_too_large"]
IMPORT_ID = "template-upload"
MAX_IMPORT_BYTES = 5 * 1024 * 1024
FOLLOW_INTERVAL = 1.0  # seconds: the least time between two live re-reads of a dashboard
PEERS_LABEL = {lang: translate("results.peer_median", lang) for lang in ("en", "fr", "ar")}




class ResultsState(PageState, AuthState):
    UPLOAD_LIMITS: ClassVar[dict[str, int]] = {"import_template": MAX_IMPORT_BYTES}
    # The report stays on the server: the page gets the rows and figures derived from it (and
    # `head`), not its 200 KB of JSON (three languages of every text) on each live re-read.
    _report: dict = {}
    head: dict = {}  # what the page's header shows: city, status, id, title, year, can_manage
    drill_domain: str = ""
    # The last import's problems, catalog messages as data ({"key", "values"}, from the build
    # process); the page gets them written in its language (`problems`). Backend-only.
    _problems: list[dict] = []
    import_label: str = ""
    import_group: str = "municipality"
    preparing: str = ""  # the file being built ("pdf", "xlsx", "csv", "template", "import"), shown as busy
    _follow_id: str = ""  # the page's current live follower (see `follow`); backend-only

    def _id(self) -> int:
        return db_id(self._route_arg("assessment_id"))

    def _reload(self, s, actor) -> None:
        self._show(svc.report(s, actor, self._id()).to_dict())

    def _plain(self) -> dict:
        """The report for the derived rows below (ui/state/page.unwrapped)."""
        return unwrapped(self._report)

    def _show(self, report: dict) -> None:
        self._report = report
        self.head = {k: report.get(k) for k in ("city", "status", "id", "title", "year", "can_manage")}
        if self.drill_domain not in {d["id"] for d in report["domains"]} and report["domains"]:
            self.drill_domain = report["domains"][0]["id"]

    @rx.event(background=True)
    async def follow(self):
        """Keep the dashboard current while respondents answer elsewhere (ui/state/follow.py):
        woken when the assessment changes, re-read at most once a second."""
        async with self:
            assessment_id, token = self._id(), self.session_token

        async def fetch(moved: bool) -> dict | bool | None:
            """The report, read in a build process before the tab's state is locked (a thread of
            this process would hold the GIL against every socket for tens of milliseconds). False:
            stop following (signed out, or the assessment is gone or no longer shown to them)."""
            if not moved:
                return None
            try:
                return await builds.in_build_process(builds.followed_report, token, assessment_id) or False
            except (NotFound, Refused):
                return False
            except Invalid:  # the build process died midway: the next change re-reads
                return None

        def on_change(moved: bool, _urgent: bool, report: dict | bool | None) -> bool:
            if report is False or self._id() != assessment_id:
                return False
            if moved and report:
                self._show(report)
            return True

        await follow(self, assessment_channel(assessment_id), ("answers",), on_change, owner="_follow_id",
                     interval=FOLLOW_INTERVAL, fetch=fetch)

    @rx.event
    async def load(self):
        # A reload of the dashboard on screen keeps it while it is re-read (see AssessmentState.load:
        # a spinner would re-mount the action plan's forms under the user's typing).
        keep = bool(self.head.get("id") == self._id() and not self.error)
        self._assign(_problems=[])
        # ?domain=<id> (links from the network heatmap) opens that domain's drill-down.
        self.drill_domain = text(self.router.url.query_parameters.get("domain"), 100)
        async for update in self._load_with(self._reload, keep=keep):
            yield update
        if self.error == "not_found":
            self._report, self.head = {}, {}
        if not self.error and self._report:
            yield ResultsState.follow

    # ----------------------------------------------------------------- derived, plain rows

    @rx.var
    def domain_rows(self) -> list[dict]:
        return [dict(d, title_text=pick(d["title"], self.lang), number=i + 1,
                     score_text=format_number(d["score"], self.lang, 0),
                     previous_text=format_number(d["previous"], self.lang, 0))
                for i, d in enumerate(self._plain().get("domains", []))]

    @rx.var
    def overall_text(self) -> str:
        return format_number(self._plain().get("overall"), self.lang, 0)

    @rx.var
    def facet_rows(self) -> list[dict]:
        """The questionnaire's sub-scores across domains (the national-local interface), if it has any."""
        return [dict(f, title_text=pick(f["title"], self.lang), score_text=format_number(f["score"], self.lang, 0),
                     count_text=plural("home.questions_count", f["questions"], self.lang))
                for f in self._plain().get("facets", [])]

    @rx.var
    def completeness_text(self) -> str:
        return format_percent(self._plain().get("completeness"), self.lang)

    @rx.var
    def band_text(self) -> str:
        return pick(self._plain().get("band") or {}, self.lang) or "–"

    @rx.var
    def too_few_peers(self) -> bool:
        return self._plain().get("peer_count", 0) < MIN_PEERS

    @rx.var
    def has_previous(self) -> bool:
        return bool(self._plain().get("previous"))

    @rx.var
    def gaps(self) -> list[dict]:
        texts = {x["id"]: x["text"] for x in self._plain().get("questions", [])}
        return [dict(g, text=pick(texts[g["question"]], self.lang), gap_text=format_number(g["gap"], self.lang, 1, signed=True),
                     local_text=format_number(g["local"], self.lang, 1),
                     national_text=format_number(g["national"], self.lang, 1))
                for g in self._plain().get("gaps", [])[:15]]

    def _recs(self, group: str) -> list[dict]:
        by_key = {f"{r['question']}:{r['rec']}": r for r in self._plain().get("recommendations", [])}
        # Only what a card shows, in the page's language (not every text in three languages).
        return [{"key": k, "question": by_key[k]["question"], "effort": by_key[k]["effort"],
                 "horizon": by_key[k]["horizon"], "text_now": pick(by_key[k]["text"], self.lang),
                 "question_now": pick(by_key[k]["question_text"], self.lang),
                 "priority_text": format_number(by_key[k]["priority"], self.lang, 2)}
                for k in self._plain().get("groups", {}).get(group, [])]

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
        for a in self._plain().get("answers", []):
            answers.setdefault(a["question"], []).append(a)
        rows = []
        for x in self._plain().get("questions", []):
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
    def problems(self) -> list[str]:
        """The last import's problems in the page's language (written again when it changes)."""
        return [translate_message(p, self.lang) for p in self._problems]

    @rx.var
    def actions(self) -> list[dict]:
        return [dict(a, level_text="–" if a["current_level"] is None else f"{a['current_level']:g}")
                for a in self._plain().get("actions", [])]

    # ----------------------------------------------------------------- figures (built from rows)

    def _radar_series(self) -> tuple:
        """What the radar and its table both show: domain ids, names in full, this round, the
        previous round and the peer median (None where the radar leaves them out), the legend names."""
        domains = self._plain().get("domains", [])
        previous = self._plain().get("previous")
        return (
            [d["id"] for d in domains], [f"{i + 1}. {pick(d['title'], self.lang)}" for i, d in enumerate(domains)],
            [d["score"] for d in domains], [d["previous"] for d in domains] if previous else None,
            str(previous["year"]) if previous else "",
            [d["peers"] for d in domains] if self.too_few_peers is False else None, pick(PEERS_LABEL, self.lang),
            str(self._plain().get("year", "")),
        )

    @rx.var
    def radar(self) -> dict:
        _, names, now, previous, previous_name, peers, peers_name, now_name = self._radar_series()

        def zeros(values):
            return None if values is None else [v or 0 for v in values]

        return charts.radar_figure([charts.wrap_label(n, 24) for n in names], zeros(now), zeros(previous), previous_name,
                                   zeros(peers), peers_name, now_name)

    @rx.var
    def radar_table(self) -> dict:
        return charts.radar_table(*self._radar_series(), self.lang)

    def _group_series(self) -> tuple:
        """What the levels-by-group heatmap and its table both show: question ids, numbers and
        texts, disagreement marks, the groups present and their levels."""
        rows = self._plain().get("by_group", [])
        groups = [g for g in RESPONDENT_GROUPS if any(g in r["levels"] for r in rows)]
        if not groups:
            rows = []
        texts = {x["id"]: pick(x["text"], self.lang) for x in self._plain().get("questions", [])}
        number = {x["id"]: i + 1 for i, x in enumerate(self._plain().get("questions", []))}
        heads = [("⚠ " if r["disagreement"] else "") + f"Q{number[r['question']]}" for r in rows]
        return ([r["question"] for r in rows], heads, [texts[r["question"]] for r in rows],
                [translate(f"group.{g}", self.lang) for g in groups], [[r["levels"].get(g) for g in groups] for r in rows])

    @rx.var
    def heatmap(self) -> dict:
        _, heads, texts, groups, z = self._group_series()
        # The groups' names in full, wrapped, above the columns (initials meant nothing in Arabic).
        return charts.group_heatmap(heads, [charts.wrap_label(g, 14) for g in groups], z, texts,
                                    self._plain().get("max_level", 5))

    @rx.var
    def heatmap_table(self) -> dict:
        keys, heads, texts, groups, z = self._group_series()
        return charts.group_table(keys, [f"{h}. {text}" for h, text in zip(heads, texts)], groups, z, self.lang)

    # ----------------------------------------------------------------- events

    async def _act(self, action, ok: str = "actions.saved"):
        """A change to this assessment's plan or answers: one unit of work with the re-read of the
        report, in a worker thread (a report takes tens of milliseconds: not on the event loop);
        other open dashboards are told."""
        return await asyncio.to_thread(self._run, action, ok, reread=self._reload,
                                       notify=(assessment_channel(self._id()), "answers"))

    @rx.event
    def set_drill(self, domain: str):
        self.drill_domain = text(domain, 100)

    @rx.event
    async def add_to_plan(self, question: str, title: str):
        question, title = text(question, 100), text(title, 5000)
        return await self._act(lambda s, a: svc.add_action(s, a, self._id(), question, title))

    @rx.event
    async def save_action(self, form: dict):
        # The action id rides in a hidden field: a form's handler cannot close over foreach vars.
        form = form if isinstance(form, dict) else {}
        fields = {k: text(form.get(k), 5000) for k in ("title", "owner", "due", "status", "note")}
        return await self._act(lambda s, a: svc.update_action(s, a, self._id(), db_id(form.get("action_id")), **fields))

    async def _download(self, kind: str):
        """Build a file for the signed-in user in a build process (services/builds.py: a PDF takes
        a second or two of CPU), showing that it is being prepared, and note who took it."""
        actor = self._actor()
        if actor is None:
            yield self._to_login()
            return
        self.preparing = kind
        yield  # the button shows it is busy while the file is built
        try:
            data, filename = await builds.in_build_process(builds.assessment_file, actor, self._id(), kind, self.lang)
        except NotFound:
            self.error = "not_found"
            return
        except (Invalid, Refused) as e:
            self._say(str(e), error=True)
            return
        finally:
            self.preparing = ""
        yield rx.download(data=data, filename=filename)

    @rx.event
    async def download_pdf(self):
        async for update in self._download("pdf"):
            yield update

    @rx.event
    async def download_xlsx(self):
        async for update in self._download("xlsx"):
            yield update

    @rx.event
    async def download_csv(self):
        async for update in self._download("csv"):
            yield update

    @rx.event
    async def download_template(self):
        async for update in self._download("template"):
            yield update

    @rx.event
    def set_import_label(self, value: str):
        self.import_label = text(value, 200)

    @rx.event
    def set_import_group(self, value: str):
        self.import_group = value if value in RESPONDENT_GROUPS else "municipality"

    @rx.event
    async def import_template(self, files: list[rx.UploadFile]):
        """Import a filled template. The session is checked before reading, the size while
        reading, and parsing and writing run in a build process (services/builds.py): a large
        workbook must not stall every other socket of the process (a live workshop included)."""
        self._assign(_problems=[])
        actor = self._actor()
        if actor is None:
            yield self._to_login()
            return
        if not files:
            return
        if len(files) > 1:
            self._say("results.import_one_file", error=True)
            return
        data = await read_at_most(files[0], MAX_IMPORT_BYTES)
        if data is None:
            self._say("results.import_too_large", error=True)
            return
        assessment_id, label, group = self._id(), str(self.import_label)[:200], self.import_group
        group = group if group in RESPONDENT_GROUPS else "municipality"
        self.preparing = "import"
        yield  # the page says the file is being read
        try:
            problems, count, report = await builds.in_build_process(builds.import_template, actor, assessment_id,
                                                                    data, label, group)
        except NotFound:
            self.error = "not_found"
            return
        except (Invalid, Refused) as e:
            self._say(str(e), error=True)
            return
        finally:
            self.preparing = ""
        if problems:
            self._say("results.import_refused", error=True)
            self._problems = problems
            return
        self._show(report)  # the imported answers, read in the build process
        self._say("results.import_done", str(count))
        await hub.publish(assessment_channel(assessment_id), "answers")  # other open dashboards re-read


