"""Inside a Jupyter or Voila server: whether each kernel websocket has Nagle's algorithm off.

``momentum_lib.serving`` turns TCP_NODELAY on for every kernel websocket. To check the option
itself (not a log line), a test server started by :mod:`devtools.servers` loads this module
from a Python config file in its private ``JUPYTER_CONFIG_DIR``; :func:`install` then handles
SIGUSR2 by writing, for every open websocket of the server, its kernel id and the option as
``getsockopt`` reads it on the real socket, to a JSON file. The handler runs on the server's
main thread, between two steps of its event loop.
"""

import gc
import json
import os
import signal
import socket


def open_websockets():
    """(handler, socket) of every websocket this process has open."""
    from tornado.websocket import WebSocketHandler

    for obj in gc.get_objects():
        if isinstance(obj, WebSocketHandler) and obj.ws_connection is not None:
            stream = getattr(obj.ws_connection, "stream", None)
            sock = getattr(stream, "socket", None)
            if sock is not None and sock.fileno() >= 0:
                yield obj, sock


def report():
    """Per open websocket: its kernel id (None for other websockets), path and TCP_NODELAY."""
    return [{"kernel_id": getattr(handler, "kernel_id", None), "path": handler.request.path,
             "nodelay": sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0}
            for handler, sock in open_websockets()]


def install(path):
    """On SIGUSR2, write :func:`report` to ``path``; announce this process in ``path.pid``."""
    def write(_signum, _frame):
        tmp = f"{path}.tmp"
        with open(tmp, "w") as f:
            json.dump(report(), f)
        os.replace(tmp, path)

    signal.signal(signal.SIGUSR2, write)
    with open(f"{path}.pid", "w") as f:
        f.write(str(os.getpid()))
