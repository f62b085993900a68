"""The phone page of a live workshop room, `/join`, served outside Reflex.

Why outside: a Reflex page costs each phone the app's JavaScript bundle, a Socket.IO connection,
and the hydration of the app's whole state tree (about 4 ms of backend CPU per phone). At a join
storm, when a room of 1,000 opens the link from the projector's QR code within seconds, that alone
took 4-5 s of one process (bench/workshop_bench.py). This page is one small HTML document in the
phone's language (English, French, Arabic right to left) with its script and stylesheet inside
(phone_assets/, allowed by their hashes in the Content-Security-Policy), and one plain websocket (`/join/ws`) that speaks a few JSON messages:

  phone -> server  {"type": "join", "code", "name", "group", "token", "device"}   join or resume
                   {"type": "pick", "value"}                                       answer the open question
  server -> phone  {"type": "joined", "code", "token", "device"}                   keep these (localStorage)
                   {"type": "room", "room", "mine"}                                the open question, my answer
                   {"type": "saved", "value"}  {"type": "left"}                    answer stored; removed by the trainer
                   {"type": "error", "error": <catalog key>}                       shown in the page's language

Joins and answers go through the join desk and the ballot box (services/ballot_box.py), as the
trainer's console and the projector expect; a room's phones are kept current by one reader per
room (services/room_feed.py). Every field a phone sends is checked here: sizes, types, the code's
shape, the group, the device id; wrong codes count against the client's address
(core.workshop.code_lookups, shared with the projector's route); a socket that floods is closed.
The socket carries no cookie and no session: what a participant may do is what its room token,
kept by its own browser, allows. A browser may open it only from this app's own page (Origin)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import html
import json
import re
import secrets
import time
from functools import cache, lru_cache
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

from starlette.responses import Response
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from nlc_toolkit import routes
from nlc_toolkit.api.asgi import cookie, header
from nlc_toolkit.core.errors import Invalid, NotFound, Refused
from nlc_toolkit.core.vocabulary import RESPONDENT_GROUPS
from nlc_toolkit.core.workshop import (
    code_lookups,
    device_key,
    looks_like_code,
    normalize_code,
)
from nlc_toolkit.i18n import DEFAULT_LANGUAGE, LANGUAGES, translate
from nlc_toolkit.services.ballot_box import ballot_box, join_desk
from nlc_toolkit.services.live import hub
from nlc_toolkit.services.room_feed import CHANNELS, read_room, room_feed

PAGE = routes.JOIN
SOCKET = PAGE + "/ws"
_ASSET_DIR = Path(__file__).parent / "phone_assets"  # the page's script and stylesheet, inlined
LANGUAGE_COOKIE = "nlc_lang"  # LangState's
MAX_MESSAGE = 2048  # characters: the largest honest message (a join with a long name) is under 400
FLOOD = (30, 10.0)  # at most this many messages per this many seconds from one socket
# What the page's script may show, in the page's language: sent with the page, so the phone
# translates without another request.
ERRORS = ("workshop.error.code", "workshop.error.ended", "workshop.error.paused", "workshop.error.locked",
          "workshop.error.rate", "workshop.error.full", "invite.error.group", "assessment.error.bad_answer",
          "room.error.message", "state.error")
SCRIPT_MESSAGES = (*ERRORS, "room.connecting", "room.reconnecting", "room.saving", "assessment.saved",
                   "workshop.paused", "workshop.ended", "workshop.locked", "answer.na", "answer.unknown")


def language(query: dict[str, list[str]], accept: str, kept: str = "") -> str:
    """?lang= when it names a language; else the language the app's pages keep in their cookie
    (`nlc_lang`, given as `kept`); else the browser's first language we have; else English."""
    wanted = (query.get("lang") or [""])[0]
    if wanted in LANGUAGES:
        return wanted
    if kept in LANGUAGES:
        return kept
    for part in accept.split(","):
        tag = part.split(";")[0].strip().lower()[:2]
        if tag in LANGUAGES:
            return tag
    return DEFAULT_LANGUAGE


def _json_for_script(value) -> str:
    """JSON safe inside a <script> element: no "</script>", no HTML comment, whatever the text."""
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@lru_cache(maxsize=256)  # a room's phones open the same few pages: one per code and language
def render_page(code: str, lang: str) -> str:
    e, t = html.escape, lambda key: html.escape(translate(key, lang))
    groups = "".join(f'<option value="{e(g)}">{t("group." + g)}</option>' for g in RESPONDENT_GROUPS)
    languages = "".join(
        f'<a href="{e(PAGE + "?" + urlencode({"code": code, "lang": k} if code else {"lang": k}))}" lang="{k}" '
        f'hreflang="{k}"{" aria-current=" + chr(34) + "true" + chr(34) if k == lang else ""}>{e(v["name"])}</a>'
        for k, v in LANGUAGES.items())
    messages = _json_for_script({"lang": lang, "messages": {k: translate(k, lang) for k in SCRIPT_MESSAGES}})
    return f"""<!doctype html>
<html lang="{lang}" dir="{LANGUAGES[lang]['dir']}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{t("workshop.join_title")} · NLC Toolkit</title>
<style>{_inline("phone.css")[0]}</style>
<script type="application/json" id="room-messages">{messages}</script>
</head>
<body>
<header><nav aria-label="{t("nav.language")}" id="room-languages">{languages}</nav></header>
<main id="room-main">
<p id="room-status" role="status" aria-live="polite">{t("room.connecting")}</p>
<noscript><p class="notice">{t("room.needs_script")}</p></noscript>
<section id="join-section" aria-labelledby="join-title">
<h1 id="join-title">{t("workshop.join_title")}</h1>
<form id="join-form" novalidate>
<label for="join-code">{t("workshop.code")}</label>
<input id="join-code" name="code" value="{e(code)}" autocomplete="off" autocapitalize="characters" spellcheck="false" maxlength="12" dir="ltr" required>
<label for="join-name">{t("workshop.your_name")}</label>
<input id="join-name" name="name" maxlength="100" autocomplete="nickname">
<label for="join-group">{t("invite.group")}</label>
<select id="join-group" name="group">{groups}</select>
<p id="join-error" class="notice error" role="alert" hidden></p>
<button id="join-submit" type="submit" disabled>{t("workshop.join")}</button>
</form>
</section>
<section id="answering" aria-labelledby="join-question" hidden>
<p id="room-where" class="muted"></p>
<h1 id="join-question" tabindex="-1" aria-live="polite"></h1>
<p id="room-notice" class="notice" role="status" hidden></p>
<div id="levels" class="level-picker" role="radiogroup" aria-labelledby="join-question"></div>
<p id="answer-error" class="notice error" role="alert" hidden></p>
</section>
</main>
<script>{_inline("phone.js")[0]}</script>
</body>
</html>"""


@cache
def _inline(name: str) -> tuple[str, str]:
    """A file of the page's, to inline, and its hash as the Content-Security-Policy names it.
    Inlined, not linked: a phone opens the page in one request instead of three (at a join
    storm, 1,000 phones at once), and the policy still allows that script and no other."""
    text = (_ASSET_DIR / name).read_text("utf-8")
    return text, "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


_HOST = re.compile(r"[A-Za-z0-9.-]{1,253}(:[0-9]{1,5})?")


def content_security_policy(host: str = "") -> str:
    """The page's policy: its own inlined script and style, and its own websocket. Older Safari
    (before iOS 15.4) does not count ws:/wss: on the page's host as 'self', so the host is named
    too, when it is a plain host name (the Host header is the client's to write)."""
    sockets = f" wss://{host} ws://{host}" if _HOST.fullmatch(host) else ""
    return (f"default-src 'none'; script-src {_inline('phone.js')[1]}; style-src {_inline('phone.css')[1]}; "
            f"connect-src 'self'{sockets}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


def _query(scope) -> dict[str, list[str]]:
    return parse_qs(scope.get("query_string", b"").decode("latin-1"), max_num_fields=10)


async def _serve_page(scope, receive, send) -> None:
    if scope.get("method") not in ("GET", "HEAD"):
        return await Response("", status_code=405, headers={"Allow": "GET, HEAD"})(scope, receive, send)
    query = _query(scope)
    code = normalize_code((query.get("code") or [""])[0][:20])
    lang = language(query, header(scope, b"accept-language"), cookie(scope, LANGUAGE_COOKIE))
    body = render_page(code if looks_like_code(code) else "", lang)
    headers = {"Cache-Control": "no-store", "Content-Security-Policy": content_security_policy(header(scope, b"host")),
               "X-Content-Type-Options": "nosniff", "Content-Language": lang}
    await Response(body, media_type="text/html; charset=utf-8", headers=headers)(scope, receive, send)


def client_address(scope) -> str:
    """The client's address as Reflex's own pages take it (so the code limit counts a phone at
    the same address on both routes): the connection's, or, behind `trusted_proxy_hops` proxies
    (REFLEX_TRUSTED_PROXY_HOPS, docs/deploy.md), the one the nearest trusted proxy added to
    X-Forwarded-For. Without that setting the header is ignored: any client can write one."""
    from reflex_base.config import get_config

    client = scope.get("client")
    address = str(client[0]) if client else "?"
    hops = get_config().trusted_proxy_hops
    if hops:
        forwarded = [ip.strip() for ip in header(scope, b"x-forwarded-for").split(",") if ip.strip()]
        if len(forwarded) >= hops:
            address = forwarded[-hops]
    return address


_last_room: tuple[dict, str] = ({}, "{}")  # the last room written as JSON, with the object itself


def opened_by_our_page(scope) -> bool:
    """Whether the websocket may be ours: a browser names the page that opens a websocket
    (Origin), and only this app's own phones' page may open this one, so a page elsewhere cannot
    make its visitors' browsers join rooms. A client that is no browser sends no Origin; it gets
    no more than it could have anyway (the socket carries no cookie)."""
    origin = header(scope, b"origin")
    return not origin or urlsplit(origin).netloc.lower() == header(scope, b"host").lower()


def _room_json(room: dict) -> str:
    """The room as JSON, written once for all the phones it goes to: a batch of joins and a
    room's reader hand each of their phones the same object (held here, so its id is not reused)."""
    global _last_room
    if _last_room[0] is not room:
        _last_room = (room, json.dumps(room, ensure_ascii=False))
    return _last_room[1]


def _text(message: dict, key: str, most: int) -> str:
    """A string field of a message, cut to `most` characters; anything else is ""."""
    value = message.get(key)
    return value[:most] if isinstance(value, str) else ""


class PhoneSocket:
    """One phone's websocket: its join, its answers, and what its room's reader hands it."""

    def __init__(self, websocket: WebSocket) -> None:
        self.ws = websocket
        self.client = client_address(websocket.scope)
        self.code = self.token = self.question = ""
        self._sent = ""  # the last room message, so a heartbeat's identical read is not sent again
        self._times: list[float] = []

    async def send(self, message: dict) -> None:
        if self.ws.application_state == WebSocketState.CONNECTED:
            await self.ws.send_text(json.dumps(message, ensure_ascii=False))

    async def show(self, room: dict, mine: str | None) -> None:
        """Called by the room's reader (services/room_feed.py)."""
        if mine is None:
            room_feed.leave(self.code, self)
            self.code = self.token = self.question = ""
            return await self.send({"type": "left"})
        message = f'{{"type": "room", "mine": {json.dumps(mine)}, "room": {_room_json(room)}}}'
        self.question = room.get("question", "")
        if message != self._sent and self.ws.application_state == WebSocketState.CONNECTED:
            self._sent = message
            await self.ws.send_text(message)

    def _flooding(self) -> bool:
        now = time.monotonic()
        limit, window = FLOOD
        self._times = [t for t in self._times if t > now - window]
        self._times.append(now)
        return len(self._times) > limit

    async def run(self) -> None:
        await self.ws.accept()
        try:
            while True:
                message = await self.ws.receive()
                if message["type"] == "websocket.disconnect":
                    return
                text = message.get("text")
                if self._flooding():
                    return await self.ws.close(code=1008)
                if not isinstance(text, str) or len(text) > MAX_MESSAGE:
                    return await self.ws.close(code=1009 if isinstance(text, str) else 1003)
                await self.handle(text)
        except WebSocketDisconnect:
            return
        finally:
            if self.code:
                room_feed.leave(self.code, self)

    async def handle(self, text: str) -> None:
        try:
            message = json.loads(text)
        except ValueError:
            message = None
        kind = message.get("type") if isinstance(message, dict) else None
        if kind == "join":
            await self.join(message)
        elif kind == "pick":
            await self.pick(message.get("value"))
        else:
            await self.send({"type": "error", "error": "room.error.message"})

    async def join(self, message: dict) -> None:
        if code_lookups.blocked(self.client):
            return await self.send({"type": "error", "error": "workshop.error.rate"})
        code = normalize_code(_text(message, "code", 20))
        group = _text(message, "group", 20)
        group = group if group in RESPONDENT_GROUPS else "municipality"
        device = _text(message, "device", 64)  # the browser's own id; the room stores only its hash
        if not device_key(device):
            device = secrets.token_urlsafe(24)
        seen = hub.versions(code, CHANNELS)  # before the room is read: a move after it is caught below
        try:  # written with the joins arriving meanwhile (services/ballot_box.py)
            token, room, mine = await join_desk.join(code, _text(message, "token", 64), _text(message, "name", 100),
                                                     group, device)
        except NotFound:
            code_lookups.failed(self.client)
            return await self.send({"type": "error", "error": "workshop.error.code"})
        except (Refused, Invalid) as refusal:
            return await self.send({"type": "error", "error": str(refusal)})
        if self.code and self.code != code:
            room_feed.leave(self.code, self)
        self.code, self.token = code, token
        await self.send({"type": "joined", "code": code, "token": token, "device": device})
        await self.show(room, mine)
        room_feed.follow(code, self)
        if hub.versions(code, CHANNELS) != seen:  # the trainer acted while this phone joined
            await self.refresh()

    async def refresh(self) -> None:
        room, answers = await asyncio.to_thread(read_room, self.code)
        await self.show(room, answers.get(self.token))

    async def pick(self, value) -> None:
        if not self.token:
            return await self.send({"type": "error", "error": "workshop.error.code"})
        value = value[:20] if isinstance(value, str) else ""
        try:  # written with the answers arriving meanwhile; the presenter is told (services/ballot_box.py)
            await ballot_box.cast(self.code, self.token, self.question, value)
        except (Refused, Invalid, NotFound) as refusal:
            await self.send({"type": "error", "error": "workshop.error.code" if isinstance(refusal, NotFound)
                             else str(refusal)})
            self._sent = ""  # the page reverts to what is stored: send the room again
            return await self.refresh()
        await self.send({"type": "saved", "value": value})


def phone_route(app):
    """Serves `/join` (the page) and its websocket before Reflex sees the request; everything
    else goes on to Reflex."""

    async def routed(scope, receive, send):
        kind, path = scope.get("type"), scope.get("path", "")
        if kind == "http" and path in (PAGE, PAGE + "/"):
            return await _serve_page(scope, receive, send)
        if kind == "websocket" and path == SOCKET:
            if not opened_by_our_page(scope):  # refused at the handshake (HTTP 403)
                return await WebSocket(scope, receive, send).close(code=1008)
            return await PhoneSocket(WebSocket(scope, receive, send)).run()
        await app(scope, receive, send)

    return routed
