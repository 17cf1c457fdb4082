// [x, y, width] in CSS px of the moves image of an explorer's box.
(box) => {
  const r = movesImg(box).getBoundingClientRect();
  return [r.x, r.y, r.width];
}
