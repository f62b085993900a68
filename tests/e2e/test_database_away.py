"""PostgreSQL away for a few seconds (issue 16): an answer made meanwhile shows "not saved,
retrying" and is saved once the database is back, or the page says plainly it was not saved and
shows what is stored. The app reaches PostgreSQL through a proxy the test cuts and restores; the
test reads the database directly, not through the proxy."""

from __future__ import annotations

import os
import time
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from nlc_toolkit.db import repo
from nlc_toolkit.db.models import Answer, Respondent
from tests import factories
from tests.app_server import ARTIFACTS, AppServer, _env, _free_port
from tests.e2e.db_proxy import DbProxy
from tests.e2e.helpers import PASSWORD, QUICK, open_assessment, question, sign_in

pytestmark = pytest.mark.e2e

RETRYING = "Not saved yet: the server cannot reach its database. Retrying…"
LOST = "NOT saved"


@dataclass
class ProxiedServer(AppServer):
    """The app with its database behind `proxy`; `db()` reads PostgreSQL directly."""

    direct_url: str = ""
    proxy: DbProxy | None = None

    def db_url(self) -> str:
        return self.direct_url


@pytest.fixture(scope="module")
def proxied_app_server():
    """One backend on a fresh PostgreSQL database reached through a DbProxy (no Redis). It
    rebuilds the shared `.web`: conftest orders it with the scaled tests, after the single app."""
    import psycopg

    from nlc_toolkit.db.session import dispose_engine

    admin = os.environ.get("NLC_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/test")
    name = f"nlc_away_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(admin)
    proxy = DbProxy(_free_port(), parts.hostname or "127.0.0.1", parts.port or 5432)
    proxy.start()
    base = admin.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    direct = f"{base}/{name}"
    via_proxy = direct.replace(f"@{parts.hostname}:{parts.port or 5432}/", f"@127.0.0.1:{proxy.port}/")
    assert via_proxy != direct
    port = _free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    log = ARTIFACTS / "app-away.log"
    log.write_text("")
    server = ProxiedServer(url=f"http://localhost:{port}", env=_env(via_proxy), port=port, log=log,
                           direct_url=direct, proxy=proxy)
    server.nlc("migrate")
    server.nlc("seed-demo", "--cities", "30", "--seed", "3")
    server.start()
    yield server
    server.stop()
    proxy.stop()
    dispose_engine(direct)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def away(proxied_app_server, page):
    page.set_default_timeout(20_000)
    yield proxied_app_server
    proxied_app_server.proxy.restore()  # a failed test leaves the next one a working database


def _editor_with_assessment(app, city_name: str, email: str) -> int:
    with app.db() as s:
        city = repo.find_city(s, city_name)
        editor = factories.user(s, email, "city_editor", city, password=PASSWORD)
        return factories.assessment(s, editor, city, factories.latest(s), 2026, 1).id


def _stored(app, assessment_id: int, qid: str) -> str | None:
    with app.db() as s:
        return s.scalar(select(Answer.value).join(Respondent).where(Respondent.assessment_id == assessment_id,
                                                                    Answer.question_id == qid))


def _open_first_domain(page, app, assessment_id: int) -> None:
    open_assessment(page, app.url, assessment_id)
    page.locator("#start-answering").click()
    expect(page.locator("#domain-title")).to_have_text(QUICK.domains[0].title["en"])  # hydrated, the cards are live


def _wait_for(condition, timeout: float = 20) -> float:
    """Poll `condition` (a read of the database) until true; the seconds it took."""
    start = time.monotonic()
    while not condition():
        assert time.monotonic() - start < timeout, "condition not met in time"
        time.sleep(0.2)
    return time.monotonic() - start


def test_an_answer_made_while_the_database_is_away_is_saved_when_it_returns(away, page):
    assessment_id = _editor_with_assessment(away, "Agadir", "away-editor@agadir.example.org")
    sign_in(page, away.url, "away-editor@agadir.example.org")
    _open_first_domain(page, away, assessment_id)
    qid = QUICK.domains[0].questions[0].id
    card, message = question(page, qid), page.locator("#assessment-message")

    away.proxy.cut()
    clicked = time.monotonic()
    card.locator("[data-level='2']").click()
    expect(message).to_contain_text(RETRYING)
    detected = time.monotonic() - clicked
    expect(card.locator(f"[id='unsaved-{qid}']")).to_be_visible()  # the level is shown as not saved
    expect(card.locator(".saved-mark")).to_have_count(0)
    card.locator("[data-level='3']").click()  # the person changes their mind meanwhile: the newest value wins
    expect(card.locator("[data-level='3']")).to_have_attribute("aria-checked", "true")
    expect(message).to_contain_text(RETRYING)
    assert _stored(away, assessment_id, qid) is None

    away.proxy.restore()
    restored = time.monotonic()
    expect(message).to_have_text("Saved.")
    saved_after = time.monotonic() - restored
    expect(card.locator(f"[id='unsaved-{qid}']")).to_have_count(0)
    expect(card.locator(".saved-mark")).to_be_visible()
    expect(card.locator("[data-level='3']")).to_have_attribute("aria-checked", "true")
    assert _stored(away, assessment_id, qid) == "3"
    print(f"\nstatus shown {detected:.2f} s after the click; saved {saved_after:.2f} s after the restore")


def test_an_answer_is_reported_not_saved_when_the_database_stays_away(away, page):
    assessment_id = _editor_with_assessment(away, "Tunis", "away-editor@tunis.example.org")
    sign_in(page, away.url, "away-editor@tunis.example.org")
    _open_first_domain(page, away, assessment_id)
    first, second = QUICK.domains[0].questions[0].id, QUICK.domains[0].questions[1].id
    message = page.locator("#assessment-message")
    card = question(page, first)
    card.locator("[data-level='1']").click()
    expect(message).to_have_text("Saved.")

    away.proxy.cut()
    clicked = time.monotonic()
    card.locator("[data-level='3']").click()  # a change of a stored answer
    question(page, second).locator("[data-level='unknown']").click()  # and a new one, while retrying
    expect(message).to_contain_text(RETRYING)
    expect(card.locator(f"[id='unsaved-{first}']")).to_be_visible()
    expect(question(page, second).locator(f"[id='unsaved-{second}']")).to_be_visible()
    expect(message).to_contain_text(LOST, timeout=45_000)
    gave_up = time.monotonic() - clicked
    expect(message).to_have_attribute("role", "alert")
    # What is shown is what is stored again: level 1 for the first, nothing for the second.
    expect(card.locator("[data-level='1']")).to_have_attribute("aria-checked", "true")
    expect(card.locator("[data-level='3']")).to_have_attribute("aria-checked", "false")
    expect(question(page, second).locator("[data-level='unknown']")).to_have_attribute("aria-checked", "false")
    expect(page.locator(".unsaved-mark")).to_have_count(0)
    assert _stored(away, assessment_id, first) == "1"
    assert _stored(away, assessment_id, second) is None

    away.proxy.restore()
    question(page, second).locator("[data-level='0']").click()
    expect(message).to_have_text("Saved.")
    _wait_for(lambda: _stored(away, assessment_id, second) == "0")
    print(f"\ngave up {gave_up:.2f} s after the click; a new click after the restore saved")
