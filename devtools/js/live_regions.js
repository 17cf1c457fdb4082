// Watch every explorer's live region (.explorer-live, what a screen reader announces):
// window.__live[i] lists the HTML explorer i's region held after each change, so a test can
// count the announcements a move caused. Returns how many explorers are watched.
(() => {
  const boxes = Array.from(document.querySelectorAll('.momentum-explorer'));
  window.__live = boxes.map(() => []);
  boxes.forEach((box, i) => {
    const region = box.querySelector('.explorer-live');
    if (!region) return;
    new MutationObserver(() => {
      const content = region.querySelector('.widget-html-content');
      window.__live[i].push(content ? content.innerHTML : '');
    }).observe(region, {childList: true, subtree: true, characterData: true});
  });
  return boxes.length;
})
