"""Who is signed in. Every page state that reads or writes data derives from AuthState and asks
`_actor()` on each event, so an expired or revoked session is noticed at once."""

from __future__ import annotations

import reflex as rx

from ..core.permissions import Actor, home_route
from ..db import auth
from ..db.assessments import actor_of
from ..db.session import session_scope
from .lang import LangState

SESSION_COOKIE_AGE = int(auth.SESSION_MAX_AGE.total_seconds())


class AuthState(LangState):
    session_token: str = rx.Cookie("", name="nlc_session", same_site="strict", max_age=SESSION_COOKIE_AGE)
    user_id: int = 0
    user_email: str = ""
    user_name: str = ""
    user_role: str = ""
    user_city_id: int = 0

    @rx.var
    def signed_in(self) -> bool:
        return self.user_id > 0

    def _actor(self) -> Actor | None:
        """The signed-in user, checked against the database (sessions expire and can be revoked)."""
        with session_scope() as s:
            user = auth.user_for_token(s, self.session_token)
            if user is None:
                self.user_id, self.user_email, self.user_name, self.user_role, self.user_city_id = 0, "", "", "", 0
                return None
            self.user_id, self.user_email, self.user_role = user.id, user.email, user.role
            self.user_name, self.user_city_id = user.display_name or user.email, user.city_id or 0
            return actor_of(user)

    def _to_login(self):
        """Send to sign-in, coming back here afterwards; `expired` tells the user why."""
        path = self.router.url.path or "/"
        reason = "&expired=1" if self.session_token else ""
        self.session_token = ""
        return rx.redirect(f"/login?next={path}{reason}")

    @rx.event
    def check(self):
        """on_load of public pages: show who is signed in, redirect nowhere."""
        self._actor()

    @rx.event
    def sign_out(self):
        with session_scope() as s:
            auth.sign_out(s, self.session_token)
        self.session_token = ""
        self.user_id, self.user_email, self.user_name, self.user_role, self.user_city_id = 0, "", "", "", 0
        return rx.redirect("/")

    def _home(self) -> str:
        return home_route(self.user_role)
