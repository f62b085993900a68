"""Reflex configuration. Every setting can be overridden from the environment (REFLEX_<NAME>)."""

import os

import reflex as rx
from reflex.plugins.sitemap import SitemapPlugin

# With Redis (several workers), let a worker keep a client's state while that client is active on
# it instead of a Redis round trip per event (measured in bench/workshop_bench.py).
os.environ.setdefault("REFLEX_OPLOCK_ENABLED", "True")

# Without Redis (one worker), tabs' states live in memory. Reflex's default keeps them in memory
# too but also pickles every changed state to a file in .states/ after each event: at a workshop's
# join storm that put 1,000 phones' answer-to-presenter p95 at 2.7 s instead of 0.25 s
# (bench/workshop_bench.py). A restart loses the states; pages recover from their address.
if not os.environ.get("REFLEX_REDIS_URL"):
    os.environ.setdefault("REFLEX_STATE_MANAGER_MODE", "memory")

# The web server: gunicorn with uvicorn workers, not granian (half the memory per open websocket;
# nlc_toolkit/web_server.py). With Redis, NLC_WORKERS worker processes; without, one (tabs' states
# are in that process's memory).
os.environ.setdefault("REFLEX_USE_GRANIAN", "False")
if "GUNICORN_CMD_ARGS" not in os.environ:
    from nlc_toolkit.web_server import gunicorn_args

    workers = int(os.environ.get("NLC_WORKERS", "1")) if os.environ.get("REFLEX_REDIS_URL") else 1
    os.environ["GUNICORN_CMD_ARGS"] = gunicorn_args(workers)

config = rx.Config(
    app_name="nlc_toolkit",
    show_built_with_reflex=False,
    telemetry_enabled=False,
    # No sitemap: the app is behind sign-in and not meant for search engines.
    disable_plugins=[SitemapPlugin],
    # One light theme, its colours checked for contrast (assets/styles.css darkens Radix's teal so
    # text, links, soft and solid buttons reach 4.5:1); a dark one would need the same care.
    plugins=[rx.plugins.RadixThemesPlugin(theme=rx.theme(accent_color="teal", radius="medium", appearance="light"))],
)
