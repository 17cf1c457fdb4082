"""Serving the notebooks: the one server-side setting the explorers need.

An explorer's slider move comes back as a few small websocket messages (the slider's echo,
the kernel's busy/idle status, the SVG of the move, a few KB, and the status line). The
Jupyter server's websocket leaves Nagle's algorithm on, so a small message written while an
earlier one is not yet acknowledged waits for that acknowledgement, and a browser may
acknowledge late (up to 40 ms on Linux): on a teacher's own machine (``make present``,
``make lab``) a third of the moves then took 50 ms instead of 15. Tornado documents the fix
for websockets that carry small, latency-sensitive messages, ``set_nodelay(True)``; the
connection class below applies it to every kernel websocket. It changes no message and
needs no front-end extension.

* Voila (``make present``): ``classroom/voila.json`` sets
  ``Voila.kernel_websocket_connection_class`` to it.
* The Jupyter server (JupyterLab, Notebook 7, Voila pages on Binder): this module is a
  server extension, enabled by ``binder/jupyter-server-extension.json``, which ``make lab``
  and ``binder/start`` copy into the environment's ``etc/jupyter/jupyter_server_config.d/``;
  when it loads it makes the connection class the server's, unless the server uses
  another one (e.g. a gateway's).

Importing this module imports jupyter_server; nothing else in ``momentum_lib`` does.
"""

from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection


class NoDelayKernelWebsocketConnection(ZMQChannelsWebsocketConnection):
    """The Jupyter server's kernel websocket connection with Nagle's algorithm off."""

    def connect(self):
        handler = self.websocket_handler
        if handler is not None and handler.ws_connection is not None:
            handler.set_nodelay(True)
            self.log.info("kernel %s: websocket with TCP_NODELAY", self.kernel_id)
        return super().connect()


def _jupyter_server_extension_points():
    return [{"module": __name__}]


def _load_jupyter_server_extension(serverapp):
    # The kernel websocket handler reads the class from the web application's settings
    # on every connection; replace it only where it is the server's default (a gateway,
    # or a class configured by hand, stays).
    settings = serverapp.web_app.settings
    if settings.get("kernel_websocket_connection_class") is ZMQChannelsWebsocketConnection:
        settings["kernel_websocket_connection_class"] = NoDelayKernelWebsocketConnection
    serverapp.log.info("momentum_lib.serving: kernel websockets use %s",
                       settings.get("kernel_websocket_connection_class").__name__)
