"""Who is signed in. Every page state that reads or writes data derives from AuthState and asks
`_actor()` on each event, so an expired or revoked session is noticed at once."""

from __future__ import annotations

import reflex as rx
from reflex.istate.storage import ClientStorageBase

from nlc_toolkit import routes
from nlc_toolkit.core import settings
from nlc_toolkit.core.policy import Actor, home_route, nav_for
from nlc_toolkit.services import accounts
from nlc_toolkit.services.uow import signed_in, unit_of_work
from nlc_toolkit.ui.state.lang import LangState

SESSION_COOKIE_AGE = int(accounts.SESSION_MAX_AGE.total_seconds())


class AuthState(LangState):
    # Secure (HTTPS only) when the deployment says so (NLC_SECURE_COOKIES, on in production); the
    # option is compiled into the frontend, so it is read when the app is built.
    session_token: str = rx.Cookie("", name="nlc_session", same_site="strict", max_age=SESSION_COOKIE_AGE,
                                   secure=settings.secure_cookies())
    user_id: int = 0
    user_email: str = ""
    user_name: str = ""
    user_role: str = ""
    user_city_id: int = 0
    must_change_password: bool = False  # signed in with a one-time password: only /account opens

    @rx.var
    def signed_in(self) -> bool:
        return self.user_id > 0

    @rx.var
    def nav_paths(self) -> list[str]:
        """The header links of the signed-in user's role (core/policy.py)."""
        return [path for _, path in nav_for(self.user_role)] if self.user_id else []

    def _actor(self, s=None, for_password_change: bool = False) -> Actor | None:
        """The signed-in user, checked against the database on every event (sessions expire and
        are revoked; role and city changes apply at once), in the event's unit of work `s` when
        given. Someone who still has a one-time password gets no actor but on the page that
        changes it."""
        if s is None:
            with unit_of_work() as s:
                return self._actor(s, for_password_change)
        who = signed_in(s, self.session_token)
        if who is None:
            self._assign(user_id=0, user_email="", user_name="", user_role="", user_city_id=0, must_change_password=False)
            return None
        self._assign(user_id=who.actor.user_id, user_email=who.email, user_role=who.actor.role, user_name=who.name,
                     user_city_id=who.actor.city_id or 0, must_change_password=who.must_change_password)
        return who.acting(for_password_change)

    def _to_login(self):
        """Send to sign-in, coming back here afterwards; `expired` tells the user why. Someone
        signed in with a one-time password goes to the form that replaces it instead."""
        if self.must_change_password and self.user_id:
            return rx.redirect("/account")
        expired = bool(self.session_token)
        self.session_token = ""
        return rx.redirect(routes.login_url(self.router.url.path or "/", expired))

    @rx.event
    def check(self):
        """on_load of public pages: show who is signed in, redirect nowhere."""
        self._actor()

    @rx.event
    async def sign_out(self):
        with unit_of_work() as s:
            accounts.sign_out(s, self.session_token, address=self.router.session.client_ip or "")
        await self._forget_tab()
        return rx.redirect("/")

    async def _forget_tab(self):
        """Reset every state of this tab to its defaults (users lists, one-time passwords, reports
        of the last user), keeping only what the browser itself stores for the next person: the
        language and a phone's workshop ids; the session cookie is cleared."""
        classes, pending = [], [self.get_root_state()]
        while pending:
            cls = pending.pop()
            classes.append(cls)
            pending.extend(cls.get_substates())
        states = [await self.get_state(cls) for cls in classes]
        kept = [(state, name, getattr(state, name)) for state in states
                for name, field in type(state).__fields__.items()
                if field._owner is type(state) and isinstance(field.default, ClientStorageBase)
                and name != "session_token"]
        for state in states[0].substates.values():  # not the root: it holds the hydration flag
            state.reset()  # and, recursively, every substate loaded above
        (await self.get_state(LangState))._hydrated = True  # the tab is still hydrated (ui/state/recover.py)
        for state, name, value in kept:
            setattr(state, name, value)

    def _home(self) -> str:
        return home_route(self.user_role)
