"""Servers for the browser tests and benchmarks: JupyterLab, classroom mode, a static site.

Each runs as a subprocess in its own process group on 127.0.0.1 and a free port, with its log
in a file and a private Jupyter/IPython/matplotlib configuration (:func:`isolated_env`), so
nothing of the user's own set-up changes what is measured.
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "test-artifacts"
BIN = Path(sys.executable).parent


def notebooks_dir():
    """The notebooks under test: ``notebooks/``, or ``$MOMENTUM_NOTEBOOKS_DIR`` (for trying
    the tests on scratch notebooks)."""
    return Path(os.environ.get("MOMENTUM_NOTEBOOKS_DIR", REPO / "notebooks")).resolve()


def notebook_paths():
    return sorted(notebooks_dir().glob("*.ipynb"))


def copy_notebooks(dest):
    """Copy the notebooks (and anything beside them) so a browser run can never write
    into the working tree."""
    shutil.copytree(notebooks_dir(), dest, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    return dest


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load_average():
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def isolated_env(home):
    """Environment for a Jupyter server that sees none of the user's Jupyter/IPython state;
    this repository first on ``PYTHONPATH`` (the servers load :mod:`devtools.sockets`)."""
    env = dict(os.environ)
    for name in ("JUPYTER_PATH", "JUPYTER_CONFIG_PATH", "JUPYTER_PREFER_ENV_PATH", "PYTHONSTARTUP"):
        env.pop(name, None)
    for name, sub in (("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"),
                      ("JUPYTER_RUNTIME_DIR", "runtime"), ("IPYTHONDIR", "ipython"),
                      ("MPLCONFIGDIR", "matplotlib")):
        path = Path(home) / sub
        path.mkdir(parents=True, exist_ok=True)
        env[name] = str(path)
    env["PYTHONUNBUFFERED"] = "1"
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), *filter(None, [env.get("PYTHONPATH")])])
    # The venv's bin first, so the kernel and voila are this environment's.
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


class Server:
    """A server subprocess in its own process group, with its log in a file."""

    def __init__(self, argv, env, cwd, log_path, base_url, ready_path, token=""):
        self.home = Path(log_path).parent
        self.base_url = base_url
        self.token = token
        self.log_path = log_path
        self._log = open(log_path, "w")
        self.proc = subprocess.Popen(argv, env=env, cwd=cwd, stdout=self._log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        self._wait_ready(ready_path)

    def url(self, path, **query):
        if self.token:
            query["token"] = self.token
        q = "&".join(f"{k}={v}" if v is not None else k for k, v in query.items())
        return f"{self.base_url}{path}" + (f"?{q}" if q else "")

    def _wait_ready(self, path, timeout=90):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.log()}")
            try:
                with urllib.request.urlopen(self.url(path), timeout=5) as r:
                    if r.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"server not ready after {timeout} s:\n{self.log()}")

    def api(self, method, path):
        req = urllib.request.Request(self.url(path), method=method)
        with urllib.request.urlopen(req, timeout=10) as r:
            body = r.read()
        return json.loads(body) if body else None

    def log(self):
        self._log.flush()
        return Path(self.log_path).read_text(errors="replace")[-4000:]

    def websockets(self, timeout=30):
        """The server's open websockets as its own process sees them (:mod:`devtools.sockets`):
        kernel id, path and TCP_NODELAY of each, read with getsockopt on the real socket."""
        report = self.home / "sockets.json"
        pid_file = Path(f"{report}.pid")
        if not pid_file.exists():
            raise AssertionError(f"the server did not load devtools.sockets (no {pid_file}):\n{self.log()}")
        report.unlink(missing_ok=True)
        os.kill(int(pid_file.read_text()), signal.SIGUSR2)
        deadline = time.monotonic() + timeout
        while not report.exists():
            if time.monotonic() > deadline:
                raise AssertionError(f"no websocket report from the server after {timeout} s")
            time.sleep(0.1)
        return json.loads(report.read_text())

    def nagle_problem(self, kernel_id, where):
        """None if the page's websocket to ``kernel_id`` has Nagle's algorithm off
        (momentum_lib/serving.py), as getsockopt reads it on the server's own socket; else
        what is wrong. With Nagle on, a slider move's small messages wait for the browser's
        delayed acknowledgements (a 40 ms mode in key press → frame)."""
        sockets = [s for s in self.websockets() if s["kernel_id"] == kernel_id]
        if not sockets:
            return f"{where}: the server has no open websocket to kernel {kernel_id}"
        if not all(s["nodelay"] for s in sockets):
            return (f"{where}: kernel {kernel_id}'s websocket has TCP_NODELAY off "
                    f"(see momentum_lib/serving.py): {sockets}")
        return None

    def stop(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
            except ProcessLookupError:
                pass
        self._log.close()


def report_websockets(home):
    """Make every Jupyter server and Voila started with ``home``'s :func:`isolated_env` load
    :mod:`devtools.sockets` (their Python config files), reporting into ``home``."""
    code = ("# Written by devtools.servers for a test server: on SIGUSR2, report the kernel\n"
            "# websockets' TCP_NODELAY.\n"
            "from devtools import sockets\n"
            f"sockets.install({str(Path(home) / 'sockets.json')!r})\n")
    config = Path(home) / "config"
    config.mkdir(parents=True, exist_ok=True)
    for name in ("jupyter_server_config.py", "voila.py"):
        (config / name).write_text(code)


def write_lab_settings(settings_dir):
    """User settings for the test server: no autosave (the copy is never written back
    anyway), no windowing (every cell stays in the DOM so all explorers can be found),
    no news or update checks (their pop-up covers the bottom-right corner)."""
    files = {
        "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
        "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
        "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
            {"fetchNews": "false", "checkForUpdates": False},
    }
    for rel, content in files.items():
        path = settings_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(content))


def start_jupyterlab(root, home):
    """JupyterLab on 127.0.0.1 with a token, serving ``root``; config under ``home``."""
    home = Path(home)
    port, token = free_port(), os.urandom(12).hex()
    settings, workspaces = home / "lab-settings", home / "lab-workspaces"
    write_lab_settings(settings)
    workspaces.mkdir(parents=True, exist_ok=True)
    env = isolated_env(home)
    report_websockets(home)
    argv = [str(BIN / "jupyter"), "lab", "--no-browser",
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
            "--LabApp.news_url=None",
            f"--LabApp.user_settings_dir={settings}", f"--LabApp.workspaces_dir={workspaces}"]
    if os.geteuid() == 0:  # CI containers run as root; Jupyter refuses that unless told
        argv.append("--ServerApp.allow_root=True")
    return Server(argv, env, root, home / "jupyterlab.log", f"http://127.0.0.1:{port}",
                  "/api/status", token)


def start_present(root, home, *make_vars):
    """``make present`` (classroom mode) serving ``root`` on a free port, no browser opened;
    ``make_vars`` such as ``"CULL_IDLE=4"`` are passed to make."""
    home = Path(home)
    port = free_port()
    env = isolated_env(home)
    report_websockets(home)
    argv = ["make", "--no-print-directory", "-o", ".venv/.installed-lab", "present",
            f"PRESENT_DIR={root}", f"BIN={BIN}",
            f"PRESENT_ARGS=--port={port} --no-browser", *make_vars]
    return Server(argv, env, REPO, home / "voila.log", f"http://127.0.0.1:{port}", "/")


def start_static(site, home):
    """Python's http.server serving the folder ``site`` (a JupyterLite build)."""
    port = free_port()
    argv = [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", "--directory",
            str(site), str(port)]
    return Server(argv, dict(os.environ), home, Path(home) / "http.log",
                  f"http://127.0.0.1:{port}", "/index.html")


def kernel_connection_file(server, kernel_id):
    """The connection file of a kernel the server started: JupyterLab keeps it in its
    runtime directory, Voila in the directory its log names. A test then talks to the
    kernel directly over ZMQ (Voila's websocket refuses execute requests from a page)."""
    dirs = [server.home / "runtime"]
    server._log.flush()
    full_log = Path(server.log_path).read_text(errors="replace")
    match = re.search(r"Storing connection files in (\S+?)\.?$", full_log, re.MULTILINE)
    if match:
        dirs.append(Path(match.group(1)))
    for d in dirs:
        path = d / f"kernel-{kernel_id}.json"
        if path.exists():
            return path
    raise AssertionError(f"no connection file for kernel {kernel_id} in {dirs}")


def kernel_run(connection_file, code, timeout=60):
    """Run ``code`` in a running kernel (a second client); return its stdout."""
    from jupyter_client import BlockingKernelClient

    client = BlockingKernelClient(connection_file=str(connection_file))
    client.load_connection_file()
    client.start_channels()
    try:
        out = []
        reply = client.execute_interactive(
            code, timeout=timeout, store_history=False,
            output_hook=lambda msg: out.append(
                msg["content"].get("text", "") if msg["msg_type"] == "stream"
                else (f"{msg['content']['ename']}: {msg['content']['evalue']}"
                      if msg["msg_type"] == "error" else "")))
        text = "".join(out)
        if reply["content"]["status"] != "ok":
            raise AssertionError(f"kernel query failed: {text[-2000:]}")
        return text
    finally:
        client.stop_channels()


def _children():
    """{parent pid: [child pids]} and {pid: command line} of every process (from /proc)."""
    children, cmdlines = {}, {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            cmd = Path(f"/proc/{entry}/cmdline").read_bytes().decode(errors="replace")
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
        cmdlines[int(entry)] = cmd
    return children, cmdlines


def kernel_processes(server):
    """Process ids of the kernels a server started (its descendants running ipykernel:
    make → binder/start → voila → kernels)."""
    children, cmdlines = _children()
    found, todo = [], [server.proc.pid]
    while todo:
        for child in children.get(todo.pop(), []):
            todo.append(child)
            if "ipykernel" in cmdlines[child]:
                found.append(child)
    return sorted(found)
