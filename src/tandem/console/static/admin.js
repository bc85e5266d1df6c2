/* The admin screens: hand-over rules (validate, dry run, save), knowledge base, intents, users, queues.
   Hand-written, no dependencies; everything goes through /api/v1/admin. */
(() => {
  "use strict";
  const { api, el, toast, showAlert } = window.Tandem;
  const $ = (id) => document.getElementById(id);
  const list = (text) => text.split(",").map((s) => s.trim()).filter(Boolean);
  const fail = (error) => showAlert($("admin-alert"), error.message || String(error));

  /* ---- hand-over rules ---- */
  const rulesText = () => $("rules-text").value;
  const result = () => $("rules-result");

  function showProblems(check) {
    const box = result();
    box.replaceChildren();
    if (check.valid) {
      box.append(el("p", { class: "alert is-info", "data-result": "valid" }, `Valid: ${check.rules} enabled rules.`));
      return true;
    }
    box.append(el("p", { class: "alert", "data-result": "invalid" }, "The rules have a problem:"),
      el("ul", { class: "rules-errors" }, check.errors.map((e) =>
        el("li", {}, e.line ? `Line ${e.line}: ${e.message}` : e.message))));
    if (check.errors[0] && check.errors[0].line) goToLine(check.errors[0].line);
    return false;
  }

  function goToLine(line) {
    const area = $("rules-text");
    const lines = area.value.split("\n");
    const start = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
    area.focus();
    area.setSelectionRange(start, start + (lines[line - 1] || "").length);
  }

  async function loadRules() {
    const rules = await api("/admin/rules");
    $("rules-text").value = rules.text;
    $("rules-source").textContent = rules.source;
  }

  async function validate() {
    showProblems(await api("/admin/rules/validate", { method: "POST", body: { text: rulesText() } }));
  }

  async function dryRun() {
    const days = Number($("rules-days").value) || 30;
    const report = await api("/admin/rules/dry-run", { method: "POST", body: { text: rulesText(), days } });
    if (!showProblems(report.check)) return;
    const rows = Object.entries(report.reasons).map(([code, c]) =>
      el("tr", { "data-reason": code }, el("td", {}, window.Tandem.reasonLabel(code)), el("td", {}, c.before),
        el("td", {}, c.after), el("td", {}, c.change > 0 ? `+${c.change}` : c.change)));
    const flips = report.flips.map((f) => el("li", {},
      el("a", { href: `/console/conversations/${f.conversation_id}` }, `#${f.conversation_id}`),
      ` ${f.before.owner} → ${f.after.owner}`, f.after.reasons.length ? ` (${f.after.reasons.join(", ")})` : ""));
    result().append(
      el("div", { class: "dry-run", "data-result": "dry-run" },
        el("h3", {}, "Dry run"),
        el("p", {}, `${report.conversations} conversations from the last ${report.days} days; handed over: `,
          `${report.handed_over.before} now, ${report.handed_over.after} with these rules. `,
          `${report.owner_flips.to_human} would go to a person, ${report.owner_flips.to_ai} would stay with the AI.`),
        el("table", { class: "data-table" },
          el("thead", {}, el("tr", {}, ["Reason", "Now", "With these rules", "Change"].map((h) => el("th", { scope: "col" }, h)))),
          el("tbody", {}, rows)),
        flips.length ? el("div", {}, el("h4", {}, "Conversations that change hands"), el("ul", {}, flips))
          : el("p", { class: "muted" }, "No conversation changes hands."),
        el("p", { class: "muted small" }, "Nothing was saved.")));
  }

  async function save() {
    try {
      const saved = await api("/admin/rules", { method: "PUT", body: { text: rulesText() } });
      $("rules-source").textContent = saved.source;
      result().replaceChildren(el("p", { class: "alert is-info", "data-result": "saved" }, "Saved. The desk uses these rules from now on."));
      toast("Hand-over rules saved.");
    } catch (error) {
      result().replaceChildren(el("p", { class: "alert", "data-result": "invalid" }, error.message));
    }
  }

  /* ---- knowledge base ---- */
  let articles = [];
  async function loadArticles() {
    articles = await api("/admin/articles");
    $("kb-table").tBodies[0].replaceChildren(...articles.map((a) => el("tr", {},
      el("td", {}, a.title), el("td", {}, a.tags.join(", ")), el("td", {}, a.policy_clause || ""),
      el("td", {}, a.published ? "Yes" : "No"),
      el("td", {}, el("button", { type: "button", class: "button small", onclick: () => editArticle(a) }, "Edit")))));
  }
  function editArticle(a) {
    $("kb-id").value = a ? a.id : "";
    $("kb-form-title").textContent = a ? `Edit “${a.title}”` : "New article";
    $("kb-title-input").value = a ? a.title : "";
    $("kb-body").value = a ? a.body : "";
    $("kb-tags").value = a ? a.tags.join(", ") : "";
    $("kb-clause").value = a ? a.policy_clause || "" : "";
    $("kb-published").checked = a ? a.published : true;
    $("kb-title-input").focus();
  }
  async function saveArticle(event) {
    event.preventDefault();
    const body = {
      title: $("kb-title-input").value, body: $("kb-body").value, tags: list($("kb-tags").value),
      policy_clause: $("kb-clause").value || null, published: $("kb-published").checked,
    };
    const id = $("kb-id").value;
    await api(id ? `/admin/articles/${id}` : "/admin/articles", { method: id ? "PUT" : "POST", body });
    toast("Article saved.");
    editArticle(null);
    await loadArticles();
  }

  /* ---- intents ---- */
  function showTraining(state) {
    const words = { idle: "No retrain has run since the desk started.", running: "Retraining…",
      done: `Retrained in ${state.seconds}s${state.model ? ` into ${state.model}` : ""}; the desk uses it from its next restart.`,
      failed: `The retrain failed: ${state.error}` };
    $("training-status").textContent = words[state.status] || state.status;
    $("training-status").dataset.status = state.status;
    $("retrain").disabled = state.status === "running";
  }
  async function loadIntents() {
    const data = await api("/admin/intents");
    showTraining(data.training);
    $("intents-table").tBodies[0].replaceChildren(...data.intents.map((i) => {
      const box = el("textarea", { rows: 2, "aria-label": `New examples for ${i.name}` });
      const add = async () => {
        const examples = box.value.split("\n").map((s) => s.trim()).filter(Boolean);
        if (!examples.length) return;
        await api(`/admin/intents/${encodeURIComponent(i.name)}/examples`, { method: "POST", body: { examples } });
        toast(`Examples added to ${i.name}. Retrain to use them.`);
        await loadIntents();
      };
      return el("tr", {}, el("td", { title: i.description }, i.name), el("td", {}, i.department || ""),
        el("td", {}, i.examples),
        el("td", {}, box, el("button", { type: "button", class: "button small", onclick: () => add().catch(fail) }, "Add")));
    }));
  }
  async function retrain() {
    showTraining(await api("/admin/intents/retrain", { method: "POST" }));
    const poll = async () => {
      const state = await api("/admin/intents/training");
      showTraining(state);
      if (state.status === "running") setTimeout(() => poll().catch(fail), 1000);
      else toast(state.status === "done" ? "Intent model retrained." : "The retrain failed.");
    };
    setTimeout(() => poll().catch(fail), 1000);
  }

  /* ---- users ---- */
  async function loadUsers() {
    const users = await api("/admin/users");
    $("users-table").tBodies[0].replaceChildren(...users.map((u) => {
      const queues = el("input", { value: u.queues.join(", "), "aria-label": `Queues of ${u.name}` });
      const capacity = el("input", { type: "number", min: 0, max: 50, value: u.capacity, "aria-label": `Capacity of ${u.name}` });
      const active = el("input", { type: "checkbox", checked: u.active, "aria-label": `${u.name} is active` });
      const save = async () => {
        await api(`/admin/users/${u.id}`, { method: "PATCH",
          body: { queues: list(queues.value), capacity: Number(capacity.value), active: active.checked } });
        toast(`${u.name} updated.`);
        await loadUsers();
      };
      return el("tr", {}, el("td", {}, u.name), el("td", {}, u.email), el("td", {}, u.role), el("td", {}, queues),
        el("td", {}, capacity), el("td", {}, active),
        el("td", {}, el("button", { type: "button", class: "button small", onclick: () => save().catch(fail) }, "Save")));
    }));
  }
  async function createUser(event) {
    event.preventDefault();
    await api("/admin/users", { method: "POST", body: {
      name: $("user-name").value, email: $("user-email").value, password: $("user-password").value,
      role: $("user-role").value, queues: list($("user-queues").value), capacity: Number($("user-capacity").value),
    } });
    toast("User created.");
    $("user-form").reset();
    await loadUsers();
  }

  /* ---- queues ---- */
  async function loadQueues() {
    const queues = await api("/admin/queues");
    $("queues-table").tBodies[0].replaceChildren(...queues.map((q) => {
      const description = el("input", { value: q.description, "aria-label": `Description of ${q.name}` });
      const minutes = el("input", { type: "number", min: 1, max: 600, value: q.avg_handle_minutes, "aria-label": `Average handle minutes of ${q.name}` });
      const save = async () => {
        await api(`/admin/queues/${encodeURIComponent(q.name)}`, { method: "PATCH",
          body: { description: description.value, avg_handle_minutes: Number(minutes.value) } });
        toast(`Queue ${q.name} updated.`);
      };
      return el("tr", {}, el("td", {}, q.name), el("td", {}, description), el("td", {}, minutes),
        el("td", {}, el("button", { type: "button", class: "button small", onclick: () => save().catch(fail) }, "Save")));
    }));
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("rules-validate").addEventListener("click", () => validate().catch(fail));
    $("rules-dry-run").addEventListener("click", () => dryRun().catch(fail));
    $("rules-save").addEventListener("click", () => save().catch(fail));
    $("kb-form").addEventListener("submit", (e) => saveArticle(e).catch(fail));
    $("kb-new").addEventListener("click", () => editArticle(null));
    $("retrain").addEventListener("click", () => retrain().catch(fail));
    $("user-form").addEventListener("submit", (e) => createUser(e).catch(fail));
    Promise.all([loadRules(), loadArticles(), loadIntents(), loadUsers(), loadQueues()])
      .then(() => { document.body.dataset.ready = "true"; }).catch(fail);
  });
})();
