/* The editor page: the tree, the form of the part selected, the JSON and the preview. The engine on the
   server checks every change (the same compiler as engine validate) and scores the preview. */
(function () {
  "use strict";
  const { join, parts, get, set, within } = window.Pointer;
  const el = window.el;
  const $ = (id) => document.getElementById(id);
  const TOKEN = document.body.dataset.token;
  const SETTINGS = ["normalise", "treat", "coverage", "rank", "grades", "rounding", "panel", "uncertainty", "outputs"];

  const state = {
    lang: localStorage.getItem("govscore.lang") || document.body.dataset.lang || "zh",
    file: document.body.dataset.file || null, doc: null, text: "", dirty: false,
    diagnostics: [], preview: null, selected: "", schemas: {}, sequence: 0, checking: false, local: {},
  };

  const t = (key, fields = {}) => (window.GOVSCORE_STRINGS[state.lang][key] || key)
    .replace(/\{(\w+)\}/g, (_, k) => fields[k] === undefined ? "" : String(fields[k]));
  const zh = () => state.lang === "zh";
  const message = (d) => zh() && d.message_zh ? d.message_zh : d.message;
  const hintOf = (d) => zh() && d.hint_zh ? d.hint_zh : d.hint;
  const errors = () => state.diagnostics.filter((d) => d.severity === "error");

  async function api(path, payload) {
    let response;
    try {
      response = await fetch(path, {
        method: payload === undefined ? "GET" : "POST",
        headers: { "X-Govscore-Token": TOKEN, "Content-Type": "application/json" },
        body: payload === undefined ? undefined : JSON.stringify(payload),
      });
    } catch (e) {
      toast(t("stopped"));
      throw e;
    }
    return { status: response.status, body: await response.json() };
  }

  async function schema() {
    if (!state.schemas[state.lang]) state.schemas[state.lang] = (await api("/api/schema?lang=" + state.lang)).body;
    return state.schemas[state.lang];
  }

  function toast(text) {
    const node = $("toast");
    node.textContent = text;
    node.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => { node.hidden = true; }, 6000);
  }

  /* ---------- the tree ---------- */

  const labelOf = (code) => {
    const item = (state.doc.indicators || {})[code] || (state.doc.nodes || {})[code];
    return item && typeof item.label === "string" && item.label ? item.label : "";
  };

  function treeItems() {
    const doc = state.doc;
    const indicators = doc.indicators && typeof doc.indicators === "object" ? doc.indicators : {};
    const nodes = doc.nodes && typeof doc.nodes === "object" ? doc.nodes : {};
    const items = [];
    const seen = new Set();
    const visit = (code, depth) => {
      if (seen.has(code)) return;
      seen.add(code);
      const isNode = code in nodes;
      if (!isNode && !(code in indicators)) return;
      items.push({ pointer: join(isNode ? "/nodes" : "/indicators", code), code, label: labelOf(code), depth, kind: isNode ? "node" : "indicator" });
      const children = isNode && Array.isArray(nodes[code].children) ? nodes[code].children : [];
      children.forEach((c) => visit(String(c), depth + 1));
    };
    items.push({ heading: t("framework") });
    if (typeof doc.score === "string" && doc.score) visit(doc.score, 0);
    const restNodes = Object.keys(nodes).filter((c) => !seen.has(c));
    if (restNodes.length) { items.push({ heading: t("other_nodes") }); restNodes.forEach((c) => visit(c, 0)); }
    const rest = Object.keys(indicators).filter((c) => !seen.has(c));
    if (rest.length) {
      items.push({ heading: t("other_indicators") });
      rest.forEach((c) => items.push({ pointer: join("/indicators", c), code: c, label: labelOf(c), depth: 0, kind: "indicator" }));
    }
    const sets = doc.weights && typeof doc.weights === "object" ? Object.keys(doc.weights) : [];
    if (sets.length) {
      items.push({ heading: t("weight_sets") });
      sets.forEach((c) => items.push({ pointer: join("/weights", c), code: c, label: (doc.weights[c] || {}).label || "", depth: 0, kind: "set" }));
    }
    items.push({ heading: t("data") });
    items.push({ pointer: "/units", code: "units", label: t("units"), depth: 0, kind: "part" });
    const sources = doc.sources && typeof doc.sources === "object" ? Object.keys(doc.sources) : [];
    sources.forEach((c) => items.push({ pointer: join("/sources", c), code: c, label: (doc.sources[c] || {}).path || "", depth: 0, kind: "source" }));
    items.push({ heading: t("settings") });
    items.push({ pointer: "", code: t("ruleset"), label: typeof doc.title === "string" ? doc.title : "", depth: 0, kind: "root" });
    const titled = (c) => ((state.schemas[state.lang] || {}).properties || {})[c] || {};
    SETTINGS.forEach((c) => items.push({ pointer: "/" + c, code: c, label: [titled(c).title, c in doc ? "" : t("absent")].filter(Boolean).join(" · "),
      depth: 0, kind: "part", absent: !(c in doc) }));
    return items;
  }

  /* The tree item a diagnostic belongs to: the deepest item whose part holds its path. */
  function ownerOf(path, items) {
    let best = null;
    for (const item of items) {
      if (item.heading !== undefined || item.pointer === "") continue;
      if (within(path, item.pointer) && (!best || item.pointer.length > best.pointer.length)) best = item;
    }
    return best ? best.pointer : "";
  }

  function renderTree() {
    const items = treeItems();
    const counts = {};
    for (const d of state.diagnostics) {
      const owner = ownerOf(d.path || "", items);
      counts[owner] = counts[owner] || { error: 0, warning: 0 };
      counts[owner][d.severity === "error" ? "error" : "warning"] += 1;
    }
    const list = el("ul", { class: "tree-list" });
    for (const item of items) {
      if (item.heading !== undefined) { list.append(el("li", { class: "tree-heading", text: item.heading })); continue; }
      const count = counts[item.pointer];
      const button = el("button", {
        type: "button", class: "tree-item " + item.kind + " depth-" + Math.min(item.depth, 6) + (item.absent ? " absent" : ""),
        dataset: { pointer: item.pointer }, "aria-current": item.pointer === state.selected ? "true" : null,
        onclick: () => select(item.pointer),
      }, el("code", { text: item.code }), item.label ? el("span", { class: "muted", text: " " + item.label }) : null,
      count && count.error ? el("span", { class: "badge error", text: String(count.error), title: t("n_errors", { n: count.error }) }) : null,
      count && !count.error && count.warning ? el("span", { class: "badge warning", text: String(count.warning), title: t("n_warnings", { n: count.warning }) }) : null);
      list.append(el("li", {}, button));
    }
    $("tree-items").replaceChildren(list);
  }

  $("tree-items").addEventListener("keydown", (event) => {
    if (!["ArrowDown", "ArrowUp", "Home", "End"].includes(event.key)) return;
    const buttons = [...$("tree-items").querySelectorAll("button")];
    const i = buttons.indexOf(document.activeElement);
    const next = event.key === "Home" ? 0 : event.key === "End" ? buttons.length - 1
      : Math.max(0, Math.min(buttons.length - 1, i + (event.key === "ArrowDown" ? 1 : -1)));
    buttons[next].focus();
    event.preventDefault();
  });

  function select(pointer) {
    state.selected = pointer;
    renderTree();
    renderForm();
  }

  /* ---------- the form ---------- */

  function formContext() {
    return {
      t, labelOf,
      onChange: (pointer, value, restructure) => change(pointer, value, restructure),
      parseJson: async (text) => {
        const { body } = await api("/api/parse", { text });
        return "value" in body ? { ok: true, value: body.value } : { ok: false, message: body.diagnostics.map(message).join(" ") };
      },
      localProblem: (pointer, text) => { state.local[pointer] = text; markFields(); },
    };
  }

  async function renderForm() {
    const root = await schema();
    const pointer = state.selected;
    const value = pointer === "" ? state.doc : get(state.doc, pointer);
    const partSchema = window.Form.at(root, state.doc, pointer);
    const ctx = formContext();
    const kind = parts(pointer)[0];
    const title = pointer === "" ? t("ruleset") : parts(pointer).slice(-1)[0];
    const heading = el("h2", {}, el("code", { text: title }), " ",
      el("span", { class: "muted", text: pointer === "" ? "" : labelOf(title) }));
    const content = [heading, el("p", { class: "help", text: partSchema.description || "" })];
    if (pointer === "") {
      content.push(...window.Form.fieldsOf(partSchema, value, "", ctx, { scalarsOnly: true }));
    } else if (kind === "nodes") {
      const first = ["label", "method", "params"];
      content.push(...window.Form.fieldsOf(partSchema, value, pointer, ctx, { only: first }));
      content.push(childrenTable(title, value || {}));
      content.push(...window.Form.fieldsOf(partSchema, value, pointer, ctx, { skip: [...first, "children", "weights"] }));
    } else {
      content.push(...window.Form.fieldsOf(partSchema, value, pointer, ctx));
    }
    if (kind === "nodes" || kind === "indicators") {
      content.push(el("p", {}, el("button", { type: "button", class: "danger", text: t("delete_item", { code: title }),
        onclick: () => removeItem(title) })));
    }
    $("form").replaceChildren(...content);
    $("form").dataset.pointer = pointer;
    markFields();
  }

  /* A node's children, each with its weight where the ruleset writes it, and the weight the preview used. */
  function childrenTable(code, node) {
    const pointer = join("/nodes", code);
    const children = Array.isArray(node.children) ? node.children.map(String) : [];
    const weights = node.weights;
    const values = window.Framework.weightsOf(state.doc, code);
    const weightAt = (child) => values ? join(values, child) : null;
    const used = state.preview && state.preview.ok ? (state.preview.weights || {})[code] || {} : {};
    const derived = state.preview && state.preview.ok ? (state.preview.derived || {})[code] : null;
    const note = weights === undefined ? t("equal_weights") : typeof weights === "string"
      ? t("weights_in", { set: weights }) + (derived ? " — " + t("derived_by", { method: derived }) : "") : "";
    const rows = children.map((child, i) => {
      const at = weightAt(child);
      const id = "w" + i;
      let cell = el("span", { class: "muted", text: "—" });
      if (at) {
        const current = get(state.doc, at);
        cell = el("input", { id, type: "text", inputmode: "decimal", class: "weight", value: current === undefined ? "" : String(current),
          "aria-label": t("weight") + " " + child, dataset: { pointer: at } });
        cell.addEventListener("input", () => {
          const text = cell.value.trim();
          const n = Number(text);
          change(at, text === "" ? undefined : Number.isFinite(n) ? n : text);
        });
      }
      const usedValue = used[child];
      return el("tr", { dataset: { pointer: at || join(join(pointer, "children"), String(i)) } },
        el("td", {}, el("button", { type: "button", class: "link", onclick: () => select(join(child in (state.doc.nodes || {}) ? "/nodes" : "/indicators", child)) },
          el("code", { text: child })), " ", el("span", { class: "muted", text: labelOf(child) })),
        el("td", {}, cell),
        el("td", { class: "number", text: usedValue === undefined || usedValue === null ? "" : usedValue.toFixed(4) }),
        el("td", {}, el("button", { type: "button", class: "small", text: t("remove"), "aria-label": t("remove") + " " + child,
          onclick: () => removeChild(code, child) })));
    });
    const candidates = [...Object.keys(state.doc.indicators || {}), ...Object.keys(state.doc.nodes || {})]
      .filter((c) => c !== code && !children.includes(c));
    const existing = el("select", { "aria-label": t("add_existing") },
      el("option", { value: "", text: t("add_existing") }), candidates.map((c) => el("option", { value: c, text: c + " " + labelOf(c) })));
    const newCode = el("input", { type: "text", class: "code", placeholder: t("code_placeholder"), "aria-label": t("code_placeholder") });
    return el("fieldset", { class: "group children", dataset: { pointer: join(pointer, "weights") } },
      el("legend", {}, t("children_weights")),
      el("p", { class: "help", text: note }),
      el("table", { class: "weights" },
        el("thead", {}, el("tr", {}, el("th", { text: t("child") }), el("th", { text: t("weight") }), el("th", { text: t("used") }), el("th", {}))),
        el("tbody", {}, rows)),
      el("div", { class: "field", dataset: { pointer: join(pointer, "children") } }, el("ul", { class: "field-problems" })),
      el("div", { class: "add-row" }, existing,
        el("button", { type: "button", text: t("add"), onclick: () => { if (existing.value) addChild(code, existing.value); } })),
      el("div", { class: "add-row" }, newCode,
        el("button", { type: "button", text: t("new_indicator"), onclick: () => createChild(code, newCode.value.trim(), "indicator") }),
        el("button", { type: "button", text: t("new_node"), onclick: () => createChild(code, newCode.value.trim(), "node") })),
      el("ul", { class: "field-problems" }));
  }

  function createChild(code, child, kind) {
    const problem = window.Framework.create(state.doc, code, child, kind);
    if (problem) { toast(t(problem, { code: child })); return; }
    changed(true);
  }

  function removeChild(code, child) {
    window.Framework.removeChild(state.doc, code, child);
    changed(true);
  }

  function addChild(code, child) {
    window.Framework.addChild(state.doc, code, child);
    changed(true);
  }

  function removeItem(code) {
    if (!window.confirm(t("confirm_delete", { code }))) return;
    window.Framework.remove(state.doc, code);
    state.selected = typeof state.doc.score === "string" && state.doc.score !== code ? join("/nodes", state.doc.score) : "";
    changed(true);
  }

  function change(pointer, value, restructure) {
    if (pointer === "") return;
    set(state.doc, pointer, value);
    delete state.local[pointer];
    changed(restructure);
  }

  function changed(restructure) {
    state.dirty = true;
    if (restructure) renderForm();
    renderTree();
    renderStatus();
    scheduleCheck();
  }

  /* Show each diagnostic on the field it concerns: the deepest field of the form whose part holds its path. */
  function markFields() {
    const form = $("form");
    form.querySelectorAll(".field-problems").forEach((ul) => ul.replaceChildren());
    form.querySelectorAll(".has-error, .has-warning").forEach((n) => n.classList.remove("has-error", "has-warning"));
    const fields = [...form.querySelectorAll("[data-pointer]")].filter((n) => n.querySelector(":scope > .field-problems"));
    const shown = [...state.diagnostics];
    for (const [pointer, text] of Object.entries(state.local)) shown.push({ path: pointer, severity: "error", message: text, code: "" });
    for (const d of shown) {
      let best = null;
      for (const node of fields) {
        const p = node.dataset.pointer;
        if (within(d.path || "", p) && (state.selected !== "" || p !== "") && (!best || p.length > best.dataset.pointer.length)) best = node;
      }
      if (state.selected === "" && best === null && parts(d.path || "").length <= 1) {
        best = fields.find((n) => n.dataset.pointer === (d.path || "")) || null;
      }
      if (!best) continue;
      best.classList.add(d.severity === "error" ? "has-error" : "has-warning");
      best.querySelector(":scope > .field-problems").append(problemItem(d, false));
    }
  }

  function problemItem(d, linked) {
    const hint = hintOf(d);
    const body = [el("span", { class: "code-tag", text: d.code }), " ", message(d),
      hint ? el("span", { class: "hint", text: " " + t("hint", { hint }) }) : null];
    const item = el("li", { class: d.severity === "error" ? "error" : "warning" });
    if (linked) {
      item.append(el("button", { type: "button", class: "link problem", onclick: () => goTo(d.path || "") }, body));
    } else {
      item.append(...body);
    }
    return item;
  }

  function goTo(path) {
    select(ownerOf(path, treeItems()));
    setTimeout(() => {
      const target = [...$("form").querySelectorAll(".has-error input, .has-error select, .has-error textarea")][0];
      if (target) target.focus();
    }, 50);
  }

  function renderProblems() {
    $("problems-title").textContent = t("problems");
    $("problem-list").replaceChildren(...state.diagnostics.map((d) => problemItem(d, true)));
    $("problems").hidden = state.diagnostics.length === 0;
    $("json-problems").replaceChildren(...state.diagnostics.filter((d) => d.line).map((d) =>
      el("li", { class: d.severity }, t("line", { n: d.line }) + ": " + message(d))));
  }

  function renderStatus() {
    const status = $("status");
    const unsaved = state.dirty;
    const errorCount = errors().length;
    const warningCount = state.diagnostics.length - errorCount;
    status.replaceChildren(
      el("span", { class: unsaved ? "unsaved" : "saved",
        text: state.checking ? t("checking") : unsaved ? t("unsaved") : state.exists ? t("saved") : t("not_saved_yet") }),
      " · ", el("span", { class: errorCount ? "error" : "ok", text: errorCount ? t("n_errors", { n: errorCount }) : t("no_problems") }),
      warningCount ? el("span", { class: "warning", text: " · " + t("n_warnings", { n: warningCount }) }) : "");
    $("file").textContent = state.file || t("new_ruleset");
    document.title = (state.file || t("new_ruleset")) + " — govscore";
  }

  /* ---------- the preview ---------- */

  function renderPreview() {
    const pane = $("pane-preview");
    const stale = errors().length > 0; /* the last version without problems stays in view, marked as such */
    pane.replaceChildren(...window.Preview.render(state.preview, stale, { t, problemItem }));
    pane.classList.toggle("stale", stale && !!state.preview && state.preview.ok);
  }

  /* ---------- checking ---------- */

  function scheduleCheck(text) {
    clearTimeout(scheduleCheck.timer);
    state.checking = true;
    renderStatus();
    scheduleCheck.timer = setTimeout(() => check(text), text === undefined ? 250 : 500);
  }

  async function check(text) {
    const sequence = ++state.sequence;
    state.checking = true;
    renderStatus();
    const { body } = await api("/api/check", text === undefined ? { document: state.doc } : { text });
    if (sequence !== state.sequence) return; /* a newer change is on its way */
    state.checking = false;
    state.diagnostics = body.diagnostics || [];
    state.unreadable = body.document === null || body.document === undefined;
    if (!state.unreadable) {
      state.text = body.text;
      if (text !== undefined) { state.doc = body.document; renderForm(); }
      if (body.preview) state.preview = body.preview;
    }
    if (document.activeElement !== $("json")) $("json").value = state.text;
    renderTree();
    markFields();
    renderProblems();
    renderPreview();
    renderStatus();
    if (state.selected.startsWith("/nodes/")) refreshUsedWeights();
  }

  function refreshUsedWeights() {
    const code = parts(state.selected)[1];
    const used = state.preview && state.preview.ok ? (state.preview.weights || {})[code] || {} : {};
    $("form").querySelectorAll("table.weights tbody tr").forEach((row, i) => {
      const children = ((state.doc.nodes || {})[code] || {}).children || [];
      const value = used[children[i]];
      row.children[2].textContent = value === undefined || value === null ? "" : value.toFixed(4);
    });
  }

  $("json").addEventListener("input", () => { state.dirty = true; scheduleCheck($("json").value); });

  /* ---------- saving ---------- */

  async function save(name) {
    if (state.unreadable) { showTab("json"); toast(t("json_broken")); return; }
    if (!state.file && !name) { askName(); return; }
    const { body } = await api("/api/save", { document: state.doc, name });
    if (body.ok) {
      const isNew = !state.file;
      state.file = body.file;
      state.dirty = false;
      state.exists = true;
      toast(errors().length ? t("saved_with_problems", { file: body.file }) : isNew ? t("wrote_new", { file: body.file }) : t("wrote", { file: body.file }));
      closeDialog();
      renderStatus();
      return;
    }
    if (body.conflict) { conflict(body.diagnostics[0]); return; }
    if (!state.file) { askName(body.diagnostics[0]); return; }
    toast(body.diagnostics.map(message).join(" "));
  }

  function closeDialog() { if ($("dialog").open) $("dialog").close(); }

  function dialog(title, ...content) {
    const box = $("dialog");
    box.replaceChildren(el("h2", { id: "dialog-title", text: title }), ...content);
    if (!box.open) box.showModal();
  }

  function askName(problem) {
    const input = el("input", { type: "text", id: "save-name", value: (state.doc.id || "ruleset") + ".json", "aria-describedby": "save-hint" });
    const go = () => save(input.value.trim());
    input.addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); go(); } });
    dialog(t("save_as"), el("p", { id: "save-hint", class: "help", text: t("save_as_hint") }), input,
      problem ? el("p", { class: "error", text: message(problem) }) : null,
      el("div", { class: "buttons" }, el("button", { type: "button", class: "primary", text: t("save"), onclick: go }),
        el("button", { type: "button", text: t("cancel"), onclick: closeDialog })));
    input.focus();
  }

  function conflict(problem) {
    dialog(t("changed_on_disk"), el("p", { text: message(problem) }), el("p", { class: "help", text: hintOf(problem) || "" }),
      el("div", { class: "buttons" },
        el("button", { type: "button", class: "primary", id: "reload-from-disk", text: t("reload_from_disk"), onclick: () => { closeDialog(); reload(true); } }),
        el("button", { type: "button", text: t("keep_editing"), onclick: closeDialog })));
  }

  async function reload(confirmed) {
    if (!confirmed && state.dirty && !window.confirm(t("reload_confirm"))) return;
    const { body } = await api("/api/reload?lang=" + state.lang, {});
    opened(body);
  }

  function opened(body) {
    state.exists = body.exists !== false;
    if (!state.exists) { chooser(body.templates || []); return; }
    $("chooser").hidden = true;
    $("form").hidden = false;
    state.dirty = false;
    state.text = body.text;
    $("json").value = body.text;
    if (body.document === null || body.document === undefined) { /* not JSON yet: put it right in the JSON pane */
      state.doc = {};
      state.diagnostics = body.diagnostics || [];
      showTab("json");
      renderAll();
      return;
    }
    state.doc = body.document;
    state.selected = typeof state.doc.score === "string" && (state.doc.nodes || {})[state.doc.score] ? join("/nodes", state.doc.score) : "";
    renderAll();
    check();
  }

  function chooser(templates) {
    $("form").hidden = true;
    const box = $("chooser");
    box.hidden = false;
    box.replaceChildren(el("h2", { text: t("choose_template") }), el("p", { class: "help", text: t("choose_hint") }),
      el("ul", { class: "templates" }, templates.map((tpl) => el("li", {},
        el("button", { type: "button", class: "template", dataset: { name: tpl.name }, onclick: () => choose(tpl.name) },
          el("strong", { text: tpl.title }), el("span", { class: "muted", text: tpl.description }))))));
    state.doc = {};
    renderTree();
    renderPreview();
    renderStatus();
    const first = box.querySelector("button");
    if (first) first.focus();
  }

  async function choose(name) {
    const { body } = await api("/api/template?lang=" + state.lang, { name });
    $("chooser").hidden = true;
    $("form").hidden = false;
    state.doc = body.document;
    state.dirty = true;
    state.selected = typeof state.doc.score === "string" && (state.doc.nodes || {})[state.doc.score] ? join("/nodes", state.doc.score) : "";
    renderAll();
    check();
  }

  function showTab(which) {
    for (const name of ["preview", "json"]) {
      $("tab-" + name).setAttribute("aria-selected", String(name === which));
      $("pane-" + name).hidden = name !== which;
    }
  }

  function renderWords() {
    document.documentElement.lang = zh() ? "zh-CN" : "en";
    $("save").textContent = t("save");
    $("reload").textContent = t("reload");
    $("lang-label").textContent = t("language");
    $("tab-preview").textContent = t("preview");
    $("tab-json").textContent = t("json");
    $("json-hint").textContent = t("json_hint");
    $("tree-title").textContent = t("tree");
    $("lang").value = state.lang;
  }

  function renderAll() {
    renderWords();
    renderTree();
    if (!$("form").hidden) renderForm();
    renderProblems();
    renderPreview();
    renderStatus();
  }

  $("tab-preview").addEventListener("click", () => showTab("preview"));
  $("tab-json").addEventListener("click", () => showTab("json"));
  document.querySelector(".tabs").addEventListener("keydown", (e) => {
    if (e.key === "ArrowRight" || e.key === "ArrowLeft") {
      const next = $("tab-preview").getAttribute("aria-selected") === "true" ? "json" : "preview";
      showTab(next);
      $("tab-" + next).focus();
    }
  });
  $("save").addEventListener("click", () => save());
  $("reload").addEventListener("click", () => reload(false));
  $("lang").addEventListener("change", () => {
    state.lang = $("lang").value;
    localStorage.setItem("govscore.lang", state.lang);
    schema().then(renderAll);
    if (!$("chooser").hidden) api("/api/start?lang=" + state.lang).then(({ body }) => opened(body));
  });
  document.addEventListener("keydown", (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "s") { e.preventDefault(); save(); }
  });
  window.addEventListener("beforeunload", (e) => {
    if (state.dirty) e.preventDefault();
  });

  renderWords();
  schema().then(() => api("/api/start?lang=" + state.lang)).then(({ body }) => opened(body));
})();
