/* The co-pilot brief beside the thread (GET /conversations/{id}/brief): why the conversation is here,
   with the customer's own words as evidence; a summary; what is already known; identity checks; the
   emotion timeline; the customer (vulnerability only when the brief carries it); orders; knowledge-base
   articles; next best actions; what the AI already said; the suggested reply; and the exception
   recommendation with the decisions this agent may take. A section with nothing in it is left out. */
(() => {
  "use strict";
  const T = Tandem;
  const el = T.el;
  const OUTCOME = { approve: "approved", partial: "partial", decline: "declined" };

  const money = (value, currency = "GBP") => {
    const number = Number(value);
    if (value === null || value === undefined || !Number.isFinite(number)) return "";
    return new Intl.NumberFormat("en-GB", { style: "currency", currency: currency || "GBP" }).format(number);
  };
  const words = (text) => String(text ?? "").replace(/_/g, " ");
  const day = (iso) => (iso ? new Date(iso).toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric" }) : "");
  const pairs = (rows) => el("dl", { class: "facts" }, rows
    .filter(([, value]) => value !== null && value !== undefined && value !== "")
    .flatMap(([label, value]) => [el("dt", {}, label), el("dd", {}, String(value))]));

  function section(title, ...content) {
    return el("section", { "aria-label": title }, el("h3", {}, title), ...content);
  }

  function why(brief) {
    if (!brief.why.length) return null;
    return section("Why it's here", ...brief.why.map((reason) => el("div", { class: "reason" },
      el("div", { class: "reason-title" }, T.reasonLabel(reason.code)),
      reason.explanation ? el("div", { class: "small" }, reason.explanation) : null,
      reason.evidence.length ? el("ul", { class: "evidence", "aria-label": "In the customer's words" },
        reason.evidence.map((quote) => el("li", {}, el("q", {}, quote)))) : null)));
  }

  function summary(brief) {
    if (!brief.summary) return null;
    const departments = brief.departments.length > 1
      ? el("p", { class: "muted small" }, `Touches ${brief.departments.map(words).join(", ")}.`) : null;
    return section("Summary", el("p", {}, brief.summary), departments);
  }

  function facts(brief) {
    if (!brief.facts.length) return null;
    return section("Already known", el("dl", { class: "facts" }, brief.facts.flatMap((fact) => [
      el("dt", {}, fact.label.charAt(0).toUpperCase() + fact.label.slice(1)),
      el("dd", {}, fact.value, fact.turn ? el("span", { class: "muted small" }, ` · message ${fact.turn}`) : null),
    ])));
  }

  function identity(brief) {
    if (!brief.identity.length) return null;
    const mark = (passed) => (passed === true ? ["✓", "Checked"] : passed === false ? ["✗", "Not confirmed"] : ["?", "Unknown"]);
    return section("Identity", el("ul", { class: "checks" }, brief.identity.map((check) => {
      const [symbol, label] = mark(check.passed);
      return el("li", { dataset: { passed: String(check.passed) } },
        el("span", { "aria-hidden": "true", class: "check-mark" }, symbol), el("span", { class: "visually-hidden" }, `${label}: `),
        check.detail);
    })));
  }

  function emotion(brief) {
    if (!brief.emotion.length) return null;
    const chart = el("div", { class: "chart" });
    const points = brief.emotion.map((point) => ({ value: Number(point.frustration), label: `Message ${point.turn} (${point.label})` }));
    T.charts.line(chart, points, { title: "Customer frustration, message by message", guide: 0.7, guideLabel: "frustrated" });
    return section("Emotion", chart, el("p", { class: "chart-legend" }, brief.emotion_trend));
  }

  function vulnerability(notes) {
    if (!notes || !notes.length) return null;
    return el("div", { class: "vulnerable", role: "note" },
      el("strong", {}, "Vulnerability recorded"),
      el("ul", {}, notes.map((note) => el("li", {},
        note.drivers.map(words).join(", "), note.notes ? ` — ${note.notes}` : "",
        el("span", { class: "muted small" }, ` (${words(note.source)}, ${day(note.recorded_at)})`)))));
  }

  function customer(brief) {
    const c = brief.customer;
    if (!c) return null;
    const granted = c.exceptions.filter((e) => e.outcome !== "declined").length;
    return section("Customer", pairs([
      ["Name", c.name], ["Tier", words(c.tier)], ["Customer for", c.tenure],
      ["Lifetime value", money(c.lifetime_value)], ["Open cases", c.open_cases], ["Past complaints", c.past_complaints],
      ["Exceptions", c.exceptions.length ? `${granted} granted of ${c.exceptions.length} asked` : "none before"],
    ]), vulnerability(c.vulnerability));
  }

  function orders(brief) {
    if (!brief.orders.length) return null;
    return section("Orders", el("table", { class: "orders" },
      el("thead", {}, el("tr", {}, ["Order", "Status", "Total", "Placed"].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, brief.orders.map((order) => el("tr", { class: order.mentioned ? "is-mentioned" : "" },
        el("td", {}, order.number, order.mentioned ? el("span", { class: "muted small" }, " · mentioned") : null),
        el("td", {}, words(order.status), order.carrier ? el("div", { class: "muted small" }, order.carrier) : null),
        el("td", {}, money(order.total, order.currency)),
        el("td", {}, day(order.placed_at)))))));
  }

  function knowledge(brief) {
    if (!brief.knowledge.length) return null;
    return section("Knowledge base", el("ul", { class: "kb" }, brief.knowledge.map((article) => el("li", {},
      el("strong", {}, article.title), article.policy_clause ? ` (policy ${article.policy_clause})` : "",
      article.matched.length ? el("div", { class: "muted small" }, `Matches: ${article.matched.join(", ")}`) : null))));
  }

  function nextActions(brief) {
    if (!brief.next_best_actions.length) return null;
    return section("Next best actions", el("ol", { class: "kb" }, brief.next_best_actions.map((action) => el("li", {}, action))));
  }

  function aiActions(brief) {
    if (!brief.ai_actions.length) return null;
    return section("What the AI already said", el("ul", { class: "kb small" }, brief.ai_actions.map((action) => el("li", {},
      el("span", { class: "muted" }, `${T.clock(action.at)} ${action.kind === "handover_notice" ? "hand-over notice" : words(action.skill || "reply")}: `),
      action.text))));
  }

  function suggestion(brief, ctx) {
    if (!brief.suggested_reply) return null;
    return section("Suggested reply", el("p", { class: "suggested" }, brief.suggested_reply),
      el("button", { type: "button", class: "button small", onclick: () => ctx.useSuggestion(brief.suggested_reply, true) },
        "Put in the editor"));
  }

  /* Approve, partial or decline when the amount is within this person's limit; above it, ask a supervisor. */
  function exceptionActions(advice, ctx) {
    const rec = advice.recommendation;
    const full = Number(advice.resolution_cost);
    const partial = rec.outcome === "partial" ? Number(rec.amount) : Math.round(full * 50) / 100;
    const limit = Number(ctx.user.exception_limit ?? 0);
    const options = [["approved", "Approve", full], ["partial", "Partial", partial], ["declined", "Decline", 0]];
    const allowed = (amount) => ctx.canApproveAny || amount <= limit;
    const actions = el("div", { class: "exception-actions" });
    for (const [outcome, label, amount] of options.filter(([, , amount]) => allowed(amount))) {
      const recommended = OUTCOME[rec.outcome] === outcome;
      actions.append(el("button", {
        type: "button", class: `button small${recommended ? " primary" : ""}${outcome === "declined" ? " danger" : ""}`,
        onclick: () => ctx.decide(outcome, amount),
      }, outcome === "declined" ? label : `${label} ${money(amount)}`));
    }
    const above = options.filter(([, , amount]) => !allowed(amount));
    if (above.length) {
      const [outcome, , amount] = above.find(([o]) => o === OUTCOME[rec.outcome]) || above[0];
      actions.append(
        el("button", { type: "button", class: "button small", onclick: () => ctx.decide(outcome, amount, true) },
          "Request supervisor approval"),
        el("p", { class: "muted small" }, `${money(amount)} is above your limit of ${money(limit)}.`));
    }
    return actions;
  }

  function exception(brief, ctx) {
    const advice = brief.exception;
    if (!advice) return null;
    const rec = advice.recommendation;
    const asked = el("p", { class: "small" }, "Asked: ", el("q", {}, advice.requested));
    if (!rec) return section("Exception request", asked, el("p", { class: "muted small" }, advice.cost_basis));
    return section("Exception recommendation", el("div", { class: "exception-box" },
      asked,
      el("div", {}, el("span", { class: "exception-outcome" }, `Recommended: ${rec.outcome}`),
        rec.outcome === "decline" ? "" : ` · ${money(rec.amount)}`, el("span", { class: "muted" }, ` · score ${rec.score}/100`)),
      el("p", { class: "muted small" }, `Cost: ${money(advice.resolution_cost)}, ${advice.cost_basis}.`),
      el("ul", { class: "factors", "aria-label": "How the score was reached" }, rec.factors.map((factor) => el("li", {},
        `${words(factor.note || factor.name)} (${factor.value}): ${factor.points > 0 ? "+" : ""}${factor.points}`))),
      exceptionActions(advice, ctx)));
  }

  function render(container, brief, ctx) {
    const parts = [
      why(brief), summary(brief), facts(brief), identity(brief), emotion(brief), customer(brief), orders(brief),
      knowledge(brief), nextActions(brief), aiActions(brief), suggestion(brief, ctx), exception(brief, ctx),
    ].filter(Boolean);
    container.replaceChildren(...(parts.length ? parts : [el("p", { class: "muted" }, "Nothing in the brief yet.")]));
  }

  T.brief = { render };
})();
