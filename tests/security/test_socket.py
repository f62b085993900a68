"""A raw Socket.IO client against the running app, as an attacker who speaks Reflex's protocol:
hostile cookie values (at hydration and through `update_vars_internal`), forged events with
foreign ids, handlers of pages the account may not see, odd router paths. Every refusal leaves
the database and the upload folder as they were, and the socket keeps being served."""

from __future__ import annotations

import io
import re
import uuid

import pytest

from tests.security.client import Tab, handler, upload, var_key
from tests.security.helpers import (
    TABLES,
    Unchanged,
    assessment_tab,
    filled_template,
    signed_in_tab,
)

EVIL_LANG = 'en"><link rel="attachment" href="file:///etc/passwd">'


def lang_key(states) -> str:
    return var_key(states.Lang, "stored_lang")


def session_key(states) -> str:
    return var_key(states.Auth, "session_token")


def no_error_toast(tab: Tab, since: int = 0) -> bool:
    return not any("An error occurred" in str(e.get("payload")) for e in tab.events(since))


# ---------------------------------------------------------------------- the language cookie


def test_hostile_language_cookie_at_hydration_falls_back_to_english(app_server, states, world, unchanged):
    """`nlc_lang` carrying markup, sent in the hydrate event: the language is English, the cookie
    is rewritten to `en`, and no script sent to the page carries the value."""
    tab = signed_in_tab(app_server, states, "/", world.viewer_a.token, **{lang_key(states): EVIL_LANG})
    with tab:
        tab.wait_value(states.Lang, "stored_lang", "en")
        assert tab.value(states.Lang, "lang") == "en" and tab.value(states.Lang, "dir") == "ltr"
        assert "passwd" not in str(tab.events())


def test_hostile_language_through_update_vars_internal_falls_back_to_english(app_server, states, world, unchanged):
    """The same value (and other junk) set later with Reflex's `update_vars_internal`, as any client
    may: the delta that stores the raw cookie keeps `lang` English (the page's text is looked up
    with it), and the socket is still served."""
    values = [EVIL_LANG, "../../etc/passwd", "ar\x00", "AR", "x" * 100_000, 42, {"lang": "fr"}, ["fr"], None]
    with signed_in_tab(app_server, states, "/assessments", world.viewer_a.token) as tab:
        for value in values:
            tab.set_vars({lang_key(states): value})
            tab.wait_value(states.Lang, "stored_lang", value)  # the event's delta has arrived
            assert tab.value(states.Lang, "lang") == "en" and tab.value(states.Lang, "dir") == "ltr", value
        tab.ping(states.Lang)


def test_pdf_report_with_hostile_language_embeds_nothing(app_server, states, world):
    """A city viewer sets a language carrying `<link rel=attachment href=file:///etc/passwd>` and
    downloads the PDF report: a real PDF, with no attachment, no file's content, a safe file name;
    nothing but the audit log changes."""
    from pypdf import PdfReader

    with Unchanged(app_server, [t for t in TABLES if t != "audit_event"]):
        with signed_in_tab(app_server, states, f"/assessments/{world.assessment_a}/results", world.viewer_a.token,
                           **{lang_key(states): EVIL_LANG}) as tab:
            tab.wait_value(states.Results, "loading", False)
            tab.set_vars({lang_key(states): EVIL_LANG})
            tab.wait_value(states.Lang, "stored_lang", EVIL_LANG)
            mark = tab.send(handler(states.Results, "download_pdf"))
            data = tab.download(mark)
            (event,) = [e for e in tab.events(mark) if e.get("name") == "_download"]
    reader = PdfReader(io.BytesIO(data))
    assert data.startswith(b"%PDF-") and len(reader.pages) >= 1
    assert not reader.attachments
    annotations = [a.get_object().get("/Subtype") for page in reader.pages for a in (page.get("/Annots") or [])]
    assert "/FileAttachment" not in annotations
    text = "".join(page.extract_text() or "" for page in reader.pages)
    assert "root:" not in text and b"root:x:0:0" not in data and "Probe City A" in text
    assert re.fullmatch(r"[\w.\-]+\.pdf", event["payload"]["filename"]), event["payload"]["filename"]


# ---------------------------------------------------------------------- forged events


def forged_events(states, world) -> dict[str, tuple[str, dict]]:
    a = states.Assessment
    return {
        "answer": (handler(a, "answer"), {"question_id": world.other_question, "value": "4"}),
        "save_note": (handler(a, "save_note"), {"question_id": world.other_question, "note": "forged"}),
        "add_link": (handler(a, "add_link"),
                     {"form": {"question": world.other_question, "url": "https://evil.example"}}),
        "remove_evidence": (handler(a, "remove_evidence"), {"question_id": world.other_question, "index": 0}),
        "set_context": (handler(a, "set_context"),
                        {"question_id": world.context_question, "value": world.context_value}),
        "submit": (handler(a, "submit"), {}),
        "review": (handler(a, "review"), {"form": {"decision": "approve", "comment": "forged"}}),
        "new_round": (handler(a, "new_round"), {}),
        "invite": (handler(a, "invite"), {"form": {"email": f"spy-{uuid.uuid4().hex[:6]}@evil.example.org",
                                                   "name": "Spy", "group": "municipality"}}),
        "go": (handler(a, "go"), {"section": "mandate"}),
        "add_to_plan": (handler(states.Results, "add_to_plan"), {"question": world.other_question, "text": "forged"}),
        "save_action": (handler(states.Results, "save_action"), {"form": {"action_id": "1", "title": "forged"}}),
    }


EVENTS = ["answer", "save_note", "add_link", "remove_evidence", "set_context", "submit", "review", "new_round",
          "invite", "go", "add_to_plan", "save_action"]


@pytest.mark.parametrize("event", EVENTS)
def test_stranger_forges_events_on_a_foreign_assessment(app_server, states, world, unchanged, event):
    """Another city's editor opens `/assessments/<foreign id>` (the page says not found) and sends
    the page's handlers anyway: nothing changes, and the socket is still served."""
    name, payload = forged_events(states, world)[event]
    with assessment_tab(app_server, states, world.assessment_a, world.editor_b.token) as tab:
        assert tab.value(states.Assessment, "error") == "not_found"
        tab.send(name, router_path=f"/assessments/{world.assessment_a}" + ("/results" if "Results" in name else ""),
                 **payload)
        tab.ping(states.Lang)


@pytest.mark.parametrize("event", EVENTS)
def test_events_from_another_page_with_a_forged_router_path(app_server, states, world, unchanged, event):
    """The stranger's tab sits on a page of its own and sends the handlers with router data naming
    the foreign assessment (a tab whose state lost its id takes it from the URL)."""
    name, payload = forged_events(states, world)[event]
    with signed_in_tab(app_server, states, "/assessments", world.editor_b.token) as tab:
        tab.send(name, router_path=f"/assessments/{world.assessment_a}" + ("/results" if "Results" in name else ""),
                 **payload)
        tab.ping(states.Lang)


@pytest.mark.parametrize("event", ["answer", "save_note", "add_link", "set_context", "submit", "invite", "new_round",
                                   "add_to_plan"])
def test_city_viewer_cannot_write(app_server, states, world, unchanged, event):
    """The city's own viewer sends the editor's handlers on the city's assessment: nothing changes."""
    name, payload = forged_events(states, world)[event]
    with assessment_tab(app_server, states, world.assessment_a, world.viewer_a.token) as tab:
        tab.send(name, router_path=f"/assessments/{world.assessment_a}" + ("/results" if "Results" in name else ""),
                 **payload)
        tab.ping(states.Lang)


def test_identity_vars_set_by_the_client_are_ignored(app_server, states, world, unchanged):
    """A stranger claims another identity through `update_vars_internal` (user id, role, city, the
    assessment id): none is a client-storage var, the server re-derives who is asking, nothing
    changes."""
    auth, a = states.Auth, states.Assessment
    claims = {var_key(auth, "user_id"): world.editor_a.user_id, var_key(auth, "user_role"): "admin",
              var_key(auth, "user_city_id"): world.city_a, var_key(a, "assessment_id"): world.assessment_a,
              var_key(a, "info"): {"can_answer": True, "can_manage": True}}
    with assessment_tab(app_server, states, world.assessment_a, world.editor_b.token) as tab:
        tab.set_vars(claims)
        for event in ("answer", "set_context", "submit"):
            name, payload = forged_events(states, world)[event]
            tab.send(name, **payload)
        tab.ping(states.Lang)
        assert tab.value(auth, "user_id") == world.editor_b.user_id


ADMIN_EVENTS = {
    "update_user": lambda w: {"user_id": w.viewer_a.user_id, "form": {"role": "admin", "city": ""}},
    "update_user of another": lambda w: {"user_id": w.editor_a.user_id,
                                         "form": {"role": "city_viewer", "city": str(w.city_b)}},
    "reset_password": lambda w: {"user_id": w.editor_a.user_id, "email": w.editor_a.email},
    "set_active": lambda w: {"user_id": w.editor_a.user_id, "active": False},
    "create_user": lambda w: {"form": {"email": f"mole-{uuid.uuid4().hex[:6]}@evil.example.org", "name": "Mole",
                                       "role": "admin", "city": ""}},
    "create_city": lambda w: {"form": {"name": "Evil City", "country": "Nowhere", "region": "mena",
                                       "population_band": "under_100k"}},
}


@pytest.mark.parametrize("event", list(ADMIN_EVENTS))
def test_city_viewer_sends_admin_handlers(app_server, states, world, unchanged, event):
    """A city viewer opens /admin (refused) and sends the admin page's handlers anyway: no account,
    role, password or city changes, and no one-time password reaches the tab."""
    with signed_in_tab(app_server, states, "/admin", world.viewer_a.token) as tab:
        tab.wait_value(states.Admin, "loading", False)
        assert tab.value(states.Admin, "error") == "forbidden"
        tab.send(handler(states.Admin, event.split()[0]), **ADMIN_EVENTS[event](world))
        tab.ping(states.Lang)
        assert not tab.value(states.Admin, "one_time_password") and not tab.value(states.Admin, "users")


ODD_PATHS = ["/assessments/-1", "/assessments/0", "/assessments/99999999999999999999999", "/assessments/1%2F..%2F2",
             "/assessments/abc", "/assessments/{a}/../{b}", "/assessments/{b}?assessment_id={a}", "/assessments/{a}%00",
             "/assessments/" + "9" * 5000, "/assessments/{a}/results/../../{b}"]


@pytest.mark.parametrize("path", ODD_PATHS)
def test_odd_router_paths(app_server, states, world, unchanged, path):
    """City A's editor opens odd paths (negative, huge, encoded, dot segments, city B's id behind
    `..` or in the query) and sends an answer and a context change with them: no change anywhere,
    and the socket still answers the next event."""
    path = path.format(a=world.assessment_a, b=world.assessment_b)
    a = states.Assessment
    with signed_in_tab(app_server, states, path, world.editor_a.token) as tab:
        tab.send(handler(a, "answer"), router_path=path, question_id=world.other_question, value="5")
        tab.send(handler(a, "set_context"), router_path=path, question_id=world.context_question,
                 value=world.context_value)
        tab.ping(states.Lang)


# ---------------------------------------------------------------------- the session cookie var


@pytest.mark.parametrize("junk", ["junk", "", " ", "x" * 100_000, "' OR 1=1 --", "%00", "\u202e\u0000"])
def test_junk_session_string_is_signed_out(app_server, states, world, unchanged, junk):
    """A signed-in tab's session cookie var replaced with junk through `update_vars_internal`: the
    next event finds nobody signed in, sends the tab to sign-in, and changes nothing."""
    with assessment_tab(app_server, states, world.assessment_a, world.editor_a.token) as tab:
        assert tab.value(states.Auth, "user_id") == world.editor_a.user_id
        tab.set_vars({session_key(states): junk})
        mark = tab.send(handler(states.Assessment, "answer"), question_id=world.other_question, value="5")
        tab.ping(states.Lang)
        assert tab.value(states.Auth, "user_id") == 0
        assert any(e.get("name") == "_redirect" and e["payload"]["path"].startswith("/login") for e in tab.events(mark))


NON_STRINGS = [12345, {"token": "x"}, ["x"], True, 1.5]


@pytest.mark.parametrize("junk", NON_STRINGS, ids=lambda v: type(v).__name__)
def test_non_string_session_value_changes_nothing(app_server, states, world, unchanged, junk):
    """A session cookie var that is not a string at all, at hydration and later: whatever the
    handlers make of it, nothing changes and the socket stays served."""
    with signed_in_tab(app_server, states, f"/assessments/{world.assessment_a}", **{session_key(states): junk}) as tab:
        tab.send(handler(states.Assessment, "answer"), question_id=world.other_question, value="5")
        tab.ping(states.Lang)
        assert tab.value(states.Auth, "user_id", 0) == 0
    with assessment_tab(app_server, states, world.assessment_b, world.editor_b.token) as tab:
        tab.set_vars({session_key(states): junk})
        tab.send(handler(states.Assessment, "answer"), question_id=world.other_question, value="5")
        tab.ping(states.Lang)


@pytest.mark.parametrize("junk", NON_STRINGS, ids=lambda v: type(v).__name__)
def test_non_string_session_value_is_signed_out(app_server, states, world, junk):
    """Like a junk string, a non-string session value should count as signed out: the tab is sent
    to sign-in with no server error, and forgets who was signed in."""
    with assessment_tab(app_server, states, world.assessment_b, world.editor_b.token) as tab:
        tab.set_vars({session_key(states): junk})
        mark = tab.send(handler(states.Assessment, "answer"), question_id=world.other_question, value="5")
        tab.ping(states.Lang)
        assert no_error_toast(tab, mark)
        assert tab.value(states.Auth, "user_id") == 0
        assert any(e.get("name") == "_redirect" and e["payload"]["path"].startswith("/login") for e in tab.events(mark))


# ---------------------------------------------------------------------- access follows the account


@pytest.fixture(scope="module")
def demoted(app_server, world) -> tuple[str, str]:
    """A city A editor who answered a question, then was made a viewer of the same city by an
    admin, and signed in again: (session token, the question they answered)."""
    from sqlalchemy import select

    from nlc_toolkit.db import repo
    from nlc_toolkit.db.models import City, User
    from nlc_toolkit.services import accounts as auth
    from nlc_toolkit.services import admin
    from nlc_toolkit.services import assessments as svc
    from tests.security.helpers import PASSWORD

    email, question = f"demoted-{uuid.uuid4().hex[:6]}@probe-a.example.org", world.spare_questions[2]
    with app_server.db() as s:
        user = repo.create_user(s, email, PASSWORD, "city_editor", s.get(City, world.city_a))
        s.flush()
        svc.answer(s, svc.actor_of(user), world.assessment_a, question, "1")
        admin_actor = svc.actor_of(s.scalar(select(User).where(User.role == "admin").order_by(User.id)))
    with app_server.db() as s:
        admin.update_user(s, admin_actor, user.id, "city_viewer", world.city_a)
    with app_server.db() as s:
        return auth.sign_in(s, email, PASSWORD).token, question


def test_editor_demoted_to_viewer_cannot_answer_any_more(app_server, states, world, demoted, unchanged):
    """The demoted person sends `answer` and `save_note` for the question they used to answer:
    the respondent row they got as editor grants nothing any more."""
    token, question = demoted
    with assessment_tab(app_server, states, world.assessment_a, token) as tab:
        for value in ("2", "3"):
            tab.send(handler(states.Assessment, "answer"), question_id=question, value=value)
        tab.send(handler(states.Assessment, "save_note"), question_id=question, note="still here")
        tab.ping(states.Lang)


def test_editor_demoted_to_viewer_cannot_import_answers(app_server, states, world, demoted, unchanged):
    """The demoted person posts a filled answer template to the import handler of the results
    page: no answer is written."""
    token, _ = demoted
    with signed_in_tab(app_server, states, f"/assessments/{world.assessment_a}/results", token) as tab:
        tab.wait_value(states.Results, "loading", False)
        upload(app_server.port, handler(states.Results, "import_template"), tab.token,
               [("answers.xlsx", filled_template(app_server, world.assessment_a), "application/octet-stream")],
               session=token)
        tab.ping(states.Lang)


def hostile_arguments(states, world) -> dict[str, tuple[str, dict]]:
    a, q = states.Assessment, world.other_question
    return {
        "level out of scale": (handler(a, "answer"), {"question_id": q, "value": "99"}),
        "level as object": (handler(a, "answer"), {"question_id": q, "value": {"$gt": ""}}),
        "unknown question": (handler(a, "answer"), {"question_id": "../../admin", "value": "1"}),
        "question as list": (handler(a, "answer"), {"question_id": [q], "value": "1"}),
        "huge note": (handler(a, "save_note"), {"question_id": q, "note": "x" * 200_000}),
        "javascript link": (handler(a, "add_link"),
                            {"form": {"question": q, "url": "javascript:alert(document.cookie)"}}),
        "file link": (handler(a, "add_link"), {"form": {"question": q, "url": "file:///etc/passwd"}}),
        "link as object": (handler(a, "add_link"), {"form": {"question": q, "url": {"kind": "file"}}}),
        "negative index": (handler(a, "remove_evidence"), {"question_id": q, "index": -1}),
        "index as text": (handler(a, "remove_evidence"), {"question_id": q, "index": "0"}),
        "context off the list": (handler(a, "set_context"), {"question_id": world.context_question,
                                                             "value": "<script>alert(1)</script>"}),
        "missing arguments": (handler(a, "answer"), {}),
        "unknown handler": (handler(a, "_refresh"), {"actor": None}),
        "private method": (handler(a, "_run"), {"action": "print"}),
    }


@pytest.mark.parametrize("case", ["level out of scale", "level as object", "unknown question", "question as list",
                                  "huge note", "javascript link", "file link", "link as object", "negative index",
                                  "index as text", "context off the list", "missing arguments",
                                  "unknown handler", "private method"])
def test_hostile_arguments_from_the_citys_own_editor(app_server, states, world, unchanged, case):
    """The city's own editor, on their own draft, sends handler arguments no form would send
    (out-of-scale levels, objects for strings, script links, negative indexes, private methods):
    nothing is written, and the socket is still served."""
    name, payload = hostile_arguments(states, world)[case]
    with assessment_tab(app_server, states, world.assessment_a, world.editor_a.token) as tab:
        tab.send(name, **payload)
        tab.ping(states.Lang)


@pytest.mark.parametrize("section", ["../../admin", "x" * 100_000])
def test_unknown_section_is_not_stored(app_server, states, world, unchanged, section):
    """The city's own editor sends `go` with a section that is not one of the questionnaire's: the
    page falls back to the profile and nothing is written."""
    with assessment_tab(app_server, states, world.assessment_a, world.editor_a.token) as tab:
        tab.send(handler(states.Assessment, "go"), section=section)
        tab.ping(states.Lang)


def test_sign_out_leaves_nothing_of_the_last_user_in_the_tab(app_server, states, world):
    """The next person at a shared computer opens the same tab after the admin signed out: the
    users list and the one-time password the admin just made are gone from the server's state."""
    from nlc_toolkit.db import repo
    from nlc_toolkit.db.models import City, User, UserSession
    from nlc_toolkit.services import accounts as auth

    tag = uuid.uuid4().hex[:6]
    with app_server.db() as s:
        repo.create_user(s, f"admin-{tag}@probe.example.org", "security-probe-password-7", "admin")
        target = repo.create_user(s, f"target-{tag}@probe.example.org", "security-probe-password-7", "city_viewer",
                                  s.get(City, world.city_a))
        s.flush()
        target_id = target.id
        token = auth.sign_in(s, f"admin-{tag}@probe.example.org", "security-probe-password-7").token
    with signed_in_tab(app_server, states, "/admin", token) as tab:
        tab.wait_value(states.Admin, "users", lambda users: len(users) > 0)
        tab.send(handler(states.Admin, "reset_password"), user_id=target_id, email="x")
        tab.wait_value(states.Admin, "one_time_password", lambda v: bool(v))
        tab.send(handler(states.Auth, "sign_out"))
        tab.wait_value(states.Admin, "users", [])
        assert tab.wait_value(states.Admin, "one_time_password", "") == ""
        assert tab.value(states.Auth, "user_id") == 0
        tab.ping(states.Lang)  # the language stays: it is the browser's, not the user's
    with app_server.db() as s:
        assert s.query(UserSession).join(User).filter(User.email == f"admin-{tag}@probe.example.org").count() == 0
