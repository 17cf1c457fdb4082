"""Binder: what repo2docker will build, checked with repo2docker itself.

``repo2docker --no-build --debug`` prints the Dockerfile it would build, without a
Docker engine (repo2docker's ``--no-build`` option). The fast test reads that Dockerfile; the slow one does
what its pip and postBuild steps do — ``pip install -r binder/requirements.txt`` (the
hash-locked stack) and ``binder/postBuild`` (momentum_lib itself) from the repository root,
in a fresh virtual environment — and runs a notebook there.
"""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import devtools as bs

REPO = Path(__file__).resolve().parents[1]
BINDER = REPO / "binder"
BIN = Path(sys.executable).parent
# The notebook the slow test runs in a fresh Binder-like environment.
BINDER_NOTEBOOK = "01_the_problem.ipynb"


@pytest.fixture(scope="module")
def dockerfile():
    r2d = shutil.which("repo2docker", path=str(BIN)) or shutil.which("repo2docker")
    if r2d is None:
        pytest.fail("repo2docker not found: pip install -r requirements-dev.txt (jupyter-repo2docker)")
    proc = subprocess.run([r2d, "--no-build", "--debug", str(REPO)], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout, proc.stderr


def unescape(name):
    """repo2docker names build-script files with escapism ('-' + hex byte)."""
    return re.sub(r"-([0-9a-f]{2})", lambda m: chr(int(m.group(1), 16)), name)


def test_one_binder_folder_with_runtime_and_requirements():
    # repo2docker refuses a repository with both binder/ and .binder/.
    assert not (REPO / ".binder").exists()
    # Without runtime.txt Binder falls back to repo2docker's default Python, not the locked 3.11.
    assert (BINDER / "runtime.txt").read_text().strip() == "python-3.11"
    assert (BINDER / "requirements.txt").exists()


def test_binder_image_uses_python_3_11(dockerfile):
    text, log = dockerfile
    copied = [unescape(m) for m in re.findall(r"COPY \S+ build_script_files/(\S+) ", text)]
    # e.g. .../repo2docker/buildpacks/conda/environment.py-3.11-linux-64.lock<hash suffix>
    envs = [c for c in copied if "/conda/environment" in c]
    assert envs and all("/environment.py-3.11-" in c for c in envs), f"conda environment files: {envs}"
    assert "Python version unspecified" not in log


def test_binder_installs_requirements_after_copying_the_repository(dockerfile):
    text, _ = dockerfile
    lines = text.splitlines()

    def index(pattern):
        hits = [i for i, line in enumerate(lines) if re.search(pattern, line)]
        assert hits, f"no line matching {pattern!r} in the Dockerfile"
        return hits[0]

    workdir = index(r"^WORKDIR \$\{REPO_DIR\}$")
    copy_repo = index(r"^COPY .* src/ \$\{REPO_DIR\}/$")
    pip = index(r'^RUN \$\{KERNEL_PYTHON_PREFIX\}/bin/pip install --no-cache-dir -r "binder/requirements.txt"$')
    post_build = index(r"^RUN \./binder/postBuild$")
    # The pip step must run in the repository root, with the whole repository present
    # (the -r line moves it after the copy; otherwise repo2docker runs it earlier, on the
    # requirements file alone), and momentum_lib is installed after its dependencies.
    assert workdir < copy_repo < pip < post_build


def test_binder_runs_the_start_script(dockerfile):
    # binder/start puts classroom/ on Jupyter's paths before the server starts.
    text, _ = dockerfile
    assert 'ENV R2D_ENTRYPOINT="${REPO_DIR}/binder/start"' in text


def requirement_lines(path):
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            yield line


def test_binder_installs_the_locked_stack_and_then_the_package():
    """Resolve the file the way pip does (a nested -r relative to the file that names it):
    it is the hash-locked stack and nothing else; postBuild installs the repository itself,
    without dependencies."""
    lines = list(requirement_lines(BINDER / "requirements.txt"))
    assert lines == ["-r ../requirements.txt"]
    assert (BINDER / lines[0][2:].strip()).resolve() == REPO / "requirements.txt"
    post_build = (BINDER / "postBuild").read_text()
    assert re.search(r"pip install .*--no-deps --no-build-isolation \.$", post_build, re.MULTILINE)
    assert 'name = "momentum_lib"' in (REPO / "pyproject.toml").read_text()


def isolated_env(home, venv):
    env = {k: v for k, v in os.environ.items()
           if k not in ("JUPYTER_PATH", "JUPYTER_CONFIG_PATH", "PYTHONPATH", "VIRTUAL_ENV")}
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR", "MPLCONFIGDIR"):
        (home / name).mkdir(parents=True, exist_ok=True)
        env[name] = str(home / name)
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return env


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_fresh_environment_from_binder_requirements_runs_a_notebook(tmp_path):
    notebook = REPO / "notebooks" / BINDER_NOTEBOOK
    if not notebook.exists():
        pytest.skip(f"notebooks/{BINDER_NOTEBOOK} does not exist yet")
    # A clean copy of the repository stands in for Binder's checkout, so building the
    # package never writes into the working tree.
    repo = tmp_path / "repo"
    shutil.copytree(REPO, repo, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "*.egg-info", "test-artifacts", "__pycache__", ".pytest_cache",
        ".hypothesis", ".ipynb_checkpoints"))
    venv = tmp_path / "venv"
    subprocess.run([getattr(sys, "_base_executable", sys.executable), "-m", "venv", str(venv)], check=True)
    py = venv / "bin" / "python"
    env = isolated_env(tmp_path / "home", venv)
    pip = subprocess.run([str(py), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                          "-r", "binder/requirements.txt"], cwd=repo, env=env,
                         capture_output=True, text=True, timeout=840)
    assert pip.returncode == 0, pip.stdout[-3000:] + pip.stderr[-3000:]
    post_build = subprocess.run([str(repo / "binder" / "postBuild")], cwd=repo,
                                env={**env, "KERNEL_PYTHON_PREFIX": str(venv)},
                                capture_output=True, text=True, timeout=300)
    assert post_build.returncode == 0, post_build.stdout[-3000:] + post_build.stderr[-3000:]

    # The kernel that runs notebooks is this environment's, and momentum_lib is installed
    # into it (not found through the copy or the working tree).
    probe = tmp_path / "probe.ipynb"
    probe.write_text(json.dumps({
        "cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                   "source": "import sys, momentum_lib\nprint(sys.prefix)\nprint(momentum_lib.__file__)"}],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4, "nbformat_minor": 5}))
    out = tmp_path / "out"
    for nb in (probe, repo / "notebooks" / notebook.name):
        run = subprocess.run([str(venv / "bin" / "jupyter"), "nbconvert", "--to", "notebook", "--execute",
                              "--output-dir", str(out), str(nb)], cwd=nb.parent, env=env,
                             capture_output=True, text=True, timeout=600)
        assert run.returncode == 0, f"{nb.name} failed in the fresh environment:\n{run.stderr[-4000:]}"
    text = json.loads((out / "probe.ipynb").read_text())["cells"][0]["outputs"][0]["text"]
    prefix, module = "".join(text).split()
    assert Path(prefix).resolve() == venv.resolve()
    assert Path(module).resolve().is_relative_to(venv.resolve())

    # What Binder's start step does to this environment (NB_PYTHON_PREFIX is its prefix
    # there): the server extension that turns Nagle's delay off on kernel websockets is
    # then enabled and imports, and JupyterLab's settings overrides are in place.
    listing = subprocess.run([str(repo / "binder" / "start"), str(venv / "bin" / "jupyter"),
                              "server", "extension", "list"], cwd=repo,
                             env={**env, "NB_PYTHON_PREFIX": str(venv), "NO_COLOR": "1"},
                             capture_output=True, text=True, timeout=120)
    said = re.sub(r"\x1b\[[0-9;]*m", "", listing.stdout + listing.stderr)
    assert listing.returncode == 0, said[-3000:]
    assert re.search(r"momentum_lib\.serving\s+enabled", said), said[-3000:]
    assert re.search(r"momentum_lib\.serving\s+OK", said), said[-3000:]
    assert (venv / "share/jupyter/lab/settings/overrides.d/momentum.json").exists()


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_voila_on_binder_uses_the_classroom_template(tmp_path):
    """Through binder/start, the Jupyter server's Voila extension renders notebooks with
    the classroom template and shows error messages (what a voila/render Binder link gets)."""
    import urllib.request

    nb = {"cells": [{"cell_type": "markdown", "metadata": {}, "source": "# Classroom check"},
                    {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                     "source": "print('computed in the kernel')"},
                    {"cell_type": "code", "metadata": {"tags": ["raises-exception"]}, "outputs": [],
                     "execution_count": None, "source": "raise ValueError('shown, not hidden')"}],
          "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
          "nbformat": 4, "nbformat_minor": 5}
    root = tmp_path / "root"
    root.mkdir()
    (root / "check.ipynb").write_text(json.dumps(nb))
    port, token = bs.free_port(), "t" + os.urandom(8).hex()
    argv = [str(BINDER / "start"), str(BIN / "jupyter"), "server", "--no-browser",
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}"]
    if os.geteuid() == 0:
        argv.append("--ServerApp.allow_root=True")
    server = bs.Server(argv, bs.isolated_env(tmp_path / "home"), root, tmp_path / "server.log",
                       f"http://127.0.0.1:{port}", "/api/status", token)
    try:
        with urllib.request.urlopen(server.url("/voila/render/check.ipynb"), timeout=120) as r:
            page = r.read().decode()
        assert "computed in the kernel" in page
        assert "print(" not in page, "code should be hidden"
        assert "ValueError" in page and "shown, not hidden" in page
        css_url = re.search(r'href="(/voila/templates/classroom/static/classroom\.css[^"]*)"', page)
        assert css_url, "classroom stylesheet not linked: the classroom template was not used"
        with urllib.request.urlopen(server.url(css_url.group(1).split("?")[0]), timeout=30) as r:
            assert "--jp-content-font-size1" in r.read().decode()
    finally:
        server.stop()
