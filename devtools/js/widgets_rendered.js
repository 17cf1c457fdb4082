// True once every widget output in the cells matched by cellSelector has a rendered view.
(cellSelector) => Array.from(document.querySelectorAll(
  cellSelector + ' .jp-OutputArea-output[data-mime-type="application/vnd.jupyter.widget-view+json"]'))
  .every((o) => o.children.length > 0)
