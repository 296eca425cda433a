/* Changes to the framework that touch more than one part of the ruleset: a child added to a node (with a
   weight of 0 where the node's weights are written, so their sum is unchanged), created, taken out, or an
   indicator or node deleted everywhere. They change the document; the engine then checks it. */
(function () {
  "use strict";
  const { join, get, set } = window.Pointer;
  const CODE = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

  /* Where the node's children's weights are written: in the node, or in the fixed weight set it names. */
  function weightsOf(doc, code) {
    const weights = ((doc.nodes || {})[code] || {}).weights;
    if (typeof weights === "string") {
      const named = (doc.weights || {})[weights];
      return named && named.method === "fixed" ? join(join(join("/weights", weights), "params"), "values") : null;
    }
    return weights && typeof weights === "object" ? join(join("/nodes", code), "weights") : null;
  }

  function addChild(doc, code, child) {
    const node = doc.nodes[code];
    node.children = [...(Array.isArray(node.children) ? node.children : []), child];
    const values = weightsOf(doc, code);
    if (values && get(doc, join(values, child)) === undefined) set(doc, join(values, child), 0);
  }

  /* A new indicator or node under `code`; the key of the words that say why not, or null. */
  function create(doc, code, child, kind) {
    if (!CODE.test(child)) return "bad_code";
    if (child in (doc.indicators || {}) || child in (doc.nodes || {})) return "code_taken";
    if (kind === "indicator") {
      doc.indicators = doc.indicators || {};
      doc.indicators[child] = { label: child, column: child, direction: "higher" };
    } else {
      doc.nodes = doc.nodes || {};
      doc.nodes[child] = { label: child, method: "weighted_mean", children: [] };
    }
    addChild(doc, code, child);
    return null;
  }

  function removeChild(doc, code, child) {
    const node = doc.nodes[code];
    node.children = (node.children || []).filter((c) => c !== child);
    const values = weightsOf(doc, code);
    if (values) set(doc, join(values, child), undefined);
  }

  function remove(doc, code) {
    for (const [name, node] of Object.entries(doc.nodes || {})) {
      if (Array.isArray(node.children) && node.children.includes(code)) removeChild(doc, name, code);
    }
    if (doc.indicators) delete doc.indicators[code];
    if (doc.nodes) delete doc.nodes[code];
  }

  window.Framework = { weightsOf, addChild, create, removeChild, remove };
})();
