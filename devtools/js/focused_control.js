// The focused element, as a keyboard user meets it: which explorer holds it (-1: none), its
// role and ARIA value text, and its focus ring (outline style and width in CSS px).
() => {
  const el = document.activeElement;
  const boxes = Array.from(document.querySelectorAll('.momentum-explorer'));
  const style = getComputedStyle(el);
  return {
    explorer: boxes.findIndex((box) => box.contains(el)),
    tag: el.tagName.toLowerCase(),
    role: el.getAttribute('role'),
    valuetext: el.getAttribute('aria-valuetext'),
    outline: style.outlineStyle,
    outlineWidth: parseFloat(style.outlineWidth) || 0,
  };
}
