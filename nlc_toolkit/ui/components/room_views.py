"""What the room's screens share: the spread of answers as bars, and the levels of the open
question (the console, the projector and the phones)."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from nlc_toolkit.ui.components.i18n import t
from nlc_toolkit.ui.components.level_picker import level_picker


def distribution_bars(room: rx.Var, stats: rx.Var, preview: bool = False) -> rx.Component:
    """Levels as horizontal bars with their counts written out (never colour alone). The room
    sees them once revealed; the trainer (`preview`) always, told when the room does not yet."""
    bars = rx.vstack(
        rx.foreach(stats["distribution"].to(list[dict]), lambda d: rx.hstack(
            rx.text(d["level"], weight="bold", width="1.5em"),
            rx.box(rx.box(width=d["pct"].to(str) + "%", height="100%", background="var(--accent-9)",
                          border_radius="3px"),
                   width="100%", height="1.6em", background="var(--gray-a3)", border_radius="3px"),
            rx.text(d["n"].to(str), width="2.5em", text_align="end", class_name="bar-count"),
            width="100%", align="center", class_name="bar", data_level=d["level"],
        )),
        rx.hstack(rx.text(t("answer.na"), ": ", stats["na"].to(str), size="2"),
                  rx.text(t("answer.unknown"), ": ", stats["unknown"].to(str), size="2")),
        width="100%", id="distribution", dir="ltr",
    )
    if preview:
        return rx.vstack(rx.cond(~room["revealed"].to(bool), rx.badge(t("workshop.preview_hidden"), color_scheme="gray",
                                                                     id="distribution-preview")),
                         bars, width="100%")
    return rx.cond(room["revealed"].to(bool), bars,
                   rx.text(t("workshop.hidden"), color_scheme="gray", id="distribution-hidden"))


def level_cards(room: rx.Var, pick: Callable | None = None, mine: rx.Var | None = None, disabled=True,
                also: rx.Var | None = None) -> rx.Component:
    """Every level of the open question with its descriptor; a phone picks one (`pick`, `mine`:
    its current answer), the console and the projector only show them (with `also`, a second
    language under each level's name)."""
    return level_picker(room["levels"], mine, pick, disabled, key="room", labelled_by="join-question" if pick else None,
                        also=also)
