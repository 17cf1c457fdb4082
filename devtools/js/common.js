// What every other script of this folder has in scope (devtools.page.script puts it first).

// The images of an explorer (.momentum-explorer). Its figure (.explorer-figure) is either one
// <img> (the whole PNG frame) or a container of stacked <img>: img.explorer-background (the
// static part, sent only when it changes) under img.explorer-moves (what a β/η move redraws).

// The image a β or η move changes.
function movesImg(box) {
  const moves = box.querySelector('img.explorer-moves');
  if (moves) return moves;
  const fig = box.querySelector('.explorer-figure');
  return fig && (fig.tagName === 'IMG' ? fig : fig.querySelector('img'));
}

// The image whose pixels could be stretched: the background when it has a src, else the
// moves image.
function rasterImg(box) {
  const bg = box.querySelector('img.explorer-background');
  return bg && bg.getAttribute('src') ? bg : movesImg(box);
}

// True while JupyterLab's (or JupyterLite's) status bar reads "Idle" for the kernel: it does so
// only once the kernel is connected, unlike the toolbar's idle indicator, which fires sooner.
function kernelIdle() {
  return /\|\s*Idle/.test((document.querySelector('#jp-main-statusbar') || {}).innerText || '');
}
