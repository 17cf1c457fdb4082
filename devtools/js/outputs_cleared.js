// True once no cell matched by cellSelector has an output left.
(cellSelector) => !document.querySelector(cellSelector + ' .jp-OutputArea-output')
