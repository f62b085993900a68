"""The signed-in user's account: change the password (required after a one-time password)."""


import reflex as rx

from nlc_toolkit import routes
from nlc_toolkit.core.errors import Invalid
from nlc_toolkit.services import accounts as auth
from nlc_toolkit.services import builds
from nlc_toolkit.services.uow import unit_of_work
from nlc_toolkit.ui.components.feedback import message_banner, notice
from nlc_toolkit.ui.components.i18n import t
from nlc_toolkit.ui.components.shell import page
from nlc_toolkit.ui.state.auth import AuthState
from nlc_toolkit.ui.state.inputs import form as as_form
from nlc_toolkit.ui.state.page import PageState

MESSAGES = ["account.changed", "account.error.current", "account.error.same", "account.error.weak",
            "account.error.mismatch", "auth.error.throttled", "auth.error.expired", "auth.error.empty"]


class AccountState(PageState, AuthState):
    ready: bool = False

    @rx.event
    def load(self):
        self.message, self.ready = "", False
        if self._actor(for_password_change=True) is None:
            return self._to_login()
        self.ready = True
        return None

    @rx.event
    async def change_password(self, form: dict):
        actor = self._actor(for_password_change=True)
        if actor is None:
            return self._to_login()
        form = as_form(form)
        current, new, again = (form.get(k) if isinstance(form.get(k), str) else "" for k in ("current", "new", "again"))
        if not current or not new:
            self._say("auth.error.empty", error=True)
            return None
        if new != again:
            self._say("account.error.mismatch", error=True)
            return None
        token = self.session_token

        def change():  # argon2, twice: off the event loop
            with unit_of_work() as s:
                auth.change_password(s, actor.user_id, current[:1000], new[:1000], keep_token=token)

        try:
            await builds.in_low_priority_thread(change)
        except Invalid as e:
            self._say(str(e), error=True)
            return None
        was_first = self.must_change_password
        self._actor()
        self._say("account.changed")
        return rx.redirect(self._home()) if was_first else None


@page(routes.ACCOUNT, on_load=[AccountState.load])
def account() -> rx.Component:
    return rx.center(rx.card(rx.form(rx.vstack(
        rx.heading(t("account.title"), size="6", as_="h1"),
        rx.cond(AccountState.must_change_password,
                notice(t("account.first_time"), icon="key_round", color="amber", id="first-password")),
        rx.el.label(t("account.current"), html_for="current-password"),
        rx.input(id="current-password", name="current", type="password", auto_complete="current-password",
                 required=True, width="100%"),
        rx.el.label(t("account.new"), html_for="new-password"),
        rx.input(id="new-password", name="new", type="password", auto_complete="new-password", required=True,
                 width="100%", aria_describedby="password-rules"),
        rx.text(t("account.rules"), size="1", color_scheme="gray", id="password-rules"),
        rx.el.label(t("account.confirm"), html_for="again-password"),
        rx.input(id="again-password", name="again", type="password", auto_complete="new-password", required=True,
                 width="100%"),
        message_banner(AccountState, MESSAGES, "account-message"),
        rx.button(t("account.submit"), type="submit", width="100%", id="change-password", disabled=~AccountState.ready),
        spacing="3", width="100%",
    ), on_submit=AccountState.change_password, reset_on_submit=True), width="100%", max_width="28em"), padding_top="2em")
