"""The scored dashboard of an assessment: scores, radar, levels by group, the local-national gap,
domain drill-down, grouped recommendations, the action plan, reports and spreadsheets."""

from __future__ import annotations

import asyncio
import logging
import re
import time
import uuid

import plotly.graph_objects as go
import reflex as rx

from nlc_toolkit import routes
from nlc_toolkit.core.errors import Invalid, NotFound, Refused
from nlc_toolkit.core.exports.pdf import assessment_pdf
from nlc_toolkit.core.exports.spreadsheets import (
    answer_template,
    answers_csv,
    assessment_workbook,
)
from nlc_toolkit.core.network import MIN_PEERS
from nlc_toolkit.core.questionnaire import localized as pick
from nlc_toolkit.core.vocabulary import ACTION_STATUSES, RESPONDENT_GROUPS
from nlc_toolkit.i18n import translate
from nlc_toolkit.services import results as svc
from nlc_toolkit.services.live import HEARTBEAT, assessment_channel, hub, tab_connected
from nlc_toolkit.services.uow import unit_of_work
from nlc_toolkit.ui.components import charts
from nlc_toolkit.ui.components.feedback import loading_or_error, notice, status_badge
from nlc_toolkit.ui.components.i18n import localized, t, t_key
from nlc_toolkit.ui.components.shell import page
from nlc_toolkit.ui.state.auth import AuthState
from nlc_toolkit.ui.state.inputs import db_id, text
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


class ResultsState(AuthState):
    loading: bool = True
    error: str = ""
    report: dict = {}
    drill_domain: str = ""
    message: str = ""
    message_detail: str = ""
    message_is_error: bool = False
    problems: list[str] = []
    import_label: str = ""
    import_group: str = "municipality"
    follow_id: str = ""  # the page's current live follower (see `follow`)

    def _id(self) -> int:
        match = re.fullmatch(r"/assessments/(\d+)/results/?", self.router.url.path or "")
        return db_id(match.group(1)) if match else 0

    def _reload(self, actor) -> None:
        with unit_of_work() as s:
            self.report = svc.report(s, actor, self._id())
        if self.drill_domain not in {d["id"] for d in self.report["domains"]} and self.report["domains"]:
            self.drill_domain = self.report["domains"][0]["id"]

    @rx.event(background=True)
    async def follow(self):
        """Keep the dashboard current while respondents answer elsewhere: woken by the live hub
        when the assessment changes, re-read at most once a second. The newest follower of a
        page wins (a reload starts another); it stops when its tab is gone."""
        me = uuid.uuid4().hex
        async with self:
            self.follow_id, channel, tab = me, assessment_channel(self._id()), self.router.session.client_token
        seen, refreshed = {}, 0.0
        while True:
            now = await hub.wait(channel, ("answers",), seen, HEARTBEAT)
            if now == seen or not any(now.values()):
                if not await tab_connected(tab):
                    return
                seen = now
                continue
            await asyncio.sleep(max(0.0, refreshed + FOLLOW_INTERVAL - time.monotonic()))
            seen = hub.versions(channel, ("answers",))
            async with self:
                if self.follow_id != me or assessment_channel(self._id()) != channel:
                    return
                actor = self._actor()
                if actor is None:
                    return
                try:
                    self._reload(actor)
                except NotFound:
                    return
                refreshed = time.monotonic()

    @rx.event
    def load(self):
        actor = self._actor()
        if actor is None:
            return self._to_login()
        # A reload of the dashboard on screen keeps it while it is re-read (see AssessmentState.load:
        # a spinner would re-mount the action plan's forms under the user's typing).
        self.loading = not (self.report.get("id") == self._id() and not self.error)
        self.error, self.message, self.problems = "", "", []
        # ?domain=<id> (links from the network heatmap) opens that domain's drill-down.
        self.drill_domain = text(self.router.url.query_parameters.get("domain"), 100)
        yield
        try:
            self._reload(actor)
        except NotFound:
            self.error, self.report = "not_found", {}
        except Exception:  # noqa: BLE001 - shown as a page state, details in the log
            logger.exception("results: load failed")
            self.error = "load"
        self.loading = False
        if not self.error:
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
        actor = self._actor()
        if actor is None:
            return self._to_login()
        try:
            with unit_of_work() as s:
                action(s, actor)
        except (Invalid, Refused, NotFound) as e:
            return self._refused(e)
        return self._done(actor, ok)

    def _refused(self, e: Exception) -> None:
        if isinstance(e, NotFound):
            self.error = "not_found"
        else:
            self.message, self.message_detail, self.message_is_error = str(e), "", True

    def _done(self, actor, ok: str, detail: str = "") -> None:
        """A change went through: say so, tell other open dashboards, re-read this one."""
        self.message, self.message_detail, self.message_is_error = ok, detail, False
        hub.notify(assessment_channel(self._id()), "answers")
        self._reload(actor)

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
            self.message, self.message_is_error, self.problems = "results.import_refused", True, ["one file at a time"]
            return None
        data = await read_at_most(files[0], MAX_IMPORT_BYTES)
        if data is None:
            self.message, self.message_is_error, self.problems = "results.import_refused", True, ["the file is larger than 5 MB"]
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
        except (Invalid, Refused, NotFound) as e:
            return self._refused(e)
        if problems:
            self.message, self.message_is_error, self.problems = "results.import_refused", True, problems
            return None
        return self._done(actor, "results.import_done", str(count))


# ===================================================================== components


def kpi(label_key: str, value: rx.Var, id_: str) -> rx.Component:
    return rx.card(rx.vstack(rx.text(t(label_key), size="2", color_scheme="gray"),
                             rx.heading(value, size="7", id=id_), spacing="1"), min_width="10em")


def rec_card(rec: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(rec["text_now"], weight="bold"),
            rx.text(rec["question_now"], size="1", color_scheme="gray"),
            rx.hstack(
                rx.badge(t("results.priority"), " ", rec["priority_text"]),
                rx.badge(t_key(rec["effort"], ["effort.low", "effort.medium", "effort.high"], prefix="effort."),
                         color_scheme="gray"),
                rx.badge(t_key(rec["horizon"], ["horizon.short", "horizon.medium", "horizon.long"], prefix="horizon."),
                         color_scheme="gray"),
                rx.spacer(),
                rx.cond(ResultsState.report["can_manage"].to(bool),
                        rx.button(rx.icon("list-plus", size=14), t("results.add_to_plan"), size="1", variant="soft",
                                  on_click=ResultsState.add_to_plan(rec["question"], rec["text_now"]))),
                wrap="wrap", width="100%", align="center",
            ),
            spacing="1", width="100%",
        ),
        width="100%", class_name="rec-card",
    )


def rec_group(title_key: str, items: rx.Var, id_: str) -> rx.Component:
    return rx.vstack(
        rx.heading(t(title_key), size="4", as_="h3"),
        rx.cond(items.length() > 0, rx.vstack(rx.foreach(items, rec_card), width="100%"), rx.text(t("results.none"))),
        width="100%", id=id_,
    )


def action_row(action: rx.Var) -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.el.input(type="hidden", name="action_id", value=action["id"].to(str)),
                rx.hstack(
                    rx.input(name="title", default_value=action["title"], aria_label=t("actions.title_field"), flex="1",
                             min_width="16em"),
                    rx.cond(~action["from_this_round"].to(bool), rx.badge(t("actions.carried"), color_scheme="amber")),
                    rx.badge(t("results.current_level"), " ", action["level_text"]),
                    wrap="wrap", width="100%", align="center",
                ),
                rx.hstack(
                    rx.input(name="owner", default_value=action["owner"], placeholder=t("actions.owner"),
                             aria_label=t("actions.owner")),
                    rx.input(name="due", type="date", default_value=action["due"], aria_label=t("actions.due")),
                    rx.el.select(*[rx.el.option(t(f"action_status.{s}"), value=s) for s in ACTION_STATUSES],
                                 name="status", default_value=action["status"], aria_label=t("actions.status")),
                    rx.input(name="note", default_value=action["note"], placeholder=t("actions.note"),
                             aria_label=t("actions.note"), flex="1"),
                    rx.button(t("actions.save"), type="submit", size="2", variant="soft"),
                    wrap="wrap", width="100%",
                ),
                width="100%",
            ),
            on_submit=ResultsState.save_action,
        ),
        width="100%", class_name="action-row",
    )


def drilldown() -> rx.Component:
    return rx.vstack(
        rx.el.select(
            rx.foreach(ResultsState.domain_rows, lambda d: rx.el.option(d["number"].to(str) + ". " + d["title_text"].to(str),
                                                                       value=d["id"])),
            value=ResultsState.drill_domain, on_change=ResultsState.set_drill, aria_label=t("results.domain"),
            id="drill-domain",
        ),
        rx.foreach(ResultsState.drill_rows, lambda row: rx.card(
            rx.vstack(
                rx.hstack(rx.text(row["text"], weight="bold"), rx.spacer(),
                          rx.cond(row["disagreement"], rx.badge("⚠", color_scheme="orange")),
                          rx.badge(t("results.consolidated"), " ", row["level"]), width="100%"),
                rx.foreach(row["answers"].to(list[dict]), lambda a: rx.hstack(
                    rx.text(a["respondent"], size="2", weight="medium"),
                    rx.badge(t_key(a["group"], [f"group.{g}" for g in RESPONDENT_GROUPS], prefix="group."),
                             color_scheme="gray"),
                    rx.badge(a["answer"]),
                    rx.text(a["note"], size="2", color_scheme="gray"),
                    wrap="wrap", align="center",
                )),
                width="100%",
            ),
            width="100%", class_name="drill-row",
        )),
        width="100%", id="drilldown",
    )


def downloads() -> rx.Component:
    return rx.hstack(
        rx.button(rx.icon("file-text", size=16), t("results.download_pdf"), on_click=ResultsState.download_pdf,
                  id="download-pdf"),
        rx.button(rx.icon("sheet", size=16), t("results.download_xlsx"), on_click=ResultsState.download_xlsx,
                  variant="soft", id="download-xlsx"),
        rx.button(rx.icon("file-down", size=16), t("results.download_csv"), on_click=ResultsState.download_csv,
                  variant="soft", id="download-csv"),
        rx.button(rx.icon("file-spreadsheet", size=16), t("results.template"), on_click=ResultsState.download_template,
                  variant="soft", id="download-template"),
        wrap="wrap",
    )


def importer() -> rx.Component:
    return rx.card(rx.vstack(
        rx.text(t("results.import"), weight="bold"),
        rx.hstack(
            rx.input(value=ResultsState.import_label, on_change=ResultsState.set_import_label,
                     placeholder=t("results.import_label"), aria_label=t("results.import_label"), min_width="16em"),
            rx.el.select(*[rx.el.option(t(f"group.{g}"), value=g) for g in RESPONDENT_GROUPS],
                         value=ResultsState.import_group, on_change=ResultsState.set_import_group,
                         aria_label=t("invite.group")),
            wrap="wrap",
        ),
        rx.upload(rx.text(t("evidence.drop")), id=IMPORT_ID, accept={
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": [".xlsx"]}, max_files=1,
            border="1px dashed var(--gray-a7)", padding="1em", width="100%"),
        rx.button(t("evidence.upload"), id="import-submit",
                  on_click=ResultsState.import_template(rx.upload_files(upload_id=IMPORT_ID))),
        rx.cond(ResultsState.problems.length() > 0,
                rx.el.ul(rx.foreach(ResultsState.problems, lambda p: rx.el.li(p)), id="import-problems")),
        width="100%",
    ), width="100%")


def dashboard() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.heading(ResultsState.report["city"].to(str), size="7", as_="h1", id="results-city"),
            status_badge(ResultsState.report["status"].to(str)),
            rx.spacer(),
            rx.link(t("results.back"), href="/assessments/" + ResultsState.report["id"].to(str)),
            width="100%", align="center", wrap="wrap",
        ),
        rx.text(localized(ResultsState.report["title"]), " · ", ResultsState.report["year"].to(str), color_scheme="gray"),
        rx.cond(ResultsState.message != "", notice(
            t_key(ResultsState.message, MESSAGES), " ", ResultsState.message_detail,
            color=rx.cond(ResultsState.message_is_error, "red", "green"),
            role=rx.cond(ResultsState.message_is_error, "alert", "status"), id="results-message")),
        rx.hstack(kpi("results.overall", ResultsState.overall_text, "overall-score"),
                  kpi("results.band", ResultsState.band_text, "band"),
                  kpi("results.completeness", ResultsState.completeness_text, "completeness"), wrap="wrap"),
        downloads(),
        rx.heading(t("results.radar"), size="5", as_="h2"),
        rx.box(rx.plotly(data=ResultsState.radar.to(go.Figure), config={"displayModeBar": False, "responsive": True}),
               # Plotly lays out its SVG left to right only; inside an RTL page it shifts off screen.
               width="100%", id="radar", dir="ltr"),
        rx.cond(ResultsState.too_few_peers, rx.text(t("results.too_few_peers"), size="2", color_scheme="gray",
                                                    id="too-few-peers")),
        rx.box(rx.table.root(
            rx.table.header(rx.table.row(
                rx.table.column_header_cell("#"), rx.table.column_header_cell(t("results.domain")),
                rx.table.column_header_cell(t("results.this_round")),
                rx.cond(ResultsState.has_previous, rx.table.column_header_cell(t("results.previous_round"))))),
            rx.table.body(rx.foreach(ResultsState.domain_rows, lambda d: rx.table.row(
                rx.table.cell(d["number"].to(str)), rx.table.cell(d["title_text"]),
                rx.table.cell(d["score_text"], class_name="domain-score"),
                rx.cond(ResultsState.has_previous, rx.table.cell(d["previous_text"])),
                class_name="domain-score-row", data_domain=d["id"]))),
            size="1", width="100%"), width="100%", overflow_x="auto"),
        rx.heading(t("results.heatmap"), size="5", as_="h2"),
        rx.text(t("results.heatmap_help"), size="2", color_scheme="gray"),
        rx.box(rx.plotly(data=ResultsState.heatmap.to(go.Figure), config={"displayModeBar": False, "responsive": True}),
               width="100%", id="heatmap", dir="ltr"),
        rx.heading(t("results.gap_title"), size="5", as_="h2"),
        rx.text(t("results.gap_help"), size="2", color_scheme="gray"),
        rx.cond(ResultsState.gaps.length() > 0, rx.box(rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(t(k)) for k in (
                "export.question", "group.municipality", "group.national", "results.gap")])),
            rx.table.body(rx.foreach(ResultsState.gaps, lambda g: rx.table.row(
                rx.table.cell(g["text"]), rx.table.cell(g["local_text"]), rx.table.cell(g["national_text"]),
                rx.table.cell(rx.badge(g["gap_text"], dir="ltr",
                                       color_scheme=rx.cond(g["gap"].to(float) > 0, "orange", "blue"))),
                class_name="gap-row"))),
            size="1", width="100%"), width="100%", overflow_x="auto", id="gap-table"),
            rx.text(t("results.no_gap"))),
        rx.heading(t("results.drilldown"), size="5", as_="h2"),
        drilldown(),
        rx.heading(t("results.recommendations"), size="5", as_="h2"),
        rec_group("results.quick_wins", ResultsState.quick_wins, "quick-wins"),
        rec_group("results.strategic", ResultsState.strategic, "strategic"),
        rec_group("results.national_asks", ResultsState.national_asks, "national-asks"),
        rx.heading(t("actions.heading"), size="5", as_="h2"),
        rx.cond(ResultsState.actions.length() > 0,
                rx.vstack(rx.foreach(ResultsState.actions, action_row), width="100%", id="action-plan"),
                rx.text(t("results.no_actions"))),
        rx.cond(ResultsState.report["can_manage"].to(bool), importer()),
        spacing="4", width="100%",
    )


@page(routes.RESULTS, on_load=[ResultsState.load])
def results() -> rx.Component:
    return rx.cond(
        ResultsState.error == "not_found",
        notice(t("error.not_found"), icon="search_x", color="gray", id="not-found"),
        loading_or_error(ResultsState.loading, ResultsState.error, ResultsState.load, dashboard()),
    )
