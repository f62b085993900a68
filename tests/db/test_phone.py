"""The workshop phones' page outside Reflex (api/phone.py, services/room_feed.py), on SQLite and
PostgreSQL: the page in each language, and its websocket driven as a phone (or an attacker) would,
with the trainer acting through the services meanwhile. Whatever a client sends, what is stored
is only what a participant may store."""

import json

import anyio
import pytest
from sqlalchemy import func, select
from starlette.responses import PlainTextResponse
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from nlc_toolkit.api.phone import FLOOD, MAX_MESSAGE, phone_route
from nlc_toolkit.core.workshop import code_lookups
from nlc_toolkit.db.models import AuditEvent, Participant, Vote
from nlc_toolkit.db.session import session_scope
from nlc_toolkit.services import workshops as ws
from nlc_toolkit.services.live import hub
from nlc_toolkit.services.room_feed import room_feed
from tests import factories


async def _reflex(scope, receive, send):
    """Stands for the rest of the app (Reflex)."""
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        return await send({"type": "lifespan.shutdown.complete"})
    await PlainTextResponse("reflex", status_code=404)(scope, receive, send)


@pytest.fixture
def room(migrated):
    code_lookups._failures.clear()  # every test client has one address
    with session_scope() as s:
        w, trainer = factories.workshop(s)
        code, ids = w.code, ws.question_ids(w)
    with TestClient(phone_route(_reflex)) as client:
        yield {"code": code, "ids": ids, "trainer": trainer, "client": client}
    code_lookups._failures.clear()


def _trainer(room, action, value=None):
    """The trainer acts (the console's service), and the console tells the room (as its state does)."""
    with session_scope() as s:
        ws.control(s, room["trainer"], room["code"], action, value)
    room["client"].portal.call(hub.publish, room["code"], "control")


async def _within(receive, seconds: float = 10):
    with anyio.fail_after(seconds):
        return await receive()


def _next(phone) -> dict:
    """The socket's next message, as `receive_json`, but failing after 10 s instead of hanging."""
    message = phone.portal.call(_within, phone._send_rx.receive)
    phone._raise_on_close(message)
    return json.loads(message["text"])


def _receive(phone, kind: str) -> dict:
    """The next message of `kind`, skipping others (a phone may be sent its room more than once)."""
    for _ in range(10):
        message = _next(phone)
        if message["type"] == kind:
            return message
    raise AssertionError(f"no {kind} message")


def _join(phone, code, **fields) -> dict:
    phone.send_json({"type": "join", "code": code, "name": "Amina", "group": "national", **fields})
    joined = _next(phone)
    assert joined["type"] == "joined", joined
    return {**joined, **_receive(phone, "room")}


def _stored() -> tuple[int, int, list]:
    with session_scope() as s:
        return (s.scalar(select(func.count(Participant.id))), s.scalar(select(func.count(Vote.id))),
                s.execute(select(Vote.question_id, Vote.value)).all())


@pytest.mark.parametrize(("query", "accept", "lang", "direction", "title"), [
    ("", "", "en", "ltr", "Join a workshop"),
    ("?lang=fr", "ar", "fr", "ltr", "Rejoindre un atelier"),
    ("", "ar-MA,ar;q=0.9,fr;q=0.8", "ar", "rtl", "الانضمام إلى ورشة"),
    ("?lang=xx", "de-DE, fr;q=0.5", "fr", "ltr", "Rejoindre un atelier"),
])
def test_the_page_is_born_in_each_language(room, query, accept, lang, direction, title):
    page = room["client"].get("/join" + query, headers={"Accept-Language": accept})
    assert page.status_code == 200
    assert f'<html lang="{lang}" dir="{direction}">' in page.text
    assert f"<h1 id=\"join-title\">{title}</h1>" in page.text
    assert page.headers["content-security-policy"].startswith("default-src 'none'")
    assert page.headers["cache-control"] == "no-store"
    messages = json.loads(page.text.split('id="room-messages">')[1].split("</script>")[0])
    assert messages["lang"] == lang and messages["messages"]["workshop.error.code"]


def test_the_page_carries_the_code_and_nothing_a_link_smuggles(room):
    client = room["client"]
    page = client.get(f"/join?code={room['code'].lower()}")
    assert f'value="{room["code"]}"' in page.text  # the link's code, as typed on the projector
    hostile = client.get('/join?code="><script>alert(1)</script>&lang=<b>ar</b>').text
    assert "<script>alert" not in hostile and "<b>" not in hostile and 'id="join-code" name="code" value=""' in hostile
    assert client.post("/join").status_code == 405
    assert client.get("/join/phone.js").text == "reflex"  # not ours: on to the rest of the app


def test_the_policy_allows_the_page_s_own_script_and_style_and_nothing_else(room):
    import base64
    import hashlib
    import re

    page = room["client"].get("/join")
    policy = dict(part.strip().split(" ", 1) for part in page.headers["content-security-policy"].split(";"))
    script = re.search(r"<script>(.*)</script>", page.text, re.S).group(1)
    style = re.search(r"<style>(.*)</style>", page.text, re.S).group(1)
    digest = lambda text: "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"  # noqa: E731
    assert policy["script-src"] == digest(script) and policy["style-src"] == digest(style)
    assert policy["default-src"] == "'none'" and policy["connect-src"] == "'self' wss://testserver ws://testserver"
    for forged in ("evil.example; script-src *", "a b", "x" * 300):  # the Host header is the client's to write
        sent = room["client"].get("/join", headers={"Host": forged}).headers["content-security-policy"]
        assert "connect-src 'self';" in sent and "script-src *" not in sent
    assert "src=" not in page.text and "href=\"http" not in page.text  # nothing fetched from elsewhere


def test_a_phone_joins_answers_and_follows_the_trainer(room):
    client, code, ids = room["client"], room["code"], room["ids"]
    with client.websocket_connect("/join/ws") as phone:
        joined = _join(phone, code.lower())
        assert joined["code"] == code and joined["room"]["question"] == ids[0] and joined["mine"] == ""
        assert "note" not in joined["room"] or joined["room"]["note"] == ""  # a phone gets no trainer note
        phone.send_json({"type": "pick", "value": "2"})
        assert _receive(phone, "saved")["value"] == "2"
        _trainer(room, "next")
        moved = _receive(phone, "room")
        assert moved["room"]["question"] == ids[1] and moved["mine"] == ""
        phone.send_json({"type": "pick", "value": "na"})
        _receive(phone, "saved")
        _trainer(room, "previous")
        back = _receive(phone, "room")
        assert back["room"]["question"] == ids[0] and back["mine"] == "2"  # its own answer, read back
    with session_scope() as s:
        p = s.scalar(select(Participant))
        assert (p.display_name, p.group) == ("Amina", "national")
    assert sorted(_stored()[2]) == sorted([(ids[0], "2"), (ids[1], "na")])


def test_only_the_app_s_own_page_opens_the_socket_from_a_browser(room):
    from starlette.websockets import WebSocketDisconnect

    client, code = room["client"], room["code"]
    for foreign in ("https://evil.example", "http://testserver.evil.example", "null"):
        with pytest.raises(WebSocketDisconnect), client.websocket_connect("/join/ws", headers={"Origin": foreign}):
            pass
    assert _stored() == (0, 0, [])  # nobody joined
    with client.websocket_connect("/join/ws", headers={"Origin": "http://testserver"}) as phone:
        assert _join(phone, code)["code"] == code  # the page's own origin
    with client.websocket_connect("/join/ws") as phone:
        assert _join(phone, code)["code"] == code  # no browser, no Origin


def test_a_phone_resumes_with_its_token_and_a_removed_one_is_told(room):
    client, code = room["client"], room["code"]
    with client.websocket_connect("/join/ws") as phone:
        first = _join(phone, code)
        phone.send_json({"type": "pick", "value": "1"})
        _receive(phone, "saved")
    with client.websocket_connect("/join/ws") as again:  # a reload: the browser sends what it kept
        resumed = _join(again, code, token=first["token"], device=first["device"], name="", group="municipality")
        assert resumed["token"] == first["token"] and resumed["mine"] == "1"
        with session_scope() as s:
            p = s.scalar(select(Participant))
            ws.remove_participant(s, room["trainer"], code, p.id)
        client.portal.call(hub.publish, code, "control")
        assert _receive(again, "left") == {"type": "left"}
        again.send_json({"type": "pick", "value": "2"})
        assert _receive(again, "error")["error"] == "workshop.error.code"
    assert _stored()[:2] == (0, 0)


def test_a_phone_that_lost_its_room_token_resumes_by_its_device(room):
    """The browser keeps its device id for good (any room): with the room's token gone, joining
    again finds the same participant and its answer, not a second voter."""
    client, code = room["client"], room["code"]
    with client.websocket_connect("/join/ws") as phone:
        first = _join(phone, code)
        phone.send_json({"type": "pick", "value": "2"})
        _receive(phone, "saved")
    with client.websocket_connect("/join/ws") as again:
        resumed = _join(again, code, device=first["device"])
        assert (resumed["token"], resumed["mine"], resumed["device"]) == (first["token"], "2", first["device"])
    with session_scope() as s:
        assert s.scalar(select(func.count(Participant.id))) == 1
        assert s.scalar(select(Participant.device)) != first["device"]  # stored hashed, never as sent


def test_wrong_codes_and_refusals_change_nothing(room):
    client, code = room["client"], room["code"]
    with client.websocket_connect("/join/ws") as phone:
        for wrong in ("ZZZZZZ", "", "not a code at all", None, 12):
            phone.send_json({"type": "join", "code": wrong})
            assert _receive(phone, "error")["error"] == "workshop.error.code"
        phone.send_json({"type": "pick", "value": "1"})  # not joined
        assert _receive(phone, "error")["error"] == "workshop.error.code"
        for junk in ("not json", "[]", '{"type": "admin"}', "null"):
            phone.send_text(junk)
            assert _receive(phone, "error")["error"] == "room.error.message"
        assert _stored()[:2] == (0, 0)
        joined = _join(phone, code, group="admin", name="x" * 1000)  # an unknown group, an endless name
        for bad in ("9", "-1", "2; DROP TABLE vote", {"value": 1}, None):
            phone.send_json({"type": "pick", "value": bad})
            assert _receive(phone, "error")["error"] == "assessment.error.bad_answer"
            assert _receive(phone, "room")["mine"] == ""  # the page goes back to what is stored
        _trainer(room, "lock", True)
        assert _receive(phone, "room")["room"]["locked"] is True
        phone.send_json({"type": "pick", "value": "1"})
        assert _receive(phone, "error")["error"] == "workshop.error.locked"
    with session_scope() as s:
        p = s.scalar(select(Participant))
        assert (p.group, len(p.display_name), p.token) == ("municipality", 100, joined["token"])
    assert _stored()[1] == 0


def test_guessing_codes_is_stopped_and_a_flood_or_a_huge_message_closes_the_socket(room):
    client, code = room["client"], room["code"]
    with client.websocket_connect("/join/ws") as phone:
        for attempt in range(10):
            phone.send_json({"type": "join", "code": f"ZZZZZ{'ABCDEFGHJK'[attempt]}"})
            assert _receive(phone, "error")["error"] == "workshop.error.code"
    with client.websocket_connect("/join/ws") as phone:  # a new socket from the same address
        phone.send_json({"type": "join", "code": code})
        assert _receive(phone, "error")["error"] == "workshop.error.rate"
    code_lookups._failures.clear()
    with client.websocket_connect("/join/ws") as phone:
        phone.send_text("x" * (MAX_MESSAGE + 1))
        with pytest.raises(WebSocketDisconnect) as closed:
            _next(phone)
        assert closed.value.code == 1009
    with client.websocket_connect("/join/ws") as phone:
        phone.send_bytes(b"\x00" * 10)
        with pytest.raises(WebSocketDisconnect) as closed:
            _next(phone)
        assert closed.value.code == 1003
    with client.websocket_connect("/join/ws") as phone:
        with pytest.raises(WebSocketDisconnect) as closed:
            for _ in range(FLOOD[0] + 1):
                phone.send_text("{}")
                _next(phone)
        assert closed.value.code == 1008
    with session_scope() as s:
        assert s.scalar(select(func.count(Participant.id))) == 0
        assert s.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "join")) == 0


def test_one_read_serves_every_phone_of_a_room(room, monkeypatch):
    """The trainer's action is read once for the room, not once per phone."""
    from nlc_toolkit.services import room_feed as feed

    client, code, ids = room["client"], room["code"], room["ids"]
    reads = []
    real = feed.read_room
    monkeypatch.setattr(feed, "read_room", lambda c: reads.append(c) or real(c))
    phones = [client.websocket_connect("/join/ws") for _ in range(5)]
    try:
        for i, phone in enumerate(phones):
            phone.__enter__()
            _join(phone, code, name=f"P{i}")
        assert room_feed.following(code) == 5
        reads.clear()
        _trainer(room, "next")
        for phone in phones:
            assert _receive(phone, "room")["room"]["question"] == ids[1]
        assert reads == [code]
    finally:
        for phone in phones:
            phone.__exit__(None, None, None)


def test_the_client_address_is_the_connection_s_unless_proxies_are_trusted(monkeypatch):
    from reflex_base.config import get_config

    from nlc_toolkit.api.phone import client_address

    scope = {"client": ("10.0.0.5", 5000), "headers": [(b"x-forwarded-for", b"203.0.113.9, 198.51.100.2")]}
    assert client_address(scope) == "10.0.0.5"  # a header any client can write is ignored
    monkeypatch.setattr(get_config(), "trusted_proxy_hops", 1)
    assert client_address(scope) == "198.51.100.2"  # the address our one proxy added
    monkeypatch.setattr(get_config(), "trusted_proxy_hops", 3)
    assert client_address(scope) == "10.0.0.5"  # fewer addresses than proxies: the connection's


@pytest.mark.parametrize(("query", "accept", "cookie", "lang"), [
    ("", "fr-FR,fr;q=0.9", "nlc_session=abc; nlc_lang=ar", "ar"),  # the app's pages' choice first
    ("?lang=en", "fr", "nlc_lang=ar", "en"),  # the page's own language links win
    ("", "fr", "nlc_lang=xx", "fr"),  # a cookie any client can write: only our languages
    ("", "", "junk; other=\"x; nlc_lang=fr", "fr"),  # another cookie, malformed, does not hide ours
    ("", "ar", 'nlc_lang="ar\x00; ;;=', "ar"),  # a mangled value is not one of ours
])
def test_the_language_kept_by_the_app_s_pages_comes_before_the_browser_s(room, query, accept, cookie, lang):
    page = room["client"].get("/join" + query, headers={"Accept-Language": accept, "Cookie": cookie})
    assert page.status_code == 200 and page.headers["content-language"] == lang
    assert f'<html lang="{lang}"' in page.text
