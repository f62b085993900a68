"""The level picker: one question's levels, each with its descriptor, as a radio group.

Used by the assessment page (answering alone) and by a workshop participant's phone, so both
screens choose a level the same way. It follows the ARIA radio group pattern: the group is named
by the question, each level by its number and name and described by its descriptor, "not
applicable" and "don't know" sit in the same group, and the group is one tab stop (the chosen
option, or the first level when none is). The arrow keys move and choose, in the reading
direction (assets/radiogroup.js); Space chooses too, as on any button."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from nlc_toolkit.ui.components.i18n import localized, t

# (value, catalog key) of the answers that are not a level; they do not count against a city.
NOT_A_LEVEL = (("na", "answer.na"), ("unknown", "answer.unknown"))


def _tab_stop(selected: rx.Var, first_when_none: rx.Var | bool) -> rx.Var:
    return rx.cond(selected | first_when_none, 0, -1)


def level_option(level: rx.Var, selected: rx.Var, pick: Callable | None, disabled, also: rx.Var | None = None,
                 badge_follows: bool = False, key: rx.Var | str = "", first_when_none: rx.Var | bool = False
                 ) -> rx.Component:
    """One level. `pick(value)`: the event choosing it (None: shown only, e.g. the projector);
    `also`: a second language for the level's name; `badge_follows`: the number's badge is filled
    when chosen; `key`: what makes its element ids unique on the page (the question)."""
    badge = rx.badge(level["value"], size="2", **({"variant": rx.cond(selected, "solid", "soft")} if badge_follows else {}))
    name = [rx.text(localized(level["label"]), weight="bold", size="2")]
    if also is not None:
        name.append(rx.cond(also != "", rx.text(level["label"].to(dict)[also].to(str), size="2", color_scheme="gray",
                                                 class_name="level-also")))
    if pick is None:
        return rx.box(rx.hstack(badge, *name, align="center", wrap="wrap"),
                      rx.text(localized(level["descriptor"]), size="2", text_align="start"), class_name="level-option")
    value = level["value"].to(str)
    name_id, description_id = "lv-" + key + "-" + value, "lvd-" + key + "-" + value
    return rx.el.button(
        rx.hstack(badge, *name, align="center", wrap="wrap", id=name_id),
        rx.text(localized(level["descriptor"]), size="2", text_align="start", id=description_id),
        class_name=rx.cond(selected, "level-option selected", "level-option"),
        role="radio",
        aria_checked=rx.cond(selected, "true", "false"),
        aria_labelledby=name_id,
        aria_describedby=description_id,
        tab_index=_tab_stop(selected, first_when_none),
        on_click=pick(level["value"]),
        disabled=disabled,
        data_level=level["value"],
        type="button",
    )


def level_picker(levels: rx.Var, chosen: rx.Var | None, pick: Callable | None, disabled, *,
                 key: rx.Var | str = "", labelled_by: rx.Var | str | None = None, also: rx.Var | None = None,
                 badge_follows: bool = False) -> rx.Component:
    """All levels of a question. `chosen`: the current answer ("" for none); with `pick`, a radio
    group named by the element `labelled_by` (the question's text) that also offers N/A and "don't
    know"; without, the levels shown only (the console, the projector)."""
    levels = levels.to(list[dict])
    if pick is None:
        return rx.box(rx.foreach(levels, lambda lv: level_option(lv, False, None, True, also)), class_name="level-picker")
    chosen = chosen.to(str)
    none_chosen = chosen == ""
    first_value = levels[0]["value"].to(str)
    return rx.box(
        rx.box(
            rx.foreach(levels, lambda lv: level_option(
                lv, chosen == lv["value"].to(str), pick, disabled, also, badge_follows, key,
                none_chosen & (lv["value"].to(str) == first_value))),
            class_name="level-picker",
        ),
        rx.hstack(
            *[rx.button(t(label), role="radio", aria_checked=rx.cond(chosen == value, "true", "false"),
                        tab_index=_tab_stop(chosen == value, False), variant=rx.cond(chosen == value, "solid", "outline"),
                        color_scheme="gray", size="2", disabled=disabled, on_click=pick(value), data_level=value,
                        type="button")
              for value, label in NOT_A_LEVEL],
            wrap="wrap", margin_top="0.5em",
        ),
        role="radiogroup",
        aria_labelledby=labelled_by,
        class_name="level-group",
        width="100%",
    )
