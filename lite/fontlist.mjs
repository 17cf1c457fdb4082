// Matplotlib's font list for the static edition, made and checked in Pyodide under Node.
//
//   node lite/fontlist.mjs make  PYODIDE_DIR   prints the fontlist.json that matplotlib
//                                                 builds in this Pyodide (on stdout)
//   node lite/fontlist.mjs check PYODIDE_DIR PACKAGE
//                                                 loads PACKAGE (which ships that file), imports
//                                                 matplotlib's font manager and exits 1 if it
//                                                 built its font list again or found no font
//
// Pyodide's matplotlib reads its font list from the file fontlist.json inside its package; the
// one in Pyodide 0.27.7's wheel was written by a newer matplotlib (version 390, where 3.8.4
// wants 330), so every visit rebuilt it and printed "Matplotlib is building the font cache" on
// stderr. PYODIDE_DIR is the site's static/pyodide folder (its lock says where each wheel is).
import { pathToFileURL } from "node:url";

const [mode, dir, pkg] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(`${dir}/pyodide.mjs`).href);
const errors = [];
const pyodide = await loadPyodide({
  indexURL: `${dir}/`,
  stdout: () => {},
  stderr: (line) => errors.push(line),
});

if (mode === "make") {
  await pyodide.loadPackage(["matplotlib"], { messageCallback: () => {} });
  const text = pyodide.runPython(`
from pathlib import Path
from matplotlib import font_manager
Path(font_manager.__file__).with_name("fontlist.json").read_text()
`);
  process.stdout.write(text);
} else if (mode === "check") {
  await pyodide.loadPackage([pkg], { messageCallback: () => {} });
  const found = pyodide.runPython(`
from matplotlib import font_manager
len(font_manager.fontManager.ttflist), font_manager.findfont("DejaVu Sans")
`).toJs();
  const rebuilt = errors.filter((line) => /font cache/i.test(line));
  if (rebuilt.length || !(found[0] > 0) || !found[1].endsWith("DejaVuSans.ttf")) {
    console.error(`font list not used: stderr ${JSON.stringify(errors)}, fonts ${found}`);
    process.exit(1);
  }
  console.log(`${found[0]} fonts from the shipped list, nothing rebuilt`);
} else {
  console.error("usage: node lite/fontlist.mjs make|check PYODIDE_DIR [PACKAGE]");
  process.exit(2);
}
