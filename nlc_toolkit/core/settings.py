"""Deployment settings read from the environment (pure: no Reflex, no database).

NLC_ENV=production      production mode: no demo data, no demo passwords, an active admin
NLC_SECURE_COOKIES=1|0  send the session cookie only over HTTPS (default: on in production)
NLC_PUBLIC_URL          the address users open, e.g. https://nlc.example.org
NLC_ADMIN_EMAIL, NLC_ADMIN_PASSWORD  the first admin, for `nlc bootstrap-admin`
"""

from __future__ import annotations

import os

TRUE = ("1", "true", "yes", "on")
FALSE = ("0", "false", "no", "off")


def _env(name: str) -> str:
    return os.environ.get(name, "").strip()


def production() -> bool:
    return _env("NLC_ENV").lower() == "production"


def secure_cookies() -> bool:
    value = _env("NLC_SECURE_COOKIES").lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    return production()


def public_url() -> str:
    return _env("NLC_PUBLIC_URL")


def bootstrap_admin_credentials() -> tuple[str, str]:
    """(email, password) of the first admin from the environment; empty strings when unset."""
    return _env("NLC_ADMIN_EMAIL"), os.environ.get("NLC_ADMIN_PASSWORD", "")
