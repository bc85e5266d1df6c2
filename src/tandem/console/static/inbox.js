/* The inbox: conversations by queue with filters, kept live by the inbox stream. Taking a conversation
   is the API's atomic assign: when someone else got there first, say so plainly. */
(() => {
  "use strict";
  const T = Tandem;
  const me = T.config.user;
  const $ = (id) => document.getElementById(id);
  const rows = $("inbox-rows");
  const alertNode = $("inbox-alert");
  const fields = { view: $("f-view"), reason: $("f-reason"), priority: $("f-priority"), due: $("f-due") };
  const SAVED = "tandem.inbox.filters";
  const items = new Map();
  let queue = "";
  let source = null;

  for (const [code, label] of Object.entries(T.REASONS)) fields.reason.append(T.el("option", { value: code }, label));
  try {
    const saved = JSON.parse(sessionStorage.getItem(SAVED)) || {};
    for (const [name, field] of Object.entries(fields)) if (saved[name] !== undefined) field.value = saved[name];
    queue = saved.queue || "";
  } catch { /* nothing saved yet */ }

  function save() {
    const values = Object.fromEntries(Object.entries(fields).map(([name, field]) => [name, field.value]));
    sessionStorage.setItem(SAVED, JSON.stringify({ ...values, queue }));
  }

  const serverView = (view) => (view === "mine" ? "human" : view);

  function dueSeconds(item) {
    return item.first_response_due_at ? (new Date(item.first_response_due_at).getTime() - Date.now()) / 1000 : null;
  }

  function matches(item) {
    const c = item.conversation;
    const view = fields.view.value;
    const owners = { active: ["queued", "human"], queued: ["queued"], mine: ["human"], human: ["human"],
      ai: ["ai"], resolved: ["resolved"] }[view];
    if (owners && !owners.includes(c.owner)) return false;
    if (view === "mine" && c.assigned_agent_id !== me.id) return false;
    if (queue === "@mine" && !me.queues.includes(c.queue)) return false;
    if (queue && queue !== "@mine" && c.queue !== queue) return false;
    if (fields.reason.value && !item.reasons.includes(fields.reason.value)) return false;
    if (fields.priority.value && c.priority !== fields.priority.value) return false;
    const due = dueSeconds(item);
    switch (fields.due.value) {
      case "overdue": return due !== null && due < 0;
      case "5": case "15": return due !== null && due <= Number(fields.due.value) * 60;
      case "none": return due === null;
      default: return true;
    }
  }

  function order(a, b) {
    const rank = (T.PRIORITY_RANK[a.conversation.priority] ?? 9) - (T.PRIORITY_RANK[b.conversation.priority] ?? 9);
    if (rank) return rank;
    const da = dueSeconds(a); const db = dueSeconds(b);
    if (da !== null || db !== null) return (da ?? Infinity) - (db ?? Infinity);
    return b.conversation.id - a.conversation.id;
  }

  function dueCell(item) {
    const due = dueSeconds(item);
    if (due === null) {
      return T.el("span", { class: "muted" }, item.conversation.first_human_response_at ? "Answered" : "—");
    }
    if (due < 0) return T.el("span", { class: "due is-overdue" }, `Overdue by ${T.duration(-due)}`);
    return T.el("span", { class: `due${due < 300 ? " is-soon" : ""}` }, `In ${T.duration(due)}`);
  }

  function ownerCell(item) {
    const c = item.conversation;
    if (c.owner === "queued") return T.el("span", { class: "owner-waiting" }, "Waiting");
    if (c.owner === "human") return c.assigned_agent_id === me.id ? "You" : (item.agent_name || "An agent");
    return { ai: "AI assistant", resolved: "Resolved" }[c.owner] || c.owner;
  }

  function actionCell(item) {
    const c = item.conversation;
    if (c.owner === "queued") {
      return T.el("button", {
        type: "button", class: "button primary small take", "aria-label": `Take conversation #${c.id}`,
        onclick: (event) => take(c.id, event.currentTarget),
      }, "Take");
    }
    const label = c.owner === "human" && c.assigned_agent_id === me.id ? "Open" : "View";
    return T.el("a", { href: `/console/conversations/${c.id}`, "aria-label": `${label} conversation #${c.id}` }, label);
  }

  function row(item) {
    const c = item.conversation;
    const priority = c.priority.charAt(0).toUpperCase() + c.priority.slice(1);
    return T.el("tr", { dataset: { id: c.id, owner: c.owner } },
      T.el("td", {}, T.el("span", { class: `badge prio-${c.priority}` }, priority)),
      T.el("td", {},
        T.el("a", { class: "conv-link", href: `/console/conversations/${c.id}` }, `#${c.id} · ${c.channel} chat`),
        T.el("div", { class: "preview" }, item.preview || T.el("span", { class: "muted" }, "No message yet")),
        T.el("div", { class: "muted small" }, `Updated ${T.ago(c.updated_at)}`)),
      T.el("td", {}, T.el("div", { class: "chips" },
        item.reasons.map((code) => T.el("span", { class: "chip" }, T.reasonLabel(code))))),
      T.el("td", {}, c.queue || "—"),
      T.el("td", {}, dueCell(item)),
      T.el("td", {}, ownerCell(item)),
      T.el("td", {}, actionCell(item)));
  }

  function renderQueues() {
    const names = new Set(me.queues);
    for (const item of items.values()) if (item.conversation.queue) names.add(item.conversation.queue);
    const waiting = (name) => [...items.values()].filter((item) => item.conversation.owner === "queued"
      && (name === "" || (name === "@mine" ? me.queues.includes(item.conversation.queue) : item.conversation.queue === name))).length;
    const entries = [["", "All queues"], ...(me.queues.length ? [["@mine", "My queues"]] : []),
      ...[...names].sort().map((name) => [name, name.replace(/_/g, " ")])];
    $("queue-list").replaceChildren(...entries.map(([name, label]) => T.el("li", {},
      T.el("button", {
        type: "button", "aria-pressed": String(queue === name),
        onclick: () => { queue = name; save(); render(); },
      }, T.el("span", {}, label), T.el("span", { class: "count", "aria-label": `${waiting(name)} waiting` }, waiting(name))))));
  }

  function render(fresh = new Set()) {
    const shown = [...items.values()].filter(matches).sort(order);
    rows.replaceChildren(...shown.map((item) => {
      const tr = row(item);
      if (fresh.has(item.conversation.id)) tr.classList.add("is-new");
      return tr;
    }));
    $("inbox-empty").hidden = shown.length > 0;
    renderQueues();
  }

  async function load() {
    try {
      const page = await T.api(`/console/inbox?view=${serverView(fields.view.value)}&limit=200`);
      items.clear();
      for (const item of page.items) items.set(item.conversation.id, item);
      T.showAlert(alertNode, "");
      render();
      if (!source) connect(page.cursor);
    } catch (error) {
      T.showAlert(alertNode, `Couldn't load the inbox: ${error.message}`);
    }
  }

  function connect(cursor) {
    source = T.stream(`/api/v1/console/inbox/live?after=${encodeURIComponent(cursor)}`, {
      conversation: (item) => {
        const id = item.conversation.id;
        const before = items.get(id);
        items.set(id, item);
        const arrived = item.conversation.owner === "queued" && (!before || before.conversation.owner !== "queued");
        if (arrived && matches(item)) {
          const why = item.reasons.length ? `: ${T.reasonLabel(item.reasons[0])}` : "";
          T.announce(`New conversation #${id} waiting in ${item.conversation.queue || "the inbox"}${why}.`);
        }
        render(arrived ? new Set([id]) : new Set());
      },
    }, $("live-status"));
  }

  async function take(id, button) {
    button.disabled = true;
    try {
      await T.api(`/conversations/${id}/assign`, { method: "POST", body: {} });
      window.location.assign(`/console/conversations/${id}`);
    } catch (error) {
      const text = error.status === 409
        ? `Couldn't take conversation #${id}: ${error.message} It stays with them; pick another one.`
        : `Couldn't take conversation #${id}: ${error.message}`;
      button.disabled = false;
      await load();
      T.showAlert(alertNode, text);
    }
  }

  for (const field of Object.values(fields)) {
    field.addEventListener("change", () => { save(); if (field === fields.view) load(); else render(); });
  }
  setInterval(() => render(), 15000);
  load();
})();
