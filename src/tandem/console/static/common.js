/* Shared by every console page: the API client (cookie + CSRF header), small DOM and text helpers,
   presence and sign-out. Hand-written, no dependencies. */
(() => {
  "use strict";
  const csrf = () => (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  const configElement = document.getElementById("console-config");
  const config = configElement ? JSON.parse(configElement.textContent) : {};

  const REASONS = {
    human_requested: "Asked for a person",
    frustration: "Frustration",
    vulnerability: "Vulnerability",
    legal_or_billing_dispute: "Legal or billing dispute",
    policy_exception: "Policy exception",
    repeated_misunderstanding: "Repeated misunderstanding",
    low_confidence: "AI not confident",
    churn_risk_high_value: "Churn risk, valuable customer",
    public_escalation_risk: "Public escalation risk",
    multi_department: "Several departments",
    sales_opportunity: "Sales opportunity",
    ai_unavailable: "AI unavailable",
    needs_a_person: "Needs a person to act",
  };
  const PRIORITY_RANK = { urgent: 0, high: 1, normal: 2, low: 3 };

  class ApiError extends Error {
    constructor(status, body) {
      const error = (body && body.error) || {};
      super(error.message || `The request failed (${status}).`);
      this.status = status;
      this.code = error.code || "";
      this.details = error.details || {};
    }
  }

  async function api(path, { method = "GET", body } = {}) {
    const headers = { Accept: "application/json" };
    if (method !== "GET") headers["X-CSRF-Token"] = csrf();
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(`/api/v1${path}`, {
      method, headers, credentials: "same-origin", body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status === 204) return null;
    const data = await response.json().catch(() => null);
    if (response.status === 401 && !path.startsWith("/auth/login")) {
      window.location.assign(`/console/login?next=${encodeURIComponent(location.pathname + location.search)}`);
    }
    if (!response.ok) throw new ApiError(response.status, data);
    return data;
  }

  /* el("a", {href: "/x", class: "y"}, "text", child) */
  function el(tag, attrs = {}, ...children) {
    const svg = ["svg", "g", "rect", "line", "path", "circle", "text", "polyline", "title", "desc"].includes(tag);
    const node = svg ? document.createElementNS("http://www.w3.org/2000/svg", tag) : document.createElement(tag);
    for (const [name, value] of Object.entries(attrs)) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "dataset") Object.assign(node.dataset, value);
      else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else if (name === "text") node.textContent = value;
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function duration(seconds) {
    const s = Math.abs(Math.round(seconds));
    if (s < 60) return `${s} s`;
    const minutes = Math.round(s / 60);
    if (minutes < 60) return `${minutes} min`;
    const hours = Math.floor(minutes / 60);
    return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  }

  function ago(iso) {
    const seconds = (Date.now() - new Date(iso).getTime()) / 1000;
    return seconds < 45 ? "just now" : `${duration(seconds)} ago`;
  }

  function clock(iso) {
    return new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  let toastTimer = null;
  function toast(text) {
    const node = document.getElementById("toast");
    node.textContent = text;
    node.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { node.hidden = true; }, 4000);
  }

  function announce(text) {
    const node = document.getElementById("announcer");
    node.textContent = "";
    setTimeout(() => { node.textContent = text; }, 50);
  }

  function showAlert(node, text, info = false) {
    node.textContent = text;
    node.classList.toggle("is-info", info);
    node.hidden = !text;
  }

  function setLive(node, state) {
    if (!node) return;
    node.dataset.state = state;
    node.textContent = { live: "Live", connecting: "Connecting…", down: "Reconnecting…" }[state];
  }

  /* EventSource with the console's conventions: a status light, JSON data handed to handlers, and a
     fresh start from the last event seen if the browser gives up (it does after an HTTP error). */
  function stream(url, handlers, statusNode) {
    let lastId = null;
    const open = () => {
      const target = new URL(url, window.location.href);
      if (lastId) target.searchParams.set("after", lastId);
      const source = new EventSource(target, { withCredentials: true });
      source.addEventListener("open", () => setLive(statusNode, "live"));
      source.addEventListener("error", () => {
        setLive(statusNode, "down");
        if (source.readyState === EventSource.CLOSED) {
          // Signed out meanwhile? Asking who we are sends us to the sign-in page if so.
          api("/auth/me").catch(() => null);
          setTimeout(open, 3000);
        }
      });
      for (const [event, handle] of Object.entries(handlers)) {
        source.addEventListener(event, (message) => {
          if (message.lastEventId) lastId = message.lastEventId;
          handle(JSON.parse(message.data), message);
        });
      }
    };
    setLive(statusNode, "connecting");
    open();
  }

  function debounce(fn, ms) {
    let timer = null;
    return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
  }

  window.Tandem = {
    config, api, ApiError, el, duration, ago, clock, toast, announce, showAlert, stream, debounce,
    REASONS, PRIORITY_RANK, reasonLabel: (code) => REASONS[code] || String(code || "").replace(/_/g, " "),
  };

  document.addEventListener("DOMContentLoaded", () => {
    const presence = document.getElementById("presence");
    if (presence) {
      presence.addEventListener("change", async () => {
        try {
          await api("/users/me/presence", { method: "PUT", body: { presence: presence.value } });
          toast(`Your status is now ${presence.options[presence.selectedIndex].text.toLowerCase()}.`);
        } catch (error) { toast(`Couldn't change your status: ${error.message}`); }
      });
    }
    const signOut = document.getElementById("sign-out");
    if (signOut) {
      signOut.addEventListener("click", async () => {
        try { await api("/auth/logout", { method: "POST" }); } finally { window.location.assign("/console/login"); }
      });
    }
  });
})();
