// The error-like outputs of every cell matched by cellSelector, by cell position (0-based, all
// cell types), so a test can say which notebook cell an error came from: stderr, and widget
// views that failed to render.
(cellSelector) => Array.from(document.querySelectorAll(cellSelector)).map((cell, index) => {
  const problems = [];
  cell.querySelectorAll('.jp-OutputArea-output').forEach((out) => {
    const mime = out.getAttribute('data-mime-type') || '';
    const text = out.textContent || '';
    if (mime === 'application/vnd.jupyter.stderr') problems.push({kind: 'stderr', text});
    else if (/Error displaying widget|Error rendering|Model not found/i.test(text)) {
      problems.push({kind: 'widget', text});
    }
  });
  return {index, problems};
}).filter((c) => c.problems.length)
