"""Administration: cities, users (create, deactivate, reset password, role and city), audit log."""

import logging

import reflex as rx

from nlc_toolkit import routes
from nlc_toolkit.core.vocabulary import ROLES
from nlc_toolkit.i18n import format_datetime
from nlc_toolkit.services import admin as svc
from nlc_toolkit.services import builds
from nlc_toolkit.services import workshops as workshop_svc
from nlc_toolkit.ui.components.feedback import message_banner, notice, page_guard
from nlc_toolkit.ui.components.i18n import t, t_key
from nlc_toolkit.ui.components.shell import page
from nlc_toolkit.ui.components.tabs import tabs
from nlc_toolkit.ui.state.auth import AuthState
from nlc_toolkit.ui.state.inputs import db_id, text
from nlc_toolkit.ui.state.inputs import form as as_form
from nlc_toolkit.ui.state.page import PageState

logger = logging.getLogger(__name__)
MESSAGES = ["error.forbidden", "admin.error.city", "admin.error.user", "admin.error.self", "admin.error.population_band",
            "admin.saved", "workshop.error.not_facilitator", "workshop.error.setup"]
AUDIT_PER_PAGE = 50


class AdminState(PageState, AuthState):
    users: list[dict] = []
    cities: list[dict] = []
    audit: list[dict] = []
    audit_total: int = 0
    audit_page: int = 1
    audit_filter: dict[str, str] = {"action": "", "who": "", "entity": ""}
    facilitator_cities: dict[str, list[str]] = {}  # facilitator id -> assigned city ids
    assign_user: str = ""  # the facilitator whose cities the dialog edits
    assign_selected: list[str] = []
    one_time_password: str = ""
    one_time_for: str = ""

    def _read(self, s, actor) -> None:
        self.users = svc.users(s, actor)
        self.cities = [dict(c, id=str(c["id"])) for c in svc.cities(s, actor)]
        self.facilitator_cities = {
            str(u["id"]): [str(c) for c in workshop_svc.assigned_cities(s, actor, u["id"])]
            for u in self.users if u["role"] == "facilitator"}
        self._load_audit(s, actor)

    def _load_audit(self, s, actor) -> None:
        self.audit, self.audit_total = svc.audit_page(s, actor, page=self.audit_page, per_page=AUDIT_PER_PAGE,
                                                      **self.audit_filter)

    @rx.var
    def audit_rows(self) -> list[dict]:
        return [dict(e, at_text=format_datetime(e["at"], self.lang, seconds=True)) for e in self.audit]

    @rx.var
    def audit_pages(self) -> int:
        return max(1, -(-self.audit_total // AUDIT_PER_PAGE))

    @rx.event
    def filter_audit(self, form: dict):
        form = as_form(form)
        self.audit_filter = {k: text(form.get(k), 100) for k in ("action", "who", "entity")}
        self.audit_page = 1
        return self._act(self._load_audit, quiet=True)

    @rx.event
    def turn_audit_page(self, step: int):
        wanted = self.audit_page + (1 if step == 1 else -1)  # any other value: back
        self.audit_page = min(max(1, wanted), self.audit_pages)
        return self._act(self._load_audit, quiet=True)

    @rx.event
    def open_assign(self, user_id: str):
        self.assign_user = str(user_id)
        self.assign_selected = list(self.facilitator_cities.get(self.assign_user, []))

    @rx.event
    def close_assign(self, _open: bool = False):
        self.assign_user, self.assign_selected = "", []

    @rx.event
    def toggle_assign(self, city_id: str):
        city_id = str(city_id)
        rest = [c for c in self.assign_selected if c != city_id]
        self.assign_selected = rest if city_id in self.assign_selected else [*rest, city_id]

    @rx.event
    def save_assign(self):
        user_id, cities = db_id(self.assign_user), [db_id(c) for c in self.assign_selected]
        self.assign_user = ""
        return self._act(lambda s, a: workshop_svc.assign_cities(s, a, user_id, [c for c in cities if c]))

    @rx.event
    async def load(self):
        self.one_time_password = ""
        async for update in self._load_with(self._read):
            yield update

    def _act(self, action, quiet: bool = False):
        """An admin action, then the page re-read (PageState._run); `quiet`: a read only (no
        "saved" message, the one-time password stays shown)."""
        if quiet:
            return self._run(action, ok=None)
        self.one_time_password = ""
        return self._run(action, "admin.saved", reread=self._read)

    @rx.event
    def create_city(self, form: dict):
        form = as_form(form)
        return self._act(lambda s, a: svc.create_city(s, a, text(form.get("name"), 200), text(form.get("country"), 100),
                                                      text(form.get("region"), 50), text(form.get("population_band"), 20)))

    @rx.event
    async def create_user(self, form: dict):
        form = as_form(form)

        def action(s, a):
            user, password = svc.create_user(s, a, text(form.get("email"), 254), text(form.get("name"), 200),
                                             text(form.get("role"), 30), db_id(form.get("city")) or None)
            self.one_time_for, self.one_time_password = user.email, password

        return await builds.in_low_priority_thread(self._act, action)  # argon2 hashes the new password: off the loop

    @rx.event
    def update_user(self, form: dict):
        # The user id rides in a hidden field: a form's handler cannot close over foreach vars.
        form = as_form(form)
        return self._act(lambda s, a: svc.update_user(s, a, db_id(form.get("user_id")), text(form.get("role"), 30),
                                                      db_id(form.get("city")) or None))

    @rx.event
    def set_active(self, user_id: int, active: bool):
        return self._act(lambda s, a: svc.set_active(s, a, db_id(user_id), active is True))

    @rx.event
    async def reset_password(self, user_id: int, email: str):
        def action(s, a):
            self.one_time_for, self.one_time_password = text(email, 254), svc.reset_password(s, a, db_id(user_id))

        return await builds.in_low_priority_thread(self._act, action)  # argon2: off the loop


def role_select(name: str = "role", value=None) -> rx.Component:
    return rx.el.select(*[rx.el.option(t(f"role.{r}"), value=r) for r in ROLES], name=name,
                        default_value=value, aria_label=t("admin.role"))


def city_select(value=None) -> rx.Component:
    return rx.el.select(
        rx.el.option("—", value=""),
        rx.foreach(AdminState.cities, lambda c: rx.el.option(c["name"], value=c["id"])),
        name="city", default_value=value, aria_label=t("assessments.city"),
    )


def user_row(user: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.el.bdi(user["email"])),
        rx.table.cell(rx.el.bdi(user["name"])),
        rx.table.cell(rx.form(
            rx.hstack(rx.el.input(type="hidden", name="user_id", value=user["id"].to(str)),
                      role_select(value=user["role"]), city_select(user["city_id"]),
                      rx.button(t("admin.save"), size="1", variant="soft", type="submit", class_name="save-user"),
                      wrap="wrap"),
            on_submit=AdminState.update_user,
        )),
        rx.table.cell(rx.cond(user["active"], rx.badge(t("admin.active"), color_scheme="green"),
                              rx.badge(t("admin.inactive"), color_scheme="gray"))),
        rx.table.cell(rx.hstack(
            rx.cond(user["role"] == "facilitator", rx.button(
                t("admin.facilitator_cities"), " (",
                AdminState.facilitator_cities[user["id"].to(str)].to(list[str]).length().to(str), ")",
                size="1", variant="soft", on_click=AdminState.open_assign(user["id"].to(str)), class_name="assign-cities")),
            rx.button(rx.cond(user["active"], t("admin.deactivate"), t("admin.activate")), size="1", variant="soft",
                      color_scheme=rx.cond(user["active"], "red", "green"),
                      on_click=AdminState.set_active(user["id"], ~user["active"].to(bool))),
            rx.button(t("admin.reset_password"), size="1", variant="soft",
                      on_click=AdminState.reset_password(user["id"], user["email"])),
        )),
        class_name="user-row",
        data_email=user["email"],
    )


def users_tab() -> rx.Component:
    return rx.vstack(
        rx.card(rx.form(
            rx.hstack(
                rx.input(name="email", type="email", placeholder=t("auth.email"), aria_label=t("auth.email"), required=True),
                rx.input(name="name", placeholder=t("invite.name"), aria_label=t("invite.name")),
                role_select(), city_select(),
                rx.button(t("admin.create_user"), type="submit", id="create-user"),
                wrap="wrap",
            ),
            on_submit=AdminState.create_user, reset_on_submit=True,
        ), width="100%"),
        rx.box(rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(t(k)) for k in (
                "auth.email", "invite.name", "admin.role", "admin.status", "admin.actions")])),
            rx.table.body(rx.foreach(AdminState.users, user_row)),
            width="100%",
        ), overflow_x="auto", width="100%"),
        width="100%",
    )


def cities_tab() -> rx.Component:
    return rx.vstack(
        rx.card(rx.form(
            rx.hstack(
                rx.input(name="name", placeholder=t("admin.city_name"), aria_label=t("admin.city_name"), required=True),
                rx.input(name="country", placeholder=t("admin.country"), aria_label=t("admin.country"), required=True),
                rx.input(name="region", placeholder=t("admin.region"), aria_label=t("admin.region")),
                rx.el.select(*[rx.el.option(t(f"population.{b}"), value=b) for b in svc.POPULATION_BANDS],
                             name="population_band", aria_label=t("admin.population")),
                rx.button(t("admin.create_city"), type="submit", id="create-city"),
                wrap="wrap",
            ),
            on_submit=AdminState.create_city, reset_on_submit=True,
        ), width="100%"),
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(t(k)) for k in (
                "admin.city_name", "admin.country", "admin.region", "admin.population")])),
            rx.table.body(rx.foreach(AdminState.cities, lambda c: rx.table.row(
                rx.table.cell(rx.el.bdi(c["name"])), rx.table.cell(rx.el.bdi(c["country"])), rx.table.cell(c["region"]),
                rx.table.cell(t_key(c["population_band"], [f"population.{b}" for b in svc.POPULATION_BANDS],
                                    prefix="population.")),
                class_name="city-row"))),
            width="100%",
        ),
        width="100%",
    )


def assign_dialog() -> rx.Component:
    return rx.dialog.root(rx.dialog.content(
        rx.dialog.title(t("admin.facilitator_cities")),
        rx.box(rx.foreach(AdminState.cities, lambda c: rx.el.label(
            rx.el.input(type="checkbox", checked=AdminState.assign_selected.contains(c["id"]),
                        on_change=AdminState.toggle_assign(c["id"])), " ", c["name"],
            display="block", class_name="assign-city")), column_width="14em", id="assign-cities"),
        rx.hstack(
            rx.dialog.close(rx.button(t("common.cancel"), variant="soft", color_scheme="gray")),
            rx.button(t("admin.assign"), on_click=AdminState.save_assign, id="save-assign"),
            justify="end", padding_top="1em"),
    ), open=AdminState.assign_user != "", on_open_change=AdminState.close_assign)


def audit_filters() -> rx.Component:
    return rx.form(rx.hstack(
        *[rx.input(name=k, placeholder=t(label), aria_label=t(label), size="1", id=f"audit-{k}")
          for k, label in (("action", "admin.action"), ("who", "admin.who"), ("entity", "admin.what"))],
        rx.button(t("admin.filter"), type="submit", size="1", id="audit-filter"),
        rx.spacer(),
        rx.button(t("assessment.previous"), size="1", variant="soft", on_click=AdminState.turn_audit_page(-1),
                  disabled=AdminState.audit_page <= 1, id="audit-previous"),
        rx.text(AdminState.audit_page.to(str), " / ", AdminState.audit_pages.to(str), " · ",
                AdminState.audit_total.to(str), size="2", id="audit-position"),
        rx.button(t("assessment.next"), size="1", variant="soft", on_click=AdminState.turn_audit_page(1),
                  disabled=AdminState.audit_page >= AdminState.audit_pages, id="audit-next"),
        wrap="wrap", align="center", width="100%",
    ), on_submit=AdminState.filter_audit, width="100%")


def audit_tab() -> rx.Component:
    return rx.vstack(audit_filters(), audit_table(), width="100%")


def audit_table() -> rx.Component:
    return rx.box(rx.table.root(
        rx.table.header(rx.table.row(*[rx.table.column_header_cell(t(k)) for k in (
            "admin.when", "admin.who", "admin.action", "admin.what", "admin.detail")])),
        rx.table.body(rx.foreach(AdminState.audit_rows, lambda e: rx.table.row(
            rx.table.cell(e["at_text"]), rx.table.cell(e["who"]), rx.table.cell(e["action"]),
            rx.table.cell(e["entity"], " ", e["entity_id"]), rx.table.cell(rx.text(e["detail"], size="1")),
            class_name="audit-row"))),
        size="1", width="100%",
    ), overflow_x="auto", width="100%", id="audit-log")


@page(routes.ADMIN, on_load=[AdminState.load])
def admin() -> rx.Component:
    return rx.vstack(
        rx.heading(t("admin.title"), size="7", as_="h1"),
        page_guard(
            AdminState,
                rx.vstack(
                    message_banner(AdminState, MESSAGES, "admin-message"),
                    rx.cond(AdminState.one_time_password != "", notice(
                        t("invite.password_once"), " ", AdminState.one_time_for, ": ",
                        rx.code(AdminState.one_time_password, id="one-time-password"), icon="key_round")),
                    rx.link(t("admin.questionnaires"), href=routes.QUESTIONNAIRES.path, id="admin-questionnaires"),
                    tabs(("admin.users", "users", users_tab()), ("admin.cities", "cities", cities_tab()),
                         ("admin.audit", "audit", audit_tab())),
                    assign_dialog(),
                    width="100%",
                ),
        ),
        spacing="4", width="100%",
    )
