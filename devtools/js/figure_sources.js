// Explorer i's figure: the src of each of its images and the moves image's alt text.
(i) => {
  const box = document.querySelectorAll('.momentum-explorer')[i];
  const imgs = Array.from(box.querySelectorAll('.explorer-figure img'));
  return {
    srcs: imgs.map((img) => img.getAttribute('src') || ''),
    alt: movesImg(box) ? movesImg(box).getAttribute('alt') : null,
  };
}
