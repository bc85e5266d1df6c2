/* The customer chat inside the desk's iframe. Everything goes through the public API with the
   conversation's customer token, kept in sessionStorage so that a reload finds the same conversation.
   New messages arrive over server-sent events read with fetch (EventSource cannot send the token). */
(() => {
  "use strict";
  const API = "/api/v1";
  const STORE_KEY = "tandem.chat";
  const HUMAN_REQUEST = "I'd like to talk to a real person, please.";
  const AI_DISCLOSURE = "You're chatting with an AI assistant. You can ask for a person at any time.";
  const WHO = { customer: "You", ai: "AI assistant", agent: "Support team", system: "Notice" };
  const $ = (id) => document.getElementById(id);
  const ui = {
    log: $("log"), composer: $("composer"), input: $("message"), human: $("human"), notice: $("notice"),
    typing: $("typing"), error: $("error"), rating: $("rating"), thanks: $("thanks"), close: $("close"),
    disclosure: $("disclosure"),
  };

  let chat = loadChat();   // {id, token} of this tab's conversation, or null
  let state = null;        // the latest `state` event: conversation, handoff, agent_name
  let cursor = null;       // id of the last event received: where a reconnect resumes
  let stream = null;       // AbortController of the open stream
  let starting = null;     // the request starting a conversation, while it runs
  let rated = false;
  const shown = new Map();   // message id -> list item
  const pending = new Map(); // channel_message_id -> list item of a message still being sent

  class ApiError extends Error {
    constructor(status, message) { super(message); this.status = status; }
  }

  function loadChat() {
    try { return JSON.parse(sessionStorage.getItem(STORE_KEY)); } catch { return null; }
  }

  function saveChat() {
    if (chat) sessionStorage.setItem(STORE_KEY, JSON.stringify(chat));
    else sessionStorage.removeItem(STORE_KEY);
  }

  async function api(path, { method = "GET", body } = {}) {
    const headers = { Accept: "application/json" };
    if (chat) headers.Authorization = `Bearer ${chat.token}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(API + path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = await response.json().catch(() => null);
    if (!response.ok) {
      const message = (data && data.error && data.error.message) || `The request failed (${response.status}).`;
      throw new ApiError(response.status, message);
    }
    return data;
  }

  function ensureChat() {
    if (chat) return Promise.resolve(chat);
    if (!starting) {
      starting = api("/conversations", { method: "POST", body: { channel: "web" } })
        .then((started) => {
          chat = { id: started.id, token: started.customer_token };
          saveChat();
          if (started.greeting) showMessage(started.greeting);
          listen();
          return chat;
        })
        .finally(() => { starting = null; });
    }
    return starting;
  }

  function forgetChat() {
    // The token no longer works (the conversation was erased, or the desk was reset): start afresh.
    if (stream) stream.abort();
    chat = null; state = null; cursor = null; stream = null;
    saveChat();
    shown.clear(); pending.clear();
    ui.log.replaceChildren();
    applyState(null);
  }

  // ---- the thread -------------------------------------------------------------------------------

  function who(message) {
    const current = state && state.agent_name && state.conversation.assigned_agent_id === message.author_id;
    if (message.author_kind === "agent" && current) return `${state.agent_name}, support team`;
    return WHO[message.author_kind] || "Support";
  }

  function bubble(author, body, whoText) {
    const item = document.createElement("li");
    item.className = "msg";
    item.dataset.author = author;
    const name = document.createElement("span");
    name.className = "msg-who";
    name.textContent = whoText;
    const text = document.createElement("p");
    text.className = "msg-body";
    text.textContent = body;
    const time = document.createElement("time");
    time.className = "msg-time";
    item.append(name, text, time);
    return item;
  }

  function setTime(item, iso) {
    const time = item.querySelector("time");
    time.dateTime = iso;
    time.textContent = new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  function showMessage(message) {
    if (shown.has(message.id)) return;
    let item = message.channel_message_id ? pending.get(message.channel_message_id) : undefined;
    if (item) {
      pending.delete(message.channel_message_id);
      item.classList.remove("is-pending");
    } else {
      item = bubble(message.author_kind, message.body, who(message));
      const later = [...ui.log.children].find((li) => !li.dataset.id || Number(li.dataset.id) > message.id);
      ui.log.insertBefore(item, later || null);
    }
    item.dataset.id = String(message.id);
    setTime(item, message.created_at);
    shown.set(message.id, item);
    if (message.author_kind !== "customer") setTyping(false);
    ui.log.scrollTop = ui.log.scrollHeight;
  }

  function setTyping(on) { ui.typing.hidden = !on; }

  function showError(text) { ui.error.textContent = text; ui.error.hidden = false; }

  function clearError() { ui.error.hidden = true; ui.error.textContent = ""; }

  // ---- who owns the conversation: notices, the person button, the rating ------------------------

  function waitText(handoff) {
    // Only the live state knows the opening hours; the hand-over notice in the thread says it meanwhile.
    if (!handoff || !("team_available" in handoff)) return "";
    if (handoff.back_at) {
      const back = new Date(handoff.back_at).toLocaleString([], {
        weekday: "long", day: "numeric", month: "long", hour: "2-digit", minute: "2-digit",
      });
      return `Our team is away right now. A person will reply from ${back}.`;
    }
    const seconds = handoff.expected_wait_seconds;
    if (seconds === null || seconds === undefined) return "We'll reply as soon as someone is free.";
    const minutes = Math.max(1, Math.round(seconds / 60));
    return `Expected wait: about ${minutes} minute${minutes === 1 ? "" : "s"}.`;
  }

  function showNotice(kind, title, detail) {
    ui.notice.className = `chat-notice ${kind}`;
    const strong = document.createElement("strong");
    strong.textContent = title;
    const span = document.createElement("span");
    span.textContent = detail;
    ui.notice.replaceChildren(strong, span);
    ui.notice.hidden = false;
  }

  function applyState(next) {
    state = next;
    const conversation = next ? next.conversation : null;
    const owner = conversation ? conversation.owner : "ai";
    if (owner === "queued") {
      showNotice("is-queued", "A member of our team will join this chat.", waitText(next.handoff));
    } else if (owner === "human") {
      const name = next.agent_name || "Someone from our team";
      showNotice("is-human", `${name} has joined the chat.`, "You're now talking to a person.");
    } else if (owner === "resolved") {
      showNotice("is-resolved", "This conversation is resolved.", "Write again any time and we'll pick it up.");
    } else {
      ui.notice.hidden = true;
    }
    const withPerson = owner === "queued" || owner === "human";
    ui.human.disabled = withPerson;
    ui.human.textContent = owner === "queued" ? "A person is on the way"
      : owner === "human" ? "You're talking to a person" : "Talk to a person";
    ui.disclosure.textContent = owner === "human" ? "You're now chatting with a person from our team." : AI_DISCLOSURE;
    const alreadyRated = rated || (conversation && conversation.satisfaction !== null);
    ui.rating.hidden = !(owner === "resolved" && !alreadyRated);
    ui.thanks.hidden = !(owner === "resolved" && alreadyRated);
  }

  // ---- sending ------------------------------------------------------------------------------------

  function newChannelId() {
    if (window.crypto && crypto.randomUUID) return `web-${crypto.randomUUID()}`;
    return `web-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
  }

  async function send(text) {
    const body = text.trim();
    if (!body) return;
    clearError();
    // The channel message id makes a retried send store the message once.
    const channelId = newChannelId();
    const item = bubble("customer", body, WHO.customer);
    item.classList.add("is-pending");
    ui.log.append(item);
    pending.set(channelId, item);
    ui.log.scrollTop = ui.log.scrollHeight;
    const owner = state ? state.conversation.owner : "ai";
    setTyping(owner === "ai" || owner === "resolved");
    try {
      await ensureChat();
      const turn = await api(`/conversations/${chat.id}/messages`, {
        method: "POST", body: { body, channel_message_id: channelId },
      });
      showMessage(turn.message);
      turn.replies.forEach(showMessage);
      const conversation = { ...(state ? state.conversation : {}), owner: turn.owner };
      // The live stream's state may already have arrived: this reply must say as much as it did
      // (the wait, or when people are back), never less, whichever of the two comes last.
      const handoff = turn.handoff ? handoffFromTurn(turn.handoff) : state && state.handoff;
      applyState({ conversation, handoff, agent_name: state ? state.agent_name : null });
    } catch (error) {
      pending.delete(channelId);
      item.remove();
      if (!ui.input.value) ui.input.value = body;
      if (error instanceof ApiError && (error.status === 401 || error.status === 403)) forgetChat();
      showError(`Your message wasn't sent: ${error.message}`);
    } finally {
      setTyping(false);
    }
  }

  function handoffFromTurn(handoff) {
    const backAt = handoff.people_back_at || null;
    return {
      expected_wait_seconds: handoff.expected_wait_seconds,
      queue: handoff.queue,
      team_available: backAt === null,
      back_at: backAt,
    };
  }

  // ---- live updates -------------------------------------------------------------------------------

  function handleFrame(frame) {
    if (frame.id) cursor = frame.id;
    const data = JSON.parse(frame.data);
    if (frame.event === "message") showMessage(data);
    else if (frame.event === "state") applyState(data);
  }

  async function readFrames(body, onFrame) {
    const reader = body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value.replace(/\r\n/g, "\n");
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const frame = { event: "message", data: "", id: null };
        for (const line of block.split("\n")) {
          if (!line || line.startsWith(":")) continue;
          const colon = line.indexOf(":");
          const field = colon < 0 ? line : line.slice(0, colon);
          const value_ = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
          if (field === "event") frame.event = value_;
          else if (field === "data") frame.data = frame.data ? `${frame.data}\n${value_}` : value_;
          else if (field === "id") frame.id = value_;
        }
        if (frame.data) onFrame(frame);
      }
    }
  }

  async function listen() {
    if (!chat || stream) return;
    const controller = new AbortController();
    stream = controller;
    let delay = 1000;
    while (stream === controller) {
      try {
        const headers = { Accept: "text/event-stream", Authorization: `Bearer ${chat.token}` };
        if (cursor) headers["Last-Event-ID"] = cursor;
        const response = await fetch(`${API}/conversations/${chat.id}/live`, {
          headers, signal: controller.signal, cache: "no-store",
        });
        if ([401, 403, 404].includes(response.status)) {
          forgetChat();
          ensureChat().catch(() => showError("We couldn't start a new chat just now. Please try again."));
          return;
        }
        if (!response.ok || !response.body) throw new Error(`stream answered ${response.status}`);
        delay = 1000;
        await readFrames(response.body, handleFrame);
      } catch (error) {
        if (controller.signal.aborted) return;
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 10000);
    }
  }

  // ---- files are refused, clearly -----------------------------------------------------------------

  function refuseFiles(files) {
    const names = [...files].map((file) => file.name).filter(Boolean).join(", ");
    showError(`Files can't be sent in this chat, so ${names || "your file"} wasn't sent. ` +
      "Please describe it in words; if the team needs a photo or document, they'll tell you a safe way to send it.");
  }

  const carriesFiles = (event) => Boolean(event.dataTransfer && [...event.dataTransfer.types].includes("Files"));

  document.addEventListener("dragover", (event) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    ui.composer.classList.add("is-dragging");
  });
  document.addEventListener("dragleave", () => ui.composer.classList.remove("is-dragging"));
  document.addEventListener("drop", (event) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    ui.composer.classList.remove("is-dragging");
    refuseFiles(event.dataTransfer.files);
  });
  ui.input.addEventListener("paste", (event) => {
    if (event.clipboardData && event.clipboardData.files.length) {
      event.preventDefault();
      refuseFiles(event.clipboardData.files);
    }
  });

  // ---- controls -----------------------------------------------------------------------------------

  ui.composer.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = ui.input.value;
    ui.input.value = "";
    ui.input.style.height = "";
    send(text);
  });
  ui.input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      ui.composer.requestSubmit();
    }
  });
  ui.input.addEventListener("input", () => {
    ui.input.style.height = "auto";
    ui.input.style.height = `${ui.input.scrollHeight}px`;
  });
  ui.human.addEventListener("click", () => send(HUMAN_REQUEST));

  ui.rating.addEventListener("change", () => {
    const score = Number(new FormData(ui.rating).get("score") || 0);
    ui.rating.querySelectorAll(".stars label").forEach((label, index) => label.classList.toggle("is-lit", index < score));
  });
  ui.rating.addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = new FormData(ui.rating);
    const score = Number(form.get("score") || 0);
    if (!score) { showError("Choose a rating from 1 to 5 first."); return; }
    try {
      await api(`/conversations/${chat.id}/rating`, {
        method: "POST", body: { score, comment: String(form.get("comment") || "").trim() },
      });
      rated = true;
      clearError();
      applyState(state);
    } catch (error) {
      showError(`Your rating wasn't sent: ${error.message}`);
    }
  });

  const embedded = window.parent !== window;
  ui.close.hidden = !embedded;
  ui.close.addEventListener("click", () => window.parent.postMessage({ type: "tandem:close" }, "*"));
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && embedded) window.parent.postMessage({ type: "tandem:close" }, "*");
  });
  window.addEventListener("message", (event) => {
    if (event.source === window.parent && event.data && event.data.type === "tandem:focus") ui.input.focus();
  });

  applyState(null);
  ensureChat().then(listen).catch(() => {
    showError("We couldn't connect the chat just now. Check your connection; your next message will try again.");
  });
})();
