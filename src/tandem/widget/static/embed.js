/* tandem chat for any web page: <script src="https://YOUR-DESK/widget.js" async></script>
   Adds a launcher button; the chat itself runs in an iframe served by the desk, so it reaches the
   desk's API same-origin and the host page's styles cannot reach it. Hand-written, no dependencies. */
(() => {
  "use strict";
  if (window.tandemChat) return;
  const script = document.currentScript;
  const origin = new URL(script ? script.src : "/widget.js", window.location.href).origin;
  const OPEN_KEY = "tandem.widget.open";

  const host = document.createElement("div");
  host.setAttribute("data-tandem-widget", "");
  const root = host.attachShadow({ mode: "open" });
  const style = document.createElement("link");
  style.rel = "stylesheet";
  style.href = `${origin}/widget/static/embed.css`;

  const panel = document.createElement("div");
  panel.id = "tandem-chat-panel";
  panel.className = "panel";
  panel.hidden = true;
  panel.setAttribute("role", "region");
  panel.setAttribute("aria-label", "Customer support chat");

  const launcher = document.createElement("button");
  launcher.type = "button";
  launcher.className = "launcher";
  launcher.setAttribute("aria-controls", panel.id);
  launcher.setAttribute("aria-expanded", "false");
  const icon = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  icon.setAttribute("viewBox", "0 0 24 24");
  icon.setAttribute("width", "22");
  icon.setAttribute("height", "22");
  icon.setAttribute("aria-hidden", "true");
  icon.setAttribute("focusable", "false");
  const bubble = document.createElementNS("http://www.w3.org/2000/svg", "path");
  bubble.setAttribute("d", "M4 5h16v10H9l-5 4z");
  bubble.setAttribute("fill", "currentColor");
  icon.append(bubble);
  const label = document.createElement("span");
  label.textContent = "Chat with us";
  launcher.append(icon, label);

  let frame = null;

  function open(focus = true) {
    if (!frame) {
      frame = document.createElement("iframe");
      frame.src = `${origin}/widget/frame`;
      frame.title = "Customer support chat";
      frame.addEventListener("load", () => { if (!panel.hidden && focus) focusChat(); });
      panel.append(frame);
    }
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    launcher.classList.add("is-open");
    label.textContent = "Close chat";
    sessionStorage.setItem(OPEN_KEY, "1");
    if (focus) focusChat();
  }

  function focusChat() {
    frame.focus();
    if (frame.contentWindow) frame.contentWindow.postMessage({ type: "tandem:focus" }, origin);
  }

  function close() {
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    launcher.classList.remove("is-open");
    label.textContent = "Chat with us";
    sessionStorage.removeItem(OPEN_KEY);
    launcher.focus();
  }

  launcher.addEventListener("click", () => (panel.hidden ? open() : close()));
  window.addEventListener("message", (event) => {
    if (event.origin !== origin || !frame || event.source !== frame.contentWindow) return;
    if (event.data && event.data.type === "tandem:close") close();
  });

  root.append(style, panel, launcher);
  (document.body || document.documentElement).append(host);
  // A reload keeps the chat open where the customer left it (the conversation itself lives in the frame).
  if (sessionStorage.getItem(OPEN_KEY)) open(false);
  window.tandemChat = { open, close };
})();
