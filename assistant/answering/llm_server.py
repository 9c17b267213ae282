"""A llama.cpp server (xllamacpp) on 127.0.0.1 speaking the OpenAI API, started by the assistant itself."""

from __future__ import annotations

import atexit
import logging
import threading
from pathlib import Path

log = logging.getLogger(__name__)

_servers: dict[tuple[str, int, int], LocalLLMServer] = {}
_lock = threading.Lock()


class ServerStartError(RuntimeError):
    pass


class LocalLLMServer:
    def __init__(self, model: Path, context: int = 4096, threads: int = 2) -> None:
        self.model = Path(model)
        self.context = context
        self.threads = threads
        self._server = None

    @property
    def base_url(self) -> str:
        """The OpenAI-compatible root (…/v1)."""
        if self._server is None:
            raise ServerStartError("the local model server is not running")
        return f"{self._server.listening_address}/v1"

    def start(self) -> LocalLLMServer:
        if self._server is not None:
            return self
        import xllamacpp

        params = xllamacpp.CommonParams()
        params.model.path = str(self.model)
        params.n_ctx = self.context
        params.n_parallel = 1
        params.cpuparams.n_threads = self.threads
        params.cpuparams_batch.n_threads = self.threads
        params.hostnames = ["127.0.0.1"]
        params.port = 0  # any free port
        params.verbosity = 0
        try:
            server = xllamacpp.Server(params)
        except Exception as error:  # the binding raises plain exceptions for bad files
            raise ServerStartError(f"could not start the local model {self.model.name}: {error}") from error
        self._server = server
        log.info("local model %s on %s", self.model.name, server.listening_address)
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        del server  # the binding stops its loop when the object goes away

    def __enter__(self) -> LocalLLMServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def shared_server(model: Path, context: int, threads: int) -> LocalLLMServer:
    """One running server per model and size in this process; stopped at exit."""
    key = (str(Path(model).resolve()), context, threads)
    with _lock:
        if key not in _servers:
            _servers[key] = LocalLLMServer(model, context, threads).start()
        return _servers[key]


@atexit.register
def _stop_all() -> None:
    for server in list(_servers.values()):
        server.stop()
    _servers.clear()
