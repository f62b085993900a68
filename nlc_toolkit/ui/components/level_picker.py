"""The level picker: one question's levels, each with its descriptor, as a radio group.

Used by the assessment page (answering alone) and by a workshop participant's phone, so both
screens choose a level the same way."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from nlc_toolkit.ui.components.i18n import localized


def level_option(level: rx.Var, selected: rx.Var, pick: Callable | None, disabled, also: rx.Var | None = None,
                 badge_follows: bool = False) -> rx.Component:
    """One level. `pick(value)`: the event choosing it (None: shown only, e.g. the projector);
    `also`: a second language for the level's name; `badge_follows`: the number's badge is filled
    when chosen."""
    badge = rx.badge(level["value"], size="2", **({"variant": rx.cond(selected, "solid", "soft")} if badge_follows else {}))
    name = [rx.text(localized(level["label"]), weight="bold", size="2")]
    if also is not None:
        name.append(rx.cond(also != "", rx.text(level["label"].to(dict)[also].to(str), size="2", color_scheme="gray",
                                                 class_name="level-also")))
    return rx.el.button(
        rx.hstack(badge, *name, align="center", wrap="wrap"),
        rx.text(localized(level["descriptor"]), size="2", text_align="start"),
        class_name=rx.cond(selected, "level-option selected", "level-option") if pick is not None else "level-option",
        role="radio" if pick is not None else None,
        aria_checked=rx.cond(selected, "true", "false") if pick is not None else None,
        on_click=pick(level["value"]) if pick is not None else None,
        disabled=disabled,
        data_level=level["value"],
    )


def level_picker(levels: rx.Var, is_selected: Callable[[rx.Var], rx.Var], pick: Callable | None, disabled,
                 label: rx.Var | None = None, also: rx.Var | None = None, badge_follows: bool = False) -> rx.Component:
    """All levels of a question; `is_selected(level)` tells which one is chosen."""
    return rx.box(
        rx.foreach(levels.to(list[dict]), lambda lv: level_option(lv, is_selected(lv), pick, disabled, also, badge_follows)),
        class_name="level-picker",
        role="radiogroup" if pick is not None else None,
        **({"aria_label": label} if label is not None else {}),
    )
