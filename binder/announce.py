"""Run a Jupyter server or Voila and print, last and on a line of its own, the URL that opens
one notebook on it.

``make lab`` and ``make present`` start their server through this script. Jupyter's own banner
gives URLs of the Launcher or of the file listing, and the local browser it opens is the only
way to land on a notebook; in a container or on a remote machine there is none. So once the
server's banner has named its URL, this prints that notebook's URL, with the server's token::

    python binder/announce.py --route lab/tree --file notebooks/00_index.ipynb -- jupyter lab ...
    python binder/announce.py --route voila/render --file notebooks/00_index.ipynb \\
        --root notebooks -- voila notebooks ...

The server's output passes through unchanged (its input and Ctrl-C stay the terminal's);
the script exits with the server's exit status.
"""

import argparse
import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

# A server URL as Jupyter's and Voila's banners print it: scheme, host, port, path, query.
SERVER_URL = re.compile(r"(https?://[\w.\-\[\]:]+:\d+)(/[^\s?]*)?(\?\S*)?")
# After the banner, how long the output must stay quiet before the line is printed (both
# banners print their URLs in one burst), and for how long after the banner later output is
# followed by the line again.
QUIET_S = 1.0
SETTLE_S = 30.0


def server_info(command, port):
    """What ``jupyter server list --json`` (the ``jupyter`` beside the command's) reports of
    the server listening on ``port`` (its root_dir, token, ...), or {} (e.g. for Voila)."""
    jupyter = Path(command[0]).with_name("jupyter")
    try:
        out = subprocess.run([str(jupyter) if jupyter.exists() else "jupyter", "server", "list",
                              "--json"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired):
        return {}
    for line in out.splitlines():
        try:
            info = json.loads(line)
        except json.JSONDecodeError:
            continue
        if info.get("port") == port:
            return info
    return {}


def notebook_url(banner_url, route, file, root, token=None):
    """The URL of ``file`` (a path under ``root``) on the server at ``banner_url``, at
    ``route`` (``lab/tree`` or ``voila/render``), with ``token`` or else the banner's (which
    Jupyter masks as "..." when the token was configured rather than generated)."""
    match = SERVER_URL.match(banner_url)
    origin, path = match.group(1), match.group(2) or "/"
    # The base URL is whatever precedes the route's first part in the banner (usually "/").
    first = route.split("/")[0]
    base = path.split(f"/{first}", 1)[0].rstrip("/") + "/" if f"/{first}" in path else "/"
    rel = os.path.relpath(os.path.abspath(file), os.path.abspath(root)) if root else Path(file).name
    url = f"{origin}{base}{route.strip('/')}/{Path(rel).as_posix()}"
    if not token:
        token = parse_qs(urlsplit(banner_url).query).get("token", [""])[0].strip(".")
    return f"{url}?token={token}" if token else url


def pick(urls):
    """The banner URL to build on: 127.0.0.1's if printed (it works where the host's name
    does not resolve), else the first."""
    return next((u for u in urls if "//127.0.0.1:" in u), urls[0])


def pump(stream, lines):
    for line in iter(stream.readline, ""):
        lines.put(line)
    lines.put(None)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--route", required=True, help="lab/tree or voila/render")
    parser.add_argument("--file", required=True, help="the notebook to open")
    parser.add_argument("--root", help="the directory the server serves (default: ask "
                                       "`jupyter server list`, which also gives the token)")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no server command given after --")
    if not Path(args.file).is_file():
        parser.error(f"no notebook {args.file}")

    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, bufsize=1)
    # Ctrl-C reaches the server too (same process group); it decides when to stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    lines = queue.Queue()
    threading.Thread(target=pump, args=(proc.stdout, lines), daemon=True).start()
    urls, banner_at, pending, announcement = [], None, False, None
    while True:
        try:
            line = lines.get(timeout=QUIET_S if pending else None)
        except queue.Empty:
            if announcement is None:
                url = pick(urls)
                port = int(SERVER_URL.match(url).group(1).rsplit(":", 1)[1])
                info = server_info(command, port)
                root = args.root or info.get("root_dir")
                announcement = (f"\nOpen {Path(args.file).name} at:\n"
                                f"{notebook_url(url, args.route, args.file, root, info.get('token'))}")
            print(announcement, flush=True)
            pending = False
            continue
        if line is None:
            break
        sys.stdout.write(line)
        sys.stdout.flush()
        if banner_at is None:
            urls += [m.group(0) for m in SERVER_URL.finditer(line)]
            banner_at = time.monotonic() if urls else None
        # Start-up messages may follow the banner (JupyterLab's language servers): the URL
        # is printed again after them, so that it stays the last line.
        pending = banner_at is not None and time.monotonic() - banner_at < SETTLE_S
    return proc.wait()


if __name__ == "__main__":
    sys.exit(main())
