// The text printed to stdout by every cell matched by cellSelector, by cell position.
(cellSelector) => Array.from(document.querySelectorAll(cellSelector)).map((cell) =>
  Array.from(cell.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stdout"]'))
    .map((o) => o.textContent).join(''))
