/* JSON Pointers (RFC 6901) into the document, and a small DOM builder that never parses HTML. */
(function () {
  "use strict";
  const escape = (key) => String(key).replace(/~/g, "~0").replace(/\//g, "~1");
  const parts = (pointer) => pointer === "" ? [] : pointer.slice(1).split("/").map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
  const join = (pointer, key) => pointer + "/" + escape(key);

  function get(doc, pointer) {
    let value = doc;
    for (const key of parts(pointer)) {
      if (value === null || typeof value !== "object") return undefined;
      value = Array.isArray(value) ? value[Number(key)] : value[key];
    }
    return value;
  }

  /* Set the value at pointer, making the objects on the way; undefined removes it, and the objects it leaves empty. */
  function set(doc, pointer, value) {
    const keys = parts(pointer);
    const trail = [doc];
    let at = doc;
    for (const key of keys.slice(0, -1)) {
      if (at[key] === null || typeof at[key] !== "object") {
        if (value === undefined) return;
        at[key] = {};
      }
      at = at[key];
      trail.push(at);
    }
    const last = keys[keys.length - 1];
    if (value === undefined) {
      if (Array.isArray(at)) at.splice(Number(last), 1); else delete at[last];
      for (let i = trail.length - 1; i > 0; i--) {
        const empty = !Array.isArray(trail[i]) && Object.keys(trail[i]).length === 0;
        if (!empty) break;
        delete trail[i - 1][keys[i - 1]];
      }
    } else {
      at[last] = value;
    }
  }

  /* Is `inner` at or below `outer`? */
  const within = (inner, outer) => outer === "" || inner === outer || inner.startsWith(outer + "/");

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else if (key === "dataset") Object.assign(node.dataset, value);
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children.flat()) {
      if (child !== null && child !== undefined && child !== false) node.append(child);
    }
    return node;
  }

  window.Pointer = { escape, parts, join, get, set, within };
  window.el = el;
})();
