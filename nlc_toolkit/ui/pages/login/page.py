"""Sign in with email and password."""


import reflex as rx

from nlc_toolkit import routes
from nlc_toolkit.core.redirects import safe_next
from nlc_toolkit.i18n import plural
from nlc_toolkit.services import accounts as auth
from nlc_toolkit.services import builds
from nlc_toolkit.services.uow import unit_of_work
from nlc_toolkit.ui.components.feedback import notice
from nlc_toolkit.ui.components.i18n import t, t_key
from nlc_toolkit.ui.components.shell import page
from nlc_toolkit.ui.state.auth import AuthState
from nlc_toolkit.ui.state.inputs import text

LOGIN_ERRORS = ["auth.error.invalid", "auth.error.throttled", "auth.error.expired", "auth.error.inactive",
                "auth.error.empty"]


class LoginState(AuthState):
    error: str = ""
    wait_seconds: int = 0
    expired: bool = False
    ready: bool = False

    @rx.var
    def wait_text(self) -> str:
        """How long until the next try, in seconds under two minutes, in whole minutes above."""
        if self.wait_seconds < 120:
            return plural("auth.wait_seconds", self.wait_seconds, self.lang)
        return plural("auth.wait_minutes", -(-self.wait_seconds // 60), self.lang)

    @rx.event
    def load(self):
        self.error, self.wait_seconds = "", 0
        self.expired = self.router.url.query_parameters.get("expired") == "1"
        self.ready = True

    @rx.event
    async def submit(self, form: dict):
        form = form if isinstance(form, dict) else {}
        email, password = text(form.get("email"), 254).strip(), text(form.get("password"), 1000)
        if not email or not password:
            self.error = "auth.error.empty"
            return None
        address = self.router.session.client_ip or ""

        def sign_in():  # argon2 costs tens of milliseconds of CPU by design: not on the event loop
            with unit_of_work() as s:
                result = auth.sign_in(s, email, password, address=address)
                return result.error, result.wait_seconds, result.token, result.user.role if result.user else ""

        error, wait, token, role = await builds.in_low_priority_thread(sign_in)
        if error:
            self.error, self.wait_seconds = error, wait
            return None
        self.session_token = token
        self.error, self.expired, self.wait_seconds = "", False, 0
        self._actor()
        if self.must_change_password:
            return rx.redirect("/account")
        # Only same-site relative paths: never an open redirect to another host.
        return rx.redirect(safe_next(self.router.url.query_parameters.get("next"), self._home() if role else "/"))


@page(routes.LOGIN, on_load=[LoginState.load])
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
                            rx.cond(LoginState.wait_seconds > 0,
                                    rx.text.span(" ", LoginState.wait_text, id="login-wait")),
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
