/* The supervisor's view: queues and waits, first-response targets at risk, hand-overs by reason and
   satisfaction by path. Redrawn from the overview endpoint whenever the inbox stream reports a change,
   and every half minute for the clocks. */
(() => {
  "use strict";
  const T = Tandem;
  const $ = (id) => document.getElementById(id);
  const PATH_COLOURS = { ai_only: "#7c3aed", handed_over: "#d97706", human_only: "#059669" };

  function queues(data) {
    const busy = data.queues.filter((q) => q.waiting || q.in_progress);
    T.charts.hbars($("queue-chart"), busy.map((q) => ({
      label: q.name.replace(/_/g, " "), value: q.waiting,
      text: `${q.waiting} waiting${q.in_progress ? ` · ${q.in_progress} in progress` : ""}`,
      colour: q.waiting ? "#d97706" : "#9aa5b1",
    })), { title: "Conversations waiting per queue", empty: "Nobody is waiting in any queue." });
    $("queue-table").tBodies[0].replaceChildren(...data.queues.map((q) => T.el("tr", {},
      T.el("th", { scope: "row" }, q.name.replace(/_/g, " ")),
      T.el("td", {}, q.waiting),
      T.el("td", {}, q.in_progress),
      T.el("td", {}, q.oldest_wait_seconds === null ? "—" : T.duration(q.oldest_wait_seconds)),
      T.el("td", {}, T.duration(q.estimated_wait_seconds.normal ?? 0)),
      T.el("td", {}, q.agents_online))));
  }

  function atRisk(data) {
    const list = $("at-risk");
    if (!data.at_risk.length) {
      list.replaceChildren(T.el("li", { class: "muted" }, "Every open hand-over is within its first-response target."));
      return;
    }
    list.replaceChildren(...data.at_risk.map((risk) => T.el("li", { class: risk.seconds_left < 0 ? "is-overdue" : "" },
      T.el("span", {},
        T.el("a", { href: `/console/conversations/${risk.conversation_id}` }, `#${risk.conversation_id}`),
        ` · ${risk.priority} · ${(risk.queue || "").replace(/_/g, " ")} · ${risk.agent_name || (risk.owner === "queued" ? "waiting" : "agent")}`),
      T.el("strong", {}, risk.seconds_left < 0 ? `overdue ${T.duration(-risk.seconds_left)}` : `${T.duration(risk.seconds_left)} left`))));
  }

  function reasons(data) {
    T.charts.hbars($("reason-chart"), data.handovers_by_reason.map((row) => ({
      label: T.reasonLabel(row.reason), value: row.count, text: String(row.count),
    })), { title: "Hand-overs in the last 7 days by main reason", empty: "No hand-overs in the last 7 days.", colour: "#d97706" });
  }

  function satisfaction(data) {
    T.charts.hbars($("satisfaction-chart"), data.satisfaction.map((row) => ({
      label: row.label, value: row.average || 0, colour: PATH_COLOURS[row.path],
      text: row.average === null ? `no ratings yet` : `${row.average.toFixed(1)} / 5 (${row.rated} rating${row.rated === 1 ? "" : "s"})`,
    })), { title: "Average satisfaction (1 to 5) by the path the conversation took", max: 5 });
  }

  function emotion(data) {
    // Did we turn it around? Mean frustration (0 calm – 1 angry) in the first and last customer message.
    const rows = [];
    for (const row of data.satisfaction) {
      if (row.frustration_start === null || row.frustration_start === undefined) continue;
      rows.push({ label: `${row.label}: start`, value: row.frustration_start, colour: "#9aa5b1",
        text: row.frustration_start.toFixed(2) });
      rows.push({ label: `${row.label}: end`, value: row.frustration_end, colour: PATH_COLOURS[row.path],
        text: row.frustration_end.toFixed(2) });
    }
    T.charts.hbars($("emotion-chart"), rows,
      { title: "Mean frustration at the start and the end of conversations, by path", max: 1,
        empty: "No triaged customer messages in the last 7 days." });
  }

  function approvals(data) {
    const list = $("approvals");
    if (!data.approvals || !data.approvals.length) {
      list.replaceChildren(T.el("li", { class: "muted" }, "Nothing is waiting for approval."));
      return;
    }
    list.replaceChildren(...data.approvals.map((item) => T.el("li", {},
      T.el("span", {},
        T.el("a", { href: `/console/conversations/${item.conversation_id}` }, `#${item.conversation_id}`),
        ` · ${item.outcome} £${item.amount} (agent limit £${item.limit ?? "?"})`),
      T.el("strong", {}, `asked ${T.clock(item.requested_at)}`))));
  }

  async function refresh() {
    try {
      // The queues come from the hand-over API (the same numbers customers are told); the rest is ours.
      const missing = (error) => (error.status === 404 ? null : Promise.reject(error));
      const [queueData, data] = await Promise.all([T.api("/queues").catch(missing), T.api("/console/overview?days=7")]);
      if (queueData) queues(queueData);
      else $("queue-chart").replaceChildren(T.el("p", { class: "muted" }, "Queue figures are not available on this desk."));
      atRisk(data); reasons(data); satisfaction(data); emotion(data); approvals(data);
      $("updated").textContent = `Updated ${T.clock(data.generated_at)}`;
      T.showAlert($("overview-alert"), "");
    } catch (error) {
      T.showAlert($("overview-alert"), `Couldn't load the overview: ${error.message}`);
    }
  }

  const soon = T.debounce(refresh, 800);
  refresh().then(() => T.stream("/api/v1/console/inbox/live", { changed: soon }, $("live-status")));
  setInterval(refresh, 30000);
})();
