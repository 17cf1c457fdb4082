// What a projector shows of the classroom page: the viewport and the column (CSS px), the body
// text's size, every figure's displayed and natural width (static figures: the output's <img>;
// explorers: the image a move redraws) and every explorer slider's track length.
() => {
  const col = document.querySelector('#rendered_cells > div') || document.querySelector('#rendered_cells');
  const cs = getComputedStyle(col);
  const column = col.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
  const p = document.querySelector('.jp-RenderedMarkdown p');
  const cellOf = (el) => { const c = el.closest('[cell-index]'); return c ? +c.getAttribute('cell-index') : null; };
  const statics = Array.from(document.querySelectorAll('.jp-RenderedImage img')).map((img) => ({
    kind: 'figure', cell: cellOf(img), displayed: img.getBoundingClientRect().width, natural: img.naturalWidth,
  }));
  const explorers = Array.from(document.querySelectorAll('.momentum-explorer')).map((box) => {
    const img = rasterImg(box);  // the whole figure (the moves image may be a crop)
    return {kind: 'explorer', cell: cellOf(box), displayed: img.getBoundingClientRect().width,
            natural: img.naturalWidth,
            tracks: Array.from(box.querySelectorAll('.noUi-target')).map((t) => t.getBoundingClientRect().width)};
  });
  return {viewport: innerWidth, devicePixelRatio, column, body: p ? parseFloat(getComputedStyle(p).fontSize) : null,
          figures: statics.concat(explorers)};
}
