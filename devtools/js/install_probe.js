// One probe per page (window.__probe). A capture-phase keydown listener stamps performance.now()
// as a key event enters the page, a pointerup listener the release of a drag; a
// MutationObserver on the image a move changes (movesImg) stamps when its src changes
// (ipywidgets swaps in a new blob URL per image), and a load listener when the new image is
// decoded. Latency = src change − key down, all on the page's clock.
() => {
  if (window.__probe) return;
  const probe = window.__probe = {keyAt: null, upAt: null, imgs: [], changes: [], loads: []};
  document.addEventListener('keydown', () => { probe.keyAt = performance.now(); }, true);
  document.addEventListener('pointerup', () => { probe.upAt = performance.now(); }, true);
  // Watch every explorer's moves image not yet watched; returns how many are watched.
  probe.watch = () => {
    document.querySelectorAll('.momentum-explorer').forEach((box) => {
      const img = movesImg(box);
      if (!img || probe.imgs.includes(img)) return;
      const i = probe.imgs.push(img) - 1;
      probe.changes[i] = [];
      probe.loads[i] = [];
      new MutationObserver(() => probe.changes[i].push({at: performance.now(), key: probe.keyAt}))
        .observe(img, {attributes: true, attributeFilter: ['src']});
      img.addEventListener('load', () => probe.loads[i].push({at: performance.now(), key: probe.keyAt}));
    });
    return probe.imgs.length;
  };
  // The frame stamps ({at, key}) of explorer i: its src changes.
  probe.frames = (i) => probe.changes[i];
  // How many src changes and loads explorer i has had so far.
  probe.counts = (i) => [probe.changes[i].length, probe.loads[i].length];
  // Explorer i's first src change and load after the given counts, or null while either is
  // still to come.
  probe.next = (i, n, m) => (probe.changes[i].length > n && probe.loads[i].length > m
    ? [probe.changes[i][n], probe.loads[i][m]] : null);
}
