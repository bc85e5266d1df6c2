/* One conversation: the thread (live), the agent's actions through the public API, and the co-pilot
   brief, refreshed as the customer writes. The suggested reply is put in the editor ready to edit,
   never over something the agent has typed. */
(() => {
  "use strict";
  const T = Tandem;
  const $ = (id) => document.getElementById(id);
  const id = T.config.conversation_id;
  const me = T.config.user;
  const isSupervisor = me.role === "supervisor" || me.role === "admin";
  const canApproveAny = T.config.scopes.includes("exceptions:approve");
  const ui = {
    thread: $("thread"), meta: $("conv-meta"), alert: $("conv-alert"), take: $("take"), handBack: $("hand-back"),
    resolve: $("resolve"), reopen: $("reopen"), composer: $("composer"), editor: $("editor"), send: $("send-reply"),
    note: $("add-note"), suggestionState: $("suggestion-state"), brief: $("brief"), briefUpdated: $("brief-updated"),
  };
  const shown = new Map();
  let conversation = null;
  let agentName = null;
  let handoff = null;
  let suggestion = "";
  let answered = "";       // the suggestion that was current when the agent last sent: not offered again
  let briefMissing = false;

  // ---- the thread ---------------------------------------------------------------------------------

  function author(message) {
    if (message.visibility === "internal") return `Internal note · ${message.author_id === me.id ? "you" : "an agent"}`;
    if (message.author_kind === "agent") {
      if (message.author_id === me.id) return "You";
      return message.author_id === conversation?.assigned_agent_id && agentName ? agentName : "Agent";
    }
    return { customer: "Customer", ai: "AI assistant", system: "Notice to the customer" }[message.author_kind] || message.author_kind;
  }

  function addMessage(message) {
    if (shown.has(message.id)) return;
    const item = T.el("li", { class: "tmsg", dataset: { id: message.id, author: message.author_kind, visibility: message.visibility } },
      T.el("div", { class: "tmsg-who" }, `${author(message)} · `, T.el("time", { datetime: message.created_at }, T.clock(message.created_at))),
      T.el("p", { class: "tmsg-body" }, message.body));
    const later = [...ui.thread.children].find((li) => Number(li.dataset.id) > message.id);
    ui.thread.insertBefore(item, later || null);
    shown.set(message.id, item);
    ui.thread.scrollTop = ui.thread.scrollHeight;
  }

  // ---- state and actions --------------------------------------------------------------------------

  const mine = () => conversation && conversation.owner === "human"
    && (conversation.assigned_agent_id === me.id || isSupervisor);

  function renderHead() {
    const c = conversation;
    const owner = { ai: "with the AI assistant", queued: "waiting for a person", resolved: "resolved",
      human: c.assigned_agent_id === me.id ? "with you" : `with ${agentName || "another agent"}` }[c.owner];
    const parts = [`${c.channel} chat`, c.queue ? `queue ${c.queue.replace(/_/g, " ")}` : null, `${c.priority} priority`, owner];
    if (c.owner === "queued" && c.handed_over_at) parts.push(`waiting ${T.duration((Date.now() - new Date(c.handed_over_at)) / 1000)}`);
    if (c.satisfaction) parts.push(`rated ${c.satisfaction}/5`);
    ui.meta.textContent = parts.filter(Boolean).join(" · ");
    ui.take.hidden = !(c.owner === "queued" || c.owner === "ai");
    ui.take.textContent = c.owner === "ai" ? "Take over from the AI" : "Take conversation";
    ui.handBack.hidden = !(c.owner === "queued" || mine());
    ui.resolve.hidden = !(c.owner === "ai" || c.owner === "queued" || mine());
    ui.reopen.hidden = c.owner !== "resolved";
    ui.send.disabled = !mine();
    ui.send.title = mine() ? "" : "Take the conversation to reply to the customer.";
  }

  async function act(path, body, done) {
    T.showAlert(ui.alert, "");
    try {
      const result = await T.api(`/conversations/${id}/${path}`, { method: "POST", body });
      if (result && result.owner) { conversation = { ...conversation, ...result }; renderHead(); }
      if (done) done(result);
      return result;
    } catch (error) {
      T.showAlert(ui.alert, error.status === 409 && path === "assign"
        ? `You can't take this conversation: ${error.message}`
        : `That didn't work: ${error.message}`);
      return null;
    }
  }

  ui.take.addEventListener("click", () => act("assign", {}, () => {
    T.toast("The conversation is yours. The customer has been told a person has joined.");
    ui.editor.focus();
  }));
  ui.handBack.addEventListener("click", () => act("hand-back", { reason: "agent handed back to the AI" },
    () => T.toast("Handed back to the AI assistant.")));
  ui.resolve.addEventListener("click", () => act("resolve", { reason: "resolved by an agent" },
    () => T.toast("Resolved. The customer is asked to rate the conversation.")));
  ui.reopen.addEventListener("click", () => act("reopen", { reason: "reopened by an agent" }, () => T.toast("Reopened.")));

  async function sendReply() {
    const body = ui.editor.value.trim();
    if (!body) { T.showAlert(ui.alert, "Write a reply first."); ui.editor.focus(); return; }
    if (!mine()) { T.showAlert(ui.alert, "Take the conversation before replying to the customer."); return; }
    ui.send.disabled = true;
    const message = await act("reply", { body });
    if (message) {
      addMessage(message);
      answered = suggestion;
      ui.editor.value = "";
      markSuggested(false);
      ui.suggestionState.textContent = "Reply sent.";
    }
    renderHead();
  }

  ui.composer.addEventListener("submit", (event) => { event.preventDefault(); sendReply(); });
  ui.editor.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); sendReply(); }
  });
  ui.note.addEventListener("click", async () => {
    const body = ui.editor.value.trim();
    if (!body) { T.showAlert(ui.alert, "Write the note first."); ui.editor.focus(); return; }
    const message = await act("notes", { body });
    if (message) { addMessage(message); ui.editor.value = ""; markSuggested(false); T.toast("Internal note added."); }
  });

  // ---- the suggested reply ------------------------------------------------------------------------

  function markSuggested(on) { ui.editor.classList.toggle("is-suggested", on); }

  function useSuggestion(text, force = false) {
    if (!text || (text === answered && !force)) return;
    const untouched = !ui.editor.value.trim() || ui.editor.value === suggestion;
    if (untouched || force) {
      ui.editor.value = text;
      markSuggested(true);
      ui.suggestionState.textContent = "Suggested by the co-pilot: edit it as you like, then send.";
    } else if (text !== suggestion) {
      ui.suggestionState.textContent = "A new suggested reply is in the brief.";
    }
    suggestion = text;
  }

  ui.editor.addEventListener("input", () => markSuggested(ui.editor.value === suggestion && !!suggestion));

  // ---- the brief ----------------------------------------------------------------------------------

  async function decide(outcome, amount, needsApproval = false) {
    const body = { outcome, amount: Number(amount).toFixed(2) };
    try {
      await T.api(`/conversations/${id}/exception-decision`, { method: "POST", body });
      T.toast(outcome === "declined" ? "Exception declined." : `Exception ${outcome}: ${body.amount}.`);
    } catch (error) {
      if (error.code === "supervisor_approval_required") {
        // Above the limit the desk records a request for a supervisor instead: that is what we asked for.
        T.toast("Sent to a supervisor for approval. Nothing has been granted yet.");
      } else {
        T.showAlert(ui.alert, `The exception decision wasn't recorded: ${error.message}`);
      }
    }
    if (needsApproval) ui.suggestionState.textContent = "Tell the customer a supervisor is reviewing the request.";
    loadBrief();
  }

  async function loadBrief() {
    ui.brief.setAttribute("aria-busy", "true");
    try {
      const brief = await T.api(`/conversations/${id}/brief`);
      briefMissing = false;
      T.brief.render(ui.brief, brief, { user: me, canApproveAny: canApproveAny, useSuggestion, decide });
      ui.briefUpdated.textContent = `Updated ${T.clock(brief.built_at)}`;
      useSuggestion(brief.suggested_reply);
    } catch (error) {
      if (error.status === 404) {
        // Before the co-pilot is deployed, or before this conversation has a brief: say so, calmly.
        briefMissing = true;
        renderWithoutBrief();
      } else {
        ui.brief.replaceChildren(T.el("p", { class: "alert" }, `Couldn't load the brief: ${error.message}`));
      }
    } finally {
      ui.brief.removeAttribute("aria-busy");
    }
  }
  function renderWithoutBrief() {
    const reasons = handoff && handoff.reasons ? handoff.reasons : [];
    ui.brief.replaceChildren(...[
      T.el("p", { class: "muted", dataset: { state: "unavailable" } },
        "No co-pilot brief for this conversation yet. The thread has everything the customer said."),
      reasons.length ? T.el("section", { "aria-label": "Why it's here" }, T.el("h3", {}, "Why it's here"),
        T.el("div", { class: "chips" }, reasons.map((code) => T.el("span", { class: "chip" }, T.reasonLabel(code))))) : null,
    ].filter(Boolean));
  }

  const refreshBrief = T.debounce(loadBrief, 600);
  const BRIEF_EVENTS = /^(message\.triaged|handoff\.|brief\.|exception\.|decision\.)/;

  // ---- live ---------------------------------------------------------------------------------------

  function applyState(state) {
    conversation = state.conversation;
    agentName = state.agent_name;
    handoff = state.handoff;
    renderHead();
    if (briefMissing) renderWithoutBrief();
  }

  async function start() {
    try {
      const detail = await T.api(`/conversations/${id}`);
      conversation = detail;
      const lastEvent = detail.events.reduce((max, event) => Math.max(max, event.id), 0);
      const lastMessage = detail.messages.reduce((max, message) => Math.max(max, message.id), 0);
      detail.messages.forEach(addMessage);
      renderHead();
      T.stream(`/api/v1/conversations/${id}/live?after=${lastMessage}-${lastEvent}`, {
        message: (message) => {
          const fresh = !shown.has(message.id);
          addMessage(message);
          if (fresh && message.author_kind === "customer") {
            T.announce("The customer wrote a new message.");
            refreshBrief();
          }
        },
        state: applyState,
        activity: (event) => { if (BRIEF_EVENTS.test(event.type) || (briefMissing && event.type.startsWith("handoff"))) refreshBrief(); },
      });
      loadBrief();
    } catch (error) {
      T.showAlert(ui.alert, error.status === 404 ? `There is no conversation #${id}.` : `Couldn't load the conversation: ${error.message}`);
    }
  }

  start();
})();
