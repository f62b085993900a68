"""A page's sections as tabs: one list of (catalog key of the label, value, content), the first open."""

from __future__ import annotations

import reflex as rx

from nlc_toolkit.ui.components.i18n import t
from nlc_toolkit.ui.state.lang import LangState


def tabs(*sections: tuple[str, str, rx.Component]) -> rx.Component:
    return rx.tabs.root(
        rx.tabs.list(*[rx.tabs.trigger(t(label), value=value) for label, value, _ in sections]),
        *[rx.tabs.content(content, value=value, padding_top="1em") for _, value, content in sections],
        # Radix sets dir="ltr" on the tabs unless told: every tab's content was laid out left to
        # right in Arabic (tables, legends, tick boxes), and the arrow keys went the wrong way.
        default_value=sections[0][1], width="100%", dir=LangState.dir,
    )
