// Explorer i's live region: its ARIA attributes, its HTML now, and the HTML after each change
// since live_regions.js began watching.
(i) => {
  const box = document.querySelectorAll('.momentum-explorer')[i];
  const region = box.querySelector('.explorer-live');
  const content = region && region.querySelector('.widget-html-content');
  return {
    role: region ? region.getAttribute('role') : null,
    live: region ? region.getAttribute('aria-live') : null,
    html: content ? content.innerHTML : null,
    changes: (window.__live || [])[i] || [],
  };
}
