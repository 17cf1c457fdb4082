// An init script of the benchmark's pages (runs before the page's own scripts): stamps every
// drawImage onto a visible canvas inside a benchmark box, which is when an ipympl frame is
// painted (window.__mplDraws: {way, at, key}).
(() => {
  window.__mplDraws = [];
  const orig = CanvasRenderingContext2D.prototype.drawImage;
  CanvasRenderingContext2D.prototype.drawImage = function (...args) {
    const out = orig.apply(this, args);
    const c = this.canvas;
    if (c && c.isConnected) {
      const box = c.closest('.mpl-bench');
      if (box) {
        const cls = Array.from(box.classList).find((k) => k.startsWith('bench-way-'));
        window.__mplDraws.push({way: cls.slice('bench-way-'.length), at: performance.now(),
                                key: window.__probe ? window.__probe.keyAt : null});
      }
    }
    return out;
  };
})();
