// Runs axe-core (already injected as window.axe) over `context` (a CSS selector, or null for the
// whole document) and returns every violation node with the part of the page it lies in, decided
// by DOM ancestry (devtools/a11y.py says which parts are the project's own).
async ({context, tags, areas}) => {
  const results = await axe.run(context ? document.querySelectorAll(context) : document, {
    runOnly: {type: 'tag', values: tags},
    resultTypes: ['violations'],
  });
  // axe names a node by a list of selectors, one per frame; an entry that is itself a list
  // walks into shadow roots.
  const resolve = (target) => {
    let el = null;
    for (const part of target) {
      const chain = Array.isArray(part) ? part : [part];
      let root = document;
      for (const sel of chain) {
        el = root.querySelector(sel);
        if (!el) return null;
        root = el.shadowRoot || el;
      }
    }
    return el;
  };
  const areaOf = (el) => {
    if (!el) return 'unresolved';
    if (el === document.documentElement || el === document.body) return 'page';
    for (const [name, selector] of areas) if (el.closest(selector)) return name;
    return 'other';
  };
  const found = [];
  for (const v of results.violations) {
    for (const node of v.nodes) {
      found.push({
        rule: v.id, impact: node.impact || v.impact, help: v.help, tags: v.tags,
        target: JSON.stringify(node.target), area: areaOf(resolve(node.target)),
        html: node.html.slice(0, 300), summary: (node.failureSummary || '').slice(0, 400),
      });
    }
  }
  return found;
}
