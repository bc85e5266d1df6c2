/* Small inline SVG charts, drawn by hand: horizontal bars and a line over time. Each chart is an
   image with a text alternative that says what it shows, value by value. */
(() => {
  "use strict";
  const T = Tandem;
  let uid = 0;

  function frame(width, height, title, description) {
    uid += 1;
    const titleId = `chart-title-${uid}`;
    const descId = `chart-desc-${uid}`;
    const svg = T.el("svg", {
      viewBox: `0 0 ${width} ${height}`, width, height, role: "img",
      "aria-labelledby": `${titleId} ${descId}`, preserveAspectRatio: "xMinYMin meet",
    });
    svg.append(T.el("title", { id: titleId }, title), T.el("desc", { id: descId }, description));
    return svg;
  }

  /* rows: [{label, value, text?, colour?}] */
  function hbars(container, rows, { title, max, colour = "#1d4ed8", empty = "Nothing to show yet." } = {}) {
    if (!rows.length) {
      container.replaceChildren(T.el("p", { class: "muted" }, empty));
      return;
    }
    // Label, bar, then the value in a column of its own, so a long value never runs off the edge.
    const width = 600; const labelWidth = 150; const barRoom = 220; const valueX = labelWidth + barRoom + 10;
    const rowHeight = 30;
    const top = Math.max(max || 0, ...rows.map((row) => row.value), 1);
    const description = rows.map((row) => `${row.label}: ${row.text ?? row.value}`).join("; ");
    const svg = frame(width, rows.length * rowHeight + 8, title, description);
    rows.forEach((row, index) => {
      const y = index * rowHeight + 4;
      const length = Math.max(row.value > 0 ? 3 : 0, (row.value / top) * barRoom);
      svg.append(
        T.el("text", { x: labelWidth - 8, y: y + 17, "text-anchor": "end", "font-size": 13, fill: "#323f4b" }, row.label),
        T.el("rect", { x: labelWidth, y: y + 4, width: barRoom, height: 18, rx: 4, fill: "#eef2f7" }),
        T.el("rect", { x: labelWidth, y: y + 4, width: length, height: 18, rx: 4, fill: row.colour || colour }),
        T.el("text", { x: valueX, y: y + 17, "font-size": 13, fill: "#1f2933", "font-weight": 600 },
          row.text ?? String(row.value)),
      );
    });
    container.replaceChildren(svg);
  }

  /* points: [{value (0..1), label}] in time order; draws the line, a dot per point and a guide line. */
  function line(container, points, { title, guide = 0.6, guideLabel = "" } = {}) {
    if (!points.length) {
      container.replaceChildren(T.el("p", { class: "muted" }, "No readings yet."));
      return;
    }
    const width = 480; const height = 150; const left = 40; const right = 10; const top = 12; const bottom = 22;
    const plotW = width - left - right; const plotH = height - top - bottom;
    const x = (i) => left + (points.length === 1 ? plotW / 2 : (i / (points.length - 1)) * plotW);
    const y = (v) => top + (1 - Math.max(0, Math.min(1, v))) * plotH;
    const description = points.map((p) => `${p.label}: ${Math.round(p.value * 100)}%`).join("; ");
    const svg = frame(width, height, title, description);
    for (const [v, text] of [[0, "calm"], [0.5, ""], [1, "upset"]]) {
      svg.append(T.el("line", { x1: left, x2: width - right, y1: y(v), y2: y(v), stroke: "#e4e7eb" }));
      if (text) svg.append(T.el("text", { x: left - 4, y: y(v) + 4, "text-anchor": "end", "font-size": 11, fill: "#52606d" }, text));
    }
    if (guide !== null) {
      svg.append(T.el("line", {
        x1: left, x2: width - right, y1: y(guide), y2: y(guide), stroke: "#dc2626", "stroke-dasharray": "4 3",
      }));
      if (guideLabel) {
        svg.append(T.el("text", { x: left + 4, y: y(guide) - 4, "font-size": 11, fill: "#b91c1c" }, guideLabel));
      }
    }
    const path = points.map((p, i) => `${i ? "L" : "M"}${x(i).toFixed(1)},${y(p.value).toFixed(1)}`).join(" ");
    svg.append(T.el("path", { d: path, fill: "none", stroke: "#7c3aed", "stroke-width": 2.5, "stroke-linejoin": "round" }));
    points.forEach((p, i) => {
      const dot = T.el("circle", {
        cx: x(i), cy: y(p.value), r: 4.5, fill: p.value >= guide ? "#dc2626" : "#7c3aed", stroke: "#fff", "stroke-width": 1.5,
      });
      dot.append(T.el("title", {}, `${p.label}: ${Math.round(p.value * 100)}%`));
      svg.append(dot);
    });
    svg.append(T.el("text", { x: left, y: height - 6, "font-size": 11, fill: "#52606d" }, points[0].label));
    if (points.length > 1) {
      svg.append(T.el("text", { x: width - right, y: height - 6, "text-anchor": "end", "font-size": 11, fill: "#52606d" },
        points[points.length - 1].label));
    }
    container.replaceChildren(svg);
  }

  T.charts = { hbars, line };
})();
