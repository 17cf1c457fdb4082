// [the stamps (ms) of the frames of k from the n-th on, the release time]; source as in
// release_quiet.js. With n = null: the number of frames of k so far.
([source, k, n]) => {
  const frames = source === 'bench' ? window.__bench.frames(k) : window.__probe.frames(k);
  if (n === null) return frames.length;
  return [frames.slice(n).map((f) => f.at), window.__probe.upAt];
}
