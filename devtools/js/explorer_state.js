// Per explorer in the page: its moves image (src, decoded, natural size), the β and η
// readouts, whether both sliders are there, and the status line.
() => Array.from(document.querySelectorAll('.momentum-explorer')).map((box) => {
  const img = movesImg(box);
  const readout = (cls) => {
    const slider = box.querySelector('.' + cls);
    const r = slider && slider.querySelector('.widget-readout');
    if (!r) return null;
    return r.value !== undefined && r.tagName === 'INPUT' ? r.value : r.textContent.trim();
  };
  const status = box.querySelector('.explorer-status');
  return {
    src: img ? img.getAttribute('src') || '' : '',
    complete: img ? img.complete : false,
    width: img ? img.naturalWidth : 0,
    height: img ? img.naturalHeight : 0,
    beta: readout('explorer-beta'),
    lr: readout('explorer-lr'),
    hasBeta: !!box.querySelector('.explorer-beta .noUi-handle'),
    hasLr: !!box.querySelector('.explorer-lr .noUi-handle'),
    status: status ? status.textContent.trim() : null,
  };
})
