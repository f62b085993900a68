"""The network page's service and state: the state only binds services/network.view (filters,
paging and the benchmark computed in core), exports are built off the event loop and audited, a
city role is refused. The handlers are called as Reflex calls them (no browser)."""

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from nlc_toolkit.core.network import NetworkQuery
from nlc_toolkit.core.policy import Actor, actor_of
from nlc_toolkit.core.security import DEMO_PASSWORD
from nlc_toolkit.db.models import AuditEvent, User
from nlc_toolkit.db.seed import seed_demo
from nlc_toolkit.db.session import session_scope
from nlc_toolkit.services import accounts, network
from tests.helpers import drain, run_coroutine


@pytest.fixture
def demo(migrated):
    network.forget_cached_frames()
    with session_scope() as s:
        seed_demo(s, cities=12, seed=9, questionnaire="nlc-quick-scan", all_rounds=True)


def _staff(s) -> Actor:
    """The seeded network staff account (exports are audited under a real user)."""
    return actor_of(s.scalar(select(User).where(User.email == "staff@example.org")))


def _state(email: str):
    from reflex.state import State

    from nlc_toolkit.ui.pages.network.state import NetworkState

    with session_scope() as s:
        token = accounts.sign_in(s, email, DEMO_PASSWORD).token
    state = State(_reflex_internal_init=True).get_substate(NetworkState.get_full_name().split(".")[1:])
    state.session_token = token
    return NetworkState, state


def test_view_picks_the_questionnaire_and_pages(demo):
    with session_scope() as s:
        staff = _staff(s)
        view = network.view(s, staff, "no such questionnaire", NetworkQuery())
        assert view.questionnaire_id == "nlc-quick-scan"
        # The picker offers each questionnaire by its title, in every language.
        quick = next(o for o in view.questionnaire_options if o.id == "nlc-quick-scan")
        assert quick.title["fr"] == "Diagnostic rapide CNL" and quick.title["en"] == "NLC quick scan"
        assert view.total == 12 and len(view.rows) == 12 and view.page_text == "1–12 / 12"
        every_round = network.view(s, staff, "nlc-quick-scan", NetworkQuery(latest_only=False))
        assert every_round.total == 36
        data, name = network.export(s, staff, "nlc-quick-scan", NetworkQuery(anonymise=True), "csv")
    text = data.decode("utf-8-sig")
    assert name == "nlc-network-nlc-quick-scan.csv" and text.startswith("city,region,")
    assert len(text.strip().splitlines()) == 13


def test_state_binds_the_view_filters_and_exports(demo):
    N, state = _state("staff@example.org")

    async def steps():
        await drain(N.load.fn(state))
        assert state.error == "" and not state.loading
        assert state.questionnaire_id == "nlc-quick-scan" and state.total == 12 and len(state.rows) == 12
        assert state.page_text == "1–12 / 12" and len(state.bench_rows) == len(state.domains) > 0
        assert isinstance(state.rows[0], dict) and {"city", "cells", "overall"} <= set(state.rows[0])
        region = state.options["region"][0]
        await drain(N.set_filter.fn(state, "region", region))
        assert state.query["region"] == region and 0 < state.total < 12
        await drain(N.toggle.fn(state, "anonymise", True))
        assert all(r["city"].startswith("City ") for r in state.rows)
        await drain(N.toggle_compare.fn(state, state.city_options[0]["id"], True))
        assert len(state.compare_rows) == 1
        await drain(N.sort.fn(state, "city"))
        assert [r["city"] for r in state.rows] == sorted(r["city"] for r in state.rows)
        await drain(N.go_page.fn(state, 1))
        assert state.query["page"] == 0  # one page only: stays on it

        updates = await drain(N.export.fn(state, "xlsx"))  # built in a build process
        assert updates[-1] is not None and state.error == "" and state.preparing == ""
        await drain(N.export.fn(state, "csv"))

    run_coroutine(steps())
    with session_scope() as s:
        kinds = [e.detail["kind"] for e in s.scalars(select(AuditEvent).where(AuditEvent.action == "export"))]
    assert kinds == ["xlsx", "csv"]


def test_the_xlsx_export_of_an_anonymised_view_names_no_city(demo):
    with session_scope() as s:
        staff = _staff(s)
        data, name = network.export(s, staff, "nlc-quick-scan", NetworkQuery(anonymise=True), "xlsx")
        cities = set(network.network_frame(s, staff, "nlc-quick-scan")[0]["city"])
    names = [r[0] for r in load_workbook(io.BytesIO(data)).active.iter_rows(min_row=2, values_only=True)]
    assert name.endswith(".xlsx") and len(names) == 12
    assert all(n.startswith("City ") for n in names) and not cities & set(names)


def test_city_roles_are_refused(demo):
    with session_scope() as s:
        email = s.scalar(select(User.email).where(User.role == "city_editor").order_by(User.id))
    N, state = _state(email)

    async def steps():
        await drain(N.load.fn(state))
        assert state.error == "forbidden" and state.rows == []
        await drain(N.export.fn(state, "csv"))
        assert state.error == "forbidden"

    run_coroutine(steps())
    with session_scope() as s:
        assert s.scalars(select(AuditEvent).where(AuditEvent.action == "export")).all() == []


def test_the_national_local_facet_is_a_column_of_the_network_view_and_its_export(demo):
    with session_scope() as s:
        staff = _staff(s)
        view = network.view(s, staff, "nlc-quick-scan", NetworkQuery(sort_by="facet.national_local", sort_desc=True))
        assert [(f.id, f.column) for f in view.facets] == [("national_local", "facet.national_local")]
        assert view.facets[0].title["fr"] and view.facets[0].title["ar"]
        shown = [r.facets[0] for r in view.rows]
        assert len(shown) == 12 and all(v != "–" for v in shown)
        assert [float(v) for v in shown] == sorted((float(v) for v in shown), reverse=True)  # sorted by the facet
        data, _ = network.export(s, staff, "nlc-quick-scan", NetworkQuery(), "csv")
    header = data.decode("utf-8-sig").splitlines()[0].split(",")
    assert header[-1] == "facet.national_local"
