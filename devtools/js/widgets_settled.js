// True once the number of explorers in the page has not changed for quietMs (widget views
// attach asynchronously after their outputs arrive). Polled: keeps its state on window.
(quietMs) => {
  const n = document.querySelectorAll('.momentum-explorer').length;
  const now = performance.now();
  if (window.__settle === undefined || window.__settle.n !== n) window.__settle = {n, since: now};
  return now - window.__settle.since >= quietMs;
}
