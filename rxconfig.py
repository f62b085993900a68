"""Reflex configuration. Every setting can be overridden from the environment (REFLEX_<NAME>)."""

import reflex as rx
from reflex.plugins.sitemap import SitemapPlugin

config = rx.Config(
    app_name="nlc_toolkit",
    show_built_with_reflex=False,
    telemetry_enabled=False,
    # No sitemap: the app is behind sign-in and not meant for search engines.
    disable_plugins=[SitemapPlugin],
    plugins=[rx.plugins.RadixThemesPlugin(theme=rx.theme(accent_color="teal", radius="medium"))],
)
