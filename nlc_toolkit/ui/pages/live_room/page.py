"""The room's two public screens: the presenter view for the projector and the participant's
phone. This module composes them; the states are in state.py."""

from __future__ import annotations

import reflex as rx

from nlc_toolkit import routes
from nlc_toolkit.core.vocabulary import RESPONDENT_GROUPS
from nlc_toolkit.i18n import LANGUAGES
from nlc_toolkit.ui.components.feedback import notice
from nlc_toolkit.ui.components.i18n import localized, t, t_key
from nlc_toolkit.ui.components.room_views import distribution_bars, level_cards
from nlc_toolkit.ui.components.shell import page
from nlc_toolkit.ui.pages.live_room.state import (
    JOIN_ERRORS,
    ParticipantState,
    PresenterState,
)


@page(routes.PRESENTER, on_load=[PresenterState.load])
def presenter() -> rx.Component:
    room, stats = PresenterState.room, PresenterState.stats
    return rx.cond(
        PresenterState.missing,
        notice(t("workshop.error.code"), icon="search_x", color="gray", id="not-found"),
        rx.vstack(
            rx.hstack(rx.text(room["city"].to(str), " · ", t("workshop.code"), " ", room["code"].to(str), size="4",
                              weight="bold"), rx.spacer(),
                      rx.el.label(t("workshop.also_in"), html_for="present-also", font_size="0.8em"),
                      rx.el.select(rx.el.option("—", value=""),
                                   *[rx.el.option(v["name"], value=k) for k, v in LANGUAGES.items()],
                                   id="present-also", value=PresenterState.also, on_change=PresenterState.set_also),
                      rx.text(room["position"].to(str), " / ", room["total"].to(str), size="4"), width="100%",
                      align="center"),
            # How to join, readable from the back of the room: the QR code and the code itself.
            rx.cond(room["status"] != "ended", rx.card(rx.hstack(
                rx.image(src=PresenterState.qr_svg, width="11em", height="11em", alt=PresenterState.join_url,
                         id="present-qr"),
                rx.vstack(rx.text(t("workshop.join_at"), size="5"),
                          rx.text(PresenterState.join_url, size="4", id="present-join-url", dir="ltr"),
                          rx.heading(room["code"].to(str), size="9", letter_spacing="0.15em", id="present-code",
                                     dir="ltr")),
                align="center", wrap="wrap", spacing="5",
            ), width="100%")),
            rx.text(localized(room["domain"]), size="4", color_scheme="gray"),
            rx.heading(localized(room["text"]), size="8", id="present-question"),
            rx.cond(PresenterState.showing_also, rx.heading(
                room["text"].to(dict)[PresenterState.also].to(str), size="6", color_scheme="gray",
                id="present-question-also", lang=PresenterState.also, dir=PresenterState.also_dir)),
            rx.cond(room["status"] == "paused", rx.badge(t("workshop.paused"), size="3", color_scheme="amber")),
            rx.cond(room["status"] == "ended", rx.badge(t("workshop.ended"), size="3", color_scheme="gray")),
            rx.hstack(
                rx.badge(rx.text(t("workshop.answers"), " ", rx.text.span(stats["count"].to(str), id="present-count"),
                                 " / ", stats["participants"].to(str), size="6"), size="3"),
                rx.cond(room["revealed"].to(bool), rx.hstack(
                    rx.badge(t("workshop.median"), " ", PresenterState.median_text, size="3", id="present-median"),
                    rx.badge(t("workshop.spread"), " ", stats["spread"].to(str), size="3", id="present-spread"),
                    rx.cond(stats["no_consensus"].to(bool),
                            rx.badge("⚠ ", t("workshop.no_consensus"), size="3", color_scheme="orange", id="no-consensus")),
                )),
                rx.cond(room["locked"].to(bool), rx.badge(t("workshop.locked"), size="3", color_scheme="gray")),
                wrap="wrap",
            ),
            distribution_bars(room, stats),
            level_cards(room, also=rx.cond(PresenterState.showing_also, PresenterState.also, "")),
            spacing="4", width="100%", font_size="1.2em",
        ),
    )


def join_form() -> rx.Component:
    return rx.card(rx.form(rx.vstack(
        rx.heading(t("workshop.join_title"), size="6", as_="h1"),
        rx.el.label(t("workshop.code"), html_for="join-code"),
        # Uncontrolled fields, read from the submitted form (see ParticipantState.join); the key
        # re-mounts the code field when the link's code arrives with the page's load.
        rx.input(id="join-code", name="code", default_value=ParticipantState.typed_code, key=ParticipantState.typed_code,
                 auto_complete="off", size="3", letter_spacing="0.2em", width="100%", text_transform="uppercase"),
        rx.el.label(t("workshop.your_name"), html_for="join-name"),
        rx.input(id="join-name", name="name", default_value=ParticipantState.name, width="100%"),
        rx.el.label(t("invite.group"), html_for="join-group"),
        rx.el.select(*[rx.el.option(t(f"group.{g}"), value=g) for g in RESPONDENT_GROUPS], id="join-group", name="group",
                     default_value=ParticipantState.group),
        rx.cond(ParticipantState.error != "", notice(t_key(ParticipantState.error, JOIN_ERRORS), color="red",
                                                     role="alert", id="join-error")),
        rx.button(t("workshop.join"), type="submit", size="3", width="100%", id="join-submit",
                  disabled=~ParticipantState.ready),
        width="100%",
    ), on_submit=ParticipantState.join), width="100%")


def answering() -> rx.Component:
    room = ParticipantState.room
    return rx.vstack(
        rx.text(room["city"].to(str), " · ", room["position"].to(str), " / ", room["total"].to(str), size="2",
                color_scheme="gray"),
        rx.heading(localized(room["text"]), size="5", id="join-question"),
        rx.cond(room["status"] == "paused", notice(t("workshop.paused"), color="amber")),
        rx.cond(room["status"] == "ended", notice(t("workshop.ended"), color="gray", id="join-ended")),
        rx.cond(room["locked"].to(bool), notice(t("workshop.locked"), color="gray", id="join-locked")),
        rx.cond(ParticipantState.error != "", notice(t_key(ParticipantState.error, JOIN_ERRORS), color="red",
                                                     role="alert", id="join-error")),
        level_cards(room, ParticipantState.pick, ParticipantState.mine, ~ParticipantState.can_answer),
        width="100%", spacing="3",
    )


@page(routes.JOIN, on_load=[ParticipantState.load])
def join() -> rx.Component:
    return rx.box(rx.cond(ParticipantState.joined, answering(), join_form()), max_width="40em", margin_x="auto",
                  width="100%")
