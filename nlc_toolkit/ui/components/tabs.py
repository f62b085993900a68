"""A page's sections as tabs: one list of (catalog key of the label, value, content), the first open."""

from __future__ import annotations

import reflex as rx

from nlc_toolkit.ui.components.i18n import t


def tabs(*sections: tuple[str, str, rx.Component]) -> rx.Component:
    return rx.tabs.root(
        rx.tabs.list(*[rx.tabs.trigger(t(label), value=value) for label, value, _ in sections]),
        *[rx.tabs.content(content, value=value, padding_top="1em") for _, value, content in sections],
        default_value=sections[0][1], width="100%",
    )
