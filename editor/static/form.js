/* A form generated from the published ruleset schema: one field for each property of the part shown, the
   method's own parameters once a method is chosen. It checks nothing itself: every change goes to the engine. */
(function () {
  "use strict";
  const { join } = window.Pointer;
  const el = window.el;
  let counter = 0;

  const typeOf = (value) => value === null ? "null" : Array.isArray(value) ? "array"
    : typeof value === "number" ? (Number.isInteger(value) ? "integer" : "number") : typeof value;
  const types = (schema) => schema.type === undefined ? [] : [].concat(schema.type);
  const mainType = (schema) => types(schema).find((t) => t !== "null");

  function fits(schema, value) {
    if (value === undefined) return false;
    if (schema.enum) return schema.enum.includes(value);
    const want = types(schema);
    const got = typeOf(value);
    return want.includes(got) || (got === "integer" && want.includes("number"));
  }

  function matches(condition, value) {
    return (condition.required || []).every((k) => k in value)
      && Object.entries(condition.properties || {}).every(([k, c]) => !("const" in c) || value[k] === c.const);
  }

  /* The schema of a value as it stands: the oneOf alternative it fits, and the method's parameters merged in. */
  function resolve(schema, value) {
    if (!schema) return {};
    if (schema.oneOf) {
      const alternative = schema.oneOf.find((a) => fits(a, value)) || schema.oneOf[0];
      return resolve({ ...alternative, description: alternative.description || schema.description }, value);
    }
    if (schema.allOf && value && typeof value === "object") {
      const properties = { ...(schema.properties || {}) };
      for (const part of schema.allOf) {
        if (part.if && part.then && part.then.properties && matches(part.if, value)) {
          for (const [k, v] of Object.entries(part.then.properties)) properties[k] = { ...(properties[k] || {}), ...v };
        }
      }
      return { ...schema, properties };
    }
    return schema;
  }

  /* The schema at a pointer, walking from the root with the document's values. */
  function at(root, doc, pointer) {
    let schema = root;
    let value = doc;
    for (const key of window.Pointer.parts(pointer)) {
      schema = resolve(schema, value);
      value = value && typeof value === "object" ? value[key] : undefined;
      schema = (schema.properties && schema.properties[key])
        || (typeof schema.additionalProperties === "object" ? schema.additionalProperties : null)
        || (schema.items && typeof schema.items === "object" ? schema.items : null) || {};
    }
    return resolve(schema, value);
  }

  /* A method's parameters when it has none. */
  const takesNothing = (schema) => schema.additionalProperties === false && Object.keys(schema.properties || {}).length === 0;

  const isScalar = (schema) => !!schema.enum || !!schema.oneOf && schema.oneOf.every(isScalar)
    || ["string", "number", "integer", "boolean"].includes(mainType(schema));

  function number(text) {
    const trimmed = text.trim();
    if (trimmed === "") return undefined;
    const n = Number(trimmed);
    return Number.isFinite(n) ? n : trimmed; /* not a number: the engine says so, on this field */
  }

  function select(id, choices, current, descriptions, ctx) {
    const node = el("select", { id });
    node.append(el("option", { value: "", text: ctx.t("not_set") }));
    choices.forEach((choice, i) => {
      const option = el("option", { value: String(i), text: String(choice), title: descriptions ? descriptions[i] : null });
      if (choice === current) option.selected = true;
      node.append(option);
    });
    if (current !== undefined && !choices.includes(current)) { /* as written, though not one of the choices */
      node.append(el("option", { value: "written", text: String(current), selected: true }));
    }
    node.value_of = () => node.value === "" ? undefined : node.value === "written" ? current : choices[Number(node.value)];
    return node;
  }

  function control(schema, value, pointer, key, ctx, id) {
    const type = mainType(schema);
    const changed = (v, restructure) => ctx.onChange(pointer, v, restructure);
    if (schema.enum) {
      const node = select(id, schema.enum, value, schema.enumDescriptions, ctx);
      node.addEventListener("change", () => changed(node.value_of(), key === "method" || key === "format"));
      return node;
    }
    if (type === "boolean") {
      const node = select(id, [true, false], value, null, ctx);
      [...node.options].slice(1, 3).forEach((o, i) => { o.textContent = ctx.t(i === 0 ? "on" : "off") + " (" + (i === 0) + ")"; });
      node.addEventListener("change", () => changed(node.value_of()));
      return node;
    }
    if (type === "number" || type === "integer") {
      const node = el("input", { id, type: "text", inputmode: "decimal", value: value === undefined || value === null ? "" : String(value) });
      node.addEventListener("input", () => changed(number(node.value)));
      return node;
    }
    if (type === "string") {
      const long = key === "description";
      const node = el(long ? "textarea" : "input", { id, type: long ? null : "text", rows: long ? 3 : null,
        class: key === "formula" ? "code" : null });
      node.value = value === undefined ? "" : typeof value === "string" ? value : JSON.stringify(value);
      node.addEventListener("input", () => changed(node.value === "" ? undefined : node.value));
      return node;
    }
    if (type === "array" && schema.items && mainType(schema.items) === "string" && schema.items.pattern) {
      const node = el("input", { id, type: "text", class: "code", value: Array.isArray(value) ? value.join(", ") : "" });
      node.addEventListener("input", () => {
        const items = node.value.split(/[,，\s]+/).filter((s) => s !== "");
        changed(items.length ? items : undefined);
      });
      return node;
    }
    return jsonControl(value, pointer, ctx, id);
  }

  /* A part the form has no field for: its JSON, read by the engine's own reader when it changes. */
  function jsonControl(value, pointer, ctx, id) {
    const node = el("textarea", { id, class: "code", rows: value === undefined ? 1 : Math.min(8, JSON.stringify(value, null, 1).split("\n").length), spellcheck: "false" });
    node.value = value === undefined ? "" : JSON.stringify(value, null, 1).length < 80 ? JSON.stringify(value) : JSON.stringify(value, null, 2);
    node.addEventListener("change", async () => {
      if (node.value.trim() === "") { ctx.onChange(pointer, undefined); return; }
      const parsed = await ctx.parseJson(node.value);
      if (parsed.ok) ctx.onChange(pointer, parsed.value, true);
      else ctx.localProblem(pointer, parsed.message);
    });
    return node;
  }

  function field(key, schema, value, pointer, ctx) {
    const id = "f" + (++counter);
    if (mainType(schema) === "object" && schema.properties && Object.keys(schema.properties).length && !schema.oneOf) {
      return group(key, resolve(schema, value), value, pointer, ctx);
    }
    if (mainType(schema) === "object" && !schema.properties && typeof schema.additionalProperties === "object"
        && mainType(schema.additionalProperties) === "number" && value && typeof value === "object") {
      return numbers(key, schema, value, pointer, ctx);
    }
    if (mainType(schema) === "array" && rowsFit(schema, value)) return rowsOf(key, schema, value, pointer, ctx);
    const shown = resolve(schema, value);
    const input = control(shown, value, pointer, key, ctx, id);
    const help = el("p", { class: "help" });
    const describe = () => {
      const i = shown.enum ? shown.enum.indexOf(input.value_of ? input.value_of() : value) : -1;
      help.textContent = i >= 0 && shown.enumDescriptions ? shown.enumDescriptions[i] : (shown.description || schema.description || "");
    };
    describe();
    input.addEventListener("change", describe);
    return el("div", { class: "field", dataset: { pointer } },
      el("label", { for: id }, named(key, schema)), input, help, el("ul", { class: "field-problems" }));
  }

  /* The scalar columns of a list of objects (grade bands, rounding steps), when every row has only those. */
  function columnsOf(schema) {
    const item = schema.items && typeof schema.items === "object" ? resolve(schema.items, undefined) : {};
    return Object.keys(item.properties || {}).filter((k) => isScalar(item.properties[k]));
  }

  function rowsFit(schema, value) {
    const columns = columnsOf(schema);
    return columns.length > 0 && (value === undefined || Array.isArray(value) && value.every((row) =>
      row && typeof row === "object" && !Array.isArray(row) && Object.keys(row).every((k) => columns.includes(k))));
  }

  function rowsOf(key, schema, value, pointer, ctx) {
    const columns = columnsOf(schema);
    const item = resolve(schema.items, undefined);
    const rows = Array.isArray(value) ? value : [];
    const body = rows.map((row, i) => el("tr", {},
      columns.map((c) => {
        const here = join(join(pointer, String(i)), c);
        const input = control(resolve(item.properties[c], row[c]), row[c], here, c, ctx, "f" + (++counter));
        input.setAttribute("aria-label", c + " " + (i + 1));
        return el("td", { class: "cell", dataset: { pointer: here } }, input, el("ul", { class: "field-problems" }));
      }),
      el("td", {}, el("button", { type: "button", class: "small", text: ctx.t("remove"), "aria-label": ctx.t("remove") + " " + (i + 1),
        onclick: () => { const kept = rows.filter((_, j) => j !== i); ctx.onChange(pointer, kept.length ? kept : undefined, true); } }))));
    return el("fieldset", { class: "group", dataset: { pointer } }, el("legend", {}, named(key, schema)),
      el("p", { class: "help", text: schema.description || "" }),
      el("table", { class: "rows" },
        el("thead", {}, el("tr", {}, columns.map((c) => el("th", { title: item.properties[c].description || "" }, el("code", { text: c }))), el("th", {}))),
        el("tbody", {}, body)),
      el("button", { type: "button", class: "small", text: ctx.t("add_row"), onclick: () => ctx.onChange(pointer, [...rows, {}], true) }),
      el("ul", { class: "field-problems" }));
  }

  /* A field's label: its name in the page's language where the schema gives one (its title), and its key. */
  function named(key, schema) {
    return schema.title ? [schema.title, " ", el("code", { class: "key", text: key })] : [el("code", { text: key })];
  }

  function numbers(key, schema, value, pointer, ctx) {
    const rows = Object.entries(value).map(([k, v]) => {
      const id = "f" + (++counter);
      const input = el("input", { id, type: "text", inputmode: "decimal", value: String(v) });
      const here = join(pointer, k);
      input.addEventListener("input", () => ctx.onChange(here, number(input.value)));
      return el("div", { class: "field inline", dataset: { pointer: here } },
        el("label", { for: id }, el("code", { text: k }), " ", el("span", { class: "muted", text: ctx.labelOf(k) })),
        input, el("ul", { class: "field-problems" }));
    });
    return el("fieldset", { class: "group", dataset: { pointer } }, el("legend", {}, named(key, schema)),
      el("p", { class: "help", text: schema.description || "" }), rows, el("ul", { class: "field-problems" }));
  }

  function group(key, schema, value, pointer, ctx) {
    const fields = fieldsOf(schema, value, pointer, ctx);
    return el("fieldset", { class: "group", dataset: { pointer } }, el("legend", {}, named(key, schema)),
      el("p", { class: "help", text: schema.description || "" }), fields, el("ul", { class: "field-problems" }));
  }

  /* One field a property; properties written but unknown to the schema are shown too (the engine tells why). */
  function fieldsOf(schema, value, pointer, ctx, options = {}) {
    const shown = resolve(schema, value);
    const own = value && typeof value === "object" && !Array.isArray(value) ? value : {};
    const wanted = (k) => !(options.skip || []).includes(k) && (!options.only || options.only.includes(k));
    const keys = Object.keys(shown.properties || {}).filter((k) => wanted(k)
      && (!options.scalarsOnly || isScalar(shown.properties[k])) && !(own[k] === undefined && takesNothing(shown.properties[k])));
    for (const k of Object.keys(own)) if (!keys.includes(k) && wanted(k) && !options.scalarsOnly) keys.push(k);
    return keys.map((k) => field(k, (shown.properties || {})[k] || {}, own[k], join(pointer, k), ctx));
  }

  window.Form = { at, fieldsOf };
})();
