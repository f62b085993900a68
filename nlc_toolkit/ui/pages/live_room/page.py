"""The room's presenter view for the projector; its state is in state.py. The participants'
phone page is not a Reflex page (api/phone.py)."""

from __future__ import annotations

import reflex as rx

from nlc_toolkit import routes
from nlc_toolkit.i18n import LANGUAGES
from nlc_toolkit.ui.components.feedback import notice
from nlc_toolkit.ui.components.i18n import localized, t
from nlc_toolkit.ui.components.room_views import distribution_bars, level_cards
from nlc_toolkit.ui.components.shell import page
from nlc_toolkit.ui.pages.live_room.state import PresenterState


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
