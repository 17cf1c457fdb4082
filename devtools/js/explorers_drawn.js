// True once every explorer's moves image has a src and is decoded, and so is its raster.
() => Array.from(document.querySelectorAll('.momentum-explorer')).every((box) => {
  const img = movesImg(box);
  const raster = rasterImg(box);
  return img && img.getAttribute('src') && img.complete && img.naturalWidth > 0 && raster.complete;
})
