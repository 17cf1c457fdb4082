"""The first run: `make lab` installs the notebook stack only, starts as root too, and
JupyterLab comes without its news pop-up; `make test` adds the tools."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import devtools as bs

REPO = Path(__file__).resolve().parents[1]
DEV_TOOLS = {"pytest", "pytest-timeout", "pytest-xdist", "nbval", "hypothesis", "playwright",
             "jupyter-repo2docker", "nbstripout", "pip-tools"}


def requirement_names(path):
    names = set()
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            names.add(re.split(r"[=<>;\[ ]", line)[0].lower())
    return names


def make_dry_run(*args):
    out = subprocess.run(["make", "--no-print-directory", "-n", "-B", *args], cwd=REPO,
                         capture_output=True, text=True, check=True)
    return out.stdout


def test_requirements_split_notebook_stack_from_dev_tools():
    for suffix in ("in", "txt"):      # the readable files and the locks made from them
        stack = requirement_names(REPO / f"requirements.{suffix}")
        dev = requirement_names(REPO / f"requirements-dev.{suffix}")
        assert {"jupyterlab", "voila", "ipywidgets", "matplotlib", "numpy"} <= stack
        assert not stack & DEV_TOOLS, f"dev tools in the notebook stack: {stack & DEV_TOOLS}"
        assert DEV_TOOLS <= dev
    assert "-r requirements.in" in (REPO / "requirements-dev.in").read_text()


def test_make_lab_installs_the_notebook_stack_only():
    recipe = make_dry_run(".venv/.installed-lab")
    assert "--require-hashes -r requirements.txt" in recipe and "requirements-dev" not in recipe
    assert "overrides.d/momentum.json" in recipe
    test = make_dry_run("test")
    assert "--require-hashes -r requirements-dev.txt" in test
    assert "lite/test-browser-versions" in test


def test_make_lab_allows_root_only_as_root():
    command = [l for l in make_dry_run("-o", ".venv/.installed-lab", "lab").splitlines()
               if "jupyter lab" in l][0]
    assert ("--allow-root" in command) == (os.geteuid() == 0)


def test_make_present_culls_idle_kernels():
    command = make_dry_run("-o", ".venv/.installed-lab", "present")
    assert re.search(r"--MappingKernelManager\.cull_idle_timeout=[1-9]\d*", command)
    assert "--MappingKernelManager.cull_connected=False" in command


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_make_lab_starts_and_the_news_pop_up_is_off(tmp_path):
    """`make lab` itself (as root too), with the settings override the project installs:
    JupyterLab's settings API then serves fetchNews = "false" as the default; and with the
    project's server extension enabled."""
    settings = tmp_path / "app-settings"
    (settings / "overrides.d").mkdir(parents=True)
    (settings / "overrides.d" / "momentum.json").write_text(
        (REPO / "binder" / "lab-overrides.json").read_text())
    port, token = bs.free_port(), os.urandom(12).hex()
    args = (f"--no-browser --ServerApp.ip=127.0.0.1 --ServerApp.port={port} "
            f"--ServerApp.port_retries=0 --IdentityProvider.token={token} "
            f"--LabApp.app_settings_dir={settings} --ServerApp.root_dir={REPO}")
    server = bs.Server(["make", "--no-print-directory", "-o", ".venv/.installed-lab", "lab",
                        f"BIN={Path(sys.executable).parent}", f"LAB_ARGS={args}"],
                       bs.isolated_env(tmp_path / "home"), REPO, tmp_path / "lab.log",
                       f"http://127.0.0.1:{port}", "/api/status", token)
    try:
        plugin = server.api("GET", "/lab/api/settings/@jupyterlab/apputils-extension:notification")
        props = plugin["schema"]["properties"]
        assert props["fetchNews"]["default"] == "false"
        assert props["checkForUpdates"]["default"] is False
        # and the project's server extension (momentum_lib/serving.py) is on: kernel
        # websockets without Nagle's delay
        assert "kernel websockets use NoDelayKernelWebsocketConnection" in \
            Path(server.log_path).read_text(errors="replace")
    finally:
        server.stop()
