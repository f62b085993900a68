"""The trainer's console: the room's question, its controls, the participants and the end."""

from __future__ import annotations

import reflex as rx

from nlc_toolkit.core.vocabulary import RESPONDENT_GROUPS
from nlc_toolkit.ui.components.feedback import notice, preparing
from nlc_toolkit.ui.components.i18n import localized, t, t_key
from nlc_toolkit.ui.components.room_views import distribution_bars, level_cards
from nlc_toolkit.ui.pages.workshops.state import (
    MESSAGES,
    STATUS_KEYS,
    ConsoleState,
)


def participants_card() -> rx.Component:
    return rx.card(rx.vstack(
        rx.heading(t("workshop.participants"), " (", ConsoleState.participants.length().to(str), ")", size="3", as_="h2"),
        rx.box(rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(t(k)) for k in (
                "workshop.your_name", "invite.group", "workshop.answers", "workshop.joined", "admin.actions")])),
            rx.table.body(rx.foreach(ConsoleState.participant_rows, lambda p: rx.table.row(
                rx.table.cell(rx.el.bdi(rx.cond(p["name"] != "", p["name"], "–"))),
                rx.table.cell(t_key(p["group"], [f"group.{g}" for g in RESPONDENT_GROUPS], prefix="group.")),
                rx.table.cell(p["answers"].to(str)), rx.table.cell(p["joined_text"]),
                rx.table.cell(rx.button(t("workshop.remove"), size="1", variant="soft", color_scheme="red",
                                        on_click=ConsoleState.remove_participant(p["id"]),
                                        aria_label=t("workshop.remove"), class_name="remove-participant")),
                class_name="participant-row", data_participant=p["id"]))),
            size="1", width="100%"), overflow_x="auto", width="100%", max_height="16em", overflow_y="auto"),
        width="100%"), width="100%", id="participants")


def console() -> rx.Component:
    room, stats = ConsoleState.room, ConsoleState.stats
    return rx.vstack(
        rx.hstack(
            rx.heading(t("workshop.console"), " ", room["code"].to(str), size="6", as_="h1", id="console-title"),
            rx.badge(t_key(room["status"], STATUS_KEYS, "workshop.status."), id="room-status", data_status=room["status"]),
            rx.spacer(),
            rx.link(t("workshop.presenter"), href="/w/" + ConsoleState.code + "/present", is_external=True),
            width="100%", align="center", wrap="wrap",
        ),
        rx.hstack(
            rx.image(src=ConsoleState.qr_svg, width="9em", height="9em", alt=ConsoleState.join_url),
            rx.vstack(rx.text(t("workshop.join_at")), rx.code(ConsoleState.join_url, id="join-url"),
                      rx.heading(room["code"].to(str), size="8", letter_spacing="0.15em")),
            align="center", wrap="wrap",
        ),
        rx.cond(ConsoleState.message != "", notice(t_key(ConsoleState.message, MESSAGES), id="console-message",
                                                   color="blue")),
        rx.text(room["position"].to(str), " / ", room["total"].to(str), " · ", localized(room["domain"]), size="2",
                color_scheme="gray", id="console-position"),
        rx.heading(localized(room["text"]), size="5", as_="h2", id="console-question"),
        rx.hstack(
            rx.badge(t("workshop.answers"), " ", stats["count"].to(str), " / ", stats["participants"].to(str),
                     id="console-count", size="3"),
            rx.badge(t("workshop.median"), " ", ConsoleState.median_text),
            rx.badge(t("workshop.spread"), " ", stats["spread"].to(str)),
            rx.cond(stats["no_consensus"].to(bool), rx.badge(t("workshop.no_consensus"), color_scheme="orange")),
            wrap="wrap",
        ),
        distribution_bars(room, stats, preview=True),
        rx.hstack(
            rx.button(t("assessment.previous"), on_click=ConsoleState.control("previous"), variant="soft", id="ws-previous"),
            rx.button(t("assessment.next"), on_click=ConsoleState.control("next"), id="ws-next"),
            rx.button(rx.cond(room["revealed"].to(bool), t("workshop.hide"), t("workshop.reveal")),
                      on_click=ConsoleState.control("reveal", ~room["revealed"].to(bool)), variant="soft", id="ws-reveal"),
            rx.button(rx.cond(room["locked"].to(bool), t("workshop.unlock"), t("workshop.lock")),
                      on_click=ConsoleState.control("lock", ~room["locked"].to(bool)), variant="soft", id="ws-lock"),
            rx.button(rx.cond(room["status"] == "paused", t("workshop.resume"), t("workshop.pause")),
                      on_click=ConsoleState.control(rx.cond(room["status"] != "paused", "pause", "resume")), variant="soft", color_scheme="gray",
                      id="ws-pause"),
            rx.el.select(rx.el.option(t("workshop.jump"), value=""),
                         rx.foreach(room["domains"].to(list[dict]), lambda d: rx.el.option(localized(d["title"]), value=d["id"])),
                         on_change=lambda value: ConsoleState.control("domain", value), aria_label=t("workshop.jump"), value=""),
            wrap="wrap",
        ),
        rx.hstack(
            rx.text(t("workshop.agreed"), weight="bold"),
            rx.el.select(rx.el.option("—", value=""),
                         rx.foreach(room["levels"].to(list[dict]), lambda lv: rx.el.option(
                             lv["value"].to(str) + " · " + localized(lv["label"]), value=lv["value"])),
                         value=room["agreed"].to(str), on_change=lambda value: ConsoleState.control("agree", value), id="ws-agreed",
                         aria_label=t("workshop.agreed")),
            align="center", wrap="wrap",
        ),
        rx.el.label(t("workshop.note"), html_for="ws-note"),
        rx.text_area(id="ws-note", key=room["question"].to(str), default_value=room["note"].to(str),
                     on_blur=lambda value: ConsoleState.control("note", value), width="100%"),
        rx.card(rx.form(rx.vstack(
            rx.text(t("workshop.end_title"), weight="bold"),
            rx.cond(ConsoleState.has_assessment, rx.hstack(
                rx.el.select(*[rx.el.option(t(f"group.{g}"), value=g) for g in RESPONDENT_GROUPS], name="group",
                             aria_label=t("invite.group"), id="ws-end-group"),
                rx.el.label(rx.el.input(type="checkbox", name="keep", id="ws-keep"), " ", t("workshop.keep_participants")),
                wrap="wrap", align="center")),
            rx.button(t("workshop.end"), type="submit", color_scheme="red", id="ws-end"),
        ), on_submit=ConsoleState.end), width="100%"),
        participants_card(),
        rx.cond(ConsoleState.summary.length() > 0, rx.vstack(
            rx.heading(t("workshop.summary"), size="4", as_="h2"),
            rx.hstack(
                rx.button(t("results.download_xlsx"), on_click=ConsoleState.export("xlsx"), variant="soft", id="ws-export",
                          loading=ConsoleState.preparing == "xlsx", disabled=ConsoleState.preparing != ""),
                rx.button(t("results.download_pdf"), on_click=ConsoleState.export("pdf"), variant="soft",
                          id="ws-export-pdf", loading=ConsoleState.preparing == "pdf", disabled=ConsoleState.preparing != ""),
                preparing(ConsoleState),
            ),
            rx.table.root(rx.table.body(rx.foreach(ConsoleState.summary, lambda r: rx.table.row(
                rx.table.cell(localized(r["text"])), rx.table.cell(r["count"].to(str)),
                rx.table.cell(rx.cond(r["agreed"], r["agreed"].to(str), "–")), rx.table.cell(r["note"]),
                class_name="summary-row"))), size="1"),
            width="100%",
        )),
        level_cards(room),
        spacing="3", width="100%",
    )
