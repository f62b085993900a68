"""A file drop zone whose file input has a name for screen readers.

Reflex's `rx.upload` draws react-dropzone's hidden <input type=file> with no way to pass it
attributes, so a screen reader announces an unnamed control. `upload_zone` names it."""

from __future__ import annotations

import reflex as rx
from reflex_components_core.el.elements.forms import Input


def upload_zone(*children, label: rx.Var, **props) -> rx.Component:
    zone = rx.upload(*children, **props)
    for file_input in _inputs(zone):
        file_input.custom_attrs["aria-label"] = label
    return zone


def _inputs(component: rx.Component):
    for child in component.children:
        if isinstance(child, Input):
            yield child
        yield from _inputs(child)
