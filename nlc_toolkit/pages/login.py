"""Sign in with email and password."""

import reflex as rx

from ..components.i18n import t, t_key
from ..components.layout import notice, page
from ..core.redirects import safe_next
from ..db import auth
from ..db.session import session_scope
from ..state.auth import AuthState

LOGIN_ERRORS = ["auth.error.invalid", "auth.error.locked", "auth.error.inactive", "auth.error.empty"]


class LoginState(AuthState):
    error: str = ""
    locked_minutes: int = 0
    expired: bool = False
    ready: bool = False

    @rx.event
    def load(self):
        self.error, self.locked_minutes = "", 0
        self.expired = self.router.url.query_parameters.get("expired") == "1"
        self.ready = True

    @rx.event
    def submit(self, form: dict):
        email, password = form.get("email", "").strip(), form.get("password", "")
        if not email or not password:
            self.error = "auth.error.empty"
            return
        with session_scope() as s:
            result = auth.sign_in(s, email, password)
            if result.error:
                self.error, self.locked_minutes = result.error, result.locked_minutes
                return
            self.session_token = result.token
            role = result.user.role
        self.error, self.expired = "", False
        self._actor()
        # Only same-site relative paths: never an open redirect to another host.
        return rx.redirect(safe_next(self.router.url.query_parameters.get("next"), self._home() if role else "/"))


@page("/login", title="Sign in · NLC Toolkit", on_load=[LoginState.load])
def login() -> rx.Component:
    return rx.center(
        rx.card(
            rx.form(
                rx.vstack(
                    rx.heading(t("auth.title"), size="6", as_="h1"),
                    rx.cond(LoginState.expired, rx.callout(t("auth.expired"), icon="clock", color_scheme="amber", id="session-expired")),
                    rx.el.label(t("auth.email"), html_for="email"),
                    rx.input(id="email", name="email", type="email", auto_complete="username", required=True, width="100%"),
                    rx.el.label(t("auth.password"), html_for="password"),
                    rx.input(id="password", name="password", type="password", auto_complete="current-password", required=True, width="100%"),
                    rx.cond(
                        LoginState.error != "",
                        notice(
                            t_key(LoginState.error, LOGIN_ERRORS),
                            rx.cond(LoginState.locked_minutes > 0,
                                    rx.text.span(" ", LoginState.locked_minutes.to(str), " ", t("auth.minutes"))),
                            icon="triangle_alert", color="red", role="alert", id="login-error",
                        ),
                    ),
                    rx.button(t("auth.submit"), type="submit", width="100%", disabled=~LoginState.ready, id="login-submit"),
                    spacing="3",
                    width="100%",
                ),
                on_submit=LoginState.submit,
                reset_on_submit=False,
            ),
            width="100%",
            max_width="26em",
        ),
        padding_top="2em",
    )
