"""The home page: what the toolkit is, for whom, and the questionnaires it holds."""

import reflex as rx

from nlc_toolkit import routes
from nlc_toolkit.i18n import plural
from nlc_toolkit.services import questionnaires
from nlc_toolkit.ui.components.feedback import loading_or_error
from nlc_toolkit.ui.components.i18n import localized, t
from nlc_toolkit.ui.components.shell import page
from nlc_toolkit.ui.state.auth import AuthState
from nlc_toolkit.ui.state.page import PageState


class HomeState(PageState, AuthState):
    questionnaires: list[dict] = []

    def _read(self, s, _actor) -> None:
        self.questionnaires = [{k: q[k] for k in ("key", "title", "domains", "questions")} for q in questionnaires.latest(s)]

    @rx.var
    def questionnaire_rows(self) -> list[dict]:
        """The questionnaires with their counts written in the user's language (CLDR plural forms)."""
        return [dict(q, domains_text=plural("home.domains_count", q["domains"], self.lang),
                     questions_text=plural("home.questions_count", q["questions"], self.lang))
                for q in self.questionnaires]

    @rx.event
    async def load(self):
        async for update in self._load_with(self._read, public=True):
            yield update


def audience_card(icon: str, title_key: str, text_key: str) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(rx.icon(icon, size=20), rx.heading(t(title_key), size="3", as_="h3"), align="center"),
            rx.text(t(text_key), size="2"),
        ),
        width="100%",
    )


def questionnaire_row(item: rx.Var) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.icon("clipboard-list", size=20),
            rx.text(localized(item["title"]), weight="bold"),
            rx.spacer(),
            rx.badge(item["domains_text"], class_name="domain-count"),
            rx.badge(item["questions_text"], class_name="question-count"),
            align="center",
            wrap="wrap",
        ),
        class_name="questionnaire-card",
    )


@page(routes.HOME, on_load=[HomeState.load])
def index() -> rx.Component:
    return rx.vstack(
        rx.heading(t("app.name"), size="8", as_="h1", id="app-title"),
        rx.text(t("app.tagline"), size="4", color_scheme="gray"),
        rx.text(t("home.intro"), size="3"),
        rx.grid(
            audience_card("landmark", "home.for_cities.title", "home.for_cities.text"),
            audience_card("globe", "home.for_network.title", "home.for_network.text"),
            audience_card("presentation", "home.for_trainers.title", "home.for_trainers.text"),
            columns=rx.breakpoints(initial="1", sm="3"),
            spacing="4",
            width="100%",
        ),
        rx.el.section(
            rx.heading(t("home.sources.title"), size="4", as_="h2"),
            rx.el.ul(rx.el.li(t("home.sources.toolkit")), rx.el.li(t("home.sources.ours")),
                     padding_inline_start="1.2em"),
            id="sources", width="100%",
        ),
        rx.heading(t("home.questionnaires"), size="5", as_="h2"),
        loading_or_error(
            HomeState.loading,
            HomeState.error,
            HomeState.load,
            rx.cond(
                HomeState.questionnaires.length() > 0,
                rx.vstack(rx.foreach(HomeState.questionnaire_rows, questionnaire_row), width="100%", id="questionnaire-list"),
                rx.text(t("home.no_questionnaires"), id="no-questionnaires"),
            ),
        ),
        spacing="4",
        width="100%",
    )
