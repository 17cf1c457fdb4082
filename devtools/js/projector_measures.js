// What a projector shows of the classroom page: the viewport and the column (CSS px), the body
// text's size, every figure's displayed width and the width it was drawn for (its design width:
// a static figure's width attribute, from the output's metadata, else its pixel width; an
// explorer figure's own width, set by the library) and every explorer slider's track length.
() => {
  // The explorer's own width: its inline width, in px or as the px fallback of
  // var(--explorer-figure-width, …px) that lets a page stretch it.
  const designWidth = (fig) => {
    const px = /(\d+(?:\.\d+)?)px/.exec(fig.style.width);
    return px ? parseFloat(px[1]) : null;
  };
  const col = document.querySelector('#rendered_cells > div') || document.querySelector('#rendered_cells');
  const cs = getComputedStyle(col);
  const column = col.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
  const p = document.querySelector('.jp-RenderedMarkdown p');
  const cellOf = (el) => { const c = el.closest('[cell-index]'); return c ? +c.getAttribute('cell-index') - 1 : null; };  // the notebook's cell position, from 0
  const statics = Array.from(document.querySelectorAll('.jp-RenderedImage img, .jp-RenderedHTMLCommon img.momentum-figure')).map((img) => ({
    kind: 'figure', cell: cellOf(img), displayed: img.getBoundingClientRect().width,
    used: img.getBoundingClientRect().width,
    design: parseFloat(img.getAttribute('width')) || img.naturalWidth,
  }));
  const explorers = Array.from(document.querySelectorAll('.momentum-explorer')).map((box) => {
    const fig = box.querySelector('.explorer-figure');
    // With a table beside it, the figure's row is what should use the column.
    const row = fig.parentElement === box ? [fig] : Array.from(fig.parentElement.children);
    const rects = row.map((e) => e.getBoundingClientRect()).filter((r) => r.width > 0);
    const used = Math.max(...rects.map((r) => r.right)) - Math.min(...rects.map((r) => r.left));
    return {kind: 'explorer', cell: cellOf(box), displayed: fig.getBoundingClientRect().width, used,
            design: designWidth(fig) || rasterImg(box).naturalWidth,
            tracks: Array.from(box.querySelectorAll('.noUi-target')).map((t) => t.getBoundingClientRect().width)};
  });
  return {viewport: innerWidth, devicePixelRatio, column, body: p ? parseFloat(getComputedStyle(p).fontSize) : null,
          figures: statics.concat(explorers)};
}
