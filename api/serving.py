"""Serving the app in several worker processes on one listening socket.

uvicorn's `workers=N` binds the socket itself with `proto` left at 0; accepted connections
inherit it, and asyncio only sets TCP_NODELAY on sockets that say IPPROTO_TCP. Nagle's algorithm
then holds each response's last segment until the client's delayed ACK: every keep-alive request
after the first took 44 ms, which capped two workers at a third of one worker's static page rate
(uvicorn issue #3149, open). The listener here says what it is.
"""

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from uvicorn.supervisors import Multiprocess


class TcpConfig(uvicorn.Config):
    def bind_socket(self) -> socket.socket:
        sock = super().bind_socket()
        if sock.family not in (socket.AF_INET, socket.AF_INET6):
            return sock
        tcp = socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())
        tcp.set_inheritable(True)
        return tcp


def serve_in_workers(app: str, host: str, port: int, workers: int) -> None:
    """`app` is a factory's import string: each worker builds its own from the environment."""
    config = TcpConfig(app, factory=True, host=host, port=port, workers=workers)
    Multiprocess(config, sockets=[config.bind_socket()]).run()


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on now (the demo's filling, the screenshots, the tests)."""
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


@contextmanager
def serve_in_thread(app: Any, port: int, host: str = "127.0.0.1") -> Iterator[str]:
    """The app on host:port from a thread of this process, for the block (the demo's filling,
    the tests' served API); yields its base URL once it accepts connections."""
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
