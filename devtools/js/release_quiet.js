// After a mouse drag: true once no frame has come for quietMs since the later of the last
// frame and the release. source: 'probe' (window.__probe's frames of explorer k) or 'bench'
// (window.__bench's frames of way k).
([source, k, quietMs]) => {
  const frames = source === 'bench' ? window.__bench.frames(k) : window.__probe.frames(k);
  const last = frames.length ? frames[frames.length - 1].at : 0;
  return performance.now() - Math.max(last, window.__probe.upAt || 0) >= quietMs;
}
