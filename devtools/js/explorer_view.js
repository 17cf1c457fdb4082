// Per explorer: the type sizes of its controls (px) and how its figure is scaled. An SVG layer
// cannot be stretched; the raster (the background, or the whole frame) can.
() => Array.from(document.querySelectorAll('.momentum-explorer')).map((box) => {
  const sizes = (sel) => Array.from(box.querySelectorAll(sel))
    .filter((e) => e.offsetParent !== null && e.textContent.trim())
    .map((e) => parseFloat(getComputedStyle(e).fontSize));
  const img = rasterImg(box);
  const rect = img.getBoundingClientRect();
  return {
    label: sizes('.widget-label'),
    readout: sizes('.widget-readout'),
    button: sizes('button'),
    status: sizes('.explorer-status-text, .explorer-status'),
    naturalWidth: img.naturalWidth,
    cssWidth: rect.width,
    devicePixels: rect.width * window.devicePixelRatio,
    columnWidth: box.getBoundingClientRect().width,
  };
})
