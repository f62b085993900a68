// The phone page of a live workshop room (api/phone.py): join with the code, then answer the
// question the trainer has open. One websocket; the server decides everything, this script only
// shows what it is sent. Text goes into the page as text (textContent), never as HTML.
"use strict";
(function () {
  const setup = JSON.parse(document.getElementById("room-messages").textContent);
  const lang = setup.lang;
  const say = (key) => setup.messages[key] || setup.messages["state.error"];
  const $ = (id) => document.getElementById(id);
  const KEYS = { token: "nlc_ws_participant", code: "nlc_ws_code", device: "nlc_device" };
  const SOCKET = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/join/ws";

  const store = {
    get(key) { try { return localStorage.getItem(key) || ""; } catch (e) { return ""; } },
    set(key, value) { try { localStorage.setItem(key, value); } catch (e) { /* private mode: this visit only */ } },
  };

  let socket = null;
  let retry = 0;
  let joined = false;
  let justJoined = false;
  let room = null;
  let mine = "";

  function show(id, text) {
    const el = $(id);
    el.textContent = text || "";
    el.hidden = !text;
  }

  function status(text) { $("room-status").textContent = text || ""; }

  function inLang(texts) {
    if (!texts || typeof texts !== "object") return "";
    return texts[lang] || texts.en || "";
  }

  function send(message) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  }

  function join(fields) {
    const code = (fields.code || "").toUpperCase().replace(/[\s-]/g, "");
    const same = store.get(KEYS.code) === code;
    send({ type: "join", code: code, name: fields.name || "", group: fields.group || "municipality",
           token: same ? store.get(KEYS.token) : "", device: store.get(KEYS.device) });
  }

  function canAnswer() {
    return joined && room && room.status === "open" && !room.locked;
  }

  function option(value, name, description) {
    const label = document.createElement("label");
    label.className = "level-option";
    label.dataset.level = value;
    const input = document.createElement("input");
    input.type = "radio";
    input.name = "level";
    input.value = value;
    input.checked = mine === value;
    input.disabled = !canAnswer();
    input.addEventListener("change", () => pick(value));
    const text = document.createElement("span");
    text.className = "level-text";
    const strong = document.createElement("strong");
    strong.textContent = name;
    text.appendChild(strong);
    if (description) {
      const small = document.createElement("span");
      small.className = "level-description";
      small.textContent = description;
      text.appendChild(small);
    }
    label.append(input, text);
    if (mine === value) label.classList.add("selected");
    return label;
  }

  function render() {
    $("join-section").hidden = joined;
    $("answering").hidden = !joined;
    if (!joined || !room) return;
    const where = $("room-where");
    where.hidden = room.status === "ended";
    const city = document.createElement("bdi");  // a Latin city name inside Arabic keeps its own direction
    city.textContent = room.city || "";
    where.replaceChildren(city, ` · ${room.position} / ${room.total}`);
    const heading = $("join-question");
    const question = inLang(room.text) || say("workshop.ended");
    if (heading.textContent !== question) heading.textContent = question;  // the same text is not announced again
    if (justJoined) {
      justJoined = false;
      heading.focus();  // the form is gone: start from the question, as a screen reader should
    }
    const notice = room.status === "ended" ? "workshop.ended" : room.status === "paused" ? "workshop.paused"
      : room.locked ? "workshop.locked" : "";
    show("room-notice", notice ? say(notice) : "");
    $("room-notice").dataset.notice = notice;
    const levels = $("levels");
    const focused = document.activeElement && levels.contains(document.activeElement) ? document.activeElement.value : null;
    levels.replaceChildren();
    for (const level of room.levels || []) {
      const name = `${level.value} · ${inLang(level.label)}`;
      levels.appendChild(option(String(level.value), name, inLang(level.descriptor)));
    }
    if ((room.levels || []).length) {
      levels.appendChild(option("na", say("answer.na"), ""));
      levels.appendChild(option("unknown", say("answer.unknown"), ""));
    }
    if (focused !== null) {
      const again = levels.querySelector(`input[value="${CSS.escape(focused)}"]`);
      if (again) again.focus();
    }
  }

  function pick(value) {
    if (!canAnswer()) return;
    mine = value;
    show("answer-error", "");
    status(say("room.saving"));
    send({ type: "pick", value: value });
    for (const label of $("levels").children) label.classList.toggle("selected", label.dataset.level === value);
  }

  function receive(message) {
    if (message.type === "joined") {
      store.set(KEYS.code, message.code);
      store.set(KEYS.token, message.token);
      store.set(KEYS.device, message.device);
      justJoined = !joined;
      joined = true;
      show("join-error", "");
    } else if (message.type === "room") {
      room = message.room;
      mine = message.mine || "";
      render();
    } else if (message.type === "saved") {
      status(say("assessment.saved"));
    } else if (message.type === "left") {
      joined = false;
      room = null;
      store.set(KEYS.token, "");
      render();
    } else if (message.type === "error") {
      status("");
      show(joined ? "answer-error" : "join-error", say(message.error));
    }
  }

  function connect() {
    socket = new WebSocket(SOCKET);
    socket.addEventListener("open", () => {
      retry = 0;
      status("");
      $("join-submit").disabled = false;
      // A returning phone (same browser, same code) rejoins without typing anything.
      const wanted = $("join-code").value.toUpperCase().replace(/[\s-]/g, "");
      const stored = store.get(KEYS.code);
      if (store.get(KEYS.token) && stored && (!wanted || wanted === stored)) {
        join({ code: stored, group: $("join-group").value });
      }
    });
    socket.addEventListener("message", (event) => {
      try { receive(JSON.parse(event.data)); } catch (e) { status(say("state.error")); }
    });
    socket.addEventListener("close", () => {
      $("join-submit").disabled = true;
      status(say("room.reconnecting"));
      retry = Math.min(retry + 1, 6);
      // Spread a whole room's reconnections over a few seconds when the server restarts.
      setTimeout(connect, (500 * retry) + Math.random() * 1000 * retry);
    });
  }

  $("join-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    join({ code: form.get("code"), name: form.get("name"), group: form.get("group") });
  });
  connect();
})();
