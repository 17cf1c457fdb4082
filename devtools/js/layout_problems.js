// Layout problems inside the cells matched by cellSelector (by position, from 0): elements that stick out of their
// cell (horizontal overflow), elements that hide part of their content (clipped: overflow
// hidden/clip with more content than room), and numbers split across two lines. Content that
// scrolls inside its own box (overflow-x auto/scroll) is allowed to be wider than the box.
(cellSelector) => {
  const describe = (el) => {
    const cls = typeof el.className === 'string' ? el.className.trim().split(/\s+/).slice(0, 3).join('.') : '';
    return el.tagName.toLowerCase() + (cls ? '.' + cls : '');
  };
  const snippet = (el) => (el.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 80);
  const scrolls = (el) => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX);
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    // A box of one pixel or less is text hidden from view for screen readers on purpose.
    return r.width > 1 && r.height > 1 && getComputedStyle(el).visibility !== 'hidden';
  };
  const problems = [];
  const cells = Array.from(document.querySelectorAll(cellSelector));
  cells.forEach((cell, index) => {
    const right = cell.getBoundingClientRect().right;
    const out = new Set();  // report the outermost element that sticks out, not its children
    for (const el of cell.querySelectorAll('*')) {
      if (!visible(el)) continue;
      // Inside a box that scrolls (within this cell), sticking out of the cell is that box's
      // business, not the page's.
      let inScroller = false;
      for (let a = el.parentElement; a && a !== cell; a = a.parentElement) {
        if (scrolls(a)) { inScroller = true; break; }
      }
      const r = el.getBoundingClientRect();
      if (!inScroller && r.right > right + 1) {
        out.add(el);
        if (!out.has(el.parentElement)) problems.push({kind: 'overflow', cell: index, element: describe(el),
                       by: Math.round(r.right - right), text: snippet(el)});
      }
      const style = getComputedStyle(el);
      const clips = ['hidden', 'clip'].includes(style.overflowX);
      // An element that draws its own content (an image, a canvas, a slider's internals) may
      // crop its box on purpose; text that is cut off is what a learner loses.
      if (clips && el.scrollWidth > el.clientWidth + 1 && el.textContent.trim() &&
          !el.closest('.noUi-target')) {
        problems.push({kind: 'clipped', cell: index, element: describe(el),
                       by: el.scrollWidth - el.clientWidth, text: snippet(el)});
      }
    }
    // Numbers (digits, with a sign, decimal point or exponent) drawn on more than one line.
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    const number = /[-−+]?\d+(?:[.,]\d+)*(?:e[-+]?\d+)?/g;
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.parentElement || !visible(node.parentElement)) continue;
      if (node.parentElement.closest('mjx-container, .MathJax, script, style')) continue;
      for (const m of node.textContent.matchAll(number)) {
        if (m[0].length < 2) continue;
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const tops = new Set(Array.from(range.getClientRects()).filter((q) => q.width > 0)
          .map((q) => Math.round(q.top)));
        if (tops.size > 1) {
          problems.push({kind: 'split number', cell: index, element: describe(node.parentElement),
                         by: tops.size, text: m[0]});
        }
      }
    }
  });
  return problems;
}
