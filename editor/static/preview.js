/* The preview pane from the engine's preview of a ruleset: the ranking, the grades, the weights used and
   the warnings, or the problems that stopped the scoring. */
(function () {
  "use strict";
  const el = window.el;
  const fixed = (x, digits) => x === null || x === undefined ? "—" : x.toFixed(digits);

  /* The pane's contents. `stale`: the ruleset has errors, so this is the last version without any. */
  function render(p, stale, { t, problemItem }) {
    if (!p) return [el("p", { class: "help", text: t("preview_waits") })];
    if (!p.ok) {
      return [el("p", { class: "error", text: t("preview_failed") }),
        el("ul", { class: "problems-inline" }, p.problems.map((d) => problemItem(d, true)))];
    }
    const head = el("p", { class: "summary", text: t("units_scored", { units: p.units, scored: p.scored }) + " · " + p.score.label });
    const grades = p.grades.length ? el("div", { class: "grades", "aria-label": t("grades") },
      p.grades.map((g, i) => el("span", { class: "chip grade-" + i, text: g.label + " " + g.count }))) : null;
    const table = el("table", { class: "ranking", id: "ranking" },
      el("caption", { text: t("ranking") }),
      el("thead", {}, el("tr", {}, [t("rank"), t("unit"), t("group"), t("score"), t("grade")].map((h) => el("th", { text: h })))),
      el("tbody", {}, p.rows.map((r) => el("tr", {},
        el("td", { class: "number", text: r.rank === null ? "—" : String(r.rank) }),
        el("td", {}, r.label || r.id, r.label ? el("span", { class: "muted", text: " " + r.id }) : null),
        el("td", { text: r.group || "" }),
        el("td", { class: "number", text: fixed(r.score, 2) }),
        el("td", { text: r.grade || "" })))));
    const more = p.units > p.rows.length ? el("p", { class: "help", text: t("more_rows", { n: p.units - p.rows.length }) }) : null;
    const weights = el("details", { class: "weights-used" }, el("summary", { text: t("weights_used") }),
      Object.entries(p.weights).map(([node, ws]) => el("div", {},
        el("h4", {}, el("code", { text: node }), " ", p.labels[node] || "",
          p.derived[node] ? el("span", { class: "muted", text: " — " + t("derived_by", { method: p.derived[node] }) }) : null),
        el("p", { class: "weights-line" }, Object.entries(ws).map(([c, w]) => el("span", { class: "chip", text: c + " " + fixed(w, 4) }))))));
    const warnings = p.warnings.length ? el("details", { class: "warnings" },
      el("summary", { text: t("warnings") + " (" + p.warnings.length + ")" }),
      el("ul", {}, p.warnings.map((d) => problemItem(d, true)))) : null;
    const note = stale ? el("p", { class: "stale-note", text: t("preview_stale") }) : null;
    return [note, head, grades, table, more, weights, warnings].filter(Boolean);
  }

  window.Preview = { render };
})();
